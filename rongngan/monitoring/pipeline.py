"""From minutes to judged averages: screen, average, correct, compare, open events.

Run for the hours a batch touched (and the days and months they fall in), never for the whole
history, so the work follows the batch size. The rules themselves (what makes a minute, an
hour or a day valid; how a value is compared with a limit) live in `validity.py` and the
regimes in data/validity.yaml; this module only feeds them and stores what they say.

Exceedances are judged on the averaging period of each limit (validated hourly or daily
averages), never on a single minute: a one-minute spike that leaves the hour's average under
the limit opens nothing.

Time: an hour is a UTC hour (Bangkok is UTC+7, so it is also a Bangkok clock hour); a day is a
Bangkok calendar day, the day of the legal reports.
"""

import datetime as dt
import logging
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, Q
from django.utils import timezone

from rongngan.monitoring import conf
from rongngan.monitoring.models import (
    DailyAggregate,
    DataAvailability,
    Event,
    HourlyAggregate,
    IngestBatch,
    PointLimit,
    PointParameter,
)

logger = logging.getLogger(__name__)
BANGKOK = ZoneInfo("Asia/Bangkok")
HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)
O2 = "o2"
HOURLY_JUDGED = ("hour", "grab", "instant")
# Reasons of an hour whose data are valid but cannot be corrected to the reference oxygen: no
# valid oxygen average in the same hour, or one the correction cannot use (at or above 20.9 %).
NO_O2 = "no_valid_o2"
O2_NOT_CORRECTABLE = "o2_not_correctable"
O2_REASONS = (NO_O2, O2_NOT_CORRECTABLE)
LARGEST = Decimal("1e12")  # the value columns hold less (numeric(18, 6))


def hour_start(ts: dt.datetime) -> dt.datetime:
    return ts.astimezone(dt.UTC).replace(minute=0, second=0, microsecond=0)


def local_day(ts: dt.datetime) -> dt.date:
    return ts.astimezone(BANGKOK).date()


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(day, dt.time.min, tzinfo=BANGKOK).astimezone(dt.UTC)
    return start, start + DAY


def month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _dec(value: Any) -> Decimal | None:
    if value is None:
        return None
    return value if isinstance(value, Decimal) else Decimal(str(value))


# --------------------------------------------------------------------------------------------
# The rules helper's modules, reached through these few functions only.


def regimes() -> dict[str, Any]:
    from rongngan.monitoring import standards

    found = standards.validity_regimes()
    return found if isinstance(found, Mapping) else {r.code: r for r in found}


def regime_for(code: str) -> Any:
    found = regimes()
    return found.get(code or conf.get("MONITORING_DEFAULT_REGIME")) or next(iter(found.values()))


def _minutes_by_hour(
    rows: list[tuple[dt.datetime, Decimal | None, str]],
    hours: list[dt.datetime],
    pp: PointParameter,
) -> dict[dt.datetime, list[Any]]:
    """The screened minutes of each of `hours` from time-ordered (ts, value, flags) rows that
    also hold the flat-line context before them.

    validity.screen runs over the whole window when it could add a flag; when it could not, it
    would return the minutes unchanged, so only the minutes of the hours are made."""
    from rongngan.monitoring import validity

    param = pp.parameter
    lo = pp.range_min if pp.range_min is not None else param.range_min
    hi = pp.range_max if pp.range_max is not None else param.range_max
    flat = int(conf.get("MONITORING_FLATLINE_MINUTES") or 0)
    Minute = validity.Minute
    no_flags: frozenset[str] = frozenset()

    def minute(ts: dt.datetime, value: Decimal | None, flags: str) -> Any:
        return Minute(ts, value, frozenset(f for f in flags.split(",") if f) if flags else no_flags)

    by_hour: dict[dt.datetime, list[Any]] = defaultdict(list)
    if _screen_would_flag(rows, lo, hi, flat):
        screened = validity.screen(
            [minute(*r) for r in rows], range_min=lo, range_max=hi, flatline_minutes=flat or None
        )
        for m in screened:
            ts = m.ts
            by_hour[ts - dt.timedelta(minutes=ts.minute, seconds=ts.second)].append(m)
        return by_hour
    times = [r[0] for r in rows]
    for h in hours:
        i, j = bisect_left(times, h), bisect_left(times, h + HOUR)
        by_hour[h] = [minute(*r) for r in rows[i:j]]
    return by_hour


