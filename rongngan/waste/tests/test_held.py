"""Waste held at the generator: the monthly log and its corrections, oldest-first holdings, the
90-day storage clock and its approval, the mass balance, the annual report and its clock, and
processors near capacity; through services, the API and the page."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import api_as
from rongngan.core.errors import RongnganValidationError
from rongngan.waste import queries, services
from rongngan.waste.clocks import run_clocks
from rongngan.waste.models import Alert, AnnualReport, GenerationRecord, ProcessorPermit
from rongngan.waste.tests.test_services import receive


def codes_of(exc):
    return [(p.field, p.code) for p in exc.value.problems]


def log(user, stream, month, quantity, unit="kg"):
    return services.generation_record(
        acting_user=user, stream=stream, data={"month": month, "quantity": quantity, "unit": unit}
    )


@pytest.fixture
def shipped(draft, operator_a, driver_1, driver_2):
    """1,240 kg of the battery stream left on 10 January 2026."""
    t0 = timezone.make_aware(dt.datetime(2026, 1, 10, 9, 0))
    m = services.manifest_sign(acting_user=operator_a, manifest=draft, data={"signed_at": t0})
    m = services.manifest_sign(
        acting_user=driver_1, manifest=m, data={"signed_at": t0 + dt.timedelta(hours=1)}
    )
    return services.manifest_sign(
        acting_user=driver_2, manifest=m, data={"signed_at": t0 + dt.timedelta(hours=2)}
    )


@pytest.fixture
def logged(battery_stream, operator_a):
    log(operator_a, battery_stream, "2026-01", "1000")
    log(operator_a, battery_stream, "2026-02", "0.5", unit="t")
    return battery_stream


# --- the log ----------------------------------------------------------------------------------


def test_a_month_is_logged_in_kg_whatever_unit_was_given(logged):
    assert [(r.month, r.quantity_kg) for r in logged.generation.order_by("month")] == [
        (dt.date(2026, 1, 1), D("1000")),
        (dt.date(2026, 2, 1), D("500")),
    ]


@pytest.mark.parametrize(
    "data, expected",
    [
        ({"month": "2026-13", "quantity": "1"}, [("month", "bad_month")]),
        ({"month": "January", "quantity": "1"}, [("month", "bad_month")]),
        ({"month": "2099-01", "quantity": "1"}, [("month", "invalid_year")]),
        ({"month": "2026-03", "quantity": "-1"}, [("quantity", "negative")]),
        ({"month": "2026-03", "quantity": "1", "unit": "L"}, [("unit", "unit")]),
        ({"month": "", "quantity": ""}, [("month", "required"), ("quantity", "required")]),
    ],
)
def test_bad_log_entries_are_refused_and_nothing_is_written(
    battery_stream, operator_a, data, expected
):
    with pytest.raises(RongnganValidationError) as exc:
        services.generation_record(acting_user=operator_a, stream=battery_stream, data=data)
    assert codes_of(exc) == expected
    assert not GenerationRecord.objects.exists()


def test_a_month_is_logged_once_and_then_only_corrected_with_a_reason(logged, operator_a):
    with pytest.raises(RongnganValidationError) as exc:
        log(operator_a, logged, "2026-01", "5")
    assert codes_of(exc) == [("month", "month_logged")]
    first = logged.generation.get(month=dt.date(2026, 1, 1))
    with pytest.raises(RongnganValidationError) as exc:
        services.generation_correct(
            acting_user=operator_a, record=first, data={"quantity": "900", "reason": ""}
        )
    assert codes_of(exc) == [("reason", "required")]
    new = services.generation_correct(
        acting_user=operator_a, record=first, data={"quantity": "900", "reason": "weighbridge"}
    )
    first.refresh_from_db()
    assert not first.is_current and new.replaces == first and new.quantity_kg == D("900")
    with pytest.raises(RongnganValidationError) as exc:
        services.generation_correct(
            acting_user=operator_a, record=first, data={"quantity": "1", "reason": "again"}
        )
    assert codes_of(exc) == [(None, "not_current")]


def test_only_the_generator_logs_its_waste(logged, operator_b, officer):
    for user in (operator_b, officer):
        with pytest.raises(PermissionError):
            log(user, logged, "2026-03", "1")


# --- what is held, oldest first ---------------------------------------------------------------


def test_shipments_take_the_oldest_waste_first(logged, shipped):
    # 1,500 kg logged (Jan 1,000, Feb 500), 1,240 kg left: 260 kg of February's is still held.
    held = queries.held_since([logged.pk], dt.date(2026, 3, 15))
    assert held == {logged.pk: (D("260"), dt.date(2026, 2, 28))}


def test_nothing_is_held_when_everything_logged_has_left(battery_stream, operator_a, shipped):
    log(operator_a, battery_stream, "2026-01", "1240")
    assert queries.held_since([battery_stream.pk], dt.date(2026, 3, 1)) == {}


def test_the_storage_alert_comes_on_the_91st_day_and_ends_with_an_approval(
    logged, shipped, officer
):
    # The oldest waste held was made by 28 February 2026 at the latest.
    assert run_clocks(dt.date(2026, 5, 29))["storage"] == 0
    assert run_clocks(dt.date(2026, 5, 30))["storage"] == 1
    alert = Alert.objects.get(kind="storage")
    assert (alert.stream, alert.factory, alert.due_since) == (
        logged,
        logged.generator,
        dt.date(2026, 5, 29),
    )
    assert run_clocks(dt.date(2026, 5, 31))["storage"] == 0  # raised once
    services.storage_permit(
        acting_user=officer, stream=logged, valid_until="2099-01-31", reason="awaiting kiln"
    )
    assert run_clocks(dt.date(2026, 6, 1))["closed"] == 1
    assert Alert.objects.get(kind="storage").closed_at is not None


def test_a_storage_approval_needs_an_officer_a_reason_and_a_date_ahead(logged, operator_a, officer):
    with pytest.raises(PermissionError):
        services.storage_permit(
            acting_user=operator_a, stream=logged, valid_until="2099-01-01", reason="x"
        )
    with pytest.raises(RongnganValidationError) as exc:
        services.storage_permit(
            acting_user=officer, stream=logged, valid_until="2001-01-01", reason=""
        )
    assert codes_of(exc) == [("reason", "required"), ("valid_until", "past_date")]


# --- mass balance and the annual report -------------------------------------------------------


def test_the_mass_balance_follows_the_year(logged, shipped, operator_a):
    log(operator_a, logged, "2025-12", "100")
    (row,) = queries.mass_balance(type(logged).objects.filter(pk=logged.pk), 2026)
    assert (row["opening_kg"], row["generated_kg"], row["shipped_kg"], row["closing_kg"]) == (
        D("100"),
        D("1500"),
        D("1240"),
        D("360"),
    )
    assert not row["incomplete_log"]
    (before,) = queries.mass_balance(type(logged).objects.filter(pk=logged.pk), 2025)
    assert (before["generated_kg"], before["closing_kg"]) == (D("100"), D("100"))


def test_shipping_more_than_was_logged_is_flagged_not_hidden(battery_stream, operator_a, shipped):
    log(operator_a, battery_stream, "2026-01", "1000")
    (row,) = queries.mass_balance(type(battery_stream).objects.filter(pk=battery_stream.pk), 2026)
    assert row["closing_kg"] == D("-240") and row["incomplete_log"]


def test_the_annual_report_is_for_a_finished_year_and_amendments_are_versions(
    logged, operator_a, operator_b, factory_a
):
    this_year = timezone.localdate().year
    with pytest.raises(RongnganValidationError) as exc:
        services.annual_report_submit(acting_user=operator_a, generator=factory_a, year=this_year)
    assert codes_of(exc) == [("year", "year_not_over")]
    with pytest.raises(RongnganValidationError) as exc:
        services.annual_report_submit(acting_user=operator_a, generator=factory_a, year="MMXXV")
    assert codes_of(exc) == [("year", "bad_year")]
    with pytest.raises(PermissionError):
        services.annual_report_submit(acting_user=operator_b, generator=factory_a, year=2025)
    assert not AnnualReport.objects.exists()
    first = services.annual_report_submit(acting_user=operator_a, generator=factory_a, year=2025)
    second = services.annual_report_submit(
        acting_user=operator_a, generator=factory_a, year=2025, note="weights corrected"
    )
    assert (first.version, second.version) == (1, 2)
    assert first.figures[0]["waste_code"] == "16 06 01" and "closing_kg" in first.figures[0]


def test_a_missing_annual_report_is_raised_the_day_after_1_march_and_closed_by_filing(
    battery_stream, operator_a, factory_a
):
    log(operator_a, battery_stream, "2025-06", "10")
    assert run_clocks(dt.date(2026, 3, 1))["annual_report"] == 0
    assert run_clocks(dt.date(2026, 3, 2))["annual_report"] == 1
    assert run_clocks(dt.date(2026, 3, 3))["annual_report"] == 0
    alert = Alert.objects.get(kind="annual_report")
    assert (alert.factory, alert.year, alert.due_since) == (factory_a, 2025, dt.date(2026, 3, 1))
    services.annual_report_submit(acting_user=operator_a, generator=factory_a, year=2025)
    run_clocks(dt.date(2026, 3, 4))
    alert.refresh_from_db()
    assert alert.closed_at is not None


def test_a_factory_without_waste_activity_owes_no_report(battery_stream):
    assert run_clocks(dt.date(2026, 3, 2))["annual_report"] == 0


# --- processors near capacity -----------------------------------------------------------------


def test_a_permit_is_near_capacity_from_the_warning_share(shipped, processor, processor_user):
    m = receive(shipped, processor_user, "1200")
    year = timezone.localtime(m.received_at).year
    permit = ProcessorPermit.objects.get(processor=processor, waste_code="160601", operation="R4")
    permit.capacity_tonnes = D("1.55")  # 1.24 t accepted = exactly 80 %
    permit.save()
    (row,) = queries.capacity_use(year, share=D("0.8"))
    assert row["permit"] == permit and row["tonnes"] == D("1.24") and row["share"] == D("0.8")
    permit.capacity_tonnes = D("1.56")
    permit.save()
    assert queries.capacity_use(year, share=D("0.8")) == []


# --- API --------------------------------------------------------------------------------------


def test_the_api_logs_corrects_and_reads_the_log(battery_stream, operator_a):
    client = api_as(operator_a)
    url = f"/api/v1/waste/streams/{battery_stream.pk}/generation/"
    r = client.post(url, {"month": "2026-01", "quantity": "2", "unit": "t"}, format="json")
    assert r.status_code == 201, r.content
    assert r.json()["quantity_kg"] == "2000.0000" and r.json()["month"] == "2026-01"
    r = client.post(url, {"month": "2026-01", "quantity": "1"}, format="json")
    assert r.status_code == 400
    (problem,) = r.json()["errors"]
    assert problem["code"] == "month_logged" and problem["message_th"] and problem["message_en"]
    rid = GenerationRecord.objects.get().pk
    r = client.post(f"{url}{rid}/correct/", {"quantity": "1900", "reason": "scale"}, format="json")
    assert r.status_code == 201 and r.json()["replaces"] == rid
    rows = client.get(url).json()
    assert [(x["quantity_kg"], x["is_current"]) for x in rows] == [
        ("2000.0000", False),
        ("1900.0000", True),
    ]


def test_another_company_cannot_reach_the_stream_and_nothing_is_written(battery_stream, operator_b):
    r = api_as(operator_b).post(
        f"/api/v1/waste/streams/{battery_stream.pk}/generation/",
        {"month": "2026-01", "quantity": "1"},
        format="json",
    )
    assert r.status_code == 404
    assert not GenerationRecord.objects.exists()
    assert api_as(None).get("/api/v1/waste/mass-balance/?generator=1&year=2025").status_code in (
        401,
        403,
    )


def test_the_api_gives_held_waste_mass_balance_and_reports(logged, shipped, operator_a, factory_a):
    client = api_as(operator_a)
    (held,) = client.get("/api/v1/waste/streams/held/").json()
    assert held["held_kg"] == "260.0000" and held["oldest_made_by"] == "2026-02-28"
    balance = client.get(f"/api/v1/waste/mass-balance/?generator={factory_a.pk}&year=2026").json()
    assert balance["streams"][0]["closing_kg"] == "260.0000"
    r = client.get("/api/v1/waste/mass-balance/?generator=x&year=1")
    assert r.status_code == 400
    assert {e["field"] for e in r.json()["errors"]} == {"generator", "year"}
    r = client.post(
        "/api/v1/waste/annual-reports/", {"generator": factory_a.pk, "year": 2025}, format="json"
    )
    assert r.status_code == 201 and r.json()["version"] == 1
    assert client.get("/api/v1/waste/annual-reports/").json()["count"] == 1


def test_storage_permits_through_the_api_are_for_officers(logged, operator_a, officer):
    url = f"/api/v1/waste/streams/{logged.pk}/storage-permits/"
    body = {"valid_until": "2099-12-31", "reason": "kiln down"}
    assert api_as(operator_a).post(url, body, format="json").status_code == 403
    r = api_as(officer).post(url, body, format="json")
    assert r.status_code == 201 and r.json()["valid_until"] == "2099-12-31"


def test_capacity_is_for_officers(operator_a, officer, provincial_officer):
    assert api_as(operator_a).get("/api/v1/waste/capacity/").status_code == 403
    assert api_as(officer).get("/api/v1/waste/capacity/").status_code == 200
    assert api_as(provincial_officer).get("/api/v1/waste/capacity/").status_code == 200


# --- the page ---------------------------------------------------------------------------------


def test_the_generator_logs_a_month_and_files_a_report_on_the_page(
    client, battery_stream, operator_a, factory_a
):
    client.force_login(operator_a)
    page = reverse("waste:held")
    r = client.post(
        page,
        {
            "action": "log",
            "factory": factory_a.pk,
            "log-stream": battery_stream.pk,
            "log-month": "2026-01",
            "log-quantity": "abc",
            "log-unit": "kg",
        },
    )
    assert r.status_code == 400 and "log-quantity" in r.content.decode()
    assert not GenerationRecord.objects.exists()
    r = client.post(
        page,
        {
            "action": "log",
            "factory": factory_a.pk,
            "log-stream": battery_stream.pk,
            "log-month": "2026-01",
            "log-quantity": "750",
            "log-unit": "kg",
        },
    )
    assert r.status_code == 302
    r = client.get(f"{page}?factory={factory_a.pk}&year=2026")
    html = r.content.decode()
    assert r.status_code == 200 and 'id="balance-table"' in html and "750" in html
    r = client.post(page, {"action": "report", "factory": factory_a.pk, "report-year": "2025"})
    assert r.status_code == 302 and AnnualReport.objects.filter(year=2025).count() == 1


def test_the_page_refuses_the_public_and_other_roles(client, inspector):
    assert client.get(reverse("waste:held")).status_code == 302
    client.force_login(inspector)
    assert client.get(reverse("waste:held")).status_code == 403


def test_an_officer_approves_storage_on_the_page(client, logged, officer):
    client.force_login(officer)
    page = reverse("waste:held")
    r = client.post(
        f"{page}?factory={logged.generator_id}",
        {
            "action": "permit",
            "factory": logged.generator_id,
            "permit-stream": logged.pk,
            "permit-valid_until": "2099-06-30",
            "permit-reason": "awaiting kiln",
        },
    )
    assert r.status_code == 302
    assert logged.storage_permissions.get().valid_until == dt.date(2099, 6, 30)
