from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_healthz_reports_database_and_task_queue(client: Client) -> None:
    body = client.get("/healthz").json()
    assert body["status"] == "ok"
    assert body["database"]["status"] == "ok"
    assert body["tasks"]["ready"] == 0


def test_healthz_says_degraded_when_tasks_wait_too_long(client: Client, settings: Any) -> None:
    from django_tasks_db.models import DBTaskResult

    from rongngan.registry.tasks import run_import_job

    settings.TASK_QUEUE_MAX_AGE_SECONDS = -1
    DBTaskResult.objects.create(
        task_path=run_import_job.module_path,
        args_kwargs={"args": [1], "kwargs": {}},
        backend_name="default",
        queue_name="default",
        run_after=DBTaskResult._meta.get_field("run_after").get_default() or "9999-01-01T00:00Z",
        status="READY",
    )
    body = client.get("/healthz").json()
    assert body["status"] == "degraded"
    assert body["tasks"]["ready"] == 1


def test_every_response_carries_a_request_id(client: Client) -> None:
    response = client.get("/healthz", HTTP_X_REQUEST_ID="abc-123")
    assert response["X-Request-ID"] == "abc-123"
    assert len(client.get("/healthz")["X-Request-ID"]) == 16


def test_pages_are_thai_even_when_the_browser_asks_for_english(client: Client) -> None:
    response = client.get("/factories/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response["Content-Language"] == "th"
    assert 'lang="th"' in response.content.decode()


def test_the_language_cookie_chooses_english(client: Client) -> None:
    client.cookies["django_language"] = "en"
    assert client.get("/factories/")["Content-Language"] == "en"
