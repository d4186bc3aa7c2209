"""The plan's pages: what each user sees, entering values, drill-down, public limits."""

from datetime import date

import pytest
from django.urls import reverse

from rongngan.plan.models import KPI, Measurement, Project, ProjectProgress
from rongngan.registry.tests.factories import FactoryFactory, MachineFactory


@pytest.fixture
def bound(mini_plan):
    kpi = KPI.objects.get(plan=mini_plan, code="K1.1")
    kpi.metric = "registry.factories_with_machines_registered"
    kpi.save()
    return kpi


def url(name, plan, *args):
    return reverse(f"plan:{name}", args=[plan.code, *args])


@pytest.mark.parametrize("name", ["plan_detail", "dashboard", "budget", "consistency"])
def test_the_public_reads_the_plan_pages_in_thai(client, mini_plan, name):
    response = client.get(url(name, mini_plan) + "?year=2563")
    assert response.status_code == 200
    assert "แผนปฏิบัติการทดสอบ" in response.content.decode()


def test_the_plan_page_lists_strategies_kpis_and_projects(client, mini_plan):
    body = client.get(url("plan_detail", mini_plan) + "?year=2563").content.decode()
    for text in ("ส่งเสริมอุตสาหกรรมที่ยั่งยืน", "K1.1", "K2.1", "P6.1", "31.9500", "วิสัยทัศน์ทดสอบ"):
        assert text in body


def test_the_dashboard_shows_actual_target_and_status_of_a_bound_kpi(client, bound, mini_plan):
    f = FactoryFactory()
    MachineFactory(factory=f, registered_on=date(2019, 11, 1))
    body = client.get(url("dashboard", mini_plan) + "?year=2563").content.decode()
    row = body[body.index('data-kpi="K1.1"') :]
    row = row[: row.index("</tr>")]
    assert '<strong class="kpi-actual">1</strong>' in row
    assert "kpi-status-off_track" in row  # 1 of 10 when the year is over


def test_the_public_sees_no_drill_down_and_no_report_links(client, bound, mini_plan):
    body = client.get(url("dashboard", mini_plan) + "?year=2563").content.decode()
    assert url("kpi_records", mini_plan, bound.pk) not in body
    assert "report.xlsx" not in body
    response = client.get(url("kpi_records", mini_plan, bound.pk) + "?year=2563")
    assert response.status_code == 302 and "/accounts/login/" in response.url
    assert client.get(url("report", mini_plan, "xlsx")).status_code == 302


def test_an_officer_drills_down_from_a_kpi_to_the_factories_counted(
    client, officer, bound, mini_plan
):
    counted = FactoryFactory(name_th="โรงงานที่ถูกนับ")
    MachineFactory(factory=counted, registered_on=date(2020, 1, 15))
    MachineFactory(factory=FactoryFactory(name_th="โรงงานนอกปี"), registered_on=date(2020, 11, 1))
    client.force_login(officer)
    body = client.get(url("dashboard", mini_plan) + "?year=2563").content.decode()
    assert url("kpi_records", mini_plan, bound.pk) in body
    body = client.get(url("kpi_records", mini_plan, bound.pk) + "?year=2563").content.decode()
    assert "โรงงานที่ถูกนับ" in body and "โรงงานนอกปี" not in body
    assert reverse("registry:factory_detail", args=[counted.pk]) in body
    # one quarter only
    q1 = client.get(
        url("kpi_records", mini_plan, bound.pk) + "?year=2563&quarter=1&only=quarter"
    ).content.decode()
    assert "โรงงานที่ถูกนับ" not in q1


def test_operators_cannot_drill_down(client, operator_a, bound, mini_plan):
    client.force_login(operator_a)
    assert client.get(url("kpi_records", mini_plan, bound.pk)).status_code == 403


def test_an_officer_enters_a_value_with_evidence_on_the_kpi_page(client, officer, mini_plan):
    kpi = KPI.objects.get(plan=mini_plan, code="K2.1")
    client.force_login(officer)
    response = client.post(
        url("kpi_detail", mini_plan, kpi.pk),
        {
            "fiscal_year": 2563,
            "quarter": 2,
            "value": "98.5",
            "evidence_url": "https://example.org/r",
        },
    )
    assert response.status_code == 302
    m = Measurement.objects.get()
    assert m.value == 98.5 and m.entered_by == officer
    body = client.get(url("kpi_detail", mini_plan, kpi.pk) + "?year=2563").content.decode()
    assert "https://example.org/r" in body and "98.5" in body


