"""Every API route as every role: who may read and change what."""

import io
from typing import Any

import pytest

from conftest import api_as
from rongngan.registry.tests.factories import MachineFactory

pytestmark = pytest.mark.django_db

ROLES = [
    "public",
    "admin",
    "officer",
    "provincial_officer",
    "local_gov",
    "operator_a",
    "operator_b",
    "inspector",
    "committee",
]

# (route, method) -> expected status per role, in ROLES order. factory A is operator A's, in
# Rayong (the provincial officer's and local government's area); factory B is in Chon Buri.
MATRIX: dict[str, list[int]] = {
    "GET factory A": [200, 200, 200, 200, 200, 200, 404, 404, 200],
    "GET factory B": [200, 200, 200, 404, 404, 404, 200, 404, 200],
    "PATCH factory A contact": [401, 200, 200, 200, 403, 200, 404, 404, 403],
    "PATCH factory B contact": [401, 200, 200, 404, 404, 404, 200, 404, 403],
    "POST factory": [401, 400, 400, 400, 403, 403, 403, 403, 403],
    "POST import": [401, 200, 200, 200, 403, 403, 403, 403, 403],
    "GET machinery A": [401, 200, 200, 200, 200, 200, 404, 404, 200],
    "GET machine A": [401, 200, 200, 200, 200, 200, 404, 404, 200],
    "POST machinery A": [401, 201, 201, 201, 403, 201, 404, 404, 403],
    "PATCH machine A": [401, 200, 200, 200, 403, 200, 404, 404, 403],
    "GET assignments A": [401, 200, 200, 200, 403, 403, 404, 404, 403],
    "GET me": [401, 200, 200, 200, 200, 200, 200, 200, 200],
    "GET provinces": [200] * 9,
    "GET factory types": [200] * 9,
}


@pytest.fixture
def cast(
    request: Any,
    admin: Any,
    officer: Any,
    provincial_officer: Any,
    local_gov: Any,
    operator_a: Any,
    operator_b: Any,
    inspector: Any,
    committee: Any,
) -> dict[str, Any]:
    return {
        "public": None,
        "admin": admin,
        "officer": officer,
        "provincial_officer": provincial_officer,
        "local_gov": local_gov,
        "operator_a": operator_a,
        "operator_b": operator_b,
        "inspector": inspector,
        "committee": committee,
    }


def call(client: Any, route: str, a: Any, b: Any, machine: Any) -> int:
    if route == "GET factory A":
        return client.get(f"/api/v1/factories/{a.pk}/").status_code
    if route == "GET factory B":
        return client.get(f"/api/v1/factories/{b.pk}/").status_code
    if route.startswith("PATCH factory"):
        target = a if " A " in route else b
        return client.patch(
            f"/api/v1/factories/{target.pk}/", {"contact_phone": "02-202-4000"}, format="json"
        ).status_code
    if route == "POST factory":
        # Deliberately incomplete: only who gets as far as validation (400) matters here.
        return client.post("/api/v1/factories/", {"name_th": "x"}, format="json").status_code
    if route == "POST import":
        upload = io.BytesIO(b"registration_no,name_th\n")
        upload.name = "empty.csv"
        response = client.post(
            "/api/v1/factories/import/", {"file": upload, "dry_run": "true"}, format="multipart"
        )
        # An empty file is a 400 with a report; who may import at all is what is checked here.
        return (
            200
            if response.status_code == 400 and "total_rows" in response.json()
            else (response.status_code)
        )
    if route == "GET machinery A":
        return client.get(f"/api/v1/factories/{a.pk}/machinery/").status_code
    if route == "GET machine A":
        return client.get(f"/api/v1/factories/{a.pk}/machinery/{machine.pk}/").status_code
    if route == "POST machinery A":
        return client.post(
            f"/api/v1/factories/{a.pk}/machinery/",
            {"name": "หม้อไอน้ำ", "machine_type": "boiler"},
            format="json",
        ).status_code
    if route == "PATCH machine A":
        return client.patch(
            f"/api/v1/factories/{a.pk}/machinery/{machine.pk}/", {"maker": "X"}, format="json"
        ).status_code
    if route == "GET assignments A":
        return client.get(f"/api/v1/factories/{a.pk}/assignments/").status_code
    if route == "GET me":
        return client.get("/api/v1/me/").status_code
    if route == "GET provinces":
        return client.get("/api/v1/provinces/").status_code
    if route == "GET factory types":
        return client.get("/api/v1/factory-types/").status_code
    raise AssertionError(route)


@pytest.mark.parametrize("route", list(MATRIX))
def test_route_answers_each_role_as_expected(
    route: str, cast: dict[str, Any], factory_a: Any, factory_b: Any
) -> None:
    machine = MachineFactory(factory=factory_a)
    got = [call(api_as(cast[role]), route, factory_a, factory_b, machine) for role in ROLES]
    assert dict(zip(ROLES, got, strict=True)) == dict(zip(ROLES, MATRIX[route], strict=True))


def test_list_is_scoped_for_each_role(cast: dict[str, Any], factory_a: Any, factory_b: Any) -> None:
    expected = {
        "public": 2,
        "admin": 2,
        "officer": 2,
        "provincial_officer": 1,
        "local_gov": 1,
        "operator_a": 1,
        "operator_b": 1,
        "inspector": 0,
        "committee": 2,
    }
    got = {
        role: api_as(user).get("/api/v1/factories/").json()["count"] for role, user in cast.items()
    }
    assert got == expected
