"""A real browser opens the KPI dashboard and follows a computed KPI down to a factory."""

import os
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from conftest import PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    _reason = f"{CHROMIUM} is missing: install Debian's chromium package to run the browser tests"
    if os.environ.get("RONGNGAN_REQUIRE_BROWSER") == "1":
        pytest.fail(f"RONGNGAN_REQUIRE_BROWSER=1 but {_reason}", pytrace=False)
    pytest.skip(_reason, allow_module_level=True)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_officer_opens_the_dashboard_and_drills_down_a_kpi_to_its_factories(
    live_server: Any, page: Any, officer: Any, factory_a: Any
) -> None:
    from playwright.sync_api import expect

    from rongngan.plan.loader import load_plan
    from rongngan.plan.models import KPI
    from rongngan.plan.tests.conftest import MINI_PLAN
    from rongngan.registry.tests.factories import MachineFactory

    plan, _ = load_plan(MINI_PLAN)
    KPI.objects.filter(plan=plan, code="K1.1").update(
        metric="registry.factories_with_machines_registered"
    )
    MachineFactory(factory=factory_a, registered_on=date(2020, 2, 14))

    live = live_server.url
    blocked: list[str] = []

    def only_local(route: Any) -> None:
        if route.request.url.startswith(live):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    page.route("**/*", only_local)
    page.goto(f"{live}/accounts/login/?next=/plan/{plan.code}/dashboard/%3Fyear%3D2563")
    page.fill("#id_username", officer.username)
    page.fill("#id_password", PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(re.compile(r"/dashboard/\?year=2563$"))

    row = page.locator("tr[data-kpi='K1.1']")
    expect(row.locator(".kpi-actual")).to_have_text("1")
    expect(row.locator(".kpi-status")).to_have_class(re.compile("kpi-status-off_track"))
    # Chart.js (vendored) drew the status doughnut and the sparkline.
    assert page.evaluate("typeof Chart") == "function"
    assert page.evaluate("Chart.getChart(document.getElementById('status-chart')) !== undefined")
    sparkline = row.locator("canvas.sparkline")
    assert page.evaluate("(c) => Chart.getChart(c) !== undefined", sparkline.element_handle())

    row.locator("a.drill").click()
    page.wait_for_url(re.compile(r"/kpis/\d+/records/"))
    link = page.locator("#drill-records a", has_text=factory_a.name_th)
    expect(link).to_be_visible()
    link.click()
    page.wait_for_url(re.compile(rf"/factories/{factory_a.pk}/$"))
    expect(page.locator("h1")).to_have_text(factory_a.name_th)
    assert blocked == []
