import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from rongngan.chemicals.supervision import services
from rongngan.chemicals.supervision.models import (
    CorrectiveAction,
    Grade,
    RefrigerationPlant,
    SiteUpgrade,
    StorageInspection,
)
from rongngan.chemicals.supervision.tests.conftest import PLANT, all_scores, visit
from rongngan.core.errors import RongnganValidationError
from rongngan.core.models import AuditEntry

pytestmark = pytest.mark.django_db

# Four weight-1 items left out make 100 applicable points; five weight-2 items at 0 lose 20.
NA4 = {"A3": "na", "C2": "na", "D4": "na", "E3": "na"}
AT_80 = {**NA4, "B2": 0, "B3": 0, "C1": 0, "D1": 0, "D3": 0}


def grade_of(**scores: Any) -> dict[str, Any]:
    checklist = services.current_checklist()
    parsed = {k: services.parse_score(v)[1] for k, v in all_scores(**scores).items()}
    return services.grade_scores(checklist, parsed)


def test_a_site_exactly_at_the_threshold_is_above_criteria() -> None:
    result = grade_of(**AT_80)
    assert result["applicable_points"] == Decimal(100)
    assert result["earned_points"] == Decimal(80)
    assert result["percent"] == Decimal("80.00")
    assert result["grade"] == Grade.ABOVE


def test_one_point_under_the_threshold_is_within_criteria() -> None:
    result = grade_of(**AT_80, G4=1)  # G4 weight 1 partly met: 79 of 100
    assert result["percent"] == Decimal("79.00")
    assert result["grade"] == Grade.WITHIN


def test_a_critical_item_not_fully_met_keeps_a_high_score_within_criteria() -> None:
    result = grade_of(E2=1)
    assert result["percent"] > Decimal(95)
    assert result["critical_unmet"] == ["E2"]
    assert result["grade"] == Grade.WITHIN


def test_a_critical_item_not_applicable_does_not_block_above() -> None:
    assert grade_of(B1="na")["grade"] == Grade.ABOVE


def test_the_threshold_compares_the_exact_ratio_not_the_rounded_percent() -> None:
    # 86 of 108 points is 79.63 %, and 86.4 would be 80 %: not above.
    result = grade_of(B2=0, B3=0, C1=0, D1=0, D3=0, I1=0, H3=1, I2=1)
    assert result["earned_points"] * 100 < Decimal(80) * result["applicable_points"]
    assert result["grade"] == Grade.WITHIN


def test_a_visit_records_grade_actions_due_in_thai_business_days_and_an_audit_entry(
    rayong_inspector: Any, site_a: Any
) -> None:
    day = dt.date(2020, 4, 1)  # Chakri Day (6 April, Monday in 2020) and Songkran are holidays
    i = visit(rayong_inspector, site_a, day, all_scores(B1=0, G2=1))
    assert i.grade == Grade.WITHIN and i.kind == StorageInspection.Kind.INITIAL
    actions = {a.item_code: a for a in i.corrective_actions.all()}
    assert set(actions) == {"B1", "G2"}
    assert actions["B1"].critical and actions["B1"].due_on == services.add_business_days(day, 15)
    assert actions["G2"].due_on == services.add_business_days(day, 30)
    assert AuditEntry.objects.filter(object_id=str(i.pk), action="create").exists()


def test_business_days_skip_weekends_and_thai_holidays() -> None:
    # Fri 3 Apr 2020 -> Mon 6 Apr is Chakri Day, so the first business day after is Tue 7 Apr.
    assert services.add_business_days(dt.date(2020, 4, 3), 1) == dt.date(2020, 4, 7)
    assert services.add_business_days(dt.date(2020, 4, 1), 2) == dt.date(2020, 4, 3)


def test_bad_scores_are_all_reported_and_nothing_is_written(
    rayong_inspector: Any, site_a: Any
) -> None:
    scores = all_scores(A1=3, Z9=2)
    del scores["B1"]
    with pytest.raises(RongnganValidationError) as exc:
        visit(rayong_inspector, site_a, dt.date(2030, 1, 1), scores)
    codes = {(p.field, p.code) for p in exc.value.problems}
    assert ("scores.A1", "invalid_score") in codes
    assert ("scores.Z9", "unknown_item") in codes
    assert ("scores", "missing_score") in codes
    assert ("visited_on", "future_date") in codes
    assert not StorageInspection.objects.exists()


def test_a_follow_up_that_lifts_the_site_records_one_upgrade(
    rayong_inspector: Any, site_a: Any
) -> None:
    first = visit(rayong_inspector, site_a, dt.date(2020, 1, 10), all_scores(B1=0))
    second = visit(rayong_inspector, site_a, dt.date(2020, 6, 10), all_scores())
    assert second.kind == StorageInspection.Kind.FOLLOW_UP
    upgrade = SiteUpgrade.objects.get()
    assert (upgrade.site, upgrade.inspection, upgrade.previous_inspection) == (
        site_a,
        second,
        first,
    )
    assert (upgrade.from_grade, upgrade.to_grade) == (Grade.WITHIN, Grade.ABOVE)
    assert upgrade.upgraded_on == dt.date(2020, 6, 10)
    # The action on B1 is closed by the follow-up that found it met.
    assert CorrectiveAction.objects.get(item_code="B1").status == CorrectiveAction.Status.CLOSED
    # Falling back and rising again does not count the site twice.
    visit(rayong_inspector, site_a, dt.date(2021, 1, 10), all_scores(F1=0))
    visit(rayong_inspector, site_a, dt.date(2021, 6, 10), all_scores())
    assert SiteUpgrade.objects.filter(withdrawn_at__isnull=True).count() == 1


