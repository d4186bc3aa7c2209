"""Changes to accounts and organisations in /admin/ are audited; neither is deleted there."""

from typing import Any

import pytest
from django import forms
from django.contrib.auth.models import Group
from django.test import Client

from conftest import PASSWORD
from rongngan.accounts.models import LoginAttempt, Organisation, User
from rongngan.core import audit
from rongngan.registry.tests.factories import FactoryFactory

pytestmark = pytest.mark.django_db


def change_form(client: Client, url: str) -> dict[str, Any]:
    """The admin change form as the browser would post it back unchanged."""
    response = client.get(url)
    assert response.status_code == 200
    form = response.context["adminform"].form
    data: dict[str, Any] = {}
    for name, field in form.fields.items():
        if field.disabled:
            continue
        value = form[name].value()
        if isinstance(field.widget, forms.MultiWidget):
            for i, part in enumerate(field.widget.decompress(value)):
                data[f"{name}_{i}"] = "" if part is None else str(part)
        elif isinstance(field, forms.BooleanField):
            if value:
                data[name] = "on"
        elif isinstance(value, list | tuple):
            data[name] = [str(v) for v in value]
        else:
            data[name] = "" if value is None else str(value)
    return data


def test_removing_a_local_governments_district_is_audited(
    client: Client, admin: Any, local_gov: User
) -> None:
    FactoryFactory(district_id="2101")
    FactoryFactory(district_id="2102")
    client.force_login(admin)
    url = f"/admin/accounts/user/{local_gov.pk}/change/"
    response = client.post(url, {**change_form(client, url), "district": ""})
    assert response.status_code == 302, response.context["adminform"].form.errors
    local_gov.refresh_from_db()
    assert local_gov.district_id is None
    entry = audit.history(local_gov).get()
    assert (entry.action, entry.actor) == ("update", admin)
    assert entry.changes == {"district": ["2101", None]}


def test_role_active_flag_and_groups_are_audited_with_before_and_after(
    client: Client, admin: Any, officer: User
) -> None:
    group = Group.objects.create(name="reviewers")
    client.force_login(admin)
    url = f"/admin/accounts/user/{officer.pk}/change/"
    data = change_form(client, url)
    data.update(role="committee", groups=[str(group.pk)])
    data.pop("is_active")
    response = client.post(url, data)
    assert response.status_code == 302
    entry = audit.history(officer).get()
    assert entry.changes == {
        "role": ["officer", "committee"],
        "is_active": [True, False],
        "groups": [[], ["reviewers"]],
    }


def test_saving_an_account_unchanged_writes_no_entry(
    client: Client, admin: Any, officer: User
) -> None:
    client.force_login(admin)
    url = f"/admin/accounts/user/{officer.pk}/change/"
    assert client.post(url, change_form(client, url)).status_code == 302
    assert not audit.history(officer).exists()


def test_adding_an_account_is_audited_without_its_password(client: Client, admin: Any) -> None:
    client.force_login(admin)
    response = client.post(
        "/admin/accounts/user/add/",
        {
            "username": "chonburi_officer",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "usable_password": "true",
            "role": "provincial_officer",
            "province": "20",
            "district": "",
            "organisation": "",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    user = User.objects.get(username="chonburi_officer")
    entry = audit.history(user).get()
    assert entry.action == "create"
    assert entry.changes["role"] == [None, "provincial_officer"]
    assert entry.changes["province"] == [None, "20"]
    assert "password" not in entry.changes


def test_setting_a_password_in_the_admin_is_audited(
    client: Client, admin: Any, officer: User
) -> None:
    client.force_login(admin)
    response = client.post(
        f"/admin/accounts/user/{officer.pk}/password/",
        {"password1": "another-long-pass-phrase", "password2": "another-long-pass-phrase"},
    )
    assert response.status_code == 302
    entry = audit.history(officer).get()
    assert entry.changes == {"password": "changed"}
    assert "pbkdf2" not in str(entry.changes)


def test_changing_an_organisation_is_audited(client: Client, admin: Any, org_a: Any) -> None:
    client.force_login(admin)
    url = f"/admin/accounts/organisation/{org_a.pk}/change/"
    data = change_form(client, url)
    data.pop("is_active")
    data["name_en"] = "A Chemicals Co., Ltd."
    assert client.post(url, data).status_code == 302
    entry = audit.history(org_a).get()
    assert entry.changes == {
        "name_en": ["", "A Chemicals Co., Ltd."],
        "is_active": [True, False],
    }


def test_accounts_and_organisations_are_deactivated_not_deleted(
    client: Client, admin: Any, officer: User, org_a: Organisation
) -> None:
    client.force_login(admin)
    for url in (
        f"/admin/accounts/user/{officer.pk}/delete/",
        f"/admin/accounts/organisation/{org_a.pk}/delete/",
    ):
        assert client.post(url, {"post": "yes"}).status_code == 403
    assert User.objects.filter(pk=officer.pk).exists()
    assert Organisation.objects.filter(pk=org_a.pk).exists()


def test_unlocking_an_account_is_audited_on_the_account(
    client: Client, admin: Any, officer: User
) -> None:
    for _ in range(3):
        LoginAttempt.objects.create(username="officer", succeeded=False)
    client.force_login(admin)
    response = client.post(
        "/admin/accounts/loginattempt/",
        {
            "action": "delete_selected",
            "_selected_action": [str(a.pk) for a in LoginAttempt.objects.all()],
            "post": "yes",
        },
    )
    assert response.status_code == 302
    assert not LoginAttempt.objects.exists()
    entry = audit.history(officer).get()
    assert entry.actor == admin
    assert entry.changes == {"failed_sign_ins_deleted": 3}


def test_revoking_an_api_token_in_the_admin_is_audited(
    client: Client, admin: Any, officer: User
) -> None:
    from rest_framework.authtoken.models import Token

    Token.objects.create(user=officer)
    client.force_login(admin)
    url = f"/admin/authtoken/tokenproxy/{officer.pk}/delete/"
    assert client.get(url).status_code == 200
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not Token.objects.filter(user=officer).exists()
    entry = audit.history(officer).get()
    assert (entry.actor, entry.changes) == (admin, {"api_token": "revoked"})
