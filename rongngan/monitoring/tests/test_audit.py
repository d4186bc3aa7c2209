"""The defects of the monitoring audit, each shown fixed: numbers that do not fit their columns,
duplicate and oversized laboratory results, reference oxygen and coordinates out of range, hours
that cannot be corrected to reference oxygen, figures rounded onto their limit, unit changes
that relabel data, limits missing on their first day, screened minutes shown valid, quarters
rewritten by a new point, silent months, conflicting re-sent minutes, cp874 CSV, impossible
dates, officers explaining events, UTC times in notifications, e-mail failures, messages."""

import datetime as dt
from decimal import Decimal as D
from typing import Any

import pytest
from django.core.mail.backends.base import BaseEmailBackend
from django.urls import reverse
from django.utils import timezone

from conftest import api_as
from rongngan.core.errors import RongnganValidationError
from rongngan.monitoring import metrics, queries, services
from rongngan.monitoring.models import (
    DailyAggregate,
    DataAvailability,
    Event,
    HourlyAggregate,
    IngestBatch,
    LabResult,
    MonitoringPoint,
    Notification,
    PointLimit,
    PointParameter,
    QuarantinedRow,
    Reading,
)
from rongngan.monitoring.templatetags.monitoring_numbers import num_vs, pct, qty
from rongngan.monitoring.tests.conftest import T0, minute_rows
from rongngan.monitoring.tests.test_views import client_for

pytestmark = pytest.mark.django_db
URL = "/api/v1/monitoring"


def errors(response: Any) -> set[tuple[str | None, str]]:
    return {(e["field"], e["code"]) for e in response.json()["errors"]}


def codes(exc: RongnganValidationError) -> set[tuple[str | None, str]]:
    return {(p.field, p.code) for p in exc.problems}


def lab_body(point: MonitoringPoint, **extra: Any) -> dict[str, Any]:
    return {
        "point": point.pk,
        "parameter": "cod",
        "lab_name": "Lab B",
        "lab_registration_no": "ว-123",
        "report_no": "R-1",
        "sampled_at": T0.isoformat(),
        "value": "45",
        **extra,
    }


def wobble(value: int, n: int) -> list[int]:
    return [value + (1 if i % 2 else -1) for i in range(n)]


# -------------------------------------------------------------------- 1. numbers that fit


@pytest.mark.parametrize(
    "value,code",
    [("1e20", "too_large"), ("1000000000000", "too_large"), ("0.0000001", "too_many_decimals")],
)
def test_a_lab_value_that_does_not_fit_its_column_is_refused_and_nothing_is_written(
    operator_a, officer, outlet_a, value, code
):
    response = api_as(operator_a).post(
        f"{URL}/lab-results/", lab_body(outlet_a, value=value), format="json"
    )
    assert response.status_code == 400 and ("value", code) in errors(response)
    assert not LabResult.objects.exists() and not Event.objects.exists()
    # ... and every page that lists results or events still works for everyone.
    assert api_as(operator_a).get(f"{URL}/lab-results/").status_code == 200
    assert api_as(officer).get(f"{URL}/events/").status_code == 200
    assert client_for(officer).get(reverse("monitoring:event_list")).status_code == 200
    page = client_for(officer).get(reverse("monitoring:point_detail", args=[outlet_a.pk]))
    assert page.status_code == 200


def test_a_lab_value_too_large_once_converted_is_refused(operator_a, outlet_a):
    # 9e11 % is 9e15 mg/L once converted to the point's unit.
    body = lab_body(outlet_a, value="900000000000", unit="%")
    response = api_as(operator_a).post(f"{URL}/lab-results/", body, format="json")
    assert response.status_code == 400, response.json()
    assert not LabResult.objects.exists()


