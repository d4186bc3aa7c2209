"""Input the plan's services refuse (with a field and a code, writing nothing) instead of a 500,
a silent rounding, a silently dropped link or a plan nobody can reach."""

from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse

from conftest import api_as
from rongngan.core.audit import history
from rongngan.core.models import AuditEntry
from rongngan.plan import services
from rongngan.plan.loader import check_file
from rongngan.plan.models import (
    KPI,
    KPITarget,
    Measurement,
    Plan,
    Project,
    ProjectProgress,
    Strategy,
)

pytestmark = pytest.mark.django_db
BASE = "/api/v1/plan"
MINI_PLAN = Path(__file__).parent / "data" / "mini-plan.yaml"


def errors(response):
    return {(e["field"], e["code"]) for e in response.json()["errors"]}


def messages_of(response, code):
    return [e for e in response.json()["errors"] if e["code"] == code]


def form_errors(response):
    return response.context["form"].errors


def _project(plan, code):
    return Project.objects.get(plan=plan, code=code)


def _kpi(plan, code):
    return KPI.objects.get(plan=plan, code=code)


# --------------------------------------------------------------------------------------------
# 1. Plan codes must be what the addresses accept


NEW_PLAN = {"title_th": "แผนใหม่", "first_year": 2566, "last_year": 2570}


@pytest.mark.parametrize("code", ["bad code/ซ", "แผนใหม่-2566", "DIW 2566", "a.b", "x?y"])
def test_the_api_refuses_a_plan_code_no_address_can_carry(officer, code):
    response = api_as(officer).post(f"{BASE}/plans/", {**NEW_PLAN, "code": code}, format="json")
    assert response.status_code == 400
    assert ("code", "plan_code") in errors(response)
    error = messages_of(response, "plan_code")[0]
    assert "Latin letters" in error["message_en"] and error["message_th"]
    assert not Plan.objects.exists()


def test_new_is_not_a_plan_code(officer):
    response = api_as(officer).post(f"{BASE}/plans/", {**NEW_PLAN, "code": "new"}, format="json")
    assert response.status_code == 400 and ("code", "reserved_code") in errors(response)


def test_the_new_plan_form_refuses_a_thai_code_and_the_list_still_opens(client, officer):
    client.force_login(officer)
    response = client.post(
        reverse("plan:plan_create"),
        {"code": "แผนใหม่ 2566", "title_th": "แผนใหม่", "first_year": "2566", "last_year": "2570"},
    )
    assert response.status_code == 400
    assert list(form_errors(response)) == ["code"]
    assert not Plan.objects.exists()
    assert client.get(reverse("plan:plan_list")).status_code == 200


def test_renaming_to_a_bad_code_is_refused(mini_plan, officer):
    response = api_as(officer).patch(
        f"{BASE}/plans/{mini_plan.code}/", {"code": "TEST 2563"}, format="json"
    )
    assert response.status_code == 400 and ("code", "plan_code") in errors(response)
    mini_plan.refresh_from_db()
    assert mini_plan.code == "TEST-2563-2565"


def test_a_plan_stored_with_a_bad_code_does_not_break_the_list_and_can_be_renamed(
    client, officer, mini_plan
):
    # As stored before codes were checked.
    bad = Plan.objects.create(
        code="แผนใหม่ 2566", title_th="แผนเก่า", first_year=2566, last_year=2570
    )
    response = client.get(reverse("plan:plan_list"))  # the public
    assert response.status_code == 200
    body = response.content.decode()
    assert "แผนเก่า" in body and reverse("plan:plan_detail", args=[mini_plan.code]) in body
    assert reverse("plan:plan_edit_by_id", args=[bad.pk]) not in body

    client.force_login(officer)
    body = client.get(reverse("plan:plan_list")).content.decode()
    edit = reverse("plan:plan_edit_by_id", args=[bad.pk])
    assert edit in body
    form = client.get(edit)
    assert form.status_code == 200
    response = client.post(edit, {**form.context["form"].initial, "code": "DIW-2566-2570"})
    assert response.status_code == 302
    assert response.url == reverse("plan:plan_detail", args=["DIW-2566-2570"])
    bad.refresh_from_db()
    assert bad.code == "DIW-2566-2570"
    assert history(bad).get(action="update").changes == {"code": ["แผนใหม่ 2566", "DIW-2566-2570"]}
    assert client.get(response.url).status_code == 200


def test_only_editors_reach_a_plan_by_its_id(client, committee, mini_plan):
    client.force_login(committee)
    assert client.get(reverse("plan:plan_edit_by_id", args=[mini_plan.pk])).status_code == 403


