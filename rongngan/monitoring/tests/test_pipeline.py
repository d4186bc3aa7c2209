"""From minutes to judged averages: validity at the boundaries, corrections, exceedances on the
averaging period, escalation, data gaps and notices, notifications."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core import mail

from rongngan.monitoring import clocks, services
from rongngan.monitoring.models import (
    DailyAggregate,
    DataAvailability,
    Event,
    HourlyAggregate,
    Notification,
)
from rongngan.monitoring.tests.conftest import T0, minute_rows

pytestmark = pytest.mark.django_db
H = dt.timedelta(hours=1)


def wobble(value, n):
    """n minutes around `value` (mean exactly `value`): a constant run of two hours would be
    flagged as a flat-lined analyser."""
    return [value + (1 if i % 2 else -1) for i in range(n)]


def send(user, rows, **kw):
    return services.readings_ingest(acting_user=user, rows=rows, **kw)


def hour(pp, start=T0):
    return HourlyAggregate.objects.get(point_parameter=pp, period_start=start)


def test_an_hour_with_just_enough_valid_minutes_is_valid(operator_a, so2_a):
    # th-cems-default: 75 % of 60 minutes = 45 valid minutes.
    send(operator_a, minute_rows("A-STACK-1", "so2", T0, [10] * 45))
    h = hour(so2_a)
    assert (h.valid, h.valid_minutes, h.value) == (True, 45, D(10))


def test_an_hour_with_one_valid_minute_too_few_is_not_valid(operator_a, so2_a):
    values = [10] * 45
    send(operator_a, minute_rows("A-STACK-1", "so2", T0, values, flags={0: "calibration"}))
    h = hour(so2_a)
    assert (h.valid, h.valid_minutes, h.value) == (False, 44, None)
    assert h.reason == "calibration_or_maintenance"


def test_a_later_batch_completes_an_hour_incrementally(operator_a, so2_a):
    send(operator_a, minute_rows("A-STACK-1", "so2", T0, [10] * 30))
    assert hour(so2_a).valid is False
    send(operator_a, minute_rows("A-STACK-1", "so2", T0 + dt.timedelta(minutes=30), [20] * 30))
    h = hour(so2_a)
    assert (h.valid, h.valid_minutes, h.value) == (True, 60, D(15))


def test_minutes_out_of_the_instrument_range_are_not_valid(officer, operator_a, stack_a, so2_a):
    services.point_parameter_set(
        acting_user=officer,
        point=stack_a,
        parameter="so2",
        data={
            "range_min": "0",
            "range_max": "500",
            "effective_from": "2026-01-01",
            "limits": [{"averaging": "hour", "value": "100"}],
        },
    )
    send(operator_a, minute_rows("A-STACK-1", "so2", T0, [10] * 44 + [900] * 16))
    h = hour(so2_a)
    assert (h.valid, h.valid_minutes) == (False, 44)


def test_an_hourly_average_over_the_limit_opens_an_event_with_its_evidence(
    operator_a, so2_a, provincial_officer, django_capture_on_commit_callbacks
):
    operator_a.email = "ops@example.com"
    operator_a.save()
    with django_capture_on_commit_callbacks(execute=True):
        result = send(operator_a, minute_rows("A-STACK-1", "so2", T0, [150] * 60))
    event = Event.objects.get()
    assert result.events_opened == [event.pk]
    assert (event.kind, event.status, event.level, event.periods) == ("exceedance", "open", 1, 1)
    assert event.first_period == T0 and event.worst_value == D(150)
    period = event.evidence["periods"][0]
    assert D(period["compared"]) == D(150) and D(period["limit"]) == D(100)
    assert len(period["readings"]) == 60
    assert event.evidence["limit"]["document"] == "licence 1/2569"
    told = set(Notification.objects.filter(event=event).values_list("user__username", flat=True))
    assert told == {"operator_a", "rayong_officer"}
    assert [m.to for m in mail.outbox] == [["ops@example.com"]]


def test_a_one_minute_spike_that_leaves_the_hour_under_the_limit_opens_nothing(operator_a, so2_a):
    send(operator_a, minute_rows("A-STACK-1", "so2", T0, [50] * 59 + [1000]))
    assert hour(so2_a).value < D(100)
    assert not Event.objects.exists()


def test_consecutive_exceeding_hours_extend_one_event_and_escalate(
    operator_a, so2_a, provincial_officer, settings
):
    settings.MONITORING_ESCALATE_PERSIST_PERIODS = 3
    send(operator_a, minute_rows("A-STACK-1", "so2", T0, wobble(150, 120)))
    event = Event.objects.get()
    assert (event.periods, event.level) == (2, 1)
    assert event.worst_value == D(150)
    send(operator_a, minute_rows("A-STACK-1", "so2", T0 + 2 * H, [200] * 60))
    event.refresh_from_db()
    assert (event.periods, event.level, event.worst_value) == (3, 2, D(200))
    assert event.last_period == T0 + 2 * H
    assert Notification.objects.filter(event=event, user=provincial_officer).count() == 2


def test_recomputing_an_hour_does_not_count_it_twice(operator_a, so2_a):
    send(operator_a, minute_rows("A-STACK-1", "so2", T0, [150] * 50))
    send(operator_a, minute_rows("A-STACK-1", "so2", T0 + dt.timedelta(minutes=50), [150] * 10))
    event = Event.objects.get()
    assert event.periods == 1


def test_repeated_events_within_the_window_start_at_a_higher_level(operator_a, so2_a, settings):
    settings.MONITORING_ESCALATE_REPEATS = 3
    levels = []
    for day in range(3):
        start = T0 - dt.timedelta(days=3 - day)
        send(operator_a, minute_rows("A-STACK-1", "so2", start, [150] * 60))
        levels.append(Event.objects.order_by("-pk").first().level)
    assert levels == [1, 1, 2]


def test_oxygen_correction_follows_the_worked_example(officer, operator_a, factory_a):
    # E_ref = E_m (20.9 - 7) / (20.9 - O2_m): 100 ppm at 10 % O2 is 127.52 ppm at 7 %.
    point = services.point_define(
        acting_user=officer,
        factory=factory_a,
        data={
            "code": "A-STACK-2",
            "name": "Boiler 2",
            "kind": "stack",
            "method": "continuous",
            "ref_o2_percent": "7",
        },
    )
    for code in ("o2", "so2"):
        services.point_parameter_set(
            acting_user=officer,
            point=point,
            parameter=code,
            data={"effective_from": "2026-01-01", "limits": []},
        )
    send(
        operator_a,
        minute_rows("A-STACK-2", "o2", T0, [10] * 60)
        + minute_rows("A-STACK-2", "so2", T0, [100] * 60),
    )
    h = HourlyAggregate.objects.get(point_parameter__point=point, point_parameter__parameter="so2")
    assert h.value == D(100)
    assert h.corrected_value.quantize(D("0.01")) == D("127.52")


def test_a_daily_average_needs_enough_valid_hours(operator_a, so2_a):
    # The Bangkok day 2026-11-21 starts at 2026-11-20 17:00 UTC; 18 valid hours make it valid.
    day_start = dt.datetime(2026, 11, 20, 17, tzinfo=dt.UTC)
    send(operator_a, minute_rows("A-STACK-1", "so2", day_start, wobble(30, 60 * 17)))
    day = DailyAggregate.objects.get(point_parameter=so2_a, day=dt.date(2026, 11, 21))
    assert (day.valid, day.valid_hours) == (False, 17)
    send(operator_a, minute_rows("A-STACK-1", "so2", day_start + 17 * H, [60] * 60))
    day.refresh_from_db()
    assert (day.valid, day.valid_hours) == (True, 18)
    assert day.value == ((D(30) * 17 + D(60)) / 18).quantize(D("0.000001"))


def test_availability_counts_valid_hours_of_the_month(operator_a, so2_a):
    after_the_month = dt.datetime(2026, 12, 5, tzinfo=dt.UTC)
    send(operator_a, minute_rows("A-STACK-1", "so2", T0, wobble(30, 120)), now=after_the_month)
    row = DataAvailability.objects.get(point_parameter=so2_a, month=dt.date(2026, 11, 1))
    assert (row.valid_hours, row.expected_hours) == (2, 30 * 24)
    assert row.percent == D("0.28")


def test_a_silent_point_raises_one_gap_event(operator_a, so2_a, settings):
    settings.MONITORING_GAP_MINUTES = 60
    send(operator_a, minute_rows("A-STACK-1", "so2", T0, [30] * 10))
    last = T0 + dt.timedelta(minutes=9)
    assert clocks.run_clocks(last + dt.timedelta(minutes=30))["gaps_opened"] == 0
    assert clocks.run_clocks(last + dt.timedelta(minutes=61))["gaps_opened"] == 1
    assert clocks.run_clocks(last + dt.timedelta(minutes=62))["gaps_opened"] == 0
    event = Event.objects.get(kind="data_gap")
    assert event.first_period == last and event.status == "open"
    send(operator_a, minute_rows("A-STACK-1", "so2", T0 + 3 * H, [30]))
    event.refresh_from_db()
    assert event.evidence["resumed_at"] == (T0 + 3 * H).isoformat()


def test_a_malfunction_notice_explains_the_gap_it_covers(operator_a, so2_a, stack_a):
    send(operator_a, minute_rows("A-STACK-1", "so2", T0, [30]))
    clocks.run_clocks(T0 + 2 * H)
    notice = services.notice_submit(
        acting_user=operator_a,
        point=stack_a,
        data={"kind": "malfunction", "starts_at": T0.isoformat(), "reason": "analyser pump"},
    )
    assert notice.late  # submitted long after the 24-hour deadline
    event = Event.objects.get(kind="data_gap")
    assert (event.status, event.explanation) == ("explained", "analyser pump")


def test_a_notice_in_time_is_not_late(operator_a, stack_a):
    from django.utils import timezone

    notice = services.notice_submit(
        acting_user=operator_a,
        point=stack_a,
        data={"kind": "shutdown", "starts_at": timezone.now().isoformat(), "reason": "overhaul"},
    )
    assert notice.late is False


def test_a_flat_lined_analyser_gives_no_valid_hours(operator_a, so2_a, settings):
    settings.MONITORING_FLATLINE_MINUTES = 120
    send(operator_a, minute_rows("A-STACK-1", "so2", T0, [150] * 120))
    assert not HourlyAggregate.objects.filter(point_parameter=so2_a, valid=True).exists()
    assert not Event.objects.exists()
