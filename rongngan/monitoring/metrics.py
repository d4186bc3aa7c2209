"""Monitoring metrics the action plan binds KPIs to (see core.metrics).

`monitoring.share_of_factories_reporting`: the plan's KPI "80 % of factories report their
monitoring results into the database". Of the factories required to report in a period (those
with an active monitoring point set up before the period ended whose reporting frequency falls
in it: continuous points always, a monthly point in a period of a month or more, a quarterly
one in a quarter or more ...), the share that reported: every required point did, a
continuous point by reaching MONITORING_REPORTING_MIN_AVAILABILITY percent of valid hours over
the months of the period, a periodic point by a laboratory result sampled in the period.

`monitoring.data_availability`: valid hours as a percentage of the hours expected, over every
continuous point-parameter, in the months of the period.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db.models import BooleanField, Case, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rongngan.core.metrics import Period, metric
from rongngan.monitoring import conf, pipeline
from rongngan.monitoring.models import (
    DataAvailability,
    LabResult,
    MonitoringPoint,
    PointParameter,
)
from rongngan.registry.models import Factory

# Shortest period in which a point of this frequency must have reported (days).
MIN_DAYS = {
    "minute": 0,
    "hour": 0,
    "day": 0,
    "month": 28,
    "quarter": 89,
    "half_year": 181,
    "year": 365,
}


def _months(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    return start.replace(day=1), end.replace(day=1)


def _months_between(start: dt.date, end: dt.date) -> list[dt.date]:
    month, last, out = start.replace(day=1), end.replace(day=1), []
    while month <= last:
        out.append(month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return out


def owed_months(lo: dt.date, hi: dt.date, **points: Any) -> list[tuple[int, int, dt.date, int]]:
    """(point_parameter, point, month, valid hours) for each month of [lo, hi] that a
    parameter of the points selected by `points` owes: an active parameter every month from
    the one it was added in (and any earlier month it has data for), 0 valid hours for a month
    in which nothing came (there is no availability row then); a parameter no longer active,
    the months it has data for."""
    rows: dict[int, dict[dt.date, int]] = defaultdict(dict)
    for pp_id, month, valid in DataAvailability.objects.filter(
        month__gte=lo.replace(day=1),
        month__lte=hi,
        **{f"point_parameter__point__{k}": v for k, v in points.items()},
    ).values_list("point_parameter_id", "month", "valid_hours"):
        rows[pp_id][month] = valid
    out = []
    for pp_id, point_id, created_at, active in PointParameter.objects.filter(
        **{f"point__{k}": v for k, v in points.items()}
    ).values_list("pk", "point_id", "created_at", "active"):
        found = rows.get(pp_id, {})
        months = sorted(
            set(found) | set(_months_between(max(lo, pipeline.local_day(created_at)), hi))
            if active
            else set(found)
        )
        out += [(pp_id, point_id, m, found.get(m, 0)) for m in months]
    return out


def reporting(periods: Sequence[Period]) -> list[tuple[set[int], set[int]]]:
    """For each period, (factories required to report, factories that reported)."""
    if not periods:
        return []
    lo = min(p[0] for p in periods)
    hi = max(p[1] for p in periods)
    now = timezone.now()
    points = list(
        MonitoringPoint.objects.filter(active=True).values_list(
            "pk", "factory_id", "method", "frequency", "created_at"
        )
    )
    availability: dict[int, list[tuple[dt.date, int, int]]] = defaultdict(list)
    for _pp, point_id, month, valid in owed_months(lo, hi, active=True):
        # What the month owes is counted now, not when the last batch came: a point that fell
        # silent keeps owing hours.
        availability[point_id].append((month, valid, pipeline.expected_hours(month, now)))
    lo_dt = pipeline.day_bounds(lo)[0]
    hi_dt = pipeline.day_bounds(hi)[1]
    samples: dict[int, list[dt.datetime]] = defaultdict(list)
    for point_id, at in LabResult.objects.filter(
        sampled_at__gte=lo_dt, sampled_at__lt=hi_dt
    ).values_list("point_parameter__point_id", "sampled_at"):
        samples[point_id].append(at)
    share = Decimal(conf.get("MONITORING_REPORTING_MIN_AVAILABILITY"))
    out = []
    for start, end in periods:
        days = (end - start).days + 1
        first_month, last_month = _months(start, end)
        p_lo, p_hi = pipeline.day_bounds(start)[0], pipeline.day_bounds(end)[1]
        required: set[int] = set()
        failed: set[int] = set()
        for pk, factory_id, method, frequency, created_at in points:
            if created_at >= p_hi or days < MIN_DAYS.get(frequency, 0):
                continue
            required.add(factory_id)
            if method == MonitoringPoint.Method.CONTINUOUS:
                rows = [r for r in availability.get(pk, []) if first_month <= r[0] <= last_month]
                expected = sum(r[2] for r in rows)
                valid = sum(r[1] for r in rows)
                ok = expected > 0 and Decimal(valid) * 100 >= share * expected
            else:
                ok = any(p_lo <= t < p_hi for t in samples.get(pk, []))
            if not ok:
                failed.add(factory_id)
        out.append((required, required - failed))
    return out


def reporting_factories(start: dt.date, end: dt.date) -> QuerySet[Factory]:
    """The factories required to report in the period, each with `reported` yes or no."""
    required, reported = reporting([(start, end)])[0]
    return (
        Factory.objects.filter(pk__in=required)
        .select_related("province")
        .annotate(
            reported=Case(
                When(pk__in=reported, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .order_by("province_id", "registration_no")
    )


@metric(
    "monitoring.share_of_factories_reporting",
    label=_("Share of factories required to report monitoring results that reported (%)"),
    unit="percent",
    accumulation="level",
    description=_(
        "Factories with an active monitoring point due in the period that reported for every "
        "such point (continuous points: valid hours at least the configured share; periodic "
        "points: a laboratory result sampled in the period), as a percentage of those factories."
    ),
    records=reporting_factories,
    columns=(
        ("registration_no", _("registration number")),
        ("name_th", _("factory")),
        ("province", _("province")),
        ("reported", _("reported")),
    ),
)
def share_of_factories_reporting(periods: Sequence[Period]) -> list[Decimal | None]:
    out: list[Decimal | None] = []
    for required, reported in reporting(periods):
        out.append(Decimal(len(reported)) * 100 / len(required) if required else None)
    return out


@metric(
    "monitoring.data_availability",
    label=_("Data availability of continuous monitoring (%)"),
    unit="percent",
    accumulation="level",
    description=_(
        "Valid hourly averages as a percentage of the hours expected, over all continuous "
        "monitoring point-parameters, in the months of the period."
    ),
)
def data_availability(periods: Sequence[Period]) -> list[Decimal | None]:
    if not periods:
        return []
    lo = min(p[0] for p in periods).replace(day=1)
    hi = max(p[1] for p in periods)
    rows = [
        (month, valid)
        for _pp, _point, month, valid in owed_months(
            lo, hi, method=MonitoringPoint.Method.CONTINUOUS
        )
    ]
    now = timezone.now()
    owed = {m: pipeline.expected_hours(m, now) for m in {m for m, _v in rows}}
    out: list[Decimal | None] = []
    for start, end in periods:
        first, last = _months(start, end)
        valid = sum(v for m, v in rows if first <= m <= last)
        expected = sum(owed[m] for m, _v in rows if first <= m <= last)
        out.append(Decimal(valid) * 100 / expected if expected else None)
    return out
