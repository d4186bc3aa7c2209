"""A small supervision world: two hazardous-substance storage sites (operator A in Rayong,
operator B in Chon Buri), operator A's factory as a site, and inspectors who reach them."""

import datetime as dt
from typing import Any

import pytest

from conftest import _user
from rongngan.accounts.models import Role
from rongngan.chemicals.models import StorageSite
from rongngan.chemicals.supervision import services
from rongngan.registry.models import FactoryAssignment


def make_site(
    code: str, org: Any, *, province: str = "21", district: str = "2101", **kw: Any
) -> StorageSite:
    return StorageSite.objects.create(
        code=code,
        kind=kw.pop("kind", "hazmat_storage"),
        operator=org,
        name_th=kw.pop("name_th", f"คลังสารเคมี {code}"),
        province_id=province,
        district_id=district,
        latitude=kw.pop("latitude", "12.700000"),
        longitude=kw.pop("longitude", "101.200000"),
        registered_on=dt.date(2015, 1, 1),
        **kw,
    )


@pytest.fixture
def site_a(org_a: Any) -> StorageSite:
    return make_site("HS-A", org_a)


@pytest.fixture
def site_b(org_b: Any) -> StorageSite:
    return make_site(
        "HS-B", org_b, province="20", district="2001", latitude="13.36", longitude="100.98"
    )


@pytest.fixture
def factory_site_a(factory_a: Any) -> StorageSite:
    return make_site(
        "FS-A", factory_a.operator, kind="factory", factory=factory_a, name_th=factory_a.name_th
    )


@pytest.fixture
def rayong_inspector(db: Any) -> Any:
    """An inspector of the Rayong office: reaches Rayong's hazardous-substance storage sites."""
    return _user("rayong_inspector", Role.INSPECTOR, province_id="21")


@pytest.fixture
def assigned_inspector(inspector: Any, factory_a: Any, officer: Any) -> Any:
    FactoryAssignment.objects.create(factory=factory_a, inspector=inspector)
    return inspector


def all_scores(value: Any = 2, **overrides: Any) -> dict[str, Any]:
    checklist = services.current_checklist()
    scores = {i["code"]: value for i in checklist.items()}
    scores.update(overrides)
    return scores


def visit(user: Any, site: StorageSite, day: dt.date, scores: dict[str, Any]) -> Any:
    return services.storage_inspection_record(
        acting_user=user,
        site=site,
        data={"visited_on": day.isoformat(), "inspectors": "นายตรวจ ปลอดภัย", "scores": scores},
    )


PLANT = {
    "kind": "block_ice",
    "ammonia_charge_kg": "1200",
    "capacity_t_ice_per_day": "100",
    "operating_hours_per_year": "7000",
    "tariff_baht_per_kwh": "4.0000",
    "compressors": [{"type": "reciprocating", "count": 3, "motor_kw": "75"}],
    "condensers": [{"type": "evaporative", "count": 2}],
    "evaporators": "brine tank coils",
}
