"""The auditor's findings on the e-manifest, one section each: signatures out of turn, readable
dates in messages, corrections that can always be applied or withdrawn and respect permits,
expired approvals, decimals beyond the columns, `previous` only where waste is carried on,
discrepancy alerts closed by a correction, links and tabs only to what the reader may open,
permits and marks in the admin, the log's months and units, no negative days held, the
dashboard's overdue cut, cancelling before pick-up, and B.E. dates and translated version
events on the pages."""

import datetime as dt
from decimal import Decimal as D
from typing import Any

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone, translation

from conftest import _user, api_as
from rongngan.accounts.models import Role
from rongngan.core import audit
from rongngan.core.errors import RongnganValidationError
from rongngan.core.thai import format_en_date, format_thai_date
from rongngan.registry.tests.factories import FactoryFactory, OperatorFactory
from rongngan.waste import queries, services
from rongngan.waste.clocks import run_clocks
from rongngan.waste.models import (
    Alert,
    Approval,
    Correction,
    GenerationRecord,
    Manifest,
    ManifestVersion,
    ProcessorAssessment,
    ProcessorPermit,
    WasteStream,
)
from rongngan.waste.tests.test_services import receive, sign_through

URL = "/api/v1/waste"


def codes_of(exc: Any) -> list[tuple[str | None, str]]:
    return [(p.field, p.code) for p in exc.value.problems]


def errors(response: Any) -> set[tuple[str | None, str]]:
    return {(e["field"], e["code"]) for e in response.json()["errors"]}


def post(user: Any, path: str, data: Any = None) -> Any:
    return api_as(user).post(f"{URL}/{path}", data or {}, format="json")


def page(client: Any, user: Any, m: Any) -> str:
    client.force_login(user)
    return client.get(reverse("waste:manifest_detail", args=[m.pk])).content.decode()


# 1. A party signing out of its turn is told why (400), not refused as a stranger (403) ------


def test_a_transporter_out_of_turn_or_signing_twice_gets_a_clear_400(
    draft, operator_a, driver_1, driver_2, officer
):
    post(operator_a, f"manifests/{draft.pk}/sign/")
    early = post(driver_2, f"manifests/{draft.pk}/sign/")
    assert early.status_code == 400 and errors(early) == {(None, "out_of_order")}
    assert post(driver_1, f"manifests/{draft.pk}/sign/").status_code == 200
    twice = post(driver_1, f"manifests/{draft.pk}/sign/")
    assert twice.status_code == 400 and errors(twice) == {(None, "already_signed")}
    for e in early.json()["errors"] + twice.json()["errors"]:
        assert e["message_th"] and e["message_en"]
    # An officer reads the manifest but is no party to it: still 403.
    stranger = post(officer, f"manifests/{draft.pk}/sign/")
    assert stranger.status_code == 403
    assert draft.signatures.count() == 2


def test_the_page_tells_a_transporter_signing_twice_why(client, draft, operator_a, driver_1):
    sign_through(draft, operator_a, driver_1)
    client.force_login(driver_1)
    r = client.post(reverse("waste:manifest_sign", args=[draft.pk]))
    assert r.status_code == 400 and 'role="alert"' in r.content.decode()


# 2. The previous signature's time reads as a B.E. date and time -----------------------------


def test_a_backdated_signature_names_the_previous_one_in_be(draft, operator_a, driver_1):
    t0 = timezone.now().replace(microsecond=651256) - dt.timedelta(hours=3)
    post(operator_a, f"manifests/{draft.pk}/sign/", {"signed_at": t0.isoformat()})
    r = post(
        driver_1,
        f"manifests/{draft.pk}/sign/",
        {"signed_at": (t0 - dt.timedelta(minutes=1)).isoformat()},
    )
    assert r.status_code == 400
    (e,) = r.json()["errors"]
    local = timezone.localtime(t0)
    assert f"{format_en_date(local.date())} {local:%H:%M:%S}" in e["message_en"]
    assert f"{format_thai_date(local.date())} {local:%H:%M:%S}" in e["message_th"]
    for text in (e["message_en"], e["message_th"]):
        assert "+07:00" not in text and "651256" not in text and str(local.year) not in text


