"""rongngan monitoring_load_standards: load the standards catalogue after its files changed."""

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from rongngan.core import audit
from rongngan.monitoring.models import LimitRule, Parameter, Standard
from rongngan.monitoring.reference import load_catalogue


class Command(BaseCommand):
    help = "Loads parameters, standards and limit rules from rongngan/monitoring/data (idempotent)."

    def handle(self, *args: Any, **opts: Any) -> None:
        with transaction.atomic():
            counts = load_catalogue(Parameter, Standard, LimitRule)
            audit.record(actor=None, action="load", note=f"monitoring catalogue {counts}")
        self.stdout.write(", ".join(f"{k}: {v}" for k, v in counts.items()))
