import datetime as dt
from typing import Any

import pytest
from rest_framework.authtoken.models import Token

from conftest import PASSWORD, api_as

pytestmark = pytest.mark.django_db


def sign_in() -> Any:
    return api_as(None).post("/api/v1/auth/token/", {"username": "officer", "password": PASSWORD})


def test_an_expired_token_is_refused_and_signing_in_gives_a_new_one(
    officer: Any, settings: Any
) -> None:
    settings.API_TOKEN_MAX_AGE_DAYS = 30
    first = sign_in().json()
    assert first["expires_at"]
    Token.objects.filter(key=first["token"]).update(
        created=Token.objects.get(key=first["token"]).created - dt.timedelta(days=31)
    )
    client = api_as(None)
    client.credentials(HTTP_AUTHORIZATION=f"Token {first['token']}")
    refused = client.get("/api/v1/me/")
    assert refused.status_code == 401
    error = refused.json()["errors"][0]
    assert error["code"] == "token_expired"
    assert "expired" in error["message_en"]
    assert error["message_th"] != error["message_en"]
    second = sign_in().json()
    assert second["token"] != first["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {second['token']}")
    assert client.get("/api/v1/me/").status_code == 200


def test_tokens_never_expire_when_the_limit_is_zero(officer: Any, settings: Any) -> None:
    settings.API_TOKEN_MAX_AGE_DAYS = 0
    body = sign_in().json()
    assert body["expires_at"] is None
    Token.objects.filter(key=body["token"]).update(
        created=Token.objects.get(key=body["token"]).created - dt.timedelta(days=3650)
    )
    client = api_as(None)
    client.credentials(HTTP_AUTHORIZATION=f"Token {body['token']}")
    assert client.get("/api/v1/me/").status_code == 200
