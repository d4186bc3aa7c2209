import csv
import io
from typing import Any

import pytest
from openpyxl import Workbook

from rongngan.core import audit
from rongngan.registry.importer import EXPORT_COLUMNS, import_file
from rongngan.registry.models import Factory
from rongngan.registry.tests.factories import juristic_id

pytestmark = pytest.mark.django_db


def row(n: int, **over: Any) -> dict[str, Any]:
    base = {
        "registration_no": f"1021042{n:06d}5",
        "name_th": f"บริษัท ระยองเคมีภัณฑ์ {n} จำกัด",
        "name_en": f"Rayong Chemicals {n}",
        "juristic_id": juristic_id(500000 + n),
        "type_codes": "042",
        "factory_class": "3",
        "province": "21",
        "district": "2101",
        "latitude": "12.70",
        "longitude": "101.25",
        "workers": "๖๐",
        "licensed_on": "1 ต.ค. 2562",
    }
    return {**base, **over}


def csv_bytes(rows: list[dict[str, Any]]) -> io.BytesIO:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=EXPORT_COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    return io.BytesIO(out.getvalue().encode("utf-8-sig"))


def test_dry_run_reports_and_writes_nothing(officer: Any) -> None:
    report = import_file(
        acting_user=officer, stream=csv_bytes([row(1), row(2)]), filename="f.csv", dry_run=True
    )
    assert report.ok
    assert report.total_rows == 2
    assert Factory.objects.count() == 0


def test_real_run_writes_every_row_with_audit(officer: Any) -> None:
    report = import_file(
        acting_user=officer, stream=csv_bytes([row(1), row(2)]), filename="f.csv", dry_run=False
    )
    assert report.created == 2
    factory = Factory.objects.get(registration_no="10210420000015")
    assert factory.workers == 60
    assert factory.licensed_on.isoformat() == "2019-10-01"
    assert [t.code for t in factory.types.all()] == ["042"]
    assert audit.history(factory).get().action == "import"


def test_one_bad_row_among_many_writes_nothing_and_names_row_and_field(officer: Any) -> None:
    rows = [row(n) for n in range(1, 301)]
    rows[149] = row(150, latitude="48.85", longitude="2.35")
    rows[200] = row(201, juristic_id="0105536000010")
    report = import_file(
        acting_user=officer, stream=csv_bytes(rows), filename="f.csv", dry_run=False
    )
    assert not report.ok
    found = {(p.row, p.field, p.code) for p in report.problems}
    # Row numbers are spreadsheet rows: the header is row 1.
    assert (151, "latitude", "out_of_thailand") in found
    assert any(r == 202 and f == "juristic_id" for r, f, _c in found)
    assert Factory.objects.count() == 0
    assert report.as_dict()["problems"][0]["message_th"]


def test_duplicates_in_file_and_in_register_are_reported(officer: Any, factory_a: Any) -> None:
    rows = [row(1), row(1, name_th="ซ้ำ"), row(3, registration_no=factory_a.registration_no)]
    report = import_file(
        acting_user=officer, stream=csv_bytes(rows), filename="f.csv", dry_run=True
    )
    codes = {(p.row, p.code) for p in report.problems}
    assert (3, "duplicate_in_file") in codes
    assert (4, "duplicate") in codes


def test_wrong_file_type_is_refused(officer: Any) -> None:
    report = import_file(
        acting_user=officer, stream=io.BytesIO(b"%PDF-1.4"), filename="x.pdf", dry_run=False
    )
    assert [p.code for p in report.problems] == ["wrong_file_type"]


def test_garbage_in_an_xlsx_is_refused(officer: Any) -> None:
    report = import_file(
        acting_user=officer, stream=io.BytesIO(b"not a zip"), filename="x.xlsx", dry_run=False
    )
    assert [p.code for p in report.problems] == ["unreadable"]


