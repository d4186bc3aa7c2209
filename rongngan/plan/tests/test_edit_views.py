"""Officers' pages that create and change the plan: who may, what is written, the errors."""

from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from rongngan.core.audit import history
from rongngan.core.models import AuditEntry
from rongngan.plan import services
from rongngan.plan.models import KPI, Approach, KPITarget, Plan, Project, Strategy

pytestmark = pytest.mark.django_db


def url(name: str, *args: Any) -> str:
    return reverse(f"plan:{name}", args=args)


def strategy(plan: Plan, number: int) -> Strategy:
    return Strategy.objects.get(plan=plan, number=number)


def approach(plan: Plan, strategy_number: int, number: int) -> Approach:
    return Approach.objects.get(
        strategy__plan=plan, strategy__number=strategy_number, number=number
    )


def errors(response: Any) -> dict[str, list[str]]:
    return response.context["form"].errors


def counts() -> dict[str, int]:
    return {
        "plans": Plan.objects.count(),
        "strategies": Strategy.objects.count(),
        "approaches": Approach.objects.count(),
        "kpis": KPI.objects.count(),
        "targets": KPITarget.objects.count(),
        "projects": Project.objects.count(),
        "audit": AuditEntry.objects.count(),
    }


PLAN_POST = {
    "code": "DIW-2566-2570",
    "title_th": "แผนปฏิบัติราชการ กรมโรงงานอุตสาหกรรม พ.ศ. ๒๕๖๖-๒๕๗๐",
    "title_en": "DIW action plan 2566-2570",
    "first_year": "2566",
    "last_year": "2570",
    "status": "draft",
    "vision_th": "วิสัยทัศน์ใหม่",
    "vision_en": "",
}

KPI_POST = {
    "code": "K1.9",
    "name_th": "โรงงานได้รับการตรวจ",
    "name_en": "Factories inspected",
    "unit": "count",
    "unit_label_th": "ราย",
    "unit_label_en": "factories",
    "direction": "increase",
    "accumulation": "cumulative",
    "baseline_year": "",
    "baseline_value": "",
    "metric": "",
    "responsible": "",
    "internal_note": "",
}


def kpi_post(plan: Plan, **extra: str) -> dict[str, str]:
    return {**KPI_POST, "strategy": str(strategy(plan, 1).pk), **extra}


def project_post(plan: Plan, **extra: Any) -> dict[str, Any]:
    return {
        "code": "P99",
        "fiscal_year": "2564",
        "strategy": str(strategy(plan, 1).pk),
        "approach": str(approach(plan, 1, 1).pk),
        "parent": "",
        "name_th": "โครงการใหม่",
        "name_en": "New project",
        "budget": "2.5",
        "budget_note": "",
        "target_group_th": "",
        "target_group_en": "",
        "responsible_unit_th": "กองส่งเสริมเทคโนโลยี",
        "stated_province_count": "",
        "provinces": ["21", "20"],
        "kpis": [str(KPI.objects.get(plan=plan, code="K1.1").pk)],
        **extra,
    }


# --------------------------------------------------------------------------------------------
# Who reaches the pages


def _edit_urls(plan: Plan) -> list[str]:
    kpi = KPI.objects.get(plan=plan, code="K1.1")
    project = Project.objects.get(plan=plan, code="P6.1")
    s1 = strategy(plan, 1)
    return [
        url("plan_create"),
        url("plan_edit", plan.code),
        url("strategy_create", plan.code),
        url("strategy_edit", plan.code, s1.pk),
        url("approach_create", plan.code, s1.pk),
        url("approach_edit", plan.code, approach(plan, 1, 2).pk),
        url("kpi_create", plan.code),
        url("kpi_edit", plan.code, kpi.pk),
        url("project_create", plan.code),
        url("project_edit", plan.code, project.pk),
    ]


