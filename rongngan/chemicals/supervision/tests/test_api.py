import datetime as dt
from typing import Any

import pytest

from conftest import api_as
from rongngan.chemicals.supervision.models import RefrigerationPlant, StorageInspection
from rongngan.chemicals.supervision.tests.conftest import PLANT, all_scores, visit

pytestmark = pytest.mark.django_db
BASE = "/api/v1/chemicals/storage-inspections/"
PLANTS = "/api/v1/chemicals/refrigeration-plants/"


@pytest.fixture
def inspected(rayong_inspector: Any, site_a: Any, site_b: Any, officer: Any) -> dict[str, Any]:
    """Site A inspected twice (upgraded), site B once with an open action."""
    a1 = visit(rayong_inspector, site_a, dt.date(2020, 1, 10), all_scores(B1=0))
    a2 = visit(rayong_inspector, site_a, dt.date(2020, 6, 10), all_scores())
    b1 = visit(officer, site_b, dt.date(2020, 2, 10), all_scores(G3=0))
    return {"a1": a1, "a2": a2, "b1": b1}


def ids(response: Any) -> set[int]:
    return {r["id"] for r in response.json()["results"]}


def test_the_public_gets_statistics_but_no_site_level_finding(inspected: Any) -> None:
    public = api_as(None)
    stats = public.get(BASE + "stats/")
    assert stats.status_code == 200
    body = stats.json()
    assert body["total"]["sites"] == 2 and body["total"]["upgraded"] == 1
    # A's latest visit is above; B is above too (G3 is not critical) but keeps an open action.
    assert (body["total"]["above"], body["total"]["within"]) == (2, 0)
    by_province = {r["key"]: r for r in body["by_province"]}
    assert by_province["21"]["above"] == 1 and by_province["21"]["upgraded"] == 1
    assert by_province["20"]["open_actions"] == 1 and by_province["20"]["overdue_actions"] == 1
    assert public.get(BASE + "stats/?province=20").json()["total"]["sites"] == 1
    assert "HS-A" not in stats.content.decode()
    assert public.get(BASE + "checklist/").json()["version"] == "2569.1"
    assert public.get(BASE).status_code == 401
    assert public.get(f"{BASE}{inspected['a2'].pk}/").status_code == 401
    assert public.get(BASE + "corrective-actions/").status_code == 401
    assert public.get(PLANTS).status_code == 401
    assert public.get(PLANTS + "stats/").status_code == 200
    assert public.post(BASE + "stats/", {}, format="json").status_code in (401, 403)


@pytest.mark.parametrize(
    "who,expected",
    [
        ("officer", {"a1", "a2", "b1"}),
        ("committee", {"a1", "a2", "b1"}),
        ("provincial_officer", {"a1", "a2"}),
        ("local_gov", {"a1", "a2"}),
        ("operator_a", {"a1", "a2"}),
        ("operator_b", {"b1"}),
        ("rayong_inspector", {"a1", "a2"}),
        ("inspector", set()),
    ],
)
def test_each_role_lists_only_the_inspections_in_its_reach(
    request: Any, inspected: Any, who: str, expected: set[str]
) -> None:
    user = request.getfixturevalue(who)
    response = api_as(user).get(BASE)
    assert response.status_code == 200
    assert ids(response) == {inspected[k].pk for k in expected}


def test_an_outsider_is_refused_detail_correction_and_actions(
    inspected: Any, operator_b: Any
) -> None:
    client = api_as(operator_b)
    pk = inspected["a2"].pk
    assert client.get(f"{BASE}{pk}/").status_code == 404
    r = client.post(f"{BASE}{pk}/correct/", {"reason": "x"}, format="json")
    assert r.status_code == 404
    action = inspected["a1"].corrective_actions.get()
    assert client.get(f"{BASE}corrective-actions/{action.pk}/").status_code == 404
    r = client.post(
        f"{BASE}corrective-actions/{action.pk}/evidence/", {"evidence": "x"}, format="json"
    )
    assert r.status_code == 404


def test_an_operator_cannot_record_an_inspection_of_its_own_site(
    operator_a: Any, site_a: Any
) -> None:
    r = api_as(operator_a).post(
        BASE,
        {"site": site_a.pk, "visited_on": "2020-01-01", "inspectors": "x", "scores": all_scores()},
        format="json",
    )
    assert r.status_code == 403
    assert not StorageInspection.objects.exists()


def test_an_inspector_records_a_visit_once_per_idempotency_key(
    rayong_inspector: Any, site_a: Any
) -> None:
    client = api_as(rayong_inspector)
    body = {
        "site": site_a.pk,
        "visited_on": "2020-01-01",
        "inspectors": "นายตรวจ",
        "scores": all_scores(D2=0),
    }
    r1 = client.post(BASE, body, format="json", HTTP_IDEMPOTENCY_KEY="visit-1")
    r2 = client.post(BASE, body, format="json", HTTP_IDEMPOTENCY_KEY="visit-1")
    assert r1.status_code == 201 and r2.status_code == 201
    assert r2["Idempotent-Replayed"] == "true"
    assert StorageInspection.objects.count() == 1
    data = r1.json()
    assert data["grade"] == "within" and data["critical_unmet"] == ["D2"]
    assert [a["item_code"] for a in data["corrective_actions"]] == ["D2"]


