"""The status rules at quarter boundaries and for each direction (see plan/status.py)."""

from datetime import date
from decimal import Decimal as D

import pytest

from rongngan.core.thai import fiscal_year_elapsed_share
from rongngan.plan.status import AT_RISK, MET, NO_DATA, NO_TARGET, OFF_TRACK, ON_TRACK, judge


def share_on(d: date) -> D:
    return D(str(fiscal_year_elapsed_share(2563, d)))


END_Q1 = share_on(date(2019, 12, 31))  # 92 of 366 days of FY 2563
START_Q2 = share_on(date(2020, 1, 1))
END_Q2 = share_on(date(2020, 3, 31))
END_YEAR = share_on(date(2020, 9, 30))


def test_the_share_at_quarter_ends_counts_the_last_day():
    assert END_Q1 == D(str(92 / 366))
    assert START_Q2 == D(str(93 / 366))
    assert END_Q2 == D(str(183 / 366))
    assert END_YEAR == 1


def increase(actual, share, *, target=D(2000), accumulation="cumulative", baseline=None):
    return judge(
        direction="increase",
        accumulation=accumulation,
        target=target,
        actual=actual,
        share=share,
        baseline=baseline,
    )


def test_a_cumulative_kpi_exactly_on_the_q1_pace_is_on_track():
    expected = D(2000) * END_Q1  # 502.73...
    assert increase(expected, END_Q1) == ON_TRACK
    assert increase(D(503), END_Q1) == ON_TRACK


def test_a_cumulative_kpi_just_below_the_pace_is_at_risk_and_further_below_off_track():
    expected = D(2000) * END_Q1
    assert increase(expected - 1, END_Q1) == AT_RISK
    assert increase(expected * D("0.9"), END_Q1) == AT_RISK
    assert increase(expected * D("0.9") - D("0.01"), END_Q1) == OFF_TRACK


def test_the_same_value_on_the_first_day_of_q2_is_judged_against_a_higher_pace():
    value = D(503)
    assert increase(value, END_Q1) == ON_TRACK
    assert increase(value, START_Q2) == AT_RISK  # the pace is now 2000 x 93/366 = 508.2


def test_a_cumulative_kpi_that_reaches_its_target_is_met_even_mid_year():
    assert increase(D(2000), END_Q2) == MET


def test_at_year_end_short_of_the_target_is_off_track_however_close():
    assert increase(D(1999), END_YEAR) == OFF_TRACK
    assert increase(D(2000), END_YEAR) == MET


def test_a_level_kpi_at_its_target_is_on_track_until_the_year_is_final():
    assert increase(D(99), END_Q2, target=D(99), accumulation="level") == ON_TRACK
    assert increase(D(99), END_YEAR, target=D(99), accumulation="level") == MET
    assert increase(D("89.1"), END_Q2, target=D(99), accumulation="level") == AT_RISK
    assert increase(D(89), END_Q2, target=D(99), accumulation="level") == OFF_TRACK


def test_a_level_kpi_with_a_baseline_follows_the_line_from_baseline_to_target():
    # HCFC-style: from 0 % reduction toward 56 %; at mid-year 28 % is on the line.
    half = D("0.5")
    assert increase(D(28), half, target=D(56), accumulation="level", baseline=D(0)) == ON_TRACK
    assert increase(D(26), half, target=D(56), accumulation="level", baseline=D(0)) == AT_RISK
    assert increase(D(20), half, target=D(56), accumulation="level", baseline=D(0)) == OFF_TRACK


def decrease(actual, share, *, target, baseline=None, accumulation="level"):
    return judge(
        direction="decrease",
        accumulation=accumulation,
        target=target,
        actual=actual,
        share=share,
        baseline=baseline,
    )


def test_less_is_better_follows_the_line_down_from_the_baseline():
    half = D("0.5")
    # from 100 down to 44: expected 72 at mid-year
    assert decrease(D(72), half, target=D(44), baseline=D(100)) == ON_TRACK
    assert decrease(D(79), half, target=D(44), baseline=D(100)) == AT_RISK
    assert decrease(D(80), half, target=D(44), baseline=D(100)) == OFF_TRACK
    assert decrease(D(44), half, target=D(44), baseline=D(100)) == ON_TRACK
    assert decrease(D(44), END_YEAR, target=D(44), baseline=D(100)) == MET
    assert decrease(D(45), END_YEAR, target=D(44), baseline=D(100)) == OFF_TRACK


def ceiling(actual, share, *, target=D(100), accumulation="cumulative"):
    return judge(
        direction="ceiling",
        accumulation=accumulation,
        target=target,
        actual=actual,
        share=share,
    )


def test_a_cumulative_ceiling_is_at_risk_when_ahead_of_pace_and_off_track_once_exceeded():
    assert ceiling(D(20), END_Q1) == ON_TRACK  # pace 25.1
    assert ceiling(D(30), END_Q1) == AT_RISK
    assert ceiling(D(100), END_Q1) == AT_RISK
    assert ceiling(D("100.01"), END_Q1) == OFF_TRACK
    assert ceiling(D(100), END_YEAR) == MET
    assert ceiling(D(101), END_YEAR) == OFF_TRACK


def test_a_level_ceiling_is_at_risk_within_ten_percent_of_the_limit():
    assert ceiling(D(89), END_Q2, accumulation="level") == ON_TRACK
    assert ceiling(D(91), END_Q2, accumulation="level") == AT_RISK
    assert ceiling(D(101), END_Q2, accumulation="level") == OFF_TRACK


def test_cumulative_less_is_better_is_judged_as_a_ceiling():
    assert decrease(D(30), END_Q1, target=D(100), accumulation="cumulative") == AT_RISK
    assert decrease(D(101), END_Q1, target=D(100), accumulation="cumulative") == OFF_TRACK


@pytest.mark.parametrize("direction", ["increase", "decrease", "ceiling"])
def test_no_value_is_no_data_and_no_target_is_no_target(direction):
    args = {"direction": direction, "accumulation": "level", "share": END_Q2}
    assert judge(target=D(1), actual=None, **args) == NO_DATA
    assert judge(target=None, actual=D(1), **args) == NO_TARGET
