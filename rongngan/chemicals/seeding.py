"""Demo and national data for the chemicals core.

Demo (about 40 sites): factory sites of the demo register (operator A's first) and hazardous-
substance storage sites of a demo storage company, with inventories declared through the real
service so they produce every tier: ammonia cold stores, a chlorine store at a water-treatment
works (exactly the lower-tier quantity, and one above the upper), LPG and solvent depots; one
site with a superseded declaration; a SYNTHETIC receptor layer (schools, hospitals, communities
placed near the tiered sites, named as synthetic). National: 30,000 sites with about 5 items
each written by bulk inserts, then every hazard and the area layers recomputed.
"""

import json
import random
import time
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from rongngan.accounts.models import Organisation, Role
from rongngan.chemicals import services
from rongngan.chemicals.hazard import KG_PER_TONNE
from rongngan.chemicals.models import (
    CatalogueLoad,
    Declaration,
    InventoryItem,
    SiteKind,
    StorageSite,
    Substance,
)
from rongngan.chemicals.reference import load_catalogue
from rongngan.core.geo import in_thailand
from rongngan.core.models import District
from rongngan.core.seeds import seed_step
from rongngan.registry.models import Factory

AMMONIA = "7664-41-7"
CHLORINE = "7782-50-5"
PROPANE = "74-98-6"
BUTANE = "106-97-8"
HYDROGEN = "1333-74-0"
METHANOL = "67-56-1"
TOLUENE = "108-88-3"
BENZENE = "71-43-2"
SULFURIC = "7664-93-9"
CAUSTIC = "1310-73-2"
FORMALDEHYDE = "50-00-0"
H2S = "7783-06-4"
# Formaldehyde is kept as formalin, a solution (UN 2209), declared as a mixture with its own
# classification: Acute Tox. 3 by inhalation gives Seveso H2 (the pure gas, named entry 14 at
# >= 90 %, is not what a solvent store holds). Its key stands in a profile where a CAS would.
FORMALIN = "formalin"
MIXTURES: dict[str, dict[str, Any]] = {
    FORMALIN: {
        "name": "ฟอร์มาลิน 37% (formaldehyde solution, UN 2209)",
        "categories": ["H2"],
        "components": [
            {"cas": FORMALDEHYDE, "name": "formaldehyde", "percent": "37"},
            {"cas": METHANOL, "name": "methanol", "percent": "10"},
        ],
    }
}

