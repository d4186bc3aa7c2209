"""Import of factories from CSV or Excel: all rows or none, with a per-row report.

Every row goes through the same cleaning as the web form and the API (validation.clean_factory);
uniqueness is checked in bulk, against the file itself and against the register. A dry run stops
after the report. A real run writes nothing unless every row is clean, then writes in batches
inside one transaction.
"""

import csv
import io
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rongngan.accounts.models import Organisation
from rongngan.core import audit, bulk, context
from rongngan.core.errors import Problem, RongnganValidationError, render_all
from rongngan.core.models import AuditEntry
from rongngan.core.scoping import role_of
from rongngan.core.search import search_text
from rongngan.registry.models import Factory
from rongngan.registry.services import (
    AUDITED_FIELDS,
    OPERATOR_REQUIRED,
    SEARCH_FIELDS,
    UNKNOWN_OPERATOR,
)
from rongngan.registry.validation import (
    FACTORY_FIELDS,
    MSG,
    Reference,
    clean_factory,
    duplicate_problems,
)

# Column headers accepted besides the field names themselves (Thai headers of DIW's lists).
COLUMN_ALIASES = {
    "เลขทะเบียนโรงงาน": "registration_no",
    "ทะเบียนโรงงาน": "registration_no",
    "เลขทะเบียนเดิม": "former_registration_no",
    "ชื่อโรงงาน": "name_th",
    "ชื่อภาษาไทย": "name_th",
    "ชื่อภาษาอังกฤษ": "name_en",
    "เลขทะเบียนนิติบุคคล": "juristic_id",
    "ผู้ประกอบการ": "operator_name",
    "ประเภทโรงงาน": "type_codes",
    "ลำดับประเภท": "type_codes",
    "ประเภทหลัก": "primary_type",
    "จำพวก": "factory_class",
    "สถานะ": "status",
    "ที่อยู่": "address",
    "จังหวัด": "province",
    "อำเภอ": "district",
    "ตำบล": "subdistrict",
    "รหัสไปรษณีย์": "postcode",
    "ละติจูด": "latitude",
    "ลองจิจูด": "longitude",
    "แรงม้า": "horsepower",
    "คนงาน": "workers",
    "เงินทุน": "capital",
    "วันที่อนุญาต": "licensed_on",
    "วันที่เริ่มประกอบกิจการ": "started_on",
    "ในนิคมอุตสาหกรรม": "in_industrial_estate",
    "นิคมอุตสาหกรรม": "estate_name",
    "ผู้ติดต่อ": "contact_name",
    "โทรศัพท์": "contact_phone",
    "อีเมล": "contact_email",
}
EXPORT_COLUMNS = FACTORY_FIELDS
MAX_REPORTED = 1000
RELATIONS = {"province", "district", "subdistrict", "primary_type"}
FACTORY_COLUMNS = [f.attname for f in Factory._meta.concrete_fields]
SCALAR_AUDITED = [f for f in AUDITED_FIELDS if f != "types"]
BATCH = 2000

WRONG_TYPE = _("The file must be CSV (.csv) or Excel (.xlsx); got “%(value)s”.")
UNREADABLE = _("The file could not be read as %(kind)s: %(reason)s")
NO_HEADER = _("The first row must name the columns; none of them is known.")
MISSING_COLUMNS = _("Columns missing: %(value)s.")
EMPTY = _("The file has no data rows.")
OUT_OF_AREA = _("You may import only factories of your own province.")


@dataclass
class ImportReport:
    dry_run: bool
    total_rows: int = 0
    created: int = 0
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0

    @property
    def ok(self) -> bool:
        return self.problem_count == 0 and self.total_rows > 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "dry_run": self.dry_run,
            "total_rows": self.total_rows,
            "valid_rows": self.total_rows - len({p.row for p in self.problems if p.row}),
            "created": self.created,
            "problem_count": self.problem_count,
            "problems": render_all(self.problems),
            "ok": self.ok,
        }


def _header(names: Iterable[Any]) -> list[str | None]:
    out: list[str | None] = []
    known = set(EXPORT_COLUMNS) | {"operator"}
    for raw in names:
        name = str(raw or "").strip().lstrip("\ufeff")
        key = COLUMN_ALIASES.get(name, name.lower())
        out.append(key if key in known else None)
    return out


