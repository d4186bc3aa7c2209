"""The plan API: public reads, staff-only fields, writes with clear errors that change nothing."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import api_as
from rongngan.plan.models import KPI, KPITarget, Measurement, Plan, Project, Strategy
from rongngan.registry.tests.factories import FactoryFactory, MachineFactory

BASE = "/api/v1/plan"


@pytest.fixture
def bound(mini_plan):
    kpi = KPI.objects.get(plan=mini_plan, code="K1.1")
    kpi.metric = "registry.factories_with_machines_registered"
    kpi.save()
    return kpi


def errors(response):
    return {(e["field"], e["code"]) for e in response.json()["errors"]}


def test_anyone_reads_plans_strategies_projects_and_kpis(mini_plan):
    client = api_as(None)
    plans = client.get(f"{BASE}/plans/").json()["results"]
    assert [p["code"] for p in plans] == ["TEST-2563-2565"]
    plan = client.get(f"{BASE}/plans/TEST-2563-2565/").json()
    assert plan["years"] == [2563, 2564, 2565] and plan["vision_en"] == "Test vision"
    strategies = client.get(f"{BASE}/strategies/?plan=TEST-2563-2565").json()
    assert [s["code"] for s in strategies] == ["S1", "S2"]
    assert [a["code"] for a in strategies[0]["approaches"]] == ["A1.1", "A1.2"]
    projects = client.get(f"{BASE}/projects/?plan=TEST-2563-2565&year=2563").json()["results"]
    p6 = next(p for p in projects if p["code"] == "P6.1")
    assert p6["parent_code"] == "P6" and p6["budget"] == "30.0000"


def test_the_kpi_list_gives_target_current_value_and_status(bound, mini_plan):
    MachineFactory(factory=FactoryFactory(), registered_on=date(2019, 12, 1))
    body = api_as(None).get(f"{BASE}/kpis/?plan=TEST-2563-2565&year=2563").json()
    k11 = next(k for k in body["results"] if k["code"] == "K1.1")
    assert k11["targets"] == {"2563": "10"}
    result = k11["result"]
    assert result["target"] == "10" and result["value"] == "1"
    assert result["status"] == "off_track" and result["source"] == "metric"
    assert [q["computed"] for q in result["quarters"]] == ["1", "0", "0", "0"]
    assert "internal_note" not in k11


def test_staff_see_internal_notes_the_public_does_not(officer, mini_plan):
    kpi = KPI.objects.get(plan=mini_plan, code="K2.1")
    kpi.internal_note = "ตัวเลขจากกองร้องเรียน"
    kpi.save()
    public = api_as(None).get(f"{BASE}/kpis/{kpi.pk}/").json()
    staff = api_as(officer).get(f"{BASE}/kpis/{kpi.pk}/").json()
    assert "internal_note" not in public
    assert staff["internal_note"] == "ตัวเลขจากกองร้องเรียน"


def test_an_officer_records_a_measurement_with_an_evidence_file(officer, mini_plan):
    kpi = KPI.objects.get(plan=mini_plan, code="K2.1")
    response = api_as(officer).post(
        f"{BASE}/kpis/{kpi.pk}/measurements/",
        {
            "fiscal_year": 2563,
            "quarter": 1,
            "value": "98.7",
            "unit": "percent",
            "evidence_file": SimpleUploadedFile("q1.pdf", b"%PDF-1.4 evidence"),
        },
        format="multipart",
    )
    assert response.status_code == 201, response.content
    m = Measurement.objects.get()
    assert m.evidence_file.name.endswith(".pdf") and str(m.value) == "98.7000"
    public = api_as(None).get(f"{BASE}/kpis/{kpi.pk}/measurements/").json()
    assert public == [
        {
            "id": m.pk,
            "fiscal_year": 2563,
            "quarter": 1,
            "kind": "manual",
            "value": "98.7000",
            "reason": "",
            "is_current": True,
        }
    ]
    staff = api_as(officer).get(f"{BASE}/kpis/{kpi.pk}/measurements/").json()
    assert staff[0]["entered_by"] == "officer" and staff[0]["evidence_file"]


@pytest.mark.parametrize(
    "payload, expected",
    [
        ({"fiscal_year": 2570, "quarter": 1, "value": 1}, ("fiscal_year", "year_outside_plan")),
        (
            {"fiscal_year": 2563, "quarter": 1, "value": 1, "unit": "million_baht"},
            ("unit", "wrong_unit"),
        ),
        ({"fiscal_year": 2563, "quarter": 0, "value": 1}, ("quarter", "quarter")),
    ],
)
def test_a_bad_measurement_is_a_400_with_field_code_and_both_languages(
    officer, mini_plan, payload, expected
):
    kpi = KPI.objects.get(plan=mini_plan, code="K2.1")
    response = api_as(officer).post(
        f"{BASE}/kpis/{kpi.pk}/measurements/", {**payload, "note": "n"}, format="json"
    )
    assert response.status_code == 400
    assert expected in errors(response)
    assert all(e["message_th"] and e["message_en"] for e in response.json()["errors"])
    assert not Measurement.objects.exists()


def test_an_override_of_a_bound_kpi_needs_a_reason(officer, bound):
    client = api_as(officer)
    url = f"{BASE}/kpis/{bound.pk}/measurements/"
    response = client.post(url, {"fiscal_year": 2563, "quarter": 1, "value": 3}, format="json")
    assert response.status_code == 400 and ("reason", "reason_required") in errors(response)
    response = client.post(
        url,
        {"fiscal_year": 2563, "quarter": 1, "value": 3, "reason": "late paper forms"},
        format="json",
    )
    assert response.status_code == 201 and response.json()["kind"] == "override"


def test_a_retried_measurement_with_the_same_key_is_recorded_once(officer, mini_plan):
    kpi = KPI.objects.get(plan=mini_plan, code="K2.1")
    client = api_as(officer)
    payload = {"fiscal_year": 2563, "quarter": 1, "value": 90, "note": "n"}
    for _ in range(2):
        response = client.post(
            f"{BASE}/kpis/{kpi.pk}/measurements/",
            payload,
            format="json",
            HTTP_IDEMPOTENCY_KEY="kpi-k21-q1",
        )
        assert response.status_code == 201
    assert Measurement.objects.count() == 1


def test_the_public_and_operators_cannot_write(operator_a, mini_plan):
    kpi = KPI.objects.get(plan=mini_plan, code="K2.1")
    payload = {"fiscal_year": 2563, "quarter": 1, "value": 90, "note": "n"}
    assert api_as(None).post(f"{BASE}/kpis/{kpi.pk}/measurements/", payload).status_code in (
        401,
        403,
    )
    assert (
        api_as(operator_a)
        .post(f"{BASE}/kpis/{kpi.pk}/measurements/", payload, format="json")
        .status_code
        == 403
    )
    assert (
        api_as(operator_a)
        .post(
            f"{BASE}/plans/",
            {"code": "x", "title_th": "x", "first_year": 2566, "last_year": 2566},
            format="json",
        )
        .status_code
        == 403
    )
    assert not Measurement.objects.exists() and Plan.objects.count() == 1


def test_a_negative_budget_is_refused(officer, mini_plan):
    s1 = Strategy.objects.get(plan=mini_plan, number=1)
    response = api_as(officer).post(
        f"{BASE}/projects/?plan={mini_plan.code}",
        {"code": "P99", "fiscal_year": 2563, "strategy": s1.pk, "name_th": "ใหม่", "budget": "-1"},
        format="json",
    )
    assert response.status_code == 400 and ("budget", "negative_budget") in errors(response)
    assert not Project.objects.filter(code="P99").exists()


def test_a_sub_project_whose_parent_is_in_another_plan_is_refused(officer, mini_plan):
    other = api_as(officer).post(
        f"{BASE}/plans/",
        {"code": "OTHER-2566", "title_th": "แผนอื่น", "first_year": 2566, "last_year": 2566},
        format="json",
    )
    assert other.status_code == 201
    s = (
        api_as(officer)
        .post(
            f"{BASE}/strategies/?plan=OTHER-2566",
            {"number": 1, "name_th": "ยุทธศาสตร์"},
            format="json",
        )
        .json()
    )
    p6 = Project.objects.get(plan=mini_plan, code="P6")
    response = api_as(officer).post(
        f"{BASE}/projects/?plan=OTHER-2566",
        {"code": "X1", "fiscal_year": 2566, "strategy": s["id"], "name_th": "ย่อย", "parent": p6.pk},
        format="json",
    )
    assert response.status_code == 400 and ("parent", "parent_other_plan") in errors(response)
    assert not Project.objects.filter(code="X1").exists()


def test_a_target_of_the_wrong_sign_is_refused(officer, mini_plan):
    kpi = KPI.objects.get(plan=mini_plan, code="K1.1")
    response = api_as(officer).patch(
        f"{BASE}/kpis/{kpi.pk}/", {"targets": {"2564": "-5"}}, format="json"
    )
    assert response.status_code == 400 and ("targets.2564", "negative_target") in errors(response)
    assert not KPITarget.objects.filter(kpi=kpi, fiscal_year=2564).exists()


def test_a_target_on_the_wrong_side_of_the_baseline_is_refused(officer, mini_plan):
    kpi = KPI.objects.get(plan=mini_plan, code="K2.1")
    response = api_as(officer).patch(
        f"{BASE}/kpis/{kpi.pk}/",
        {"direction": "decrease", "baseline_value": "50", "targets": {"2564": "60"}},
        format="json",
    )
    assert response.status_code == 400
    assert ("targets.2564", "target_wrong_side") in errors(response)
    kpi.refresh_from_db()
    assert kpi.direction == "increase" and kpi.baseline_value is None


def test_an_officer_revises_a_target_and_the_change_is_audited(officer, mini_plan):
    from rongngan.core.audit import history

    kpi = KPI.objects.get(plan=mini_plan, code="K1.1")
    response = api_as(officer).patch(
        f"{BASE}/kpis/{kpi.pk}/", {"targets": {"2563": "12", "2564": "15"}}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["targets"] == {"2563": "12", "2564": "15"}
    entry = history(kpi).first()
    assert entry.actor == officer
    assert entry.changes["targets"] == [{"2563": "10.0000"}, {"2563": "12.0000", "2564": "15.0000"}]


def test_the_consistency_endpoint_reports_the_seed_disagreements(mini_plan):
    body = api_as(None).get(f"{BASE}/plans/{mini_plan.code}/consistency/").json()
    assert {(f["code"], f["subject"]) for f in body} == {
        ("budget_sum", "P6"),
        ("target_differs", "K1.2"),
        ("province_count", "P16"),
    }


def test_project_progress_is_for_staff(officer, mini_plan):
    p1 = Project.objects.get(plan=mini_plan, code="P1")
    url = f"{BASE}/projects/{p1.pk}/progress/"
    response = api_as(officer).post(
        url, {"fiscal_year": 2563, "quarter": 1, "disbursed": "1.25"}, format="json"
    )
    assert response.status_code == 201
    assert api_as(officer).get(url).json()[0]["disbursed"] == "1.2500"
    assert api_as(None).get(url).status_code in (401, 403)


@pytest.mark.parametrize("value", [True, [1, 2], 3])
def test_targets_of_the_wrong_shape_are_refused_at_the_field(officer, mini_plan, value):
    kpi = KPI.objects.get(plan=mini_plan, code="K1.1")
    before = list(kpi.targets.values_list("fiscal_year", "value"))
    response = api_as(officer).patch(f"{BASE}/kpis/{kpi.pk}/", {"targets": value}, format="json")
    assert response.status_code == 400 and ("targets", "targets_shape") in errors(response)
    assert list(kpi.targets.values_list("fiscal_year", "value")) == before


@pytest.mark.parametrize("field", ["provinces", "kpis"])
@pytest.mark.parametrize("value", [True, {"a": 1}, 7, "10"])
def test_a_project_list_field_that_is_not_a_list_is_refused(officer, mini_plan, field, value):
    project = Project.objects.get(plan=mini_plan, code="P6")
    before = (list(project.provinces.all()), list(project.kpis.all()))
    response = api_as(officer).patch(
        f"{BASE}/projects/{project.pk}/", {field: value}, format="json"
    )
    assert response.status_code == 400 and (field, "not_a_list") in errors(response)
    assert (list(project.provinces.all()), list(project.kpis.all())) == before
