"""How a KPI is judged: met, on track, at risk or off track.

The rules, in words (also in docs/plan-guide.md):

* `share` is the part of the fiscal year elapsed on the judging date, counting that day
  (core.thai.fiscal_year_elapsed_share): 92/366 at the end of Q1 of FY 2563, 1 on 30 September.
  The year is *final* when the share is 1.
* **More is better.** A cumulative KPI is expected to have reached `target x share`; a level
  KPI is expected at the target (or, with a baseline, on the straight line from the baseline to
  the target). Reaching the target is *met* (for a level KPI only once the year is final; before
  that, *on track*). At or above the expectation: *on track*; within 10 % below it: *at risk*;
  further below, or short of the target when the year is final: *off track*.
* **Less is better.** A level KPI is expected at or below the straight line from its baseline to
  the target (at or below the target without a baseline), with the same 10 % band above it for
  *at risk*. A cumulative KPI where less is better is judged as a ceiling.
* **Ceiling.** Above the target is *off track* at once. Otherwise a cumulative KPI is *at risk*
  when it runs ahead of the year's pace (`target x share`), a level KPI when within 10 % of the
  ceiling; when the year is final a KPI still within its ceiling is *met*.
* No value: *no data*. No target for the year: *no target*.
"""

from decimal import Decimal

MET = "met"
ON_TRACK = "on_track"
AT_RISK = "at_risk"
OFF_TRACK = "off_track"
NO_DATA = "no_data"
NO_TARGET = "no_target"

TOLERANCE = Decimal("0.10")


def expected_value(
    *,
    direction: str,
    accumulation: str,
    target: Decimal,
    share: Decimal,
    baseline: Decimal | None = None,
) -> Decimal:
    if accumulation == "cumulative":
        return target * share
    if baseline is not None and direction in ("increase", "decrease"):
        return baseline + (target - baseline) * share
    return target


def judge(
    *,
    direction: str,
    accumulation: str,
    target: Decimal | None,
    actual: Decimal | None,
    share: Decimal,
    baseline: Decimal | None = None,
) -> str:
    if target is None:
        return NO_TARGET
    if actual is None:
        return NO_DATA
    final = share >= 1
    if direction == "decrease" and accumulation == "cumulative":
        direction = "ceiling"

    if direction == "ceiling":
        if actual > target:
            return OFF_TRACK
        if final:
            return MET
        limit = target * share if accumulation == "cumulative" else target * (1 - TOLERANCE)
        return AT_RISK if actual > limit else ON_TRACK

    expected = expected_value(
        direction=direction,
        accumulation=accumulation,
        target=target,
        share=share,
        baseline=baseline,
    )
    if direction == "increase":
        if actual >= target:
            return MET if (final or accumulation == "cumulative") else ON_TRACK
        if final:
            return OFF_TRACK
        if actual >= expected:
            return ON_TRACK
        return AT_RISK if actual >= expected * (1 - TOLERANCE) else OFF_TRACK

    # decrease, level
    if actual <= target:
        return MET if final else ON_TRACK
    if final:
        return OFF_TRACK
    if actual <= expected:
        return ON_TRACK
    return AT_RISK if actual <= expected * (1 + TOLERANCE) else OFF_TRACK
