"""Headless Chromium for the browser smoke tests (Debian's /usr/bin/chromium, no download)."""

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# Playwright's sync API runs an event loop in this thread; Django's ORM calls made by the
# fixtures from the same thread would otherwise be refused as "async unsafe".
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(locale="th-TH", timezone_id="Asia/Bangkok")
    page = context.new_page()
    page.set_default_timeout(8000)
    try:
        yield page
    finally:
        context.close()


@pytest.fixture(autouse=True)
def audit_rows_cleared(request: pytest.FixtureRequest) -> Iterator[None]:
    """Lets the live-server tests' database flush pass the append-only audit guard.

    A transactional test ends with a flush, which the audit table's delete trigger refuses once
    a sign-in has written an entry. Requesting transactional_db first makes this teardown run
    before the flush: it empties the audit table with the guard lifted, then puts the guard back.
    """
    if "browser" not in request.keywords:
        yield
        return
    request.getfixturevalue("transactional_db")
    yield
    from django.db import connection

    from rongngan.core import audit_guard
    from rongngan.core.models import AuditEntry

    with connection.schema_editor() as editor:
        audit_guard.unguard(editor)
    AuditEntry.objects.all()._raw_delete(AuditEntry.objects.db)
    with connection.schema_editor() as editor:
        audit_guard.guard(editor)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    """After a browser test's flush, put back the reference data its migrations loaded.

    The flush empties every table, provinces, factory types, waste codes, the substance
    directory and the monitoring standards included; the tests
    after this one (in this process) expect them as the migrations left them.
    """
    result = yield
    # After the last test the test database is already gone: nothing to put back.
    if "browser" in item.keywords and nextitem is not None:
        from pytest_django.plugin import blocking_manager_key

        from rongngan.chemicals.models import CatalogueLoad, Substance
        from rongngan.chemicals.reference import load_catalogue as load_substances
        from rongngan.core.models import District, Province, Subdistrict
        from rongngan.core.reference import load_geography
        from rongngan.monitoring.models import LimitRule, Parameter, Standard
        from rongngan.monitoring.reference import load_catalogue as load_standards
        from rongngan.registry.models import FactoryType
        from rongngan.registry.reference import load_factory_types
        from rongngan.waste.models import Operation, WasteCode
        from rongngan.waste.reference import load_reference

        with item.config.stash[blocking_manager_key].unblock():
            if not Province.objects.exists():
                load_geography(Province, District, Subdistrict)
            if not FactoryType.objects.exists():
                load_factory_types(FactoryType)
            if not WasteCode.objects.exists():
                load_reference(WasteCode, Operation)
            if not Substance.objects.exists():
                load_substances(Substance, CatalogueLoad, force=True)
            if not Parameter.objects.exists():
                load_standards(Parameter, Standard, LimitRule)
    return result
