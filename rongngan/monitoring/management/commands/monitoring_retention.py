"""rongngan monitoring_retention [--days N] [--dry-run]: drop minute readings past retention.

Hourly and daily averages, availability and events are kept; only the minutes go, by whole
monthly partitions on PostgreSQL (rows of a partly kept month are deleted) and by rows on
SQLite. Each run is recorded (RetentionRun) and audited.
"""

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from rongngan.core import audit
from rongngan.monitoring import conf, storage
from rongngan.monitoring.models import Reading, RetentionRun


class Command(BaseCommand):
    help = "Removes minute readings older than MONITORING_MINUTE_RETENTION_DAYS (aggregates kept)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--days", type=int, default=None)
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args: Any, **opts: Any) -> None:
        days = (
            opts["days"]
            if opts["days"] is not None
            else int(conf.get("MONITORING_MINUTE_RETENTION_DAYS"))
        )
        cutoff = timezone.now() - dt.timedelta(days=days)
        if opts["dry_run"]:
            n = Reading.objects.filter(ts__lt=cutoff).count()
            self.stdout.write(f"would remove {n} readings before {cutoff.isoformat()}")
            return
        with transaction.atomic():
            dropped, deleted = storage.drop_before(cutoff)
            run = RetentionRun.objects.create(
                cutoff=cutoff, dropped_partitions=dropped, deleted_rows=deleted
            )
            audit.record(
                actor=None,
                action="update",
                obj=run,
                note="minute readings removed past retention",
                changes={"cutoff": cutoff, "dropped_partitions": dropped, "deleted_rows": deleted},
            )
        self.stdout.write(f"dropped partitions: {len(dropped)}, deleted rows: {deleted}")
