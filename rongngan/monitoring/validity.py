"""Screening of minute readings, validated hourly and daily averages, and comparison with a
limit, under a named validity regime (data/validity.yaml).

Flags on a minute: "calibration" and "maintenance" (quality-assurance time), "out_of_range",
"flatline", "missing", "invalid" (set by the analyser or an officer), and "shutdown" (the unit
was not operating). Only a minute with a value and none of these flags is valid data.

Calibration and maintenance minutes are never valid data, but they are not missing data either:
an hour that fails its rule only because of them is returned with excused=True (and reason
"calibration_or_maintenance"), so availability can count it as quality-assurance time and the
app need not raise a data-gap event for it. Whether such hours also count against a day depends
on the regime (excused_hours_count_as_invalid): under the EU IED they do, since a day is lost
when more than three hours are invalid "due to malfunction or maintenance". Under the US
quadrant rule an hour with QA activity has its own, lighter requirement (two points 15 minutes
apart). Hours and quadrants in which the unit did not operate ("shutdown") are not expected.
"""

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import NamedTuple

from rongngan.monitoring.standards import LimitRule, ValidityRegime

QA_FLAGS = frozenset({"calibration", "maintenance"})
NOT_OPERATING = "shutdown"
INVALIDATING_FLAGS = frozenset(
    {"calibration", "maintenance", "out_of_range", "flatline", "missing", "invalid", NOT_OPERATING}
)
FLAGS = INVALIDATING_FLAGS


class Minute(NamedTuple):
    """One minute's value with its flags (a tuple: a batch's processing makes tens of
    thousands of them, and a tuple is made several times faster than a frozen dataclass)."""

    ts: datetime
    value: Decimal | None
    flags: frozenset[str] = frozenset()

    @property
    def valid(self) -> bool:
        return self.value is not None and not (self.flags & INVALIDATING_FLAGS)


@dataclass(frozen=True)
class HourResult:
    value: Decimal | None  # mean of the valid minutes; None when the hour is not valid
    valid_minutes: int
    valid: bool
    reason: str  # ok | too_few_valid_minutes | quadrant_without_valid_data |
    # calibration_or_maintenance | not_operating | no_data
    qa_minutes: int = 0
    excused: bool = False


@dataclass(frozen=True)
class DayResult:
    value: Decimal | None  # mean of the valid hourly averages; None when the day is not valid
    valid_hours: int
    valid: bool
    reason: str  # ok | too_many_invalid_hours | too_few_valid_hours | not_operating
    invalid_hours: int = 0
    excused_hours: int = 0


@dataclass(frozen=True)
class Comparison:
    exceeds: bool
    value_compared: Decimal  # after subtracting the confidence interval where the regime says so
    limit: Decimal  # the level compared against: the standard level, or the upper one if passed
    level: str  # "standard" | "upper"
    margin: Decimal  # how far beyond the limit (positive) or inside it (negative or zero)
    ci_subtracted: Decimal = Decimal(0)


def screen(
    minutes: Iterable[Minute],
    *,
    range_min: Decimal | None,
    range_max: Decimal | None,
    flatline_minutes: int | None,
) -> list[Minute]:
    """The minutes in time order with flags added: missing (no value), out_of_range (outside
    the instrument range), flatline (the same value for flatline_minutes or more consecutive
    minutes: a stuck analyser; a true constant, e.g. zero while stopped, should come flagged
    "shutdown")."""
    ordered = sorted(minutes, key=lambda m: m.ts)
    # Only the minutes that gain a flag are copied: a clean batch (the usual case at ingestion)
    # comes back as it went in.
    added: dict[int, set[str]] = {}
    for i, m in enumerate(ordered):
        if m.value is None:
            added.setdefault(i, set()).add("missing")
        elif (range_min is not None and m.value < range_min) or (
            range_max is not None and m.value > range_max
        ):
            added.setdefault(i, set()).add("out_of_range")
    if flatline_minutes and flatline_minutes > 1:
        start = 0
        for i in range(1, len(ordered) + 1):
            run_continues = (
                i < len(ordered)
                and ordered[i].value is not None
                and ordered[i].value == ordered[start].value
                and ordered[i].ts - ordered[i - 1].ts <= timedelta(minutes=1)
            )
            if run_continues:
                continue
            if ordered[start].value is not None and i - start >= flatline_minutes:
                for j in range(start, i):
                    added.setdefault(j, set()).add("flatline")
            start = i
    if not added:
        return ordered
    return [
        m._replace(flags=frozenset(m.flags) | added[i]) if i in added else m
        for i, m in enumerate(ordered)
    ]


def _mean(values: Sequence[Decimal]) -> Decimal:
    return sum(values, Decimal(0)) / Decimal(len(values))


def _quadrant(ts: datetime) -> int:
    return ts.minute // 15


def _operating_quadrants(minutes: Sequence[Minute]) -> set[int]:
    seen: dict[int, bool] = {}
    for m in minutes:
        q = _quadrant(m.ts)
        seen[q] = seen.get(q, False) or NOT_OPERATING not in m.flags
    # A quadrant with no record at all is expected (its data are missing); one whose records
    # are all "shutdown" is not.
    return {q for q in range(4) if seen.get(q, True)}


def _quadrants_pass(
    valid: Sequence[Minute], operating: set[int], qa_hour: bool, regime: ValidityRegime
) -> bool:
    rule = regime.hour_rule
    if qa_hour:
        if len(operating) <= 1:
            return len(valid) >= 1
        if len(valid) < rule.qa_min_points:
            return False
        times = sorted(m.ts for m in valid)
        return times[-1] - times[0] >= timedelta(minutes=rule.qa_min_separation_minutes)
    return operating <= {_quadrant(m.ts) for m in valid}


