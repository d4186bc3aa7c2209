"""Edges of the chemicals and supervision writes: figures too large for their columns, impossible
conditions, malformed uploads, audit of corrective actions, dates before the visit, redirects
that stay on the site, and site codes that are refused rather than cut."""

from typing import Any

import pytest

from conftest import api_as
from rongngan.chemicals import services
from rongngan.chemicals.models import Declaration, Receptor, ReceptorLayer
from rongngan.chemicals.supervision import services as supervision
from rongngan.chemicals.supervision.models import (
    CorrectiveAction,
    RefrigerationInspection,
    RefrigerationPlant,
)
from rongngan.core import audit
from rongngan.core.errors import RongnganValidationError

pytestmark = pytest.mark.django_db

AMMONIA = "7664-41-7"
PLANT = {
    "kind": "block_ice",
    "ammonia_charge_kg": "1200",
    "capacity_t_ice_per_day": "100",
    "operating_hours_per_year": "7000",
    "tariff_baht_per_kwh": "4.0000",
}


def _all_scores(value: Any = 2, **overrides: Any) -> dict[str, Any]:
    scores = {i["code"]: value for i in supervision.current_checklist().items()}
    scores.update(overrides)
    return scores


# --- declarations ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "extra",
    [
        {"max_quantity": "1e30"},  # 1e33 kg: more digits than InventoryItem.max_kg holds
        {"max_quantity": "10", "unit": "L", "density_kg_m3": "1e30"},
        {"max_quantity": "10", "temperature_c": "1e10"},
    ],
)
def test_a_declared_figure_too_large_to_store_is_a_400_and_writes_nothing(
    site_a: Any, operator_a: Any, extra: dict[str, Any]
) -> None:
    body = {"year": 2026, "items": [{"cas": AMMONIA, "max_quantity": "10", "unit": "t", **extra}]}
    r = api_as(operator_a).post(
        f"/api/v1/chemicals/sites/{site_a.pk}/inventory/", body, format="json"
    )
    assert r.status_code == 400
    assert not Declaration.objects.filter(site=site_a).exists()


@pytest.mark.parametrize("field", ["density_kg_m3", "pressure_kpa"])
def test_a_negative_density_or_absolute_pressure_is_refused(
    site_a: Any, operator_a: Any, field: str
) -> None:
    raw = {"cas": AMMONIA, "max_quantity": "10", "unit": "t", field: "-5"}
    with pytest.raises(RongnganValidationError) as exc:
        services.inventory_declare(acting_user=operator_a, site=site_a, year=2026, items=[raw])
    assert any(p.field == f"items[0].{field}" for p in exc.value.problems)
    assert not Declaration.objects.filter(site=site_a).exists()


# --- receptor layers ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [
        b'{"type":"FeatureCollection","features":[1]}',
        b'{"type":"FeatureCollection","features":[{"type":"Feature","geometry":"x"}]}',
        b'{"type":"FeatureCollection","features":[{"type":"Feature","properties":[1,2],'
        b'"geometry":{"type":"Point","coordinates":[101.2,12.7]}}]}',
    ],
)
def test_a_malformed_geojson_feature_is_a_clear_error_not_a_server_error(
    officer: Any, content: bytes
) -> None:
    with pytest.raises(RongnganValidationError):
        services.receptor_layer_upload(
            acting_user=officer, name="bad", content=content, filename="bad.geojson"
        )
    assert not ReceptorLayer.objects.exists()


def test_a_receptor_population_too_large_to_store_is_refused(officer: Any) -> None:
    content = (
        b"name,kind,latitude,longitude,population\nx,school,12.7,101.2,99999999999999999999999\n"
    )
    r = api_as(officer).post(
        "/api/v1/chemicals/receptors/",
        {"name": "big", "file": _upload("big.csv", content)},
        format="multipart",
    )
    assert r.status_code == 400
    assert not Receptor.objects.exists()


def _upload(name: str, content: bytes) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="text/csv")


# --- refrigeration register -----------------------------------------------------------------


@pytest.mark.parametrize(
    "extra", [{"ammonia_charge_kg": "1e30"}, {"capacity_t_ice_per_day": "1e30"}]
)
def test_a_plant_with_a_figure_too_large_to_store_is_a_400(
    site_a: Any, officer: Any, extra: dict[str, Any]
) -> None:
    body = {**PLANT, "site": site_a.pk, **extra}
    r = api_as(officer).post("/api/v1/chemicals/refrigeration-plants/", body, format="json")
    assert r.status_code == 400
    assert not RefrigerationPlant.objects.exists()