# (cas, tonnes at scale 1, share of the item in its largest container, storage type)
Item = tuple[str, float, float, str]
PROFILES: dict[str, list[Item]] = {
    "ammonia_cold_store": [
        (AMMONIA, 8, 0.4, "pressure_vessel"),
        (CAUSTIC, 2, 0.05, "bag"),
        (SULFURIC, 1, 0.2, "drum"),
    ],
    "chlorine_water": [
        (CHLORINE, 10, 0.1, "cylinder"),
        (CAUSTIC, 20, 0.1, "bag"),
        (SULFURIC, 5, 0.5, "tank"),
    ],
    "lpg_depot": [
        (PROPANE, 120, 0.25, "pressure_vessel"),
        (BUTANE, 80, 0.25, "pressure_vessel"),
    ],
    "solvent_store": [
        (TOLUENE, 300, 0.3, "tank"),
        (METHANOL, 520, 0.3, "tank"),
        (BENZENE, 20, 0.5, "tank"),
        (FORMALIN, 4, 0.5, "tank"),
    ],
    "chemical_plant": [
        (HYDROGEN, 2, 0.5, "pressure_vessel"),
        (METHANOL, 60, 0.5, "tank"),
        (SULFURIC, 80, 0.5, "tank"),
        (CAUSTIC, 40, 0.2, "tank"),
        (H2S, 0.5, 1.0, "process"),
    ],
    "general_factory": [
        (SULFURIC, 3, 0.3, "drum"),
        (CAUSTIC, 2, 0.2, "bag"),
        (TOLUENE, 1, 0.2, "drum"),
        (METHANOL, 1, 0.2, "drum"),
        (PROPANE, 0.5, 0.1, "cylinder"),
    ],
}
HAZMAT_OPERATOR = ("demo-hazmat", "บริษัท คลังเคมีภัณฑ์สาธิต จำกัด", "Demo Chemical Storage Co., Ltd.")
# (name_th, province, profile, scale, surroundings) of the demo storage company's sites
HAZMAT_SITES = [
    ("คลังสินค้าห้องเย็นมาบตาพุด", "21", "ammonia_cold_store", 1.0, "urban"),
    ("ห้องเย็นประมงระยอง", "21", "ammonia_cold_store", 7.0, "rural"),
    ("โรงน้ำแข็งหลอดบ้านเพ", "21", "ammonia_cold_store", 0.6, ""),
    ("สถานีผลิตน้ำประปาระยอง (คลังคลอรีน)", "21", "chlorine_water", 1.0, "urban"),
    ("สถานีผลิตน้ำประปาบางปู (คลังคลอรีน)", "11", "chlorine_water", 3.0, "urban"),
    ("คลังก๊าซปิโตรเลียมเหลวศรีราชา", "20", "lpg_depot", 1.3, "rural"),
    ("คลังก๊าซหุงต้มสมุทรสาคร", "74", "lpg_depot", 0.2, "urban"),
    ("คลังตัวทำละลายลาดกระบัง", "10", "solvent_store", 1.0, "urban"),
    ("คลังเคมีภัณฑ์แหลมฉบัง", "20", "solvent_store", 12.0, "rural"),
    ("ห้องเย็นมหาชัย", "74", "ammonia_cold_store", 1.5, "urban"),
    ("โกดังเคมีบางพลี", "11", "general_factory", 5.0, "urban"),
    ("คลังสารเคมีปทุมธานี", "13", "chemical_plant", 1.0, "rural"),
    ("ห้องเย็นสงขลา", "90", "ammonia_cold_store", 2.0, "rural"),
    ("โรงน้ำแข็งซองชลบุรี", "20", "ammonia_cold_store", 0.3, ""),
    ("คลังคลอรีนการประปานครราชสีมา", "30", "chlorine_water", 0.5, "urban"),
]
SYNTHETIC_LAYER = "ผู้รับผลกระทบสังเคราะห์ (ข้อมูลสาธิต) / Synthetic receptors (demo)"


def _capitals() -> dict[str, tuple[float, float]]:
    from rongngan.registry.seeding import CAPITALS

    return CAPITALS


def _point(rng: random.Random, lat0: float, lon0: float, spread: float) -> tuple[float, float]:
    for _ in range(50):
        lat = lat0 + rng.gauss(0, spread)
        lon = lon0 + rng.gauss(0, spread)
        if in_thailand(lat, lon):
            return round(lat, 6), round(lon, 6)
    return lat0, lon0


def _items(profile: str, scale: float, known: set[str]) -> list[dict[str, Any]]:
    out = []
    for cas, tonnes, container_share, storage in PROFILES[profile]:
        mixture = MIXTURES.get(cas)
        if mixture is None and cas not in known:
            continue
        t = Decimal(str(round(tonnes * scale, 3))) or Decimal("0.001")
        identity = {"mixture": mixture, "physical_state": "liquid"} if mixture else {"cas": cas}
        out.append(
            {
                **identity,
                "max_quantity": str(t),
                "unit": "t",
                "average_quantity": str((t * Decimal("0.6")).quantize(Decimal("0.001"))),
                "largest_container": str(
                    (t * Decimal(str(container_share))).quantize(Decimal("0.001"))
                ),
                "storage_type": storage,
                "location": "คลังหลัก" if storage != "process" else "หน่วยผลิต",
            }
        )
    return out


def _user(username: str, **fields: Any) -> Any:
    from rongngan.registry.seeding import DEMO_PASSWORD

    User = get_user_model()
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User.objects.create_user(username=username, password=DEMO_PASSWORD, **fields)
    return user


