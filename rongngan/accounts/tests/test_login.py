from typing import Any

import pytest
from django.test import Client

from conftest import PASSWORD
from rongngan.accounts.models import LoginAttempt
from rongngan.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def login(client: Client, password: str) -> Any:
    return client.post("/accounts/login/", {"username": "officer", "password": password})


def test_login_succeeds_and_is_audited(client: Client, officer: Any) -> None:
    response = login(client, PASSWORD)
    assert response.status_code == 302
    assert AuditEntry.objects.filter(action="login", actor=officer).exists()


def test_account_locks_after_repeated_failures(client: Client, officer: Any, settings: Any) -> None:
    settings.LOGIN_MAX_FAILURES = 3
    for _ in range(3):
        assert login(client, "wrong").status_code == 200
    response = login(client, PASSWORD)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert response.context["form"].errors.as_data()["__all__"][0].code == "locked"
    assert LoginAttempt.objects.filter(username="officer", succeeded=False).count() == 3


def test_a_success_resets_the_failure_count(client: Client, officer: Any, settings: Any) -> None:
    settings.LOGIN_MAX_FAILURES = 3
    login(client, "wrong")
    login(client, "wrong")
    assert login(client, PASSWORD).status_code == 302
    client.logout()
    login(client, "wrong")
    assert login(client, PASSWORD).status_code == 302


def test_password_change_requires_login(client: Client) -> None:
    response = client.get("/accounts/password/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_createsuperuser_makes_an_administrator(db: Any) -> None:
    from django.core.management import call_command

    from rongngan.accounts.models import User

    call_command("createsuperuser", username="root", email="r@example.org", interactive=False)
    assert User.objects.get(username="root").role == "admin"


def test_admin_adds_an_operator_only_with_an_organisation(client: Client, admin: Any) -> None:
    from rongngan.accounts.models import User

    client.force_login(admin)
    data = {"username": "op9", "password1": "x-Long-pass-9876", "password2": "x-Long-pass-9876"}
    refused = client.post("/admin/accounts/user/add/", {**data, "role": "operator"})
    assert refused.status_code == 200
    assert "organisation" in refused.context["adminform"].form.errors
    assert not User.objects.filter(username="op9").exists()
    ok = client.post("/admin/accounts/user/add/", {**data, "role": "officer"})
    assert ok.status_code == 302
    assert User.objects.get(username="op9").role == "officer"