@pytest.mark.parametrize(
    "data,field",
    [
        ({"range_max": "1e20"}, "range_max"),
        ({"range_min": "-1e20"}, "range_min"),
        ({"limits": [{"averaging": "hour", "value": "1e20", "unit": "ppm"}]}, "limits.0.value"),
        (
            {"limits": [{"averaging": "hour", "value": "5", "upper_value": "1e20"}]},
            "limits.0.upper_value",
        ),
    ],
)
def test_a_range_or_limit_that_does_not_fit_is_refused_and_the_pages_still_work(
    officer, factory_a, stack_a, so2_a, data, field
):
    limits = PointLimit.objects.count()
    response = api_as(officer).post(
        f"{URL}/points/{stack_a.pk}/parameters/", {"parameter": "so2", **data}, format="json"
    )
    assert response.status_code == 400 and (field, "too_large") in errors(response)
    assert PointLimit.objects.count() == limits
    so2_a.refresh_from_db()
    assert so2_a.range_max is None
    assert (
        client_for(officer).get(reverse("monitoring:point_detail", args=[stack_a.pk])).status_code
        == 200
    )
    assert (
        client_for(None).get(reverse("monitoring:factory_public", args=[factory_a.pk])).status_code
        == 200
    )


def test_a_limit_with_more_decimals_than_kept_is_refused_not_rounded(officer, stack_a):
    with pytest.raises(RongnganValidationError) as exc:
        services.point_parameter_set(
            acting_user=officer,
            point=stack_a,
            parameter="hg",
            data={"limits": [{"averaging": "grab", "value": "0.0000005", "unit": "mg/m3"}]},
        )
    assert ("limits.0.value", "too_many_decimals") in codes(exc.value)


# -------------------------------------------------------------- 2. duplicate lab results


def test_a_duplicate_laboratory_result_is_refused_with_a_code_not_a_server_error(
    operator_a, outlet_a
):
    client = api_as(operator_a)
    assert client.post(f"{URL}/lab-results/", lab_body(outlet_a), format="json").status_code == 201
    again = client.post(f"{URL}/lab-results/", lab_body(outlet_a, value="46"), format="json")
    assert again.status_code == 400 and ("report_no", "duplicate_lab_result") in errors(again)
    assert LabResult.objects.get().value == D(45)  # never overwritten


def test_a_duplicate_laboratory_result_on_the_page_is_shown_at_its_field(
    operator_a, stack_a, so2_a
):
    form = {
        "parameter": "so2",
        "lab_name": "Rayong Lab",
        "lab_registration_no": "ว-123",
        "report_no": "R-1",
        "sampled_at": "2026-11-20T10:15",
        "value": "42",
    }
    url = reverse("monitoring:lab_result_create", args=[stack_a.pk])
    assert client_for(operator_a).post(url, form).status_code == 302
    page = client_for(operator_a).post(url, form)
    assert page.status_code == 200 and "report_no" in page.context["form"].errors
    assert LabResult.objects.count() == 1


@pytest.mark.parametrize(
    "field,length,limit",
    [("report_no", 200, 80), ("lab_name", 300, 255), ("lab_registration_no", 61, 60)],
)
def test_text_longer_than_its_column_is_refused(operator_a, outlet_a, field, length, limit):
    response = api_as(operator_a).post(
        f"{URL}/lab-results/", lab_body(outlet_a, **{field: "ก" * length}), format="json"
    )
    assert response.status_code == 400 and (field, "too_long") in errors(response)
    assert not LabResult.objects.exists()


def test_a_point_code_longer_than_its_column_is_refused(officer, factory_a):
    body = {
        "factory": factory_a.pk,
        "code": "X" * 61,
        "name": "n",
        "kind": "stack",
        "method": "continuous",
    }
    response = api_as(officer).post(f"{URL}/points/", body, format="json")
    assert response.status_code == 400 and ("code", "too_long") in errors(response)


# ---------------------------------------------------- 3. reference oxygen and coordinates


