"""Edges of the monitoring pipeline: limits at reference oxygen judged on corrected values (also
when the oxygen comes later, and never a raw day), repeated gaps, the reporting KPI of a point
that fell silent, calendar quarters, late and repeated hours of an event, flat lines completed by
a later batch, and odd rows quarantined rather than failing."""

import datetime as dt
import itertools
from decimal import Decimal as D

import pytest

from conftest import api_as
from rongngan.monitoring import clocks, services
from rongngan.monitoring.models import DailyAggregate, Event, HourlyAggregate
from rongngan.monitoring.tests.conftest import T0, minute_rows

pytestmark = pytest.mark.django_db
H = dt.timedelta(hours=1)


def wobble(value, n):
    """n minutes around `value` (mean exactly `value`), so no flat-line flag."""
    return [value + (1 if i % 2 else -1) for i in range(n)]


def oil_boiler(officer, factory, ref_o2):
    """A stack taking the catalogue's oil-boiler limits (stated at 7 % O2) for SO2, and O2."""
    point = services.point_define(
        acting_user=officer,
        factory=factory,
        data={
            "code": "A-BOILER",
            "name": "Oil boiler",
            "kind": "stack",
            "method": "continuous",
            "fuel": "oil",
            "attributes": {"source": "boiler_furnace"},
            "ref_o2_percent": ref_o2,
        },
    )
    for code in ("so2", "o2"):
        services.point_parameter_set(
            acting_user=officer, point=point, parameter=code, data={"effective_from": "2026-01-01"}
        )
    return point


def test_a_catalogue_limit_at_reference_oxygen_is_judged_on_the_corrected_value(
    officer, factory_a, operator_a
):
    point = oil_boiler(officer, factory_a, None)  # the officer left the point's O2 blank
    limit = point.parameters.get(parameter_id="so2").limits.get()
    assert (limit.ref_o2_percent, limit.value) == (D(7), D(950))
    rows = minute_rows("A-BOILER", "o2", T0, wobble(D(15), 60))
    rows += minute_rows("A-BOILER", "so2", T0, wobble(D(500), 60))
    services.readings_ingest(acting_user=operator_a, rows=rows)
    # 500 ppm at 15 % O2 is 500 × (20.9 − 7) / (20.9 − 15) = 1,178 ppm at 7 % O2 > 950.
    assert Event.objects.filter(kind="exceedance").count() == 1


def test_oxygen_sent_after_the_pollutant_corrects_the_pollutants_hour(
    officer, factory_a, operator_a
):
    oil_boiler(officer, factory_a, "7")
    services.readings_ingest(
        acting_user=operator_a, rows=minute_rows("A-BOILER", "so2", T0, wobble(D(500), 60))
    )
    services.readings_ingest(
        acting_user=operator_a, rows=minute_rows("A-BOILER", "o2", T0, wobble(D(15), 60))
    )
    hour = HourlyAggregate.objects.get(point_parameter__parameter_id="so2", period_start=T0)
    assert hour.corrected_value is not None
    assert abs(hour.corrected_value - D("1177.97")) < D("0.01")
    assert Event.objects.filter(kind="exceedance").count() == 1


def test_a_day_without_oxygen_is_not_judged_uncorrected_against_a_limit_at_reference_oxygen(
    officer, factory_a, operator_a
):
    point = oil_boiler(officer, factory_a, "7")
    services.point_parameter_set(
        acting_user=officer,
        point=point,
        parameter="so2",
        data={
            "effective_from": "2026-01-01",
            "limits": [{"averaging": "day", "value": "100", "unit": "ppm"}],
        },
    )
    bangkok_day = dt.datetime(2026, 11, 19, 17, tzinfo=dt.UTC)  # 20 Nov 00:00 Bangkok
    services.readings_ingest(
        acting_user=operator_a,
        rows=minute_rows("A-BOILER", "so2", bangkok_day, wobble(D(500), 24 * 60)),
    )
    day = DailyAggregate.objects.get(point_parameter__parameter_id="so2")
    # Every hour had corrected_value None (no O2), so each is flagged no_valid_o2 (not valid):
    # the day has no corrected value either, and the uncorrected 500 ppm is not compared with
    # a limit stated at 7 % O2.
    assert not day.valid
    assert set(
        HourlyAggregate.objects.filter(point_parameter__parameter_id="so2").values_list(
            "reason", flat=True
        )
    ) == {"no_valid_o2"}
    assert day.corrected_value is None
    assert not Event.objects.filter(kind="exceedance").exists()


def test_a_second_data_gap_opens_its_own_event_while_the_first_awaits_its_decision(
    settings, operator_a, so2_a
):
    settings.MONITORING_GAP_MINUTES = 60
    services.readings_ingest(acting_user=operator_a, rows=minute_rows("A-STACK-1", "so2", T0, [30]))
    assert clocks.run_clocks(T0 + 2 * H)["gaps_opened"] == 1
    # Data resume (the first gap event is marked resumed, still open for its explanation) ...
    services.readings_ingest(
        acting_user=operator_a, rows=minute_rows("A-STACK-1", "so2", T0 + 3 * H, [31])
    )
    # ... then the analyser goes silent again for well over the gap length.
    assert clocks.run_clocks(T0 + 6 * H)["gaps_opened"] == 1
    assert Event.objects.filter(kind="data_gap").count() == 2


