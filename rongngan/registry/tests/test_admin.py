from typing import Any

import pytest
from django.test import Client

from rongngan.core import audit
from rongngan.registry.models import FactoryAssignment

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        "/admin/registry/factory/",
        "/admin/registry/factorytype/",
        "/admin/registry/machine/",
        "/admin/registry/factoryassignment/",
        "/admin/core/auditentry/",
        "/admin/core/province/",
        "/admin/accounts/user/",
        "/admin/accounts/organisation/",
    ],
)
def test_admin_pages_open_for_an_administrator(client: Client, admin: Any, url: str) -> None:
    client.force_login(admin)
    assert client.get(url).status_code == 200


def test_register_is_read_only_in_the_admin(client: Client, admin: Any, factory_a: Any) -> None:
    client.force_login(admin)
    response = client.post(f"/admin/registry/factory/{factory_a.pk}/change/", {"name_th": "x"})
    assert response.status_code == 403
    factory_a.refresh_from_db()
    assert factory_a.name_th != "x"


def test_assigning_an_inspector_in_the_admin_is_audited(
    client: Client, admin: Any, inspector: Any, factory_a: Any
) -> None:
    client.force_login(admin)
    response = client.post(
        "/admin/registry/factoryassignment/add/",
        {
            "factory": factory_a.pk,
            "inspector": inspector.pk,
            "reason": "complaint 12/2569",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    assert FactoryAssignment.objects.filter(factory=factory_a, inspector=inspector).count() == 1
    entry = audit.history(factory_a).get(action="assign")
    assert entry.changes == {"inspector": [None, "inspector"]}


def test_non_staff_cannot_open_the_admin(client: Client, officer: Any) -> None:
    client.force_login(officer)
    assert client.get("/admin/registry/factory/").status_code == 302