def point_body(factory: Any, **extra: Any) -> dict[str, Any]:
    return {
        "factory": factory.pk,
        "code": "A-NEW",
        "name": "New stack",
        "kind": "stack",
        "method": "continuous",
        **extra,
    }


@pytest.mark.parametrize(
    "extra,problem",
    [
        ({"ref_o2_percent": "21"}, ("ref_o2_percent", "o2_out_of_range")),
        ({"ref_o2_percent": "150"}, ("ref_o2_percent", "o2_out_of_range")),
        ({"ref_o2_percent": "-1"}, ("ref_o2_percent", "o2_out_of_range")),
        ({"latitude": "999", "longitude": "100.5"}, ("latitude", "outside_thailand")),
        ({"latitude": "51.5", "longitude": "-0.12"}, ("latitude", "outside_thailand")),
        ({"latitude": "12.68"}, ("longitude", "coordinates_pair")),
        ({"latitude": "1e20", "longitude": "100.5"}, ("latitude", "too_large")),
        ({"ref_temperature_k": "0"}, ("ref_temperature_k", "not_positive")),
    ],
)
def test_a_point_with_reference_oxygen_or_coordinates_out_of_range_is_refused(
    officer, factory_a, extra, problem
):
    factory_a.latitude = factory_a.longitude = None
    factory_a.save()
    response = api_as(officer).post(f"{URL}/points/", point_body(factory_a, **extra), format="json")
    assert response.status_code == 400 and problem in errors(response)
    assert not MonitoringPoint.objects.exists()


def test_a_point_in_thailand_with_reference_oxygen_below_ambient_is_defined(officer, factory_a):
    body = point_body(factory_a, ref_o2_percent="7", latitude="12.6833333", longitude="101.25")
    response = api_as(officer).post(f"{URL}/points/", body, format="json")
    assert response.status_code == 201, response.json()
    point = MonitoringPoint.objects.get()
    assert (point.ref_o2_percent, point.latitude) == (D(7), D("12.683333"))
    # the point keeps its own name (a loop over the coordinates once overwrote it)
    assert point.name == body["name"] and response.json()["name"] == body["name"]


def o2_stack(officer: Any, factory: Any) -> MonitoringPoint:
    """A stack stated at 7 % O2 with a 100 ppm hourly SO2 limit and no oxygen analyser."""
    point = services.point_define(
        acting_user=officer,
        factory=factory,
        data={
            "code": "A-O2",
            "name": "Kiln",
            "kind": "stack",
            "method": "continuous",
            "ref_o2_percent": "7",
        },
    )
    services.point_parameter_set(
        acting_user=officer,
        point=point,
        parameter="so2",
        data={
            "effective_from": "2026-01-01",
            "limits": [{"averaging": "hour", "value": "100", "unit": "ppm"}],
        },
    )
    return point


def test_an_hour_that_cannot_be_corrected_to_reference_oxygen_is_flagged_and_said_so(
    officer, operator_a, factory_a
):
    point = o2_stack(officer, factory_a)
    services.readings_ingest(
        acting_user=operator_a, rows=minute_rows("A-O2", "so2", T0, wobble(1000, 60))
    )
    hour = HourlyAggregate.objects.get(point_parameter__point=point, period_start=T0)
    # Not "valid, ok" (it would be neither judged nor counted as missing).
    assert (hour.valid, hour.reason) == (False, "no_valid_o2")
    assert DataAvailability.objects.get(point_parameter__point=point).valid_hours == 0
    end = (T0 + dt.timedelta(days=1)).astimezone(timezone.get_default_timezone()).date()
    page = client_for(officer).get(
        reverse("monitoring:point_detail", args=[point.pk]),
        {"span": "month", "end": end.isoformat()},
    )
    html = page.content.decode()
    assert 'id="o2-unmeasured"' in html and 'id="o2-flagged"' in html