@seed_step(order=300)
def seed_chemicals(*, scale: str, seed: int, actor: Any, stdout: Any) -> list[tuple[Any, str]]:
    load_catalogue(Substance, CatalogueLoad)
    if StorageSite.objects.exists():
        return []
    rng = random.Random(seed)
    if scale == "national":
        _national(rng, actor, stdout)
        return []
    with transaction.atomic():
        return _demo(rng, actor, stdout)


def _demo(rng: random.Random, actor: Any, stdout: Any) -> list[tuple[Any, str]]:
    known = set(Substance.objects.values_list("cas", flat=True))
    capitals = _capitals()
    year = timezone.localdate().year
    org, _ = Organisation.objects.get_or_create(
        code=HAZMAT_OPERATOR[0],
        defaults={
            "kind": Organisation.Kind.OPERATOR,
            "name_th": HAZMAT_OPERATOR[1],
            "name_en": HAZMAT_OPERATOR[2],
            "province_id": "21",
        },
    )
    hazmat_user = _user("hazmat_operator", role=Role.OPERATOR, organisation=org)
    demo_operator = get_user_model().objects.filter(username="operator").first()
    # Factory sites: operator A's factories first, then others with coordinates.
    factories = list(
        Factory.objects.filter(latitude__isnull=False, operator__isnull=False).order_by(
            "registration_no"
        )[:200]
    )
    if demo_operator is not None:
        own = [f for f in factories if f.operator_id == demo_operator.organisation_id]
        own += list(
            Factory.objects.filter(
                operator_id=demo_operator.organisation_id, latitude__isnull=False
            ).exclude(pk__in=[f.pk for f in own])[:3]
        )
        factories = own[:3] + [f for f in factories if f not in own]
    factory_profiles = (
        ["chemical_plant", "general_factory", "solvent_store"]
        + ["general_factory"] * 3
        + ["ammonia_cold_store", "chemical_plant"]
    )
    made = 0
    for i, factory in enumerate(factories[:25]):
        site = services.site_register(
            acting_user=actor, data={"kind": "factory", "factory": factory.pk}
        )
        profile = factory_profiles[i % len(factory_profiles)]
        scale = rng.choice([0.2, 0.5, 1.0, 1.0, 2.0, 4.0])
        user = (
            demo_operator
            if demo_operator and factory.operator_id == demo_operator.organisation_id
            else actor
        )
        items = _items(profile, scale, known)
        if items:
            services.inventory_declare(acting_user=user, site=site, year=year, items=items)
        made += 1
    for name_th, province, profile, scale, surroundings in HAZMAT_SITES:
        lat0, lon0 = capitals.get(province, capitals["10"])
        lat, lon = _point(rng, lat0, lon0, 0.05)
        district = (
            District.objects.filter(province_id=province)
            .order_by("code")
            .values_list("code", flat=True)
            .first()
        )
        site = services.site_register(
            acting_user=actor,
            data={
                "kind": "hazmat_storage",
                "name_th": name_th,
                "province": province,
                "district": district,
                "latitude": lat,
                "longitude": lon,
                "operator": org.pk,
                "surroundings": surroundings,
            },
        )
        items = _items(profile, scale, known)
        if items:
            # Last year's declaration first, then this year's: the history has two years.
            services.inventory_declare(
                acting_user=hazmat_user, site=site, year=year - 1, items=items
            )
            services.inventory_declare(acting_user=hazmat_user, site=site, year=year, items=items)
        made += 1
    # One correction: the first cold store re-declares this year with a bigger receiver.
    first = StorageSite.objects.filter(operator=org).order_by("pk").first()
    if first is not None and AMMONIA in known:
        items = _items("ammonia_cold_store", 1.25, known)
        services.inventory_declare(
            acting_user=hazmat_user,
            site=first,
            year=year,
            items=items,
            note="แก้ไข: เพิ่มถังพักแอมโมเนีย (corrected receiver size)",
        )
    services.hazards_recompute_all()
    _synthetic_receptors(rng, actor)
    services.areas_recompute()
    stdout.write(f"Chemicals demo: {made} storage sites with inventories and synthetic receptors.")
    return [(hazmat_user, f"{org.name_th}: hazardous-substance storage sites")]


