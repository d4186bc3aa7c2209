"""Demo and national data for pollution monitoring.

Demo: about 40 points (stacks and effluent outlets) over the demo factories, the demo operator's
and Rayong's first; two days of minute data for a few of them sent through the real ingestion
service (validation, averages, judging), with one real exceedance (three hours of SO2 over the
boiler limit at a Rayong stack of the demo operator) and one gap (an outlet silent for the last
three hours, raised by the clock); monthly laboratory results for the periodic outlets, one with
drift; notices; and three years of validated daily averages so the public quarter grid has a
history.

National: points for RONGNGAN_NATIONAL_POINTS factories (5,000 by default); a month of minute
data for RONGNGAN_NATIONAL_MINUTE_POINTS of them (200: 8.6 million readings, by COPY), their
hourly and daily averages and availability computed in SQL; and a year of daily averages for
every point-parameter (by COPY into DailyAggregate). The seed's minutes are generated valid, so
the SQL averages equal what the pipeline would compute.
"""

import datetime as dt
import os
import random
import time
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from rongngan.accounts.models import Organisation
from rongngan.core.seeds import seed_step
from rongngan.monitoring import clocks, services, storage
from rongngan.monitoring.models import (
    DailyAggregate,
    MonitoringPoint,
    PointParameter,
)
from rongngan.registry.models import Factory

# (kind, parameters with typical value and spread, point attributes)
STACK = (
    "stack",
    {"so2": (420, 60), "nox": (120, 20), "particulate": (80, 15), "o2": (8, 0.6)},
    {"fuel": "oil", "attributes": {"source": "boiler_furnace"}, "ref_o2_percent": "7"},
)
OUTLET = (
    "effluent_outlet",
    {"bod": (12, 3), "cod": (70, 12), "ph": (7.4, 0.3), "ss": (25, 6)},
    {"large_discharge": True, "receiving_water": "แม่น้ำระยอง"},
)
LAB = ("lab-demo-1", "บริษัท ห้องปฏิบัติการสิ่งแวดล้อมไทย จำกัด", "ว-123-2565")


def _bkk(ts: dt.datetime) -> str:
    return ts.astimezone(dt.timezone(dt.timedelta(hours=7))).isoformat()


@seed_step(order=300)
def seed_monitoring(*, scale: str, seed: int, actor: Any, stdout: Any) -> None:
    if MonitoringPoint.objects.exists():
        return None
    rng = random.Random(seed)
    started = time.monotonic()
    if scale == "demo":
        _demo(rng, actor, stdout)
    elif scale == "national":
        _national(rng, actor, stdout)
    else:
        return None
    stdout.write(f"Monitoring seeded in {time.monotonic() - started:.0f} s.")
    return None


def _define(
    actor: Any, factory: Factory, code: str, spec: tuple, *, method: str = "continuous"
) -> MonitoringPoint:
    kind, params, extra = spec
    name = "ปล่องหม้อไอน้ำ" if kind == "stack" else "จุดระบายน้ำทิ้ง"
    point = services.point_define(
        acting_user=actor,
        factory=factory,
        data={
            "code": code,
            "name": f"{name} {code[-1]}",
            "kind": kind,
            "method": method,
            "frequency": "minute" if method == "continuous" else "month",
            **extra,
        },
    )
    for param in params:
        services.point_parameter_set(
            acting_user=actor,
            point=point,
            parameter=param,
            data={"effective_from": "2023-01-01"},
        )
    return point


