"""Inspector cases: officers assign and end them (page and API); inspectors read while active."""

from typing import Any

import pytest
from django.test import Client

from conftest import api_as
from rongngan.core import audit
from rongngan.registry import queries
from rongngan.registry.models import FactoryAssignment

pytestmark = pytest.mark.django_db


def test_officer_assigns_and_ends_a_case_through_the_page(
    client: Client, provincial_officer: Any, inspector: Any, factory_a: Any
) -> None:
    client.force_login(provincial_officer)
    detail = client.get(f"/factories/{factory_a.pk}/")
    assert "inspectors" in [t["id"] for t in detail.context["tabs"]]
    response = client.post(
        f"/factories/{factory_a.pk}/inspectors/",
        {"inspector": inspector.pk, "reason": "ร้องเรียน 12/2569"},
    )
    assert response.status_code == 302
    assert list(queries.factories_for_user(inspector)) == [factory_a]
    assignment = FactoryAssignment.objects.get()
    client.post(f"/factories/{factory_a.pk}/inspectors/{assignment.pk}/end/")
    assignment.refresh_from_db()
    assert assignment.is_active is False
    assert list(queries.factories_for_user(inspector)) == []
    changes = [e.changes["inspector"] for e in audit.history(factory_a).filter(action="assign")]
    assert changes == [["inspector", None], [None, "inspector"]]


def test_only_officers_in_reach_may_assign(
    client: Client,
    provincial_officer: Any,
    operator_a: Any,
    committee: Any,
    inspector: Any,
    factory_a: Any,
    factory_b: Any,
) -> None:
    client.force_login(provincial_officer)
    url_b = f"/factories/{factory_b.pk}/inspectors/"
    assert client.post(url_b, {"inspector": inspector.pk}).status_code == 404
    for user in (operator_a, committee):
        client.force_login(user)
        response = client.post(
            f"/factories/{factory_a.pk}/inspectors/", {"inspector": inspector.pk}
        )
        assert response.status_code == 403
    assert not FactoryAssignment.objects.exists()


def test_a_user_who_is_not_an_inspector_cannot_be_assigned(
    officer: Any, operator_a: Any, factory_a: Any
) -> None:
    response = api_as(officer).post(
        f"/api/v1/factories/{factory_a.pk}/assignments/",
        {"inspector": operator_a.username},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "not_inspector"
    assert not FactoryAssignment.objects.exists()


def test_api_lists_assigns_and_ends_cases(
    officer: Any, operator_a: Any, inspector: Any, factory_a: Any
) -> None:
    url = f"/api/v1/factories/{factory_a.pk}/assignments/"
    created = api_as(officer).post(url, {"inspector": "inspector", "reason": "x"}, format="json")
    assert created.status_code == 201, created.content
    assert api_as(inspector).get(f"/api/v1/factories/{factory_a.pk}/").status_code == 200
    listed = api_as(officer).get(url).json()
    assert [a["inspector"] for a in listed] == ["inspector"]
    ended = api_as(officer).post(f"{url}{created.json()['id']}/end/")
    assert ended.json()["is_active"] is False
    assert api_as(inspector).get(f"/api/v1/factories/{factory_a.pk}/").status_code == 404
    assert api_as(operator_a).get(url).status_code == 403


@pytest.mark.parametrize("value", ["zz9", "1²", "", "-3"])
def test_an_inspector_id_that_is_not_a_number_is_refused_at_the_field(
    client: Client, officer: Any, factory_a: Any, value: str
) -> None:
    client.force_login(officer)
    response = client.post(
        f"/factories/{factory_a.pk}/inspectors/", {"inspector": value}, follow=True
    )
    assert response.status_code == 200
    shown = [str(m) for m in response.context["messages"]]
    assert len(shown) == 1 and "เจ้าหน้าที่ตรวจ" in shown[0]  # "… is not an active inspector"
    assert not FactoryAssignment.objects.exists()
