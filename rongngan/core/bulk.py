"""Fast inserts for large imports: COPY on PostgreSQL, executemany on SQLite.

Django's bulk_create prepares every value through the field machinery, which dominates an import
of a national register (millions of values). Here each field's conversion is chosen once, rows
go to the database as plain tuples, and primary keys the caller needs (to link rows) are
allocated up front instead of read back.
"""

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from django.db import connection, models

Row = Mapping[str, Any]


def allocate_ids(model: type[models.Model], count: int) -> list[int]:
    """`count` fresh primary keys for `model`; call inside the transaction that inserts them."""
    if count == 0:
        return []
    table = model._meta.db_table
    pk = model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, pk, count],
            )
            return [row[0] for row in cursor.fetchall()]
        # SQLite: the transaction took the write lock at BEGIN IMMEDIATE (see settings), so no
        # other writer can take these numbers; sqlite_sequence covers AUTOINCREMENT's memory.
        cursor.execute(f'SELECT COALESCE(MAX("{pk}"), 0) FROM "{table}"')
        start = cursor.fetchone()[0]
        cursor.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_sequence'")
        if cursor.fetchone():
            cursor.execute(
                "SELECT COALESCE(MAX(seq), 0) FROM sqlite_sequence WHERE name = %s", [table]
            )
            start = max(start, cursor.fetchone()[0])
    return list(range(start + 1, start + count + 1))


def _converter(field: models.Field) -> Callable[[Any], Any]:
    if isinstance(field, models.JSONField):
        return lambda v: None if v is None else json.dumps(v, ensure_ascii=False)
    if connection.vendor == "postgresql":
        # psycopg adapts Decimal, date and aware datetime itself.
        return lambda v: v
    if isinstance(field, models.DecimalField | models.DateField | models.TimeField):
        return lambda v: field.get_db_prep_save(v, connection)
    return lambda v: v


def insert_rows(
    model: type[models.Model], rows: Iterable[Row], *, columns: Sequence[str] | None = None
) -> int:
    """Insert `rows` (dicts keyed by attname) into `model`'s table; returns how many.

    Columns missing from a row take the field's default. The auto primary key is left to the
    database unless `columns` names it.
    """
    fields = [
        f
        for f in model._meta.concrete_fields
        if (columns is None and not (f.primary_key and isinstance(f, models.AutoField)))
        or (columns is not None and f.attname in columns)
    ]
    defaults = {f.attname: f.get_default() for f in fields}
    converters = [(f.attname, _converter(f)) for f in fields]
    names = ", ".join(f'"{f.column}"' for f in fields)
    table = model._meta.db_table

    def tuples() -> Iterable[tuple[Any, ...]]:
        for row in rows:
            yield tuple(convert(row.get(name, defaults[name])) for name, convert in converters)

    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
                for values in tuples():
                    copy.write_row(values)
                    count += 1
        else:
            sql = f'INSERT INTO "{table}" ({names}) VALUES ({", ".join(["%s"] * len(fields))})'
            batch: list[tuple[Any, ...]] = []
            for values in tuples():
                batch.append(values)
                if len(batch) == 5000:
                    cursor.executemany(sql, batch)
                    count += len(batch)
                    batch = []
            if batch:
                cursor.executemany(sql, batch)
                count += len(batch)
    return count
