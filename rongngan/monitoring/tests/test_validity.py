from datetime import UTC, datetime, timedelta
from decimal import Decimal as D

import pytest

from rongngan.monitoring.standards import limits_for, validity_regimes
from rongngan.monitoring.validity import (
    HourResult,
    Minute,
    availability,
    compare,
    day_average,
    hour_average,
    screen,
)

T0 = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)
TH = validity_regimes()["th-cems-default"]
US = validity_regimes()["us-40cfr60"]
EU = validity_regimes()["eu-ied"]


def _hour(valid_at, *, value=D(10), flagged=None):
    """Minutes of one hour: a valid value at each minute in valid_at, flagged minutes as
    {minute: flag}, nothing else (absent minutes are missing)."""
    minutes = [Minute(T0 + timedelta(minutes=m), value) for m in valid_at]
    for m, flag in (flagged or {}).items():
        minutes.append(Minute(T0 + timedelta(minutes=m), value, frozenset({flag})))
    return minutes


# Fraction rules: 75 % of 60 minutes = 45 (Thai default), 80 % = 48 (EU regime).


@pytest.mark.parametrize(("regime", "enough"), [(TH, 45), (EU, 48)])
def test_an_hour_with_just_enough_valid_minutes_is_valid(regime, enough):
    result = hour_average(_hour(range(enough)), regime)
    assert (result.valid, result.valid_minutes, result.value) == (True, enough, D(10))


@pytest.mark.parametrize(("regime", "enough"), [(TH, 45), (EU, 48)])
def test_an_hour_with_one_valid_minute_too_few_is_not_valid(regime, enough):
    result = hour_average(_hour(range(enough - 1)), regime)
    assert (result.valid, result.reason, result.value, result.excused) == (
        False,
        "too_few_valid_minutes",
        None,
        False,
    )


def test_flagged_minutes_do_not_count_as_valid():
    result = hour_average(_hour(range(44), flagged={50: "out_of_range"}), TH)
    assert not result.valid


def test_an_hour_short_only_because_of_calibration_is_excused_not_missing():
    result = hour_average(_hour(range(40), flagged={m: "calibration" for m in range(40, 50)}), TH)
    assert (result.valid, result.reason, result.excused, result.qa_minutes) == (
        False,
        "calibration_or_maintenance",
        True,
        10,
    )


def test_the_average_is_of_valid_minutes_only():
    spike = Minute(T0 + timedelta(minutes=50), D(1000), frozenset({"invalid"}))
    minutes = [*_hour(range(45)), spike]
    assert hour_average(minutes, TH).value == D(10)


def test_shutdown_minutes_are_not_expected():
    # 20 minutes stopped: 40 operating minutes need 30 valid.
    shutdown = {m: "shutdown" for m in range(40, 60)}
    assert hour_average(_hour(range(30), flagged=shutdown), TH).valid
    assert not hour_average(_hour(range(29), flagged=shutdown), TH).valid


# Quadrant rule (40 CFR 60.13(h)(2)).


def test_one_valid_minute_in_each_quadrant_makes_a_valid_hour():
    result = hour_average(_hour([0, 15, 30, 45]), US)
    assert (result.valid, result.valid_minutes) == (True, 4)


def test_an_empty_quadrant_makes_the_hour_invalid():
    result = hour_average(_hour([0, 14, 29, 30, 44, 59]), US)  # quadrant 15-29 has 29 only: ok
    assert result.valid
    result = hour_average(_hour([0, 1, 2, 30, 45]), US)  # nothing in 15-29
    assert (result.valid, result.reason) == (False, "quadrant_without_valid_data")


def test_a_calibration_hour_needs_two_points_fifteen_minutes_apart():
    calibration = {m: "calibration" for m in range(20, 50)}
    assert hour_average(_hour([0, 15], flagged=calibration), US).valid
    result = hour_average(_hour([0, 14], flagged=calibration), US)
    assert (result.valid, result.excused) == (False, True)
    assert not hour_average(_hour([0], flagged=calibration), US).valid


def test_quadrants_in_which_the_unit_did_not_operate_are_not_expected():
    stopped = {m: "shutdown" for m in range(30, 60)}
    assert hour_average(_hour([0, 15], flagged=stopped), US).valid


# Day rules.


def _valid_hour(value=D(10)):
    return HourResult(value, 60, True, "ok")


def _invalid_hour(excused=False):
    reason = "calibration_or_maintenance" if excused else "too_few_valid_minutes"
    return HourResult(None, 0, False, reason, excused=excused)


