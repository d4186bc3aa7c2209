"""Latency of the action-plan KPI dashboard on a national-size register.

    .venv/bin/python bench/plan_dashboard_bench.py [--rows N] [--runs 100] [--fresh]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/rongngan_bench .venv/bin/python bench/...

Uses the benchmark database (see _setup), filled with `seed --scale national` when it holds fewer
than --rows factories (the seed also loads the shipped plan and binds its KPIs). Demo values for
the hand-measured KPIs and project progress are added once. Times the whole dashboard page
(every KPI of a fiscal year with its target, value, status and sparkline), the KPI API and the
budget page, as an officer and as the public, and the KPI computation alone.
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
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--year", type=int, default=2563)
    parser.add_argument("--fresh", action="store_true", help="recreate and seed the database")
    args = parser.parse_args()

    _setup.start(fresh=args.fresh)
    logging.getLogger("rongngan.request").setLevel(logging.WARNING)
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from rongngan.accounts.models import Role, User
    from rongngan.plan.loader import DEFAULT_PLAN_FILE, apply_bindings, load_plan
    from rongngan.plan.measure import kpi_results
    from rongngan.plan.models import KPI
    from rongngan.plan.seeding import seed_demo
    from rongngan.registry.models import Factory, Machine

    _setup.ensure_national(args.rows)
    system = User.objects.get(username="rongngan-seed")
    plan, _ = load_plan(DEFAULT_PLAN_FILE, actor=system)
    apply_bindings(actor=system)
    seed_demo(plan, system)
    officer, _ = User.objects.get_or_create(
        username="bench-officer", defaults={"role": Role.OFFICER}
    )
    bound = KPI.objects.filter(plan=plan).exclude(metric="").count()
    kpis = KPI.objects.filter(plan=plan).count()

    from rongngan.core.thai import fiscal_year_bounds

    year_end = fiscal_year_bounds(args.year)[1]

    def compute() -> None:
        kpi_results(plan, args.year, as_of=year_end)

    with CaptureQueriesContext(connection) as ctx:
        compute()
    compute_queries = len(ctx.captured_queries)
    staff, public = Client(HTTP_HOST="localhost"), Client(HTTP_HOST="localhost")
    staff.force_login(officer)

    def get(client: Client, path: str) -> Any:
        def run() -> None:
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)

        return run

    dash = f"/plan/{plan.code}/dashboard/?year={args.year}"
    cases = [
        ("kpi_results (all KPIs, year end)", compute),
        ("dashboard page, officer", get(staff, dash)),
        ("dashboard page, public (finished quarters)", get(public, dash)),
        (
            "API /api/v1/plan/kpis/ (officer)",
            get(staff, f"/api/v1/plan/kpis/?plan={plan.code}&year={args.year}"),
        ),
        ("budget page, officer", get(staff, f"/plan/{plan.code}/budget/?year={args.year}")),
    ]
    # The waste KPIs over the fiscal year that holds the national manifests (the last 365 days).
    from django.utils import timezone

    from rongngan.core import metrics
    from rongngan.core.thai import fiscal_quarter_bounds, fiscal_year

    current = fiscal_year(timezone.localdate())
    previous_year = [fiscal_quarter_bounds(current - 1, q) for q in (1, 2, 3, 4)]

    def waste_kpis() -> None:
        for key in (
            "waste.hazardous_tonnes_managed",
            "waste.nonhazardous_tonnes_managed",
            "waste.utilisation_rate",
        ):
            metrics.get(key).compute(previous_year)

    cases.append((f"waste KPI metrics, FY {current - 1} by quarter (3)", waste_kpis))
    with CaptureQueriesContext(connection) as ctx:
        get(staff, dash)()
    page_queries = len(ctx.captured_queries)
    reset_queries()
    results = [(label, _setup.summary(_setup.timed(fn, args.runs))) for label, fn in cases]
    print(
        f"database {_setup.describe_database()}, {Factory.objects.count():,} factories, "
        f"{Machine.objects.count():,} machines; plan {plan.code}: {kpis} KPIs ({bound} bound), "
        f"FY {args.year}; {args.runs} runs per case"
    )
    print(f"queries: kpi_results {compute_queries}, dashboard page {page_queries}")
    print(f"{'case':<46} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for label, (p50, p95, worst) in results:
        print(f"{label:<46} {p50:8.1f} {p95:8.1f} {worst:8.1f}")


if __name__ == "__main__":
    main()
