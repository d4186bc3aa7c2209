"""Export of a filtered factory list as CSV (streamed) or Excel; the same columns as the import."""

import csv
import io
import logging
from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from rongngan.core import context
from rongngan.registry.importer import EXPORT_COLUMNS
from rongngan.registry.models import Factory

logger = logging.getLogger(__name__)

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
    # Worded now, in the request's language: the rows are written after the view has returned.
    incomplete = _(
        "ERROR: the export stopped after %(count)s rows; this file is incomplete. "
        "Give the administrator the request id %(request)s."
    )
    request_id = context.current().request_id

    def stream() -> Iterator[str]:
        # A BOM so that Excel opens the Thai text as UTF-8.
        yield "\ufeff" + writer.writerow(columns)
        count = 0
        try:
            for row in _rows(qs, columns):
                yield writer.writerow(row)
                count += 1
        except Exception:
            # The status (200) and the first rows are already sent: say in the file itself that
            # rows are missing, then let the error end the transfer, so that neither a person
            # nor a program takes the file for the whole list.
            logger.exception("factory export stopped after %s rows", count)
            yield writer.writerow([incomplete % {"count": count, "request": request_id}])
            raise

    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="factories-{stamp}.csv"'
    return response