def test_oxygen_sent_later_makes_the_flagged_hour_valid_and_judged(officer, operator_a, factory_a):
    point = o2_stack(officer, factory_a)
    services.point_parameter_set(
        acting_user=officer, point=point, parameter="o2", data={"limits": []}
    )
    services.readings_ingest(
        acting_user=operator_a, rows=minute_rows("A-O2", "so2", T0, wobble(1000, 60))
    )
    assert not Event.objects.exists()
    services.readings_ingest(
        acting_user=operator_a, rows=minute_rows("A-O2", "o2", T0, wobble(10, 60))
    )
    hour = HourlyAggregate.objects.get(point_parameter__parameter_id="so2", period_start=T0)
    assert (hour.valid, hour.reason) == (True, "ok")
    assert Event.objects.filter(kind="exceedance").count() == 1


# ------------------------------------------------------------------------- 4. rounding


@pytest.mark.parametrize(
    "value,limit,shown",
    [
        ("950.000001", "950", "950.000001"),
        ("949.99996", "950", "949.99996"),
        ("0.00504", "0.005", "0.00504"),
        ("0.000141", "0.00014", "0.000141"),  # 0.0001 would read under the limit
        ("1234.56789", "950", "1,234.5679"),  # far from it: 4 places as usual
        ("950", "950", "950"),
        (None, "950", "—"),
    ],
)
def test_a_value_compared_with_a_limit_never_reads_as_equal_to_it(value, limit, shown):
    assert num_vs(value, limit) == shown


def test_a_value_is_compared_with_every_level_of_a_limit():
    assert num_vs(D("9.00003"), {"low_value": D("5.5"), "high_value": D("9")}) == "9.00003"


@pytest.mark.parametrize(
    "value,shown",
    [("79.60", "79.6"), ("80.40", "80.4"), ("79.99", "79.99"), ("85.30", "85"), ("80.00", "80")],
)
def test_an_availability_percentage_never_reads_as_the_threshold_when_it_is_not(value, shown):
    assert pct(D(value)) == shown


def test_a_stored_quantity_is_shown_exactly():
    assert qty(D("0.000050")) == "0.00005" and qty(D("2000.000000")) == "2,000"


def test_the_pages_show_an_exceedance_and_a_lab_result_not_rounded_onto_the_limit(
    officer, operator_a, stack_a, so2_a
):
    services.readings_ingest(
        acting_user=operator_a, rows=minute_rows("A-STACK-1", "so2", T0, [150] * 60)
    )
    event = Event.objects.get()
    event.worst_value = D("100.000001")
    event.evidence["periods"][0]["compared"] = "100.000001"
    event.save()
    html = (
        client_for(officer)
        .get(reverse("monitoring:event_detail", args=[event.pk]))
        .content.decode()
    )
    assert "<dd>100.000001</dd>" in html and "<strong>100.000001</strong>" in html
    services.lab_result_record(
        acting_user=operator_a,
        point_parameter=so2_a,
        data={
            "lab_name": "L",
            "lab_registration_no": "1",
            "report_no": "R",
            "sampled_at": T0.isoformat(),
            "value": "0.00504",
        },
    )
    DataAvailability.objects.update_or_create(
        point_parameter=so2_a,
        month=dt.date(2026, 11, 1),
        defaults={"expected_hours": 500, "valid_hours": 398, "percent": D("79.60")},
    )
    html = (
        client_for(officer)
        .get(reverse("monitoring:point_detail", args=[stack_a.pk]))
        .content.decode()
    )
    assert "0.00504 ppm" in html
    assert "79.6%" in html and ">80%<" not in html


# --------------------------------------------------------------------- 5. unit changes


def test_the_unit_of_a_parameter_with_data_cannot_change(officer, operator_a, stack_a, so2_a):
    services.readings_ingest(
        acting_user=operator_a, rows=minute_rows("A-STACK-1", "so2", T0, [1200] * 5)
    )
    with pytest.raises(RongnganValidationError) as exc:
        services.point_parameter_set(
            acting_user=officer,
            point=stack_a,
            parameter="so2",
            data={"unit": "mg/m3", "limits": []},
        )
    assert ("unit", "unit_change_with_data") in codes(exc.value)
    so2_a.refresh_from_db()
    assert so2_a.unit == "ppm"