def test_a_site_above_at_its_first_visit_is_not_upgraded(
    rayong_inspector: Any, site_a: Any
) -> None:
    visit(rayong_inspector, site_a, dt.date(2020, 1, 10), all_scores())
    visit(rayong_inspector, site_a, dt.date(2020, 6, 10), all_scores())
    assert not SiteUpgrade.objects.exists()


def test_a_correction_makes_a_new_version_and_moves_the_upgrade(
    rayong_inspector: Any, site_a: Any
) -> None:
    visit(rayong_inspector, site_a, dt.date(2020, 1, 10), all_scores(B1=0))
    second = visit(rayong_inspector, site_a, dt.date(2020, 6, 10), all_scores())
    with pytest.raises(RongnganValidationError) as exc:
        services.storage_inspection_correct(
            acting_user=rayong_inspector, inspection=second, data={}, reason=" "
        )
    assert exc.value.problems[0].code == "required"
    fixed = services.storage_inspection_correct(
        acting_user=rayong_inspector,
        inspection=second,
        data={"scores": all_scores(D2=0)},
        reason="fire alarm was found disconnected",
    )
    second.refresh_from_db()
    assert not second.is_current and fixed.is_current and fixed.version == 2
    assert fixed.supersedes == second and fixed.grade == Grade.WITHIN
    upgrade = SiteUpgrade.objects.get()
    assert upgrade.withdrawn_at is not None
    assert AuditEntry.objects.filter(object_id=str(fixed.pk), note__contains="fire alarm").exists()
    # Correcting it back re-creates the upgrade on the new version.
    again = services.storage_inspection_correct(
        acting_user=rayong_inspector,
        inspection=fixed,
        data={"scores": all_scores()},
        reason="re-test",
    )
    active = SiteUpgrade.objects.get(withdrawn_at__isnull=True)
    assert active.inspection == again and again.version == 3


def test_a_correction_of_an_old_version_is_refused(rayong_inspector: Any, site_a: Any) -> None:
    first = visit(rayong_inspector, site_a, dt.date(2020, 1, 10), all_scores())
    services.storage_inspection_correct(
        acting_user=rayong_inspector, inspection=first, data={}, reason="typo in names"
    )
    first.refresh_from_db()
    with pytest.raises(RongnganValidationError):
        services.storage_inspection_correct(
            acting_user=rayong_inspector, inspection=first, data={}, reason="again"
        )


def test_an_operator_cannot_record_an_inspection(operator_a: Any, site_a: Any) -> None:
    with pytest.raises(PermissionError):
        visit(operator_a, site_a, dt.date(2020, 1, 10), all_scores())


def test_an_inspector_reaches_assigned_factories_but_not_other_provinces(
    assigned_inspector: Any, factory_site_a: Any, site_b: Any, site_a: Any
) -> None:
    assert visit(assigned_inspector, factory_site_a, dt.date(2020, 1, 1), all_scores()).pk
    with pytest.raises(PermissionError):
        visit(assigned_inspector, site_a, dt.date(2020, 1, 1), all_scores())


def test_operator_evidence_then_inspector_closes(
    rayong_inspector: Any, operator_a: Any, operator_b: Any, site_a: Any
) -> None:
    i = visit(rayong_inspector, site_a, dt.date(2020, 1, 10), all_scores(G3=0))
    action = i.corrective_actions.get()
    with pytest.raises(PermissionError):
        services.corrective_action_submit_evidence(
            acting_user=operator_b, action=action, evidence="x"
        )
    services.corrective_action_submit_evidence(
        acting_user=operator_a, action=action, evidence="ซื้อชุดดูดซับสารหกรั่วไหลแล้ว"
    )
    with pytest.raises(PermissionError):
        services.corrective_action_close(acting_user=operator_a, action=action)
    services.corrective_action_close(
        acting_user=rayong_inspector, action=action, closed_on="2020-02-01"
    )
    action.refresh_from_db()
    assert action.status == CorrectiveAction.Status.CLOSED
    assert action.closed_on == dt.date(2020, 2, 1)
    with pytest.raises(RongnganValidationError):
        services.corrective_action_close(acting_user=rayong_inspector, action=action, evidence="x")


# --------------------------------------------------------------------------------------------
# Refrigeration