# 3 and 4. Corrections: checked in full when opened, withdrawn, and held to the permits ------


def test_a_correction_that_could_never_be_applied_is_refused_when_opened(draft, operator_a):
    m = services.manifest_sign(acting_user=operator_a, manifest=draft)
    with pytest.raises(RongnganValidationError) as exc:
        services.correction_open(
            acting_user=operator_a,
            manifest=m,
            data={"reason": "ลิตร", "lines": {"1": {"unit": "L"}}},
        )
    assert codes_of(exc) == [("lines.1.density", "density_required")]
    assert not Correction.objects.exists()
    c = services.correction_open(
        acting_user=operator_a,
        manifest=m,
        data={"reason": "ลิตร", "lines": {"1": {"unit": "L", "density": "1.2"}}},
    )
    m = services.correction_apply(acting_user=operator_a, correction=c)
    assert m.lines.get(number=1).quantity_kg == D("1.44")


def test_the_proposer_or_an_officer_withdraws_an_open_correction(
    draft, operator_a, driver_1, officer
):
    m = sign_through(draft, operator_a, driver_1)
    c = services.correction_open(
        acting_user=driver_1, manifest=m, data={"reason": "x", "lines": {"1": {"quantity": "1.1"}}}
    )
    with pytest.raises(PermissionError):
        services.correction_withdraw(acting_user=operator_a, correction=c)  # not the proposer
    services.correction_withdraw(acting_user=driver_1, correction=c, reason="ผิดคัน")
    c.refresh_from_db()
    assert c.status == "withdrawn" and c.closed_by == driver_1 and c.closed_at
    entry = audit.history(m).filter(note__startswith="correction withdrawn").get()
    assert entry.changes == {"correction": c.pk, "status": ["open", "withdrawn"]}
    with pytest.raises(RongnganValidationError) as exc:
        services.correction_withdraw(acting_user=driver_1, correction=c)
    assert codes_of(exc) == [(None, "decided")]
    # The manifest is free for another correction; an officer may withdraw that one.
    c2 = services.correction_open(
        acting_user=operator_a, manifest=m, data={"reason": "y", "lines": {"2": {}}}
    )
    services.correction_withdraw(acting_user=officer, correction=c2)
    assert Correction.objects.filter(status="withdrawn").count() == 2
    assert ManifestVersion.objects.filter(manifest=m).count() == 1  # nothing applied


def test_a_correction_is_withdrawn_through_the_api_and_the_page(
    client, draft, operator_a, driver_1
):
    m = sign_through(draft, operator_a, driver_1)
    r = post(driver_1, f"manifests/{m.pk}/correct/", {"reason": "x", "lines": {"1": {}}})
    cid = r.json()["id"]
    assert post(operator_a, f"manifests/{m.pk}/corrections/{cid}/withdraw/").status_code == 403
    r = post(driver_1, f"manifests/{m.pk}/corrections/{cid}/withdraw/", {"reason": "ซ้ำ"})
    assert r.status_code == 200 and r.json()["corrections"][0]["status"] == "withdrawn"

    c = services.correction_open(
        acting_user=driver_1, manifest=m, data={"reason": "z", "lines": {"1": {}}}
    )
    assert 'id="action-withdraw"' not in page(client, operator_a, m)
    assert 'id="action-withdraw"' in page(client, driver_1, m)
    url = reverse("waste:correction_withdraw", args=[m.pk, c.pk])
    assert client.post(url).status_code == 302
    c.refresh_from_db()
    assert c.status == "withdrawn"