def test_the_unit_of_a_parameter_without_data_may_change_and_a_blank_unit_keeps_it(
    officer, stack_a, so2_a
):
    services.point_parameter_set(
        acting_user=officer, point=stack_a, parameter="so2", data={"unit": "mg/m3"}
    )
    services.point_parameter_set(acting_user=officer, point=stack_a, parameter="so2", data={})
    so2_a.refresh_from_db()
    assert so2_a.unit == "mg/m3"


def test_a_licence_limit_in_a_unit_that_cannot_be_converted_is_refused(officer, stack_a, so2_a):
    with pytest.raises(RongnganValidationError) as exc:
        services.point_parameter_set(
            acting_user=officer,
            point=stack_a,
            parameter="so2",
            data={"limits": [{"averaging": "hour", "value": "5", "unit": "°C"}]},
        )
    assert ("limits.0.unit", "bad_unit") in codes(exc.value)


# -------------------------------------------------------- 6. the limit on its first day


def test_a_limit_starting_today_is_drawn_in_windows_ending_today(officer, stack_a, so2_a):
    services.point_parameter_set(
        acting_user=officer,
        point=stack_a,
        parameter="so2",
        data={"limits": [{"averaging": "hour", "value": "80", "unit": "ppm"}]},
    )
    now = timezone.now()
    day = queries.point_series(officer, stack_a, "so2", now - dt.timedelta(days=1), now, "minute")
    assert D(80) in {li["value"] for li in day.limits}
    month = queries.point_series(officer, stack_a, "so2", now - dt.timedelta(days=31), now, "hour")
    assert {li["value"] for li in month.limits} == {D(100), D(80)}
    # A window ending at midnight does not draw a limit that starts that midnight.
    midnight = dt.datetime.combine(
        timezone.localdate(), dt.time.min, tzinfo=timezone.get_default_timezone()
    )
    before = queries.point_series(
        officer, stack_a, "so2", midnight - dt.timedelta(days=1), midnight, "hour"
    )
    assert {li["value"] for li in before.limits} == {D(100)}


# ------------------------------------------------------------------- 7. screened minutes


def test_the_minute_view_marks_screened_out_minutes_invalid_with_the_reason(
    officer, operator_a, so2_a, stack_a
):
    PointParameter.objects.filter(pk=so2_a.pk).update(range_min=0, range_max=2000)
    services.readings_ingest(
        acting_user=operator_a, rows=minute_rows("A-STACK-1", "so2", T0, [10000, -5, 40])
    )
    response = api_as(officer).get(
        f"{URL}/readings/",
        {
            "point": stack_a.pk,
            "parameter": "so2",
            "start": T0.isoformat(),
            "end": (T0 + dt.timedelta(hours=1)).isoformat(),
            "resolution": "minute",
        },
    )
    values = response.json()["values"]
    assert [(v[2], v[3]) for v in values] == [
        (False, "out_of_range"),
        (False, "out_of_range"),
        (True, ""),
    ]


# ------------------------------------------------------------------ 8. the quarter grid


def test_a_new_point_does_not_turn_past_quarters_to_not_reporting(
    officer, factory_a, stack_a, so2_a
):
    MonitoringPoint.objects.filter(pk=stack_a.pk).update(
        created_at=dt.datetime(2023, 1, 1, tzinfo=dt.UTC)
    )
    today = dt.date(2026, 11, 27)
    cells = queries.factory_quarter_grid(factory_a, today=today)
    for cell in cells:
        DailyAggregate.objects.create(
            point_parameter=so2_a, day=cell.start, value=D(20), valid=True, valid_hours=24
        )
    assert {c.state for c in queries.factory_quarter_grid(factory_a, today=today)} == {"compliant"}
    services.point_define(
        acting_user=officer,
        factory=factory_a,
        data={"code": "A-STACK-2", "name": "New", "kind": "stack", "method": "continuous"},
    )
    PointParameter.objects.create(
        point=MonitoringPoint.objects.get(code="A-STACK-2"), parameter_id="so2", unit="ppm"
    )
    grid = queries.factory_quarter_grid(factory_a, today=today)
    # The new point owes its first report in the current quarter only.
    assert [c.state for c in grid] == ["compliant"] * 11 + ["not_reporting"]


