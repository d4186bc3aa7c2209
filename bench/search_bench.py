"""Search latency on a national-size register: queries.factory_search and the list API.

    .venv/bin/python bench/search_bench.py [--rows N] [--runs 200] [--fresh]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/rongngan_bench .venv/bin/python bench/...

Uses the benchmark database (see _setup). Unless it already holds at least --rows factories (e.g.
left by import_bench.py) or --fresh is given, it is recreated and filled with
`seed --scale national`. Each case runs --runs times after a short warm-up; a run of a query case
evaluates the first page ([:50]) and count(), as the list page does.
"""

import argparse
import logging
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _setup


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=140_000)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--fresh", action="store_true", help="recreate and seed the database")
    args = parser.parse_args()

    _setup.start(fresh=args.fresh)
    # One INFO line per request would drown the table.
    logging.getLogger("rongngan.request").setLevel(logging.WARNING)
    from django.test import Client

    from rongngan.accounts.models import Role, User
    from rongngan.registry import queries, seeding
    from rongngan.registry.models import Factory

    _setup.ensure_national(args.rows)
    officer, _ = User.objects.get_or_create(
        username="bench-officer", defaults={"role": Role.OFFICER}
    )
    total = Factory.objects.count()
    regno = Factory.objects.order_by("pk").values_list("registration_no", flat=True)[total // 2]
    rare = seeding.RARE_WORD[0]

    def search(params: dict[str, str]) -> Any:
        def run() -> tuple[int, int]:
            qs = queries.factory_search(officer, params)
            return len(list(qs[:50])), qs.count()

        return run

    cases: list[tuple[str, dict[str, str]]] = [
        ("q=อาหาร (common word)", {"q": "อาหาร"}),
        ("q=ไทย (very common word)", {"q": "ไทย"}),
        (f"q={rare} (rare word)", {"q": rare}),
        ("q=ไทย เคมีภัณฑ์ (two words)", {"q": "ไทย เคมีภัณฑ์"}),
        ("q=registration number", {"q": regno}),
        ("province=21 (Rayong)", {"province": "21"}),
        ("province=74 + q=อาหาร", {"province": "74", "q": "อาหาร"}),
    ]
    # Not a target case: a word found nowhere falls back to a substring match (trigram-indexed on
    # PostgreSQL where pg_trgm exists, a scan on SQLite); a few runs show its cost.
    slow_cases = [("q=zzzz (no match: fallback), 20 runs", {"q": "zzzz"})]
    client = Client(HTTP_HOST="localhost")
    client.force_login(officer)

    def api(path: str) -> Any:
        def run() -> None:
            response = client.get(path)
            assert response.status_code == 200, response.status_code

        return run

    results = []
    for label, params in cases:
        hits = search(params)()
        results.append((label, hits, _setup.summary(_setup.timed(search(params), args.runs))))
    for label, params in slow_cases:
        hits = search(params)()
        results.append((label, hits, _setup.summary(_setup.timed(search(params), 20))))
    for label, path in (
        ("API /api/v1/factories/", "/api/v1/factories/"),
        ("API /api/v1/factories/?q=อาหาร", "/api/v1/factories/?q=อาหาร"),
        ("API /api/v1/factories/?province=21", "/api/v1/factories/?province=21"),
    ):
        results.append((label, None, _setup.summary(_setup.timed(api(path), args.runs))))

    print(f"database {_setup.describe_database()}, {total:,} factories, {args.runs} runs per case")
    print(f"{'case':<42} {'page/count':>14} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for label, hits, (p50, p95, worst) in results:
        shown = f"{hits[0]}/{hits[1]}" if hits else ""
        print(f"{label:<42} {shown:>14} {p50:8.1f} {p95:8.1f} {worst:8.1f}")


if __name__ == "__main__":
    main()