def _demo(rng: random.Random, actor: Any, stdout: Any) -> None:
    from django.contrib.auth import get_user_model

    operator = get_user_model().objects.filter(username="operator").first()
    own = list(Factory.objects.filter(operator_id=getattr(operator, "organisation_id", None)))
    rayong = list(Factory.objects.filter(province_id="21").exclude(pk__in=[f.pk for f in own]))
    others = list(Factory.objects.exclude(province_id="21").exclude(pk__in=[f.pk for f in own]))
    factories = (own[:4] + rayong[:12] + others[:14])[:28]
    points: list[MonitoringPoint] = []
    with transaction.atomic():
        for i, factory in enumerate(factories):
            spec = STACK if i % 3 != 2 else OUTLET
            method = "continuous" if i % 5 != 4 else "periodic"
            points.append(_define(actor, factory, f"P{factory.pk:05d}-1", spec, method=method))
            if i < 12:
                other = OUTLET if spec is STACK else STACK
                points.append(_define(actor, factory, f"P{factory.pk:05d}-2", other))
    continuous = [p for p in points if p.method == "continuous"]
    now = timezone.now().replace(second=0, microsecond=0)
    # Set up years ago: the daily history below and the KPI's periods come before today.
    MonitoringPoint.objects.filter(pk__in=[p.pk for p in points]).update(
        created_at=now - dt.timedelta(days=3 * 365)
    )
    start = now - dt.timedelta(days=2)
    live = [p for p in continuous if p.factory in own or p.province_id == "21"][:6]
    if not live:
        live = continuous[:6]
    exceeding = next((p for p in live if p.kind == "stack"), None)
    silent = next((p for p in live if p.kind == "effluent_outlet"), None)
    for point in live:
        spec = STACK if point.kind == "stack" else OUTLET
        end = now - dt.timedelta(hours=3) if point is silent else now - dt.timedelta(minutes=1)
        day = start
        while day < end:
            stop = min(day + dt.timedelta(hours=12), end)
            rows = []
            ts = day
            while ts < stop:
                for param, (mean, spread) in spec[1].items():
                    value = rng.gauss(mean, spread)
                    if (
                        point is exceeding
                        and param == "so2"
                        and now - dt.timedelta(hours=8) <= ts < now - dt.timedelta(hours=5)
                    ):
                        value = rng.gauss(1150, 40)
                    flags = "calibration" if ts.hour == 20 and ts.minute < 10 else ""
                    rows.append(
                        {
                            "point": point.code,
                            "parameter": param,
                            "ts": _bkk(ts),
                            "value": f"{max(value, 0):.2f}",
                            "flags": flags,
                        }
                    )
                ts += dt.timedelta(minutes=1)
            services.readings_ingest(acting_user=actor, rows=rows, process="inline")
            day = stop
    # The other continuous points: a month of hourly averages, then the last two hours of
    # minutes through the service (so they are live on the province's dashboard).
    others = [p for p in continuous if p not in live]
    _recent_hours(rng, others, now - dt.timedelta(days=30), now - dt.timedelta(hours=2))
    rows = []
    for point in others:
        spec = STACK if point.kind == "stack" else OUTLET
        for m in range(120, 0, -1):
            ts = now - dt.timedelta(minutes=m)
            for param, (mean, spread) in spec[1].items():
                value = max(rng.gauss(mean, spread), 0)
                rows.append(
                    {
                        "point": point.code,
                        "parameter": param,
                        "ts": _bkk(ts),
                        "value": f"{value:.2f}",
                    }
                )
    if rows:
        services.readings_ingest(acting_user=actor, rows=rows, process="inline")
    clocks.run_clocks(now)
    lab, _ = Organisation.objects.get_or_create(
        code=LAB[0], defaults={"kind": Organisation.Kind.LAB, "name_th": LAB[1]}
    )
    outlets = [p for p in points if p.kind == "effluent_outlet"]
    with transaction.atomic():
        for point in outlets:
            if point.method != "periodic" and point is not silent:
                continue
            for months_ago in range(6 if point.method == "periodic" else 0, -1, -1):
                sampled = now - dt.timedelta(days=30 * months_ago + 3)
                for param in ("bod", "cod"):
                    mean, spread = OUTLET[1][param]
                    value = rng.gauss(mean, spread)
                    if point is silent and months_ago == 0:
                        sampled = now - dt.timedelta(hours=20)
                        value = mean * 0.6  # drifts from the online analyser
                    services.lab_result_record(
                        acting_user=actor,
                        point_parameter=point.parameters.get(parameter_id=param),
                        data={
                            "lab": lab.pk,
                            "lab_registration_no": LAB[2],
                            "report_no": f"LAB-{point.pk}-{months_ago}-{param}",
                            "sampled_at": sampled.isoformat(),
                            "value": f"{max(value, 0):.1f}",
                        },
                    )
        if silent is not None:
            services.notice_submit(
                acting_user=actor,
                point=silent,
                data={
                    "kind": "malfunction",
                    "starts_at": (now - dt.timedelta(hours=3)).isoformat(),
                    "reason": "เครื่องวิเคราะห์ BOD ออนไลน์ขัดข้อง ปั๊มเก็บตัวอย่างชำรุด",
                },
            )
        if len(live) > 1:
            services.notice_submit(
                acting_user=actor,
                point=live[1],
                data={
                    "kind": "maintenance",
                    "starts_at": (now - dt.timedelta(days=40)).isoformat(),
                    "ends_at": (now - dt.timedelta(days=39)).isoformat(),
                    "reason": "ตรวจสอบความถูกต้องของ CEMS ประจำปี (RATA)",
                },
            )
    _history(rng, [p for p in points if p not in live], years=3)
    stdout.write(
        f"Monitoring demo: {len(points)} points, minute data for {len(live)} "
        f"(exceedance at {getattr(exceeding, 'code', '-')}, gap at {getattr(silent, 'code', '-')})."
    )


