from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from rongngan.chemicals.models import CatalogueLoad, Substance
from rongngan.chemicals.reference import load_catalogue


class Command(BaseCommand):
    help = "Load or refresh the substance directory from the catalogue (idempotent, versioned)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--force", action="store_true", help="rewrite even if up to date")

    def handle(self, *args: Any, **options: Any) -> None:
        from rongngan.chemicals import catalogue

        n = load_catalogue(Substance, CatalogueLoad, force=options["force"])
        if n:
            self.stdout.write(f"Loaded {n} substances (catalogue {catalogue.VERSION}).")
        else:
            self.stdout.write(f"Directory already at catalogue {catalogue.VERSION}.")
