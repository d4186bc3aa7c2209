"""Where readings are kept, behind functions with a PostgreSQL and a SQLite path.

PostgreSQL: `monitoring_reading` is PARTITIONED BY RANGE (ts), one partition a month named
`monitoring_reading_yYYYYmMM`, a BRIN index on ts (readings arrive in time order, so a block
range summary is tiny and enough) and the primary key (point_parameter_id, ts), which makes a
retried minute a conflict instead of a duplicate. A DEFAULT partition catches a row outside
every monthly partition, so an insert never fails for want of one; `ensure_partitions` moves
such rows into their month when it creates it. Batches go in by COPY into a temporary table,
then one INSERT ... SELECT ... ON CONFLICT DO NOTHING, whose row count tells the duplicates.

SQLite: one plain table with the same columns and key; INSERT OR IGNORE by executemany.
"""

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any

from django.db import connection as default_connection

TABLE = "monitoring_reading"
COLUMNS = ("point_parameter_id", "ts", "value", "unit", "value_std", "flags", "batch_id")
# Row: (point_parameter_id, ts (aware UTC), value, unit, value_std, flags, batch_id)
Row = tuple[int, dt.datetime, Decimal, str, Decimal | None, str, int | None]


def create_reading_table(connection: Any) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"""
                CREATE TABLE {TABLE} (
                    point_parameter_id bigint NOT NULL,
                    ts timestamp with time zone NOT NULL,
                    value numeric(18, 6) NOT NULL,
                    unit varchar(20) NOT NULL,
                    value_std numeric(18, 6) NULL,
                    flags varchar(60) NOT NULL DEFAULT '',
                    batch_id bigint NULL,
                    PRIMARY KEY (point_parameter_id, ts)
                ) PARTITION BY RANGE (ts)
                """
            )
            cursor.execute(f"CREATE INDEX {TABLE}_ts_brin ON {TABLE} USING brin (ts)")
            cursor.execute(f"CREATE TABLE {TABLE}_default PARTITION OF {TABLE} DEFAULT")
        else:
            cursor.execute(
                f"""
                CREATE TABLE "{TABLE}" (
                    "point_parameter_id" bigint NOT NULL,
                    "ts" datetime NOT NULL,
                    "value" decimal NOT NULL,
                    "unit" varchar(20) NOT NULL,
                    "value_std" decimal NULL,
                    "flags" varchar(60) NOT NULL DEFAULT '',
                    "batch_id" bigint NULL,
                    PRIMARY KEY ("point_parameter_id", "ts")
                )
                """
            )
            cursor.execute(f'CREATE INDEX "{TABLE}_ts" ON "{TABLE}" ("ts")')


def drop_reading_table(connection: Any) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f'DROP TABLE IF EXISTS "{TABLE}"'
            + (" CASCADE" if connection.vendor == "postgresql" else "")
        )


def month_start(ts: dt.datetime) -> dt.datetime:
    ts = ts.astimezone(dt.UTC)
    return ts.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def next_month(start: dt.datetime) -> dt.datetime:
    return (
        start.replace(year=start.year + 1, month=1)
        if start.month == 12
        else start.replace(month=start.month + 1)
    )


def partition_name(start: dt.datetime) -> str:
    return f"{TABLE}_y{start.year:04d}m{start.month:02d}"


def ensure_partitions(start: dt.datetime, end: dt.datetime, connection: Any = None) -> list[str]:
    """Makes the monthly partitions covering [start, end] exist (UTC months); returns the names
    made now. A no-op on SQLite. Call inside the transaction that inserts."""
    connection = connection or default_connection
    if connection.vendor != "postgresql":
        return []
    made: list[str] = []
    month = month_start(start)
    with connection.cursor() as cursor:
        while month <= end:
            name = partition_name(month)
            upper = next_month(month)
            # One catalogue look-up a month per batch; a cache across transactions would have
            # to know of every rollback and every dropped partition.
            cursor.execute("SELECT to_regclass(%s)", [name])
            if cursor.fetchone()[0] is None:
                # Rows that fell into the default partition move into their month first:
                # attaching fails while the default holds rows of the new range.
                cursor.execute(
                    f"CREATE TABLE {name} (LIKE {TABLE} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)"
                )
                cursor.execute(
                    f"WITH moved AS (DELETE FROM {TABLE}_default WHERE ts >= %s AND ts < %s "
                    f"RETURNING *) INSERT INTO {name} SELECT * FROM moved",
                    [month, upper],
                )
                cursor.execute(
                    f"ALTER TABLE {TABLE} ATTACH PARTITION {name} "
                    f"FOR VALUES FROM ('{month.isoformat()}') TO ('{upper.isoformat()}')"
                )
                made.append(name)
            month = upper
    return made


def ensure_partitions_of(rows: Iterable[Row], connection: Any = None) -> list[str]:
    """Makes the partitions of the months the rows fall in, and only those (a batch holding one
    row of 2006 beside today's must not make the 240 months in between)."""
    utc = dt.UTC
    months = {(ts.year, ts.month) for ts in (r[1].astimezone(utc) for r in rows)}
    return ensure_month_partitions(months, connection)