def test_bad_input_names_each_field_in_both_languages_and_writes_nothing(
    rayong_inspector: Any, site_a: Any
) -> None:
    r = api_as(rayong_inspector).post(
        BASE,
        {"site": site_a.pk, "visited_on": "yesterday-ish", "scores": {"A1": 5}},
        format="json",
    )
    assert r.status_code == 400
    errors = {(e["field"], e["code"]): e for e in r.json()["errors"]}
    assert ("visited_on", "invalid_date") in errors
    assert ("inspectors", "required") in errors
    assert ("scores.A1", "invalid_score") in errors
    assert ("scores", "missing_score") in errors
    e = errors[("scores.A1", "invalid_score")]
    assert e["message_en"] == "A score is 0 (not met), 1 (partly met), 2 (met) or n.a. (got “5”)."
    assert e["message_th"]
    assert not StorageInspection.objects.exists()


def test_a_correction_through_the_api_makes_a_new_version(
    inspected: Any, rayong_inspector: Any
) -> None:
    client = api_as(rayong_inspector)
    pk = inspected["a2"].pk
    r = client.post(f"{BASE}{pk}/correct/", {"scores": all_scores(F1=0)}, format="json")
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "reason"
    r = client.post(
        f"{BASE}{pk}/correct/",
        {"reason": "บุคลากรเฉพาะยังไม่แจ้งกรม", "scores": all_scores(F1=0)},
        format="json",
    )
    assert r.status_code == 201
    assert r.json()["version"] == 2 and r.json()["supersedes"] == pk
    assert api_as(rayong_inspector).get(f"{BASE}{pk}/").json()["is_current"] is False


def test_corrective_actions_list_overdue_and_the_operator_sends_evidence(
    inspected: Any, operator_b: Any, officer: Any
) -> None:
    r = api_as(operator_b).get(BASE + "corrective-actions/?status=overdue")
    assert r.status_code == 200
    rows = r.json()["results"]
    assert [row["item_code"] for row in rows] == ["G3"] and rows[0]["overdue"] is True
    pk = rows[0]["id"]
    r = api_as(operator_b).post(
        f"{BASE}corrective-actions/{pk}/evidence/", {"evidence": "ซื้อชุดแล้ว"}, format="json"
    )
    assert r.status_code == 200 and r.json()["status"] == "evidence_submitted"
    r = api_as(operator_b).post(f"{BASE}corrective-actions/{pk}/close/", {}, format="json")
    assert r.status_code == 403
    r = api_as(officer).post(f"{BASE}corrective-actions/{pk}/close/", {}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "closed"
    assert api_as(officer).get(BASE + "corrective-actions/?status=bogus").status_code == 400


def test_refrigeration_plants_role_matrix(
    operator_a: Any,
    operator_b: Any,
    rayong_inspector: Any,
    officer: Any,
    site_a: Any,
) -> None:
    r = api_as(operator_b).post(PLANTS, {**PLANT, "site": site_a.pk}, format="json")
    assert r.status_code == 400 and r.json()["errors"][0]["code"] == "not_found"
    r = api_as(operator_a).post(
        PLANTS, {**PLANT, "site": site_a.pk}, format="json", HTTP_IDEMPOTENCY_KEY="p1"
    )
    assert r.status_code == 201
    pk = r.json()["id"]
    assert RefrigerationPlant.objects.count() == 1
    assert api_as(operator_b).get(f"{PLANTS}{pk}/").status_code == 404
    assert ids(api_as(operator_b).get(PLANTS)) == set()
    assert ids(api_as(officer).get(PLANTS)) == {pk}
    body = {
        "visited_on": "2021-01-05",
        "inspectors": "x",
        "annual_electricity_kwh": "2400000",
        "annual_output": "30000",
    }
    assert (
        api_as(operator_a).post(f"{PLANTS}{pk}/inspections/", body, format="json").status_code
        == 403
    )
    r = api_as(rayong_inspector).post(f"{PLANTS}{pk}/inspections/", body, format="json")
    assert r.status_code == 201 and r.json()["potential_baht"] == "1800000.00"
    detail = api_as(operator_a).get(f"{PLANTS}{pk}/").json()
    assert detail["latest_inspection"]["sec"] == "80.0000"
    stats = api_as(None).get(PLANTS + "stats/").json()
    assert stats["plants"] == 1 and "site" not in str(stats)


def test_a_plant_with_bad_input_is_refused_with_every_problem(operator_a: Any, site_a: Any) -> None:
    r = api_as(operator_a).post(
        PLANTS,
        {"site": site_a.pk, "kind": "igloo", "ammonia_charge_kg": "lots"},
        format="json",
    )
    assert r.status_code == 400
    fields = {e["field"] for e in r.json()["errors"]}
    assert {
        "kind",
        "ammonia_charge_kg",
        "operating_hours_per_year",
        "tariff_baht_per_kwh",
    } <= fields
    assert not RefrigerationPlant.objects.exists()


def test_lists_take_a_fixed_number_of_queries(
    rayong_inspector: Any, officer: Any, org_a: Any, django_assert_max_num_queries: Any
) -> None:
    from rongngan.chemicals.supervision.tests.conftest import make_site

    for n in range(6):
        visit(
            rayong_inspector, make_site(f"HS-Q{n}", org_a), dt.date(2020, 1, 10), all_scores(B1=0)
        )
    client = api_as(officer)
    client.get(BASE)  # warm the session and content types
    for path in (BASE, BASE + "corrective-actions/", BASE + "stats/"):
        with django_assert_max_num_queries(8):
            r = client.get(path)
        assert r.status_code == 200
