"""Shared set-up of the benchmarks: pick a database, make it fresh on request, start Django.

SQLite by default, in its own file under var/bench/ (never the development database); PostgreSQL
when DATABASE_URL names it. Recreating a PostgreSQL database is refused unless its name contains
"bench", so a mistyped URL cannot wipe real data.
"""

import os
import statistics
import sys
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "var" / "bench"
SQLITE_FILE = BENCH_DIR / "bench.sqlite3"


def configure() -> str:
    """Set the environment before Django is imported; returns the database URL."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rongngan.settings")
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{SQLITE_FILE}")
    return os.environ["DATABASE_URL"]


def recreate_database(url: str) -> None:
    parsed = urlparse(url)
    if parsed.scheme.startswith("sqlite"):
        path = Path(parsed.path if not parsed.path.startswith("//") else parsed.path[1:])
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    name = parsed.path.lstrip("/")
    if "bench" not in name:
        raise SystemExit(f"refusing to recreate database {name!r}: its name must contain 'bench'")
    import psycopg

    admin_url = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def create_missing_database(url: str) -> None:
    """A PostgreSQL bench database that does not exist yet (a new machine) is created empty."""
    parsed = urlparse(url)
    if parsed.scheme.startswith("sqlite"):
        return
    name = parsed.path.lstrip("/")
    import psycopg

    admin_url = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def start(*, fresh: bool) -> str:
    url = configure()
    if fresh:
        recreate_database(url)
    else:
        create_missing_database(url)
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)
    return url


def describe_database() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("select sqlite_version()")
            return f"SQLite {cursor.fetchone()[0]}"
        cursor.execute("show server_version")
        return f"PostgreSQL {cursor.fetchone()[0]}"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def summary(times_ms: list[float]) -> tuple[float, float, float]:
    return statistics.median(times_ms), percentile(times_ms, 0.95), max(times_ms)


WARMUP = 5


def timed(fn, runs: int) -> list[float]:
    """Milliseconds of `runs` calls of `fn`, after WARMUP untimed ones."""
    import time

    for _ in range(WARMUP):
        fn()
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def ensure_national(rows: int) -> None:
    """Makes the benchmark database hold `rows` factories from `seed --scale national`
    (recreating it when it holds fewer), then refreshes PostgreSQL's statistics."""
    import io
    import time

    from django.core.management import call_command
    from django.db import connection

    from rongngan.registry.models import Factory

    if Factory.objects.count() < rows:
        if Factory.objects.exists():
            connection.close()
            recreate_database(configure())
            call_command("migrate", verbosity=0, interactive=False)
        t0 = time.perf_counter()
        call_command(
            "seed",
            "--scale",
            "national",
            "--factories",
            str(rows),
            "--no-progress",
            stdout=io.StringIO(),
        )
        print(f"seeded {rows:,} factories in {time.perf_counter() - t0:.0f} s")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