@pytest.mark.parametrize(
    "field,raw",
    [
        ("ts", "0001-01-01T00:00:00+07:00"),  # before UTC's first day
        ("ts", "9999-12-31T23:59:00-07:00"),  # after UTC's last day
        ("ts", "2026-11-20T03:00:00+24:00"),  # an offset datetime refuses
        ("value", "1e999999999"),  # finite, but abs() overflows the decimal context
        ("point", ["A-STACK-1"]),  # not a string
        ("parameter", {"code": "so2"}),  # not a string
    ],
)
def test_an_odd_row_is_quarantined_with_a_problem_not_a_server_error(field, raw, operator_a, so2_a):
    row = {"point": "A-STACK-1", "parameter": "so2", "ts": T0.isoformat(), "value": "5"}
    row[field] = raw
    response = api_as(operator_a).post(
        "/api/v1/monitoring/readings/?mode=quarantine", {"rows": [row]}, format="json"
    )
    assert response.status_code == 201
    assert (response.json()["accepted"], response.json()["quarantined"]) == (0, 1)


@pytest.mark.parametrize(
    "value,unit",
    [
        ("999999999999.9999999", None),  # under the 1e12 check, but rounds to 1e12 when stored
        ("900000000000", "%"),  # 9e11 % by volume is 9e15 ppm once converted
    ],
)
def test_a_value_that_does_not_fit_the_stored_columns_is_refused_as_too_large(
    value, unit, operator_a, so2_a
):
    # The reading table (numeric(18, 6) on PostgreSQL) holds below 1e12 in the point's unit.
    row = {"point": "A-STACK-1", "parameter": "so2", "ts": T0.isoformat(), "value": value}
    if unit:
        row["unit"] = unit
    result = services.readings_ingest(acting_user=operator_a, rows=[row], mode="quarantine")
    assert (result.batch.accepted, result.batch.quarantined) == (0, 1)
    assert result.batch.report[0]["code"] == "too_large"


def test_a_point_silent_after_the_first_hour_of_a_month_did_not_report_that_month(
    operator_a, factory_a, so2_a
):
    from rongngan.monitoring import metrics

    first_hour = dt.datetime(2026, 10, 31, 17, tzinfo=dt.UTC)  # 1 Nov 00:00 Bangkok
    services.readings_ingest(
        acting_user=operator_a,
        rows=minute_rows("A-STACK-1", "so2", first_hour, wobble(D(10), 60)),
        now=first_hour + dt.timedelta(minutes=59, seconds=30),
    )
    # Nothing more arrives in November: one valid hour of 720.
    required, reported = metrics.reporting([(dt.date(2026, 11, 1), dt.date(2026, 11, 30))])[0]
    assert factory_a.pk in required
    assert factory_a.pk not in reported
    assert metrics.data_availability([(dt.date(2026, 11, 1), dt.date(2026, 11, 30))])[0] < 80


@pytest.mark.parametrize(
    "day,quarter",
    [
        (dt.date(2026, 2, 10), (dt.date(2026, 1, 1), dt.date(2026, 3, 31))),
        (dt.date(2026, 5, 10), (dt.date(2026, 4, 1), dt.date(2026, 6, 30))),
        (dt.date(2026, 8, 10), (dt.date(2026, 7, 1), dt.date(2026, 9, 30))),
        (dt.date(2026, 11, 10), (dt.date(2026, 10, 1), dt.date(2026, 12, 31))),
    ],
)
def test_a_calendar_quarter_ends_on_its_third_months_last_day(day, quarter):
    from rongngan.monitoring import queries

    assert queries.quarter_of(day) == quarter


def test_the_public_quarter_grid_cells_do_not_overlap(factory_a, stack_a):
    from rongngan.monitoring import queries

    cells = queries.factory_quarter_grid(factory_a, today=dt.date(2026, 11, 27))
    assert len(cells) == 12
    for before, after in itertools.pairwise(cells):
        assert before.end + dt.timedelta(days=1) == after.start


def test_a_late_minute_in_an_hour_already_counted_does_not_count_it_twice(operator_a, so2_a):
    start = T0 - 50 * H
    values = wobble(D(500), 50 * 60)
    rows = minute_rows("A-STACK-1", "so2", start, values)
    services.readings_ingest(acting_user=operator_a, rows=rows[:-1])
    event = Event.objects.get(kind="exceedance")
    assert event.periods == 50
    services.readings_ingest(acting_user=operator_a, rows=rows[-1:])
    event.refresh_from_db()
    assert event.periods == 50


def test_an_earlier_hour_arriving_late_extends_the_event_instead_of_opening_another(
    operator_a, so2_a
):
    services.readings_ingest(
        acting_user=operator_a, rows=minute_rows("A-STACK-1", "so2", T0 + H, wobble(D(500), 60))
    )
    services.readings_ingest(
        acting_user=operator_a, rows=minute_rows("A-STACK-1", "so2", T0, wobble(D(500), 60))
    )
    assert Event.objects.filter(kind="exceedance").count() == 1


def test_a_flat_line_completed_by_a_later_batch_invalidates_the_hours_it_began_in(
    operator_a, so2_a
):
    # MONITORING_FLATLINE_MINUTES = 120: 140 equal minutes are a stuck analyser, whether they
    # arrive in one batch or in two.
    rows = minute_rows("A-STACK-1", "so2", T0, [50] * 140)
    services.readings_ingest(acting_user=operator_a, rows=rows[:100])
    services.readings_ingest(acting_user=operator_a, rows=rows[100:])
    first = HourlyAggregate.objects.get(point_parameter=so2_a, period_start=T0)
    assert first.valid is False
