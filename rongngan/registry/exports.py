"""Export of a filtered factory list as CSV (streamed) or Excel; the same columns as the import."""

import csv
import io
from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone

from rongngan.registry.importer import EXPORT_COLUMNS
from rongngan.registry.models import Factory

PUBLIC_COLUMNS = [
    "registration_no",
    "former_registration_no",
    "name_th",
    "name_en",
    "type_codes",
    "primary_type",
    "factory_class",
    "status",
    "province",
    "district",
    "subdistrict",
    "latitude",
    "longitude",
    "in_industrial_estate",
    "estate_name",
]


def _rows(qs: QuerySet[Factory], columns: list[str]) -> Iterator[list[Any]]:
    qs = qs.select_related("province", "district", "subdistrict", "primary_type", "operator")
    qs = qs.prefetch_related("types")
    for f in qs.iterator(chunk_size=2000):
        values = {
            "operator_name": f.operator.name_th,
            "type_codes": ";".join(t.code for t in f.types.all()),
            "primary_type": f.primary_type.code,
            "province": f.province.name_th,
            "district": f.district.name_th,
            "subdistrict": f.subdistrict.name_th if f.subdistrict else "",
            "in_industrial_estate": "1" if f.in_industrial_estate else "0",
        }
        row = []
        for c in columns:
            value = values[c] if c in values else getattr(f, c)
            row.append("" if value is None else value)
        yield row


class _Echo:
    def write(self, value: str) -> str:
        return value


def factories_response(qs: QuerySet[Factory], *, kind: str, internal: bool) -> HttpResponse:
    columns = EXPORT_COLUMNS if internal else PUBLIC_COLUMNS
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if kind == "xlsx":
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("factories")
        sheet.append(columns)
        for row in _rows(qs, columns):
            sheet.append([str(v) if not isinstance(v, int | float | str) else v for v in row])
        buffer = io.BytesIO()
        workbook.save(buffer)
        response = HttpResponse(
            buffer.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="factories-{stamp}.xlsx"'
        return response
    writer = csv.writer(_Echo())

    def stream() -> Iterator[str]:
        # A BOM so that Excel opens the Thai text as UTF-8.
        yield "\ufeff" + writer.writerow(columns)
        for row in _rows(qs, columns):
            yield writer.writerow(row)

    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="factories-{stamp}.csv"'
    return response