# ----------------------------------------------------------------- 9. silent months


def test_a_month_without_any_data_counts_as_zero_percent(factory_a, so2_a):
    PointParameter.objects.filter(pk=so2_a.pk).update(
        created_at=dt.datetime(2026, 8, 1, tzinfo=dt.UTC)
    )
    MonitoringPoint.objects.filter(pk=so2_a.point_id).update(
        created_at=dt.datetime(2026, 8, 1, tzinfo=dt.UTC)
    )
    DataAvailability.objects.create(
        point_parameter=so2_a,
        month=dt.date(2026, 9, 1),
        expected_hours=720,
        valid_hours=720,
        percent=D(100),
    )
    # October: nothing came, no availability row.
    period = [(dt.date(2026, 9, 1), dt.date(2026, 10, 31))]
    required, reported = metrics.reporting(period)[0]
    assert factory_a.pk in required and factory_a.pk not in reported
    assert metrics.data_availability(period)[0] == D(720) * 100 / (720 + 744)
    # September alone was reported in full.
    assert metrics.reporting([(dt.date(2026, 9, 1), dt.date(2026, 9, 30))])[0][1] == {factory_a.pk}


# ------------------------------------------------------------- 10. conflicting minutes


@pytest.mark.parametrize("process", ["inline", "queue"])
def test_a_stored_minute_sent_again_with_another_value_is_reported_and_kept(
    operator_a, so2_a, process, django_capture_on_commit_callbacks
):
    services.readings_ingest(
        acting_user=operator_a, rows=minute_rows("A-STACK-1", "so2", T0, [40, 41])
    )
    rows = minute_rows("A-STACK-1", "so2", T0, [40, 99, 42])  # same, conflicting, new
    with django_capture_on_commit_callbacks(execute=True):
        result = services.readings_ingest(
            acting_user=operator_a, rows=rows, mode="quarantine", process=process
        )
    batch = result.batch
    assert (batch.status, batch.accepted, batch.duplicates, batch.quarantined) == (
        "partly",
        1,
        1,
        1,
    )
    assert [(r["row"], r["code"]) for r in batch.report] == [(2, "conflicts_stored")]
    assert "41" in batch.report[0]["message_en"]
    assert QuarantinedRow.objects.get(batch=batch).row == 2
    stored = (
        Reading.objects.filter(point_parameter=so2_a).order_by("ts").values_list("value", flat=True)
    )
    assert list(stored) == [D(40), D(41), D(42)]


@pytest.mark.parametrize("process", ["inline", "queue"])
def test_a_conflicting_minute_refuses_a_batch_in_reject_mode(operator_a, so2_a, process):
    services.readings_ingest(acting_user=operator_a, rows=minute_rows("A-STACK-1", "so2", T0, [40]))
    rows = minute_rows("A-STACK-1", "so2", T0, [99, 42])
    with pytest.raises(RongnganValidationError) as exc:
        services.readings_ingest(acting_user=operator_a, rows=rows, process=process)
    assert ("value", "conflicts_stored") in codes(exc.value)
    assert Reading.objects.count() == 1 and IngestBatch.objects.count() == 1