def test_energy_saving_matches_a_hand_calculation() -> None:
    # Block ice, 30,000 t a year, 2,400,000 kWh: 80 kWh/t against 65 -> 15 x 30,000 = 450,000 kWh
    # a year, x 4.20 baht = 1,890,000 baht.
    e = services.energy_saving(
        kind="block_ice",
        annual_kwh=Decimal(2_400_000),
        annual_output=Decimal(30_000),
        tariff=Decimal("4.20"),
    )
    assert e["sec"] == Decimal("80.0000") and e["benchmark_sec"] == Decimal(65)
    assert e["potential_kwh"] == Decimal("450000.00")
    assert e["potential_baht"] == Decimal("1890000.00")


def test_energy_saving_is_never_negative_and_none_without_benchmark() -> None:
    better = services.energy_saving(
        kind="tube_ice", annual_kwh=Decimal(40_000), annual_output=Decimal(1000), tariff=Decimal(4)
    )
    assert better["potential_baht"] == 0
    other = services.energy_saving(
        kind="other", annual_kwh=Decimal(90_000), annual_output=Decimal(1000), tariff=Decimal(4)
    )
    assert other["benchmark_sec"] is None and other["potential_baht"] == 0


def test_registering_a_plant_feeds_its_ammonia_to_the_inventory(
    operator_a: Any, site_a: Any
) -> None:
    plant = services.refrigeration_plant_register(acting_user=operator_a, site=site_a, data=PLANT)
    assert plant.ammonia_charge_kg == Decimal(1200)
    try:
        from rongngan.chemicals.services import inventory_item_set  # noqa: F401
    except ImportError:
        assert plant.inventory_synced is False
        return
    assert plant.inventory_synced is True
    from rongngan.chemicals.services import current_declaration

    declaration = current_declaration(site_a)
    item = declaration.items.get(substance__cas="7664-41-7")
    assert item.max_kg == Decimal(1200) and item.source == "refrigeration_register"
    # A changed charge makes a new declaration version with the new quantity.
    services.refrigeration_plant_update(
        acting_user=operator_a, plant=plant, data={"ammonia_charge_kg": "1500"}
    )
    item = current_declaration(site_a).items.get(substance__cas="7664-41-7")
    assert item.max_kg == Decimal(1500)


def test_plant_input_errors_are_all_reported(operator_a: Any, site_a: Any) -> None:
    bad = {**PLANT, "ammonia_charge_kg": "-5", "capacity_t_ice_per_day": "", "kind": "block_ice"}
    bad["compressors"] = [{"type": "rotary", "count": "x"}]
    bad["tariff_baht_per_kwh"] = "abc"
    with pytest.raises(RongnganValidationError) as exc:
        services.refrigeration_plant_register(acting_user=operator_a, site=site_a, data=bad)
    fields = {p.field for p in exc.value.problems}
    assert {
        "ammonia_charge_kg",
        "capacity_t_ice_per_day",
        "compressors[0].type",
        "compressors[0].count",
        "tariff_baht_per_kwh",
    } <= fields
    assert not RefrigerationPlant.objects.exists()


def test_other_operators_cannot_register_a_plant_at_my_site(operator_b: Any, site_a: Any) -> None:
    with pytest.raises(PermissionError):
        services.refrigeration_plant_register(acting_user=operator_b, site=site_a, data=PLANT)


def test_an_inspection_stores_potential_and_implemented_savings(
    operator_a: Any, rayong_inspector: Any, site_a: Any
) -> None:
    plant = services.refrigeration_plant_register(acting_user=operator_a, site=site_a, data=PLANT)
    i = services.refrigeration_inspection_record(
        acting_user=rayong_inspector,
        plant=plant,
        data={
            "visited_on": "2021-03-01",
            "inspectors": "นายพลังงาน",
            "annual_electricity_kwh": "2400000",
            "annual_output": "30000",
            "condensing_temp_c": "38",
            "evaporating_temp_c": "-12",
            "safety": {"ammonia_detectors": True, "ppe_scba": "yes"},
            "measures_implemented": [
                {"code": "vsd_compressor", "saving_kwh_per_year": "100000"},
                {"code": "condenser_cleaning", "saving_kwh_per_year": "25000"},
            ],
        },
    )
    assert i.potential_baht == Decimal("1800000.00")  # 15 kWh/t x 30,000 t x 4 baht
    assert i.implemented_baht == Decimal("500000.00")  # 125,000 kWh x 4 baht
    assert i.safety["ammonia_detectors"] is True and i.safety["relief_valves"] is False


def test_a_plant_inspection_refuses_unknown_measures_and_zero_output(
    operator_a: Any, rayong_inspector: Any, site_a: Any
) -> None:
    plant = services.refrigeration_plant_register(acting_user=operator_a, site=site_a, data=PLANT)
    with pytest.raises(RongnganValidationError) as exc:
        services.refrigeration_inspection_record(
            acting_user=rayong_inspector,
            plant=plant,
            data={
                "visited_on": "2021-03-01",
                "inspectors": "x",
                "annual_electricity_kwh": "100",
                "annual_output": "0",
                "measures_implemented": [{"code": "magic", "saving_kwh_per_year": "1"}],
            },
        )
    codes = {p.code for p in exc.value.problems}
    assert {"not_positive", "unknown_measure"} <= codes
