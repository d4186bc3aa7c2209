import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from rongngan.chemicals import services


class Command(BaseCommand):
    help = (
        "Recompute every storage site's hazard status and the area risk layers "
        "(after a bulk load, a catalogue update, or nightly)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--areas-only", action="store_true", help="skip the site hazards")

    def handle(self, *args: Any, **options: Any) -> None:
        t0 = time.monotonic()
        if not options["areas_only"]:
            n = services.hazards_recompute_all()
            self.stdout.write(f"Hazard status of {n:,} sites in {time.monotonic() - t0:.1f} s.")
        t1 = time.monotonic()
        counts = services.areas_recompute()
        shown = ", ".join(f"{k} {v:,}" for k, v in counts.items())
        self.stdout.write(f"Area layers ({shown}) in {time.monotonic() - t1:.1f} s.")