def ensure_month_partitions(months: Iterable[tuple[int, int]], connection: Any = None) -> list[str]:
    """Makes the partitions of these (year, month) UTC months; returns the names made now."""
    made: list[str] = []
    for year, month in sorted(set(months)):
        start = dt.datetime(year, month, 1, tzinfo=dt.UTC)
        made += ensure_partitions(start, start, connection)
    return made


def partitions(connection: Any = None) -> list[tuple[str, str]]:
    """(partition name, bounds) of the readings table on PostgreSQL, from pg_inherits."""
    connection = connection or default_connection
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.relname, pg_get_expr(c.relpartbound, c.oid)
            FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
            WHERE i.inhparent = %s::regclass ORDER BY c.relname
            """,
            [TABLE],
        )
        return list(cursor.fetchall())


def insert_readings(rows: Sequence[Row], connection: Any = None) -> int:
    """Inserts `rows`, skipping any (point_parameter, ts) already stored; returns how many
    went in (the rest are duplicates)."""
    connection = connection or default_connection
    if not rows:
        return 0
    cols = ", ".join(COLUMNS)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            ensure_partitions_of(rows, connection)
            cursor.execute(
                "CREATE TEMP TABLE IF NOT EXISTS monitoring_reading_in "
                f"(LIKE {TABLE} INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"
            )
            cursor.execute("TRUNCATE monitoring_reading_in")
            with cursor.copy(f"COPY monitoring_reading_in ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            cursor.execute(
                f"INSERT INTO {TABLE} ({cols}) SELECT {cols} FROM monitoring_reading_in "
                "ON CONFLICT (point_parameter_id, ts) DO NOTHING"
            )
            inserted = cursor.rowcount
            cursor.execute("TRUNCATE monitoring_reading_in")
            return inserted
        before = connection.connection.total_changes
        sql = f'INSERT OR IGNORE INTO "{TABLE}" ({cols}) VALUES (%s, %s, %s, %s, %s, %s, %s)'
        cursor.executemany(sql, [_sqlite_row(r) for r in rows])
        return connection.connection.total_changes - before


Minutes = dict[int, list[tuple[dt.datetime, Decimal | None, str]]]


def store_batch(rows: Sequence[Row], *, context: dt.timedelta) -> tuple[int, Minutes]:
    """Inserts the rows not already stored and returns (how many, the minutes of every
    touched hour plus `context` before it, per point-parameter, in time order).

    The stored minutes of the touched hours are read once, before the insert: they are needed
    to average the hours anyway, and they tell which rows are duplicates, so the new ones can
    go straight into the table by COPY. A concurrent writer that stores some of the same
    minutes in between makes the COPY fail on the primary key; then the batch falls back to
    INSERT ... ON CONFLICT DO NOTHING and reads the minutes again.
    """
    from django.db import IntegrityError, transaction

    if not rows:
        return 0, {}
    pp_ids = sorted({r[0] for r in rows})
    first = min(r[1] for r in rows).replace(minute=0)
    last = max(r[1] for r in rows).replace(minute=0) + dt.timedelta(hours=1)
    # Whole hours of context, so that an hour a flat line reaches back into can be recomputed.
    since = (first - context).replace(minute=0, second=0, microsecond=0)
    existing = fetch_minutes(pp_ids, since, last)
    have = {(pp, ts) for pp, ts, _v, _f in existing}
    new = [r for r in rows if (r[0], r[1]) not in have]
    try:
        with transaction.atomic():
            ensure_partitions_of(new)
            copy_readings(new)
    except IntegrityError:
        inserted = insert_readings(new)
        return inserted, _group(fetch_minutes(pp_ids, since, last))
    grouped = _group(existing)
    unsorted = set()
    for pp, ts, _value, _unit, std, flags, _batch in new:
        rows_of = grouped.setdefault(pp, [])
        if rows_of and rows_of[-1][0] >= ts:
            unsorted.add(pp)
        rows_of.append((ts, std, flags))
    for pp in unsorted:
        grouped[pp].sort(key=lambda m: m[0])
    return len(new), grouped


def store_new(rows: Iterable[Row], *, kept: list[Row]) -> int:
    """Inserts the rows not already stored and returns how many went in, without reading the
    stored minutes (the queued path: the averages are built later, by the batch's task).
    `rows` may be a generator that checks them as they go (times in UTC); every row it gives is
    also added to `kept`.

    The rows stream straight into the table by COPY, in a savepoint; a row already stored makes
    the COPY fail on the primary key, and then the batch goes in by INSERT ... ON CONFLICT DO
    NOTHING instead, which skips the stored ones (they count as duplicates). Rows of a month
    without its partition land in the default partition and move into the month's partition
    made right after the COPY."""
    from django.db import IntegrityError, transaction

    months: set[tuple[int, int]] = set()  # (year, month) of the rows, UTC

    def tee() -> Iterator[Row]:
        last = None
        for row in rows:
            kept.append(row)
            ts = row[1]
            key = (ts.year, ts.month)
            if key != last:
                months.add(key)
                last = key
            yield row

    try:
        with transaction.atomic():
            count = copy_readings(tee())
            ensure_month_partitions(months)
            return count
    except IntegrityError:
        kept.extend(rows)  # the rows the COPY had not reached yet
        return insert_readings(kept)


def _group(minutes: Iterable[tuple[int, dt.datetime, Decimal | None, str]]) -> Minutes:
    out: Minutes = {}
    for pp, ts, value, flags in minutes:
        out.setdefault(pp, []).append((ts, value, flags))
    return out


def copy_readings(rows: Iterable[Row], connection: Any = None) -> int:
    """Plain load straight into the table (seeding, the benchmark's baseline): no duplicate
    check, the caller guarantees the rows are new."""
    connection = connection or default_connection
    cols = ", ".join(COLUMNS)
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY bypasses Django's cursor wrapper: its errors (a key already stored) are
            # turned into Django's here, so callers can catch IntegrityError.
            with connection.wrap_database_errors:
                with cursor.copy(f"COPY {TABLE} ({cols}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                        count += 1
            return count
        sql = f'INSERT INTO "{TABLE}" ({cols}) VALUES (%s, %s, %s, %s, %s, %s, %s)'
        batch: list[tuple[Any, ...]] = []
        for row in rows:
            batch.append(_sqlite_row(row))
            if len(batch) == 5000:
                cursor.executemany(sql, batch)
                count += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


def _sqlite_row(row: Row) -> tuple[Any, ...]:
    pp, ts, value, unit, std, flags, batch = row
    return (
        pp,
        ts.astimezone(dt.UTC).replace(tzinfo=None).isoformat(sep=" "),
        str(value),
        unit,
        None if std is None else str(std),
        flags,
        batch,
    )


def fetch_minutes(
    pp_ids: Sequence[int], start: dt.datetime, end: dt.datetime, connection: Any = None
) -> list[tuple[int, dt.datetime, Decimal | None, str]]:
    """(point_parameter_id, ts, value_std, flags) in [start, end), ordered by pp and ts.

    Time comes back as epoch seconds and is rebuilt here: parsing a timestamp text per row
    costs ten times more, and a batch re-reads tens of thousands of minutes."""
    connection = connection or default_connection
    if not pp_ids:
        return []
    ids = [int(i) for i in pp_ids]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"SELECT point_parameter_id, extract(epoch FROM ts)::bigint, value_std, flags "
                f"FROM {TABLE} WHERE point_parameter_id = ANY(%s) AND ts >= %s AND ts < %s "
                "ORDER BY point_parameter_id, ts",
                [ids, start, end],
            )
            convert = _same
        else:
            marks = ", ".join(["%s"] * len(ids))
            cursor.execute(
                f"SELECT point_parameter_id, CAST(strftime('%%s', ts) AS INTEGER), value_std, "
                f'flags FROM "{TABLE}" WHERE point_parameter_id IN ({marks}) AND ts >= %s '
                "AND ts < %s ORDER BY point_parameter_id, ts",
                [*ids, _sqlite_ts(start), _sqlite_ts(end)],
            )
            convert = _to_decimal
        at = dt.datetime.fromtimestamp
        utc = dt.UTC
        return [
            (pp, at(epoch, utc), convert(v), flags) for pp, epoch, v, flags in cursor.fetchall()
        ]


def _same(value: Any) -> Any:
    return value


def _to_decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _sqlite_ts(ts: dt.datetime) -> str:
    return ts.astimezone(dt.UTC).replace(tzinfo=None).isoformat(sep=" ")


def drop_before(cutoff: dt.datetime, connection: Any = None) -> tuple[list[str], int]:
    """Removes minute readings older than `cutoff`: whole monthly partitions that end on or
    before it on PostgreSQL (rows of a partly kept month are deleted), rows on SQLite.
    Returns (dropped partitions, deleted rows)."""
    connection = connection or default_connection
    dropped: list[str] = []
    deleted = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for name, _bounds in partitions(connection):
                if name == f"{TABLE}_default":
                    continue
                year, month = int(name[-7:-3]), int(name[-2:])
                upper = next_month(dt.datetime(year, month, 1, tzinfo=dt.UTC))
                if upper <= cutoff:
                    cursor.execute(f"ALTER TABLE {TABLE} DETACH PARTITION {name}")
                    cursor.execute(f"DROP TABLE {name}")
                    dropped.append(name)
            cursor.execute(f"DELETE FROM {TABLE} WHERE ts < %s", [cutoff])
            deleted = cursor.rowcount
        else:
            cursor.execute(
                f'DELETE FROM "{TABLE}" WHERE ts < %s',
                [cutoff.astimezone(dt.UTC).replace(tzinfo=None).isoformat(sep=" ")],
            )
            deleted = cursor.rowcount
    return dropped, deleted