def _screen_would_flag(
    minutes: list[tuple[dt.datetime, Decimal | None, str]],
    lo: Decimal | None,
    hi: Decimal | None,
    flat: int,
) -> bool:
    """Whether validity.screen could add a flag to these time-ordered (ts, value, flags)
    minutes: a missing value,
    one outside [lo, hi], or a run of `flat` equal values (ignoring gaps, so at least as often
    as screen itself). When it could not, screening is skipped: it would return them as they
    are, and it copies every minute to say so."""
    run = 0
    previous = None
    for m in minutes:
        v = m[1]
        if v is None or (lo is not None and v < lo) or (hi is not None and v > hi):
            return True
        run = run + 1 if v == previous else 1
        if flat > 1 and run >= flat:
            return True
        previous = v
    return False


def as_rule(limit: PointLimit) -> Any:
    """The catalogue's LimitRule for a point's limit, as validity.compare takes it."""
    from rongngan.monitoring import standards

    rule = limit.rule
    return standards.LimitRule(
        standard_code=rule.standard.code if rule else "licence",
        parameter=limit.point_parameter.parameter_id,
        unit=limit.unit,
        averaging=limit.averaging,
        comparator=limit.comparator,
        value=limit.value,
        upper_value=limit.upper_value,
        low_value=limit.low_value,
        high_value=limit.high_value,
        ref_temperature_k=rule.ref_temperature_k if rule else None,
        ref_pressure_kpa=rule.ref_pressure_kpa if rule else None,
        ref_o2_percent=limit.ref_o2_percent,
        dry_basis=rule.dry_basis if rule else False,
        applies_to=rule.applies_to if rule else {},
        effective_from=limit.effective_from,
        effective_to=limit.effective_to,
        source=(rule.source if rule else limit.document) or limit.reference,
        notes="",
    )


def convert_to(value: Decimal, from_unit: str, to_unit: str, pp: PointParameter) -> Decimal:
    from rongngan.monitoring import units

    if from_unit == to_unit:
        return value
    return units.convert(value, from_unit, to_unit, molecular_weight=pp.parameter.molecular_weight)


# --------------------------------------------------------------------------------------------


@dataclass
class Outcome:
    hours: int = 0
    days: int = 0
    events_opened: list[int] = field(default_factory=list)
    events_extended: list[int] = field(default_factory=list)