def test_a_bad_value_shows_the_error_on_the_field_and_saves_nothing(client, officer, mini_plan):
    kpi = KPI.objects.get(plan=mini_plan, code="K2.1")
    client.force_login(officer)
    response = client.post(
        url("kpi_detail", mini_plan, kpi.pk),
        {"fiscal_year": 2563, "quarter": 2, "value": "150", "note": "n"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["value"]
    assert Measurement.objects.count() == 0


def test_the_public_sees_values_but_not_notes_or_evidence(client, officer, mini_plan):
    from rongngan.plan import services

    kpi = KPI.objects.get(plan=mini_plan, code="K2.1")
    services.measurement_record(
        acting_user=officer,
        kpi=kpi,
        data={
            "fiscal_year": 2563,
            "quarter": 1,
            "value": 97,
            "note": "ความเห็นภายใน",
            "evidence_url": "https://intranet.example/secret",
        },
    )
    body = client.get(url("kpi_detail", mini_plan, kpi.pk) + "?year=2563").content.decode()
    assert "97" in body
    assert "ความเห็นภายใน" not in body and "intranet.example" not in body
    assert 'name="value"' not in body  # no entry form for the public


def test_the_public_dashboard_shows_finished_quarters_only(client, officer, mini_plan, settings):
    from unittest import mock

    from rongngan.plan import services

    kpi = KPI.objects.get(plan=mini_plan, code="K2.1")
    with mock.patch("django.utils.timezone.localdate", return_value=date(2020, 5, 1)):
        services.measurement_record(
            acting_user=officer,
            kpi=kpi,
            data={"fiscal_year": 2563, "quarter": 3, "value": 55, "note": "n"},
        )
        services.measurement_record(
            acting_user=officer,
            kpi=kpi,
            data={"fiscal_year": 2563, "quarter": 2, "value": 96, "note": "n"},
        )
        public = client.get(url("dashboard", mini_plan) + "?year=2563&quarter=4").content.decode()
        client.force_login(officer)
        staff = client.get(url("dashboard", mini_plan) + "?year=2563").content.decode()

    def actual(body):
        row = body[body.index('data-kpi="K2.1"') :]
        return row[: row.index("</tr>")]

    assert '<strong class="kpi-actual">96</strong>' in actual(public)  # Q3 not finished
    assert '<strong class="kpi-actual">55</strong>' in actual(staff)


def test_an_officer_reports_a_projects_quarter(client, officer, mini_plan):
    project = Project.objects.get(plan=mini_plan, code="P1")
    client.force_login(officer)
    response = client.post(
        url("project_detail", mini_plan, project.pk),
        {
            "fiscal_year": 2563,
            "quarter": 1,
            "disbursed": "2.5",
            "result_th": "อบรม ๘๐ คน",
            "problems_th": "ผู้สมัครน้อย",
            "remedies_th": "ขยายเวลา",
        },
    )
    assert response.status_code == 302
    assert ProjectProgress.objects.get().disbursed == 2.5
    body = client.get(url("budget", mini_plan) + "?year=2563").content.decode()
    assert "2.5000" in body


def test_a_negative_disbursement_is_refused(client, officer, mini_plan):
    project = Project.objects.get(plan=mini_plan, code="P1")
    client.force_login(officer)
    response = client.post(
        url("project_detail", mini_plan, project.pk),
        {"fiscal_year": 2563, "quarter": 1, "disbursed": "-1"},
    )
    assert response.status_code == 200 and response.context["form"].errors["disbursed"]
    assert not ProjectProgress.objects.exists()


def test_the_consistency_page_lists_the_disagreements(client, mini_plan):
    body = client.get(url("consistency", mini_plan)).content.decode()
    assert "finding-budget_sum" in body and "finding-province_count" in body
    assert "finding-target_differs" in body


def test_the_dashboard_takes_a_fixed_number_of_queries(
    client, bound, mini_plan, django_assert_max_num_queries
):
    MachineFactory(factory=FactoryFactory(), registered_on=date(2019, 11, 1))
    with django_assert_max_num_queries(12):
        assert client.get(url("dashboard", mini_plan) + "?year=2563").status_code == 200


def test_staff_read_the_plan_and_project_pages_with_the_plans_load_in_their_history(
    client, officer, mini_plan
):
    """The load's audit entry counts the plan's strategies, KPIs and projects under the names of
    its reverse relations; the history names them by the related model (was a 500)."""
    client.force_login(officer)
    response = client.get(url("plan_detail", mini_plan) + "?year=2563")
    assert response.status_code == 200
    load = next(r for r in response.context["history"] if r["facts"])
    labels = dict(load["facts"])
    assert labels  # every fact has a label; the counts are shown as given
    assert "3" in labels.values()  # three KPIs in the mini plan
    assert "kpis" not in labels and "projects" not in labels
    project = mini_plan.projects.first()
    assert client.get(url("project_detail", mini_plan, project.pk)).status_code == 200


# --------------------------------------------------------------------------------------------
# The records behind a value read as the rest of the platform: B.E. dates, separated numbers


class _Record:
    def __init__(self, received, at, kg, reported):
        self.received, self.at, self.kg, self.reported = received, at, kg, reported

    def __str__(self):
        return "ใบกำกับ 1"


@pytest.fixture
def records_kpi(mini_plan, monkeypatch):
    from datetime import UTC, datetime
    from decimal import Decimal

    from rongngan.core import metrics

    at = datetime(2021, 10, 6, 7, 44, tzinfo=UTC)  # 14:44 in Bangkok
    row = _Record(date(2020, 1, 15), at, Decimal("503974.2400"), True)
    monkeypatch.setitem(
        metrics._REGISTRY,
        "test.records",
        metrics.Metric(
            key="test.records",
            label="records",
            unit="count",
            accumulation="cumulative",
            compute=lambda periods: [Decimal(1) for _ in periods],
            records=lambda start, end: [row],
            columns=(("received", "received"), ("at", "at"), ("kg", "kg"), ("reported", "r")),
        ),
    )
    kpi = KPI.objects.get(plan=mini_plan, code="K1.1")
    KPI.objects.filter(pk=kpi.pk).update(metric="test.records")
    return kpi


def test_the_records_page_shows_buddhist_era_dates_and_separated_numbers(
    client, officer, records_kpi, mini_plan
):
    client.force_login(officer)
    body = client.get(url("kpi_records", mini_plan, records_kpi.pk) + "?year=2563").content
    body = body.decode()
    table = body[body.index('id="drill-records"') :]
    assert "15 ม.ค. 2563" in table and "6 ต.ค. 2564 14:44" in table
    assert '<td class="num">503,974.24</td>' in table
    for ce in ("2020", "2021", "503974"):
        assert ce not in table


def test_record_cells_in_english_keep_the_buddhist_era(records_kpi):
    from datetime import datetime
    from decimal import Decimal

    from django.utils import translation

    from rongngan.plan.views import record_cell

    with translation.override("en"):
        assert record_cell(date(2020, 1, 15))["text"] == "15 Jan 2563"
        assert record_cell(datetime(2020, 1, 15, 9, 5))["text"].endswith("2563 09:05")
    assert record_cell(Decimal("1234567.5000")) == {"text": "1,234,567.5", "num": True}
    assert record_cell(None)["text"] == "—"
    assert record_cell("10210420000011") == {"text": "10210420000011", "num": False}


# --------------------------------------------------------------------------------------------
# The period asked for: the default year has targets; a bad one is said, not swallowed


def test_after_the_plan_the_pages_default_to_its_latest_year_with_targets(client, mini_plan):
    from unittest import mock

    with mock.patch("django.utils.timezone.localdate", return_value=date(2026, 11, 27)):
        response = client.get(url("dashboard", mini_plan))
        assert response.context["period"].year == 2564  # K2.1 has a 2564 target; 2565 none
        api = client.get(f"/api/v1/plan/kpis/?plan={mini_plan.code}").json()["results"]
        assert {k["result"]["fiscal_year"] for k in api} == {2564}
        body = client.get(url("dashboard", mini_plan) + "?year=2565").content.decode()
    assert 'class="notice no-targets"' in body


@pytest.mark.parametrize("query", ["year=2599", "year=abc", "quarter=5", "quarter=x"])
def test_a_bad_period_is_a_400_in_the_api(client, mini_plan, query):
    response = client.get(f"/api/v1/plan/kpis/?plan={mini_plan.code}&{query}")
    assert response.status_code == 400
    field = query.split("=")[0]
    assert field in {e["field"] for e in response.json()["errors"]}


def test_a_bad_period_is_said_on_the_page(client, mini_plan):
    response = client.get(url("dashboard", mini_plan) + "?year=2599&quarter=9")
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count('class="notice notice-error period-problem"') == 2
    assert "2599" in body