def test_the_loader_refuses_a_bad_plan_code(tmp_path):
    text = MINI_PLAN.read_text(encoding="utf-8").replace('"TEST-2563-2565"', '"TEST 2563/65"')
    path = tmp_path / "plan.yaml"
    path.write_text(text, encoding="utf-8")
    assert ("plan.code", "plan_code") in {(p.field, p.code) for p in check_file(path)}


# --------------------------------------------------------------------------------------------
# 2. Numbers: signs, sizes, decimals, unknown ids


@pytest.mark.parametrize(
    "value, code", [(-3, "negative"), (40000, "number_too_large"), ("2.5", "whole_number")]
)
def test_a_bad_stated_province_count_is_a_400_not_a_500(officer, mini_plan, value, code):
    p16 = _project(mini_plan, "P16")
    response = api_as(officer).patch(
        f"{BASE}/projects/{p16.pk}/", {"stated_province_count": value}, format="json"
    )
    assert response.status_code == 400
    assert ("stated_province_count", code) in errors(response)
    p16.refresh_from_db()
    assert p16.stated_province_count == 2


def test_the_project_form_shows_a_negative_province_count_on_its_field(client, officer, mini_plan):
    p16 = _project(mini_plan, "P16")
    client.force_login(officer)
    address = reverse("plan:project_edit", args=[mini_plan.code, p16.pk])
    form = client.get(address).context["form"]
    response = client.post(address, {**form.initial, "stated_province_count": "-3"})
    assert response.status_code == 400
    assert list(form_errors(response)) == ["stated_province_count"]


@pytest.mark.parametrize("ref", [99999, "abc", 10**30])
def test_an_unknown_kpi_id_is_refused_and_the_links_are_kept(officer, mini_plan, ref):
    p1 = _project(mini_plan, "P1")
    before = AuditEntry.objects.count()
    response = api_as(officer).patch(f"{BASE}/projects/{p1.pk}/", {"kpis": [ref]}, format="json")
    assert response.status_code == 400 and ("kpis", "unknown_kpi") in errors(response)
    assert [k.code for k in p1.kpis.all()] == ["K1.1"]
    assert AuditEntry.objects.count() == before


def test_a_kpi_of_another_plan_is_unknown_here(officer, mini_plan):
    other = services.plan_save(acting_user=officer, data={**NEW_PLAN, "code": "OTHER"})
    s = services.strategy_save(acting_user=officer, plan=other, data={"number": 1, "name_th": "ก"})
    foreign = services.kpi_save(
        acting_user=officer,
        plan=other,
        data={
            "code": "K1.1",
            "strategy": str(s.pk),
            "name_th": "ข",
            "unit": "count",
            "accumulation": "cumulative",
        },
    )
    p1 = _project(mini_plan, "P1")
    response = api_as(officer).patch(
        f"{BASE}/projects/{p1.pk}/", {"kpis": [foreign.pk]}, format="json"
    )
    assert response.status_code == 400 and ("kpis", "unknown_kpi") in errors(response)


@pytest.mark.parametrize(
    "budget, code",
    [("1.123456789", "decimal_places"), ("10000000000", "number_too_large")],
)
def test_a_budget_the_column_cannot_hold_as_given_is_refused(officer, mini_plan, budget, code):
    p1 = _project(mini_plan, "P1")
    response = api_as(officer).patch(f"{BASE}/projects/{p1.pk}/", {"budget": budget}, format="json")
    assert response.status_code == 400 and ("budget", code) in errors(response)
    p1.refresh_from_db()
    assert p1.budget == Decimal("11.5084")
    assert not history(p1).filter(action="update").exists()


def test_a_budget_with_four_decimals_or_trailing_zeros_is_kept_as_given(officer, mini_plan):
    p1 = _project(mini_plan, "P1")
    response = api_as(officer).patch(
        f"{BASE}/projects/{p1.pk}/", {"budget": "9999999999.12340"}, format="json"
    )
    assert response.status_code == 200
    p1.refresh_from_db()
    assert p1.budget == Decimal("9999999999.1234")


