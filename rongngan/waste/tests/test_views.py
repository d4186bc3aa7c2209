"""The waste pages: the public processor listing, a manifest walked through the pages by its four
parties, who may do what, errors at their fields, approvals and the officers' dashboard."""

import datetime as dt
import re
from decimal import Decimal as D
from typing import Any

import pytest
from django.urls import reverse

from rongngan.registry.tests.factories import FactoryFactory, OperatorFactory
from rongngan.waste import services
from rongngan.waste.models import Approval, Manifest, ProcessorPermit, Signature
from rongngan.waste.tests.conftest import code, op

NEW = reverse("waste:manifest_create")


def url(name: str, m: Any, *args: Any) -> str:
    return reverse(f"waste:{name}", args=[m.pk, *args])


def body(response: Any) -> str:
    return response.content.decode()


def error_of(html: str, field_id: str) -> str:
    """The text of the error list Django renders for one field (id="<field>_error")."""
    m = re.search(rf'<ul class="errorlist" id="{re.escape(field_id)}_error">(.*?)</ul>', html, re.S)
    return re.sub(r"<[^>]+>", " ", m.group(1)).strip() if m else ""


def manifest_post(approval: Approval, transporters: list[Any], **line1: Any) -> dict[str, Any]:
    first = {
        "waste_code": "16 06 01*",
        "quantity": "1.2",
        "unit": "t",
        "bulk": "on",
        "container_type": "",
        "container_count": "",
    }
    first.update(line1)
    data = {
        "approval": str(approval.pk),
        "form-TOTAL_FORMS": "3",
        "form-INITIAL_FORMS": "0",
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "20",
        "form-1-waste_code": "160601",
        "form-1-quantity": "40",
        "form-1-unit": "kg",
        "form-1-container_type": "ถัง 200 ลิตร",
        "form-1-container_count": "2",
        "form-2-unit": "kg",
        "transporter_1": str(transporters[0].pk),
        "vehicle_1": "70-1234",
        "transporter_2": str(transporters[1].pk),
        "transporter_3": "",
    }
    for k, v in first.items():
        if k == "bulk" and not v:
            continue
        data[f"form-0-{k}"] = v
    return data


# --------------------------------------------------------------------------------------------
# The public listing


@pytest.fixture
def oil_only(db: Any) -> Any:
    """A processor permitted for waste oil only: not a place for lead batteries."""
    f = FactoryFactory(operator=OperatorFactory(code="op-oil"), name_th="โรงงานกลั่นน้ำมันใช้แล้ว")
    ProcessorPermit.objects.create(
        processor=f,
        waste_code=code("130205"),
        operation=op("R9"),
        capacity_tonnes=D(800),
        valid_from=dt.date(2015, 1, 1),
    )
    return f


def test_the_public_lists_processors_and_filters_by_a_code_written_any_way(
    client, processor, oil_only
):
    page = body(client.get(reverse("waste:processor_list")))
    assert processor.name_th in page and oil_only.name_th in page
    assert reverse("registry:factory_detail", args=[processor.pk]) in page
    assert "16 06 01" in page and "R4" in page and "13 02 05" in page

    response = client.get(reverse("waste:processor_list"), {"code": "16 06 01*"})
    assert response.status_code == 200
    page = body(response)
    assert processor.name_th in page and oil_only.name_th not in page
    assert "16 06 01" in page

    response = client.get(reverse("waste:processor_list"), {"code": "160601", "operation": "D9"})
    assert processor.name_th in body(response)
    response = client.get(reverse("waste:processor_list"), {"code": "160601", "operation": "R9"})
    assert processor.name_th not in body(response)
    response = client.get(reverse("waste:processor_list"), {"province": "20"})
    assert processor.name_th not in body(response)


def test_a_processor_is_linked_only_for_users_who_may_open_its_factory_page(
    client, processor, operator_a
):
    """An operator reads only its own organisation's factories (404 otherwise): the listing
    names other processors without a link that would lead to a 404."""
    link = reverse("registry:factory_detail", args=[processor.pk])
    client.force_login(operator_a)
    page = body(client.get(reverse("waste:processor_list")))
    assert processor.name_th in page and link not in page
    assert client.get(link).status_code == 404
    client.force_login(_member(processor))
    assert link in body(client.get(reverse("waste:processor_list")))


def _member(factory):
    from rongngan.accounts.models import Role, User

    return User.objects.create_user(
        username="processor-staff", role=Role.OPERATOR, organisation=factory.operator
    )


