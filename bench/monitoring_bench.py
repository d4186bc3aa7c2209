"""Readings at scale: the API's ingestion rate against plain COPY, a month at hour resolution,
the province "now" dashboard with 5,000 points.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/rongngan_bench_monitoring \
        .venv/bin/python bench/monitoring_bench.py [--fresh] [--rows 1000000]

Sets up its own data (no national seed needed): 500 Rayong factories with 10 stacks each
(5,000 points, SO2 with an hourly limit). Then:
1. `--rows` readings (default 1,000,000) POSTed to /api/v1/monitoring/readings/ in JSON
   batches of 10,000 (100 point-parameters x 100 minutes) through Django's test client: the
   real path with authentication, Idempotency-Key, per-row validation, unit conversion,
   COPY + INSERT ... ON CONFLICT, hourly/daily averages, availability and judging;
2. the same number of rows (other point-parameters, same shape) loaded by plain COPY straight
   into the same table in one transaction; the ratio of the two rates (target >= 0.3 on
   PostgreSQL);
3. GET a month of one point's minute data at hour resolution (API), p95 (target < 200 ms);
4. queries.province_now for the province holding the 5,000 points, p95 (target < 300 ms).
"""

import argparse
import datetime as dt
import json
import logging
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _setup

POINTS = 5000
PER_FACTORY = 10
BATCH_PPS = 100
BATCH_MINUTES = 100


