import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from rongngan.chemicals.supervision import services
from rongngan.chemicals.supervision.models import RefrigerationInspection, RefrigerationPlant
from rongngan.chemicals.supervision.tests.conftest import PLANT, all_scores, make_site, visit
from rongngan.core import metrics
from rongngan.core.errors import RongnganValidationError
from rongngan.core.thai import fiscal_year_bounds

pytestmark = pytest.mark.django_db
FY2563 = fiscal_year_bounds(2563)  # 1 Oct 2019 - 30 Sep 2020
FY2564 = fiscal_year_bounds(2564)
FY2565 = fiscal_year_bounds(2565)


def test_the_metrics_are_registered_with_the_keys_the_plan_binds() -> None:
    upgraded = metrics.get("chemicals.storage_sites_upgraded")
    saving = metrics.get("chemicals.refrigeration_energy_saving")
    assert (upgraded.unit, upgraded.accumulation) == ("count", "cumulative")
    assert (saving.unit, saving.accumulation) == ("million_baht", "cumulative")
    assert upgraded.has_records and saving.has_records


def test_upgrades_count_once_per_site_in_the_fiscal_year_of_the_lifting_visit(
    rayong_inspector: Any, org_a: Any
) -> None:
    s1, s2, s3 = (make_site(f"HS-{n}", org_a) for n in (1, 2, 3))
    # s1: lifted in FY 2563, falls back and is lifted again in FY 2564: counted once (2563).
    visit(rayong_inspector, s1, dt.date(2019, 11, 1), all_scores(B1=0))
    visit(rayong_inspector, s1, dt.date(2020, 3, 1), all_scores())
    visit(rayong_inspector, s1, dt.date(2020, 12, 1), all_scores(B1=0))
    visit(rayong_inspector, s1, dt.date(2021, 2, 1), all_scores())
    # s2: lifted on the last day of FY 2564.
    visit(rayong_inspector, s2, dt.date(2021, 1, 1), all_scores(D2=1))
    visit(rayong_inspector, s2, dt.date(2021, 9, 30), all_scores())
    # s3: never lifted.
    visit(rayong_inspector, s3, dt.date(2021, 1, 1), all_scores(D2=1))
    visit(rayong_inspector, s3, dt.date(2021, 5, 1), all_scores(D2=0))
    m = metrics.get("chemicals.storage_sites_upgraded")
    assert m.compute([FY2563, FY2564, FY2565, (FY2563[0], FY2565[1])]) == [
        Decimal(1),
        Decimal(1),
        Decimal(0),
        Decimal(2),
    ]
    records = list(m.records(*FY2564))
    assert [r.site for r in records] == [s2]
    assert records[0].upgraded_on == dt.date(2021, 9, 30)
    assert records[0].previous_inspection.visited_on == dt.date(2021, 1, 1)


def test_energy_saving_counts_verified_measures_in_million_baht_by_visit_date(
    org_a: Any, officer: Any
) -> None:
    site = make_site("CS-1", org_a)
    plant = RefrigerationPlant.objects.create(
        site=site,
        kind="block_ice",
        ammonia_charge_kg=Decimal(1000),
        capacity_t_ice_per_day=Decimal(100),
        operating_hours_per_year=7000,
        tariff_baht_per_kwh=Decimal(4),
        registered_by=officer,
    )
    for day, code, kwh in (
        (dt.date(2020, 5, 1), "vsd_compressor", "250000"),
        (dt.date(2021, 5, 1), "floating_head", "500000"),
    ):
        services.refrigeration_inspection_record(
            acting_user=officer,
            plant=plant,
            data={
                "visited_on": day,
                "inspectors": "x",
                "annual_electricity_kwh": "2000000",
                "annual_output": "30000",
                "measures_implemented": [{"code": code, "saving_kwh_per_year": kwh}],
            },
        )
    assert RefrigerationInspection.objects.count() == 2
    m = metrics.get("chemicals.refrigeration_energy_saving")
    # 250,000 kWh x 4 baht = 1 million baht; 500,000 x 4 = 2 million.
    assert m.compute([FY2563, FY2564, FY2565]) == [Decimal(1), Decimal(2), Decimal(0)]
    assert [i.visited_on for i in m.records(FY2563[0], FY2565[1])] == [
        dt.date(2020, 5, 1),
        dt.date(2021, 5, 1),
    ]
    assert PLANT["kind"] == "block_ice"


def test_a_measure_already_counted_at_the_plant_is_refused_not_counted_twice(
    org_a: Any, officer: Any
) -> None:
    site = make_site("CS-2", org_a)
    plant = RefrigerationPlant.objects.create(
        site=site,
        kind="block_ice",
        ammonia_charge_kg=Decimal(1000),
        capacity_t_ice_per_day=Decimal(100),
        operating_hours_per_year=7000,
        tariff_baht_per_kwh=Decimal(4),
        registered_by=officer,
    )
    data = {
        "visited_on": dt.date(2020, 5, 1),
        "inspectors": "x",
        "annual_electricity_kwh": "2000000",
        "annual_output": "30000",
        "measures_implemented": [{"code": "vsd_compressor", "saving_kwh_per_year": "250000"}],
    }
    services.refrigeration_inspection_record(acting_user=officer, plant=plant, data=data)
    with pytest.raises(RongnganValidationError) as exc:
        services.refrigeration_inspection_record(
            acting_user=officer, plant=plant, data={**data, "visited_on": dt.date(2021, 5, 1)}
        )
    assert [(p.field, p.code) for p in exc.value.problems] == [
        ("measures_implemented[0].code", "measure_counted")
    ]
    assert RefrigerationInspection.objects.filter(plant=plant).count() == 1


def test_public_ammonia_totals_over_fewer_than_three_plants_are_not_shown(
    org_a: Any, officer: Any
) -> None:
    from conftest import api_as

    for i, kind in enumerate(["cold_store", "cold_store", "cold_store", "tube_ice"]):
        RefrigerationPlant.objects.create(
            site=make_site(f"RP-{i}", org_a),
            kind=kind,
            ammonia_charge_kg=Decimal(1000 + i),
            capacity_t_ice_per_day=Decimal(10),
            operating_hours_per_year=7000,
            tariff_baht_per_kwh=Decimal(4),
            registered_by=officer,
        )
    body = api_as(None).get("/api/v1/chemicals/refrigeration-plants/stats/").json()
    by_kind = {k["kind"]: k for k in body["by_kind"]}
    cold = by_kind["cold_store"]
    assert cold["plants"] == 3 and Decimal(cold["ammonia_kg"]) == 3003
    assert by_kind["tube_ice"]["plants"] == 1 and by_kind["tube_ice"]["ammonia_kg"] is None
    assert body["plants"] == 4 and Decimal(body["ammonia_kg"]) == 4006