def test_a_malformed_code_is_said_plainly_on_the_processor_listing(client, processor):
    response = client.get(reverse("waste:processor_list"), {"code": "16 06"})
    assert response.status_code == 400
    page = body(response)
    assert "16 06" in error_of(page, "id_code")
    assert processor.name_th not in page


def test_the_listing_shows_this_years_received_tonnes_and_the_assessment(
    client, processor, draft, operator_a, driver_1, driver_2, processor_user
):
    from rongngan.waste.models import ProcessorAssessment

    for u in (operator_a, driver_1, driver_2):
        draft = services.manifest_sign(acting_user=u, manifest=draft)
    services.manifest_receive(
        acting_user=processor_user,
        manifest=draft,
        data={
            "lines": [
                {"number": 1, "received_quantity": "1200"},
                {"number": 2, "received_quantity": "40", "received_containers": 2},
            ]
        },
    )
    ProcessorAssessment.objects.create(
        processor=processor, year=2568, mark="gold", assessed_on=dt.date(2025, 8, 1)
    )
    page = body(client.get(reverse("waste:processor_list")))
    row = page[page.index(f'data-processor="{processor.pk}"') :]
    row = row[: row.index("</tr>")]
    assert "1.240" in row and "assessment-gold" in row and "2568" in row


# --------------------------------------------------------------------------------------------
# A manifest through the pages


def sign(client: Any, user: Any, m: Manifest) -> Any:
    client.force_login(user)
    return client.post(url("manifest_sign", m))


def test_a_manifest_walks_through_the_pages_from_generator_to_processor(
    client, approval, transporters, operator_a, driver_1, driver_2, processor_user
):
    client.force_login(operator_a)
    form = body(client.get(NEW))
    assert f'value="{approval.pk}"' in form and "ขนส่ง 1" in form

    response = client.post(NEW, manifest_post(approval, transporters))
    m = Manifest.objects.get()
    assert response.status_code == 302 and response.url == url("manifest_detail", m)
    assert m.status == "draft" and m.lines.count() == 2
    assert [t.transporter for t in m.transporters.order_by("order")] == transporters
    assert m.transporters.get(order=1).vehicle == "70-1234"
    page = body(client.get(url("manifest_detail", m)))
    assert "Sign hand-over" in page or "ลงนามส่งมอบ" in page
    assert 'id="action-delete"' in page and 'id="action-receive"' not in page

    assert sign(client, operator_a, m).status_code == 302
    m.refresh_from_db()
    assert m.status == "scheduled" and m.version == 1

    # The first transporter's page offers it the pick-up; the second's does not yet.
    client.force_login(driver_2)
    assert 'id="action-sign-pickup"' not in body(client.get(url("manifest_detail", m)))
    client.force_login(driver_1)
    assert 'id="action-sign-pickup"' in body(client.get(url("manifest_detail", m)))
    assert sign(client, driver_1, m).status_code == 302
    m.refresh_from_db()
    assert m.status == "in_transit" and m.shipped_at is not None

    assert sign(client, driver_2, m).status_code == 302
    m.refresh_from_db()
    assert m.status == "in_transit"
    assert m.signatures.filter(step=Signature.Step.TRANSPORTER).count() == 2

    client.force_login(processor_user)
    page = body(client.get(url("manifest_detail", m)))
    assert 'id="action-receive"' in page and 'id="action-process"' not in page
    response = client.post(
        url("manifest_receive", m),
        {
            "receive-l1_received_quantity": "1.2",
            "receive-l1_unit": "t",
            "receive-l1_refused_quantity": "0.2",
            "receive-l2_received_quantity": "40",
            "receive-l2_unit": "kg",
            "receive-l2_refused_quantity": "0",
            "receive-l2_received_containers": "2",
        },
    )
    assert response.status_code == 302
    m.refresh_from_db()
    assert m.status == "partly_refused" and not m.discrepancy
    line = m.lines.get(number=1)
    assert (line.received_kg, line.accepted_kg, line.refused_kg) == (D(1200), D(1000), D(200))

    page = body(client.get(url("manifest_detail", m)))
    assert 'id="action-process"' in page and 'id="action-receive"' not in page
    assert "200 kg" in page and "1,000 kg" in page and "1,200 kg" in page
    response = client.post(url("manifest_process", m), {"process-operation": "R4"})
    assert response.status_code == 302
    m.refresh_from_db()
    assert m.status == "processed" and m.final_operation_id == "R4"

    # The generator now sees the refused part may go on; the timeline holds five signatures.
    client.force_login(operator_a)
    page = body(client.get(url("manifest_detail", m)))
    assert 'id="action-reroute"' in page and 'id="action-sign-handover"' not in page
    assert page.count('class="history-entry"') == 5


