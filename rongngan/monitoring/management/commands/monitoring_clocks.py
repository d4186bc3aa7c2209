"""rongngan monitoring_clocks [--at ISO-DATETIME]: open data-gap events that are due."""

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand

from rongngan.monitoring.clocks import run_clocks


class Command(BaseCommand):
    help = "Opens data-gap events for silent continuous monitoring points (run every few minutes)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--at", type=dt.datetime.fromisoformat, help="as if it were AT (with zone)"
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        counts = run_clocks(opts["at"])
        self.stdout.write(", ".join(f"{k}: {v}" for k, v in counts.items()))
