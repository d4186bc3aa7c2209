"""Hazard status and area risk at national scale (PostgreSQL): 30,000 storage sites with about
5 inventory items each.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/rongngan_bench_chemicals \
        .venv/bin/python bench/chemicals_bench.py [--factories 40000] [--sites 30000]

Makes the register (`seed --scale national --factories N`; waste manifests kept few, they are
not measured here) and the chemicals national seed (bulk inserts) when missing, then times:
recomputing every site's hazard and the area layers (target < 60 s together), the national
H3 resolution-7 area GeoJSON through the API (p95 < 300 ms, < 2 MB) and one site's hazard
explanation through the API (p95 < 50 ms).
"""

import argparse
import logging
import os
import random
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _setup


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--factories", type=int, default=40_000)
    parser.add_argument("--sites", type=int, default=30_000)
    parser.add_argument("--runs", type=int, default=100)
    args = parser.parse_args()
    # The waste seed would add ~7 manifests a factory; this benchmark does not read them.
    os.environ.setdefault("RONGNGAN_NATIONAL_MANIFESTS", "1000")
    os.environ.setdefault("RONGNGAN_NATIONAL_CHEM_SITES", str(args.sites))
    _setup.start(fresh=False)
    logging.getLogger("rongngan.request").setLevel(logging.WARNING)
    _setup.ensure_national(args.factories)

    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    from rongngan.accounts.models import Role
    from rongngan.chemicals import seeding, services
    from rongngan.chemicals.models import InventoryItem, SiteHazard, StorageSite

    if StorageSite.objects.count() < args.sites:
        if StorageSite.objects.exists():
            raise SystemExit("the database holds fewer storage sites than asked: recreate it")
        t0 = time.perf_counter()
        system = get_user_model().objects.filter(is_superuser=True).first() or get_user_model()(
            username="bench-system", role=Role.ADMIN
        )
        if system.pk is None:
            system.save()
        seeding._national(random.Random(2562), system, sys.stdout)
        print(f"chemicals national seed in {time.perf_counter() - t0:.0f} s")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    sites = StorageSite.objects.count()
    items = InventoryItem.objects.filter(declaration__is_current=True).count()

    t0 = time.perf_counter()
    services.hazards_recompute_all()
    t_hazard = time.perf_counter() - t0
    t0 = time.perf_counter()
    counts = services.areas_recompute()
    t_areas = time.perf_counter() - t0

    officer, _ = get_user_model().objects.get_or_create(
        username="bench-chem-officer", defaults={"role": Role.OFFICER}
    )
    rayong, _ = get_user_model().objects.get_or_create(
        username="bench-chem-rayong",
        defaults={"role": Role.PROVINCIAL_OFFICER, "province_id": "21"},
    )
    public, off = Client(HTTP_HOST="localhost"), Client(HTTP_HOST="localhost")
    prov = Client(HTTP_HOST="localhost")
    off.force_login(officer)
    prov.force_login(rayong)
    sizes: dict[str, int] = {}

    def area(level: str, gzip: bool = False) -> Any:
        headers = {"HTTP_ACCEPT_ENCODING": "gzip"} if gzip else {}

        def run() -> None:
            r = public.get(f"/api/v1/chemicals/risk/areas/?level={level}", **headers)
            assert r.status_code == 200, r.status_code
            sizes[f"{level}{' gzip' if gzip else ''}"] = len(r.content)

        return run

    tiered = list(
        SiteHazard.objects.exclude(tier="none")
        .order_by("site_id")
        .values_list("site_id", flat=True)
    )
    rng = random.Random(7)

    def hazard() -> None:
        r = off.get(f"/api/v1/chemicals/sites/{rng.choice(tiered)}/hazard/")
        assert r.status_code == 200, r.status_code

    def public_sites() -> None:
        r = public.get("/api/v1/chemicals/risk/sites/")
        assert r.status_code == 200
        sizes["risk/sites (public)"] = len(r.content)

    def officer_sites(client: Any, label: str) -> Any:
        def run() -> None:
            r = client.get("/api/v1/chemicals/risk/sites/")
            assert r.status_code == 200
            sizes[f"risk/sites ({label})"] = len(r.content)

        return run

    results = [
        ("API risk/areas h3-7 (public)", _setup.summary(_setup.timed(area("h3-7"), args.runs))),
        (
            "API risk/areas h3-7, gzip",
            _setup.summary(_setup.timed(area("h3-7", True), args.runs)),
        ),
        ("API risk/areas province", _setup.summary(_setup.timed(area("province"), args.runs))),
        ("API risk/areas district", _setup.summary(_setup.timed(area("district"), args.runs))),
        ("API sites/{id}/hazard/ (officer)", _setup.summary(_setup.timed(hazard, args.runs * 2))),
        ("API risk/sites (public, upper tier)", _setup.summary(_setup.timed(public_sites, 20))),
        (
            "API risk/sites (national officer)",
            _setup.summary(_setup.timed(officer_sites(off, "national officer"), 20)),
        ),
        (
            "API risk/sites (Rayong provincial officer)",
            _setup.summary(_setup.timed(officer_sites(prov, "Rayong officer"), 20)),
        ),
    ]
    tiers = {t: SiteHazard.objects.filter(tier=t).count() for t in ("none", "lower", "upper")}
    zones = SiteHazard.objects.exclude(zone_radius_km=None).count()
    print(
        f"database {_setup.describe_database()}; {sites:,} sites, {items:,} current items; "
        f"tiers {tiers}, {zones:,} zones; areas {counts}"
    )
    print(
        f"hazards_recompute_all {t_hazard:.1f} s, areas_recompute {t_areas:.1f} s, "
        f"together {t_hazard + t_areas:.1f} s (target < 60 s)"
    )
    print(f"{'case':<42} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for label, (p50, p95, worst) in results:
        print(f"{label:<42} {p50:8.1f} {p95:8.1f} {worst:8.1f}")
    for label, size in sizes.items():
        print(f"size {label:<36} {size / 1e6:8.2f} MB")


if __name__ == "__main__":
    main()
