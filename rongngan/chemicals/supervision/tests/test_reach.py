"""What inspectors reach: the sites they inspect they may read (what is stored, the hazard and
the zone), but never declare for; the hazardous-substance storage sites of their province office
and the factory sites they are assigned to."""

from typing import Any

import pytest
from rest_framework.test import APIClient

from rongngan.chemicals import services as chem_services
from rongngan.chemicals.models import Declaration
from rongngan.chemicals.supervision import queries

pytestmark = pytest.mark.django_db
AMMONIA = "7664-41-7"


def api(user: Any) -> APIClient:
    c = APIClient()
    c.force_authenticate(user)
    return c


def test_a_province_inspector_reads_the_storage_sites_it_inspects(
    rayong_inspector: Any, site_a: Any, site_b: Any, officer: Any
) -> None:
    chem_services.inventory_declare(
        acting_user=officer,
        site=site_a,
        year=2026,
        items=[{"cas": AMMONIA, "max_quantity": "6", "unit": "t"}],
    )
    assert queries.can_inspect(rayong_inspector, site_a)
    c = api(rayong_inspector)
    for path in ("", "inventory/", "hazard/"):
        assert c.get(f"/api/v1/chemicals/sites/{site_a.pk}/{path}").status_code == 200, path
        # Chon Buri's site is another office's
        assert c.get(f"/api/v1/chemicals/sites/{site_b.pk}/{path}").status_code == 404, path
    assert c.get(f"/api/v1/chemicals/sites/{site_a.pk}/hazard/").json()["zone"]
    c.force_login(rayong_inspector)
    assert c.get(f"/chemicals/sites/{site_a.pk}/").status_code == 200


def test_an_inspector_never_declares_an_inventory(
    rayong_inspector: Any, assigned_inspector: Any, site_a: Any, factory_site_a: Any
) -> None:
    for user, site in ((rayong_inspector, site_a), (assigned_inspector, factory_site_a)):
        with pytest.raises(PermissionError):
            chem_services.inventory_declare(
                acting_user=user,
                site=site,
                year=2026,
                items=[{"cas": AMMONIA, "max_quantity": "1", "unit": "t"}],
            )
        r = api(user).post(
            f"/api/v1/chemicals/sites/{site.pk}/inventory/",
            {"year": 2026, "items": [{"cas": AMMONIA, "max_quantity": "1", "unit": "t"}]},
            format="json",
        )
        assert r.status_code in (403, 404)
    assert not Declaration.objects.exists()


def test_a_province_inspector_registering_a_plant_feeds_its_charge(
    rayong_inspector: Any, site_a: Any
) -> None:
    from rongngan.chemicals.models import InventoryItem
    from rongngan.chemicals.supervision import services
    from rongngan.chemicals.supervision.tests.conftest import PLANT

    plant = services.refrigeration_plant_register(
        acting_user=rayong_inspector, site=site_a, data={**PLANT, "ammonia_charge_kg": "6000"}
    )
    assert plant.inventory_synced is True
    [row] = InventoryItem.objects.filter(declaration__site=site_a, declaration__is_current=True)
    assert (row.source, row.max_kg) == ("refrigeration_register", 6000)
    # what the site's map shows: a zone, below the Seveso tiers
    body = api(rayong_inspector).get(f"/api/v1/chemicals/sites/{site_a.pk}/hazard/").json()
    assert body["tier"] == "none" and body["zone"]