def recompute(
    touched: Mapping[int, Iterable[dt.datetime]],
    *,
    now: dt.datetime | None = None,
    minutes: Mapping[int, list[tuple[dt.datetime, Decimal | None, str]]] | None = None,
) -> Outcome:
    """Rebuilds the hourly and daily averages and the availability for the hours in
    `touched` ({point_parameter_id: hour starts}), then judges them against the limits.

    `minutes`: the stored minutes of those hours (and the flat-line context before them) when
    the caller has them already (see storage.store_batch); read here otherwise."""
    from rongngan.monitoring import storage, validity

    now = now or timezone.now()
    out = Outcome()
    hours_by_pp = {
        pp_id: sorted({hour_start(h) for h in hs}) for pp_id, hs in touched.items() if hs
    }
    if not hours_by_pp:
        return out
    hours_by_pp = _with_corrected_by_o2(hours_by_pp)
    pps = {
        pp.pk: pp
        for pp in PointParameter.objects.select_related("point", "parameter").filter(
            pk__in=list(hours_by_pp)
        )
    }
    flat = dt.timedelta(minutes=int(conf.get("MONITORING_FLATLINE_MINUTES")))
    first = min(h[0] for h in hours_by_pp.values())
    last = max(h[-1] for h in hours_by_pp.values()) + HOUR
    context = hour_start(first - flat)  # whole hours (see storage.store_batch)
    if minutes is None:
        minutes = storage._group(storage.fetch_minutes(sorted(hours_by_pp), context, last))
    else:
        missing = sorted(set(hours_by_pp) - set(minutes))
        if missing:
            # Parameters recomputed because their stack's oxygen arrived in this batch.
            minutes = {
                **minutes,
                **storage._group(storage.fetch_minutes(missing, context, last)),
            }
    reference_o2 = _reference_o2(pps)

    # O2 first: the other parameters of a stack are corrected with its hourly average.
    order = sorted(hours_by_pp, key=lambda i: (pps[i].parameter_id != O2, i))
    o2_hours: dict[tuple[int, dt.datetime], Decimal | None] = {}
    o2_pp_of_point = dict(
        PointParameter.objects.filter(
            point_id__in={pps[i].point_id for i in order}, parameter_id=O2
        ).values_list("point_id", "pk")
    )
    hourly: list[HourlyAggregate] = []
    # The minutes behind each hour, written out as evidence only for hours that exceed.
    evidence_minutes: dict[tuple[int, dt.datetime], list[Any]] = {}
    for pp_id in order:
        pp = pps[pp_id]
        regime = regime_for(pp.point.validity_regime)
        by_hour = _minutes_by_hour(minutes.get(pp_id, []), hours_by_pp[pp_id], pp)
        # A flat line this batch completed may reach back into hours judged before: those
        # hours are recomputed too (their minutes are in the context read with the batch).
        earlier = [
            h
            for h, ms in by_hour.items()
            if h < hours_by_pp[pp_id][0] and any("flatline" in m.flags for m in ms)
        ]
        if earlier:
            hours_by_pp[pp_id] = sorted(set(earlier) | set(hours_by_pp[pp_id]))
        wanted = set(hours_by_pp[pp_id])
        ref_o2 = reference_o2.get(pp_id)
        need_o2 = ref_o2 is not None
        o2_pp = o2_pp_of_point.get(pp.point_id)
        stored_o2: dict[dt.datetime, Decimal | None] = {}
        if need_o2 and o2_pp and not any((o2_pp, h) in o2_hours for h in wanted):
            stored_o2 = dict(
                HourlyAggregate.objects.filter(
                    point_parameter_id=o2_pp, period_start__in=list(wanted), valid=True
                ).values_list("period_start", "value")
            )
        for h in hours_by_pp[pp_id]:
            res = validity.hour_average(by_hour.get(h, []), regime)
            value = _dec(res.value)
            corrected = value
            valid, reason = bool(res.valid), str(res.reason or "")
            if value is not None and need_o2:
                measured = o2_hours.get((o2_pp, h)) if o2_pp else None
                if measured is None:
                    measured = stored_o2.get(h)
                corrected = _correct_o2(value, measured, ref_o2)
                if corrected is None and valid:
                    # Never judged silently: an hour that cannot be stated at the reference
                    # oxygen is not a valid hour of a parameter corrected to it (EN 14181: a
                    # standardised hourly average needs its peripheral measurements). It is
                    # flagged, shown as such, and recomputed when its oxygen arrives.
                    valid = False
                    reason = NO_O2 if measured is None else O2_NOT_CORRECTABLE
            if pp.parameter_id == O2:
                o2_hours[(pp_id, h)] = value if res.valid else None
            hourly.append(
                HourlyAggregate(
                    point_parameter_id=pp_id,
                    period_start=h,
                    value=value,
                    corrected_value=corrected,
                    minutes=len(by_hour.get(h, [])),
                    valid_minutes=res.valid_minutes,
                    valid=valid,
                    reason=reason[:200],
                )
            )
            evidence_minutes[(pp_id, h)] = by_hour.get(h, [])
    HourlyAggregate.objects.bulk_create(
        hourly,
        update_conflicts=True,
        unique_fields=["point_parameter", "period_start"],
        update_fields=["value", "corrected_value", "minutes", "valid_minutes", "valid", "reason"],
        batch_size=2000,
    )
    out.hours = len(hourly)

    days_by_pp = {pp_id: sorted({local_day(h) for h in hs}) for pp_id, hs in hours_by_pp.items()}
    daily = _days(days_by_pp, pps, needs_o2=set(reference_o2))
    out.days = len(daily)
    _availability(days_by_pp, now)
    judge(pps, hourly, daily, evidence_minutes, now, out)
    return out


def process_batch(batch_id: int, *, now: dt.datetime | None = None) -> Outcome | None:
    """Builds the averages of the hours a stored batch touched and judges them, once: the work
    of a batch taken with process="queue" (its task; the clocks take any batch left queued).
    Returns None when the batch was processed already (or does not exist)."""
    from django.db import transaction

    with transaction.atomic():
        batch = (
            IngestBatch.objects.select_for_update()
            .filter(pk=batch_id, processed_at__isnull=True)
            .first()
        )
        if batch is None:
            return None
        touched = {
            int(pp_id): [dt.datetime.fromisoformat(h) for h in hours]
            for pp_id, hours in batch.touched.items()
        }
        outcome = recompute(touched, now=now or timezone.now())
        batch.processed_at = timezone.now()
        batch.events_opened = outcome.events_opened
        batch.save(update_fields=["processed_at", "events_opened"])
    return outcome