def test_a_day_with_exactly_the_maximum_invalid_hours_is_valid():
    result = day_average([_valid_hour()] * 21 + [_invalid_hour()] * 3, EU)
    assert (result.valid, result.valid_hours, result.value) == (True, 21, D(10))


def test_a_day_with_one_invalid_hour_more_than_allowed_is_not_valid():
    result = day_average([_valid_hour()] * 20 + [_invalid_hour()] * 4, EU)
    assert (result.valid, result.reason) == (False, "too_many_invalid_hours")


def test_absent_hours_count_as_invalid():
    assert not day_average([_valid_hour()] * 20, EU).valid


def test_maintenance_hours_count_against_the_eu_day():
    assert not day_average([_valid_hour()] * 20 + [_invalid_hour(excused=True)] * 4, EU).valid


def test_a_day_needs_eighteen_valid_hours_under_the_thai_default():
    assert day_average([_valid_hour()] * 18 + [_invalid_hour()] * 6, TH).valid
    result = day_average([_valid_hour()] * 17 + [_invalid_hour()] * 7, TH)
    assert (result.valid, result.reason) == (False, "too_few_valid_hours")


def test_the_daily_average_is_of_valid_hours():
    hours = [_valid_hour(D(10))] * 12 + [_valid_hour(D(20))] * 12
    assert day_average(hours, TH).value == D(15)


def test_availability_counts_operating_hours_only():
    stopped = HourResult(None, 0, False, "not_operating", excused=True)
    hours = [_valid_hour()] * 3 + [_invalid_hour(excused=True)] + [stopped] * 4
    assert availability(hours) == D(75)
    assert availability([stopped]) is None


# Screening.


def test_screen_flags_missing_out_of_range_and_flatline():
    values = [D(5), None, D(2500), D(7), D(7), D(7), D(7), D(8)]
    minutes = [Minute(T0 + timedelta(minutes=i), v) for i, v in enumerate(values)]
    screened = screen(minutes, range_min=D(0), range_max=D(2000), flatline_minutes=4)
    flags = [set(m.flags) for m in screened]
    assert flags == [set(), {"missing"}, {"out_of_range"}] + [{"flatline"}] * 4 + [set()]


def test_a_run_one_minute_shorter_than_the_flatline_threshold_is_kept():
    minutes = [Minute(T0 + timedelta(minutes=i), D(7)) for i in range(3)]
    screened = screen(minutes, range_min=None, range_max=None, flatline_minutes=4)
    assert all(m.valid for m in screened)


# Comparison.


def _rule(medium, applies_to, parameter):
    return next(r for r in limits_for(medium, applies_to, T0.date()) if r.parameter == parameter)


COAL_SO2 = {"source": "boiler_furnace", "fuel": "coal"}


def test_the_eu_confidence_interval_can_make_a_value_pass():
    rule = _rule("air", COAL_SO2, "so2")  # 700 ppm
    plain = compare(D(800), rule, TH, "hour")
    assert (plain.exceeds, plain.value_compared) == (True, D(800))
    eu = compare(D(800), rule, EU, "hour")  # 800 − 20 % × 700 = 660
    assert (eu.exceeds, eu.value_compared, eu.ci_subtracted) == (False, D(660), D(140))
    assert eu.margin == D(-40)


def test_the_confidence_interval_is_not_subtracted_from_a_grab_sample():
    assert compare(D(800), _rule("air", COAL_SO2, "so2"), EU, "grab").exceeds


def test_an_effluent_value_between_the_standard_and_upper_levels_exceeds_the_standard():
    bod = _rule("water", {}, "bod")
    result = compare(D(30), bod, None, "grab")
    assert (result.exceeds, result.level, result.limit, result.margin) == (
        True,
        "standard",
        D(20),
        D(10),
    )
    above = compare(D(61), bod, None, "grab")
    assert (above.level, above.limit, above.margin) == ("upper", D(60), D(1))
    at_limit = compare(D(20), bod, None, "grab")
    assert not at_limit.exceeds


@pytest.mark.parametrize(
    ("ph", "exceeds", "bound"),
    [(D("5.4"), True, D("5.5")), (D("5.5"), False, D("5.5")), (D("9.1"), True, D("9.0"))],
)
def test_ph_is_compared_with_its_range(ph, exceeds, bound):
    result = compare(ph, _rule("water", {}, "ph"), None, "grab")
    assert (result.exceeds, result.limit) == (exceeds, bound)
