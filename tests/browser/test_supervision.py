"""A storage-site inspector scores the checklist in a real browser: the grade shown before
submitting follows the scores (HTMX), and the submitted inspection appears on the site's page."""

import datetime as dt
import os
import re
from pathlib import Path
from typing import Any

import pytest

from conftest import PASSWORD, _user

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    _reason = f"{CHROMIUM} is missing: install Debian's chromium package to run the browser tests"
    if os.environ.get("RONGNGAN_REQUIRE_BROWSER") == "1":
        pytest.fail(f"RONGNGAN_REQUIRE_BROWSER=1 but {_reason}", pytrace=False)
    pytest.skip(_reason, allow_module_level=True)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_inspector_sees_the_grade_change_while_scoring_and_submits(
    live_server: Any, page: Any, org_a: Any
) -> None:
    from playwright.sync_api import expect

    from rongngan.accounts.models import Role
    from rongngan.chemicals.models import StorageSite
    from rongngan.chemicals.supervision import services

    inspector = _user("rayong_inspector", Role.INSPECTOR, province_id="21")
    site = StorageSite.objects.create(
        code="HS-BR",
        kind="hazmat_storage",
        operator=org_a,
        name_th="คลังสารเคมีทดสอบเบราว์เซอร์",
        province_id="21",
        district_id="2101",
        latitude="12.7",
        longitude="101.2",
        registered_on=dt.date(2015, 1, 1),
    )
    items = services.current_checklist().items()
    live = live_server.url
    page.goto(f"{live}/accounts/login/")
    page.fill("#id_username", inspector.username)
    page.fill("#id_password", PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()

    page.goto(f"{live}/chemicals/supervision/new/?site={site.pk}")
    for item in items:
        page.check(f"input[name=score_{item['code']}][value='2']")
    expect(page.locator("#grade-preview .grade-above")).to_be_visible()
    page.check("input[name=score_D2][value='0']")  # a critical item not met
    expect(page.locator("#grade-preview .grade-within")).to_be_visible()
    expect(page.locator("#grade-preview")).to_contain_text("D2")
    page.fill("#visited_on", "2020-03-02")
    page.locator("#inspection-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/chemicals/supervision/inspections/\d+/$"))
    expect(page.locator("#inspection-grade .grade-within")).to_be_visible()

    page.goto(f"{live}/chemicals/supervision/sites/{site.pk}/")
    expect(page.locator("#history tbody tr")).to_have_count(1)
    expect(page.locator("#grade-trend")).to_be_visible()
