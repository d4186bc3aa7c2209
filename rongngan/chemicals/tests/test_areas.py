"""Area risk: the documented score per H3 cell, district and province, national percentiles and
bands, and the serialized layers served to the map."""

import json
from typing import Any

import h3
import pytest
from django.utils import timezone

from rongngan.accounts.models import Organisation
from rongngan.chemicals import areas, services
from rongngan.chemicals.models import AreaLayer, AreaRisk, SiteHazard, StorageSite
from rongngan.chemicals.tests.conftest import CAUSTIC, CHLORINE, declare, item

pytestmark = pytest.mark.django_db


def storage_site(officer: Any, org: Organisation, lat: str, lon: str, **extra: Any) -> Any:
    return services.site_register(
        acting_user=officer,
        data={
            "kind": "hazmat_storage",
            "name_th": f"คลัง {lat} {lon}",
            "province": extra.get("province", "21"),
            "district": extra.get("district", "2101"),
            "latitude": lat,
            "longitude": lon,
            "operator": org.pk,
        },
    )


@pytest.fixture
def three_sites(officer: Any, org_a: Organisation, org_b: Organisation) -> list[StorageSite]:
    """Two lower-tier sites 1 km apart in Rayong, an upper-tier one in Chon Buri, and a site
    below the lower tier."""
    a = storage_site(officer, org_a, "12.700000", "101.200000")
    b = storage_site(officer, org_a, "12.709000", "101.200000")
    c = storage_site(officer, org_b, "13.360000", "100.980000", province="20", district="2001")
    d = storage_site(officer, org_a, "12.900000", "101.500000")
    declare(officer, a, item(CHLORINE, "10"))
    declare(officer, b, item(CHLORINE, "20"))
    declare(officer, c, item(CHLORINE, "50"))
    declare(officer, d, item(CAUSTIC, "5"))
    services.areas_recompute()
    return [a, b, c, d]


def test_a_cell_scores_its_sites_and_their_neighbours(three_sites: list[StorageSite]) -> None:
    a, b, _c, _d = three_sites
    ha, hb = SiteHazard.objects.get(site=a), SiteHazard.objects.get(site=b)
    row = AreaRisk.objects.get(level="h3-7", key=ha.h3_7)
    in_cell = [h for h in (ha, hb) if h.h3_7 == ha.h3_7]
    assert row.hazard == pytest.approx(sum(1.0 * h.hazard_ratio for h in in_cell), rel=1e-4)
    clat, clon = h3.cell_to_latlng(ha.h3_7)
    expected = sum(
        1.0 / max(areas.haversine_km(clat, clon, h.latitude, h.longitude), 0.5)
        for h in (ha, hb)
        if areas.haversine_km(clat, clon, h.latitude, h.longitude) <= 5
    )
    assert row.proximity == pytest.approx(expected, rel=1e-3)
    assert row.score == pytest.approx(row.hazard + row.proximity, rel=1e-3)
    assert row.lower_sites == len(in_cell)


def test_only_cells_with_tiered_sites_are_listed(three_sites: list[StorageSite]) -> None:
    d = three_sites[3]
    none_cell = SiteHazard.objects.get(site=d).h3_7
    assert not AreaRisk.objects.filter(level="h3-7", key=none_cell).exists()
    tiered_cells = set(SiteHazard.objects.exclude(tier="none").values_list("h3_7", flat=True))
    assert set(AreaRisk.objects.filter(level="h3-7").values_list("key", flat=True)) == (
        tiered_cells
    )


def test_provinces_weigh_upper_tier_sites_three_times(three_sites: list[StorageSite]) -> None:
    c = three_sites[2]
    chon_buri = AreaRisk.objects.get(level="province", key="20")
    assert chon_buri.upper_sites == 1
    assert chon_buri.hazard == pytest.approx(3.0 * SiteHazard.objects.get(site=c).hazard_ratio)
    rayong = AreaRisk.objects.get(level="province", key="21")
    assert (rayong.sites, rayong.lower_sites, rayong.upper_sites) == (3, 2, 0)
    assert rayong.name_en


def test_percentiles_and_bands_rank_areas_nationally(
    three_sites: list[StorageSite], officer: Any, org_a: Organisation
) -> None:
    rows = list(AreaRisk.objects.filter(level="province").order_by("score"))
    assert [r.percentile for r in rows] == [50.0, 100.0]
    assert [r.band for r in rows] == [2, 4]
    assert areas.band_of(94.9) == 3 and areas.band_of(49.9) == 1


def test_an_area_with_no_tiered_site_is_the_lowest_band(
    three_sites: list[StorageSite], officer: Any, org_a: Organisation
) -> None:
    quiet = storage_site(officer, org_a, "13.750000", "100.500000", province="10", district="1001")
    declare(officer, quiet, item(CAUSTIC, "1"))
    services.areas_recompute()
    bangkok = AreaRisk.objects.get(level="province", key="10")
    assert (bangkok.score, bangkok.percentile, bangkok.band) == (0.0, 0.0, 1)
    assert AreaRisk.objects.get(level="province", key="20").percentile == 100.0