def read_table(stream: IO[bytes], filename: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """Rows as (spreadsheet row number, {field: value}); the header is row 1."""
    lower = filename.lower()
    if lower.endswith(".csv"):
        yield from _read_csv(stream)
    elif lower.endswith(".xlsx"):
        yield from _read_xlsx(stream)
    else:
        raise RongnganValidationError(
            [Problem("file", "wrong_file_type", WRONG_TYPE, {"value": filename})]
        )


def _check_header(header: list[str | None]) -> None:
    if not any(header):
        raise RongnganValidationError([Problem("file", "no_header", NO_HEADER)])
    missing = [c for c in ("registration_no", "name_th") if c not in header]
    if missing:
        raise RongnganValidationError(
            [Problem("file", "missing_columns", MISSING_COLUMNS, {"value": ", ".join(missing)})]
        )


def _read_csv(stream: IO[bytes]) -> Iterator[tuple[int, dict[str, Any]]]:
    data = stream.read()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            # Thai Excel on Windows saves CSV as TIS-620 (cp874).
            text = data.decode("cp874")
        except UnicodeDecodeError as exc:
            raise RongnganValidationError(
                [Problem("file", "unreadable", UNREADABLE, {"kind": "CSV", "reason": exc.reason})]
            ) from exc
    if "\x00" in text[:4096]:
        raise RongnganValidationError(
            [Problem("file", "unreadable", UNREADABLE, {"kind": "CSV", "reason": "binary data"})]
        )
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = _header(next(reader))
    except StopIteration:
        header = []
    _check_header(header)
    for number, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        yield number, {h: v for h, v in zip(header, row, strict=False) if h is not None}


def _read_xlsx(stream: IO[bytes]) -> Iterator[tuple[int, dict[str, Any]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(stream, read_only=True, data_only=True)
    except Exception as exc:
        raise RongnganValidationError(
            [Problem("file", "unreadable", UNREADABLE, {"kind": "Excel", "reason": str(exc)})]
        ) from exc
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    try:
        header = _header(next(rows))
    except StopIteration:
        header = []
    _check_header(header)
    for number, row in enumerate(rows, start=2):
        if not any(v not in (None, "") for v in row):
            continue
        values = {}
        for h, v in zip(header, row, strict=False):
            if h is not None:
                values[h] = _cell(v)
        yield number, values
    workbook.close()


def _cell(value: Any) -> Any:
    """An Excel cell's value; a number cell is a float, read as the Decimal it shows.

    ``str(1e-05)`` is "1e-05", which no one typed; the Decimal of its shortest repr, written
    without an exponent, is 0.00001.
    """
    if value is None:
        return ""
    if isinstance(value, float) and math.isfinite(value):
        return Decimal(format(Decimal(repr(value)), "f"))
    return value


def import_rows(
    *, acting_user: Any, rows: Iterable[tuple[int, dict[str, Any]]], dry_run: bool
) -> ImportReport:
    report = ImportReport(dry_run=dry_run)
    ref = Reference()
    is_provincial = role_of(acting_user) == "provincial_officer"
    seen: dict[str, int] = {}
    cleaned_rows: list[tuple[int, dict[str, Any], dict[str, Any]]] = []

    def add(problem: Problem) -> None:
        report.problem_count += 1
        if len(report.problems) < MAX_REPORTED:
            report.problems.append(problem)

    for number, data in rows:
        report.total_rows += 1
        data = {k: v for k, v in data.items() if k != "operator" or v}
        cleaned = clean_factory(data, ref=ref)
        for p in cleaned.problems:
            p.row = number
            add(p)
        values = cleaned.values
        regno = values.get("registration_no")
        if regno:
            if regno in seen:
                add(
                    Problem(
                        "registration_no",
                        "duplicate_in_file",
                        MSG["duplicate_in_file"],
                        {"value": regno, "other": seen[regno]},
                        row=number,
                    )
                )
            else:
                seen[regno] = number
        if is_provincial and "province" in values:
            if values["province"].code != acting_user.province_id:
                add(Problem("province", "not_permitted", OUT_OF_AREA, row=number))
        if not values.get("juristic_id") and not data.get("operator") and not cleaned.problems:
            add(Problem("operator", "required", OPERATOR_REQUIRED, row=number))
        elif not cleaned.problems:
            # Only the operator code is needed from the raw row: keep memory to the clean values.
            slim = {"operator": str(data["operator"])} if data.get("operator") else {}
            cleaned_rows.append((number, slim, values))
    for p in duplicate_problems(seen):
        add(p)
    codes = {str(data["operator"]) for _n, data, _v in cleaned_rows if data.get("operator")}
    known = set(
        Organisation.objects.filter(code__in=codes, kind=Organisation.Kind.OPERATOR).values_list(
            "code", flat=True
        )
    )
    for number, data, _v in cleaned_rows:
        if data.get("operator") and str(data["operator"]) not in known:
            params = {"value": data["operator"]}
            add(Problem("operator", "unknown_operator", UNKNOWN_OPERATOR, params, row=number))
    if report.total_rows == 0:
        add(Problem("file", "empty", EMPTY))
    if dry_run or report.problem_count:
        report.problems.sort(key=lambda p: (p.row or 0, p.field or ""))
        return report
    with transaction.atomic():
        report.created = _write(acting_user, cleaned_rows)
    return report


def _operators(
    acting_user: Any, rows: list[tuple[int, dict[str, Any], dict[str, Any]]]
) -> dict[str, Organisation]:
    """Operators by juristic ID (or code), creating those the register does not know yet."""
    by_code = {str(data["operator"]): None for _n, data, _v in rows if data.get("operator")}
    wanted: dict[str, str] = {}
    for _n, data, values in rows:
        jid = values.get("juristic_id")
        if jid and not data.get("operator"):
            wanted.setdefault(jid, str(values.get("operator_name") or values["name_th"]).strip())
    found: dict[str, Organisation] = {}
    keys = list(wanted)
    for start in range(0, len(keys), 900):
        for org in Organisation.objects.filter(juristic_id__in=keys[start : start + 900]):
            found[org.juristic_id] = org
    new = [
        Organisation(
            code=f"op-{jid}",
            kind=Organisation.Kind.OPERATOR,
            name_th=name[:255],
            juristic_id=jid,
        )
        for jid, name in wanted.items()
        if jid not in found
    ]
    Organisation.objects.bulk_create(new, batch_size=BATCH)
    for org in Organisation.objects.filter(code__in=[o.code for o in new]) if new else []:
        found[org.juristic_id] = org
    if by_code:
        for org in Organisation.objects.filter(code__in=list(by_code)):
            found[f"code:{org.code}"] = org
    return found


def _write(acting_user: Any, rows: list[tuple[int, dict[str, Any], dict[str, Any]]]) -> int:
    """Insert the clean rows, their types and one audit entry each, in fast bulk inserts."""
    operators = _operators(acting_user, rows)
    now = timezone.now()
    ctx = context.current()
    factory_type = ContentType.objects.get_for_model(Factory)
    actor_ok = acting_user is not None and acting_user.is_authenticated
    created = 0
    for start in range(0, len(rows), BATCH * 10):
        chunk = rows[start : start + BATCH * 10]
        ids = bulk.allocate_ids(Factory, len(chunk))
        factories: list[dict[str, Any]] = []
        links: list[dict[str, Any]] = []
        entries: list[dict[str, Any]] = []
        for pk, (_n, data, values) in zip(ids, chunk, strict=True):
            values = dict(values)
            types = values.pop("types")
            values.pop("operator_name", None)
            key = f"code:{data['operator']}" if data.get("operator") else values["juristic_id"]
            row = {
                (f"{k}_id" if k in RELATIONS else k): (v.pk if k in RELATIONS and v else v)
                for k, v in values.items()
            }
            row |= {"id": pk, "operator_id": operators[key].pk, "created_at": now}
            row["updated_at"] = now
            row["search_text"] = search_text(row.get(name) for name in SEARCH_FIELDS)
            factories.append(row)
            links += [{"factory_id": pk, "factorytype_id": t.pk} for t in types]
            changes = {
                k: [None, audit.jsonable(v)]
                for k, v in values.items()
                if v not in (None, "") and k in SCALAR_AUDITED
            }
            changes["operator"] = [None, operators[key].pk]
            changes["types"] = [None, [t.code for t in types]]
            entries.append(
                {
                    "at": now,
                    "actor_id": acting_user.pk if actor_ok else None,
                    "actor_username": acting_user.get_username() if actor_ok else "",
                    "action": "import",
                    "object_type_id": factory_type.pk,
                    "object_id": str(pk),
                    "object_repr": f"{row['name_th']} ({row['registration_no']})"[:300],
                    "changes": changes,
                    "request_id": ctx.request_id,
                    "ip": ctx.ip,
                    "source": ctx.source,
                }
            )
        created += bulk.insert_rows(Factory, factories, columns=FACTORY_COLUMNS)
        bulk.insert_rows(Factory.types.through, links)
        bulk.insert_rows(AuditEntry, entries)
    return created


TOO_LARGE = _("The file is larger than %(limit)s MB.")


def check_upload(upload: Any) -> None:
    """Refuse an upload over IMPORT_MAX_BYTES before anything reads it."""
    from django.conf import settings

    if upload.size is not None and upload.size > settings.IMPORT_MAX_BYTES:
        limit = settings.IMPORT_MAX_BYTES // (1024 * 1024)
        raise RongnganValidationError([Problem("file", "too_large", TOO_LARGE, {"limit": limit})])


def import_file(
    *, acting_user: Any, stream: IO[bytes], filename: str, dry_run: bool
) -> ImportReport:
    try:
        return import_rows(
            acting_user=acting_user, rows=read_table(stream, filename), dry_run=dry_run
        )
    except RongnganValidationError as exc:
        report = ImportReport(dry_run=dry_run)
        report.problems = exc.problems
        report.problem_count = len(exc.problems)
        return report
