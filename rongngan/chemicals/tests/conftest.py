"""Sites and inventories the chemicals tests share (users and factories come from the root)."""

from decimal import Decimal
from typing import Any

import pytest

from rongngan.chemicals import services
from rongngan.chemicals.models import CatalogueLoad, StorageSite, Substance
from rongngan.chemicals.reference import load_catalogue

AMMONIA = "7664-41-7"
CHLORINE = "7782-50-5"
PROPANE = "74-98-6"
METHANOL = "67-56-1"
TOLUENE = "108-88-3"
CAUSTIC = "1310-73-2"


@pytest.fixture(autouse=True)
def directory(request: pytest.FixtureRequest) -> None:
    """The catalogue in the directory for database tests (the data migration loads it; this
    keeps it current when the catalogue changed since the test database was made)."""
    if request.node.get_closest_marker("django_db") is not None:
        request.getfixturevalue("db")
        load_catalogue(Substance, CatalogueLoad)


@pytest.fixture
def site_a(factory_a: Any, officer: Any) -> StorageSite:
    """Operator A's factory in Rayong as a storage site."""
    return services.site_register(
        acting_user=officer, data={"kind": "factory", "factory": factory_a.pk}
    )


@pytest.fixture
def site_b(org_b: Any, officer: Any) -> StorageSite:
    """Operator B's hazardous-substance storage site in Chon Buri (outside Rayong)."""
    return services.site_register(
        acting_user=officer,
        data={
            "kind": "hazmat_storage",
            "name_th": "คลังสารเคมีชลบุรี",
            "province": "20",
            "district": "2001",
            "latitude": "13.36",
            "longitude": "100.98",
            "operator": org_b.pk,
        },
    )


def item(cas: str, quantity: Any, unit: str = "t", **extra: Any) -> dict[str, Any]:
    return {"cas": cas, "max_quantity": str(quantity), "unit": unit, **extra}


def declare(user: Any, site: StorageSite, *items: dict[str, Any], year: int = 2026) -> Any:
    return services.inventory_declare(acting_user=user, site=site, year=year, items=list(items))


def register_charge(user: Any, site: StorageSite, kg: Any) -> Any:
    """The ammonia refrigeration register feeding the site's inventory with a plant's charge."""
    return services.inventory_item_set(
        acting_user=user,
        site=site,
        cas=AMMONIA,
        max_quantity_kg=kg,
        source="refrigeration_register",
    )


def kg(value: Any) -> Decimal:
    return Decimal(str(value))
