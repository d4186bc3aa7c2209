"""One legacy registration number, however it is written: duplicates, search, and the migration
that brings stored numbers to their canonical form."""

import importlib
from typing import Any

import pytest
from django.apps import apps
from django.test import Client

from conftest import api_as
from rongngan.core import audit
from rongngan.core.models import AuditEntry
from rongngan.core.search import search_text
from rongngan.registry.importer import import_file
from rongngan.registry.models import Factory
from rongngan.registry.tests.factories import FactoryFactory
from rongngan.registry.tests.test_api import NEW_FACTORY
from rongngan.registry.tests.test_import import csv_bytes, row

pytestmark = pytest.mark.django_db

migration = importlib.import_module(
    "rongngan.registry.migrations.0006_canonical_registration_numbers"
)


@pytest.fixture
def legacy(org_a: Any) -> Factory:
    return FactoryFactory(
        operator=org_a, registration_no="3-106-99/63รย", registration_kind="legacy"
    )


@pytest.mark.parametrize("typed", ["3-106-99/2563รย", "3-106-099/63รย", "๓-๑๐๖-๐๙๙/๒๕๖๓ รย"])
def test_the_same_number_written_otherwise_is_a_duplicate(
    officer: Any, legacy: Factory, typed: str
) -> None:
    response = api_as(officer).post(
        "/api/v1/factories/", {**NEW_FACTORY, "registration_no": typed}, format="json"
    )
    assert response.status_code == 400
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [
        ("registration_no", "duplicate")
    ]
    assert Factory.objects.count() == 1


def test_the_import_finds_the_duplicate_too(officer: Any, legacy: Factory) -> None:
    rows = [row(1, registration_no="3-106-99/2563รย"), row(2, registration_no="3-106-5/2563รย")]
    rows.append(row(3, registration_no="3-106-05/63รย"))
    report = import_file(
        acting_user=officer, stream=csv_bytes(rows), filename="f.csv", dry_run=True
    )
    found = {(p.row, p.code) for p in report.problems}
    assert found == {(2, "duplicate"), (4, "duplicate_in_file")}


def test_a_number_longer_than_its_column_is_refused(officer: Any) -> None:
    typed = "3-" + "1" * 40 + "-1/63รย"
    response = api_as(officer).post(
        "/api/v1/factories/", {**NEW_FACTORY, "registration_no": typed}, format="json"
    )
    assert response.status_code == 400
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [
        ("registration_no", "max_length")
    ]


@pytest.mark.parametrize(
    "query", ["3-106-99/63", "3-106-99/63รย", "3-106-99/2563รย", "3-106-099/2563"]
)
def test_search_by_the_number_with_or_without_province_letters(
    client: Client, officer: Any, legacy: Factory, query: str
) -> None:
    other = FactoryFactory(registration_no="3-106-99/63ชบ", registration_kind="legacy")
    FactoryFactory(registration_no="3-106-99/64รย", registration_kind="legacy")
    body = api_as(officer).get("/api/v1/factories/", {"q": query}).json()
    found = {f["registration_no"] for f in body["results"]}
    if "รย" in query:
        assert found == {legacy.registration_no}
    else:
        assert found == {legacy.registration_no, other.registration_no}
    # The page and the public search the same way.
    assert (
        legacy.registration_no in client.get("/factories/", {"q": "3-106-99/63"}).content.decode()
    )


def test_a_search_without_province_letters_does_not_take_a_longer_year(officer: Any) -> None:
    # 3-106-99/24 is year 2524; 3-106-99/2499รย (year 2499) merely starts with the same text.
    FactoryFactory(registration_no="3-106-99/2499รย", registration_kind="legacy")
    wanted = FactoryFactory(registration_no="3-106-99/24รย", registration_kind="legacy")
    body = api_as(officer).get("/api/v1/factories/", {"q": "3-106-99/24"}).json()
    assert [f["registration_no"] for f in body["results"]] == [wanted.registration_no]


# --------------------------------------------------------------------------------------------
# The data migration


def test_the_migration_canonicalises_stored_numbers_and_audits_each(
    org_a: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    changed = FactoryFactory(
        operator=org_a,
        registration_no="3-106-099/2563ชบ",
        former_registration_no="2-3(01)-015/2545สป",
        registration_kind="legacy",
    )
    current = FactoryFactory(operator=org_a)
    migration.canonicalise(apps, None)
    changed.refresh_from_db()
    assert changed.registration_no == "3-106-99/63ชบ"
    assert changed.former_registration_no == "2-3(1)-15/45สป"
    assert " 99 " in changed.search_text and " 099 " not in changed.search_text
    entry = audit.history(changed).get()
    assert entry.changes == {
        "registration_no": ["3-106-099/2563ชบ", "3-106-99/63ชบ"],
        "former_registration_no": ["2-3(01)-015/2545สป", "2-3(1)-15/45สป"],
    }
    assert entry.source == "system"
    assert not audit.history(current).exists()
    assert capsys.readouterr().out == ""


def test_the_migration_reports_duplicates_and_changes_neither(
    org_a: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    first = FactoryFactory(
        operator=org_a, registration_no="3-106-5/63รย", registration_kind="legacy"
    )
    second = FactoryFactory(
        operator=org_a, registration_no="3-106-05/2563รย", registration_kind="legacy"
    )
    migration.canonicalise(apps, None)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.registration_no, second.registration_no) == ("3-106-5/63รย", "3-106-05/2563รย")
    assert Factory.objects.count() == 2
    for factory, other in ((first, second), (second, first)):
        note = audit.history(factory).get().note
        assert "possible duplicate" in note and f"#{other.pk}" in note
    out = capsys.readouterr().out
    assert f"factory #{first.pk}" in out and f"factory #{second.pk}" in out


def test_the_migration_takes_juristic_ids_out_of_the_search_words(factory_a: Factory) -> None:
    words = [factory_a.name_th, factory_a.name_en, factory_a.registration_no]
    Factory.objects.filter(pk=factory_a.pk).update(
        search_text=search_text([*words, factory_a.juristic_id])
    )
    before = AuditEntry.objects.count()
    migration.unpublish_juristic_ids(apps, None)
    factory_a.refresh_from_db()
    assert factory_a.juristic_id not in factory_a.search_text
    assert factory_a.search_text.split() == search_text(words).split()
    assert AuditEntry.objects.count() == before