def test_every_form_renders_for_an_officer_in_thai(client, officer, mini_plan):
    client.force_login(officer)
    for address in _edit_urls(mini_plan):
        response = client.get(address)
        assert response.status_code == 200, address
        body = response.content.decode()
        assert '<html lang="th">' in body, address
        assert 'name="csrfmiddlewaretoken"' in body
    # The Thai of the plan's own data is on its pages (labels are translated separately).
    body = client.get(url("plan_edit", mini_plan.code)).content.decode()
    assert "แผนปฏิบัติการทดสอบ พ.ศ. ๒๕๖๓-๒๕๖๕" in body
    assert 'value="2565"' in body
    body = client.get(url("project_edit", mini_plan.code, _project(mini_plan, "P6.1").pk))
    assert "ลดน้ำ" in body.content.decode()


def _project(plan: Plan, code: str) -> Project:
    return Project.objects.get(plan=plan, code=code)


def test_the_kpi_form_has_one_labelled_target_input_per_plan_year(client, officer, mini_plan):
    client.force_login(officer)
    kpi = KPI.objects.get(plan=mini_plan, code="K2.1")
    body = client.get(url("kpi_edit", mini_plan.code, kpi.pk)).content.decode()
    for year in (2563, 2564, 2565):
        assert f'<label for="id_target_{year}"' in body
        assert f'name="target_{year}"' in body
    assert 'name="target_2566"' not in body
    assert 'name="target_2563" value="99"' in body
    assert 'name="target_2565" inputmode' in body  # no target that year: empty
    assert "<fieldset" in body and "<legend>" in body


def test_an_administrator_may_edit_too(client, admin, mini_plan):
    client.force_login(admin)
    response = client.get(url("plan_edit", mini_plan.code))
    assert response.status_code == 200


@pytest.mark.parametrize(
    "who", ["operator_a", "committee", "provincial_officer", "inspector", "local_gov"]
)
def test_others_are_refused(client, request, mini_plan, who):
    client.force_login(request.getfixturevalue(who))
    before = counts()
    for address in _edit_urls(mini_plan):
        assert client.get(address).status_code == 403, address
    assert client.post(url("plan_create"), PLAN_POST).status_code == 403
    assert client.post(url("kpi_create", mini_plan.code), kpi_post(mini_plan)).status_code == 403
    assert client.post(url("plan_edit", mini_plan.code), {"last_year": "2570"}).status_code == 403
    assert counts() == before


def test_the_anonymous_are_sent_to_sign_in(client, mini_plan):
    login = reverse("login")
    for address in _edit_urls(mini_plan):
        response = client.get(address)
        assert response.status_code == 302, address
        assert response.url.startswith(f"{login}?next="), address
    before = counts()
    response = client.post(url("plan_create"), PLAN_POST)
    assert response.status_code == 302 and response.url.startswith(login)
    assert counts() == before


def test_an_unknown_record_or_a_record_of_another_plan_is_not_found(client, officer, mini_plan):
    other = services.plan_save(acting_user=officer, data={**PLAN_POST})
    s = services.strategy_save(
        acting_user=officer, plan=other, data={"number": 1, "name_th": "ยุทธศาสตร์"}
    )
    client.force_login(officer)
    assert client.get(url("plan_edit", "no-such-plan")).status_code == 404
    assert client.get(url("strategy_edit", mini_plan.code, s.pk)).status_code == 404
    assert client.get(url("approach_create", mini_plan.code, s.pk)).status_code == 404


# --------------------------------------------------------------------------------------------
# Plans


def test_an_officer_creates_a_plan(client, officer):
    client.force_login(officer)
    response = client.post(url("plan_create"), PLAN_POST)
    plan = Plan.objects.get(code="DIW-2566-2570")
    assert response.status_code == 302
    assert response.url == reverse("plan:plan_detail", args=[plan.code])
    assert plan.title_th == PLAN_POST["title_th"]
    assert (plan.first_year, plan.last_year, plan.status) == (2566, 2570, "draft")
    entries = list(history(plan))
    assert [e.action for e in entries] == ["create"]
    assert entries[0].actor == officer