def test_a_party_out_of_turn_is_told_why_and_nothing_changes(
    client, draft, operator_a, driver_1, driver_2, processor_user
):
    early = sign(client, driver_1, draft)  # the generator signs first
    assert early.status_code == 400 and 'role="alert"' in body(early)
    assert sign(client, operator_a, draft).status_code == 302
    assert sign(client, driver_2, draft).status_code == 400  # transporter 1 first
    client.force_login(operator_a)
    response = client.post(url("manifest_receive", draft), {"receive-l1_received_quantity": "1"})
    assert response.status_code == 403
    assert client.post(url("manifest_delete", draft)).status_code == 400  # signed: no delete
    draft.refresh_from_db()
    assert draft.status == "scheduled"
    assert draft.signatures.count() == 1


def test_an_unrelated_operator_cannot_see_a_manifest(client, draft, operator_b):
    client.force_login(operator_b)
    assert client.get(url("manifest_detail", draft)).status_code == 404
    assert client.post(url("manifest_sign", draft)).status_code == 404
    assert draft.number not in body(client.get(reverse("waste:manifest_list")))


def test_the_public_is_sent_to_sign_in(client, draft):
    response = client.get(url("manifest_detail", draft))
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_form_errors_show_at_their_field_and_nothing_is_written(
    client, approval, transporters, operator_a
):
    client.force_login(operator_a)
    data = manifest_post(approval, transporters, quantity="-1")
    data["transporter_2"] = "no-such-company"
    data["transporter_3"] = ""
    response = client.post(NEW, data)
    assert response.status_code == 400
    page = body(response)
    assert error_of(page, "id_form-0-quantity")  # "Cannot be below zero." in Thai or English
    assert 'aria-invalid="true"' in page
    assert "no-such-company" in error_of(page, "id_transporter_2")
    assert not error_of(page, "id_form-1-quantity")
    assert 'value="-1"' in page  # input is shown again
    assert not Manifest.objects.exists()


def test_a_warning_is_shown_after_saving(client, approval, transporters, operator_a):
    client.force_login(operator_a)
    response = client.post(NEW, manifest_post(approval, transporters, quantity="5"), follow=True)
    assert response.status_code == 200
    assert "message-warning" in body(response)
    assert Manifest.objects.count() == 1


def test_a_receipt_error_shows_at_the_line_and_nothing_is_written(
    client, draft, operator_a, driver_1, driver_2, processor_user
):
    for u in (operator_a, driver_1, driver_2):
        draft = services.manifest_sign(acting_user=u, manifest=draft)
    client.force_login(processor_user)
    response = client.post(
        url("manifest_receive", draft),
        {
            "receive-l1_received_quantity": "1",
            "receive-l1_unit": "t",
            "receive-l1_refused_quantity": "2",
            "receive-l2_received_quantity": "40",
            "receive-l2_unit": "kg",
        },
    )
    assert response.status_code == 400
    page = body(response)
    assert error_of(page, "id_receive-l1_refused_quantity")
    assert 'value="2"' in page
    draft.refresh_from_db()
    assert draft.status == "in_transit" and draft.received_at is None


def test_a_correction_is_proposed_by_one_party_and_applied_by_another(
    client, draft, operator_a, driver_1
):
    services.manifest_sign(acting_user=operator_a, manifest=draft)
    client.force_login(driver_1)
    response = client.post(
        url("correction_open", draft),
        {
            "correct-line": "1",
            "correct-field": "quantity",
            "correct-value": "1.15",
            "correct-reason": "น้ำหนักชั่งจริง",
        },
    )
    assert response.status_code == 302
    correction = draft.corrections.get()
    client.force_login(operator_a)
    page = body(client.get(url("manifest_detail", draft)))
    assert 'id="action-apply"' in page and 'id="action-correct"' not in page
    response = client.post(url("correction_apply", draft, correction.pk))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.version == 2
    page = body(client.get(url("manifest_detail", draft)))
    assert "lines.1.quantity" in page and "น้ำหนักชั่งจริง" in page


