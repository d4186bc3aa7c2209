"""Numbers must fit their columns: checked in the shared validation (API, form, import) before
anything reaches the database, with the codes too_large and too_many_decimals."""

import io
from decimal import Decimal, InvalidOperation
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook

from conftest import api_as
from rongngan.core.models import AuditEntry
from rongngan.core.reader import decimal_places
from rongngan.registry import exports
from rongngan.registry.importer import EXPORT_COLUMNS, import_file
from rongngan.registry.models import Factory, Machine
from rongngan.registry.tests.factories import FactoryFactory
from rongngan.registry.tests.test_api import NEW_FACTORY
from rongngan.registry.tests.test_import import csv_bytes, row
from rongngan.registry.tests.test_views import _edit_post
from rongngan.registry.validation import Reference, clean_factory

pytestmark = pytest.mark.django_db


def problems(data: dict[str, Any]) -> set[tuple[str | None, str]]:
    cleaned = clean_factory(data, ref=Reference(), instance=FactoryFactory())
    return {(p.field, p.code) for p in cleaned.problems}


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("horsepower", "99999999999", "too_large"),  # 11 digits: the column holds 10 before .
        ("horsepower", "12345678901234", "too_large"),
        ("horsepower", "10000000000", "too_large"),
        ("horsepower", "1.234", "too_many_decimals"),
        ("capital", "1.234", "too_many_decimals"),
        ("capital", "100000000000000", "too_large"),  # 15 digits: the column holds 14
        ("workers", "2147483648", "too_large"),  # beyond an integer column
        ("workers", "99999999999999", "too_large"),
    ],
)
def test_a_number_that_does_not_fit_its_column_is_refused(
    field: str, value: str, code: str
) -> None:
    assert problems({field: value}) == {(field, code)}


@pytest.mark.parametrize(
    ("field", "value", "stored"),
    [
        ("horsepower", "9,999,999,999.99", Decimal("9999999999.99")),
        ("horsepower", "1.50", Decimal("1.50")),
        ("horsepower", "1.500", Decimal("1.50")),  # a trailing zero is no decimal place
        ("capital", "99999999999999.90", Decimal("99999999999999.90")),
        ("workers", "2147483647", 2147483647),
        ("workers", "๘๐", 80),
    ],
)
def test_the_largest_values_a_column_holds_are_accepted(
    field: str, value: str, stored: Any
) -> None:
    cleaned = clean_factory({field: value}, ref=Reference(), instance=FactoryFactory())
    assert cleaned.problems == []
    assert cleaned.values[field] == stored


def test_on_sqlite_a_value_that_would_read_back_past_the_limit_is_too_large() -> None:
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL keeps decimals exact")
    # Kept as a float, 99999999999999.99 reads back as 1E+14: no longer a capital(16,2).
    assert problems({"capital": "99999999999999.99"}) == {("capital", "too_large")}


def test_decimal_places_counts_only_places_that_carry_a_digit() -> None:
    assert decimal_places(Decimal("1.50")) == 1
    assert decimal_places(Decimal("1500")) == 0
    assert decimal_places(Decimal("1.5E+3")) == 0
    assert decimal_places(Decimal("0.00001")) == 5
    assert decimal_places(Decimal("1.0000000000000000000000000000001")) == 31


@pytest.mark.parametrize("dry_run", [True, False])
def test_the_import_refuses_numbers_that_do_not_fit(officer: Any, dry_run: bool) -> None:
    rows = [
        row(1, horsepower="99999999999"),
        row(2, horsepower="12345678901234"),
        row(3, capital="1.234"),
        row(4, horsepower="1,500.5"),
    ]
    report = import_file(
        acting_user=officer, stream=csv_bytes(rows), filename="f.csv", dry_run=dry_run
    )
    found = {(p.row, p.field, p.code) for p in report.problems}
    assert found == {
        (2, "horsepower", "too_large"),
        (3, "horsepower", "too_large"),
        (4, "capital", "too_many_decimals"),
    }
    assert Factory.objects.count() == 0
    for problem in report.as_dict()["problems"]:
        assert problem["message_th"] and problem["message_en"]
    messages = {p["code"]: p["message_en"] for p in report.as_dict()["problems"]}
    assert "9,999,999,999.99" in messages["too_large"]
    assert "2" in messages["too_many_decimals"]