def test_a_correction_to_a_code_the_processor_may_not_take_is_refused_at_open_and_apply(
    draft, operator_a, processor
):
    m = services.manifest_sign(acting_user=operator_a, manifest=draft)
    # 13 02 05 is permitted to this processor for R9 and R13, not for the manifest's R4.
    with pytest.raises(RongnganValidationError) as exc:
        services.correction_open(
            acting_user=operator_a,
            manifest=m,
            data={"reason": "รหัส", "lines": {"1": {"waste_code": "130205"}}},
        )
    assert codes_of(exc) == [("lines.1.waste_code", "processor_not_permitted")]
    permit = ProcessorPermit.objects.create(
        processor=processor,
        waste_code_id="130205",
        operation_id="R4",
        capacity_tonnes=D(10),
        valid_from=dt.date(2015, 1, 1),
    )
    c = services.correction_open(
        acting_user=operator_a,
        manifest=m,
        data={"reason": "รหัส", "lines": {"1": {"waste_code": "130205"}}},
    )
    permit.valid_until = timezone.localdate() - dt.timedelta(days=1)
    permit.save()
    with pytest.raises(RongnganValidationError) as exc:
        services.correction_apply(acting_user=operator_a, correction=c)
    assert codes_of(exc) == [("lines.1.waste_code", "processor_not_permitted")]
    assert m.lines.get(number=1).waste_code_id == "160601"
    services.correction_withdraw(acting_user=operator_a, correction=c)  # no longer stuck


# 5. Expired approvals --------------------------------------------------------------------------


def expire(approval: Approval) -> None:
    Approval.objects.filter(pk=approval.pk).update(
        valid_until=timezone.localdate() - dt.timedelta(days=1)
    )
    approval.refresh_from_db()


def test_no_manifest_is_made_or_handed_over_under_an_expired_approval(
    approval, draft, operator_a, transporters
):
    expire(approval)
    with pytest.raises(RongnganValidationError) as exc:
        services.manifest_sign(acting_user=operator_a, manifest=draft)
    assert codes_of(exc) == [(None, "approval_expired")]
    assert Manifest.objects.get(pk=draft.pk).status == "draft"
    r = post(
        operator_a,
        "manifests/",
        {
            "approval": approval.pk,
            "transporters": [transporters[0].code],
            "lines": [{"waste_code": "160601", "quantity": "1", "unit": "t", "bulk": True}],
        },
    )
    assert r.status_code == 400 and errors(r) == {("approval", "approval_expired")}
    assert str(approval.valid_until.year + 543) in r.json()["errors"][0]["message_en"]


def test_an_expired_approval_shows_as_expired_without_a_new_manifest_link(
    client, approval, operator_a
):
    expire(approval)
    client.force_login(operator_a)
    html = client.get(reverse("waste:streams")).content.decode()
    row = html[html.index(f'data-approval="{approval.pk}"') :]
    row = row[: row.index("</tr>")]
    assert "approval-status-expired" in row and "?approval=" not in row
    r = api_as(operator_a).get(f"{URL}/approvals/{approval.pk}/")
    assert r.json()["status"] == "expired"
    listed = api_as(operator_a).get(f"{URL}/approvals/", {"status": "approved"}).json()
    assert listed["results"] == []
    listed = api_as(operator_a).get(f"{URL}/approvals/", {"status": "expired"}).json()
    assert [a["id"] for a in listed["results"]] == [approval.pk]


# 6. More decimals than a column holds are refused, not rounded away ------------------------


def test_quantities_with_more_decimals_than_the_columns_are_refused(
    approval, operator_a, transporters, battery_stream, driver_1, driver_2, processor_user
):
    with pytest.raises(RongnganValidationError) as exc:
        services.manifest_create(
            acting_user=operator_a,
            data={
                "approval": approval.pk,
                "transporters": [transporters[0].code],
                "lines": [
                    {"waste_code": "160601", "quantity": "1.23456", "unit": "kg", "bulk": True}
                ],
            },
        )
    assert codes_of(exc) == [("lines[1].quantity", "too_many_decimals")]
    m = services.manifest_create(
        acting_user=operator_a,
        data={
            "approval": approval.pk,
            "transporters": [transporters[0].code],
            "lines": [{"waste_code": "160601", "quantity": "1.23450", "unit": "kg", "bulk": True}],
        },
    ).obj
    assert m.lines.get().quantity_kg == D("1.2345")
    m = sign_through(m, operator_a, driver_1)
    with pytest.raises(RongnganValidationError) as exc:
        services.manifest_receive(
            acting_user=processor_user,
            manifest=m,
            data={
                "lines": [
                    {"number": 1, "received_quantity": "1.2345", "refused_quantity": "0.00001"}
                ]
            },
        )
    assert codes_of(exc) == [("lines[1].refused_quantity", "too_many_decimals")]
    with pytest.raises(RongnganValidationError) as exc:
        services.generation_record(
            acting_user=operator_a,
            stream=battery_stream,
            data={"month": "2026-01", "quantity": "1.00001", "unit": "t"},
        )
    assert codes_of(exc) == [("quantity", "too_many_decimals")]