def test_creating_a_plan_shows_the_services_problems_on_their_fields(client, officer, mini_plan):
    client.force_login(officer)
    before = counts()
    response = client.post(
        url("plan_create"),
        {**PLAN_POST, "code": mini_plan.code, "title_th": "", "last_year": "2560"},
    )
    assert response.status_code == 400
    form_errors = errors(response)
    assert set(form_errors) >= {"code", "title_th", "last_year"}
    assert mini_plan.code in form_errors["code"][0]
    assert counts() == before
    body = response.content.decode()
    assert 'class="error-summary"' in body


def test_a_new_fiscal_year_is_a_later_last_year_and_is_audited(client, officer, mini_plan):
    client.force_login(officer)
    form = client.get(url("plan_edit", mini_plan.code)).context["form"]
    data = {**form.initial, "last_year": "2566"}
    response = client.post(url("plan_edit", mini_plan.code), data)
    assert response.status_code == 302
    assert response.url == reverse("plan:plan_detail", args=[mini_plan.code])
    mini_plan.refresh_from_db()
    assert mini_plan.last_year == 2566
    entry = history(mini_plan).filter(action="update").get()
    assert entry.changes == {"last_year": [2565, 2566]}
    assert entry.actor == officer
    # The new year now has its target input on the KPI form.
    kpi = KPI.objects.get(plan=mini_plan, code="K1.1")
    body = client.get(url("kpi_edit", mini_plan.code, kpi.pk)).content.decode()
    assert 'name="target_2566"' in body


def test_saving_an_unchanged_plan_writes_nothing(client, officer, mini_plan):
    client.force_login(officer)
    form = client.get(url("plan_edit", mini_plan.code)).context["form"]
    before = counts()
    response = client.post(url("plan_edit", mini_plan.code), dict(form.initial))
    assert response.status_code == 302
    assert counts() == before


def test_a_plan_with_its_years_reversed_is_refused(client, officer, mini_plan):
    client.force_login(officer)
    form = client.get(url("plan_edit", mini_plan.code)).context["form"]
    response = client.post(url("plan_edit", mini_plan.code), {**form.initial, "last_year": "2562"})
    assert response.status_code == 400
    assert "last_year" in errors(response)
    mini_plan.refresh_from_db()
    assert mini_plan.last_year == 2565


def test_a_new_plan_copies_strategies_approaches_and_kpis_without_targets(
    client, officer, mini_plan
):
    source_kpi = KPI.objects.get(plan=mini_plan, code="K1.1")
    services.kpi_save(
        acting_user=officer,
        plan=mini_plan,
        kpi=source_kpi,
        data={"metric": "registry.factories_with_machines_registered"},
    )
    client.force_login(officer)
    # Offered from the plan's page: the form comes filled for the years after this plan.
    form = client.get(url("plan_create") + f"?copy_from={mini_plan.code}").context["form"]
    assert form.initial["copy_from"] == mini_plan.code
    assert (form.initial["first_year"], form.initial["last_year"]) == ("2566", "2568")
    response = client.post(
        url("plan_create"),
        {**PLAN_POST, "code": "TEST-2566-2568", "last_year": "2568", "copy_from": mini_plan.code},
    )
    assert response.status_code == 302
    plan = Plan.objects.get(code="TEST-2566-2568")
    assert response.url == reverse("plan:plan_detail", args=[plan.code])
    assert [(s.number, s.name_th) for s in plan.strategies.order_by("number")] == [
        (1, "ส่งเสริมอุตสาหกรรมที่ยั่งยืน"),
        (2, "กำกับดูแลอย่างปลอดภัย"),
    ]
    assert sorted(a.code for a in Approach.objects.filter(strategy__plan=plan)) == [
        "A1.1",
        "A1.2",
        "A2.1",
    ]
    kpis = {k.code: k for k in KPI.objects.filter(plan=plan)}
    assert sorted(kpis) == ["K1.1", "K1.2", "K2.1"]
    copied = kpis["K1.1"]
    assert copied.strategy.plan == plan and copied.strategy.number == 1
    assert kpis["K2.1"].strategy.number == 2
    assert (copied.name_th, copied.unit, copied.unit_label_th) == (
        source_kpi.name_th,
        "count",
        "ราย",
    )
    assert (copied.direction, copied.accumulation) == ("increase", "cumulative")
    assert copied.metric == "registry.factories_with_machines_registered"
    assert kpis["K2.1"].unit == "percent" and kpis["K2.1"].accumulation == "level"
    assert not KPITarget.objects.filter(kpi__plan=plan).exists()
    assert not Project.objects.filter(plan=plan).exists()
    # The source is untouched, and every copy went through a service (audited).
    assert KPITarget.objects.filter(kpi__plan=mini_plan).count() == 4
    assert history(copied).filter(action="create").exists()
    assert history(strategy(plan, 2)).filter(action="create").exists()


