"""Reads about pollution monitoring, scoped by who is asking (core.scoping holds the rules).

Points, their parameters and limits, and validated daily averages are public (the published
record of a factory, in the manner of US EPA ECHO): the public reads day resolution only, never
raw minutes or hourly values. Minutes, hours, events, notices, laboratory results and
notifications need a signed-in user in reach of the factory.

Functions the pages call (all typed, all take the acting user where scoping applies):
  points_for_user, point_for_user, point_parameters, point_series, auto_resolution,
  province_now, factory_quarter_grid, daily_averages_csv_rows, events_for, event_for_user,
  availability_by_month, notices_for, lab_results_for, notifications_for, standards_catalogue.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, Max, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from rongngan.core.scoping import factory_q, role_of
from rongngan.monitoring import conf, pipeline
from rongngan.monitoring.models import (
    DailyAggregate,
    DataAvailability,
    Event,
    HourlyAggregate,
    IngestBatch,
    LabResult,
    LimitRule,
    MonitoringPoint,
    Notice,
    Notification,
    PointLimit,
    PointParameter,
    Reading,
    Standard,
)
from rongngan.registry.models import Factory

RESOLUTIONS = ("minute", "hour", "day")
PUBLIC_RESOLUTIONS = ("day",)


def _scoped(qs: QuerySet, user: Any, path: str) -> QuerySet:
    q = factory_q(user, path=path)
    return qs if q is None else qs.filter(q)


def points_for_user(user: Any) -> QuerySet[MonitoringPoint]:
    qs = MonitoringPoint.objects.select_related("factory", "province")
    if role_of(user) == "public":
        return qs.filter(active=True)
    return _scoped(qs, user, "factory__")


def point_for_user(user: Any, pk: Any, *, write: bool = False) -> MonitoringPoint:
    """The point if `user` may read it (404 otherwise) and, with write, act for it (403)."""
    if not str(pk).isdecimal():
        raise Http404("no such point")
    point = points_for_user(user).filter(pk=int(pk)).first()
    if point is None:
        raise Http404("no such point")
    if write:
        from rongngan.monitoring.services import acts_for

        if not acts_for(user, point.factory):
            raise PermissionDenied("You may not act for this point")
    return point


def batch_for_user(user: Any, pk: Any) -> IngestBatch:
    """A batch of readings seen by its sender and by any signed-in user in reach of a point
    it touched (an officer of the province, a colleague of the same operator); 404 otherwise."""
    batch = IngestBatch.objects.filter(pk=int(pk)).first() if str(pk).isdecimal() else None
    if batch is None or not getattr(user, "is_authenticated", False):
        raise Http404("no such batch")
    if batch.user_id == user.pk:
        return batch
    pp_ids = [int(k) for k in batch.touched]
    if not points_for_user(user).filter(parameters__pk__in=pp_ids).exists():
        raise Http404("no such batch")
    return batch


def point_parameters(point: MonitoringPoint, *, on: dt.date | None = None) -> list[PointParameter]:
    """The point's parameters with the limits in force on `on` (today) as `current_limits`."""
    on = on or timezone.localdate()
    current = (
        PointLimit.objects.filter(effective_from__lte=on)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gt=on))
        .select_related("rule__standard")
    )
    return list(
        PointParameter.objects.filter(point=point)
        .select_related("parameter")
        .prefetch_related(Prefetch("limits", queryset=current, to_attr="current_limits"))
        .order_by("parameter_id")
    )


def auto_resolution(start: dt.datetime, end: dt.datetime) -> str:
    """The finest resolution that keeps a chart under about 3,000 points."""
    span = end - start
    if span <= dt.timedelta(days=2):
        return "minute"
    if span <= dt.timedelta(days=120):
        return "hour"
    return "day"


@dataclass
class Series:
    point: MonitoringPoint
    parameter: PointParameter
    resolution: str
    unit: str
    start: dt.datetime
    end: dt.datetime
    # (time, value, valid, flags or reason); value in `unit`; minute values are as stored
    values: list[tuple[dt.datetime | dt.date, Decimal | None, bool, str]]
    # limits overlapping the period, each with its value converted into `unit` for drawing
    limits: list[dict[str, Any]]


