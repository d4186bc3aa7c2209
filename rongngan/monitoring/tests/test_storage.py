"""The readings table: monthly partitions on PostgreSQL, the same key on SQLite, retention."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.management import call_command
from django.db import connection

from rongngan.core.errors import RongnganValidationError
from rongngan.core.models import AuditEntry
from rongngan.monitoring import services, storage
from rongngan.monitoring.models import HourlyAggregate, Reading, RetentionRun
from rongngan.monitoring.tests.conftest import T0, minute_rows

pytestmark = pytest.mark.django_db
postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="partitioning is PostgreSQL's"
)


def partition_of(pp_id: int, ts: dt.datetime) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tableoid::regclass::text FROM monitoring_reading "
            "WHERE point_parameter_id = %s AND ts = %s",
            [pp_id, ts],
        )
        return cursor.fetchone()[0]


@postgres_only
@pytest.mark.parametrize("process", ["inline", "queue"])
def test_readings_land_in_the_partition_of_their_month(operator_a, so2_a, process):
    october = dt.datetime(2026, 10, 31, 16, 59, tzinfo=dt.UTC)  # 23:59 Bangkok, 31 October
    rows = minute_rows("A-STACK-1", "so2", october, [1, 2]) + minute_rows(
        "A-STACK-1", "so2", T0, [3]
    )
    # Queued: the rows stream in by COPY before their month's partition is made, land in the
    # default partition and move into the month's when it is made right after.
    services.readings_ingest(acting_user=operator_a, rows=rows, process=process)
    assert Reading.objects.count() == 3
    assert partition_of(so2_a.pk, october) == "monitoring_reading_y2026m10"
    assert (
        partition_of(so2_a.pk, october + dt.timedelta(minutes=1)) == "monitoring_reading_y2026m10"
    )
    assert partition_of(so2_a.pk, T0) == "monitoring_reading_y2026m11"
    names = [name for name, _ in storage.partitions()]
    assert {"monitoring_reading_default", "monitoring_reading_y2026m10"} <= set(names)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_inherits WHERE inhparent = 'monitoring_reading'::regclass"
        )
        assert cursor.fetchone()[0] == len(names)
        cursor.execute(
            "SELECT am.amname FROM pg_class c JOIN pg_am am ON am.oid = c.relam "
            "WHERE c.relname = 'monitoring_reading_ts_brin'"
        )
        assert cursor.fetchone()[0] == "brin"


@postgres_only
def test_rows_in_the_default_partition_move_to_their_month_when_it_is_made(operator_a, so2_a):
    ts = dt.datetime(2025, 3, 10, 5, tzinfo=dt.UTC)
    storage.copy_readings([(so2_a.pk, ts, D(1), "ppm", D(1), "", None)])
    assert partition_of(so2_a.pk, ts) == "monitoring_reading_default"
    assert storage.ensure_partitions(ts, ts) == ["monitoring_reading_y2025m03"]
    assert partition_of(so2_a.pk, ts) == "monitoring_reading_y2025m03"


def test_the_same_minute_is_never_stored_twice(operator_a, so2_a):
    row = (so2_a.pk, T0, D(5), "ppm", D(5), "", None)
    assert storage.insert_readings([row]) == 1
    assert storage.insert_readings([row, (so2_a.pk, T0 + dt.timedelta(minutes=1), *row[2:])]) == 1
    assert Reading.objects.count() == 2


def test_retention_removes_old_minutes_keeps_averages_and_is_audited(operator_a, so2_a):
    old = dt.datetime(2024, 1, 15, 3, tzinfo=dt.UTC)
    services.readings_ingest(  # sent when it was recent
        acting_user=operator_a,
        rows=minute_rows("A-STACK-1", "so2", old, [10] * 50),
        now=old + dt.timedelta(hours=2),
    )
    services.readings_ingest(acting_user=operator_a, rows=minute_rows("A-STACK-1", "so2", T0, [10]))
    call_command("monitoring_retention", "--days", "400")
    assert list(Reading.objects.values_list("ts", flat=True)) == [T0]
    assert HourlyAggregate.objects.filter(period_start=old).exists()
    run = RetentionRun.objects.get()
    assert run.deleted_rows + 50 * len(run.dropped_partitions) >= 50
    if connection.vendor == "postgresql":
        assert run.dropped_partitions == ["monitoring_reading_y2024m01"]
    assert AuditEntry.objects.filter(object_id=str(run.pk), note__contains="retention").exists()


@postgres_only
@pytest.mark.parametrize("process", ["queue", "inline"])
def test_a_batch_makes_partitions_only_for_the_months_it_holds(operator_a, so2_a, process):
    """Review finding: one old row beside today's made every month in between."""
    before = {name for name, _ in storage.partitions()}
    old = dt.datetime(2026, 1, 20, 3, 0, tzinfo=dt.UTC)
    rows = minute_rows("A-STACK-1", "so2", old, [1]) + minute_rows("A-STACK-1", "so2", T0, [1])
    services.readings_ingest(acting_user=operator_a, rows=rows, process=process, now=T0)
    made = {name for name, _ in storage.partitions()} - before
    assert made <= {"monitoring_reading_y2026m01", "monitoring_reading_y2026m11"}
    assert partition_of(so2_a.pk, old) == "monitoring_reading_y2026m01"
    assert Reading.objects.count() == 2


@pytest.mark.parametrize("process", ["queue", "inline"])
def test_readings_older_than_the_retention_are_refused_not_dropped_later(
    operator_a, so2_a, process
):
    old = dt.datetime(2006, 11, 20, 3, 0, tzinfo=dt.UTC)
    rows = minute_rows("A-STACK-1", "so2", old, [1]) + minute_rows("A-STACK-1", "so2", T0, [1])
    with pytest.raises(RongnganValidationError) as exc:
        services.readings_ingest(acting_user=operator_a, rows=rows, process=process, now=T0)
    assert [(p.row, p.field, p.code) for p in exc.value.problems] == [(1, "ts", "too_old")]
    assert exc.value.problems[0].params["days"] == 400
    assert not Reading.objects.exists()
    result = services.readings_ingest(
        acting_user=operator_a, rows=rows, process=process, now=T0, mode="quarantine"
    )
    assert (result.batch.accepted, result.batch.quarantined) == (1, 1)
    assert list(Reading.objects.values_list("ts", flat=True)) == [T0]