def test_a_measurement_or_a_target_with_too_many_decimals_is_refused(officer, mini_plan):
    k21 = _kpi(mini_plan, "K2.1")
    client = api_as(officer)
    response = client.post(
        f"{BASE}/kpis/{k21.pk}/measurements/",
        {"fiscal_year": 2563, "quarter": 1, "value": "98.123456", "note": "n"},
        format="json",
    )
    assert response.status_code == 400 and ("value", "decimal_places") in errors(response)
    assert not Measurement.objects.exists()
    response = client.patch(
        f"{BASE}/kpis/{k21.pk}/", {"targets": {"2565": "1.00001"}}, format="json"
    )
    assert response.status_code == 400
    assert ("targets.2565", "decimal_places") in errors(response)
    assert not KPITarget.objects.filter(kpi=k21, fiscal_year=2565).exists()


@pytest.mark.parametrize("number, code", [(-1, "negative"), (0, "positive"), (99999, None)])
def test_a_strategy_number_out_of_range_is_a_400(officer, mini_plan, number, code):
    response = api_as(officer).post(
        f"{BASE}/strategies/?plan={mini_plan.code}",
        {"number": number, "name_th": "ใหม่"},
        format="json",
    )
    assert response.status_code == 400
    assert ("number", code or "number_too_large") in errors(response)
    assert Strategy.objects.filter(plan=mini_plan).count() == 2


def _progress(client, project, quarter, disbursed):
    return client.post(
        f"{BASE}/projects/{project.pk}/progress/",
        {"fiscal_year": 2563, "quarter": quarter, "disbursed": disbursed},
        format="json",
    )


def test_a_disbursement_above_the_budget_is_refused(officer, mini_plan, client):
    p1 = _project(mini_plan, "P1")  # 11.5084 million baht
    api = api_as(officer)
    response = _progress(api, p1, 1, "999999")
    assert response.status_code == 400
    assert ("disbursed", "disbursed_over_budget") in errors(response)
    message = messages_of(response, "disbursed_over_budget")[0]["message_en"]
    assert "999,999" in message and "11.5084" in message and "P1" in message
    assert not ProjectProgress.objects.exists()
    # The year's entries add up: 6 + 6 is more than 11.5084 ...
    assert _progress(api, p1, 1, "6").status_code == 201
    response = _progress(api, p1, 2, "6")
    assert response.status_code == 400
    assert ("disbursed", "disbursed_over_budget") in errors(response)
    # ... but a new entry for a quarter replaces that quarter's.
    assert _progress(api, p1, 1, "10").status_code == 201
    assert _progress(api, p1, 2, "1.5084").status_code == 201
    client.force_login(officer)
    body = client.get(reverse("plan:budget", args=[mini_plan.code]) + "?year=2563")
    assert body.status_code == 200


def test_sub_project_disbursements_count_against_the_parent(officer, mini_plan):
    api = api_as(officer)
    p6, p61, p62 = (_project(mini_plan, c) for c in ("P6", "P6.1", "P6.2"))  # 31.95, 30, 1.45
    assert _progress(api, p61, 1, "30").status_code == 201
    assert _progress(api, p62, 1, "1.45").status_code == 201
    response = _progress(api, p6, 1, "1")  # 32.45 for P6 and its sub-projects
    assert response.status_code == 400
    assert ("disbursed", "disbursed_over_budget") in errors(response)
    assert _progress(api, p6, 1, "0.5").status_code == 201


def test_a_budget_below_what_was_disbursed_is_refused(officer, mini_plan):
    p1 = _project(mini_plan, "P1")
    api = api_as(officer)
    assert _progress(api, p1, 1, "10").status_code == 201
    response = api.patch(f"{BASE}/projects/{p1.pk}/", {"budget": "9"}, format="json")
    assert response.status_code == 400
    assert ("budget", "budget_below_disbursed") in errors(response)
    assert api.patch(f"{BASE}/projects/{p1.pk}/", {"budget": "10"}).status_code == 200


# --------------------------------------------------------------------------------------------
# 3. Who may be a KPI's responsible officer


def test_an_operator_cannot_be_made_responsible_for_a_kpi(officer, operator_a, mini_plan):
    k21 = _kpi(mini_plan, "K2.1")
    response = api_as(officer).patch(
        f"{BASE}/kpis/{k21.pk}/", {"responsible": str(operator_a.pk)}, format="json"
    )
    assert response.status_code == 400
    assert ("responsible", "responsible_role") in errors(response)
    message = messages_of(response, "responsible_role")[0]
    assert "operator_a" in message["message_en"] and "Factory operator" in message["message_en"]
    assert "Factory operator" not in message["message_th"]
    k21.refresh_from_db()
    assert k21.responsible is None


