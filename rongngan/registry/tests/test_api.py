from decimal import Decimal
from typing import Any

import pytest

from conftest import PASSWORD, api_as
from rongngan.core import audit
from rongngan.registry.models import Factory, Machine
from rongngan.registry.tests.factories import FactoryFactory, MachineFactory, juristic_id

pytestmark = pytest.mark.django_db

NEW_FACTORY = {
    "registration_no": "1-0-21-04201-0099-5",
    "name_th": "บริษัท ระยองพลาสติกชีวภาพ จำกัด",
    "name_en": "Rayong Bioplastics Co., Ltd.",
    "juristic_id": juristic_id(123456),
    "operator_name": "บริษัท ระยองพลาสติกชีวภาพ จำกัด",
    "type_codes": ["042"],
    "factory_class": 3,
    "province": "ระยอง",
    "district": "เมืองระยอง",
    "latitude": "12.7",
    "longitude": "101.2",
    "horsepower": "๑,๒๐๐.๕",
    "workers": "๘๐",
}


def codes(response: Any) -> set[tuple[str | None, str]]:
    return {(e["field"], e["code"]) for e in response.json()["errors"]}


def test_officer_creates_a_factory_and_it_is_audited(officer: Any) -> None:
    response = api_as(officer).post("/api/v1/factories/", NEW_FACTORY, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["registration_no"] == "10210420100995"
    assert body["horsepower"] == "1200.50"
    assert body["workers"] == 80
    assert body["type_codes"] == ["042"]
    assert body["province"] == "21"
    factory = Factory.objects.get(pk=body["id"])
    assert factory.operator.juristic_id == NEW_FACTORY["juristic_id"]
    entry = audit.history(factory).get(action="create")
    assert entry.actor == officer
    assert entry.changes["name_th"] == [None, NEW_FACTORY["name_th"]]


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        (
            "juristic_id",
            juristic_id(123456)[:12] + str((int(juristic_id(123456)[12]) + 1) % 10),
            "invalid_checksum",
        ),
        ("latitude", "35.0", "out_of_thailand"),
        ("type_codes", ["999"], "unknown_type"),
        ("name_th", "ก" * 256, "max_length"),
        ("registration_no", "abc", "invalid_regno"),
        ("province", "Atlantis", "unknown_province"),
        ("workers", "many", "invalid_number"),
        ("factory_class", 4, "invalid_choice"),
    ],
)
def test_bad_input_is_refused_with_field_code_and_both_languages(
    officer: Any, field: str, value: Any, code: str
) -> None:
    before = Factory.objects.count()
    response = api_as(officer).post(
        "/api/v1/factories/", {**NEW_FACTORY, field: value}, format="json"
    )
    assert response.status_code == 400
    assert (field, code) in codes(response)
    error = response.json()["errors"][0]
    assert error["message_th"] and error["message_en"]
    assert Factory.objects.count() == before


def test_thai_error_message_is_thai(officer: Any) -> None:
    response = api_as(officer).post(
        "/api/v1/factories/", {**NEW_FACTORY, "latitude": "35"}, format="json"
    )
    error = next(e for e in response.json()["errors"] if e["code"] == "out_of_thailand")
    assert "Thailand" in error["message_en"]
    assert "ประเทศไทย" in error["message_th"]


def test_duplicate_registration_number_is_refused(officer: Any, factory_a: Any) -> None:
    data = {**NEW_FACTORY, "registration_no": factory_a.registration_no}
    response = api_as(officer).post("/api/v1/factories/", data, format="json")
    assert response.status_code == 400
    assert ("registration_no", "duplicate") in codes(response)