# 7. `previous` only where waste is carried on; the held arithmetic follows --------------------


def test_previous_must_carry_something_on(
    draft, approval, operator_a, driver_1, driver_2, processor_user, transporters
):
    earlier = receive(sign_through(draft, operator_a, driver_1, driver_2), processor_user, "1200")
    with pytest.raises(RongnganValidationError) as exc:
        services.manifest_create(
            acting_user=operator_a,
            data={
                "approval": approval.pk,
                "previous": earlier.pk,  # nothing refused: an unrelated earlier manifest
                "transporters": [transporters[0].code],
                "lines": [{"waste_code": "160601", "quantity": "1", "unit": "t", "bulk": True}],
            },
        )
    assert codes_of(exc) == [("previous", "previous_not_onward")]


def test_waste_sent_on_after_coming_back_counts_as_shipped_again(
    draft, approval, operator_a, driver_1, driver_2, processor_user, transporters, battery_stream
):
    m = receive(
        sign_through(draft, operator_a, driver_1, driver_2),
        processor_user,
        "1200",
        refused=("300", "40"),
    )
    back = services.manifest_return(
        acting_user=processor_user, manifest=m, data={"transporters": [transporters[0].code]}
    ).obj
    back = sign_through(back, processor_user, driver_1)
    services.manifest_receive(
        acting_user=operator_a,
        manifest=back,
        data={
            "lines": [
                {"number": 1, "received_quantity": "300"},
                {"number": 2, "received_quantity": "40"},
            ]
        },
    )
    month = timezone.localtime(m.shipped_at).date().replace(day=1)
    services.generation_record(
        acting_user=operator_a,
        stream=battery_stream,
        data={"month": f"{month:%Y-%m}", "quantity": "1240"},
    )
    today = timezone.localdate()
    assert queries.held_since([battery_stream.pk], today)[battery_stream.pk][0] == D("340")
    again = services.manifest_create(
        acting_user=operator_a,
        data={
            "approval": approval.pk,
            "previous": back.pk,
            "transporters": [transporters[0].code],
            "lines": [{"waste_code": "160601", "quantity": "340", "unit": "kg", "bulk": True}],
        },
    ).obj
    sign_through(again, operator_a, driver_1)
    assert queries.held_since([battery_stream.pk], today) == {}
    (row,) = queries.mass_balance(WasteStream.objects.filter(pk=battery_stream.pk), month.year)
    assert row["shipped_kg"] == D("1240") and row["closing_kg"] == 0


# 8. A correction that clears a discrepancy closes its alert ----------------------------------


def test_a_correction_clearing_the_discrepancy_closes_the_escalated_alert(
    draft, operator_a, driver_1, driver_2, processor_user, officer
):
    m = receive(sign_through(draft, operator_a, driver_1, driver_2), processor_user, "1500")
    assert m.discrepancy
    received = timezone.localtime(m.received_at).date()
    assert run_clocks(received + dt.timedelta(days=16))["discrepancy"] == 1
    c = services.correction_open(
        acting_user=operator_a,
        manifest=m,
        data={"reason": "ชั่งผิด", "lines": {"1": {"quantity": "1.5"}}},
    )
    m = services.correction_apply(acting_user=officer, correction=c)
    assert not m.discrepancy
    alert = Alert.objects.get(kind=Alert.Kind.DISCREPANCY)
    assert alert.closed_at is not None
    assert audit.history(alert).get().actor == officer


def test_the_clock_closes_an_alert_whose_discrepancy_is_gone(
    draft, operator_a, driver_1, driver_2, processor_user
):
    m = receive(sign_through(draft, operator_a, driver_1, driver_2), processor_user, "1500")
    received = timezone.localtime(m.received_at).date()
    run_clocks(received + dt.timedelta(days=16))
    Manifest.objects.filter(pk=m.pk).update(discrepancy=False)
    assert run_clocks(received + dt.timedelta(days=17))["closed"] == 1


# 9. Links and tabs only to pages the reader may open --------------------------------------