@pytest.mark.parametrize("ref", ["99999", "abc", "-1"])
def test_an_unknown_responsible_officer_is_refused_not_nobody(officer, mini_plan, ref):
    k21 = _kpi(mini_plan, "K2.1")
    k21.responsible = officer
    k21.save()
    response = api_as(officer).patch(f"{BASE}/kpis/{k21.pk}/", {"responsible": ref}, format="json")
    assert response.status_code == 400 and ("responsible", "unknown_user") in errors(response)
    k21.refresh_from_db()
    assert k21.responsible == officer


def test_staff_may_be_responsible_and_nobody_is_empty(officer, provincial_officer, mini_plan):
    k21 = _kpi(mini_plan, "K2.1")
    api = api_as(officer)
    response = api.patch(f"{BASE}/kpis/{k21.pk}/", {"responsible": str(provincial_officer.pk)})
    assert response.status_code == 200
    assert response.json()["responsible"] == "rayong_officer"
    assert api.patch(f"{BASE}/kpis/{k21.pk}/", {"responsible": ""}).status_code == 200
    k21.refresh_from_db()
    assert k21.responsible is None


def test_an_inactive_user_cannot_be_made_responsible(officer, provincial_officer, mini_plan):
    provincial_officer.is_active = False
    provincial_officer.save()
    k21 = _kpi(mini_plan, "K2.1")
    response = api_as(officer).patch(
        f"{BASE}/kpis/{k21.pk}/", {"responsible": str(provincial_officer.pk)}, format="json"
    )
    assert response.status_code == 400 and ("responsible", "unknown_user") in errors(response)


def test_an_operator_made_responsible_before_the_check_cannot_enter_values(operator_a, mini_plan):
    k21 = _kpi(mini_plan, "K2.1")
    KPI.objects.filter(pk=k21.pk).update(responsible=operator_a)
    response = api_as(operator_a).post(
        f"{BASE}/kpis/{k21.pk}/measurements/",
        {"fiscal_year": 2563, "quarter": 1, "value": 99, "note": "n"},
        format="json",
    )
    assert response.status_code == 403
    assert not Measurement.objects.exists()


# --------------------------------------------------------------------------------------------
# 4. A KPI's metric and unit


def test_a_count_kpi_cannot_be_bound_to_a_percentage(officer, mini_plan):
    k11 = _kpi(mini_plan, "K1.1")  # count, cumulative
    response = api_as(officer).patch(
        f"{BASE}/kpis/{k11.pk}/", {"metric": "waste.utilisation_rate"}, format="json"
    )
    assert response.status_code == 400 and ("metric", "metric_mismatch") in errors(response)
    message = messages_of(response, "metric_mismatch")[0]["message_en"]
    assert "waste.utilisation_rate" in message and "percent" in message and "count" in message
    k11.refresh_from_db()
    assert k11.metric == ""
    response = api_as(officer).patch(
        f"{BASE}/kpis/{k11.pk}/",
        {"metric": "registry.factories_with_machines_registered"},
        format="json",
    )
    assert response.status_code == 200


def test_a_level_kpi_cannot_be_bound_to_a_total(officer, mini_plan):
    k21 = _kpi(mini_plan, "K2.1")  # percent, level
    response = api_as(officer).patch(
        f"{BASE}/kpis/{k21.pk}/",
        {"metric": "waste.utilisation_rate", "accumulation": "cumulative"},
        format="json",
    )
    assert response.status_code == 400 and ("metric", "metric_mismatch") in errors(response)
    response = api_as(officer).patch(
        f"{BASE}/kpis/{k21.pk}/", {"metric": "waste.utilisation_rate"}, format="json"
    )
    assert response.status_code == 200


def test_the_kpi_form_shows_a_mismatched_metric_on_its_field(client, officer, mini_plan):
    k11 = _kpi(mini_plan, "K1.1")
    client.force_login(officer)
    address = reverse("plan:kpi_edit", args=[mini_plan.code, k11.pk])
    form = client.get(address).context["form"]
    response = client.post(address, {**form.initial, "metric": "waste.utilisation_rate"})
    assert response.status_code == 400 and list(form_errors(response)) == ["metric"]


