"""A real browser walks one waste manifest from the generator, through its transporter, to the
processor: each party signs in, finds the manifest and takes the one step it may take."""

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


@pytest.fixture
def waste_reference(transactional_db: Any) -> None:
    """The List of Waste and the operations, as migration 0002 loads them.

    A browser test before this one may have flushed them; the browser conftest puts them back
    after each browser test, and this makes sure of them when this test runs first or alone.
    """
    from rongngan.waste.models import Operation, WasteCode
    from rongngan.waste.reference import load_reference

    if not WasteCode.objects.exists():
        load_reference(WasteCode, Operation)


def test_a_manifest_goes_from_generator_through_transporter_to_processor(
    waste_reference: Any,
    live_server: Any,
    browser: Any,
    operator_a: Any,
    factory_a: Any,
    officer: Any,
) -> None:
    import datetime as dt
    from decimal import Decimal

    from playwright.sync_api import expect

    from conftest import _user
    from rongngan.accounts.models import Organisation, Role
    from rongngan.registry.tests.factories import FactoryFactory, OperatorFactory
    from rongngan.waste import services
    from rongngan.waste.models import Manifest, Operation, ProcessorPermit, WasteCode

    processor_org = OperatorFactory(code="op-proc", name_th="บริษัท กำจัดกาก จำกัด")
    processor = FactoryFactory(operator=processor_org, name_th="โรงงานรีไซเคิลแบตเตอรี่")
    ProcessorPermit.objects.create(
        processor=processor,
        waste_code=WasteCode.objects.get(code="160601"),
        operation=Operation.objects.get(code="R4"),
        capacity_tonnes=Decimal(5000),
        valid_from=dt.date(2015, 1, 1),
    )
    processor_user = _user("processor_user", Role.OPERATOR, organisation=processor_org)
    carrier = Organisation.objects.create(
        code="tr-1", kind=Organisation.Kind.WASTE_TRANSPORTER, name_th="บริษัท ขนส่งกากปลอดภัย จำกัด"
    )
    driver = _user("driver_1", Role.OPERATOR, organisation=carrier)
    stream = services.stream_register(
        acting_user=operator_a,
        generator=factory_a,
        data={"waste_code": "16 06 01", "description": "แบตเตอรี่ใช้แล้ว", "expected_tonnes": "12"},
    )
    approval = services.approval_request(
        acting_user=operator_a,
        stream=stream,
        data={"processor": processor.pk, "operation": "R4", "quantity_tonnes": "12"},
    )
    services.approval_decide(acting_user=officer, approval=approval, approve=True)

    live = live_server.url
    blocked: list[str] = []

    def only_local(route: Any) -> None:
        if route.request.url.startswith(live):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    def party(user: Any) -> Any:
        """A browser context of its own for each party, signed in through the login page."""
        context = browser.new_context(locale="th-TH", timezone_id="Asia/Bangkok")
        page = context.new_page()
        page.set_default_timeout(8000)
        page.route("**/*", only_local)
        page.goto(f"{live}/accounts/login/?next=/waste/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", PASSWORD)
        page.locator("main button[type=submit]").click()
        page.wait_for_url(re.compile(r"/waste/$"))
        return context, page

    def status_of(page: Any) -> Any:
        return page.locator("#manifest-status .manifest-status")

    contexts = []
    try:
        # The generator fills in the manifest and signs the hand-over.
        context, page = party(operator_a)
        contexts.append(context)
        expect(page.locator("#site-nav a[href='/waste/']")).to_have_count(1)
        page.locator("main a.button[href$='/waste/manifests/new/']").click()
        page.wait_for_url(re.compile(r"/waste/manifests/new/$"))
        page.select_option("#id_approval", str(approval.pk))
        page.fill("#id_form-0-waste_code", "16 06 01*")
        page.fill("#id_form-0-quantity", "-2")
        page.select_option("#id_form-0-unit", "kg")
        page.check("#id_form-0-bulk")
        page.select_option("#id_transporter_1", str(carrier.pk))
        page.fill("#id_vehicle_1", "70-1234")
        page.locator("main button[type=submit]:not([name])").click()
        # A negative quantity: said at the field, nothing saved.
        expect(page.locator("#id_form-0-quantity")).to_have_attribute("aria-invalid", "true")
        expect(page.locator("#id_form-0-quantity_error")).to_be_visible()
        assert not Manifest.objects.exists()
        page.fill("#id_form-0-quantity", "850")
        page.locator("main button[type=submit]:not([name])").click()
        page.wait_for_url(re.compile(r"/waste/manifests/\d+/$"))
        m = Manifest.objects.get()
        expect(status_of(page)).to_have_class(re.compile("manifest-status-draft"))
        page.locator("#action-sign-handover button").click()
        page.wait_for_load_state("load")
        expect(status_of(page)).to_have_class(re.compile("manifest-status-scheduled"))
        expect(page.locator("#signatures .history-entry")).to_have_count(1)

        # The transporter finds it in its list and signs for taking it over.
        context, page = party(driver)
        contexts.append(context)
        page.locator(f"tr[data-manifest='{m.number}'] a").click()
        page.wait_for_url(re.compile(rf"/waste/manifests/{m.pk}/$"))
        expect(page.locator("#action-receive")).to_have_count(0)
        page.locator("#action-sign-pickup button").click()
        page.wait_for_load_state("load")
        expect(status_of(page)).to_have_class(re.compile("manifest-status-in_transit"))
        expect(page.locator("#action-sign-pickup")).to_have_count(0)

        # The processor records what arrived, refusing part of it, then the operation.
        context, page = party(processor_user)
        contexts.append(context)
        page.goto(f"{live}/waste/?view=processor")
        page.locator(f"tr[data-manifest='{m.number}'] a").click()
        page.wait_for_url(re.compile(rf"/waste/manifests/{m.pk}/$"))
        page.fill("#id_receive-l1_received_quantity", "850")
        page.select_option("#id_receive-l1_unit", "kg")
        page.fill("#id_receive-l1_refused_quantity", "50")
        page.locator("#action-receive button[type=submit]").click()
        page.wait_for_load_state("load")
        expect(status_of(page)).to_have_class(re.compile("manifest-status-partly_refused"))
        expect(page.locator("#lines tr[data-line='1'] .accepted")).to_have_text("800 kg")
        page.select_option("#id_process-operation", "R4")
        page.locator("#action-process button[type=submit]").click()
        page.wait_for_load_state("load")
        expect(status_of(page)).to_have_class(re.compile("manifest-status-processed"))
        expect(page.locator("#signatures .history-entry")).to_have_count(4)
        # Left: propose a correction, or send the refused part back to the generator.
        expect(page.locator("#actions form")).to_have_count(2)
        expect(page.locator("#action-return")).to_have_count(1)

        m.refresh_from_db()
        assert m.status == "processed" and m.final_operation_id == "R4"
        assert m.lines.get().accepted_kg == Decimal(800)
    finally:
        for context in contexts:
            context.close()
    assert blocked == []
