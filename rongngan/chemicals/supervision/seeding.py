"""Demo data for storage-site inspections and the ammonia refrigeration register.

Runs after the chemicals app has registered its sites (order 300). Demo scale walks the real
services: about 30 inspections in fiscal years 2563-2565, follow-ups that lift sites to "above
criteria" (so KPI K2.9 shows a figure), corrective actions some of which are overdue, and about
15 refrigeration plants whose charges go into the site inventories and whose inspections report
implemented measures (KPI K1.7). National scale inserts in bulk, in proportion (about 2 % of the
sites inspected, one plant per 200 sites), without feeding the inventories. Deterministic for a
given seed."""

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from rongngan.accounts.models import Organisation, Role
from rongngan.chemicals.models import StorageSite
from rongngan.chemicals.supervision import reference, services
from rongngan.chemicals.supervision.models import (
    CorrectiveAction,
    Grade,
    RefrigerationInspection,
    RefrigerationPlant,
    SiteUpgrade,
    StorageInspection,
)
from rongngan.core.models import District
from rongngan.core.seeds import seed_step

INSPECTOR_NAMES = ["นายสมชาย ตรวจการ", "นางสาวพรทิพย์ ปลอดภัย", "นายวีระ รักษ์สาร", "นางอรุณี ศรีสุข"]
ICE_WORDS = ("ห้องเย็น", "น้ำแข็ง", "cold", "ice")


def _scores(rng: random.Random, checklist: Any, level: str) -> dict[str, int | None]:
    """Scores that land in the grade asked for: "above", "within" (a critical item missed) or
    "low" (many items missed)."""
    items = checklist.items()
    scores: dict[str, int | None] = {}
    for item in items:
        if rng.random() < 0.05 and not item.get("critical"):
            scores[item["code"]] = None
            continue
        if level == "above":
            scores[item["code"]] = 2 if item.get("critical") or rng.random() < 0.85 else 1
        elif level == "within":
            scores[item["code"]] = rng.choice([2, 2, 1]) if not item.get("critical") else 2
        else:
            scores[item["code"]] = rng.choice([2, 1, 1, 0])
    if level == "within":
        critical = [i["code"] for i in items if i.get("critical")]
        for code in rng.sample(critical, rng.choice([1, 2])):
            scores[code] = rng.choice([0, 1])
    return scores


def _inspector(stdout: Any) -> Any:
    from rongngan.registry.seeding import DEMO_PASSWORD

    User = get_user_model()
    user = User.objects.filter(username="storage_inspector").first()
    if user is None:
        user = User.objects.create_user(
            username="storage_inspector",
            password=DEMO_PASSWORD,
            role=Role.INSPECTOR,
            province_id="21",
            first_name="ผู้ตรวจสถานที่เก็บ",
        )
    return user


def _demo_sites(actor: Any, rng: random.Random) -> list[StorageSite]:
    # Storage sites of hazardous-substance businesses first (the P7 target group, and what the
    # Rayong demo inspector reaches), then factory sites.
    sites = list(StorageSite.objects.filter(kind="hazmat_storage").order_by("pk")[:20]) + list(
        StorageSite.objects.filter(kind="factory").order_by("pk")[:20]
    )
    if sites:
        return sites
    # No chemicals seed ran (e.g. `seed --only chemicals.supervision`): make a few sites.
    org, _ = Organisation.objects.get_or_create(
        code="sv-demo",
        defaults={"kind": Organisation.Kind.OPERATOR, "name_th": "บริษัท คลังสาธิต จำกัด"},
    )
    district = District.objects.filter(province_id="21").order_by("code").first()
    if district is None:
        return []
    for n in range(16):
        sites.append(
            StorageSite.objects.create(
                code=f"SV-{n + 1:03d}",
                kind="hazmat_storage",
                operator=org,
                name_th=("ห้องเย็นสาธิต" if n % 3 == 0 else "คลังสารเคมีสาธิต") + f" {n + 1}",
                province_id="21",
                district=district,
                latitude=Decimal("12.70") + Decimal(n) / 100,
                longitude=Decimal("101.20") + Decimal(n) / 100,
                registered_on=dt.date(2015, 1, 1),
                created_by=actor,
            )
        )
    return sites