def test_idempotency_key_replays_the_first_answer(officer: Any) -> None:
    client = api_as(officer)
    first = client.post(
        "/api/v1/factories/", NEW_FACTORY, format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    again = client.post(
        "/api/v1/factories/", NEW_FACTORY, format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert Factory.objects.filter(registration_no="10210420100995").count() == 1
    other = client.post(
        "/api/v1/factories/",
        {**NEW_FACTORY, "name_en": "changed"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="k-1",
    )
    assert other.status_code == 422


def test_operator_edits_contact_of_own_factory_only(operator_a: Any, factory_a: Any) -> None:
    client = api_as(operator_a)
    ok = client.patch(
        f"/api/v1/factories/{factory_a.pk}/", {"contact_phone": "038-123456"}, format="json"
    )
    assert ok.status_code == 200
    factory_a.refresh_from_db()
    assert factory_a.contact_phone == "038-123456"
    refused = client.patch(
        f"/api/v1/factories/{factory_a.pk}/", {"factory_class": 1}, format="json"
    )
    assert refused.status_code == 400
    assert ("factory_class", "not_permitted") in codes(refused)
    factory_a.refresh_from_db()
    assert factory_a.factory_class == 3


def test_operator_gets_404_for_another_organisations_factory(
    operator_a: Any, factory_b: Any
) -> None:
    client = api_as(operator_a)
    assert client.get(f"/api/v1/factories/{factory_b.pk}/").status_code == 404
    assert (
        client.patch(
            f"/api/v1/factories/{factory_b.pk}/", {"contact_phone": "1"}, format="json"
        ).status_code
        == 404
    )
    listed = client.get("/api/v1/factories/", {"province": "20"}).json()
    assert listed["count"] == 0
    export = client.get("/api/v1/factories/export/", {"as": "csv"})
    assert factory_b.registration_no not in b"".join(export.streaming_content).decode()


def test_public_sees_only_published_fields(factory_a: Any) -> None:
    body = api_as(None).get(f"/api/v1/factories/{factory_a.pk}/").json()
    assert body["name_th"] == factory_a.name_th
    assert "juristic_id" not in body
    assert "contact_phone" not in body
    listed = api_as(None).get("/api/v1/factories/").json()["results"][0]
    assert "operator" not in listed


def test_public_cannot_write(factory_a: Any) -> None:
    response = api_as(None).patch(
        f"/api/v1/factories/{factory_a.pk}/", {"name_en": "x"}, format="json"
    )
    assert response.status_code == 401
    assert response.json()["errors"][0]["code"] == "not_authenticated"


def test_list_filters_and_search(officer: Any, factory_a: Any, factory_b: Any) -> None:
    client = api_as(officer)

    def regnos(**params: Any) -> list[str]:
        return [
            f["registration_no"] for f in client.get("/api/v1/factories/", params).json()["results"]
        ]

    assert regnos(province="21") == [factory_a.registration_no]
    assert regnos(q="ซิเมนต์") == [factory_a.registration_no]
    assert regnos(q="ไทย ระยอง") == [factory_a.registration_no]
    assert regnos(q="มิตรผล") == [factory_b.registration_no]
    assert regnos(q="sugar") == [factory_b.registration_no]
    assert regnos(q="1-0-20-00100-0002-2") == [factory_b.registration_no]
    assert regnos(q=factory_a.juristic_id) == [factory_a.registration_no]
    assert regnos(category="42", factory_class="๓") == sorted(
        [factory_a.registration_no, factory_b.registration_no]
    )
    assert regnos(status="closed") == []


def test_list_query_count_does_not_grow_with_rows(
    officer: Any, django_assert_max_num_queries: Any
) -> None:
    FactoryFactory.create_batch(30)
    client = api_as(officer)
    with django_assert_max_num_queries(6):
        response = client.get("/api/v1/factories/")
    assert response.json()["count"] == 30


def test_machinery_is_listed_added_and_scoped(
    operator_a: Any, operator_b: Any, factory_a: Any
) -> None:
    MachineFactory(factory=factory_a, registration_no="กท-123")
    url = f"/api/v1/factories/{factory_a.pk}/machinery/"
    assert api_as(operator_a).get(url).json()["count"] == 1
    assert api_as(operator_b).get(url).status_code == 404
    created = api_as(operator_a).post(
        url,
        {"name": "เครื่องอัดอากาศ", "machine_type": "compressor", "horsepower": "๕๐"},
        format="json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["horsepower"] == "50.00"
    bad = api_as(operator_a).post(url, {"name": "", "year_made": "1700"}, format="json")
    assert bad.status_code == 400
    assert {
        ("name", "required"),
        ("machine_type", "required"),
        ("year_made", "out_of_range"),
    } <= codes(bad)
    assert Machine.objects.filter(factory=factory_a).count() == 2


def test_reference_data_is_public() -> None:
    client = api_as(None)
    provinces = client.get("/api/v1/provinces/").json()
    assert len(provinces) == 77
    rayong = client.get("/api/v1/provinces/21/").json()
    assert rayong["name_en"] == "Rayong"
    assert any(s["postcodes"] for d in rayong["districts"] for s in d["subdistricts"])
    types = {t["code"]: t for t in client.get("/api/v1/factory-types/").json()}
    assert {"101", "105", "106"} <= {c for c, t in types.items() if t["waste_service"]}


def test_token_auth_and_lockout(officer: Any, settings: Any) -> None:
    settings.LOGIN_MAX_FAILURES = 3
    client = api_as(None)
    token = client.post("/api/v1/auth/token/", {"username": "officer", "password": PASSWORD})
    assert token.status_code == 200
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.json()['token']}")
    assert client.get("/api/v1/me/").json()["role"] == "officer"
    anon = api_as(None)
    for _ in range(3):
        assert (
            anon.post(
                "/api/v1/auth/token/", {"username": "officer", "password": "wrong"}
            ).status_code
            == 400
        )
    locked = anon.post("/api/v1/auth/token/", {"username": "officer", "password": PASSWORD})
    assert locked.status_code == 429


def test_schema_and_docs_are_served() -> None:
    client = api_as(None)
    schema = client.get("/api/v1/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/factories/" in schema.content
    docs = client.get("/api/v1/docs/")
    assert docs.status_code == 200
    # Served from our own static files: the docs must work with no internet.
    assert "http://" not in docs.content.decode()
    assert "https://" not in docs.content.decode()


def test_coordinates_accept_thai_digits(officer: Any, factory_a: Any) -> None:
    response = api_as(officer).patch(
        f"/api/v1/factories/{factory_a.pk}/",
        {"latitude": "๑๓.๗๕", "longitude": "๑๐๐.๕"},
        format="json",
    )
    assert response.status_code == 200, response.content
    factory_a.refresh_from_db()
    assert factory_a.latitude == Decimal("13.750000")


def test_the_factory_history_shows_changes_to_its_machines(
    client: Any, officer: Any, operator_a: Any, factory_a: Any
) -> None:
    url = f"/api/v1/factories/{factory_a.pk}/machinery/"
    machine = (
        api_as(operator_a)
        .post(url, {"name": "หม้อไอน้ำ 2", "machine_type": "boiler"}, format="json")
        .json()
    )
    api_as(operator_a).patch(f"{url}{machine['id']}/", {"mortgaged": "ใช่"}, format="json")
    client.force_login(officer)
    page = client.get(f"/factories/{factory_a.pk}/")
    rows = page.context["history"]
    machine_rows = [r for r in rows if "หม้อไอน้ำ 2" in r["note"]]
    assert len(machine_rows) == 2
    assert ("จำนอง", "ไม่ใช่", "ใช่") in machine_rows[0]["changes"]


def test_the_api_schema_builds_without_warnings(tmp_path: Any) -> None:
    from django.core.management import call_command

    out = tmp_path / "schema.yml"
    call_command("spectacular", "--fail-on-warn", "--file", str(out))
    assert "/api/v1/chemicals/substances/" in out.read_text()