def test_a_copy_that_fails_leaves_no_plan_behind(client, officer, mini_plan):
    kpi = KPI.objects.get(plan=mini_plan, code="K1.2")
    KPI.objects.filter(pk=kpi.pk).update(metric="no.longer.published")
    client.force_login(officer)
    before = counts()
    response = client.post(
        url("plan_create"),
        {**PLAN_POST, "code": "TEST-NEXT", "copy_from": mini_plan.code},
    )
    assert response.status_code == 400
    assert counts() == before
    assert not Plan.objects.filter(code="TEST-NEXT").exists()
    top = errors(response)["__all__"]
    assert any("K1.2" in e and "no.longer.published" in e for e in top)


def test_copying_from_an_unknown_plan_is_refused(client, officer):
    client.force_login(officer)
    before = counts()
    response = client.post(url("plan_create"), {**PLAN_POST, "copy_from": "no-such-plan"})
    assert response.status_code == 400
    assert "copy_from" in errors(response)
    assert counts() == before


# --------------------------------------------------------------------------------------------
# Strategies and approaches


def test_strategies_and_approaches_are_added_and_renamed(client, officer, mini_plan):
    client.force_login(officer)
    detail = reverse("plan:plan_detail", args=[mini_plan.code])
    form = client.get(url("strategy_create", mini_plan.code)).context["form"]
    assert form.initial["number"] == "3"
    response = client.post(
        url("strategy_create", mini_plan.code),
        {"number": "3", "name_th": "พัฒนาบุคลากร", "name_en": "People"},
    )
    assert response.status_code == 302 and response.url == detail
    s3 = strategy(mini_plan, 3)
    assert s3.name_th == "พัฒนาบุคลากร"

    response = client.post(
        url("strategy_edit", mini_plan.code, s3.pk),
        {"number": "3", "name_th": "พัฒนาบุคลากรและองค์กร", "name_en": "People"},
    )
    assert response.status_code == 302 and response.url == detail
    s3.refresh_from_db()
    assert s3.name_th == "พัฒนาบุคลากรและองค์กร"
    assert history(s3).filter(action="update").get().changes == {
        "name_th": ["พัฒนาบุคลากร", "พัฒนาบุคลากรและองค์กร"]
    }

    response = client.post(
        url("approach_create", mini_plan.code, s3.pk),
        {"number": "1", "name_th": "ฝึกอบรม", "name_en": "Training"},
    )
    assert response.status_code == 302 and response.url == detail
    a = Approach.objects.get(strategy=s3, number=1)
    response = client.post(
        url("approach_edit", mini_plan.code, a.pk),
        {"number": "2", "name_th": "ฝึกอบรม", "name_en": "Training"},
    )
    assert response.status_code == 302
    a.refresh_from_db()
    assert a.number == 2


def test_a_strategy_number_already_used_is_shown_on_the_number(client, officer, mini_plan):
    client.force_login(officer)
    before = counts()
    response = client.post(
        url("strategy_create", mini_plan.code), {"number": "1", "name_th": "ซ้ำ", "name_en": ""}
    )
    assert response.status_code == 400
    assert "number" in errors(response)
    assert counts() == before


# --------------------------------------------------------------------------------------------
# KPIs


