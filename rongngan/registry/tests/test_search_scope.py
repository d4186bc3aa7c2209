"""What each user may search by and reach directly; machinery years; phone digits; regno reasons."""

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.functional import Promise

from conftest import api_as
from rongngan.core.errors import RongnganValidationError
from rongngan.registry import services
from rongngan.registry.models import Factory, Machine
from rongngan.registry.tests.factories import MachineFactory
from rongngan.registry.tests.test_api import NEW_FACTORY
from rongngan.registry.validation import REGNO_REASONS, Reference, clean_factory

pytestmark = pytest.mark.django_db


@pytest.fixture
def registered(officer: Any) -> Factory:
    """A factory registered through the service, so its search words are the real ones."""
    response = api_as(officer).post("/api/v1/factories/", NEW_FACTORY, format="json")
    assert response.status_code == 201, response.content
    return Factory.objects.get(pk=response.json()["id"])


def found(user: Any, q: str) -> list[str]:
    body = api_as(user).get("/api/v1/factories/", {"q": q}).json()
    return [f["registration_no"] for f in body["results"]]


def test_the_public_cannot_search_by_juristic_id(client: Client, registered: Factory) -> None:
    jid = registered.juristic_id
    for q in (jid, f"{jid[0]}-{jid[1:5]}-{jid[5:10]}-{jid[10:12]}-{jid[12]}", jid[:9]):
        assert found(None, q) == []
    page = client.get(reverse("registry:factory_list"), {"q": jid}).content.decode()
    assert registered.registration_no not in page
    csv = client.get("/factories/export.csv", {"q": jid})
    assert registered.registration_no not in b"".join(csv.streaming_content).decode("utf-8-sig")


def test_officers_still_find_a_factory_by_its_juristic_id(
    officer: Any, registered: Factory
) -> None:
    assert found(officer, registered.juristic_id) == [registered.registration_no]


def test_the_juristic_id_is_not_among_the_search_words(registered: Factory) -> None:
    assert registered.juristic_id not in registered.search_text


def test_the_public_finds_factories_by_published_fields(registered: Factory) -> None:
    assert found(None, "ระยองพลาสติก") == [registered.registration_no]
    assert found(None, registered.registration_no) == [registered.registration_no]


@pytest.mark.parametrize("q", ["-", " / ", "...", "()"])
def test_a_query_of_punctuation_only_is_an_empty_query(
    officer: Any, factory_a: Factory, factory_b: Factory, q: str
) -> None:
    assert sorted(found(officer, q)) == sorted(found(officer, ""))


# --------------------------------------------------------------------------------------------
# Direct access by an operator to another organisation's factory: 404, as for anyone outside


def test_an_operator_reaches_another_organisations_factory_nowhere(
    client: Client, operator_a: Any, factory_b: Factory
) -> None:
    machine = MachineFactory(factory=factory_b)
    client.force_login(operator_a)
    for name, args in (
        ("registry:factory_detail", [factory_b.pk]),
        ("registry:factory_edit", [factory_b.pk]),
        ("registry:machine_add", [factory_b.pk]),
        ("registry:machine_edit", [factory_b.pk, machine.pk]),
    ):
        assert client.get(reverse(name, args=args)).status_code == 404, name
    api = api_as(operator_a)
    assert api.get(f"/api/v1/factories/{factory_b.pk}/").status_code == 404
    assert (
        api.patch(f"/api/v1/factories/{factory_b.pk}/", {"contact_phone": "1"}).status_code == 404
    )
    assert api.get(f"/api/v1/factories/{factory_b.pk}/machinery/").status_code == 404
    assert api.get(f"/api/v1/factories/{factory_b.pk}/machinery/{machine.pk}/").status_code == 404
    # Lists and exports stay lists: filtered to what the operator may see.
    assert api.get("/api/v1/factories/", {"q": factory_b.registration_no}).json()["count"] == 0


# --------------------------------------------------------------------------------------------
# Machinery year made, phone digits


@pytest.mark.parametrize(
    ("typed", "year"), [("๒๕๖๐", 2017), ("2560", 2017), ("2017", 2017), ("๒๐๑๗", 2017)]
)
def test_a_machine_year_may_be_typed_in_be(
    officer: Any, factory_a: Factory, typed: str, year: int
) -> None:
    machine = services.machine_add(
        acting_user=officer,
        factory=factory_a,
        data={"name": "หม้อไอน้ำ", "machine_type": "boiler", "year_made": typed},
    )
    assert machine.year_made == year


@pytest.mark.parametrize("typed", ["1799", "2700", "3000"])
def test_a_machine_year_out_of_range_is_refused(
    officer: Any, factory_a: Factory, typed: str
) -> None:
    with pytest.raises(RongnganValidationError) as info:
        services.machine_add(
            acting_user=officer,
            factory=factory_a,
            data={"name": "หม้อไอน้ำ", "machine_type": "boiler", "year_made": typed},
        )
    assert [(p.field, p.code) for p in info.value.problems] == [("year_made", "out_of_range")]
    assert not Machine.objects.exists()


def test_a_phone_number_is_kept_with_arabic_digits(officer: Any, factory_a: Factory) -> None:
    services.factory_update(
        acting_user=officer, factory=factory_a, data={"contact_phone": "๐๓๘-๑๒๓-๔๕๖"}
    )
    factory_a.refresh_from_db()
    assert factory_a.contact_phone == "038-123-456"


# --------------------------------------------------------------------------------------------
# The reason of invalid_regno is a translatable message, not English text from regno


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("4-106-33/50รย", "class_digit"),
        ("12345", "current_length"),
        ("3-106-33/2019", "year_not_be"),
        ("hello", "no_year"),
    ],
)
def test_the_reason_of_a_bad_registration_number_is_translated(typed: str, reason: str) -> None:
    [problem] = regno_problems(typed)
    assert problem.code == "invalid_regno"
    param = problem.params["reason"]
    assert isinstance(param, Promise)
    with translation.override("en"):
        expected = str(REGNO_REASONS[reason]) % _params(typed)
        assert str(param) == expected
        assert expected in problem.text()


def regno_problems(typed: str) -> list[Any]:
    cleaned = clean_factory({"registration_no": typed}, ref=Reference())
    return [p for p in cleaned.problems if p.field == "registration_no"]


def _params(typed: str) -> dict[str, Any]:
    from rongngan.registry.regno import RegistrationNumberError, normalize_registration_number

    try:
        normalize_registration_number(typed)
    except RegistrationNumberError as exc:
        return dict(exc.params)
    raise AssertionError(typed)


def test_the_reason_follows_the_language_of_the_message() -> None:
    rendered = regno_problems("4-106-33/50รย")[0].as_dict()
    with translation.override("th"):
        thai = str(REGNO_REASONS["class_digit"]) % {"value": "4"}
    with translation.override("en"):
        english = str(REGNO_REASONS["class_digit"]) % {"value": "4"}
    assert english == "factory class must be 1, 2 or 3, not 4"
    assert english in rendered["message_en"]
    assert thai in rendered["message_th"]
    if thai != english:  # once the Thai catalogue has it, no English is left in the Thai
        assert english not in rendered["message_th"]
