"""The reads the pages are built on: series with limits, the province's "now", the factory's
quarter grid, daily CSV rows, events, availability by month; and the KPI metrics."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from rongngan.core import metrics
from rongngan.monitoring import queries, services
from rongngan.monitoring.models import DailyAggregate, MonitoringPoint
from rongngan.monitoring.tests.conftest import T0, minute_rows

pytestmark = pytest.mark.django_db
NOW = T0 + dt.timedelta(minutes=70)


def send(user, rows):
    return services.readings_ingest(acting_user=user, rows=rows, now=NOW)


def test_a_series_at_each_resolution_with_its_limit(operator_a, so2_a, stack_a):
    send(operator_a, minute_rows("A-STACK-1", "so2", T0, [40] * 60))
    end = T0 + dt.timedelta(hours=1)
    minutes = queries.point_series(operator_a, stack_a, "so2", T0, end, "minute")
    assert len(minutes.values) == 60 and minutes.unit == "ppm"
    hours = queries.point_series(operator_a, stack_a, "so2", T0, end, "hour")
    assert hours.values == [(T0, D(40), True, "ok")]
    assert hours.limits[0]["value"] == D(100) and hours.limits[0]["averaging"] == "hour"
    days = queries.point_series(operator_a, stack_a, "so2", T0, end + dt.timedelta(days=1), "day")
    assert days.values[0][0] == dt.date(2026, 11, 20) and days.values[0][2] is False


def test_the_public_gets_daily_averages_only():
    anonymous = type("Anon", (), {"is_authenticated": False})()
    with pytest.raises(PermissionDenied):
        queries.point_series(anonymous, None, "so2", T0, T0, "minute")


def test_auto_resolution_zooms_from_a_year_to_a_minute():
    assert queries.auto_resolution(T0, T0 + dt.timedelta(hours=6)) == "minute"
    assert queries.auto_resolution(T0, T0 + dt.timedelta(days=30)) == "hour"
    assert queries.auto_resolution(T0, T0 + dt.timedelta(days=365)) == "day"


def test_province_now_shows_exceedance_silent_and_ok(officer, operator_a, factory_a, so2_a):
    services.point_define(
        acting_user=officer,
        factory=factory_a,
        data={"code": "A-SILENT", "name": "Old stack", "kind": "stack", "method": "continuous"},
    )
    quiet = services.point_define(
        acting_user=officer,
        factory=factory_a,
        data={"code": "A-OK", "name": "Good stack", "kind": "stack", "method": "continuous"},
    )
    services.point_parameter_set(
        acting_user=officer, point=quiet, parameter="so2", data={"limits": []}
    )
    send(operator_a, minute_rows("A-STACK-1", "so2", T0, [150] * 60))
    send(operator_a, minute_rows("A-OK", "so2", T0 + dt.timedelta(minutes=40), [10] * 30))
    with CaptureQueriesContext(connection) as ctx:
        rows = queries.province_now(officer, "21", now=NOW)
    assert len(ctx.captured_queries) <= 2
    assert [(r.code, r.state) for r in rows] == [
        ("A-STACK-1", "exceedance"),
        ("A-SILENT", "silent"),
        ("A-OK", "ok"),
    ]
    assert rows[0].open_events == 1
    assert queries.province_now(officer, "20", now=NOW) == []


def test_the_quarter_grid_marks_exceedance_and_not_reporting(operator_a, factory_a, so2_a):
    # Set up in May 2026: it owes a report from the second quarter on (see test_audit).
    MonitoringPoint.objects.filter(pk=so2_a.point_id).update(
        created_at=dt.datetime(2026, 5, 1, tzinfo=dt.UTC)
    )
    send(operator_a, minute_rows("A-STACK-1", "so2", T0, [150] * 60))
    DailyAggregate.objects.create(
        point_parameter=so2_a, day=dt.date(2026, 8, 1), value=D(20), valid=True, valid_hours=24
    )
    grid = queries.factory_quarter_grid(factory_a, 12, today=dt.date(2026, 11, 27))
    assert len(grid) == 12
    assert (grid[-1].start, grid[-1].end) == (dt.date(2026, 10, 1), dt.date(2026, 12, 31))
    assert [c.state for c in grid[-3:]] == ["not_reporting", "compliant", "exceedance"]
    assert grid[-1].exceedances == 1


def test_a_factory_without_points_has_no_grid(factory_b):
    assert {c.state for c in queries.factory_quarter_grid(factory_b)} == {"no_points"}


def test_daily_csv_rows_carry_the_limit_in_force(operator_a, factory_a, so2_a):
    DailyAggregate.objects.create(
        point_parameter=so2_a, day=dt.date(2026, 8, 1), value=D(20), valid=True, valid_hours=24
    )
    rows = list(
        queries.daily_averages_csv_rows(factory_a, dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    )
    assert rows[0] == queries.CSV_HEADER
    assert rows[1][:4] == (factory_a.registration_no, "A-STACK-1", "so2", "2026-08-01")
    assert rows[1][7:] == ("yes", 24, D(100), "ppm")


def test_events_for_filters_and_scopes(operator_a, operator_b, so2_a):
    send(operator_a, minute_rows("A-STACK-1", "so2", T0, [150] * 60))
    assert queries.events_for(operator_a, status="open", kind="exceedance").count() == 1
    assert queries.events_for(operator_b).count() == 0
    assert queries.events_for(operator_a, province="20").count() == 0


def test_availability_by_month(operator_a, stack_a, so2_a):
    start = timezone.now() - dt.timedelta(hours=3)
    services.readings_ingest(
        acting_user=operator_a, rows=minute_rows("A-STACK-1", "so2", start, [1, 2] * 30)
    )
    months = queries.availability_by_month(stack_a)
    assert list(months) == ["so2"] and months["so2"][0][1] >= 0


# ---------------------------------------------------------------------------- metrics

PERIOD = [(dt.date(2026, 11, 1), dt.date(2026, 11, 30))]


@pytest.fixture
def set_up_in_january(stack_a, stack_b):
    """The points were set up before the periods asked about."""
    from rongngan.monitoring.models import MonitoringPoint

    MonitoringPoint.objects.update(created_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))


def test_the_reporting_share_counts_continuous_and_periodic_points(
    officer, operator_a, operator_b, so2_a, stack_b, factory_b, set_up_in_january
):
    kpi = metrics.get("monitoring.share_of_factories_reporting")
    assert (kpi.unit, kpi.accumulation) == ("percent", "level")
    # Nothing reported yet: two factories required, none reported.
    assert kpi.compute(PERIOD) == [D(0)]
    # Factory A's stack reaches the availability share in November (all hours valid so far).
    from rongngan.monitoring.models import DataAvailability

    DataAvailability.objects.create(
        point_parameter=so2_a,
        month=dt.date(2026, 11, 1),
        expected_hours=720,
        valid_hours=700,
        percent=D("97.22"),
    )
    assert kpi.compute(PERIOD) == [D(50)]
    records = list(kpi.records(*PERIOD[0]))
    assert {(f.registration_no, f.reported) for f in records} == {
        (so2_a.point.factory.registration_no, True),
        (factory_b.registration_no, False),
    }
    # A periodic point of factory B reports by a laboratory result.
    from rongngan.monitoring.models import MonitoringPoint

    MonitoringPoint.objects.filter(code="B-STACK-1").update(method="periodic", frequency="month")
    pp = stack_b.parameters.get()
    services.lab_result_record(
        acting_user=operator_b,
        point_parameter=pp,
        data={
            "lab_name": "Lab",
            "lab_registration_no": "ว-1",
            "report_no": "1",
            "sampled_at": "2026-11-10T10:00:00+07:00",
            "value": "20",
        },
    )
    assert kpi.compute(PERIOD) == [D(100)]
    # A monthly point is not due in a one-week period: only factory A is required then.
    week = (dt.date(2026, 11, 2), dt.date(2026, 11, 8))
    assert kpi.compute([week]) == [D(100)]
    assert [f.registration_no for f in kpi.records(*week)] == [so2_a.point.factory.registration_no]
    # Points set up after a period ended were not required in it.
    assert kpi.compute([(dt.date(2025, 11, 1), dt.date(2025, 11, 30))]) == [None]


def test_data_availability_metric(so2_a):
    from rongngan.monitoring.models import DataAvailability

    kpi = metrics.get("monitoring.data_availability")
    # Before the parameter existed nothing is owed; since then a month of silence is 0 %.
    assert kpi.compute([(dt.date(2026, 9, 1), dt.date(2026, 9, 30))]) == [None]
    assert kpi.compute(PERIOD) == [D(0)]
    DataAvailability.objects.create(
        point_parameter=so2_a,
        month=dt.date(2026, 10, 1),
        expected_hours=744,
        valid_hours=372,
        percent=D(50),
    )
    # October has 744 hours (Bangkok): half of them valid.
    assert kpi.compute([(dt.date(2026, 10, 1), dt.date(2026, 10, 31))]) == [D(50)]


def test_no_required_factory_means_no_value(db):
    assert metrics.get("monitoring.share_of_factories_reporting").compute(PERIOD) == [None]