def _synthetic_receptors(rng: random.Random, actor: Any) -> None:
    from rongngan.chemicals.models import SiteHazard

    features = []
    kinds = [("school", "โรงเรียน"), ("hospital", "โรงพยาบาล"), ("community", "ชุมชน")]
    for h in SiteHazard.objects.exclude(tier="none", zone_radius_km__isnull=True).order_by(
        "site_id"
    ):
        for n in range(4):
            kind, label = kinds[n % 3]
            # within about 0.3-3 km of the site
            lat = h.latitude + rng.uniform(-0.025, 0.025)
            lon = h.longitude + rng.uniform(-0.025, 0.025)
            if not in_thailand(lat, lon):
                continue
            features.append(
                {
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]},
                    "properties": {
                        "name": f"{label}สังเคราะห์ {h.site_id}-{n + 1} (synthetic)",
                        "kind": kind,
                        "population": rng.choice([120, 450, 900, 2500, 6000]),
                    },
                }
            )
    if features:
        services.receptor_layer_upload(
            acting_user=actor,
            name=SYNTHETIC_LAYER,
            content=json.dumps({"type": "FeatureCollection", "features": features}),
            filename="synthetic_receptors.geojson",
            synthetic=True,
            description="Generated for the demo: not real places.",
        )


# ------------------------------------------------------------------------------------------------
# National scale


NATIONAL_SITES = 30_000
FACTORY_SHARE = 0.8
# (profile, share of sites, scale range)
NATIONAL_MIX = [
    ("general_factory", 0.55, (0.2, 3.0)),
    ("chemical_plant", 0.15, (0.1, 2.0)),
    ("ammonia_cold_store", 0.12, (0.1, 3.0)),
    ("solvent_store", 0.08, (0.02, 1.5)),
    ("lpg_depot", 0.06, (0.05, 2.0)),
    ("chlorine_water", 0.04, (0.1, 3.0)),
]