def point_series(
    user: Any,
    point: MonitoringPoint,
    parameter: str,
    start: dt.datetime,
    end: dt.datetime,
    resolution: str = "hour",
) -> Series:
    """Values of one parameter of a point in [start, end) at minute, hour or day resolution,
    with the limits to draw. The public may ask for day resolution only (PermissionDenied)."""
    if resolution not in RESOLUTIONS:
        raise ValueError(f"resolution must be one of {RESOLUTIONS}")
    if role_of(user) == "public" and resolution not in PUBLIC_RESOLUTIONS:
        raise PermissionDenied("The public sees validated daily averages only")
    pp = (
        PointParameter.objects.select_related("parameter", "point")
        .filter(point=point, parameter_id=parameter)
        .first()
    )
    if pp is None:
        raise Http404("no such parameter at this point")
    values: list[tuple[Any, Decimal | None, bool, str]]
    if resolution == "minute":
        values = _screened_minutes(pp, start, end)
    elif resolution == "hour":
        values = [
            (ts, c if c is not None else v, ok, reason)
            for ts, v, c, ok, reason in HourlyAggregate.objects.filter(
                point_parameter_id=pp.pk, period_start__gte=start, period_start__lt=end
            )
            .order_by("period_start")
            .values_list("period_start", "value", "corrected_value", "valid", "reason")
        ]
    else:
        values = [
            (day, c if c is not None else v, ok, reason)
            for day, v, c, ok, reason in DailyAggregate.objects.filter(
                point_parameter_id=pp.pk,
                day__gte=pipeline.local_day(start),
                day__lt=pipeline.local_day(end),
            )
            .order_by("day")
            .values_list("day", "value", "corrected_value", "valid", "reason")
        ]
    return Series(point, pp, resolution, pp.unit, start, end, values, _limits_in(pp, start, end))


def _screened_minutes(
    pp: PointParameter, start: dt.datetime, end: dt.datetime
) -> list[tuple[Any, Decimal | None, bool, str]]:
    """The stored minutes of [start, end) screened as the hourly average screens them
    (validity.screen: missing, out of the instrument range, flat line, and the sender's
    flags): (time, value, valid, flags), a minute not valid with its reasons among its flags.
    The flat-line context before the window is read too, so a stuck run that began earlier
    is named in the window as it is in the hour."""
    from rongngan.monitoring import validity

    flat = int(conf.get("MONITORING_FLATLINE_MINUTES") or 0)
    since = start - dt.timedelta(minutes=flat)
    rows = list(
        Reading.objects.filter(point_parameter_id=pp.pk, ts__gte=since, ts__lt=end)
        .order_by("ts")
        .values_list("ts", "value_std", "flags")
    )
    lo = pp.range_min if pp.range_min is not None else pp.parameter.range_min
    hi = pp.range_max if pp.range_max is not None else pp.parameter.range_max
    screened = validity.screen(
        [
            validity.Minute(ts, v, frozenset(f for f in flags.split(",") if f))
            for ts, v, flags in rows
        ],
        range_min=lo,
        range_max=hi,
        flatline_minutes=flat or None,
    )
    return [(m.ts, m.value, m.valid, ",".join(sorted(m.flags))) for m in screened if m.ts >= start]


def _limits_in(pp: PointParameter, start: dt.datetime, end: dt.datetime) -> list[dict[str, Any]]:
    # The limits in force at some moment of [start, end): from the start's day to the day of
    # the window's last moment (a limit starting today is drawn in a window ending now).
    last_day = pipeline.local_day(end - dt.timedelta(microseconds=1))
    out = []
    for limit in (
        PointLimit.objects.filter(point_parameter=pp, effective_from__lte=last_day)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gt=pipeline.local_day(start)))
        .select_related("rule__standard")
        .order_by("averaging", "version")
    ):

        def conv(v: Decimal | None, limit: PointLimit = limit) -> Decimal | None:
            if v is None:
                return None
            try:
                return pipeline.convert_to(v, limit.unit, pp.unit, pp)
            except Exception:
                return None

        out.append(
            {
                "id": limit.pk,
                "version": limit.version,
                "basis": limit.basis,
                "standard": limit.rule.standard.code if limit.rule_id else "",
                "reference": limit.reference or limit.document,
                "averaging": limit.averaging,
                "comparator": limit.comparator,
                "unit": pp.unit,
                "value": conv(limit.value),
                "upper_value": conv(limit.upper_value),
                "low_value": conv(limit.low_value),
                "high_value": conv(limit.high_value),
                "effective_from": limit.effective_from,
                "effective_to": limit.effective_to,
            }
        )
    return out