def test_a_minute_twice_in_a_batch_with_two_values_is_reported(operator_a, so2_a):
    rows = minute_rows("A-STACK-1", "so2", T0, [40]) + minute_rows("A-STACK-1", "so2", T0, [41])
    result = services.readings_ingest(acting_user=operator_a, rows=rows, mode="quarantine")
    assert [(r["row"], r["code"]) for r in result.batch.report] == [(2, "duplicate_row")]
    assert Reading.objects.get().value == D(40)


# --------------------------------------------------------------------- 11. cp874 CSV


def test_a_thai_windows_csv_is_read(operator_a, so2_a):
    text = "point,parameter,ts,value,หมายเหตุ\nA-STACK-1,so2,2026-11-20T10:00:00+07:00,12.5,ปกติ\n"
    response = api_as(operator_a).post(
        f"{URL}/readings/", text.encode("cp874"), content_type="text/csv"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["accepted"] == 1


def test_a_csv_in_no_known_encoding_is_a_400(operator_a, so2_a):
    body = b"point,parameter,ts,value\n\xff\xfe\n"
    response = api_as(operator_a).post(f"{URL}/readings/", body, content_type="text/csv")
    assert response.status_code == 400 and (None, "bad_encoding") in errors(response)


def test_the_upload_page_reads_a_thai_windows_csv_as_the_api_does(operator_a, so2_a):
    from django.core.files.uploadedfile import SimpleUploadedFile

    text = "point,parameter,ts,value,หมายเหตุ\nA-STACK-1,so2,2026-11-20T10:00:00+07:00,12.5,ปกติ\n"
    upload = SimpleUploadedFile("batch.csv", text.encode("cp874"), content_type="text/csv")
    page = client_for(operator_a).post(
        reverse("monitoring:upload"), {"file": upload, "mode": "reject", "key": "k1"}
    )
    assert page.status_code == 200 and page.context["result"]["accepted"] == 1


# ------------------------------------------------------------------ 12. impossible dates


@pytest.mark.parametrize(
    "params,problem",
    [
        ({"start": "2026-02-30"}, ("start", "bad_time")),
        ({"end": "2026-13-01"}, ("end", "bad_time")),
        ({"start": "2026-11-21", "end": "2026-11-20"}, ("end", "end_before_start")),
    ],
)
def test_an_impossible_date_or_an_end_before_the_start_is_a_400(
    officer, stack_a, so2_a, params, problem
):
    response = api_as(officer).get(
        f"{URL}/readings/", {"point": stack_a.pk, "parameter": "so2", **params}
    )
    assert response.status_code == 400 and problem in errors(response)


# ---------------------------------------------------------- 13. only operators explain


@pytest.mark.parametrize("who", ["provincial_officer", "officer"])
def test_an_officer_cannot_explain_an_event(request, operator_a, so2_a, who):
    services.readings_ingest(
        acting_user=operator_a, rows=minute_rows("A-STACK-1", "so2", T0, [150] * 60)
    )
    event = Event.objects.get()
    officer = request.getfixturevalue(who)
    response = api_as(officer).post(
        f"{URL}/events/{event.pk}/explain/", {"explanation": "x"}, format="json"
    )
    assert response.status_code == 403
    event.refresh_from_db()
    assert (event.status, event.explanation) == ("open", "")
    with pytest.raises(PermissionError):
        services.event_explain(acting_user=officer, event=event, explanation="x")


# ----------------------------------------------------------- 14. Bangkok times, B.E.


def test_notifications_and_evidence_show_bangkok_time_with_a_buddhist_era_date(
    operator_a, officer, provincial_officer, so2_a
):
    services.readings_ingest(
        acting_user=operator_a, rows=minute_rows("A-STACK-1", "so2", T0, [150] * 60)
    )
    # T0 is 03:00 UTC, 10:00 in Bangkok, on 20 November 2026 (B.E. 2569).
    note = Notification.objects.get(user=operator_a)
    assert "20 พ.ย. 2569 10:00" in note.body and "+00:00" not in note.body
    html = client_for(operator_a).get(reverse("monitoring:notifications")).content.decode()
    assert "20 พ.ย. 2569 10:00" in html and "T03:00:00" not in html
    event = Event.objects.get()
    html = (
        client_for(officer)
        .get(reverse("monitoring:event_detail", args=[event.pk]))
        .content.decode()
    )
    assert "20 พ.ย. 2569 10:01" in html  # the second minute behind the hour
    assert "T03:0" not in html and "+00:00" not in html


def test_an_english_speaking_user_gets_the_english_date(operator_a, so2_a):
    operator_a.language = "en"
    operator_a.save()
    services.readings_ingest(
        acting_user=operator_a, rows=minute_rows("A-STACK-1", "so2", T0, [150] * 60)
    )
    assert "since 20 Nov 2569 10:00" in Notification.objects.get(user=operator_a).body


# -------------------------------------------------------------- 15. e-mail failures


class FailingBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Any) -> int:
        raise OSError("mail server down")