def _recent_hours(
    rng: random.Random, points: list[MonitoringPoint], start: dt.datetime, end: dt.datetime
) -> None:
    """Valid hourly averages (and the days and availability they make) for [start, end)."""
    from rongngan.core.bulk import insert_rows
    from rongngan.monitoring import pipeline
    from rongngan.monitoring.models import HourlyAggregate

    rows = []
    hours: dict[int, set[dt.datetime]] = {}
    first = start.replace(minute=0, second=0, microsecond=0)
    for pp in PointParameter.objects.filter(point__in=points).select_related("point"):
        spec = STACK if pp.point.kind == "stack" else OUTLET
        mean, spread = spec[1].get(pp.parameter_id, (10, 1))
        h = first
        while h < end:
            value = Decimal(f"{max(rng.gauss(mean, spread / 4), 0):.3f}")
            rows.append(
                {
                    "point_parameter_id": pp.pk,
                    "period_start": h,
                    "value": value,
                    "corrected_value": value,
                    "minutes": 60,
                    "valid_minutes": 60,
                    "valid": True,
                    "reason": "ok",
                }
            )
            hours.setdefault(pp.pk, set()).add(h)
            h += dt.timedelta(hours=1)
    with transaction.atomic():
        insert_rows(HourlyAggregate, rows)
        days = {pp: sorted({pipeline.local_day(h) for h in hs}) for pp, hs in hours.items()}
        pps = {
            pp.pk: pp
            for pp in PointParameter.objects.select_related("point").filter(pk__in=list(hours))
        }
        pipeline._days(days, pps)
        pipeline._availability(days, end)


