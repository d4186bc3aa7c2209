"""The queued path of a readings batch (MONITORING_INGEST_PROCESSING = "queue", the production
default): the request stores the rows; the averages and judgments come from the batch's task,
enqueued when the request's transaction commits, or from the clocks when the task never ran."""

import datetime as dt
import json
from decimal import Decimal as D

import pytest
from django.test import override_settings
from django.utils import timezone

from conftest import api_as
from rongngan.monitoring import clocks, pipeline, services
from rongngan.monitoring.models import Event, HourlyAggregate, IngestBatch, Reading
from rongngan.monitoring.tests.conftest import T0, minute_rows

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("queued")]

URL = "/api/v1/monitoring"


@pytest.fixture
def queued():
    with override_settings(MONITORING_INGEST_PROCESSING="queue"):
        yield


def post(user, rows, key=None):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return api_as(user).post(f"{URL}/readings/", {"rows": rows}, format="json", **headers)


def test_the_request_stores_the_rows_and_the_task_averages_and_judges_them(
    operator_a, so2_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = post(operator_a, minute_rows("A-STACK-1", "so2", T0, [150] * 60))
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["accepted"], body["processed"], body["events_opened"]) == (60, False, [])
    # Stored, not yet averaged or judged; the last reading time is kept at once.
    assert Reading.objects.filter(point_parameter=so2_a).count() == 60
    assert not HourlyAggregate.objects.exists() and not Event.objects.exists()
    so2_a.refresh_from_db()
    assert so2_a.last_reading_at == T0 + dt.timedelta(minutes=59)
    batch = IngestBatch.objects.get(pk=body["batch"])
    assert batch.touched == {str(so2_a.pk): [T0.isoformat()]} and batch.processed_at is None

    assert len(callbacks) == 1
    callbacks[0]()  # the commit: the task runs (immediate backend in tests)

    hour = HourlyAggregate.objects.get(point_parameter=so2_a)
    assert (hour.period_start, hour.value, hour.valid) == (T0, D(150), True)
    event = Event.objects.get()
    assert event.kind == "exceedance"
    batch.refresh_from_db()
    assert batch.processed_at is not None and batch.events_opened == [event.pk]
    seen = api_as(operator_a).get(f"{URL}/batches/{batch.pk}/").json()
    assert (seen["processed"], seen["events_opened"]) == (True, [event.pk])


