"""`rongngan seed`: organisations, demo logins and a generated register (see registry.seeding).

Factories go through the real import path (importer.import_rows), so seeded data obeys the same
cleaning and audit rules as a DIW upload. Re-running is harmless: what exists is left alone.
"""

import sys
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from tqdm import tqdm

from rongngan.accounts.models import Organisation, Role, User
from rongngan.core import audit
from rongngan.core.errors import render_in
from rongngan.core.models import Province
from rongngan.core.seeds import run_steps
from rongngan.registry import importer, seeding
from rongngan.registry.models import Factory, Machine
from rongngan.registry.services import factory_assign_inspector

SYSTEM_USERNAME = "rongngan-seed"

BUREAUS = [
    ("diw-registry", "กองทะเบียนโรงงานอุตสาหกรรม", "Factory Registration Bureau"),
    ("diw-waste", "กองบริหารจัดการกากอุตสาหกรรม", "Industrial Waste Management Bureau"),
    ("diw-hazardous", "กองวัตถุอันตราย", "Hazardous Substances Control Bureau"),
    ("diw-environment", "กองควบคุมมลพิษจากโรงงาน", "Factory Pollution Control Bureau"),
    ("diw-safety", "กองความปลอดภัยโรงงานอุตสาหกรรม", "Industrial Safety Bureau"),
]
LOCAL_GOVERNMENTS = [
    ("lg-rayong-city", "เทศบาลนครระยอง", "Rayong City Municipality", "21", "2101"),
    ("lg-map-ta-phut", "เทศบาลนครมาบตาพุด", "Map Ta Phut City Municipality", "21", "2101"),
    ("lg-laem-chabang", "เทศบาลนครแหลมฉบัง", "Laem Chabang City Municipality", "20", "2007"),
]
OTHERS = [
    (
        "lab-central",
        Organisation.Kind.LAB,
        "บริษัท ห้องปฏิบัติการกลาง (ประเทศไทย) จำกัด",
        "Central Laboratory (Thailand) Co., Ltd.",
        "10",
    ),
    (
        "wp-eastern",
        Organisation.Kind.WASTE_PROCESSOR,
        "บริษัท บำบัดกากอุตสาหกรรมตะวันออก จำกัด",
        "Eastern Industrial Waste Treatment Co., Ltd.",
        "21",
    ),
]


