"""rongngan load_plan [FILE] [--bindings FILE] [--check]: load an action plan from its data file."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from rongngan.core.errors import RongnganValidationError
from rongngan.plan.loader import (
    DEFAULT_BINDINGS_FILE,
    DEFAULT_PLAN_FILE,
    apply_bindings,
    check_file,
    load_plan,
)


class Command(BaseCommand):
    help = "Loads an action plan (YAML, see rongngan/plan/data/) and binds KPIs to metrics."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", nargs="?", type=Path, default=DEFAULT_PLAN_FILE)
        parser.add_argument("--bindings", type=Path, default=DEFAULT_BINDINGS_FILE)
        parser.add_argument("--check", action="store_true", help="check the file, write nothing")

    def handle(self, *args: Any, **opts: Any) -> None:
        path: Path = opts["file"]
        if not path.exists():
            raise CommandError(f"No such file: {path}")
        if opts["check"]:
            problems = check_file(path)
            for p in problems:
                self.stdout.write(f"{p.field}: {p.code}: {p.as_dict()['message_en']}")
            if problems:
                raise CommandError(f"{len(problems)} problem(s) in {path}")
            self.stdout.write(f"{path}: no problem found.")
            return
        try:
            plan, created = load_plan(path)
        except RongnganValidationError as exc:
            for p in exc.problems:
                self.stderr.write(f"{p.field}: {p.code}: {p.as_dict()['message_en']}")
            raise CommandError(f"{len(exc.problems)} problem(s) in {path}; nothing loaded") from exc
        if created:
            self.stdout.write(
                f"Loaded {plan.code}: {plan.strategies.count()} strategies, "
                f"{plan.kpis.count()} KPIs, {plan.projects.count()} projects."
            )
        else:
            self.stdout.write(f"{plan.code} is already loaded; left as it is.")
        if opts["bindings"] and opts["bindings"].exists():
            done = apply_bindings(opts["bindings"])
            for kind in ("bound", "pending", "kept", "unknown"):
                for item in done[kind]:
                    self.stdout.write(f"  {kind}: {item}")