def _history(rng: random.Random, points: list[MonitoringPoint], *, years: int) -> int:
    """Validated daily averages for the past `years` years (a quarter missing now and then)."""
    today = timezone.localdate()
    rows = []
    for pp in PointParameter.objects.filter(point__in=points).select_related("point"):
        spec = STACK if pp.point.kind == "stack" else OUTLET
        mean, spread = spec[1].get(pp.parameter_id, (10, 1))
        skip_quarter = rng.randrange(12 * years) if rng.random() < 0.3 else -1
        for n in range(365 * years, 31, -1):
            day = today - dt.timedelta(days=n)
            if (n // 91) == skip_quarter:
                continue
            value = Decimal(f"{max(rng.gauss(mean, spread / 3), 0):.3f}")
            rows.append(
                {
                    "point_parameter_id": pp.pk,
                    "day": day,
                    "value": value,
                    "corrected_value": value,
                    "valid_hours": 24,
                    "valid": True,
                    "reason": "ok",
                }
            )
    from rongngan.core.bulk import insert_rows

    with transaction.atomic():
        count = insert_rows(DailyAggregate, rows)
    _availability_from_days(
        list(
            PointParameter.objects.filter(point__in=points, point__method="continuous").values_list(
                "pk", flat=True
            )
        ),
        today,
    )
    return count


# --------------------------------------------------------------------------------------------
# National


def _national(rng: random.Random, actor: Any, stdout: Any) -> None:
    from rongngan.core import audit
    from rongngan.core.bulk import insert_rows

    n_points = int(os.environ.get("RONGNGAN_NATIONAL_POINTS", "5000"))
    n_minute = int(os.environ.get("RONGNGAN_NATIONAL_MINUTE_POINTS", "200"))
    t0 = time.monotonic()
    factories = list(
        Factory.objects.filter(factory_class=3)
        .order_by("registration_no")
        .values_list("pk", "province_id", "latitude", "longitude")[:n_points]
    )
    if len(factories) < n_points:
        factories += list(
            Factory.objects.exclude(factory_class=3)
            .order_by("registration_no")
            .values_list("pk", "province_id", "latitude", "longitude")[: n_points - len(factories)]
        )
    from rongngan.monitoring.models import LimitRule, PointLimit

    so2_rule = (
        LimitRule.objects.filter(
            parameter_id="so2", averaging="hour", applies_to__fuel__contains="oil"
        ).first()
        or LimitRule.objects.filter(parameter_id="so2").first()
    )
    bod_rule = LimitRule.objects.filter(parameter_id="bod").first()
    now = timezone.now().replace(second=0, microsecond=0)
    with transaction.atomic():
        points = []
        for i, (fid, province, lat, lon) in enumerate(factories):
            stack = i % 2 == 0
            points.append(
                MonitoringPoint(
                    factory_id=fid,
                    province_id=province,
                    kind="stack" if stack else "effluent_outlet",
                    code=f"N{fid:07d}-1",
                    name="ปล่องหม้อไอน้ำ 1" if stack else "จุดระบายน้ำทิ้ง 1",
                    latitude=lat,
                    longitude=lon,
                    method="continuous" if i % 7 else "periodic",
                    frequency="minute" if i % 7 else "month",
                    validity_regime="th-cems-default",
                    fuel="oil" if stack else "",
                    attributes={"source": "boiler_furnace"} if stack else {},
                    large_discharge=not stack,
                )
            )
        MonitoringPoint.objects.bulk_create(points, batch_size=2000)
        # The points have been reporting for years (the KPI asks who was due in a period).
        MonitoringPoint.objects.update(created_at=now - dt.timedelta(days=3 * 365))
        points = list(MonitoringPoint.objects.order_by("pk"))
        pps = PointParameter.objects.bulk_create(
            [
                PointParameter(
                    point=p,
                    parameter_id=param,
                    unit="ppm" if param in ("so2", "nox") else "mg/L",
                )
                for p in points
                for param in (("so2", "nox") if p.kind == "stack" else ("bod", "cod"))
            ],
            batch_size=2000,
        )
        pps = list(PointParameter.objects.select_related("point").order_by("pk"))
        limits = []
        for pp in pps:
            rule = (
                so2_rule
                if pp.parameter_id == "so2"
                else bod_rule
                if pp.parameter_id == "bod"
                else None
            )
            if rule is None:
                continue
            limits.append(
                PointLimit(
                    point_parameter=pp,
                    basis="catalogue",
                    rule=rule,
                    reference=rule.standard.code,
                    unit=rule.unit,
                    averaging=rule.averaging,
                    comparator=rule.comparator,
                    value=rule.value,
                    upper_value=rule.upper_value,
                    ref_o2_percent=None,
                    effective_from=dt.date(2020, 1, 1),
                )
            )
        PointLimit.objects.bulk_create(limits, batch_size=2000)
        audit.record(
            actor=actor,
            action="import",
            note=f"monitoring national seed: {len(points)} points, {len(pps)} parameters",
        )
    stdout.write(f"  monitoring points: {len(points):,} in {time.monotonic() - t0:.0f} s")

    # A year of daily averages for every point-parameter.
    t1 = time.monotonic()
    today = timezone.localdate()
    typical = {"so2": 400.0, "nox": 120.0, "bod": 12.0, "cod": 70.0}

    # About one point in eight reports poorly (a day in three missing), so that the reporting
    # KPI is not a flat 100 %.
    poor = {p.pk for p in points if random.Random(p.pk * 7919).random() < 0.12}

    def daily():
        for pp in pps:
            mean = typical[pp.parameter_id]
            r = random.Random(pp.pk)
            skip = pp.point_id in poor
            for n in range(365, 0, -1):
                if skip and n % 3 == 0:
                    continue
                v = Decimal(f"{max(r.gauss(mean, mean / 8), 0):.3f}")
                yield {
                    "point_parameter_id": pp.pk,
                    "day": today - dt.timedelta(days=n),
                    "value": v,
                    "corrected_value": v,
                    "valid_hours": 24,
                    "valid": True,
                    "reason": "ok",
                }

    with transaction.atomic():
        days = insert_rows(DailyAggregate, daily())
    stdout.write(f"  daily averages: {days:,} in {time.monotonic() - t1:.0f} s")
    _national_availability_and_labs(pps, poor, actor, today)

    # A month of minute data for the first continuous point-parameters.
    t2 = time.monotonic()
    minute_pps = [pp for pp in pps if pp.point.method == "continuous"][:n_minute]
    start = now - dt.timedelta(days=30)
    minutes = int((now - start).total_seconds() // 60)
    tss = [start + dt.timedelta(minutes=m) for m in range(minutes)]

    def readings():
        for pp in minute_pps:
            mean = typical[pp.parameter_id]
            r = random.Random(pp.pk)
            base = [Decimal(f"{mean * (0.8 + 0.4 * r.random()):.2f}") for _ in range(97)]
            for m, ts in enumerate(tss):
                v = base[m % 97]
                yield (pp.pk, ts, v, pp.unit, v, "", None)

    with transaction.atomic():
        storage.ensure_partitions(start, now)
        count = storage.copy_readings(readings())
    stdout.write(f"  minute readings: {count:,} in {time.monotonic() - t2:.0f} s")

    t3 = time.monotonic()
    ids = [pp.pk for pp in minute_pps]
    _aggregate_in_sql(ids, start, now)
    latest = {pp.pk: tss[-1] for pp in minute_pps}
    for pp_id in ids:
        PointParameter.objects.filter(pk=pp_id).update(last_reading_at=latest[pp_id])
    PointParameter.objects.exclude(pk__in=ids).filter(point__method="continuous").update(
        last_reading_at=now - dt.timedelta(minutes=rng.choice([2, 5, 9]))
    )
    stdout.write(f"  hourly averages and availability in {time.monotonic() - t3:.0f} s")
    stdout.write(
        f"Monitoring national: {len(points):,} points, {len(pps):,} parameters, "
        f"{count:,} minute readings, {days:,} daily averages "
        f"in {time.monotonic() - t0:.0f} s."
    )


def _availability_from_days(pp_ids: list[int], today: dt.date) -> None:
    """Availability by month from seeded daily averages, for months that have none yet."""
    from django.db.models import Sum
    from django.db.models.functions import TruncMonth

    from rongngan.core.bulk import insert_rows
    from rongngan.monitoring.models import DataAvailability

    have = set(
        DataAvailability.objects.filter(point_parameter_id__in=pp_ids).values_list(
            "point_parameter_id", "month"
        )
    )
    rows = []
    for pp_id, month, valid in (
        DailyAggregate.objects.filter(point_parameter_id__in=pp_ids)
        .annotate(month=TruncMonth("day"))
        .values("point_parameter_id", "month")
        .annotate(valid=Sum("valid_hours"))
        .values_list("point_parameter_id", "month", "valid")
        .iterator(chunk_size=10000)
    ):
        nxt = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        expected = 24 * ((min(nxt, today) - month).days)
        if expected <= 0 or (pp_id, month) in have:
            continue
        rows.append(
            {
                "point_parameter_id": pp_id,
                "month": month,
                "expected_hours": expected,
                "valid_hours": min(valid, expected),
                "percent": min(Decimal(valid * 100) / expected, Decimal(100)).quantize(
                    Decimal("0.01")
                ),
            }
        )
    with transaction.atomic():
        insert_rows(DataAvailability, rows)


def _national_availability_and_labs(
    pps: list[PointParameter], poor: set[int], actor: Any, today: dt.date
) -> None:
    """Availability by month from the daily averages (continuous points), and monthly
    laboratory results for the periodic points (most of them)."""
    from rongngan.core.bulk import insert_rows
    from rongngan.monitoring.models import LabResult

    _availability_from_days([pp.pk for pp in pps if pp.point.method == "continuous"], today)
    labs = []
    for pp in pps:
        if pp.point.method != "periodic" or pp.point_id in poor:
            continue
        r = random.Random(pp.pk)
        for months_ago in range(12):
            value = Decimal(f"{12 + r.random() * 8:.2f}")
            labs.append(
                {
                    "point_parameter_id": pp.pk,
                    "lab_name": "ห้องปฏิบัติการเอกชนที่ขึ้นทะเบียน",
                    "lab_registration_no": f"ว-{pp.pk % 500:03d}",
                    "report_no": f"N-{pp.pk}-{months_ago}",
                    "sampled_at": timezone.now() - dt.timedelta(days=30 * months_ago + 5),
                    "value": value,
                    "unit": pp.unit,
                    "value_std": value,
                    "drift_flagged": False,
                    "recorded_by_id": actor.pk,
                    "recorded_at": timezone.now(),
                }
            )
    with transaction.atomic():
        insert_rows(LabResult, labs)


def _aggregate_in_sql(pp_ids: list[int], start: dt.datetime, end: dt.datetime) -> None:
    """Hourly averages, daily averages and availability of seeded (all valid) minutes."""
    if not pp_ids:
        return
    with transaction.atomic(), connection.cursor() as cursor:
        ids = ",".join(str(i) for i in pp_ids)
        if connection.vendor == "postgresql":
            hour = "date_trunc('hour', ts)"
            local_day_h = "(period_start AT TIME ZONE 'Asia/Bangkok')::date"
            month = "date_trunc('month', day)::date"
        else:
            hour = "strftime('%%Y-%%m-%%d %%H:00:00', ts)"
            local_day_h = "date(period_start, '+7 hours')"
            month = "date(day, 'start of month')"
        cursor.execute(
            f"""
            INSERT INTO monitoring_hourlyaggregate
                (point_parameter_id, period_start, value, corrected_value, minutes,
                 valid_minutes, valid, reason)
            SELECT point_parameter_id, {hour}, AVG(value_std), AVG(value_std), COUNT(*),
                   COUNT(*), COUNT(*) >= 45, CASE WHEN COUNT(*) >= 45 THEN 'ok'
                   ELSE 'too_few_valid_minutes' END
            FROM monitoring_reading
            WHERE point_parameter_id IN ({ids}) AND ts >= %s AND ts < %s
            GROUP BY point_parameter_id, {hour}
            """,
            [start, end],
        )
        cursor.execute(
            f"""
            DELETE FROM monitoring_dailyaggregate
            WHERE point_parameter_id IN ({ids}) AND day >= %s
            """,
            [start.date()],
        )
        cursor.execute(
            f"""
            INSERT INTO monitoring_dailyaggregate
                (point_parameter_id, day, value, corrected_value, valid_hours, valid, reason)
            SELECT point_parameter_id, {local_day_h}, AVG(value), AVG(value),
                   SUM(CASE WHEN valid THEN 1 ELSE 0 END),
                   SUM(CASE WHEN valid THEN 1 ELSE 0 END) >= 18,
                   CASE WHEN SUM(CASE WHEN valid THEN 1 ELSE 0 END) >= 18 THEN 'ok'
                   ELSE 'too_few_valid_hours' END
            FROM monitoring_hourlyaggregate
            WHERE point_parameter_id IN ({ids}) AND period_start >= %s
            GROUP BY point_parameter_id, {local_day_h}
            """,
            [start],
        )
        cursor.execute(
            f"""
            DELETE FROM monitoring_dataavailability
            WHERE point_parameter_id IN ({ids}) AND month >= %s
            """,
            [start.date().replace(day=1)],
        )
        cursor.execute(
            f"""
            INSERT INTO monitoring_dataavailability
                (point_parameter_id, month, expected_hours, valid_hours, percent)
            SELECT point_parameter_id, {month}, COUNT(*) * 24, SUM(valid_hours),
                   ROUND(SUM(valid_hours) * 100.0 / (COUNT(*) * 24), 2)
            FROM monitoring_dailyaggregate
            WHERE point_parameter_id IN ({ids}) AND day >= %s
            GROUP BY point_parameter_id, {month}
            """,
            [start.date().replace(day=1)],
        )
