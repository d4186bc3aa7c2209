"""The fixed cast of users every test may call on, and common helpers."""

from typing import Any

import pytest
from rest_framework.test import APIClient

from rongngan.accounts.models import Organisation, Role, User
from rongngan.registry.tests.factories import FactoryFactory, OperatorFactory

PASSWORD = "correct-horse-battery-staple"


def _user(username: str, role: str, **extra: Any) -> User:
    return User.objects.create_user(username=username, password=PASSWORD, role=role, **extra)


@pytest.fixture
def org_a(db: Any) -> Organisation:
    return OperatorFactory(code="op-a", name_th="บริษัท เอ เคมี จำกัด")


@pytest.fixture
def org_b(db: Any) -> Organisation:
    return OperatorFactory(code="op-b", name_th="บริษัท บี อาหาร จำกัด")


@pytest.fixture
def admin(db: Any) -> User:
    return _user("admin", Role.ADMIN, is_staff=True, is_superuser=True)


@pytest.fixture
def officer(db: Any) -> User:
    return _user("officer", Role.OFFICER)


@pytest.fixture
def provincial_officer(db: Any) -> User:
    return _user("rayong_officer", Role.PROVINCIAL_OFFICER, province_id="21")


@pytest.fixture
def local_gov(db: Any) -> User:
    return _user("rayong_lg", Role.LOCAL_GOV, province_id="21", district_id="2101")


@pytest.fixture
def operator_a(org_a: Organisation) -> User:
    return _user("operator_a", Role.OPERATOR, organisation=org_a)


@pytest.fixture
def operator_b(org_b: Organisation) -> User:
    return _user("operator_b", Role.OPERATOR, organisation=org_b)


@pytest.fixture
def inspector(db: Any) -> User:
    return _user("inspector", Role.INSPECTOR)


@pytest.fixture
def committee(db: Any) -> User:
    return _user("committee", Role.COMMITTEE)


@pytest.fixture
def factory_a(org_a: Organisation) -> Any:
    """Operator A's factory in Rayong (province 21)."""
    return FactoryFactory(
        operator=org_a,
        registration_no="10210420000011",
        name_th="บริษัท ปูนซิเมนต์ไทยระยอง จำกัด",
        name_en="Rayong Thai Cement Co., Ltd.",
    )


@pytest.fixture
def factory_b(org_b: Organisation) -> Any:
    """Operator B's factory in Chon Buri (province 20): outside the Rayong officer's reach."""
    return FactoryFactory(
        operator=org_b,
        registration_no="10200010000022",
        name_th="โรงงานน้ำตาลมิตรผลชลบุรี",
        name_en="Chonburi Sugar Mill",
        province_id="20",
        district_id="2001",
        latitude="13.360000",
        longitude="100.980000",
    )


@pytest.fixture
def api() -> APIClient:
    return APIClient()


def api_as(user: User | None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client