def test_the_register_stays_readable_after_an_import(client: Client, officer: Any) -> None:
    rows = [row(1, horsepower="9999999999.99", capital="99999999999999.90")]
    report = import_file(
        acting_user=officer, stream=csv_bytes(rows), filename="f.csv", dry_run=False
    )
    assert report.created == 1
    factory = Factory.objects.get()
    assert factory.horsepower == Decimal("9999999999.99")
    client.force_login(officer)
    assert client.get("/factories/?province=21").status_code == 200
    assert client.get(reverse("registry:factory_detail", args=[factory.pk])).status_code == 200
    assert api_as(officer).get(f"/api/v1/factories/{factory.pk}/").status_code == 200
    response = client.get("/factories/export.csv?province=21")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "9999999999.99" in body


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("horsepower", "99999999999", "too_large"),
        ("horsepower", 99999999999, "too_large"),
        ("capital", "1.234", "too_many_decimals"),
        ("capital", 1.234, "too_many_decimals"),
    ],
)
def test_the_api_refuses_them_with_our_code_and_both_messages(
    officer: Any, field: str, value: Any, code: str
) -> None:
    response = api_as(officer).post(
        "/api/v1/factories/", {**NEW_FACTORY, field: value}, format="json"
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [(e["field"], e["code"]) for e in errors] == [(field, code)]
    assert errors[0]["message_th"] and errors[0]["message_en"]
    assert Factory.objects.count() == 0


def test_the_edit_form_refuses_them_at_the_field(
    client: Client, officer: Any, factory_a: Factory
) -> None:
    client.force_login(officer)
    url = reverse("registry:factory_edit", args=[factory_a.pk])
    before = AuditEntry.objects.count()
    response = client.post(url, _edit_post(factory_a, horsepower="12345678901234", capital="1.234"))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "horsepower" in errors and "capital" in errors
    factory_a.refresh_from_db()
    assert factory_a.horsepower is None
    assert AuditEntry.objects.count() == before


def test_machine_horsepower_is_checked_against_its_own_column(
    officer: Any, factory_a: Factory
) -> None:
    url = f"/api/v1/factories/{factory_a.pk}/machinery/"
    response = api_as(officer).post(
        url, {"name": "หม้อไอน้ำ", "machine_type": "boiler", "horsepower": "123456789"}
    )
    assert response.status_code == 400
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [
        ("horsepower", "too_large")
    ]
    response = api_as(officer).post(
        url, {"name": "หม้อไอน้ำ", "machine_type": "boiler", "horsepower": "99999999.99"}
    )
    assert response.status_code == 201, response.content
    assert Machine.objects.get().horsepower == Decimal("99999999.99")


def _xlsx(values: dict[str, Any]) -> io.BytesIO:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(EXPORT_COLUMNS)
    sheet.append([values.get(c, "") for c in EXPORT_COLUMNS])
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer


def test_excel_number_cells_are_read_as_the_decimal_they_show(officer: Any) -> None:
    # 0.00001 is a float cell; it used to be refused as "1e-05 is not a number".
    data = row(1, horsepower=0.00001)
    report = import_file(acting_user=officer, stream=_xlsx(data), filename="f.xlsx", dry_run=True)
    assert {(p.field, p.code) for p in report.problems} == {("horsepower", "too_many_decimals")}
    data = row(1, horsepower=1500.25, capital=2.5e7, latitude=12.7, longitude=101.25, workers=60)
    report = import_file(acting_user=officer, stream=_xlsx(data), filename="f.xlsx", dry_run=False)
    assert report.ok, report.problems
    factory = Factory.objects.get()
    assert factory.horsepower == Decimal("1500.25")
    assert factory.capital == Decimal("25000000")
    assert factory.workers == 60


def test_an_error_while_exporting_csv_is_written_into_the_file_and_ends_the_transfer(
    client: Client, officer: Any, factory_a: Factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_rows = exports._rows

    def failing(qs: Any, columns: list[str]) -> Any:
        rows = real_rows(qs, columns)
        yield next(rows)
        raise InvalidOperation("a value the column cannot hold")

    monkeypatch.setattr(exports, "_rows", failing)
    client.force_login(officer)
    client.cookies["django_language"] = "en"
    response = client.get("/factories/export.csv")
    received: list[bytes] = []
    with pytest.raises(InvalidOperation):
        for chunk in response.streaming_content:
            received.append(chunk)
    body = b"".join(received).decode("utf-8-sig")
    assert factory_a.registration_no in body
    assert "stopped after 1 rows" in body
