"""Optimistic concurrency: a change made on an old copy of a factory never overwrites a newer
one. The edit form carries the version it was opened at; API clients may send it."""

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from conftest import api_as
from rongngan.core import audit
from rongngan.core.models import AuditEntry
from rongngan.registry import services
from rongngan.registry.models import Factory
from rongngan.registry.tests.test_views import _edit_post

pytestmark = pytest.mark.django_db


def _open_form(client: Client, factory: Factory) -> dict[str, Any]:
    """What the browser posts back: the form as opened, with its hidden version."""
    response = client.get(reverse("registry:factory_edit", args=[factory.pk]))
    assert response.status_code == 200
    version = response.context["version"]
    assert f'name="version" value="{version}"' in response.content.decode()
    return {**_edit_post(factory), "version": version}


def test_a_stale_edit_form_is_refused_and_writes_nothing(
    client: Client, officer: Any, admin: Any, factory_a: Factory
) -> None:
    client.force_login(officer)
    form = _open_form(client, factory_a)
    # Meanwhile the administrator changes the phone and the workers through the API.
    response = api_as(admin).patch(
        f"/api/v1/factories/{factory_a.pk}/",
        {"contact_phone": "038-999-999", "workers": 250},
        format="json",
    )
    assert response.status_code == 200
    before = AuditEntry.objects.count()
    # The officer saves the old form with a change of their own.
    response = client.post(
        reverse("registry:factory_edit", args=[factory_a.pk]), {**form, "name_en": "Renamed"}
    )
    assert response.status_code == 409
    assert "admin" in str(response.context["form"].non_field_errors())  # who changed it
    reopen = reverse("registry:factory_edit", args=[factory_a.pk])
    assert f'href="{reopen}"' in response.content.decode()
    factory_a.refresh_from_db()
    assert (factory_a.contact_phone, factory_a.workers) == ("038-999-999", 250)
    assert factory_a.name_en == "Rayong Thai Cement Co., Ltd."
    assert AuditEntry.objects.count() == before
    # Saving the same old form again is refused again: the page kept the old version.
    assert response.context["version"] == form["version"]


def test_a_current_edit_form_is_saved(client: Client, officer: Any, factory_a: Factory) -> None:
    client.force_login(officer)
    form = _open_form(client, factory_a)
    response = client.post(
        reverse("registry:factory_edit", args=[factory_a.pk]), {**form, "name_en": "Renamed"}
    )
    assert response.status_code == 302
    factory_a.refresh_from_db()
    assert factory_a.name_en == "Renamed"
    # The form opened before that save is now out of date.
    response = client.post(
        reverse("registry:factory_edit", args=[factory_a.pk]), {**form, "workers": "7"}
    )
    assert response.status_code == 409


def test_the_api_gives_an_etag_and_refuses_a_stale_if_match(
    officer: Any, admin: Any, factory_a: Factory
) -> None:
    url = f"/api/v1/factories/{factory_a.pk}/"
    read = api_as(officer).get(url)
    etag = read["ETag"]
    assert etag == f'"{services.factory_version(factory_a)}"'
    changed = api_as(admin).patch(url, {"workers": 250}, format="json")
    assert changed["ETag"] != etag
    response = api_as(officer).patch(
        url, {"contact_phone": "02-000-0000"}, format="json", HTTP_IF_MATCH=etag
    )
    assert response.status_code == 412
    error = response.json()["errors"][0]
    assert error["code"] == "stale"
    assert error["message_th"] and error["message_en"]
    factory_a.refresh_from_db()
    assert factory_a.contact_phone == ""
    response = api_as(officer).patch(
        url, {"contact_phone": "02-000-0000"}, format="json", HTTP_IF_MATCH=changed["ETag"]
    )
    assert response.status_code == 200


def test_the_api_takes_the_updated_at_it_gave_as_version(
    officer: Any, admin: Any, factory_a: Factory
) -> None:
    url = f"/api/v1/factories/{factory_a.pk}/"
    version = api_as(officer).get(url).json()["updated_at"]
    api_as(admin).patch(url, {"workers": 250}, format="json")
    response = api_as(officer).patch(url, {"workers": 10, "version": version}, format="json")
    assert response.status_code == 409
    assert response.json()["errors"][0]["code"] == "stale"
    fresh = api_as(officer).get(url).json()["updated_at"]
    response = api_as(officer).patch(url, {"workers": 10, "version": fresh}, format="json")
    assert response.status_code == 200
    assert response.json()["workers"] == 10
    # Without a version the API behaves as before: the change is made.
    response = api_as(officer).patch(url, {"workers": 11}, format="json")
    assert response.status_code == 200


def test_a_version_that_is_not_one_is_refused(officer: Any, factory_a: Factory) -> None:
    response = api_as(officer).patch(
        f"/api/v1/factories/{factory_a.pk}/", {"workers": 10, "version": "yesterday"}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["errors"][0]["code"] == "invalid_version"


def test_a_change_that_changes_nothing_does_not_make_other_copies_stale(
    officer: Any, factory_a: Factory
) -> None:
    version = services.factory_version(factory_a)
    services.factory_update(
        acting_user=officer, factory=factory_a, data={"name_en": factory_a.name_en}
    )
    factory_a.refresh_from_db()
    assert services.factory_version(factory_a) == version
    assert not audit.history(factory_a).exists()


def test_a_stale_machine_form_and_a_stale_api_write_are_refused(
    client: Client, officer: Any, factory_a: Factory
) -> None:
    import re

    from rongngan.registry.models import Machine
    from rongngan.registry.tests.factories import MachineFactory

    machine = MachineFactory(factory=factory_a, name="หม้อไอน้ำ", serial_no="A-1")
    url = reverse("registry:machine_edit", args=[factory_a.pk, machine.pk])
    client.force_login(officer)
    page = client.get(url).content.decode()
    version = re.search(r'name="version" value="([^"]+)"', page).group(1)
    # someone else changes the machine through the API meanwhile
    api = api_as(officer)
    etag = api.get(f"/api/v1/factories/{factory_a.pk}/machinery/{machine.pk}/")["ETag"]
    r = api.patch(
        f"/api/v1/factories/{factory_a.pk}/machinery/{machine.pk}/",
        {"serial_no": "B-2"},
        format="json",
        HTTP_IF_MATCH=etag,
    )
    assert r.status_code == 200
    # the same ETag again: the machine changed since
    r = api.patch(
        f"/api/v1/factories/{factory_a.pk}/machinery/{machine.pk}/",
        {"serial_no": "C-3"},
        format="json",
        HTTP_IF_MATCH=etag,
    )
    assert r.status_code == 412 and r.json()["errors"][0]["code"] == "stale"
    entries = AuditEntry.objects.count()
    form = {"version": version, "name": "หม้อไอน้ำใหม่", "machine_type": machine.machine_type}
    r = client.post(url, {**_machine_fields(machine), **form})
    assert r.status_code == 409
    machine.refresh_from_db()
    assert (machine.serial_no, machine.name) == ("B-2", "หม้อไอน้ำ")
    assert AuditEntry.objects.count() == entries
    assert Machine.objects.count() == 1


def _machine_fields(machine: Any) -> dict[str, Any]:
    from rongngan.registry.forms import MachineForm

    initial = MachineForm.initial_for(machine)
    return {k: ("" if v is None else v) for k, v in initial.items() if not isinstance(v, bool)}