def _national(rng: random.Random, actor: Any, stdout: Any) -> None:
    import os

    from rongngan.core import audit, bulk

    started = time.monotonic()
    target = int(os.environ.get("RONGNGAN_NATIONAL_CHEM_SITES", 0)) or NATIONAL_SITES
    substances = {
        s["cas"]: s
        for s in Substance.objects.values("id", "cas", "physical_state", "liquefied_gas")
    }
    factories = list(
        Factory.objects.filter(latitude__isnull=False, operator__isnull=False)
        .order_by("pk")
        .values_list(
            "pk", "operator_id", "name_th", "province_id", "district_id", "latitude", "longitude"
        )
    )
    if not factories:
        stdout.write("Chemicals national: no factories with coordinates; skipped.")
        return
    n_factory = min(int(target * FACTORY_SHARE), len(factories))
    chosen = rng.sample(factories, n_factory)
    now = timezone.now()
    today = timezone.localdate()
    year = today.year
    profiles = [p for p, _s, _r in NATIONAL_MIX]
    weights = [s for _p, s, _r in NATIONAL_MIX]
    ranges = {p: r for p, _s, r in NATIONAL_MIX}
    with transaction.atomic():
        site_ids = bulk.allocate_ids(StorageSite, target)
        sites = []
        for i, (fid, op, name, prov, dist, lat, lon) in enumerate(chosen):
            sites.append(
                {
                    "id": site_ids[i],
                    "code": f"F{prov}-{i + 1:06d}",
                    "kind": SiteKind.FACTORY,
                    "factory_id": fid,
                    "operator_id": op,
                    "name_th": name,
                    "name_en": "",
                    "address": "",
                    "province_id": prov,
                    "district_id": dist,
                    "subdistrict_id": None,
                    "latitude": lat,
                    "longitude": lon,
                    "status": "active",
                    "registered_on": today,
                    "created_by_id": actor.pk,
                    "created_at": now,
                    "surroundings": "",
                }
            )
        for j in range(target - n_factory):
            fid, op, _name, prov, dist, lat, lon = rng.choice(factories)
            plat, plon = _point(rng, float(lat), float(lon), 0.01)
            sites.append(
                {
                    "id": site_ids[n_factory + j],
                    "code": f"S{prov}-{j + 1:06d}",
                    "kind": SiteKind.HAZMAT_STORAGE,
                    "factory_id": None,
                    "operator_id": op,
                    "name_th": f"คลังเก็บวัตถุอันตราย {j + 1:05d}",
                    "name_en": "",
                    "address": "",
                    "province_id": prov,
                    "district_id": dist,
                    "subdistrict_id": None,
                    "latitude": Decimal(f"{plat:.6f}"),
                    "longitude": Decimal(f"{plon:.6f}"),
                    "status": "active",
                    "registered_on": today,
                    "created_by_id": actor.pk,
                    "created_at": now,
                    "surroundings": rng.choice(["", "", "urban", "rural"]),
                }
            )
        bulk.insert_rows(StorageSite, sites, columns=[*sites[0].keys()])
        decl_ids = bulk.allocate_ids(Declaration, len(sites))
        declarations = [
            {
                "id": decl_ids[k],
                "site_id": s["id"],
                "year": year,
                "version": 1,
                "is_current": True,
                "superseded_by_id": None,
                "source": "seed",
                "note": "",
                "declared_by_id": actor.pk,
                "declared_at": now,
            }
            for k, s in enumerate(sites)
        ]
        bulk.insert_rows(Declaration, declarations, columns=[*declarations[0].keys()])
        items = []
        for d in declarations:
            profile = rng.choices(profiles, weights)[0]
            lo, hi = ranges[profile]
            scale = lo * (hi / lo) ** rng.random()  # log-uniform
            for line, (cas, tonnes, share, storage) in enumerate(PROFILES[profile], start=1):
                mixture = MIXTURES.get(cas)
                s = substances.get(cas)
                if s is None and mixture is None:
                    continue
                kg = (
                    Decimal(str(round(tonnes * scale * rng.uniform(0.7, 1.3), 3)))
                    or Decimal("0.001")
                ) * KG_PER_TONNE
                if mixture is not None:
                    state = "liquid"
                else:
                    state = s["physical_state"]
                    if state == "gas" and s["liquefied_gas"]:
                        state = "liquefied_gas"
                items.append(
                    {
                        "declaration_id": d["id"],
                        "line": line,
                        "substance_id": s["id"] if mixture is None else None,
                        "mixture_name": mixture["name"] if mixture else "",
                        "mixture_categories": mixture["categories"] if mixture else [],
                        "mixture_components": mixture["components"] if mixture else [],
                        "physical_state": state or "liquid",
                        "max_quantity": kg / KG_PER_TONNE,
                        "unit": "t",
                        "density_kg_m3": None,
                        "max_kg": kg,
                        "average_kg": (kg * Decimal("0.6")).quantize(Decimal("0.001")),
                        "largest_container_kg": (kg * Decimal(str(share))).quantize(
                            Decimal("0.001")
                        ),
                        "storage_type": storage,
                        "pressure_kpa": None,
                        "temperature_c": None,
                        "location": "",
                        "isolated": False,
                        "source": "seed",
                    }
                )
        bulk.insert_rows(InventoryItem, items)
        audit.record(
            actor=actor,
            action="import",
            note=f"seed national: {len(sites)} storage sites, {len(items)} inventory items",
        )
    stdout.write(
        f"Chemicals national: {len(sites):,} sites, {len(items):,} items "
        f"in {time.monotonic() - started:.0f} s."
    )
    t0 = time.monotonic()
    services.hazards_recompute_all()
    t1 = time.monotonic()
    services.areas_recompute()
    stdout.write(
        f"Chemicals national: hazards {t1 - t0:.1f} s, areas {time.monotonic() - t1:.1f} s."
    )


@seed_step(order=390)
def seed_chemical_areas(*, scale: str, seed: int, actor: Any, stdout: Any) -> None:
    """Area layers again after the later steps (the refrigeration register feeds inventories)."""
    if StorageSite.objects.exists():
        services.areas_recompute()