def test_excel_with_thai_headers_imports(officer: Any) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(
        [
            "เลขทะเบียนโรงงาน",
            "ชื่อโรงงาน",
            "เลขทะเบียนนิติบุคคล",
            "ประเภทโรงงาน",
            "จำพวก",
            "จังหวัด",
            "อำเภอ",
        ]
    )
    sheet.append(["10210420000015", "โรงงานทดสอบ", juristic_id(7), 42, 3, "ระยอง", "เมืองระยอง"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    report = import_file(acting_user=officer, stream=buffer, filename="f.xlsx", dry_run=False)
    assert report.created == 1, report.as_dict()
    assert Factory.objects.get().district_id == "2101"


def test_provincial_officer_imports_only_own_province(provincial_officer: Any) -> None:
    rows = [row(1), row(2, province="20", district="2001")]
    report = import_file(
        acting_user=provincial_officer, stream=csv_bytes(rows), filename="f.csv", dry_run=False
    )
    assert {(p.row, p.code) for p in report.problems} == {(3, "not_permitted")}
    assert Factory.objects.count() == 0


def test_over_long_field_is_reported(officer: Any) -> None:
    report = import_file(
        acting_user=officer,
        stream=csv_bytes([row(1, name_th="ก" * 300)]),
        filename="f.csv",
        dry_run=True,
    )
    assert [(p.field, p.code) for p in report.problems] == [("name_th", "max_length")]


def test_background_import_runs_in_the_worker_and_keeps_its_report(
    officer: Any, operator_a: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from conftest import api_as

    upload = csv_bytes([row(1), row(2)])
    upload.name = "two.csv"
    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(officer).post(
            "/api/v1/factories/import/",
            {"file": upload, "dry_run": "false", "background": "true"},
            format="multipart",
        )
    assert response.status_code == 202, response.content
    job = api_as(officer).get(f"/api/v1/imports/{response.json()['id']}/").json()
    assert job["status"] == "done"
    assert job["report"]["created"] == 2
    assert Factory.objects.count() == 2
    assert api_as(operator_a).get(f"/api/v1/imports/{job['id']}/").status_code == 404


def test_dry_run_already_reports_a_missing_or_unknown_operator(officer: Any) -> None:
    rows = [row(1, juristic_id=""), {**row(2, juristic_id=""), "operator": "no-such-org"}]
    columns = [*EXPORT_COLUMNS, "operator"]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns)
    writer.writeheader()
    writer.writerows(rows)
    report = import_file(
        acting_user=officer,
        stream=io.BytesIO(out.getvalue().encode()),
        filename="f.csv",
        dry_run=True,
    )
    assert {(p.row, p.field, p.code) for p in report.problems} == {
        (2, "operator", "required"),
        (3, "operator", "unknown_operator"),
    }


def test_an_upload_over_the_size_limit_is_refused(officer: Any, settings: Any) -> None:
    from conftest import api_as

    settings.IMPORT_MAX_BYTES = 10
    upload = csv_bytes([row(1)])
    upload.name = "big.csv"
    response = api_as(officer).post(
        "/api/v1/factories/import/", {"file": upload, "dry_run": "false"}, format="multipart"
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "too_large"
    assert Factory.objects.count() == 0


def test_ids_stay_in_step_with_the_database_after_a_bulk_import(officer: Any) -> None:
    from conftest import api_as

    import_file(
        acting_user=officer, stream=csv_bytes([row(1), row(2)]), filename="f.csv", dry_run=False
    )
    imported = set(Factory.objects.values_list("pk", flat=True))
    created = api_as(officer).post(
        "/api/v1/factories/",
        {**row(3), "type_codes": ["042"]},
        format="json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["id"] not in imported
    assert created.json()["id"] > max(imported)


def test_an_imported_factory_is_found_by_search_and_shows_its_history(officer: Any) -> None:
    from rongngan.registry.queries import factory_search

    import_file(acting_user=officer, stream=csv_bytes([row(7)]), filename="f.csv", dry_run=False)
    found = factory_search(officer, {"q": "เคมีภัณฑ์"})
    assert [f.registration_no for f in found] == ["10210420000075"]
    entry = audit.history(found[0]).get()
    assert entry.actor == officer
    assert entry.changes["types"] == [None, ["042"]]
    assert entry.changes["province"] == [None, "21"]
    assert entry.changes["workers"] == [None, 60]


def test_an_unknown_operator_is_created_with_the_name_the_file_gives(officer: Any) -> None:
    from rongngan.accounts.models import Organisation

    rows = [row(1, operator_name="บริษัท ผู้ประกอบการใหม่ จำกัด")]
    import_file(acting_user=officer, stream=csv_bytes(rows), filename="f.csv", dry_run=False)
    org = Organisation.objects.get(juristic_id=rows[0]["juristic_id"])
    assert org.name_th == "บริษัท ผู้ประกอบการใหม่ จำกัด"
    assert org.kind == "operator"
    assert Factory.objects.get().operator == org
