"""A real browser watches the province dashboard while a factory's analyser posts an hour over
the hourly limit through the API: after the refresh the point is in exceedance."""

import datetime as dt
import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings

from conftest import PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    _reason = f"{CHROMIUM} is missing: install Debian's chromium package to run the browser tests"
    if os.environ.get("RONGNGAN_REQUIRE_BROWSER") == "1":
        pytest.fail(f"RONGNGAN_REQUIRE_BROWSER=1 but {_reason}", pytrace=False)
    pytest.skip(_reason, allow_module_level=True)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def monitoring_catalogue(transactional_db: Any) -> None:
    """The parameters and standards as migration 0002 loads them (a browser test before this
    one may have flushed them)."""
    from rongngan.monitoring.models import LimitRule, Parameter, Standard
    from rongngan.monitoring.reference import load_catalogue

    if not Parameter.objects.exists():
        load_catalogue(Parameter, Standard, LimitRule)


@override_settings(MONITORING_INGEST_PROCESSING="queue")
def test_an_exceedance_posted_through_the_api_appears_on_the_province_dashboard(
    monitoring_catalogue: Any,
    live_server: Any,
    browser: Any,
    officer: Any,
    provincial_officer: Any,
    operator_a: Any,
    factory_a: Any,
) -> None:
    from django.utils import timezone
    from playwright.sync_api import expect
    from rest_framework.authtoken.models import Token

    from rongngan.monitoring import services

    point = services.point_define(
        acting_user=officer,
        factory=factory_a,
        data={
            "code": "A-STACK-1",
            "name": "Boiler stack 1",
            "kind": "stack",
            "method": "continuous",
        },
    )
    services.point_parameter_set(
        acting_user=officer,
        point=point,
        parameter="so2",
        data={
            "effective_from": "2026-01-01",
            "limits": [{"averaging": "hour", "value": "100", "unit": "ppm"}],
        },
    )
    token = Token.objects.create(user=operator_a)
    live = live_server.url

    def only_local(route: Any) -> None:
        if route.request.url.startswith(live):
            route.continue_()
        else:
            route.abort()

    context = browser.new_context(locale="th-TH", timezone_id="Asia/Bangkok")
    api = browser.new_context()
    try:
        page = context.new_page()
        page.set_default_timeout(8000)
        page.route("**/*", only_local)
        page.goto(f"{live}/accounts/login/?next=/monitoring/")
        page.fill("#id_username", provincial_officer.username)
        page.fill("#id_password", PASSWORD)
        page.locator("main button[type=submit]").click()
        page.wait_for_url(re.compile(r"/monitoring/now/$"))

        # Nothing exceeds yet: the point has sent nothing and is silent.
        expect(page.locator('[data-count="exceedance"]')).to_have_text("0")
        expect(page.locator('#now-silent tr[data-point="A-STACK-1"]')).to_be_visible()
        expect(page.locator("#now-exceedance")).to_have_count(0)

        # The analyser posts the last full hour at 150 ppm against the hourly limit of 100.
        hour = timezone.now().replace(minute=0, second=0, microsecond=0) - dt.timedelta(hours=1)
        bangkok = dt.timezone(dt.timedelta(hours=7))
        rows = [
            {
                "point": "A-STACK-1",
                "parameter": "so2",
                "ts": (hour + dt.timedelta(minutes=i)).astimezone(bangkok).isoformat(),
                "value": "150",
                "unit": "ppm",
            }
            for i in range(60)
        ]
        headers = {
            "Authorization": f"Token {token.key}",
            "Idempotency-Key": "analyser-1-batch-1",
            "Content-Type": "application/json",
        }
        body = json.dumps({"rows": rows})
        first = api.request.post(f"{live}/api/v1/monitoring/readings/", headers=headers, data=body)
        assert first.status == 201, first.text()
        # Stored in the request; averaged and judged by the batch's task after the commit
        # (the production path; the test's task backend runs it at once).
        assert first.json()["accepted"] == 60 and first.json()["processed"] is False
        batch = api.request.get(
            f"{live}/api/v1/monitoring/batches/{first.json()['batch']}/",
            headers={"Authorization": f"Token {token.key}"},
        ).json()
        assert batch["processed"] is True and len(batch["events_opened"]) == 1
        # A retry with the same key returns the first result and stores nothing more.
        retry = api.request.post(f"{live}/api/v1/monitoring/readings/", headers=headers, data=body)
        assert retry.ok and retry.json()["batch"] == first.json()["batch"]
        from rongngan.monitoring.models import IngestBatch, Reading

        assert Reading.objects.count() == 60 and IngestBatch.objects.count() == 1

        # The dashboard refreshes itself every minute; the officer need not wait for it.
        page.locator("#refresh-now").click()
        row = page.locator('#now-exceedance tr[data-point="A-STACK-1"]')
        expect(row).to_be_visible()
        expect(row).to_have_attribute("data-state", "exceedance")
        expect(page.locator('[data-count="exceedance"]')).to_have_text("1")

        # From the dashboard to the point's open event and its evidence.
        row.locator("td.num a").click()
        page.locator("#events a").first.click()
        expect(page.locator("#evidence")).to_contain_text("150")
    finally:
        api.close()
        context.close()