def test_an_officer_adds_a_kpi_with_targets(client, officer, mini_plan):
    client.force_login(officer)
    response = client.post(
        url("kpi_create", mini_plan.code),
        kpi_post(mini_plan, target_2563="100", target_2564="1,250", target_2565=""),
    )
    kpi = KPI.objects.get(plan=mini_plan, code="K1.9")
    assert response.status_code == 302
    assert response.url == reverse("plan:kpi_detail", args=[mini_plan.code, kpi.pk])
    assert {t.fiscal_year: t.value for t in kpi.targets.all()} == {
        2563: Decimal("100"),
        2564: Decimal("1250"),
    }
    assert (kpi.strategy.number, kpi.unit, kpi.metric, kpi.responsible) == (1, "count", "", None)
    entry = history(kpi).get()
    assert entry.action == "create"
    assert entry.changes["targets"] == [{}, {"2563": "100.0000", "2564": "1250.0000"}]


def test_a_negative_target_is_shown_on_its_year_and_nothing_is_written(client, officer, mini_plan):
    client.force_login(officer)
    before = counts()
    response = client.post(
        url("kpi_create", mini_plan.code),
        kpi_post(mini_plan, target_2563="5", target_2564="-3"),
    )
    assert response.status_code == 400
    form_errors = errors(response)
    assert list(form_errors) == ["target_2564"]
    assert counts() == before
    body = response.content.decode()
    assert 'value="-3"' in body  # the input is shown again to be corrected


def test_editing_targets_changes_only_the_years_touched(client, officer, mini_plan, committee):
    kpi = KPI.objects.get(plan=mini_plan, code="K2.1")  # targets 2563: 99, 2564: 99
    client.force_login(officer)
    form = client.get(url("kpi_edit", mini_plan.code, kpi.pk)).context["form"]
    assert form.initial["target_2563"] == "99"
    assert form.initial["target_2565"] == ""
    data = {
        **form.initial,
        "target_2563": "99.0",  # the same number written differently: untouched
        "target_2564": "",  # removed
        "target_2565": "๙๘",  # Thai digits
        "responsible": str(officer.pk),
    }
    response = client.post(url("kpi_edit", mini_plan.code, kpi.pk), data)
    assert response.status_code == 302
    assert response.url == reverse("plan:kpi_detail", args=[mini_plan.code, kpi.pk])
    assert {t.fiscal_year: t.value for t in kpi.targets.all()} == {
        2563: Decimal("99"),
        2565: Decimal("98"),
    }
    kpi.refresh_from_db()
    assert kpi.responsible == officer
    entry = history(kpi).filter(action="update").get()
    assert entry.changes["responsible"] == [None, officer.pk]
    assert entry.changes["targets"] == [
        {"2563": "99.0000", "2564": "99.0000"},
        {"2563": "99.0000", "2565": "98.0000"},
    ]


def test_a_target_on_the_wrong_side_of_the_baseline_is_refused(client, officer, mini_plan):
    client.force_login(officer)
    before = counts()
    response = client.post(
        url("kpi_create", mini_plan.code),
        kpi_post(mini_plan, baseline_year="2562", baseline_value="50", target_2563="40"),
    )
    assert response.status_code == 400
    assert list(errors(response)) == ["target_2563"]
    assert counts() == before


def test_kpi_problems_land_on_their_fields(client, officer, mini_plan):
    client.force_login(officer)
    before = counts()
    response = client.post(
        url("kpi_create", mini_plan.code),
        kpi_post(mini_plan, code="K1.1", name_th="", unit="", metric="nothing.like.this"),
    )
    assert response.status_code == 400
    assert set(errors(response)) == {"code", "name_th", "unit", "metric"}
    assert counts() == before


# --------------------------------------------------------------------------------------------
# Projects


