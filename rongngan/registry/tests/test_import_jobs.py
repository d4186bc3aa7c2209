"""Background imports through the web page: queue, follow, read the report."""

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from rongngan.registry.models import Factory, ImportJob
from rongngan.registry.tests.test_import import csv_bytes, row

pytestmark = pytest.mark.django_db


def upload(*rows: dict[str, Any]) -> SimpleUploadedFile:
    return SimpleUploadedFile("factories.csv", csv_bytes(list(rows)).getvalue(), "text/csv")


def test_a_background_import_is_followed_on_its_own_page(
    client: Client, officer: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client.force_login(officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/factories/import/", {"file": upload(row(1), row(2)), "background": "on"}
        )
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/factories/import/{job.pk}/"
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert page.context["finished"] is True
    assert page.context["report"]["created"] == 2
    assert Factory.objects.count() == 2
    assert "hx-trigger" not in page.content.decode()  # finished: no more polling
    assert job.filename in client.get("/factories/import/").content.decode()


def test_a_queued_job_page_polls_until_the_worker_is_done(client: Client, officer: Any) -> None:
    client.force_login(officer)
    client.post("/factories/import/", {"file": upload(row(1)), "background": "on", "dry_run": "on"})
    job = ImportJob.objects.get()
    assert job.status == "queued"  # the on-commit enqueue never ran inside this test
    page = client.get(f"/factories/import/{job.pk}/", HTTP_HX_REQUEST="true")
    assert 'hx-trigger="every 2s"' in page.content.decode()
    assert page.context["finished"] is False


def test_another_users_job_is_not_found(
    client: Client, officer: Any, provincial_officer: Any, operator_a: Any
) -> None:
    job = ImportJob.objects.create(
        created_by=provincial_officer, filename="x.csv", file=upload(row(1)), dry_run=True
    )
    client.force_login(operator_a)
    assert client.get(f"/factories/import/{job.pk}/").status_code == 404
    client.force_login(officer)
    assert client.get(f"/factories/import/{job.pk}/").status_code == 200
