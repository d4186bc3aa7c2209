"""rongngan waste_clocks [--date YYYY-MM-DD]: raise the manifest alerts that are due."""

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand

from rongngan.waste.clocks import run_clocks


class Command(BaseCommand):
    help = "Raises overdue-receipt and unresolved-discrepancy alerts (run daily)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--date", type=dt.date.fromisoformat, help="as if today were DATE")

    def handle(self, *args: Any, **opts: Any) -> None:
        counts = run_clocks(opts["date"])
        self.stdout.write(", ".join(f"{k}: {v}" for k, v in counts.items()))