class Command(BaseCommand):
    help = "Create organisations, demo logins and a generated factory register."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", choices=sorted(seeding.SCALES), default="demo")
        parser.add_argument("--seed", type=int, default=2562, help="random seed (default 2562)")
        parser.add_argument("--factories", type=int, help="number of factories (overrides scale)")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")
        parser.add_argument(
            "--only",
            default="",
            help="after the register, run only these apps' seed steps (comma-separated, "
            "e.g. plan,waste)",
        )
        parser.add_argument(
            "--write-csv", type=Path, help="write the factory rows to this CSV instead of importing"
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        count = opts["factories"] or seeding.SCALES[opts["scale"]]
        progress = not opts["no_progress"]
        started = time.monotonic()
        generated = seeding.generate(count, opts["seed"])
        if opts["write_csv"]:
            seeding.write_csv(opts["write_csv"], generated.rows)
            self.stdout.write(f"Wrote {len(generated.rows):,} rows to {opts['write_csv']}.")
            return
        system = self._system_user()
        self._organisations(generated)
        if Factory.objects.exists():
            self.stdout.write(
                f"Factories already exist ({Factory.objects.count():,}); not creating more."
            )
        else:
            self._import(system, generated, progress=progress)
            self._machines(system, generated, progress=progress)
        users = self._demo_users(system, generated) if opts["scale"] == "demo" else None
        more = run_steps(
            only=[app.strip() for app in opts["only"].split(",") if app.strip()],
            scale=opts["scale"],
            seed=opts["seed"],
            actor=system,
            stdout=self.stdout,
        )
        if users is not None:
            self._print_logins(users + more)
        self.stdout.write(f"Seed done in {time.monotonic() - started:.1f} s.")

    def _system_user(self) -> User:
        # The actor of seeded audit entries; it cannot log in.
        user, created = User.objects.get_or_create(
            username=SYSTEM_USERNAME,
            defaults={"role": Role.ADMIN, "is_active": False, "first_name": "Seed"},
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        return user

    def _organisations(self, generated: seeding.Generated) -> None:
        def make(code: str, **fields: Any) -> None:
            Organisation.objects.get_or_create(code=code, defaults=fields)

        with transaction.atomic():
            for code, name_th, name_en in BUREAUS:
                make(code, kind=Organisation.Kind.DIW_BUREAU, name_th=name_th, name_en=name_en)
            for p in Province.objects.order_by("code"):
                make(
                    f"po-{p.code}",
                    kind=Organisation.Kind.PROVINCIAL_OFFICE,
                    name_th=f"สำนักงานอุตสาหกรรมจังหวัด{p.name_th}",
                    name_en=f"{p.name_en} Provincial Industry Office",
                    province=p,
                )
            for code, name_th, name_en, province, district in LOCAL_GOVERNMENTS:
                make(
                    code,
                    kind=Organisation.Kind.LOCAL_GOVERNMENT,
                    name_th=name_th,
                    name_en=name_en,
                    province_id=province,
                    district_id=district,
                )
            for code, kind, name_th, name_en, province in OTHERS:
                make(code, kind=kind, name_th=name_th, name_en=name_en, province_id=province)
            for code, company in (
                ("demo-operator-a", generated.operator_a),
                ("demo-operator-b", generated.operator_b),
            ):
                if not Organisation.objects.filter(juristic_id=company.juristic_id).exists():
                    make(
                        code,
                        kind=Organisation.Kind.OPERATOR,
                        name_th=company.name_th,
                        name_en=company.name_en,
                        juristic_id=company.juristic_id,
                        province_id=company.province,
                    )

    def _import(self, system: User, generated: seeding.Generated, *, progress: bool) -> None:
        rows = tqdm(
            seeding.iter_numbered(generated.rows),
            total=len(generated.rows),
            desc="factories (check)",
            unit="row",
            file=sys.stderr,
            disable=not progress,
        )
        report = importer.import_rows(acting_user=system, rows=rows, dry_run=False)
        rows.close()
        if not report.ok:
            for p in report.problems[:10]:
                self.stderr.write(
                    f"row {p.row}: {p.field} {p.code}: {render_in('en', p.message, p.params)}"
                )
            raise CommandError(f"Import refused: {report.problem_count} problem(s).")
        self.stdout.write(f"Imported {report.created:,} factories.")

    def _machines(self, system: User, generated: seeding.Generated, *, progress: bool) -> None:
        ids = dict(
            Factory.objects.filter(registration_no__in=list(generated.machines)).values_list(
                "registration_no", "pk"
            )
        )
        machines = [
            Machine(factory_id=ids[regno], **values)
            for regno, items in generated.machines.items()
            for values in items
        ]
        with transaction.atomic():
            batches = range(0, len(machines), 2000)
            for start in tqdm(batches, desc="machines", file=sys.stderr, disable=not progress):
                batch = Machine.objects.bulk_create(machines[start : start + 2000])
                audit.record_many(
                    audit.entry(
                        actor=system,
                        action="create",
                        obj=m,
                        changes={
                            "factory": [None, m.factory_id],
                            "name": [None, m.name],
                            "registration_no": [None, m.registration_no],
                            "mortgaged": [None, m.mortgaged],
                        },
                        note="seed",
                    )
                    for m in batch
                )
        self.stdout.write(f"Added {len(machines):,} machines.")

    def _demo_users(self, system: User, generated: seeding.Generated) -> list[tuple[User, str]]:
        org_a = Organisation.objects.get(juristic_id=generated.operator_a.juristic_id)
        org_b = Organisation.objects.get(juristic_id=generated.operator_b.juristic_id)
        specs: list[tuple[str, dict[str, Any], str]] = [
            (
                "admin",
                {"role": Role.ADMIN, "is_superuser": True, "is_staff": True},
                "everything, incl. /admin/",
            ),
            (
                "officer",
                {
                    "role": Role.OFFICER,
                    "organisation": Organisation.objects.get(code="diw-registry"),
                },
                "all factories; may register and edit",
            ),
            (
                "provincial_officer",
                {
                    "role": Role.PROVINCIAL_OFFICER,
                    "province_id": "21",
                    "organisation": Organisation.objects.get(code="po-21"),
                },
                "Rayong (21) factories; may edit them",
            ),
            (
                "local_gov",
                {
                    "role": Role.LOCAL_GOV,
                    "province_id": "21",
                    "district_id": "2101",
                    "organisation": Organisation.objects.get(code="lg-rayong-city"),
                },
                "Mueang Rayong (2101) factories, read only",
            ),
            ("operator", {"role": Role.OPERATOR, "organisation": org_a}, org_a.name_th),
            ("operator2", {"role": Role.OPERATOR, "organisation": org_b}, org_b.name_th),
            ("inspector", {"role": Role.INSPECTOR}, "3 assigned factories"),
            ("committee", {"role": Role.COMMITTEE}, "all factories, read only"),
        ]
        users = []
        for username, fields, sees in specs:
            user = User.objects.filter(username=username).first()
            if user is None:
                user = User.objects.create_user(
                    username=username, password=seeding.DEMO_PASSWORD, **fields
                )
            users.append((user, sees))
        inspector = next(u for u, _s in users if u.username == "inspector")
        if not inspector.assignments.filter(is_active=True).exists():
            for factory in Factory.objects.order_by("registration_no")[:3]:
                factory_assign_inspector(
                    acting_user=system, factory=factory, inspector=inspector, reason="demo"
                )
        return users

    def _print_logins(self, users: list[tuple[User, str]]) -> None:
        self.stdout.write("")
        self.stdout.write("Demo logins (demo data only; change or delete them on a real server):")
        header = f"  {'username':<20} {'password':<15} {'role':<20} sees"
        self.stdout.write(header)
        self.stdout.write("  " + "-" * (len(header) + 30))
        for user, sees in users:
            self.stdout.write(
                f"  {user.username:<20} {seeding.DEMO_PASSWORD:<15} {user.role:<20} {sees}"
            )
