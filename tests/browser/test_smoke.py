"""A real browser walks the main path: sign in, search in Thai, open a factory, switch language."""

import os
import re
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


def test_officer_signs_in_searches_in_thai_opens_a_factory_and_switches_to_english(
    live_server: Any, page: Any, officer: Any, factory_a: Any
) -> None:
    from playwright.sync_api import expect

    blocked: list[str] = []
    live = live_server.url

    def only_local(route: Any) -> None:
        # Pages must work with no internet: refuse anything not served by the live server.
        if route.request.url.startswith(live):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    page.route("**/*", only_local)

    page.goto(f"{live}/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", "th")
    page.fill("#id_username", officer.username)
    page.fill("#id_password", PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(re.compile(r"/factories/$"))

    # "ซิเมนต์" sits in the middle of "บริษัท ปูนซิเมนต์ไทยระยอง จำกัด".
    page.fill("#id_q", "ซิเมนต์")
    page.locator("form.filters button[type=submit]").click()
    page.wait_for_url(re.compile(r"q=%E0%B8%8B"))
    result = page.locator("#results a", has_text=factory_a.name_th)
    expect(result).to_be_visible()

    result.click()
    page.wait_for_url(re.compile(rf"/factories/{factory_a.pk}/$"))
    expect(page.locator("h1")).to_have_text(factory_a.name_th)
    page.locator(".tab-link[data-tab=map]").click()
    expect(page.locator("#factory-map")).to_be_visible()
    expect(page.locator("#factory-map .leaflet-marker-icon")).to_have_count(1)

    page.locator(".lang-switch button[value=en]").click()
    page.wait_for_load_state("load")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#site-nav").get_by_role("link", name="Factories")).to_be_visible()
    page.reload()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#site-nav").get_by_role("link", name="Factories")).to_be_visible()

    assert blocked == []
