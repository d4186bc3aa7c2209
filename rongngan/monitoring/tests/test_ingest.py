"""Batches of readings: the happy path, every kind of bad row, quarantine, idempotent retries."""

import datetime as dt
from decimal import Decimal as D

import pytest

from rongngan.core.errors import RongnganValidationError
from rongngan.core.models import AuditEntry
from rongngan.monitoring import services
from rongngan.monitoring.models import (
    HourlyAggregate,
    IngestBatch,
    QuarantinedRow,
    Reading,
)
from rongngan.monitoring.tests.conftest import T0, minute_rows

pytestmark = pytest.mark.django_db


def nothing_written() -> bool:
    return (
        not Reading.objects.exists()
        and not IngestBatch.objects.exists()
        and not HourlyAggregate.objects.exists()
        and not QuarantinedRow.objects.exists()
    )


def codes(exc: pytest.ExceptionInfo) -> list[tuple[int | None, str | None, str]]:
    return [(p.row, p.field, p.code) for p in exc.value.problems]


def test_a_batch_is_stored_averaged_and_audited(operator_a, so2_a):
    rows = minute_rows("A-STACK-1", "so2", T0, [40] * 60)
    result = services.readings_ingest(acting_user=operator_a, rows=rows, idempotency_key="k1")
    batch = result.batch
    assert (batch.rows, batch.accepted, batch.duplicates, batch.quarantined) == (60, 60, 0, 0)
    assert batch.status == IngestBatch.Status.ACCEPTED
    assert Reading.objects.filter(point_parameter=so2_a).count() == 60
    hour = HourlyAggregate.objects.get(point_parameter=so2_a)
    assert hour.period_start == T0
    assert (hour.value, hour.valid, hour.valid_minutes) == (D("40"), True, 60)
    so2_a.refresh_from_db()
    assert so2_a.last_reading_at == T0 + dt.timedelta(minutes=59)
    entry = AuditEntry.objects.get(action="import", object_id=str(batch.pk))
    assert entry.changes["accepted"] == 60 and entry.actor == operator_a


def test_a_csv_batch_is_read_like_json(operator_a, so2_a):
    text = "point,parameter,timestamp,value,unit,flags\n" + "".join(
        f"A-STACK-1,SO2,2026-11-20T10:{m:02d}:00+07:00,{50 + m},ppm,\n" for m in range(3)
    )
    result = services.readings_ingest(acting_user=operator_a, rows=text)
    assert result.batch.format == "csv" and result.batch.accepted == 3
    assert sorted(Reading.objects.values_list("value", flat=True)) == [D(50), D(51), D(52)]


def test_values_in_another_unit_are_converted_and_kept_as_sent(operator_a, so2_a):
    # 1 ppm SO2 = 64.058 / 24.4654 mg/m3 at 25 °C and 101.325 kPa (molar volume 24.4654 L).
    rows = minute_rows("A-STACK-1", "so2", T0, ["261.83"], unit="mg/m3")
    services.readings_ingest(acting_user=operator_a, rows=rows)
    reading = Reading.objects.get()
    assert (reading.value, reading.unit) == (D("261.83"), "mg/m3")
    assert abs(reading.value_std - D("100")) < D("0.01")


@pytest.mark.parametrize(
    "change, expected",
    [
        ({"point": "NO-SUCH"}, ("point", "unknown_point")),
        ({"parameter": "pm25"}, ("parameter", "unknown_parameter")),
        ({"unit": "furlongs"}, ("unit", "bad_unit")),
        ({"unit": "pH"}, ("unit", "bad_unit")),
        ({"ts": "2026-11-20T10:00:00"}, ("ts", "no_zone")),
        ({"ts": "yesterday"}, ("ts", "bad_timestamp")),
        ({"ts": "2099-01-01T00:00:00+07:00"}, ("ts", "in_future")),
        ({"value": "12,5"}, ("value", "number")),
        ({"value": "NaN"}, ("value", "not_finite")),
        ({"value": True}, ("value", "number")),
        ({"value": None}, ("value", "required")),
        ({"flags": "sleepy"}, ("flags", "bad_flag")),
    ],
)
def test_a_bad_row_refuses_the_whole_batch_and_writes_nothing(operator_a, so2_a, change, expected):
    rows = minute_rows("A-STACK-1", "so2", T0, [40, 41, 42])
    rows[1].update(change)
    with pytest.raises(RongnganValidationError) as exc:
        services.readings_ingest(acting_user=operator_a, rows=rows)
    assert codes(exc) == [(2, *expected)]
    assert exc.value.problems[0].as_dict()["message_en"]
    assert nothing_written()