def test_each_level_is_served_as_a_feature_collection(three_sites: list[StorageSite]) -> None:
    for level in ("h3-7", "province", "district"):
        layer = AreaLayer.objects.get(level=level)
        data = json.loads(bytes(layer.body))
        assert data["type"] == "FeatureCollection"
        assert len(data["features"]) == AreaRisk.objects.filter(level=level).count()
        feature = data["features"][0]
        assert feature["geometry"]["type"] in ("Polygon", "MultiPolygon")
        assert {"key", "score", "percentile", "band"} <= set(feature["properties"])
        for f in data["features"]:
            # GeoJSON: a Polygon is a list of rings, each a closed list of [lon, lat] positions.
            polygons = (
                [f["geometry"]["coordinates"]]
                if f["geometry"]["type"] == "Polygon"
                else f["geometry"]["coordinates"]
            )
            for rings in polygons:
                for ring in rings:
                    assert len(ring) >= 4 and ring[0] == ring[-1]
                    assert all(len(pos) == 2 and 97 <= pos[0] <= 106 for pos in ring)


def test_recompute_replaces_the_previous_layers(three_sites: list[StorageSite]) -> None:
    before = AreaRisk.objects.count()
    services.areas_recompute()
    assert AreaRisk.objects.count() == before
    assert AreaLayer.objects.count() == 3


def test_a_declaration_rebuilds_the_area_layers_after_its_commit(
    officer: Any, org_a: Organisation, django_capture_on_commit_callbacks: Any
) -> None:
    site = storage_site(officer, org_a, "12.700000", "101.200000")
    services.areas_recompute()
    assert not AreaRisk.objects.filter(level="province", key="21").exists()
    with django_capture_on_commit_callbacks(execute=True):
        declare(officer, site, item(CHLORINE, "50"))  # upper tier
    rayong = AreaRisk.objects.get(level="province", key="21")
    assert rayong.upper_sites == 1
    layer = AreaLayer.objects.get(level="province")
    assert layer.computed_at >= SiteHazard.objects.get(site=site).computed_at


def test_a_burst_of_declarations_queues_one_rebuild(db: Any) -> None:
    from django.test import override_settings
    from django_tasks_db.models import DBTaskResult

    from rongngan.chemicals.tasks import chemicals_areas_refresh

    with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
        for _ in range(3):
            services._enqueue_areas_refresh()
    waiting = DBTaskResult.objects.ready().filter(task_path=chemicals_areas_refresh.module_path)
    assert waiting.count() == 1


def test_a_hazard_committed_while_a_rebuild_ran_still_reaches_the_map(
    officer: Any, org_a: Organisation, monkeypatch: Any
) -> None:
    """A site's hazard computed before a running rebuild read the sites but committed after it:
    the rebuild its commit queues must still take it (review finding: a time comparison missed
    it until the nightly run)."""
    import datetime as dt

    from rongngan.chemicals.tasks import chemicals_areas_refresh

    real_now = timezone.now
    t0 = real_now()
    t1, t2 = t0 + dt.timedelta(seconds=10), t0 + dt.timedelta(seconds=20)
    site = storage_site(officer, org_a, "12.700000", "101.200000")
    monkeypatch.setattr(timezone, "now", lambda: t2)
    services.areas_recompute()  # the rebuild that started before the commit
    assert not AreaRisk.objects.filter(level="province", key="21").exists()
    monkeypatch.setattr(timezone, "now", lambda: t1)
    declare(officer, site, item(CHLORINE, "50"))  # computed at t1, committed after t2
    monkeypatch.setattr(timezone, "now", real_now)
    chemicals_areas_refresh.call()  # the task its commit queued
    layer = json.loads(bytes(AreaLayer.objects.get(level="province").body))
    assert "21" in [f["properties"]["key"] for f in layer["features"]]


def test_a_site_below_the_tiers_with_a_zone_counts_as_just_lower_tier(
    officer: Any, org_a: Organisation
) -> None:
    """6.5 t of ammonia: below the Seveso lower tier (50 t), above the RMP threshold (4.5 t), so
    it has a worst-case zone and scores as a site that has just reached the lower tier."""
    from rongngan.chemicals.tests.conftest import AMMONIA

    plant = storage_site(officer, org_a, "12.700000", "101.200000")
    declare(officer, plant, item(AMMONIA, "6.5", largest_container="6.5"))
    services.areas_recompute()
    h = SiteHazard.objects.get(site=plant)
    assert h.tier == "none" and h.zone_radius_km is not None
    cell = AreaRisk.objects.get(level="h3-7", key=h.h3_7)
    clat, clon = h3.cell_to_latlng(h.h3_7)
    d = areas.haversine_km(clat, clon, h.latitude, h.longitude)
    assert cell.hazard == pytest.approx(1.0)
    assert cell.proximity == pytest.approx(1.0 / max(d, 0.5), rel=1e-3)
    rayong = AreaRisk.objects.get(level="province", key="21")
    assert (rayong.sites, rayong.lower_sites, rayong.upper_sites) == (1, 0, 0)
    assert rayong.hazard == pytest.approx(1.0) and rayong.score > 0
    # without the zone (below the RMP threshold) it does not count
    declare(officer, plant, item(AMMONIA, "4", largest_container="4"))
    services.areas_recompute()
    assert SiteHazard.objects.get(site=plant).zone_radius_km is None
    assert not AreaRisk.objects.filter(level="h3-7").exists()
    assert AreaRisk.objects.get(level="province", key="21").score == 0.0