def process_queued(older_than: dt.datetime, limit: int = 1000) -> int:
    """Processes the batches still queued that were stored before `older_than` (a task that
    failed or a worker that was down); returns how many it processed."""
    done = 0
    queued = IngestBatch.objects.filter(processed_at__isnull=True, created_at__lt=older_than)
    for pk in list(queued.order_by("created_at").values_list("pk", flat=True)[:limit]):
        try:
            if process_batch(pk) is not None:
                done += 1
        except Exception:  # one broken batch must not stop the others, nor the gap clock
            logger.exception("monitoring batch %s could not be processed", pk)
    return done


def _evidence(minutes: list[Any]) -> list[list[Any]]:
    return [[m.ts.isoformat(), str(m.value), ",".join(sorted(m.flags))] for m in minutes]


def _correct_o2(value: Decimal, measured: Decimal | None, reference: Decimal) -> Decimal | None:
    """Corrected to the reference oxygen; without a valid measured O2 the hour cannot be
    corrected, and the uncorrected value is not compared with a limit set at reference O2."""
    from rongngan.monitoring import corrections

    if measured is None:
        return None
    try:
        corrected = _dec(corrections.to_reference_oxygen(value, measured, reference))
    except (ValueError, ArithmeticError):
        return None
    # Near ambient oxygen the factor is huge: a value the columns cannot hold is no value.
    return corrected if corrected is None or abs(corrected) < LARGEST else None


def _with_corrected_by_o2(
    hours_by_pp: dict[int, list[dt.datetime]],
) -> dict[int, list[dt.datetime]]:
    """Oxygen that arrives after the pollutants it corrects: the same hours of the stack's other
    parameters that already have an hourly average are recomputed with it."""
    o2_pps = list(
        PointParameter.objects.filter(pk__in=list(hours_by_pp), parameter_id=O2).values_list(
            "pk", "point_id"
        )
    )
    if not o2_pps:
        return hours_by_pp
    out = {k: list(v) for k, v in hours_by_pp.items()}
    for o2_pp, point_id in o2_pps:
        hours = hours_by_pp[o2_pp]
        for pp_id, start in (
            HourlyAggregate.objects.filter(
                point_parameter__point_id=point_id, period_start__in=hours
            )
            .exclude(point_parameter__parameter_id=O2)
            .values_list("point_parameter_id", "period_start")
        ):
            out.setdefault(pp_id, [])
            if start not in out[pp_id]:
                out[pp_id].append(start)
    return {k: sorted(v) for k, v in out.items()}


def _reference_o2(pps: Mapping[int, PointParameter]) -> dict[int, Decimal]:
    """The oxygen each parameter is corrected to: the point's reference, or else that of the
    limits set on it (a catalogue limit for a boiler is stated at 7 % O2 even when the officer
    left the point's field blank). Oxygen itself is never corrected."""
    out: dict[int, Decimal] = {}
    for pp_id, pp in pps.items():
        if pp.parameter_id != O2 and pp.point.ref_o2_percent is not None:
            out[pp_id] = pp.point.ref_o2_percent
    rest = [i for i, pp in pps.items() if i not in out and pp.parameter_id != O2]
    if rest:
        for pp_id, ref in (
            PointLimit.objects.filter(point_parameter_id__in=rest, ref_o2_percent__isnull=False)
            .order_by("point_parameter_id", "-effective_from")
            .values_list("point_parameter_id", "ref_o2_percent")
        ):
            out.setdefault(pp_id, ref)
    return out