def test_linked_manifests_are_links_only_for_those_who_may_open_them(
    client,
    draft,
    operator_a,
    driver_1,
    driver_2,
    processor_user,
    second_processor,
    officer,
    battery_stream,
    transporters,
):
    m = receive(
        sign_through(draft, operator_a, driver_1, driver_2),
        processor_user,
        "1200",
        refused=("300", "0"),
    )
    a2 = services.approval_request(
        acting_user=operator_a,
        stream=battery_stream,
        data={"processor": second_processor.pk, "operation": "R4", "quantity_tonnes": "1"},
    )
    services.approval_decide(acting_user=officer, approval=a2, approve=True)
    onward = services.manifest_reroute(
        acting_user=operator_a, manifest=m, data={"approval": a2.pk, "transporters": ["tr-2"]}
    ).obj
    to_onward = reverse("waste:manifest_detail", args=[onward.pk])
    to_first = reverse("waste:manifest_detail", args=[m.pk])
    html = page(client, processor_user, m)  # not a party to the onward manifest
    assert onward.number in html and f'href="{to_onward}"' not in html
    second_user = _user("second_user", Role.OPERATOR, organisation=second_processor.operator)
    html = page(client, second_user, onward)  # not a party to the first
    assert m.number in html and f'href="{to_first}"' not in html
    html = page(client, operator_a, m)  # the generator is a party to both
    assert f'href="{to_onward}"' in html
    html = page(client, operator_a, onward)
    assert f'href="{to_first}"' in html


def test_the_waste_tabs_show_only_pages_the_reader_may_open(
    client, draft, driver_1, operator_a, officer
):
    held = reverse("waste:held")
    dashboard = reverse("waste:dashboard")
    client.force_login(driver_1)  # a transporter: no factory of its own
    html = page(client, driver_1, draft)
    assert f'href="{held}"' not in html and f'href="{dashboard}"' not in html
    assert client.get(held).status_code == 403
    html = page(client, operator_a, draft)
    assert f'href="{held}"' in html and client.get(held).status_code == 200
    html = page(client, officer, draft)
    assert f'href="{held}"' in html and f'href="{dashboard}"' in html


# 10. Permits and marks are kept in the admin, every change audited -------------------------