@pytest.mark.parametrize(
    "extra",
    [
        {"annual_electricity_kwh": "1e30"},
        {"annual_output": "1e-30"},  # SEC = kWh / output overflows the sec column
        {"leaks_last_12_months": "99999999999999999999"},
    ],
)
def test_a_plant_inspection_with_figures_too_large_to_store_is_a_400(
    site_a: Any, officer: Any, extra: dict[str, Any]
) -> None:
    plant = supervision.refrigeration_plant_register(acting_user=officer, site=site_a, data=PLANT)
    body = {
        "visited_on": "2026-06-01",
        "inspectors": "x",
        "annual_electricity_kwh": "100000",
        "annual_output": "1000",
        **extra,
    }
    r = api_as(officer).post(
        f"/api/v1/chemicals/refrigeration-plants/{plant.pk}/inspections/", body, format="json"
    )
    assert r.status_code == 400
    assert not RefrigerationInspection.objects.exists()


# --- audit of corrective actions ------------------------------------------------------------


def test_each_corrective_action_an_inspection_opens_has_an_audit_entry(
    site_a: Any, officer: Any
) -> None:
    code = next(iter(_all_scores()))
    supervision.storage_inspection_record(
        acting_user=officer,
        site=site_a,
        data={"visited_on": "2026-06-01", "inspectors": "x", "scores": _all_scores(**{code: 0})},
    )
    action = CorrectiveAction.objects.get(site=site_a, item_code=code)
    assert audit.history(action).exists()


def test_a_correction_that_withdraws_a_corrective_action_records_it_in_the_audit(
    site_a: Any, officer: Any
) -> None:
    code = next(iter(_all_scores()))
    first = supervision.storage_inspection_record(
        acting_user=officer,
        site=site_a,
        data={"visited_on": "2026-06-01", "inspectors": "x", "scores": _all_scores(**{code: 0})},
    )
    action = CorrectiveAction.objects.get(site=site_a, item_code=code)
    before = audit.history(action).count()
    supervision.storage_inspection_correct(
        acting_user=officer,
        inspection=first,
        data={"scores": _all_scores()},
        reason="item was met after all",
    )
    action.refresh_from_db()
    assert action.status == CorrectiveAction.Status.WITHDRAWN
    assert audit.history(action).count() == before + 1


def _open_action(site: Any, officer: Any) -> CorrectiveAction:
    code = next(iter(_all_scores()))
    supervision.storage_inspection_record(
        acting_user=officer,
        site=site,
        data={"visited_on": "2026-06-01", "inspectors": "x", "scores": _all_scores(**{code: 0})},
    )
    return CorrectiveAction.objects.get(site=site, item_code=code)


def test_closing_a_corrective_action_before_the_visit_that_opened_it_is_refused(
    site_a: Any, officer: Any
) -> None:
    action = _open_action(site_a, officer)
    with pytest.raises(RongnganValidationError):
        supervision.corrective_action_close(
            acting_user=officer, action=action, evidence="fixed", closed_on="2020-01-01"
        )
    action.refresh_from_db()
    assert action.status == CorrectiveAction.Status.OPEN


@pytest.mark.parametrize("target", ["https://evil.example/phish", "nonsense"])
def test_the_evidence_form_does_not_redirect_off_site_or_fail_on_a_bad_next(
    client: Any, site_a: Any, officer: Any, operator_a: Any, target: str
) -> None:
    action = _open_action(site_a, officer)
    client.force_login(operator_a)
    r = client.post(
        f"/chemicals/supervision/actions/{action.pk}/evidence/",
        {"evidence": "new labels fitted", "next": target},
    )
    assert r.status_code == 302
    assert r["Location"].startswith("/")


def test_a_site_code_longer_than_the_column_is_refused_not_silently_cut(
    officer: Any, org_b: Any
) -> None:
    data = {
        "kind": "hazmat_storage",
        "name_th": "คลัง",
        "province": "20",
        "district": "2001",
        "latitude": "13.36",
        "longitude": "100.98",
        "operator": org_b.pk,
        "code": "X" * 60,
    }
    with pytest.raises(RongnganValidationError):
        services.site_register(acting_user=officer, data=data)
