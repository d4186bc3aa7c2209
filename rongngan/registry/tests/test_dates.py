"""Dates of the register: B.E. years in ISO order, and the range of a past event's date."""

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import api_as
from rongngan.registry.importer import import_file
from rongngan.registry.models import Factory, Machine
from rongngan.registry.tests.test_api import NEW_FACTORY
from rongngan.registry.tests.test_import import csv_bytes, row

pytestmark = pytest.mark.django_db


def errors(response: Any) -> list[dict[str, Any]]:
    return response.json()["errors"]


def test_a_be_date_in_iso_order_is_read_as_be(officer: Any) -> None:
    response = api_as(officer).post(
        "/api/v1/factories/", {**NEW_FACTORY, "licensed_on": "2562-10-01"}, format="json"
    )
    assert response.status_code == 201, response.content
    assert Factory.objects.get().licensed_on == dt.date(2019, 10, 1)
    assert response.json()["licensed_on"] == "2019-10-01"


def test_the_factory_page_shows_the_be_year_once(
    client: Client, officer: Any, factory_a: Factory
) -> None:
    api_as(officer).patch(
        f"/api/v1/factories/{factory_a.pk}/", {"licensed_on": "2562-10-01"}, format="json"
    )
    client.force_login(officer)
    body = client.get(reverse("registry:factory_detail", args=[factory_a.pk])).content.decode()
    assert "1 ต.ค. 2562" in body
    assert "3105" not in body


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("licensed_on", "1 ต.ค. 2700", "date_in_future"),
        ("licensed_on", "2700-10-01", "date_in_future"),
        ("started_on", "1 Jan 2100", "date_in_future"),
        ("licensed_on", "1 ม.ค. 2400", "date_too_early"),  # C.E. 1857
        ("licensed_on", "1899-12-31", "date_too_early"),
    ],
)
def test_a_date_of_a_past_event_must_lie_between_1900_and_today(
    officer: Any, field: str, value: str, code: str
) -> None:
    response = api_as(officer).post(
        "/api/v1/factories/", {**NEW_FACTORY, field: value}, format="json"
    )
    assert response.status_code == 400
    assert [(e["field"], e["code"]) for e in errors(response)] == [(field, code)]
    assert Factory.objects.count() == 0


def test_the_messages_show_the_date_in_each_language(officer: Any) -> None:
    response = api_as(officer).post(
        "/api/v1/factories/", {**NEW_FACTORY, "licensed_on": "1 ต.ค. 2700"}, format="json"
    )
    error = errors(response)[0]
    assert "1 ต.ค. 2700" in error["message_th"]
    assert "1 Oct 2700" in error["message_en"]


def test_today_is_accepted(officer: Any) -> None:
    today = timezone.localdate()
    response = api_as(officer).post(
        "/api/v1/factories/", {**NEW_FACTORY, "licensed_on": today.isoformat()}, format="json"
    )
    assert response.status_code == 201, response.content


def test_the_import_checks_the_range_in_dry_and_real_runs(officer: Any) -> None:
    rows = [row(1, licensed_on="1 ต.ค. 2700"), row(2, licensed_on="2562-10-01")]
    for dry_run in (True, False):
        report = import_file(
            acting_user=officer, stream=csv_bytes(rows), filename="f.csv", dry_run=dry_run
        )
        assert {(p.row, p.field, p.code) for p in report.problems} == {
            (2, "licensed_on", "date_in_future")
        }
    assert Factory.objects.count() == 0


def test_a_machinery_registration_date_in_the_future_is_refused(
    officer: Any, factory_a: Factory
) -> None:
    url = f"/api/v1/factories/{factory_a.pk}/machinery/"
    machine = {"name": "หม้อไอน้ำ", "machine_type": "boiler", "registered_on": "1 ม.ค. 2600"}
    response = api_as(officer).post(url, machine)
    assert response.status_code == 400
    assert [(e["field"], e["code"]) for e in errors(response)] == [
        ("registered_on", "date_in_future")
    ]
    response = api_as(officer).post(url, {**machine, "registered_on": "2563-01-15"})
    assert response.status_code == 201, response.content
    assert Machine.objects.get().registered_on == dt.date(2020, 1, 15)