def test_an_operator_cannot_send_for_another_companys_point(operator_a, so2_a, stack_b):
    rows = minute_rows("A-STACK-1", "so2", T0, [40]) + minute_rows("B-STACK-1", "so2", T0, [40])
    with pytest.raises(RongnganValidationError) as exc:
        services.readings_ingest(acting_user=operator_a, rows=rows)
    assert codes(exc) == [(2, "point", "not_your_point")]
    assert nothing_written()


def test_every_problem_of_every_row_is_reported_at_once(operator_a, so2_a):
    rows = [
        {"point": "A-STACK-1", "parameter": "so2", "ts": "2026-11-20T10:00:00", "value": "x"},
        {"point": "NOPE", "parameter": "so2", "ts": "2026-11-20T10:01:00+07:00", "value": "1"},
    ]
    with pytest.raises(RongnganValidationError) as exc:
        services.readings_ingest(acting_user=operator_a, rows=rows)
    assert codes(exc) == [
        (1, "ts", "no_zone"),
        (1, "value", "number"),
        (2, "point", "unknown_point"),
    ]


def test_quarantine_mode_keeps_good_rows_and_bad_rows_with_their_reasons(operator_a, so2_a):
    rows = minute_rows("A-STACK-1", "so2", T0, [40, 41, 42, 43])
    rows[1]["value"] = "n/a"
    rows[3]["ts"] = "2026-11-20 10:03"
    result = services.readings_ingest(acting_user=operator_a, rows=rows, mode="quarantine")
    batch = result.batch
    assert (batch.status, batch.accepted, batch.quarantined) == ("partly", 2, 2)
    assert Reading.objects.count() == 2
    kept = list(QuarantinedRow.objects.order_by("row").values_list("row", "raw", "problems"))
    assert [k[0] for k in kept] == [2, 4]
    assert kept[0][1]["value"] == "n/a"
    assert kept[0][2][0]["code"] == "number" and kept[1][2][0]["code"] == "no_zone"
    assert [r["code"] for r in batch.report] == ["number", "no_zone"]


def test_a_retry_with_the_same_key_returns_the_first_result_and_writes_nothing(operator_a, so2_a):
    rows = minute_rows("A-STACK-1", "so2", T0, [40] * 10)
    first = services.readings_ingest(acting_user=operator_a, rows=rows, idempotency_key="abc")
    again = services.readings_ingest(acting_user=operator_a, rows=rows, idempotency_key="abc")
    assert again.replayed and again.batch.pk == first.batch.pk
    assert IngestBatch.objects.count() == 1 and Reading.objects.count() == 10


def test_the_same_rows_without_a_key_are_counted_as_duplicates_not_stored(operator_a, so2_a):
    rows = minute_rows("A-STACK-1", "so2", T0, [40] * 10)
    services.readings_ingest(acting_user=operator_a, rows=rows)
    second = services.readings_ingest(acting_user=operator_a, rows=rows + rows[:1])
    assert (second.batch.accepted, second.batch.duplicates) == (0, 11)
    assert Reading.objects.count() == 10


def test_mode_and_size_are_checked(operator_a, so2_a, settings):
    with pytest.raises(RongnganValidationError) as exc:
        services.readings_ingest(acting_user=operator_a, rows=[{}], mode="maybe")
    assert codes(exc) == [(None, "mode", "bad_mode")]
    settings.MONITORING_MAX_BATCH_ROWS = 2
    with pytest.raises(RongnganValidationError) as exc:
        services.readings_ingest(
            acting_user=operator_a, rows=minute_rows("A-STACK-1", "so2", T0, [1, 2, 3])
        )
    assert codes(exc) == [(None, None, "too_many_rows")]
    with pytest.raises(RongnganValidationError):
        services.readings_ingest(acting_user=operator_a, rows=[])