@seed_step(order=310)
def seed_supervision(*, scale: str, seed: int, actor: Any, stdout: Any) -> list[tuple[Any, str]]:
    if StorageInspection.objects.exists() or RefrigerationPlant.objects.exists():
        return []
    rng = random.Random(seed + 7)
    if scale == "national":
        _national(rng, actor, stdout)
        return []
    if scale != "demo":
        return []
    with transaction.atomic():
        return _demo(rng, actor, stdout)


def _demo(rng: random.Random, actor: Any, stdout: Any) -> list[tuple[Any, str]]:
    inspector = _inspector(stdout)
    sites = _demo_sites(actor, rng)
    if not sites:
        return []
    checklist = services.current_checklist()
    # FY 2563-2565: 1 Oct 2019 - 30 Sep 2022. Paths: lifted by a follow-up, stays within,
    # above from the start, lifted then a correction.
    paths = ["lift"] * 9 + ["within"] * 3 + ["above"] * 2
    # Twelve storage sites and two factory sites (the demo operator's first: the chemicals seed
    # registers them first), so the operator login sees its own results too.
    hazmat = [s for s in sites if s.kind == "hazmat_storage"]
    factories = [s for s in sites if s.kind != "hazmat_storage"]
    inspected = (hazmat[:12] + factories[:2] + hazmat[12:] + factories[2:])[: len(paths)]
    count = 0
    for site, path in zip(inspected, paths, strict=False):
        first_day = dt.date(2019, 10, 15) + dt.timedelta(days=rng.randint(0, 600))
        follow = first_day + dt.timedelta(days=rng.randint(90, 300))
        levels = {
            "lift": [rng.choice(["within", "low"]), "above"],
            "within": ["low", "within"],
            "above": ["above", "above"],
        }[path]
        for day, level in zip([first_day, follow], levels, strict=True):
            data = {
                "visited_on": min(day, dt.date(2022, 9, 30)),
                "inspectors": ", ".join(rng.sample(INSPECTOR_NAMES, 2)),
                "scores": _scores(rng, checklist, level),
                "notes": "ข้อมูลสาธิต (demo)",
            }
            services.storage_inspection_record(acting_user=actor, site=site, data=data)
            count += 1
    # A third visit at two lifted sites (one falls back: not counted again) and a correction.
    for site in inspected[:2]:
        services.storage_inspection_record(
            acting_user=actor,
            site=site,
            data={
                "visited_on": dt.date(2022, 9, 1),
                "inspectors": INSPECTOR_NAMES[0],
                "scores": _scores(rng, checklist, "within"),
            },
        )
        count += 1
    last = StorageInspection.objects.filter(is_current=True).order_by("-pk").first()
    if last is not None:
        services.storage_inspection_correct(
            acting_user=actor,
            inspection=last,
            data={"inspectors": f"{last.inspectors}, {INSPECTOR_NAMES[3]}"},
            reason="เพิ่มชื่อผู้ตรวจที่ตกหล่น (missing inspector name added)",
        )
    # The operator answered some actions; inspectors closed part of them.
    for i, action in enumerate(
        CorrectiveAction.objects.filter(status=CorrectiveAction.Status.OPEN).order_by("pk")
    ):
        if i % 4 == 0:
            services.corrective_action_submit_evidence(
                acting_user=actor, action=action, evidence="ส่งภาพถ่ายการแก้ไขแล้ว (photos sent)"
            )
        elif i % 4 == 1:
            services.corrective_action_close(
                acting_user=actor,
                action=action,
                evidence="ตรวจเอกสารแล้ว (documents checked)",
                closed_on=min(action.due_on, timezone.localdate()),
            )
    plants = _demo_plants(rng, actor, sites)
    stdout.write(
        f"Supervision demo: {count} storage inspections, "
        f"{SiteUpgrade.objects.filter(withdrawn_at__isnull=True).count()} sites upgraded, "
        f"{plants} ammonia refrigeration plants."
    )
    return [(inspector, "Rayong storage-site inspector (hazardous-substance stores)")]


