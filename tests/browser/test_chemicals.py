"""The chemical risk map and a site's hazard explanation in a real browser: the public map draws
the area layer from the API (no tile server: Thailand's outline is the base), and an officer
reads a site's tier with its sums and worst-case zone drawn on the site's map."""

import os
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

CHLORINE = "7782-50-5"
AMMONIA = "7664-41-7"


@pytest.fixture
def stocked(transactional_db: Any, officer: Any, org_b: Any, factory_a: Any) -> Any:
    """The directory (a flush by an earlier browser test empties it), an upper-tier chlorine
    site in Rayong and a lower-tier ammonia store in Chon Buri, and the area layers."""
    from rongngan.chemicals import services
    from rongngan.chemicals.models import CatalogueLoad, Substance
    from rongngan.chemicals.reference import load_catalogue

    load_catalogue(Substance, CatalogueLoad)
    a = services.site_register(
        acting_user=officer, data={"kind": "factory", "factory": factory_a.pk}
    )
    b = services.site_register(
        acting_user=officer,
        data={
            "kind": "hazmat_storage",
            "name_th": "คลังแอมโมเนียชลบุรี",
            "province": "20",
            "district": "2001",
            "latitude": "13.36",
            "longitude": "100.98",
            "operator": org_b.pk,
        },
    )
    services.inventory_declare(
        acting_user=officer,
        site=a,
        year=2026,
        items=[{"cas": CHLORINE, "max_quantity": "30", "unit": "t", "largest_container": "1"}],
    )
    services.inventory_declare(
        acting_user=officer,
        site=b,
        year=2026,
        items=[{"cas": AMMONIA, "max_quantity": "60", "unit": "t", "largest_container": "10"}],
    )
    services.areas_recompute()
    return a, b


def _offline(page: Any, live: str) -> None:
    """Nothing but the live server: a map that reached for a tile or CDN would fail here."""

    def only_local(route: Any) -> None:
        if route.request.url.startswith(live):
            route.continue_()
        else:
            route.abort()

    page.route("**/*", only_local)


def test_the_public_map_draws_the_area_layer_and_the_upper_tier_site(
    live_server: Any, page: Any, stocked: Any
) -> None:
    from playwright.sync_api import expect

    live = live_server.url
    _offline(page, live)
    page.goto(f"{live}/chemicals/map/")
    the_map = page.locator("#risk-map")
    expect(the_map).to_have_attribute("data-state", "ready")
    expect(the_map).to_have_attribute("data-level", "province")
    expect(the_map).to_have_attribute("data-areas", "2")
    # the public sees the upper-tier site only (the API's rule, not the page's)
    expect(the_map).to_have_attribute("data-sites", "1")
    expect(page.locator("#risk-map canvas").first).to_be_visible()
    page.check("input[name=area-level][value='h3-7']")
    expect(the_map).to_have_attribute("data-level", "h3-7")
    expect(the_map).to_have_attribute("data-areas", "2")
    expect(page.locator("#legend")).to_be_visible()


def test_an_officer_reads_the_tier_explanation_on_a_site_page(
    live_server: Any, page: Any, stocked: Any, officer: Any
) -> None:
    from playwright.sync_api import expect

    _a, b = stocked
    live = live_server.url
    _offline(page, live)
    page.goto(f"{live}/accounts/login/")
    page.fill("#id_username", officer.username)
    page.fill("#id_password", PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()

    page.goto(f"{live}/chemicals/sites/{b.pk}/")
    expect(page.locator("#tier-result .tier-lower")).to_be_visible()
    lower = page.locator("table.sums-table[data-level='lower']")
    expect(lower.locator("tr.contribution").first).to_be_visible()
    expect(lower.locator("tr.sum-row")).to_have_count(3)
    expect(page.locator("#zone-radius")).to_be_visible()
    expect(page.locator("#site-map")).to_have_attribute("data-ready", "1")
    expect(page.locator("#site-map path.leaflet-interactive").first).to_be_attached()
    expect(page.locator("#rmp-crossed")).to_contain_text(AMMONIA)


def test_an_officer_lists_what_lies_inside_a_zone_on_the_map(
    live_server: Any, page: Any, stocked: Any, officer: Any
) -> None:
    from playwright.sync_api import expect

    from rongngan.chemicals import services

    _a, b = stocked
    services.receptor_layer_upload(
        acting_user=officer,
        name="โรงเรียน (synthetic)",
        content="name,kind,latitude,longitude\nโรงเรียนใกล้คลัง,school,13.365,100.98\n"
        "ชุมชนไกล,community,13.9,100.98\n",
        filename="r.csv",
    )
    live = live_server.url
    _offline(page, live)
    page.goto(f"{live}/accounts/login/")
    page.fill("#id_username", officer.username)
    page.fill("#id_password", PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()

    page.goto(f"{live}/chemicals/map/")
    expect(page.locator("#risk-map")).to_have_attribute("data-sites", "2")
    page.locator(f"#zone-list button[data-site='{b.pk}']").click()
    panel = page.locator("#zone-panel-body")
    expect(panel).to_have_attribute("data-site", str(b.pk))
    expect(panel).to_contain_text("โรงเรียนใกล้คลัง")
    expect(panel).not_to_contain_text("ชุมชนไกล")
    page.check("input[name=layer][value='receptors']")
    expect(page.locator("#risk-map")).to_have_attribute("data-receptors", "2")


def test_an_operator_declares_choosing_among_the_substances_a_name_matches(
    live_server: Any, page: Any, stocked: Any, operator_b: Any
) -> None:
    from playwright.sync_api import expect

    _a, b = stocked
    live = live_server.url
    _offline(page, live)
    page.goto(f"{live}/accounts/login/")
    page.fill("#id_username", operator_b.username)
    page.fill("#id_password", PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()

    page.goto(f"{live}/chemicals/sites/{b.pk}/declare/")
    page.fill("#id_items-1-substance", "LPG component")
    page.locator("#id_items-1-max_quantity").click()  # leaving the box looks the name up
    choices = page.locator("#lookup-items-1 input[type=radio]")
    expect(choices).to_have_count(3)
    page.check("#lookup-items-1 input[value='74-98-6']")
    page.fill("#id_items-1-max_quantity", "40")
    page.select_option("#id_items-1-unit", "t")
    page.locator("#declaration-form button[type=submit]:not([name])").click()
    expect(page.locator("#versions")).to_contain_text("v2")
    expect(page.locator("#inventory")).to_contain_text("74-98-6")