def _days(
    days_by_pp: Mapping[int, list[dt.date]],
    pps: Mapping[int, PointParameter],
    *,
    needs_o2: set[int] = frozenset(),  # type: ignore[assignment]
) -> list[DailyAggregate]:
    from rongngan.monitoring import validity

    if not days_by_pp:
        return []
    lo = day_bounds(min(d[0] for d in days_by_pp.values()))[0]
    hi = day_bounds(max(d[-1] for d in days_by_pp.values()))[1]
    # Hours as light records (validity.HourResult and the corrected value), not model rows.
    hours: dict[tuple[int, dt.date], list[tuple[Any, Decimal | None]]] = defaultdict(list)
    HourResult = validity.HourResult
    for pp_id, start, value, corrected, valid_minutes, valid, reason in (
        HourlyAggregate.objects.filter(
            point_parameter_id__in=list(days_by_pp), period_start__gte=lo, period_start__lt=hi
        )
        .order_by("period_start")
        .values_list(
            "point_parameter_id",
            "period_start",
            "value",
            "corrected_value",
            "valid_minutes",
            "valid",
            "reason",
        )
    ):
        result = HourResult(
            value=value,
            valid_minutes=valid_minutes,
            valid=valid,
            reason=reason,
            excused=reason == "calibration_or_maintenance",
        )
        hours[(pp_id, local_day(start))].append((result, corrected))
    daily: list[DailyAggregate] = []
    for pp_id, days in days_by_pp.items():
        regime = regime_for(pps[pp_id].point.validity_regime)
        for d in days:
            aggs = hours.get((pp_id, d), [])
            res = validity.day_average([a for a, _c in aggs], regime)
            corrected = [c for a, c in aggs if a.valid and c is not None]
            value = _dec(res.value)
            daily.append(
                DailyAggregate(
                    point_parameter_id=pp_id,
                    day=d,
                    value=value,
                    # A parameter corrected to reference oxygen has no corrected day without
                    # corrected hours: the raw mean must not stand in for it.
                    corrected_value=(sum(corrected) / len(corrected))
                    if corrected and res.valid
                    else (value if res.valid and pp_id not in needs_o2 else None),
                    valid_hours=res.valid_hours,
                    valid=bool(res.valid),
                    reason=str(res.reason or "")[:200],
                )
            )
    DailyAggregate.objects.bulk_create(
        daily,
        update_conflicts=True,
        unique_fields=["point_parameter", "day"],
        update_fields=["value", "corrected_value", "valid_hours", "valid", "reason"],
        batch_size=2000,
    )
    return daily


def expected_hours(month: dt.date, now: dt.datetime) -> int:
    """Hours of `month` (Bangkok) that have ended by `now`: what a continuous point owes."""
    start = day_bounds(month)[0]
    nxt = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    end = min(day_bounds(nxt)[0], hour_start(now))
    return max(0, int((end - start) / HOUR))


def _availability(days_by_pp: Mapping[int, list[dt.date]], now: dt.datetime) -> None:
    months = {(pp_id, month_of(d)) for pp_id, days in days_by_pp.items() for d in days}
    if not months:
        return
    rows = []
    for month in sorted({m for _, m in months}):
        start = day_bounds(month)[0]
        nxt = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        end = min(day_bounds(nxt)[0], hour_start(now) + HOUR)
        expected = expected_hours(month, now)
        ids = [pp_id for pp_id, m in months if m == month]
        counts = dict(
            HourlyAggregate.objects.filter(
                point_parameter_id__in=ids,
                period_start__gte=start,
                period_start__lt=end,
                valid=True,
            )
            .values("point_parameter_id")
            .annotate(n=Count("pk"))
            .values_list("point_parameter_id", "n")
        )
        for pp_id in ids:
            valid = counts.get(pp_id, 0)
            percent = (
                (Decimal(valid) * 100 / expected).quantize(Decimal("0.01"))
                if expected
                else Decimal(0)
            )
            rows.append(
                DataAvailability(
                    point_parameter_id=pp_id,
                    month=month,
                    expected_hours=expected,
                    valid_hours=valid,
                    percent=min(percent, Decimal(100)),
                )
            )
    DataAvailability.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["point_parameter", "month"],
        update_fields=["expected_hours", "valid_hours", "percent"],
    )


# --------------------------------------------------------------------------------------------
# Judging averages against limits.


def limits_in_force(pp_ids: Iterable[int]) -> dict[int, list[PointLimit]]:
    out: dict[int, list[PointLimit]] = defaultdict(list)
    for limit in PointLimit.objects.select_related("rule__standard", "point_parameter").filter(
        point_parameter_id__in=list(pp_ids), averaging__in=["hour", "day", "grab", "instant"]
    ):
        out[limit.point_parameter_id].append(limit)
    return out


def _in_force(limit: PointLimit, day: dt.date) -> bool:
    return limit.effective_from <= day and (limit.effective_to is None or day < limit.effective_to)


