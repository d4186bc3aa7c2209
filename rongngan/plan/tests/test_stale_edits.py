"""A form opened before someone else's change cannot silently revert it (optimistic
concurrency); the API refuses a stale change when told what it read (If-Match or `version`)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from conftest import api_as
from rongngan.core.audit import history
from rongngan.plan import services
from rongngan.plan.models import KPI, Project, Strategy

pytestmark = pytest.mark.django_db
BASE = "/api/v1/plan"


def _p1(plan):
    return Project.objects.get(plan=plan, code="P1")


def test_a_stale_project_form_does_not_revert_a_newer_budget(client, officer, admin, mini_plan):
    p1 = _p1(mini_plan)
    services.project_save(acting_user=officer, plan=mini_plan, project=p1, data={"budget": "6"})
    address = reverse("plan:project_edit", args=[mini_plan.code, p1.pk])
    client.force_login(officer)
    opened = client.get(address).context["form"].initial  # budget "6"
    assert opened["budget"] == "6" and opened["version"]
    # Meanwhile someone else changes the budget through the API.
    assert api_as(admin).patch(f"{BASE}/projects/{p1.pk}/", {"budget": "7.5"}).status_code == 200
    updates = history(p1).filter(action="update").count()
    # The stale form is saved with another change (its budget field still says 6).
    response = client.post(address, {**opened, "name_th": "ชื่อใหม่"})
    assert response.status_code == 400
    errors = response.context["form"].non_field_errors()
    assert any("Someone else changed this record" in e or "แก้ไข" in e for e in errors)
    assert 'class="error-summary"' in response.content.decode()
    p1.refresh_from_db()
    assert p1.budget == Decimal("7.5") and p1.name_th == "โครงการเครื่องจักร"
    assert history(p1).filter(action="update").count() == updates
    # Opened again, the form saves.
    fresh = client.get(address).context["form"].initial
    assert fresh["budget"] == "7.5" and fresh["version"] != opened["version"]
    assert client.post(address, {**fresh, "name_th": "ชื่อใหม่"}).status_code == 302
    p1.refresh_from_db()
    assert p1.budget == Decimal("7.5") and p1.name_th == "ชื่อใหม่"


def test_the_version_is_a_hidden_input_of_every_edit_form(client, officer, mini_plan):
    client.force_login(officer)
    kpi = KPI.objects.get(plan=mini_plan, code="K1.1")
    s1 = Strategy.objects.get(plan=mini_plan, number=1)
    for address, obj in [
        (reverse("plan:plan_edit", args=[mini_plan.code]), mini_plan),
        (reverse("plan:strategy_edit", args=[mini_plan.code, s1.pk]), s1),
        (reverse("plan:kpi_edit", args=[mini_plan.code, kpi.pk]), kpi),
        (reverse("plan:project_edit", args=[mini_plan.code, _p1(mini_plan).pk]), _p1(mini_plan)),
    ]:
        body = client.get(address).content.decode()
        assert f'type="hidden" name="version" value="{services.version_of(obj)}"' in body


def test_a_stale_kpi_form_does_not_revert_new_targets(client, officer, admin, mini_plan):
    kpi = KPI.objects.get(plan=mini_plan, code="K1.1")
    address = reverse("plan:kpi_edit", args=[mini_plan.code, kpi.pk])
    client.force_login(officer)
    opened = client.get(address).context["form"].initial
    api_as(admin).patch(f"{BASE}/kpis/{kpi.pk}/", {"targets": {"2563": "12"}}, format="json")
    response = client.post(address, {**opened, "name_en": "changed"})
    assert response.status_code == 400
    assert {t.fiscal_year: t.value for t in kpi.targets.all()} == {2563: Decimal("12")}
    kpi.refresh_from_db()
    assert kpi.name_en != "changed"


def test_a_stale_plan_form_is_refused(client, officer, admin, mini_plan):
    address = reverse("plan:plan_edit", args=[mini_plan.code])
    client.force_login(officer)
    opened = client.get(address).context["form"].initial
    api_as(admin).patch(f"{BASE}/plans/{mini_plan.code}/", {"title_en": "Renamed"})
    response = client.post(address, {**opened, "vision_en": "new vision"})
    assert response.status_code == 400
    mini_plan.refresh_from_db()
    assert mini_plan.title_en == "Renamed" and mini_plan.vision_en == "Test vision"


@pytest.mark.parametrize("how", ["header", "body"])
def test_the_api_refuses_a_change_based_on_an_older_version(officer, admin, mini_plan, how):
    p1 = _p1(mini_plan)
    read = api_as(officer).get(f"{BASE}/projects/{p1.pk}/").json()
    version = read["version"]
    assert api_as(admin).patch(f"{BASE}/projects/{p1.pk}/", {"budget": "7.5"}).status_code == 200

    def patch(v):
        if how == "header":
            return api_as(officer).patch(
                f"{BASE}/projects/{p1.pk}/", {"budget": "6"}, format="json", HTTP_IF_MATCH=f'"{v}"'
            )
        return api_as(officer).patch(
            f"{BASE}/projects/{p1.pk}/", {"budget": "6", "version": v}, format="json"
        )

    response = patch(version)
    assert response.status_code == 412
    assert response.json()["errors"][0]["code"] == "stale_version"
    p1.refresh_from_db()
    assert p1.budget == Decimal("7.5")
    current = api_as(officer).get(f"{BASE}/projects/{p1.pk}/").json()["version"]
    response = patch(current)
    assert response.status_code == 200
    assert (
        response.json()["version"]
        == api_as(officer).get(f"{BASE}/projects/{p1.pk}/").json()["version"]
    )


def test_without_a_version_the_api_stays_last_writer_wins(officer, admin, mini_plan):
    kpi = KPI.objects.get(plan=mini_plan, code="K2.1")
    api_as(admin).patch(f"{BASE}/kpis/{kpi.pk}/", {"name_en": "A"}, format="json")
    response = api_as(officer).patch(f"{BASE}/kpis/{kpi.pk}/", {"name_en": "B"}, format="json")
    assert response.status_code == 200
    stale = api_as(officer).patch(
        f"{BASE}/kpis/{kpi.pk}/", {"name_en": "C"}, format="json", HTTP_IF_MATCH="0000"
    )
    assert stale.status_code == 412
    kpi.refresh_from_db()
    assert kpi.name_en == "B"


def test_the_version_follows_links_and_targets(officer, mini_plan):
    p1 = _p1(mini_plan)
    before = services.version_of(p1)
    services.project_save(acting_user=officer, plan=mini_plan, project=p1, data={"kpis": []})
    assert services.version_of(Project.objects.get(pk=p1.pk)) != before
    kpi = KPI.objects.get(plan=mini_plan, code="K1.1")
    before = services.version_of(kpi)
    services.kpi_save(acting_user=officer, plan=mini_plan, kpi=kpi, data={"targets": {"2564": 5}})
    assert services.version_of(KPI.objects.get(pk=kpi.pk)) != before