def test_the_unit_of_a_kpi_with_targets_or_values_cannot_change(officer, mini_plan):
    k12 = _kpi(mini_plan, "K1.2")  # count, target 3 in 2563
    api = api_as(officer)
    response = api.patch(f"{BASE}/kpis/{k12.pk}/", {"unit": "percent"}, format="json")
    assert response.status_code == 400 and ("unit", "unit_locked") in errors(response)
    k12.refresh_from_db()
    assert k12.unit == "count"
    # Without targets (but with a value) it is still locked; without either it may change.
    KPITarget.objects.filter(kpi=k12).delete()
    services.measurement_record(
        acting_user=officer,
        kpi=k12,
        data={"fiscal_year": 2563, "quarter": 1, "value": 1, "note": "n"},
    )
    response = api.patch(f"{BASE}/kpis/{k12.pk}/", {"unit": "percent"}, format="json")
    assert response.status_code == 400 and ("unit", "unit_locked") in errors(response)
    fresh = services.kpi_save(
        acting_user=officer,
        plan=mini_plan,
        data={
            "code": "K1.9",
            "strategy": str(k12.strategy_id),
            "name_th": "ใหม่",
            "unit": "count",
            "accumulation": "level",
        },
    )
    assert api.patch(f"{BASE}/kpis/{fresh.pk}/", {"unit": "percent"}).status_code == 200


# --------------------------------------------------------------------------------------------
# 9. A translated label in a message reads in the message's language


def test_the_wrong_side_message_names_the_direction_in_each_language(officer, mini_plan):
    kpi = _kpi(mini_plan, "K2.1")
    response = api_as(officer).patch(
        f"{BASE}/kpis/{kpi.pk}/",
        {"direction": "decrease", "baseline_value": "50", "targets": {"2564": "60"}},
        format="json",
    )
    message = messages_of(response, "target_wrong_side")[0]
    assert message["message_en"].endswith("for a KPI where less is better.")
    assert "ยิ่งน้อยยิ่งดี" not in message["message_en"]
    assert "less is better" not in message["message_th"]


# --------------------------------------------------------------------------------------------
# 10. Counts are whole; a plan keeps the years it has data for


def test_a_count_kpi_takes_whole_numbers(officer, mini_plan):
    k11 = _kpi(mini_plan, "K1.1")
    api = api_as(officer)
    response = api.post(
        f"{BASE}/kpis/{k11.pk}/measurements/",
        {"fiscal_year": 2563, "quarter": 1, "value": "2.5", "note": "n"},
        format="json",
    )
    assert response.status_code == 400 and ("value", "whole_number") in errors(response)
    response = api.patch(f"{BASE}/kpis/{k11.pk}/", {"targets": {"2564": "12.5"}}, format="json")
    assert response.status_code == 400 and ("targets.2564", "whole_number") in errors(response)
    assert not Measurement.objects.exists()


def test_the_last_year_cannot_drop_a_year_with_targets(officer, mini_plan):
    api = api_as(officer)
    response = api.patch(f"{BASE}/plans/{mini_plan.code}/", {"last_year": 2563}, format="json")
    assert response.status_code == 400 and ("last_year", "years_in_use") in errors(response)
    message = messages_of(response, "years_in_use")[0]["message_en"]
    assert "2564" in message
    mini_plan.refresh_from_db()
    assert mini_plan.last_year == 2565
    # 2565 holds nothing: it may go.
    response = api.patch(f"{BASE}/plans/{mini_plan.code}/", {"last_year": 2564}, format="json")
    assert response.status_code == 200
    response = api.patch(f"{BASE}/plans/{mini_plan.code}/", {"first_year": 2564}, format="json")
    assert response.status_code == 400 and ("first_year", "years_in_use") in errors(response)


def test_copying_a_plan_leaves_out_a_responsible_who_may_no_longer_be_one(
    client, officer, operator_a, mini_plan
):
    KPI.objects.filter(plan=mini_plan, code="K2.1").update(responsible=operator_a)
    KPI.objects.filter(plan=mini_plan, code="K1.1").update(responsible=officer)
    client.force_login(officer)
    response = client.post(
        reverse("plan:plan_create"),
        {
            "code": "TEST-2566-2568",
            "title_th": "แผนต่อไป",
            "first_year": "2566",
            "last_year": "2568",
            "copy_from": mini_plan.code,
        },
    )
    assert response.status_code == 302
    copied = {k.code: k.responsible for k in KPI.objects.filter(plan__code="TEST-2566-2568")}
    assert copied["K2.1"] is None and copied["K1.1"] == officer


def test_a_responsible_unit_longer_than_its_column_is_refused(officer, mini_plan):
    p1 = _project(mini_plan, "P1")
    response = api_as(officer).patch(
        f"{BASE}/projects/{p1.pk}/", {"responsible_unit_th": "ก" * 301}, format="json"
    )
    assert response.status_code == 400 and ("responsible_unit_th", "too_long") in errors(response)