def judge(
    pps: Mapping[int, PointParameter],
    hourly: list[HourlyAggregate],
    daily: list[DailyAggregate],
    evidence_minutes: Mapping[tuple[int, dt.datetime], list[list[Any]]],
    now: dt.datetime,
    out: Outcome,
) -> None:
    from rongngan.monitoring import validity

    limits = limits_in_force(pps)
    if not limits:
        return
    found: list[tuple[PointLimit, dt.datetime, dt.timedelta, Any, dict[str, Any]]] = []
    for agg in hourly:
        for limit in limits.get(agg.point_parameter_id, []):
            # A grab-sample limit holds at any moment: continuous data is judged on its hourly
            # average against it (never on a single minute). An hour flagged only for want of
            # oxygen is still judged against the limits that are not at reference oxygen.
            if limit.averaging not in HOURLY_JUDGED or not (agg.valid or agg.reason in O2_REASONS):
                continue
            if not _in_force(limit, local_day(agg.period_start)):
                continue
            pp = pps[agg.point_parameter_id]
            value = _compared_value(pp, limit, agg.value, agg.corrected_value)
            if value is None:
                continue
            cmp = validity.compare(
                convert_to(value, pp.unit, limit.unit, pp),
                as_rule(limit),
                regime_for(pp.point.validity_regime),
                "hour",
            )
            if cmp.exceeds:
                found.append(
                    (
                        limit,
                        agg.period_start,
                        HOUR,
                        cmp,
                        {
                            "period": agg.period_start.isoformat(),
                            "value": str(agg.value),
                            "corrected_value": None
                            if agg.corrected_value is None
                            else str(agg.corrected_value),
                            "compared": str(cmp.value_compared),
                            "limit": str(cmp.limit),
                            "level": str(cmp.level or ""),
                            "valid_minutes": agg.valid_minutes,
                            "readings": _evidence(
                                evidence_minutes.get((agg.point_parameter_id, agg.period_start), [])
                            ),
                        },
                    )
                )
    for dagg in daily:
        for limit in limits.get(dagg.point_parameter_id, []):
            if limit.averaging != "day" or not dagg.valid or not _in_force(limit, dagg.day):
                continue
            pp = pps[dagg.point_parameter_id]
            value = _compared_value(pp, limit, dagg.value, dagg.corrected_value)
            if value is None:
                continue
            cmp = validity.compare(
                convert_to(value, pp.unit, limit.unit, pp),
                as_rule(limit),
                regime_for(pp.point.validity_regime),
                "day",
            )
            if cmp.exceeds:
                start = day_bounds(dagg.day)[0]
                hours = list(
                    HourlyAggregate.objects.filter(
                        point_parameter_id=dagg.point_parameter_id,
                        period_start__gte=start,
                        period_start__lt=start + DAY,
                    )
                    .order_by("period_start")
                    .values_list("period_start", "value", "valid")
                )
                found.append(
                    (
                        limit,
                        start,
                        DAY,
                        cmp,
                        {
                            "period": dagg.day.isoformat(),
                            "value": str(dagg.value),
                            "corrected_value": None
                            if dagg.corrected_value is None
                            else str(dagg.corrected_value),
                            "compared": str(cmp.value_compared),
                            "limit": str(cmp.limit),
                            "level": str(cmp.level or ""),
                            "valid_hours": dagg.valid_hours,
                            "hours": [
                                [h.isoformat(), None if v is None else str(v), ok]
                                for h, v, ok in hours
                            ],
                        },
                    )
                )
    from rongngan.monitoring import events

    for limit, start, length, cmp, evidence in sorted(found, key=lambda f: f[1]):
        event, opened = events.exceedance_record(
            point_parameter=pps[limit.point_parameter_id],
            limit=limit,
            period_start=start,
            period_length=length,
            value=_dec(cmp.value_compared),
            evidence=evidence,
            now=now,
        )
        if event is None:
            continue
        (out.events_opened if opened else out.events_extended).append(event.pk)


def _compared_value(
    pp: PointParameter, limit: PointLimit, value: Decimal | None, corrected: Decimal | None
) -> Decimal | None:
    """A limit at reference oxygen is compared with the corrected value (none if it could not
    be corrected); other limits with the measured value."""
    if limit.ref_o2_percent is not None or (
        pp.point.ref_o2_percent is not None and pp.parameter_id != O2
    ):
        return corrected
    return value


def open_counts(pp_ids: Iterable[int], kind: str, since: dt.datetime) -> dict[int, int]:
    return dict(
        Event.objects.filter(point_parameter_id__in=list(pp_ids), kind=kind, opened_at__gte=since)
        .values("point_parameter_id")
        .annotate(n=Count("pk"))
        .values_list("point_parameter_id", "n")
    )


__all__ = ["Outcome", "Q", "recompute"]
