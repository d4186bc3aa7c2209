from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from rongngan.registry import queries, services

pytestmark = pytest.mark.django_db


def visible(user: Any) -> set[str]:
    return set(queries.factories_for_user(user).values_list("registration_no", flat=True))


def test_each_role_sees_the_factories_it_should(
    admin: Any,
    officer: Any,
    provincial_officer: Any,
    local_gov: Any,
    operator_a: Any,
    operator_b: Any,
    inspector: Any,
    committee: Any,
    factory_a: Any,
    factory_b: Any,
) -> None:
    both = {factory_a.registration_no, factory_b.registration_no}
    assert visible(admin) == visible(officer) == visible(committee) == both
    assert visible(AnonymousUser()) == both  # published fields only: see the serializers
    assert visible(provincial_officer) == {factory_a.registration_no}
    assert visible(local_gov) == {factory_a.registration_no}
    assert visible(operator_a) == {factory_a.registration_no}
    assert visible(operator_b) == {factory_b.registration_no}
    assert visible(inspector) == set()
    services.factory_assign_inspector(acting_user=officer, factory=factory_b, inspector=inspector)
    assert visible(inspector) == {factory_b.registration_no}


def test_write_access_follows_role(
    officer: Any,
    provincial_officer: Any,
    local_gov: Any,
    operator_a: Any,
    committee: Any,
    inspector: Any,
    factory_a: Any,
    factory_b: Any,
) -> None:
    assert queries.can_write(officer, factory_b)
    assert queries.can_write(provincial_officer, factory_a)
    assert not queries.can_write(provincial_officer, factory_b)
    assert queries.can_write(operator_a, factory_a)
    assert not queries.can_write(operator_a, factory_b)
    for user in (local_gov, committee, inspector, AnonymousUser()):
        assert not queries.can_write(user, factory_a)