def test_the_manifest_list_filters_by_role_and_status(
    client, draft, operator_a, driver_1, processor_user
):
    client.force_login(operator_a)
    page = body(client.get(reverse("waste:manifest_list")))
    assert draft.number in page and reverse("waste:manifest_create") in page
    assert draft.number in body(client.get(reverse("waste:manifest_list"), {"view": "generator"}))
    assert draft.number not in body(
        client.get(reverse("waste:manifest_list"), {"view": "processor"})
    )
    assert draft.number not in body(
        client.get(reverse("waste:manifest_list"), {"status": "in_transit"})
    )
    client.force_login(processor_user)
    assert draft.number in body(client.get(reverse("waste:manifest_list"), {"view": "processor"}))


# --------------------------------------------------------------------------------------------
# Streams and approvals


def test_a_generator_registers_a_stream_and_asks_for_approval(
    client, operator_a, factory_a, processor
):
    client.force_login(operator_a)
    response = client.post(
        reverse("waste:streams"),
        {
            "action": "stream",
            "stream-generator": str(factory_a.pk),
            "stream-waste_code": "16 06 01",
            "stream-description": "แบตเตอรี่ใช้แล้ว",
            "stream-expected_tonnes": "-3",
        },
    )
    assert response.status_code == 400
    assert error_of(body(response), "id_stream-expected_tonnes")
    response = client.post(
        reverse("waste:streams"),
        {
            "action": "stream",
            "stream-generator": str(factory_a.pk),
            "stream-waste_code": "16 06 01",
            "stream-description": "แบตเตอรี่ใช้แล้ว",
            "stream-expected_tonnes": "12",
        },
    )
    assert response.status_code == 302
    stream = factory_a.waste_streams.get()
    assert stream.hazardous
    response = client.post(
        reverse("waste:streams"),
        {
            "action": "request",
            "request-stream": str(stream.pk),
            "request-processor": str(processor.pk),
            "request-operation": "R4",
            "request-quantity_tonnes": "12",
        },
    )
    assert response.status_code == 302
    assert Approval.objects.get().status == "requested"


def test_an_officer_approves_a_request_on_the_streams_page(
    client, battery_stream, processor, operator_a, provincial_officer
):
    a = services.approval_request(
        acting_user=operator_a,
        stream=battery_stream,
        data={"processor": processor.pk, "operation": "R4", "quantity_tonnes": "12"},
    )
    client.force_login(provincial_officer)
    page = body(client.get(reverse("waste:streams")))
    assert f'data-approval="{a.pk}"' in page
    assert reverse("waste:approval_decide", args=[a.pk]) in page
    # Refusing needs a reason: nothing changes without one.
    client.post(reverse("waste:approval_decide", args=[a.pk]), {"decision": "refuse"})
    a.refresh_from_db()
    assert a.status == "requested"
    response = client.post(reverse("waste:approval_decide", args=[a.pk]), {"decision": "approve"})
    assert response.status_code == 302
    a.refresh_from_db()
    assert a.status == "approved" and a.decided_by == provincial_officer


def test_a_generator_cannot_decide_its_own_request(client, battery_stream, processor, operator_a):
    a = services.approval_request(
        acting_user=operator_a,
        stream=battery_stream,
        data={"processor": processor.pk, "operation": "R4", "quantity_tonnes": "12"},
    )
    client.force_login(operator_a)
    response = client.post(reverse("waste:approval_decide", args=[a.pk]), {"decision": "approve"})
    assert response.status_code == 403
    a.refresh_from_db()
    assert a.status == "requested"


# --------------------------------------------------------------------------------------------
# Dashboard


