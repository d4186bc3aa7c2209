"""Manifest writes and reads on a national-size waste register (PostgreSQL).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/rongngan_bench \
        .venv/bin/python bench/waste_bench.py

Needs the benchmark database with the national seed and its million manifests (see
plan_dashboard_bench.py). Times, through the API with token-less session clients: creating a
manifest, the generator's signature, the transporter's, a generator's manifest list (API and
page), and the officers' waste dashboard.
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
    parser.add_argument("--runs", type=int, default=100)
    args = parser.parse_args()
    _setup.start(fresh=False)
    logging.getLogger("rongngan.request").setLevel(logging.WARNING)
    from django.test import Client

    from rongngan.accounts.models import Role, User
    from rongngan.waste.models import Approval, Manifest

    total = Manifest.objects.count()
    if total < 100_000:
        raise SystemExit("run plan_dashboard_bench.py first (national seed with manifests)")
    approval = (
        Approval.objects.filter(status="approved")
        .select_related("stream__generator", "processor")
        .order_by("pk")
        .first()
    )
    generator = approval.stream.generator
    from rongngan.accounts.models import Organisation

    transporter = Organisation.objects.filter(kind="waste_transporter").order_by("pk").first()

    def user(name: str, **fields: Any) -> User:
        u, _ = User.objects.get_or_create(username=name, defaults=fields)
        return u

    gen_user = user("bench-generator", role=Role.OPERATOR, organisation_id=generator.operator_id)
    tr_user = user("bench-transporter", role=Role.OPERATOR, organisation=transporter)
    officer = user("bench-officer", role=Role.OFFICER)
    gen, tr, off = (Client(HTTP_HOST="localhost") for _ in range(3))
    gen.force_login(gen_user)
    tr.force_login(tr_user)
    off.force_login(officer)
    body = {
        "approval": approval.pk,
        "lines": [
            {
                "waste_code": approval.stream.waste_code_id,
                "quantity": "1.25",
                "unit": "t",
                "bulk": True,
            }
        ],
        "transporters": [{"organisation": transporter.code, "vehicle": "70-0001"}],
    }
    created: list[int] = []

    def create() -> None:
        r = gen.post("/api/v1/waste/manifests/", body, content_type="application/json")
        assert r.status_code == 201, r.content
        created.append(r.json()["id"])

    def sign_as(client: Client, queue: list[int]) -> Any:
        def run() -> None:
            pk = queue.pop(0)
            r = client.post(
                f"/api/v1/waste/manifests/{pk}/sign/", {}, content_type="application/json"
            )
            assert r.status_code == 200, r.content

        return run

    def get(client: Client, path: str) -> Any:
        def run() -> None:
            r = client.get(path)
            assert r.status_code == 200, (path, r.status_code)

        return run

    def measure(fn: Any, runs: int) -> tuple[float, float, float]:
        return _setup.summary(_setup.timed(fn, runs))

    results = [("API create manifest", measure(create, args.runs))]
    to_sign = list(created)
    results.append(("API sign: generator", measure(sign_as(gen, to_sign), args.runs)))
    to_sign = list(created)
    results.append(("API sign: transporter", measure(sign_as(tr, to_sign), args.runs)))
    mine = Manifest.objects.filter(generator__operator_id=generator.operator_id).count()
    results.append(
        (
            f"API generator list ({mine:,} manifests)",
            _setup.summary(
                _setup.timed(get(gen, "/api/v1/waste/manifests/?view=generator"), args.runs)
            ),
        )
    )
    results.append(
        (
            "page /waste/?view=generator",
            measure(get(gen, "/waste/?view=generator"), args.runs),
        )
    )
    results.append(
        (
            "page /waste/dashboard/ (officer)",
            measure(get(off, "/waste/dashboard/"), 20),
        )
    )
    print(
        f"database {_setup.describe_database()}, {total:,} manifests; {args.runs} runs per case "
        f"(dashboard 20)"
    )
    print(f"{'case':<46} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for label, (p50, p95, worst) in results:
        print(f"{label:<46} {p50:8.1f} {p95:8.1f} {worst:8.1f}")


if __name__ == "__main__":
    main()