def _demo_plants(rng: random.Random, actor: Any, sites: list[StorageSite]) -> int:
    cold = [s for s in sites if any(w in s.name_th for w in ICE_WORDS)]
    others = [s for s in sites if s not in cold]
    chosen = (cold + others[::-1])[:15]
    measures = [m["code"] for m in reference.measures() if m["code"] != "other"]
    made = 0
    for n, site in enumerate(chosen):
        kind = ["block_ice", "tube_ice", "cold_store"][n % 3]
        ice = kind != "cold_store"
        capacity = Decimal(rng.choice([40, 60, 100, 150, 250])) if ice else None
        volume = None if ice else Decimal(rng.choice([8000, 15000, 30000, 60000]))
        plant = services.refrigeration_plant_register(
            acting_user=actor,
            site=site,
            data={
                "kind": kind,
                "ammonia_charge_kg": str(rng.choice([800, 1500, 2500, 4000, 6500])),
                "capacity_t_ice_per_day": capacity,
                "cooled_volume_m3": volume,
                "operating_hours_per_year": rng.choice([6000, 7200, 8000]),
                "tariff_baht_per_kwh": "4.18",
                "compressors": [
                    {
                        "type": rng.choice(["reciprocating", "screw"]),
                        "count": rng.randint(2, 6),
                        "motor_kw": str(rng.choice([55, 75, 90, 132])),
                    }
                ],
                "condensers": [{"type": rng.choice(["evaporative", "shell_and_tube"]), "count": 2}],
                "evaporators": "ขดท่อในบ่อน้ำเกลือ" if kind == "block_ice" else "คอยล์เย็น",
            },
        )
        bench, _unit = reference.benchmark(kind)
        output = capacity * 330 if ice else volume
        done: list[str] = []  # a measure's saving is recorded at one visit only
        for k, day in enumerate(
            [dt.date(2020, 1, 15), dt.date(2021, 3, 1)][: rng.choice([1, 2, 2])]
        ):
            sec = bench * Decimal(str(rng.uniform(1.05, 1.45) - 0.1 * k))
            implemented = []
            if k == 1 or rng.random() < 0.7:
                left = [m for m in measures if m not in done]
                for code in rng.sample(left, rng.randint(1, 2)):
                    done.append(code)
                    implemented.append(
                        {
                            "code": code,
                            "saving_kwh_per_year": str(
                                (output * bench * Decimal(str(rng.uniform(0.03, 0.08)))).quantize(
                                    Decimal(1)
                                )
                            ),
                        }
                    )
            services.refrigeration_inspection_record(
                acting_user=actor,
                plant=plant,
                data={
                    "visited_on": day + dt.timedelta(days=n * 7),
                    "inspectors": ", ".join(rng.sample(INSPECTOR_NAMES, 2)),
                    "annual_electricity_kwh": str((sec * output).quantize(Decimal(1))),
                    "annual_output": str(output),
                    "condensing_temp_c": str(rng.choice([35, 38, 40, 42])),
                    "evaporating_temp_c": str(rng.choice([-10, -12, -15, -25])),
                    "safety": {
                        "ammonia_detectors": rng.random() < 0.7,
                        "emergency_ventilation": rng.random() < 0.6,
                        "relief_valves": rng.random() < 0.9,
                        "ppe_scba": rng.random() < 0.5,
                        "emergency_plan": rng.random() < 0.7,
                    },
                    "leaks_last_12_months": rng.choice([0, 0, 0, 1, 2]),
                    "environment": {"wastewater_treated": rng.random() < 0.8},
                    "measures_implemented": implemented,
                },
            )
        made += 1
    return made