def test_a_batch_is_processed_once(operator_a, so2_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        result = services.readings_ingest(
            acting_user=operator_a, rows=minute_rows("A-STACK-1", "so2", T0, [150] * 60)
        )
    result.batch.refresh_from_db()
    assert result.batch.processed_at is not None and Event.objects.count() == 1
    assert pipeline.process_batch(result.batch.pk) is None  # a second run does nothing
    assert Event.objects.get().periods == 1


def test_the_clocks_process_a_batch_whose_task_never_ran(operator_a, so2_a):
    # No on-commit callback runs inside a test's transaction: the task was never started.
    result = services.readings_ingest(
        acting_user=operator_a, rows=minute_rows("A-STACK-1", "so2", T0, [150] * 60)
    )
    batch = result.batch
    assert IngestBatch.objects.get(pk=batch.pk).processed_at is None
    # Just stored: the clocks leave it to its task for a while.
    assert clocks.run_clocks(T0 + dt.timedelta(hours=1))["batches_processed"] == 0
    IngestBatch.objects.filter(pk=batch.pk).update(
        created_at=timezone.now() - clocks.QUEUED_GRACE - dt.timedelta(seconds=1)
    )
    assert clocks.run_clocks(T0 + dt.timedelta(hours=1))["batches_processed"] == 1
    batch.refresh_from_db()
    assert batch.processed_at is not None
    assert HourlyAggregate.objects.get(point_parameter=so2_a).value == D(150)
    assert Event.objects.filter(kind="exceedance").count() == 1


def test_rows_already_stored_are_counted_as_duplicates_and_the_rest_go_in(
    operator_a, so2_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        post(operator_a, minute_rows("A-STACK-1", "so2", T0, [40] * 2))
        # Two minutes again (one twice in the batch, the first kept) and one new one: the
        # straight COPY fails on the stored keys and the batch goes in by ON CONFLICT instead.
        # (The same values: another value for a stored minute is a conflict, see test_audit.)
        rows = minute_rows("A-STACK-1", "so2", T0, [40, 40, 42])
        rows.append(dict(rows[2]))
        response = post(operator_a, rows)
    body = response.json()
    assert (body["rows"], body["accepted"], body["duplicates"]) == (4, 1, 3)
    values = list(
        Reading.objects.filter(point_parameter=so2_a).order_by("ts").values_list("value", flat=True)
    )
    assert values == [D(40), D(40), D(42)]
    assert HourlyAggregate.objects.get(point_parameter=so2_a).valid_minutes == 3


def test_a_batch_of_only_stored_rows_has_nothing_to_process(
    operator_a, so2_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        post(operator_a, minute_rows("A-STACK-1", "so2", T0, [40] * 2))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        body = post(operator_a, minute_rows("A-STACK-1", "so2", T0, [40] * 2)).json()
    assert (body["accepted"], body["duplicates"], body["processed"]) == (0, 2, True)
    assert callbacks == []


def test_an_older_batch_does_not_move_the_last_reading_time_back(operator_a, so2_a):
    services.readings_ingest(
        acting_user=operator_a, rows=minute_rows("A-STACK-1", "so2", T0, [40] * 3)
    )
    services.readings_ingest(
        acting_user=operator_a,
        rows=minute_rows("A-STACK-1", "so2", T0 - dt.timedelta(hours=5), [40] * 3),
    )
    so2_a.refresh_from_db()
    assert so2_a.last_reading_at == T0 + dt.timedelta(minutes=2)


def test_who_sees_a_batch(
    operator_a, operator_b, provincial_officer, so2_a, stack_b, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        batch = post(operator_a, minute_rows("A-STACK-1", "so2", T0, [40] * 2)).json()["batch"]
    url = f"{URL}/batches/{batch}/"
    assert api_as(operator_a).get(url).status_code == 200
    assert api_as(provincial_officer).get(url).json()["accepted"] == 2  # Rayong, in reach
    assert api_as(operator_b).get(url).status_code == 404  # another company
    assert api_as(None).get(url).status_code in (401, 403, 404)
    assert api_as(operator_a).get(f"{URL}/batches/999999/").status_code == 404
    assert api_as(operator_a).get(f"{URL}/batches/x/").status_code == 404


def test_a_retry_is_recognised_by_its_bytes_and_a_different_body_under_the_key_is_refused(
    operator_a, so2_a, django_capture_on_commit_callbacks
):
    client = api_as(operator_a)
    body = json.dumps({"rows": minute_rows("A-STACK-1", "so2", T0, [40] * 2)})
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(
            f"{URL}/readings/", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="r1"
        )
        again = client.post(
            f"{URL}/readings/", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="r1"
        )
        other = client.post(
            f"{URL}/readings/",
            body.replace('"40"', '"41"'),
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY="r1",
        )
    assert first.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert other.status_code == 422
    assert other.json()["errors"][0]["code"] == "key_reused"
    assert Reading.objects.count() == 2 and IngestBatch.objects.count() == 1


def test_one_batch_that_fails_to_process_does_not_stop_the_others(operator_a, so2_a, monkeypatch):
    first = services.readings_ingest(
        acting_user=operator_a, rows=minute_rows("A-STACK-1", "so2", T0, [40] * 60)
    ).batch
    second = services.readings_ingest(
        acting_user=operator_a,
        rows=minute_rows("A-STACK-1", "so2", T0 + dt.timedelta(hours=1), [150] * 60),
    ).batch
    IngestBatch.objects.update(created_at=timezone.now() - dt.timedelta(minutes=10))
    real = pipeline.recompute

    def broken_for_the_first(touched, **kw):
        if T0 in next(iter(touched.values())):
            raise RuntimeError("boom")
        return real(touched, **kw)

    monkeypatch.setattr(pipeline, "recompute", broken_for_the_first)
    assert clocks.run_clocks(T0 + dt.timedelta(hours=2))["batches_processed"] == 1
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.processed_at is None and second.processed_at is not None
    assert HourlyAggregate.objects.filter(point_parameter=so2_a).count() == 1
    assert Event.objects.filter(kind="exceedance").count() == 1


@pytest.mark.parametrize("pk", ["%C2%B2", "%E2%91%A0"])  # "²", "①": digits to isdigit(), not int()
def test_a_batch_id_that_is_not_a_number_is_a_404(operator_a, pk):
    client = api_as(operator_a)
    client.raise_request_exception = False
    assert client.get(f"{URL}/batches/{pk}/").status_code == 404
    assert client.get(f"{URL}/points/{pk}/").status_code == 404