def test_an_officer_adds_and_edits_a_project(client, officer, mini_plan):
    client.force_login(officer)
    response = client.post(url("project_create", mini_plan.code), project_post(mini_plan))
    project = Project.objects.get(plan=mini_plan, code="P99")
    assert response.status_code == 302
    assert response.url == reverse("plan:project_detail", args=[mini_plan.code, project.pk])
    assert project.budget == Decimal("2.5")
    assert project.fiscal_year == 2564
    assert sorted(p.code for p in project.provinces.all()) == ["20", "21"]
    assert [k.code for k in project.kpis.all()] == ["K1.1"]

    form = client.get(url("project_edit", mini_plan.code, project.pk)).context["form"]
    assert form.initial["provinces"] == ["20", "21"]
    response = client.post(
        url("project_edit", mini_plan.code, project.pk),
        {**form.initial, "budget": "3", "provinces": ["21"]},
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.budget == Decimal("3")
    assert [p.code for p in project.provinces.all()] == ["21"]
    entry = history(project).filter(action="update").get()
    assert set(entry.changes) == {"budget", "provinces"}


def test_a_negative_budget_is_shown_on_the_budget(client, officer, mini_plan):
    client.force_login(officer)
    before = counts()
    response = client.post(
        url("project_create", mini_plan.code), project_post(mini_plan, budget="-1")
    )
    assert response.status_code == 400
    assert list(errors(response)) == ["budget"]
    assert counts() == before


def test_a_parent_in_another_plan_is_refused(client, officer, mini_plan):
    other = services.plan_save(
        acting_user=officer, data={**PLAN_POST, "first_year": "2563", "last_year": "2565"}
    )
    s = services.strategy_save(
        acting_user=officer, plan=other, data={"number": 1, "name_th": "ยุทธศาสตร์อื่น"}
    )
    foreign = services.project_save(
        acting_user=officer,
        plan=other,
        data={"code": "X1", "fiscal_year": 2564, "strategy": str(s.pk), "name_th": "อื่น"},
    )
    client.force_login(officer)
    before = counts()
    response = client.post(
        url("project_create", mini_plan.code),
        project_post(mini_plan, parent=str(foreign.pk)),
    )
    assert response.status_code == 400
    assert list(errors(response)) == ["parent"]
    assert counts() == before


def test_an_approach_of_another_strategy_is_refused(client, officer, mini_plan):
    client.force_login(officer)
    before = counts()
    response = client.post(
        url("project_create", mini_plan.code),
        project_post(mini_plan, strategy=str(strategy(mini_plan, 2).pk)),  # approach is A1.1
    )
    assert response.status_code == 400
    assert list(errors(response)) == ["approach"]
    assert counts() == before


def test_changing_only_the_strategy_still_checks_the_approach(client, officer, mini_plan):
    project = _project(mini_plan, "P7")  # strategy 2, approach A2.1
    client.force_login(officer)
    form = client.get(url("project_edit", mini_plan.code, project.pk)).context["form"]
    response = client.post(
        url("project_edit", mini_plan.code, project.pk),
        {**form.initial, "strategy": str(strategy(mini_plan, 1).pk)},
    )
    assert response.status_code == 400
    assert "approach" in errors(response)
    project.refresh_from_db()
    assert project.strategy.number == 2


def test_fields_left_out_of_the_post_are_left_as_they_are(client, officer, mini_plan):
    project = _project(mini_plan, "P16")
    names = sorted(p.name_th for p in project.provinces.all())
    client.force_login(officer)
    response = client.post(
        url("project_edit", mini_plan.code, project.pk),
        {"budget": "5", "provinces": [p.code for p in project.provinces.all()]},
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.budget == Decimal("5")
    assert project.name_th == "เมืองอุตสาหกรรมเชิงนิเวศ ๗ จังหวัด"
    assert sorted(p.name_th for p in project.provinces.all()) == names
    assert set(history(project).filter(action="update").get().changes) == {"budget"}


def test_a_project_cannot_become_its_own_grandchild(client, officer, mini_plan):
    p6 = _project(mini_plan, "P6")
    child = _project(mini_plan, "P6.1")
    client.force_login(officer)
    form = client.get(url("project_edit", mini_plan.code, p6.pk)).context["form"]
    assert str(p6.pk) not in dict(form.fields["parent"].widget.choices)
    response = client.post(
        url("project_edit", mini_plan.code, p6.pk), {**form.initial, "parent": str(child.pk)}
    )
    assert response.status_code == 400
    assert "parent" in errors(response)