def setup_points() -> None:
    from rongngan.accounts.models import Organisation, Role, User
    from rongngan.monitoring.models import MonitoringPoint, PointLimit, PointParameter
    from rongngan.registry.models import Factory

    if MonitoringPoint.objects.filter(code__startswith="BENCH-").count() >= POINTS:
        return
    org, _ = Organisation.objects.get_or_create(
        code="bench-op", defaults={"kind": "operator", "name_th": "บริษัท เบนช์ จำกัด"}
    )
    User.objects.get_or_create(
        username="bench-operator", defaults={"role": Role.OPERATOR, "organisation": org}
    )
    User.objects.get_or_create(username="bench-officer", defaults={"role": Role.OFFICER})
    factories = Factory.objects.bulk_create(
        [
            Factory(
                registration_no=f"9921000{i:07d}",
                name_th=f"โรงงานทดสอบสมรรถนะ {i}",
                operator=org,
                primary_type_id="042",
                factory_class=3,
                province_id="21",
                district_id="2101",
                latitude=Decimal("12.68"),
                longitude=Decimal("101.25"),
            )
            for i in range(POINTS // PER_FACTORY)
        ]
    )
    points = MonitoringPoint.objects.bulk_create(
        [
            MonitoringPoint(
                factory=f,
                province_id="21",
                kind="stack",
                code=f"BENCH-{f.pk}-{j}",
                name=f"stack {j}",
                method="continuous",
                frequency="minute",
                validity_regime="th-cems-default",
            )
            for f in factories
            for j in range(PER_FACTORY)
        ]
    )
    pps = PointParameter.objects.bulk_create(
        [PointParameter(point=p, parameter_id="so2", unit="ppm") for p in points]
    )
    PointLimit.objects.bulk_create(
        [
            PointLimit(
                point_parameter=pp,
                basis="licence",
                unit="ppm",
                averaging="hour",
                comparator="max",
                value=Decimal(950),
                effective_from=dt.date(2020, 1, 1),
            )
            for pp in pps
        ]
    )


def main() -> None:
    global BATCH_PPS, BATCH_MINUTES
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fresh", action="store_true", help="recreate the benchmark database")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument(
        "--process",
        choices=["queue", "inline"],
        default="queue",
        help="how the API processes a batch (MONITORING_INGEST_PROCESSING; default queue)",
    )
    parser.add_argument("--batch-pps", type=int, default=BATCH_PPS, help="point-parameters a batch")
    parser.add_argument(
        "--batch-minutes", type=int, default=BATCH_MINUTES, help="minutes of each in a batch"
    )
    args = parser.parse_args()
    BATCH_PPS, BATCH_MINUTES = args.batch_pps, args.batch_minutes
    _setup.start(fresh=args.fresh)
    from django.conf import settings

    settings.MONITORING_INGEST_PROCESSING = args.process
    logging.getLogger("rongngan.request").setLevel(logging.WARNING)
    from django.db import connection, transaction
    from django.test import Client

    from rongngan.accounts.models import User
    from rongngan.monitoring import queries, storage
    from rongngan.monitoring.models import MonitoringPoint, PointParameter, Reading
    from rongngan.monitoring.seeding import _aggregate_in_sql

    print(_setup.describe_database())
    t = time.perf_counter()
    setup_points()
    print(f"setup: {POINTS:,} points in {time.perf_counter() - t:.1f} s")
    pps = list(
        PointParameter.objects.filter(point__code__startswith="BENCH-")
        .select_related("point")
        .order_by("pk")
    )
    operator = User.objects.get(username="bench-operator")
    officer = User.objects.get(username="bench-officer")
    client = Client(HTTP_HOST="localhost")
    client.force_login(operator)

    # 1. The API path.
    batches = args.rows // (BATCH_PPS * BATCH_MINUTES)
    groups = max(1, min(len(pps) // 2 // BATCH_PPS, batches))
    start = dt.datetime.now(dt.UTC).replace(second=0, microsecond=0) - dt.timedelta(days=40)
    bkk = dt.timezone(dt.timedelta(hours=7))
    api_pps = pps[: groups * BATCH_PPS]
    copy_pps = pps[len(pps) // 2 :][: groups * BATCH_PPS]
    if Reading.objects.filter(point_parameter_id=api_pps[0].pk).exists():
        raise SystemExit("readings already loaded: run with --fresh")
    bodies = []
    for b in range(batches):
        group = api_pps[(b % groups) * BATCH_PPS : (b % groups + 1) * BATCH_PPS]
        offset = (b // groups) * BATCH_MINUTES
        rows = [
            {
                "point": pp.point.code,
                "parameter": "so2",
                "ts": (start + dt.timedelta(minutes=offset + m)).astimezone(bkk).isoformat(),
                "value": f"{300 + (m * 7 + pp.pk) % 97}.5",
                "unit": "ppm",
            }
            for pp in group
            for m in range(BATCH_MINUTES)
        ]
        bodies.append(json.dumps({"rows": rows}))
    n_api = batches * BATCH_PPS * BATCH_MINUTES
    t = time.perf_counter()
    per_batch = []
    for i, body in enumerate(bodies):
        t_batch = time.perf_counter()
        r = client.post(
            "/api/v1/monitoring/readings/",
            body,
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY=f"bench-{i}",
        )
        assert r.status_code == 201, r.content[:500]
        assert r.json()["accepted"] == BATCH_PPS * BATCH_MINUTES, r.json()
        per_batch.append((time.perf_counter() - t_batch) * 1000)
    api_s = time.perf_counter() - t
    api_rate = n_api / api_s
    med_b, p95_b, max_b = _setup.summary(per_batch)
    print(f"a batch through the API: median {med_b:.0f} ms, p95 {p95_b:.0f} ms, max {max_b:.0f} ms")
    print(
        f"API ({BATCH_PPS} point-parameters x {BATCH_MINUTES} minutes a batch, "
        f"processing {args.process}): {n_api:,} readings in {api_s:.1f} s = {api_rate:,.0f} rows/s"
    )
    process_s = 0.0
    if args.process == "queue":
        # What the worker then does for those batches: averages, availability, judging.
        from rongngan.monitoring import pipeline
        from rongngan.monitoring.models import IngestBatch

        queued = IngestBatch.objects.filter(processed_at__isnull=True).count()
        t = time.perf_counter()
        done = pipeline.process_queued(dt.datetime.now(dt.UTC) + dt.timedelta(days=1), limit=10**6)
        process_s = time.perf_counter() - t
        assert done == queued == batches, (done, queued, batches)
        print(
            f"processing the {done} queued batches (one worker): {process_s:.1f} s = "
            f"{n_api / process_s:,.0f} rows/s; end to end {n_api / (api_s + process_s):,.0f} rows/s"
        )

    # 2. Plain COPY of the same shape of rows into the same table.
    def copy_rows():
        for b in range(batches):
            group = copy_pps[(b % groups) * BATCH_PPS : (b % groups + 1) * BATCH_PPS]
            offset = (b // groups) * BATCH_MINUTES
            for pp in group:
                for m in range(BATCH_MINUTES):
                    v = Decimal(f"{300 + (m * 7 + pp.pk) % 97}.5")
                    yield (pp.pk, start + dt.timedelta(minutes=offset + m), v, "ppm", v, "", None)

    t = time.perf_counter()
    with transaction.atomic():
        storage.ensure_partitions(start, start + dt.timedelta(days=30))
        n_copy = storage.copy_readings(copy_rows())
    copy_s = time.perf_counter() - t
    copy_rate = n_copy / copy_s
    print(f"COPY: {n_copy:,} readings in {copy_s:.1f} s = {copy_rate:,.0f} rows/s")
    print(f"ratio API / COPY: {api_rate / copy_rate:.2f} (target >= 0.3 on PostgreSQL)")
    if process_s:
        e2e = n_api / (api_s + process_s)
        print(f"ratio end to end (API + processing) / COPY: {e2e / copy_rate:.2f}")

    # 3. A month of minute data for one point at hour resolution.
    month_pp = pps[-1]
    m_start = start - dt.timedelta(days=31)
    with transaction.atomic():
        storage.ensure_partitions(m_start, start)
        storage.copy_readings(
            (
                month_pp.pk,
                m_start + dt.timedelta(minutes=m),
                Decimal(400),
                "ppm",
                Decimal(400),
                "",
                None,
            )
            for m in range(30 * 24 * 60)
        )
    _aggregate_in_sql([month_pp.pk], m_start, start)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    off = Client(HTTP_HOST="localhost")
    off.force_login(officer)
    url = (
        f"/api/v1/monitoring/readings/?point={month_pp.point.code}&parameter=so2&resolution=hour"
        f"&start={m_start.isoformat().replace('+', '%2B')}"
        f"&end={(m_start + dt.timedelta(days=30)).isoformat().replace('+', '%2B')}"
    )

    def month_at_hours() -> None:
        r = off.get(url)
        assert r.status_code == 200 and len(r.json()["values"]) == 720, r.content[:300]

    med, p95, worst = _setup.summary(_setup.timed(month_at_hours, args.runs))
    print(f"month at hour resolution (API): median {med:.1f} ms, p95 {p95:.1f} ms, max {worst:.1f}")

    # 4. The province's "now" with 5,000 points.
    now = dt.datetime.now(dt.UTC)
    PointParameter.objects.filter(point__code__startswith="BENCH-").update(
        last_reading_at=now - dt.timedelta(minutes=3)
    )
    assert MonitoringPoint.objects.filter(province_id="21", active=True).count() >= POINTS

    def province_now() -> None:
        assert len(queries.province_now(officer, "21")) >= POINTS

    med, p95, worst = _setup.summary(_setup.timed(province_now, args.runs))
    print(
        f"province now ({POINTS:,} points): median {med:.1f} ms, p95 {p95:.1f} ms, max {worst:.1f}"
    )


if __name__ == "__main__":
    main()