# --------------------------------------------------------------------------------------------
# Dashboards


@dataclass
class PointNow:
    pk: int
    code: str
    name: str
    kind: str
    factory_id: int
    factory_name: str
    latitude: Decimal | None
    longitude: Decimal | None
    state: str  # "exceedance" | "silent" | "ok"
    last_reading_at: dt.datetime | None
    open_events: int


def province_now(user: Any, province: str, *, now: dt.datetime | None = None) -> list[PointNow]:
    """Each active continuous point of `province` in reach: in exceedance now (an exceedance
    event not closed whose last exceeding period is within MONITORING_NOW_HOURS, 24, or twice
    that for daily limits), silent (nothing for MONITORING_GAP_MINUTES), or ok. Exceedances
    first, then silent points."""
    now = now or timezone.now()
    gap = dt.timedelta(minutes=int(conf.get("MONITORING_GAP_MINUTES")))
    window = dt.timedelta(hours=int(conf.get("MONITORING_NOW_HOURS")))
    recent = Q(averaging="day", last_period__gte=now - 2 * window) | (
        ~Q(averaging="day") & Q(last_period__gte=now - window)
    )
    exceeding = Event.objects.filter(
        point_parameter__point=OuterRef("pk"), kind=Event.Kind.EXCEEDANCE, closed_at__isnull=True
    ).filter(recent)
    qs = (
        _scoped(MonitoringPoint.objects.all(), user, "factory__")
        .filter(province_id=province, active=True, method=MonitoringPoint.Method.CONTINUOUS)
        .annotate(
            last=Max("parameters__last_reading_at"),
            exceeding=Exists(exceeding),
        )
        .values(
            "pk",
            "code",
            "name",
            "kind",
            "factory_id",
            "factory__name_th",
            "latitude",
            "longitude",
            "last",
            "exceeding",
        )
    )
    open_counts: dict[int, int] = defaultdict(int)
    for point_id in Event.objects.filter(province_id=province, closed_at__isnull=True).values_list(
        "point_parameter__point_id", flat=True
    ):
        open_counts[point_id] += 1
    out = []
    for row in qs:
        if row["exceeding"]:
            state = "exceedance"
        elif row["last"] is None or row["last"] < now - gap:
            state = "silent"
        else:
            state = "ok"
        out.append(
            PointNow(
                row["pk"],
                row["code"],
                row["name"],
                row["kind"],
                row["factory_id"],
                row["factory__name_th"],
                row["latitude"],
                row["longitude"],
                state,
                row["last"],
                open_counts.get(row["pk"], 0),
            )
        )
    order = {"exceedance": 0, "silent": 1, "ok": 2}
    out.sort(key=lambda p: (order[p.state], p.code))
    return out


