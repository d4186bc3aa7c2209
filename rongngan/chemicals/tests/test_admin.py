"""The chemicals admin: the directory and its load records are read-only; a receptor layer is
retired (audited), never deleted."""

from typing import Any

import pytest
from django.test import Client

from rongngan.chemicals import services
from rongngan.chemicals.models import CatalogueLoad, ReceptorLayer
from rongngan.core import audit

pytestmark = pytest.mark.django_db

CSV = "name,kind,latitude,longitude,population\nโรงเรียนบ้านมาบตาพุด,school,12.70,101.15,800\n"


def test_a_receptor_layer_is_retired_with_an_audit_entry_and_cannot_be_deleted(
    client: Client, admin: Any, officer: Any
) -> None:
    layer = services.receptor_layer_upload(
        acting_user=officer, name="โรงเรียน", content=CSV.encode(), filename="s.csv"
    )
    client.force_login(admin)
    url = f"/admin/chemicals/receptorlayer/{layer.pk}/"
    assert client.get(url + "delete/").status_code == 403
    response = client.post(url + "change/", {"name": layer.name, "description": ""})
    assert response.status_code == 302  # is_active unticked: retired
    layer.refresh_from_db()
    assert layer.is_active is False and layer.receptors.count() == 1
    entry = audit.history(layer).get(action="update")
    assert entry.changes == {"is_active": [True, False]} and entry.actor_username == "admin"
    assert ReceptorLayer.objects.filter(pk=layer.pk).exists()


def test_the_catalogue_load_records_cannot_be_deleted(client: Client, admin: Any) -> None:
    load = CatalogueLoad.objects.first()
    assert load is not None  # the catalogue is loaded for every database test
    client.force_login(admin)
    assert client.get(f"/admin/chemicals/catalogueload/{load.pk}/delete/").status_code == 403
    assert client.get("/admin/chemicals/catalogueload/").status_code == 200