def hour_average(minutes: Sequence[Minute], regime: ValidityRegime) -> HourResult:
    """The validated average of one clock hour of minutes under regime.hour_rule."""
    rule = regime.hour_rule
    valid = [m for m in minutes if m.valid]
    qa = [m for m in minutes if m.flags & QA_FLAGS and NOT_OPERATING not in m.flags]
    valid_count = len({m.ts.replace(second=0, microsecond=0) for m in valid})
    qa_count = len({m.ts.replace(second=0, microsecond=0) for m in qa})

    if rule.kind == "quadrants":
        operating = _operating_quadrants(minutes)
        if not operating:
            return HourResult(None, 0, False, "not_operating", qa_count, True)
        ok = _quadrants_pass(valid, operating, bool(qa), regime)
        failure = "quadrant_without_valid_data"
        cured = bool(qa) and _quadrants_pass(valid + qa, operating, False, regime)
    else:
        shutdown = len(
            {m.ts.replace(second=0, microsecond=0) for m in minutes if NOT_OPERATING in m.flags}
        )
        operating_minutes = rule.minutes - shutdown
        if operating_minutes <= 0:
            return HourResult(None, 0, False, "not_operating", qa_count, True)
        required = math.ceil(rule.min_valid_fraction * operating_minutes)
        ok = valid_count >= required
        failure = "too_few_valid_minutes"
        cured = qa_count > 0 and valid_count + qa_count >= required

    if ok:
        return HourResult(_mean([m.value for m in valid]), valid_count, True, "ok", qa_count)
    if cured:
        return HourResult(None, valid_count, False, "calibration_or_maintenance", qa_count, True)
    reason = failure if minutes else "no_data"
    return HourResult(None, valid_count, False, reason, qa_count)


def day_average(hours: Sequence[HourResult], regime: ValidityRegime) -> DayResult:
    """The validated daily average from one day's hourly results under regime.day_rule.

    Hours absent from `hours` count as invalid. min_valid_hours is stated for a full operating
    day of day_rule.hours; on a day with fewer operating hours it scales in proportion (18 of 24
    means 75 % of the operating hours).
    """
    rule = regime.day_rule
    not_operating = sum(1 for h in hours if h.reason == "not_operating")
    operating_hours = rule.hours - not_operating
    valid = [h for h in hours if h.valid]
    excused = sum(1 for h in hours if h.excused and h.reason != "not_operating")
    if operating_hours <= 0:
        return DayResult(None, 0, False, "not_operating")
    invalid = max(operating_hours - len(valid), 0)
    counted_invalid = invalid if rule.excused_hours_count_as_invalid else invalid - excused

    if rule.max_invalid_hours is not None and counted_invalid > rule.max_invalid_hours:
        return DayResult(None, len(valid), False, "too_many_invalid_hours", invalid, excused)
    if rule.min_valid_hours is not None:
        required = math.ceil(Decimal(rule.min_valid_hours) * operating_hours / rule.hours)
        if len(valid) < required:
            return DayResult(None, len(valid), False, "too_few_valid_hours", invalid, excused)
    if not valid:
        return DayResult(None, 0, False, "too_few_valid_hours", invalid, excused)
    return DayResult(_mean([h.value for h in valid]), len(valid), True, "ok", invalid, excused)


def availability(hours: Iterable[HourResult]) -> Decimal | None:
    """Percent of operating hours with a valid average, the form of 40 CFR 75.32 equation 8
    (quality-assured monitor operating hours / unit operating hours × 100). Hours the unit did not
    operate are left out; None when it never operated."""
    operating = [h for h in hours if h.reason != "not_operating"]
    if not operating:
        return None
    return Decimal(100) * sum(1 for h in operating if h.valid) / Decimal(len(operating))


def compare(
    value: Decimal, rule: LimitRule, regime: ValidityRegime | None, averaging: str
) -> Comparison:
    """Compare a validated value, already corrected and in rule.unit, with rule.

    Where the regime subtracts a confidence interval for this parameter and averaging period,
    value_compared = max(value − fraction × limit, 0). A value above upper_value is reported at
    level "upper", above value at level "standard".
    """
    value = Decimal(value)
    if rule.comparator == "range":
        # Distance outside each bound: positive when the value is beyond it.
        beyond = [(b - value, b) for b in [rule.low_value] if b is not None]
        beyond += [(value - b, b) for b in [rule.high_value] if b is not None]
        margin, bound = max(beyond)
        return Comparison(margin > 0, value, bound, "standard", margin)
    if rule.value is None:
        raise ValueError(f"{rule.standard_code}/{rule.parameter}: the rule has no value")
    if rule.comparator == "min":
        return Comparison(value < rule.value, value, rule.value, "standard", rule.value - value)

    ci = Decimal(0)
    fraction = regime.ci_fraction.get(rule.parameter) if regime else None
    if fraction is not None and averaging in regime.ci_averaging:
        ci = fraction * rule.value
    compared = max(value - ci, Decimal(0))
    if rule.upper_value is not None and compared > rule.upper_value:
        return Comparison(
            True, compared, rule.upper_value, "upper", compared - rule.upper_value, ci
        )
    return Comparison(
        compared > rule.value, compared, rule.value, "standard", compared - rule.value, ci
    )