def quarter_of(day: dt.date) -> tuple[dt.date, dt.date]:
    first_month = 3 * ((day.month - 1) // 3) + 1
    start = day.replace(month=first_month, day=1)
    following = first_month + 3
    next_start = dt.date(day.year + (following > 12), (following - 1) % 12 + 1, 1)
    return start, next_start - dt.timedelta(days=1)


@dataclass
class QuarterCell:
    start: dt.date
    end: dt.date
    state: str  # "compliant" | "exceedance" | "not_reporting" | "no_points"
    exceedances: int


def factory_quarter_grid(
    factory: Factory, quarters: int = 12, *, today: dt.date | None = None
) -> list[QuarterCell]:
    """The last `quarters` calendar quarters (oldest first) of a factory's monitoring, as on
    ECHO: exceedance (an exceedance event began in the quarter), not reporting (a point that
    had to report sent no valid daily average or laboratory result in it), else compliant.
    Public: counts only, no readings."""
    today = today or timezone.localdate()
    cells: list[tuple[dt.date, dt.date]] = []
    start, end = quarter_of(today)
    for _ in range(quarters):
        cells.append((start, end))
        start, end = quarter_of(start - dt.timedelta(days=1))
    cells.reverse()
    lo = cells[0][0]
    pps = list(
        PointParameter.objects.filter(point__factory=factory, point__active=True).values_list(
            "pk", "point_id", "point__created_at"
        )
    )
    if not pps:
        return [QuarterCell(s, e, "no_points", 0) for s, e in cells]
    pp_ids = [p[0] for p in pps]
    lo_dt = pipeline.day_bounds(lo)[0]
    exceed_days = list(
        Event.objects.filter(
            factory=factory, kind=Event.Kind.EXCEEDANCE, first_period__gte=lo_dt
        ).values_list("first_period", flat=True)
    )
    reported_points: dict[tuple[dt.date, dt.date], set[int]] = defaultdict(set)
    point_of = {p[0]: p[1] for p in pps}
    days = (
        DailyAggregate.objects.filter(point_parameter_id__in=pp_ids, day__gte=lo, valid=True)
        .values_list("point_parameter_id", "day")
        .distinct()
    )
    samples = LabResult.objects.filter(
        point_parameter_id__in=pp_ids, sampled_at__gte=lo_dt
    ).values_list("point_parameter_id", "sampled_at")
    for pp_id, day in list(days) + [(p, pipeline.local_day(t)) for p, t in samples]:
        for s, e in cells:
            if s <= day <= e:
                reported_points[(s, e)].add(point_of[pp_id])
                break
    # A point counts from the day it was set up: a quarter before it owes nothing from it (a
    # new point must not rewrite the record of the quarters before it).
    since = {p[1]: timezone.localtime(p[2]).date() for p in pps}
    out = []
    for s, e in cells:
        n = sum(1 for t in exceed_days if s <= pipeline.local_day(t) <= e)
        required = {point for point, day in since.items() if day <= e} | reported_points[(s, e)]
        if n:
            state = "exceedance"
        elif not required:
            state = "no_points"
        elif reported_points[(s, e)] >= required:
            state = "compliant"
        else:
            state = "not_reporting"
        out.append(QuarterCell(s, e, state, n))
    return out


CSV_HEADER = (
    "factory_registration_no",
    "point",
    "parameter",
    "day",
    "value",
    "corrected_value",
    "unit",
    "valid",
    "valid_hours",
    "limit",
    "limit_unit",
)


def daily_averages_csv_rows(
    factory: Factory, start: dt.date, end: dt.date
) -> Iterator[tuple[Any, ...]]:
    """Header then one row per point-parameter and day in [start, end]: validated daily
    averages with the daily or hourly limit in force that day. Public (no raw minutes)."""
    yield CSV_HEADER
    limits: dict[int, list[PointLimit]] = defaultdict(list)
    for limit in PointLimit.objects.filter(point_parameter__point__factory=factory).order_by(
        "averaging"
    ):
        limits[limit.point_parameter_id].append(limit)
    rows = (
        DailyAggregate.objects.filter(
            point_parameter__point__factory=factory, day__gte=start, day__lte=end
        )
        .order_by("point_parameter__point__code", "point_parameter__parameter_id", "day")
        .values_list(
            "point_parameter_id",
            "point_parameter__point__code",
            "point_parameter__parameter_id",
            "day",
            "value",
            "corrected_value",
            "point_parameter__unit",
            "valid",
            "valid_hours",
        )
        .iterator(chunk_size=5000)
    )
    for pp_id, code, param, day, value, corrected, unit, valid, hours in rows:
        limit = next(
            (
                li
                for li in limits.get(pp_id, [])
                if li.effective_from <= day and (li.effective_to is None or day < li.effective_to)
            ),
            None,
        )
        yield (
            factory.registration_no,
            code,
            param,
            day.isoformat(),
            "" if value is None else value,
            "" if corrected is None else corrected,
            unit,
            "yes" if valid else "no",
            hours,
            ""
            if limit is None
            else (
                limit.value if limit.value is not None else f"{limit.low_value}-{limit.high_value}"
            ),
            "" if limit is None else limit.unit,
        )


def availability_by_month(
    point: MonitoringPoint, months: int = 12
) -> dict[str, list[tuple[dt.date, Decimal]]]:
    """{parameter code: [(month, percent of valid hours)]} for the last `months` months."""
    since = (timezone.localdate().replace(day=1) - dt.timedelta(days=31 * (months - 1))).replace(
        day=1
    )
    out: dict[str, list[tuple[dt.date, Decimal]]] = defaultdict(list)
    for code, month, percent in (
        DataAvailability.objects.filter(point_parameter__point=point, month__gte=since)
        .order_by("point_parameter__parameter_id", "month")
        .values_list("point_parameter__parameter_id", "month", "percent")
    ):
        out[code].append((month, percent))
    return dict(out)


# --------------------------------------------------------------------------------------------
# Events, notices, laboratory results, notifications


def events_for(
    user: Any,
    *,
    status: str | Sequence[str] | None = None,
    kind: str | None = None,
    factory: Factory | int | None = None,
    province: str | None = None,
    point: MonitoringPoint | int | None = None,
    since: dt.datetime | None = None,
) -> QuerySet[Event]:
    """Events in reach, newest first (the public sees none)."""
    if role_of(user) == "public":
        return Event.objects.none()
    qs = _scoped(
        Event.objects.select_related(
            "point_parameter__point", "point_parameter__parameter", "factory", "province", "limit"
        ),
        user,
        "factory__",
    )
    if status:
        qs = qs.filter(status__in=[status] if isinstance(status, str) else list(status))
    if kind:
        qs = qs.filter(kind=kind)
    if factory is not None:
        qs = qs.filter(factory_id=getattr(factory, "pk", factory))
    if province:
        qs = qs.filter(province_id=province)
    if point is not None:
        qs = qs.filter(point_parameter__point_id=getattr(point, "pk", point))
    if since is not None:
        qs = qs.filter(opened_at__gte=since)
    return qs.order_by("-opened_at", "-pk")


def event_for_user(user: Any, pk: Any) -> Event:
    event = events_for(user).filter(pk=pk).first() if str(pk).isdecimal() else None
    if event is None:
        raise Http404("no such event")
    return event


def notices_for(user: Any, *, point: MonitoringPoint | None = None) -> QuerySet[Notice]:
    if role_of(user) == "public":
        return Notice.objects.none()
    qs = _scoped(
        Notice.objects.select_related("point__factory", "submitted_by"), user, "point__factory__"
    )
    if point is not None:
        qs = qs.filter(point=point)
    return qs.order_by("-starts_at", "-pk")


def notices_between(point: MonitoringPoint, start: dt.datetime, end: dt.datetime) -> list[Notice]:
    """Notices overlapping [start, end), to show beside a point's data."""
    return list(
        Notice.objects.filter(point=point, starts_at__lt=end)
        .filter(Q(ends_at__isnull=True) | Q(ends_at__gte=start))
        .order_by("starts_at")
    )


def lab_results_for(user: Any, *, point: MonitoringPoint | None = None) -> QuerySet[LabResult]:
    if role_of(user) == "public":
        return LabResult.objects.none()
    qs = _scoped(
        LabResult.objects.select_related(
            "point_parameter__point__factory", "point_parameter__parameter", "lab"
        ),
        user,
        "point_parameter__point__factory__",
    )
    if point is not None:
        qs = qs.filter(point_parameter__point=point)
    return qs.order_by("-sampled_at", "-pk")


def notifications_for(user: Any, *, unread_only: bool = False) -> QuerySet[Notification]:
    if role_of(user) == "public":
        return Notification.objects.none()
    qs = Notification.objects.filter(user=user).select_related("event")
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs.order_by("-created_at", "-pk")


def standards_catalogue() -> QuerySet[Standard]:
    """The standards with their limit rules still in the catalogue (public)."""
    return Standard.objects.prefetch_related(
        Prefetch(
            "limits",
            queryset=LimitRule.objects.filter(in_catalogue=True).order_by(
                "parameter_id", "averaging", "pk"
            ),
        )
    ).order_by("medium", "code")