def test_the_dashboard_shows_the_tonnes_received(
    client, draft, operator_a, driver_1, driver_2, processor_user, officer
):
    for u in (operator_a, driver_1, driver_2):
        draft = services.manifest_sign(acting_user=u, manifest=draft)
    services.manifest_receive(
        acting_user=processor_user,
        manifest=draft,
        data={
            "lines": [
                {"number": 1, "received_quantity": "1200", "refused_quantity": "200"},
                {"number": 2, "received_quantity": "40", "received_containers": 2},
            ]
        },
    )
    services.manifest_process(acting_user=processor_user, manifest=draft, data={"operation": "R4"})
    client.force_login(officer)
    response = client.get(reverse("waste:dashboard"))
    assert response.status_code == 200
    page = body(response)
    stats = page[page.index('id="received-stats"') :]
    stats = stats[: stats.index("</dl>")]
    assert re.search(r'class="hazardous">1\.040 ', stats)
    assert re.search(r'class="total">1\.040 ', stats)
    assert 'data-metric="waste.hazardous_tonnes_managed"' in page
    metric_row = page[page.index('data-metric="waste.hazardous_tonnes_managed"') :]
    assert "1.04" in metric_row[: metric_row.index("</tr>")]
    assert "waste-province-chart" in page
    assert 'class="shipped">1<' in stats
    assert 'id="open-alerts"' in page
    codes = client.get(reverse("waste:dashboard_codes"))
    assert codes.status_code == 200
    row = body(codes)[body(codes).index('data-code="160601"') :]
    assert "1.04" in row[: row.index("</tr>")]
    ProcessorPermit.objects.filter(waste_code="160601", operation="R4").update(
        capacity_tonnes=D("1.1")
    )
    near = body(client.get(reverse("waste:dashboard_capacity")))
    near = near[near.index('id="near-capacity"') :]
    assert "16 06 01" in near[: near.index("</table>")]


def test_the_dashboard_is_for_officers_only(client, operator_a, committee):
    client.force_login(operator_a)
    assert client.get(reverse("waste:dashboard")).status_code == 403
    assert client.get(reverse("waste:dashboard_codes")).status_code == 403
    assert client.get(reverse("waste:dashboard_capacity")).status_code == 403
    client.force_login(committee)
    assert client.get(reverse("waste:dashboard")).status_code == 200


def test_a_transporter_carrying_two_legs_sees_the_declared_quantity_once(
    client, approval, operator_a, transporters, driver_1
):
    m = services.manifest_create(
        acting_user=operator_a,
        data={
            "approval": approval.pk,
            "lines": [{"waste_code": "160601", "quantity": "1.24", "unit": "t", "bulk": True}],
            "transporters": [transporters[0].code, transporters[0].code],
        },
    ).obj
    client.force_login(driver_1)
    page = body(client.get(reverse("waste:manifest_list"), {"view": "transporter"}))
    row = page[page.index(f'data-manifest="{m.number}"') :]
    assert "1.240 t" in row[: row.index("</tr>")]


def test_a_step_no_longer_open_is_refused_with_the_reason_on_the_page(
    client, draft, operator_a, driver_1, driver_2
):
    services.manifest_sign(acting_user=operator_a, manifest=draft)
    services.manifest_sign(acting_user=driver_1, manifest=draft)
    assert sign(client, driver_2, draft).status_code == 302
    response = sign(client, driver_2, draft)  # signed already; nothing left to sign
    assert response.status_code == 400
    assert 'role="alert"' in body(response)
    assert draft.signatures.count() == 3


def test_the_streams_page_advises_recovery_first_and_shows_the_landfill_share(
    client,
    operator_a,
    battery_stream,
    processor,
    approval,
    draft,
    driver_1,
    driver_2,
    processor_user,
):
    from rongngan.waste import services

    m = draft
    for u in (operator_a, driver_1, driver_2):
        m = services.manifest_sign(acting_user=u, manifest=m)
    m = services.manifest_receive(
        acting_user=processor_user,
        manifest=m,
        data={
            "lines": [
                {"number": 1, "received_quantity": "1200"},
                {"number": 2, "received_quantity": "40", "received_containers": 2},
            ]
        },
    ).obj
    services.manifest_process(acting_user=processor_user, manifest=m, data={"operation": "D9"})
    client.force_login(operator_a)
    body = client.get("/waste/streams/").content.decode()
    row = body[body.index(f'data-stream="{battery_stream.pk}"') :]
    row = row[: row.index("</tr>")]
    assert row.index("R4") < row.index("D9")  # recovery offered first
    assert "tag-preferred" in row
    share = body[body.index('id="landfill-share"') :]
    assert "1.24" in share and ">0<" in share.replace(" ", "")  # D9 is not land disposal


def test_a_manifest_links_only_the_factory_pages_its_reader_may_open(
    client, draft, operator_a, processor_user, officer
):
    m = draft
    generator = reverse("registry:factory_detail", args=[m.generator_id])
    processor = reverse("registry:factory_detail", args=[m.processor_id])
    client.force_login(operator_a)
    page = body(client.get(url("manifest_detail", m)))
    assert generator in page and processor not in page
    assert m.processor.name_th in page
    client.force_login(officer)
    page = body(client.get(url("manifest_detail", m)))
    assert generator in page and processor in page