def _national(rng: random.Random, actor: Any, stdout: Any) -> None:
    """Bulk, in proportion: about 2 % of the sites inspected (half lifted by a follow-up), one
    plant per 200 sites with one inspection each. Grades use the same rule as the services."""
    checklist = services.current_checklist()
    site_rows = list(StorageSite.objects.order_by("pk").values_list("pk", "kind"))
    if not site_rows:
        return
    sample = rng.sample(site_rows, max(1, len(site_rows) // 50))
    now = timezone.now()
    with transaction.atomic():
        inspections = []
        for site_id, _kind in sample:
            first = dt.date(2019, 10, 1) + dt.timedelta(days=rng.randint(0, 900))
            lifted = rng.random() < 0.5
            for day, level in (
                (first, rng.choice(["within", "low"])),
                (first + dt.timedelta(days=rng.randint(60, 240)), "above" if lifted else "within"),
            ):
                scores = _scores(rng, checklist, level)
                inspections.append(
                    StorageInspection(
                        site_id=site_id,
                        checklist=checklist,
                        kind=StorageInspection.Kind.INITIAL
                        if day == first
                        else StorageInspection.Kind.FOLLOW_UP,
                        visited_on=min(day, timezone.localdate()),
                        inspectors=rng.choice(INSPECTOR_NAMES),
                        scores=scores,
                        created_by=actor,
                        **services.grade_scores(checklist, scores),
                    )
                )
        StorageInspection.objects.bulk_create(inspections, batch_size=2000)
        by_site: dict[int, list[StorageInspection]] = {}
        for i in inspections:
            by_site.setdefault(i.site_id, []).append(i)
        upgrades = []
        for site_id, rows in by_site.items():
            rows.sort(key=lambda r: r.visited_on)
            if rows[0].grade != Grade.ABOVE and rows[-1].grade == Grade.ABOVE:
                upgrades.append(
                    SiteUpgrade(
                        site_id=site_id,
                        inspection=rows[-1],
                        previous_inspection=rows[0],
                        upgraded_on=rows[-1].visited_on,
                        from_grade=rows[0].grade,
                        to_grade=rows[-1].grade,
                    )
                )
        SiteUpgrade.objects.bulk_create(upgrades, batch_size=2000)
        items = checklist.item_map()
        actions = []
        for rows in by_site.values():
            latest = rows[-1]
            for code, score in latest.scores.items():
                if score is None or score == 2:
                    continue
                critical = bool(items[code].get("critical"))
                actions.append(
                    CorrectiveAction(
                        site_id=latest.site_id,
                        inspection=latest,
                        item_code=code,
                        item_text=items[code]["th"][:500],
                        critical=critical,
                        score=score,
                        due_on=services.add_business_days(
                            latest.visited_on,
                            checklist.due_critical_days if critical else checklist.due_other_days,
                        ),
                    )
                )
        CorrectiveAction.objects.bulk_create(actions, batch_size=5000)
        taken = set()
        plants = []
        for site_id, _kind in rng.sample(site_rows, max(1, len(site_rows) // 200)):
            if site_id in taken:
                continue
            taken.add(site_id)
            kind = rng.choice(["block_ice", "tube_ice", "cold_store"])
            plants.append(
                RefrigerationPlant(
                    site_id=site_id,
                    kind=kind,
                    ammonia_charge_kg=Decimal(rng.choice([800, 1500, 2500, 4000])),
                    capacity_t_ice_per_day=None
                    if kind == "cold_store"
                    else Decimal(rng.choice([40, 100, 200])),
                    cooled_volume_m3=Decimal(rng.choice([10000, 30000]))
                    if kind == "cold_store"
                    else None,
                    operating_hours_per_year=7200,
                    tariff_baht_per_kwh=Decimal("4.18"),
                    compressors=[{"type": "reciprocating", "count": 3, "motor_kw": "75"}],
                    condensers=[{"type": "evaporative", "count": 2}],
                    registered_by=actor,
                )
            )
        RefrigerationPlant.objects.bulk_create(plants, batch_size=2000)
        plant_inspections = []
        for p in plants:
            bench, _unit = reference.benchmark(p.kind)
            output = p.cooled_volume_m3 or p.capacity_t_ice_per_day * 330
            kwh = (bench * Decimal(str(rng.uniform(1.0, 1.4))) * output).quantize(Decimal(1))
            saving = (output * bench * Decimal("0.04")).quantize(Decimal(1))
            energy = services.energy_saving(
                kind=p.kind, annual_kwh=kwh, annual_output=output, tariff=p.tariff_baht_per_kwh
            )
            plant_inspections.append(
                RefrigerationInspection(
                    plant=p,
                    visited_on=dt.date(2021, 1, 1) + dt.timedelta(days=rng.randint(0, 600)),
                    inspectors=rng.choice(INSPECTOR_NAMES),
                    annual_electricity_kwh=kwh,
                    annual_output=output,
                    tariff_baht_per_kwh=p.tariff_baht_per_kwh,
                    measures_implemented=[
                        {"code": "condenser_cleaning", "saving_kwh_per_year": str(saving)}
                    ],
                    implemented_kwh=saving,
                    implemented_baht=(saving * p.tariff_baht_per_kwh).quantize(Decimal("0.01")),
                    safety={"ammonia_detectors": True},
                    environment={},
                    created_by=actor,
                    created_at=now,
                    **energy,
                )
            )
        RefrigerationInspection.objects.bulk_create(plant_inspections, batch_size=2000)
    stdout.write(
        f"Supervision national: {len(inspections):,} storage inspections, {len(upgrades):,} "
        f"upgrades, {len(actions):,} corrective actions, {len(plants):,} refrigeration plants."
    )
