"""Factory import: the real import path against a plain bulk load of the same rows.

    .venv/bin/python bench/import_bench.py [--rows N] [--profile]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/rongngan_bench .venv/bin/python bench/...

Recreates the benchmark database (see _setup), writes the national CSV with `seed --write-csv`,
then times (b) a plain bulk_create of pre-built Factory objects (no validation, no word
segmentation, no audit) and, after truncating, (a) importer.import_file(dry_run=False). The
operators the rows name are created beforehand, untimed, so both runs write the same tables.
"""

import argparse
import cProfile
import csv
import datetime as dt
import io
import pstats
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _setup


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=140_000)
    parser.add_argument("--seed", type=int, default=2562)
    parser.add_argument("--profile", action="store_true", help="run the import under cProfile")
    args = parser.parse_args()

    _setup.start(fresh=True)
    from django.core.management import call_command
    from django.db import connection, transaction

    from rongngan.accounts.models import Organisation, Role, User
    from rongngan.registry import importer
    from rongngan.registry.models import Factory, FactoryType

    database = _setup.describe_database()
    csv_path = _setup.BENCH_DIR / f"national-{args.rows}-{args.seed}.csv"
    t0 = time.perf_counter()
    call_command(
        "seed",
        "--scale",
        "national",
        "--factories",
        str(args.rows),
        "--seed",
        str(args.seed),
        "--write-csv",
        str(csv_path),
        "--no-progress",
        stdout=io.StringIO(),
    )
    generate_s = time.perf_counter() - t0
    with csv_path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))

    user = User.objects.create_user(
        username="bench", role=Role.ADMIN, is_superuser=True, is_staff=True
    )
    operators = {}
    for r in rows:
        operators.setdefault(r["juristic_id"], r["operator_name"])
    Organisation.objects.bulk_create(
        [
            Organisation(
                code=f"op-{jid}", kind=Organisation.Kind.OPERATOR, name_th=name, juristic_id=jid
            )
            for jid, name in operators.items()
        ],
        batch_size=2000,
    )
    operator_ids = dict(Organisation.objects.values_list("juristic_id", "pk"))
    type_ids = dict(FactoryType.objects.values_list("code", "pk"))

    def num(text: str) -> Decimal | None:
        return Decimal(text) if text else None

    objects, type_lists = [], []
    for r in rows:
        objects.append(
            Factory(
                registration_no=r["registration_no"],
                name_th=r["name_th"],
                name_en=r["name_en"],
                juristic_id=r["juristic_id"],
                operator_id=operator_ids[r["juristic_id"]],
                primary_type_id=type_ids[r["primary_type"]],
                factory_class=int(r["factory_class"]),
                status=r["status"],
                address=r["address"],
                province_id=r["province"],
                district_id=r["district"],
                subdistrict_id=r["subdistrict"] or None,
                postcode=r["postcode"],
                latitude=num(r["latitude"]),
                longitude=num(r["longitude"]),
                horsepower=num(r["horsepower"]),
                workers=int(r["workers"]) if r["workers"] else None,
                capital=num(r["capital"]),
                licensed_on=dt.date.fromisoformat(r["licensed_on"]),
                started_on=dt.date.fromisoformat(r["started_on"]),
                in_industrial_estate=r["in_industrial_estate"] == "1",
                estate_name=r["estate_name"],
                contact_name=r["contact_name"],
                contact_phone=r["contact_phone"],
            )
        )
        type_lists.append([type_ids[c] for c in r["type_codes"].split(";")])
    through = Factory.types.through

    t0 = time.perf_counter()
    with transaction.atomic():
        Factory.objects.bulk_create(objects, batch_size=importer.BATCH)
        through.objects.bulk_create(
            [
                through(factory_id=f.pk, factorytype_id=t)
                for f, types in zip(objects, type_lists, strict=True)
                for t in types
            ],
            batch_size=importer.BATCH,
        )
    plain_s = time.perf_counter() - t0

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {through._meta.db_table}")
        cursor.execute(f"DELETE FROM {Factory._meta.db_table}")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM ANALYZE {Factory._meta.db_table}")

    profiler = cProfile.Profile() if args.profile else None
    t0 = time.perf_counter()
    with csv_path.open("rb") as stream:
        if profiler:
            profiler.enable()
        report = importer.import_file(
            acting_user=user, stream=stream, filename=csv_path.name, dry_run=False
        )
        if profiler:
            profiler.disable()
    import_s = time.perf_counter() - t0
    if not report.ok:
        for p in report.problems[:10]:
            print(p.as_dict(), file=sys.stderr)
        raise SystemExit(f"import refused: {report.problem_count} problems")
    assert Factory.objects.count() == len(rows)

    n = len(rows)
    plain_rate, import_rate = n / plain_s, n / import_s
    print(f"database     {database}")
    print(f"rows         {n:,}")
    print(f"generate CSV {generate_s:8.1f} s")
    print(f"plain load   {plain_s:8.1f} s  {plain_rate:10,.0f} rows/s")
    print(f"import       {import_s:8.1f} s  {import_rate:10,.0f} rows/s")
    print(f"ratio        {import_rate / plain_rate:8.3f}  (target >= 0.3)")
    if profiler:
        stats = pstats.Stats(profiler)
        stats.sort_stats("tottime").print_stats(20)
        stats.sort_stats("cumulative").print_stats(25)


if __name__ == "__main__":
    main()
