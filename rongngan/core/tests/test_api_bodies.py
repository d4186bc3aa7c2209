"""A JSON body whose top level is not an object is refused everywhere with `not_an_object`
(400, Thai and English), and nothing is written; the readings endpoint, which takes a list of
rows, still takes one."""

import json
from typing import Any

import pytest

from conftest import api_as
from rongngan.core.models import AuditEntry
from rongngan.registry.models import Factory

pytestmark = pytest.mark.django_db


def post(client: Any, url: str, body: str, method: str = "post") -> Any:
    return getattr(client, method)(url, body, content_type="application/json")


@pytest.mark.parametrize("body", ["[]", '"zz"', "3", "null", "[1, 2]"])
@pytest.mark.parametrize(
    "method,url",
    [
        ("post", "/api/v1/auth/token/"),
        ("post", "/api/v1/factories/"),
        ("patch", "/api/v1/factories/{a}/"),
        ("put", "/api/v1/factories/{a}/"),
        ("post", "/api/v1/factories/{a}/machinery/"),
        ("post", "/api/v1/factories/{a}/assignments/"),
        ("post", "/api/v1/plan/plans/"),
    ],
)
def test_a_body_that_is_not_an_object_is_refused(
    officer: Any, factory_a: Factory, method: str, url: str, body: str
) -> None:
    before = AuditEntry.objects.count()
    response = post(api_as(officer), url.format(a=factory_a.pk), body, method)
    assert response.status_code == 400, response.content
    [error] = response.json()["errors"]
    assert error["code"] == "not_an_object" and error["field"] is None
    assert error["message_en"] == "Send a JSON object."
    assert error["message_th"] and error["message_th"] != error["message_en"]
    assert AuditEntry.objects.count() == before


def test_malformed_json_is_still_a_parse_error(officer: Any) -> None:
    response = post(api_as(officer), "/api/v1/factories/", "{not json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "parse_error"


def test_the_readings_endpoint_still_takes_a_list_of_rows(operator_a: Any) -> None:
    response = post(api_as(operator_a), "/api/v1/monitoring/readings/", json.dumps([]))
    assert response.status_code != 500
    assert all(e["code"] != "not_an_object" for e in response.json().get("errors", []))


def test_broken_json_and_a_wrong_method_are_told_in_both_languages(db: Any) -> None:
    from rest_framework.test import APIClient

    c = APIClient(HTTP_ACCEPT_LANGUAGE="th")
    r = c.post("/api/v1/auth/token/", data="{broken", content_type="application/json")
    assert r.status_code == 400
    (p,) = r.json()["errors"]
    assert p["code"] == "parse_error"
    assert p["message_en"].startswith("The body is not valid JSON (")
    assert p["message_th"] != p["message_en"] and "line 1" in p["message_th"]
    r = c.delete("/api/v1/auth/token/")
    assert r.status_code == 405
    (p,) = r.json()["errors"]
    assert p["code"] == "method_not_allowed"
    assert p["message_en"].startswith("DELETE is not allowed here (allowed: ")
    assert "POST" in p["message_en"] and p["message_th"] != p["message_en"]