@pytest.mark.parametrize(
    "backend,emailed",
    [
        ("django.core.mail.backends.locmem.EmailBackend", True),
        ("rongngan.monitoring.tests.test_audit.FailingBackend", False),
    ],
)
def test_a_notification_is_marked_emailed_only_when_the_mail_was_sent(
    settings, operator_a, so2_a, backend, emailed, django_capture_on_commit_callbacks, caplog
):
    settings.EMAIL_BACKEND = backend
    operator_a.email = "operator@example.com"
    operator_a.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.readings_ingest(
            acting_user=operator_a, rows=minute_rows("A-STACK-1", "so2", T0, [150] * 60)
        )
    assert Notification.objects.get(user=operator_a).emailed is emailed
    assert ("could not be e-mailed" in caplog.text) is not emailed


# ------------------------------------------------------------------------ 16. messages


def test_a_bad_unit_is_named_without_an_english_reason_in_the_thai_message(officer, stack_a):
    response = api_as(officer).post(
        f"{URL}/points/{stack_a.pk}/parameters/",
        {"parameter": "so2", "unit": "furlong"},
        format="json",
    )
    problem = next(e for e in response.json()["errors"] if e["code"] == "bad_unit")
    assert (
        "Unknown unit" not in problem["message_th"] and "Unknown unit" not in problem["message_en"]
    )


def test_reference_oxygen_too_large_is_refused_with_a_message(officer, factory_a):
    response = api_as(officer).post(
        f"{URL}/points/", point_body(factory_a, ref_o2_percent="1e20"), format="json"
    )
    problem = next(e for e in response.json()["errors"] if e["field"] == "ref_o2_percent")
    assert problem["code"] == "too_large" and problem["message_th"] and problem["message_en"]


def test_bad_attributes_and_limits_get_their_own_messages(officer, factory_a, stack_a):
    response = api_as(officer).post(
        f"{URL}/points/", point_body(factory_a, attributes="boiler"), format="json"
    )
    assert ("attributes", "bad_attributes") in errors(response)
    assert "Each row" not in response.json()["errors"][0]["message_en"]
    response = api_as(officer).post(
        f"{URL}/points/{stack_a.pk}/parameters/",
        {"parameter": "so2", "limits": {"a": 1}},
        format="json",
    )
    assert ("limits", "bad_limits") in errors(response)
    response = api_as(officer).post(
        f"{URL}/points/{stack_a.pk}/parameters/",
        {"parameter": "so2", "limits": ["x"]},
        format="json",
    )
    assert ("limits.0", "bad_limit") in errors(response)


@pytest.mark.parametrize("missing", ["point", "parameter"])
def test_a_lab_result_without_point_or_parameter_is_a_400_required(operator_a, outlet_a, missing):
    body = lab_body(outlet_a)
    del body[missing]
    response = api_as(operator_a).post(f"{URL}/lab-results/", body, format="json")
    assert response.status_code == 400 and (missing, "required") in errors(response)