def test_an_administrator_adds_and_changes_a_permit_with_an_audit_entry(client, admin, processor):
    client.force_login(admin)
    assert client.get("/admin/waste/processorpermit/add/").status_code == 200
    r = client.post(
        "/admin/waste/processorpermit/add/",
        {
            "processor": processor.pk,
            "waste_code": "130205",
            "operation": "D10",
            "capacity_tonnes": "250",
            "permit_no": "กก 12/2569",
            "valid_from": "2026-01-01",
            "valid_until": "",
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    permit = ProcessorPermit.objects.get(operation_id="D10")
    created = audit.history(permit).get(action="create")
    assert created.actor == admin and created.changes["capacity_tonnes"] == "250.0000"
    r = client.post(
        f"/admin/waste/processorpermit/{permit.pk}/change/",
        {
            "processor": processor.pk,
            "waste_code": "130205",
            "operation": "D10",
            "capacity_tonnes": "250",
            "permit_no": "กก 12/2569",
            "valid_from": "2026-01-01",
            "valid_until": "2026-06-30",
        },
    )
    assert r.status_code == 302
    changed = audit.history(permit).get(action="update")
    assert changed.changes == {"valid_until": [None, "2026-06-30"]}
    assert client.get(f"/admin/waste/processorpermit/{permit.pk}/delete/").status_code == 403
    assert client.get("/admin/waste/processorpermit/", {"q": "130205"}).status_code == 200
    bad = client.post(
        "/admin/waste/processorpermit/add/",
        {
            "processor": processor.pk,
            "waste_code": "130205",
            "operation": "D9",
            "capacity_tonnes": "1",
            "valid_from": "2026-06-01",
            "valid_until": "2026-01-01",
        },
    )
    assert (
        bad.status_code == 200
        and not ProcessorPermit.objects.filter(waste_code_id="130205", operation_id="D9").exists()
    )


def test_an_administrator_records_an_assessment_mark_with_an_audit_entry(client, admin, processor):
    client.force_login(admin)
    r = client.post(
        "/admin/waste/processorassessment/add/",
        {
            "processor": processor.pk,
            "year": "2569",
            "mark": "gold",
            "assessed_on": "2026-08-01",
            "note": "",
        },
    )
    assert r.status_code == 302
    mark = ProcessorAssessment.objects.get()
    assert audit.history(mark).get(action="create").changes["mark"] == "gold"
    assert client.get("/admin/waste/processorassessment/").status_code == 200


# 11. The log's months and units ---------------------------------------------------------


def test_the_log_refuses_a_two_digit_year_and_reads_a_be_year(battery_stream, operator_a):
    with pytest.raises(RongnganValidationError) as exc:
        services.generation_record(
            acting_user=operator_a, stream=battery_stream, data={"month": "26-9", "quantity": "1"}
        )
    assert codes_of(exc) == [("month", "invalid_year")]
    record = services.generation_record(
        acting_user=operator_a, stream=battery_stream, data={"month": "2569-09", "quantity": "1"}
    )
    assert record.month == dt.date(2026, 9, 1)


def test_the_log_says_which_units_it_takes(battery_stream, operator_a):
    r = post(
        operator_a,
        f"streams/{battery_stream.pk}/generation/",
        {"month": "2026-09", "quantity": "1", "unit": "L"},
    )
    assert r.status_code == 400 and errors(r) == {("unit", "unit")}
    assert r.json()["errors"][0]["message_en"] == "Unit must be kg or t."
    assert not GenerationRecord.objects.exists()


# 12. Never negative days held -------------------------------------------------------------


def test_waste_of_the_month_under_way_is_held_since_today_not_a_day_to_come(
    battery_stream, operator_a
):
    today = timezone.localdate()
    services.generation_record(
        acting_user=operator_a,
        stream=battery_stream,
        data={"month": f"{today:%Y-%m}", "quantity": "5"},
    )
    assert queries.held_since([battery_stream.pk], today)[battery_stream.pk][1] == today
    (row,) = api_as(operator_a).get(f"{URL}/streams/held/").json()
    assert row["days_held"] == 0 and row["oldest_made_by"] == today.isoformat()


# 13. The dashboard's overdue count follows the receipt clock's setting ---------------------


@override_settings(WASTE_RECEIPT_CONTACT_DAYS=10)
def test_the_dashboards_overdue_count_uses_the_clocks_setting(
    client, draft, operator_a, driver_1, officer
):
    t0 = timezone.now() - dt.timedelta(days=12)
    m = services.manifest_sign(acting_user=operator_a, manifest=draft, data={"signed_at": t0})
    services.manifest_sign(acting_user=driver_1, manifest=m, data={"signed_at": t0})
    client.force_login(officer)
    r = client.get(reverse("waste:dashboard"))
    assert r.context["overdue_count"] == 1 and r.context["transit_days"] == 10


# 14. Cancelling a manifest the generator signed before any pick-up ------------------------


def test_a_signed_manifest_not_yet_picked_up_is_cancelled_with_a_reason_and_kept(
    draft, operator_a, driver_1, officer, approval, transporters
):
    m = services.manifest_sign(acting_user=operator_a, manifest=draft)
    with pytest.raises(PermissionError):
        services.manifest_cancel(acting_user=driver_1, manifest=m, reason="x")
    with pytest.raises(RongnganValidationError) as exc:
        services.manifest_cancel(acting_user=operator_a, manifest=m, reason=" ")
    assert codes_of(exc) == [("reason", "required")]
    m = services.manifest_cancel(acting_user=operator_a, manifest=m, reason="รถไม่มา")
    m.refresh_from_db()
    assert m.status == "cancelled" and m.cancel_reason == "รถไม่มา" and m.cancelled_at
    entry = audit.history(m).get(note="รถไม่มา")
    assert entry.changes["status"] == ["scheduled", "cancelled"]
    assert m.lines.count() == 2  # on record, not deleted
    with pytest.raises(RongnganValidationError) as exc:
        services.manifest_sign(acting_user=driver_1, manifest=m)
    assert codes_of(exc) == [(None, "out_of_order")]
    # Once a transporter has signed, it runs its course; an officer is refused as well.
    other = services.manifest_create(
        acting_user=operator_a,
        data={
            "approval": approval.pk,
            "transporters": [transporters[0].code],
            "lines": [{"waste_code": "160601", "quantity": "1", "unit": "t", "bulk": True}],
        },
    ).obj
    other = sign_through(other, operator_a, driver_1)
    with pytest.raises(RongnganValidationError) as exc:
        services.manifest_cancel(acting_user=officer, manifest=other, reason="x")
    assert codes_of(exc) == [(None, "not_cancellable")]


def test_cancelling_through_the_api_and_the_page(client, draft, operator_a):
    services.manifest_sign(acting_user=operator_a, manifest=draft)
    r = post(operator_a, f"manifests/{draft.pk}/cancel/", {})
    assert r.status_code == 400 and errors(r) == {("reason", "required")}
    assert 'id="action-cancel"' in page(client, operator_a, draft)
    r = client.post(reverse("waste:manifest_cancel", args=[draft.pk]), {"cancel-reason": "เลื่อน"})
    assert r.status_code == 302
    html = client.get(r.url).content.decode()
    assert 'id="cancelled"' in html and "เลื่อน" in html and 'id="action-cancel"' not in html
    r = api_as(operator_a).get(f"{URL}/manifests/{draft.pk}/").json()
    assert r["status"] == "cancelled" and r["cancel_reason"] == "เลื่อน"


# 15. B.E. on the held page; a version's event stored as a code and shown translated --------


def test_the_held_page_shows_be_months_and_years(client, battery_stream, operator_a):
    services.generation_record(
        acting_user=operator_a, stream=battery_stream, data={"month": "2026-10", "quantity": "5"}
    )
    client.force_login(operator_a)
    html = client.get(reverse("waste:held"), {"year": "2025"}).content.decode()
    assert "ต.ค. 2569" in html and "10/2026" not in html
    title = html[html.index('id="balance-title"') :]
    assert "2568" in title[: title.index("</h3>")] and "2025" not in title[: title.index("</h3>")]
    record = GenerationRecord.objects.get()
    assert f'value="{record.pk}">ต.ค. 2569 ·' in html  # the correction form's choice


def test_a_versions_event_is_a_code_shown_in_the_readers_language(client, draft, operator_a):
    services.manifest_sign(acting_user=operator_a, manifest=draft)
    v = ManifestVersion.objects.get()
    assert (v.event, v.reason) == ("signed", "")
    html = page(client, operator_a, draft)
    versions = html[html.index('id="versions"') :]
    with translation.override("th"):
        label = str(ManifestVersion.Event.SIGNED.label)
    assert label in versions[: versions.index("</table>")]
    r = api_as(operator_a).get(f"{URL}/manifests/{draft.pk}/").json()
    assert r["versions"][0]["event"] == "signed"


def test_a_cancelled_onward_manifest_frees_the_refused_part_to_go_on_again(
    draft, operator_a, driver_1, driver_2, processor_user, battery_stream, officer, transporters
):
    """A cancelled onward manifest frees the refused part to go on again."""
    m = receive(
        sign_through(draft, operator_a, driver_1, driver_2),
        processor_user,
        "1200",
        refused=("300", "0"),
    )
    other = FactoryFactory(operator=OperatorFactory(code="op-x"))
    ProcessorPermit.objects.create(
        processor=other,
        waste_code_id="160601",
        operation_id="R4",
        capacity_tonnes=D(9),
        valid_from=dt.date(2015, 1, 1),
    )
    a2 = services.approval_request(
        acting_user=operator_a,
        stream=battery_stream,
        data={"processor": other.pk, "operation": "R4", "quantity_tonnes": "1"},
    )
    services.approval_decide(acting_user=officer, approval=a2, approve=True)
    data = {"approval": a2.pk, "transporters": [transporters[0].code]}
    onward = services.manifest_reroute(acting_user=operator_a, manifest=m, data=data).obj
    onward = services.manifest_sign(acting_user=operator_a, manifest=onward)
    services.manifest_cancel(acting_user=operator_a, manifest=onward, reason="ผิดโรงงาน")
    again = services.manifest_reroute(acting_user=operator_a, manifest=m, data=data).obj
    assert again.previous == m
