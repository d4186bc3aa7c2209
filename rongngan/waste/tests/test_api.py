"""The waste API: public reference data and processors, scoped manifests, the walk of a manifest
through its parties, errors with field and code in both languages, idempotent writes."""

import datetime as dt
from decimal import Decimal as D
from typing import Any
from urllib.parse import quote

import pytest
from django.utils import timezone

from conftest import api_as
from rongngan.registry.models import FactoryAssignment
from rongngan.registry.tests.factories import FactoryFactory, OperatorFactory
from rongngan.waste import services
from rongngan.waste.models import (
    Approval,
    Correction,
    Manifest,
    ManifestLine,
    ProcessorPermit,
    Signature,
    WasteStream,
)
from rongngan.waste.tests.conftest import code, op

pytestmark = pytest.mark.django_db

URL = "/api/v1/waste"


def errors(response: Any) -> set[tuple[str | None, str]]:
    return {(e["field"], e["code"]) for e in response.json()["errors"]}


def assert_bilingual(response: Any) -> None:
    for e in response.json()["errors"]:
        assert e["message_th"] and e["message_en"], e


def ids(response: Any) -> set[int]:
    assert response.status_code == 200, response.content
    return {m["id"] for m in response.json()["results"]}


def body(approval: Approval, transporters: list[Any], **line: Any) -> dict[str, Any]:
    return {
        "approval": approval.pk,
        "lines": [
            {"waste_code": "16 06 01*", "quantity": "1.2", "unit": "t", "bulk": True, **line},
            {
                "waste_code": "160601",
                "quantity": 40,  # a number is accepted as well as a string
                "unit": "kg",
                "container_type": "ถัง 200 ลิตร",
                "container_count": 2,
            },
        ],
        "transporters": [
            {"organisation": transporters[0].code, "vehicle": "70-1234"},
            {"organisation": transporters[1].pk},
        ],
    }


def post(user: Any, path: str, data: Any = None, **extra: Any) -> Any:
    return api_as(user).post(f"{URL}/{path}", data or {}, format="json", **extra)


# --------------------------------------------------------------------------------------------
# Public reads


def test_the_public_reads_the_list_of_waste() -> None:
    anon = api_as(None)
    r = anon.get(f"{URL}/codes/", {"q": "16 06"})
    assert r.status_code == 200
    rows = r.json()["results"]
    assert rows and all(c["code"].startswith("1606") and c["level"] == "entry" for c in rows)
    battery = next(c for c in rows if c["code"] == "160601")
    assert battery["display"] == "16 06 01" and battery["hazardous"] is True

    words = anon.get(f"{URL}/codes/", {"q": "lead batteries", "page_size": 500}).json()
    assert "160601" in {c["code"] for c in words["results"]}

    hazardous = anon.get(f"{URL}/codes/", {"hazardous": "true", "page_size": 500}).json()
    plain = anon.get(f"{URL}/codes/", {"hazardous": "false", "page_size": 500}).json()
    assert all(c["hazardous"] for c in hazardous["results"])
    assert not any(c["hazardous"] for c in plain["results"])
    entries = anon.get(f"{URL}/codes/").json()["count"]
    assert hazardous["count"] + plain["count"] == entries == 842

    chapters = anon.get(f"{URL}/codes/", {"level": "chapter"}).json()
    assert chapters["count"] == 20 and chapters["results"][0]["code"] == "01"

    bad = anon.get(f"{URL}/codes/", {"hazardous": "perhaps"})
    assert bad.status_code == 400 and errors(bad) == {("hazardous", "invalid_boolean")}
    assert_bilingual(bad)


@pytest.mark.parametrize("written", ["16 06 01*", "160601", "16-06-01 HA", "16.06.01"])
def test_a_code_is_found_however_it_is_written(written: str) -> None:
    r = api_as(None).get(f"{URL}/codes/{quote(written)}/")
    assert r.status_code == 200, r.content
    assert r.json()["code"] == "160601" and r.json()["hazard"] == "absolute"


@pytest.mark.parametrize("written", ["99 99 99", "160600", "battery"])
def test_an_unknown_code_is_not_found(written: str) -> None:
    r = api_as(None).get(f"{URL}/codes/{quote(written)}/")
    assert r.status_code == 404 and errors(r) == {(None, "not_found")}


def test_the_public_reads_the_operations() -> None:
    anon = api_as(None)
    rows = anon.get(f"{URL}/operations/").json()
    assert len(rows) == 28 and rows[0]["code"] == "R1"
    r13 = anon.get(f"{URL}/operations/{quote(' r 13 ')}/").json()
    assert r13["code"] == "R13" and r13["final"] is False and r13["kind"] == "recovery"
    assert anon.get(f"{URL}/operations/X9/").status_code == 404


def test_the_public_lists_processors_with_filters(processor: Any, second_processor: Any) -> None:
    anon = api_as(None)
    both = anon.get(f"{URL}/processors/", {"code": "13 02 05*"})
    assert ids(both) == {processor.pk, second_processor.pk}
    row = next(p for p in both.json()["results"] if p["id"] == processor.pk)
    assert row["province"] == "21" and row["district"] == "2101"
    assert row["registration_no"] == processor.registration_no
    assert row["received_tonnes"] == "0.0000"
    assert row["mark"] is None and row["mark_year"] is None
    assert {"code": "160601", "operation": "D9", "capacity_tonnes": "5000.0000"} in row["permits"]
    assert len(row["permits"]) == 5

    only_first = anon.get(f"{URL}/processors/", {"code": "160601", "operation": "d9"})
    assert ids(only_first) == {processor.pk}
    assert ids(anon.get(f"{URL}/processors/", {"province": "20"})) == set()
    assert ids(anon.get(f"{URL}/processors/", {"province": "21"})) == {
        processor.pk,
        second_processor.pk,
    }
    assert anon.get(f"{URL}/processors/{processor.pk}/").json()["id"] == processor.pk

    bad = anon.get(f"{URL}/processors/", {"code": "16 06", "operation": "Z1"})
    assert bad.status_code == 400 and errors(bad) == {("code", "bad_code")}
    bad = anon.get(f"{URL}/processors/", {"operation": "Z1"})
    assert bad.status_code == 400 and errors(bad) == {("operation", "bad_operation")}


def test_the_public_cannot_read_streams_approvals_or_manifests(draft: Any) -> None:
    anon = api_as(None)
    for path in ("manifests/", f"manifests/{draft.pk}/", "streams/", "approvals/"):
        r = anon.get(f"{URL}/{path}")
        assert r.status_code in (401, 403), path
        assert errors(r) == {(None, "not_authenticated")}
    assert anon.post(f"{URL}/manifests/{draft.pk}/sign/").status_code in (401, 403)


def test_the_schema_documents_the_waste_api() -> None:
    r = api_as(None).get("/api/v1/schema/")
    assert r.status_code == 200
    for path in (
        b"/api/v1/waste/codes/{code}/",
        b"/api/v1/waste/manifests/{id}/sign/",
        b"/api/v1/waste/manifests/{id}/corrections/{cid}/apply/",
        b"/api/v1/waste/processors/",
    ):
        assert path in r.content


# --------------------------------------------------------------------------------------------
# A manifest's whole walk


def test_a_manifest_walks_from_generator_to_processor(
    approval: Approval,
    transporters: list[Any],
    operator_a: Any,
    operator_b: Any,
    driver_1: Any,
    driver_2: Any,
    processor: Any,
    processor_user: Any,
) -> None:
    created = post(operator_a, "manifests/", body(approval, transporters))
    assert created.status_code == 201, created.content
    m = created.json()
    pk = m["id"]
    assert m["warnings"] == [] and m["status"] == "draft" and m["version"] == 0
    assert [ln["quantity"] for ln in m["lines"]] == ["1.2000", "40.0000"]
    assert [ln["quantity_kg"] for ln in m["lines"]] == ["1200.0000", "40.0000"]
    assert [t["organisation"] for t in m["transporters"]] == [t.pk for t in transporters]
    assert m["transporters"][0]["vehicle"] == "70-1234"

    signed = post(operator_a, f"manifests/{pk}/sign/")
    assert signed.status_code == 200 and signed.json()["status"] == "scheduled"
    early = post(driver_2, f"manifests/{pk}/sign/")  # transporter 1 first: a party, told why
    assert early.status_code == 400 and errors(early) == {(None, "out_of_order")}
    assert post(driver_1, f"manifests/{pk}/sign/").json()["status"] == "in_transit"
    early = post(processor_user, f"manifests/{pk}/receive/", {"lines": []})
    assert early.status_code == 400 and errors(early) == {(None, "out_of_order")}
    assert post(driver_2, f"manifests/{pk}/sign/").status_code == 200
    again = post(driver_2, f"manifests/{pk}/sign/")
    assert again.status_code == 400 and errors(again) == {(None, "already_signed")}
    assert_bilingual(again)

    received = post(
        processor_user,
        f"manifests/{pk}/receive/",
        {
            "lines": [
                {"number": 1, "received_quantity": "1.2", "unit": "t", "refused_quantity": 0.3},
                {"number": 2, "received_quantity": 40, "received_containers": 2},
            ]
        },
    )
    assert received.status_code == 200, received.content
    r = received.json()
    assert r["status"] == "partly_refused" and r["warnings"] == [] and not r["discrepancy"]
    first = r["lines"][0]
    assert (first["received_kg"], first["accepted_kg"], first["refused_kg"]) == (
        "1200.0000",
        "900.0000",
        "300.0000",
    )
    processed = post(processor_user, f"manifests/{pk}/process/", {"operation": "r4"})
    assert processed.status_code == 200, processed.content
    assert processed.json()["status"] == "processed"
    assert processed.json()["final_operation"] == "R4"

    detail = api_as(operator_a).get(f"{URL}/manifests/{pk}/").json()
    assert [s["step"] for s in detail["signatures"]] == [
        "generator",
        "transporter",
        "transporter",
        "receipt",
        "processed",
    ]
    assert [s["signed_by"] for s in detail["signatures"]] == [
        "operator_a",
        "driver_1",
        "driver_2",
        "processor_user",
        "processor_user",
    ]
    assert [v["number"] for v in detail["versions"]] == [1]

    def view(user: Any, name: str) -> set[int]:
        return ids(api_as(user).get(f"{URL}/manifests/", {"view": name}))

    assert pk in view(operator_a, "generator") and pk not in view(operator_a, "processor")
    assert pk in view(driver_1, "transporter") and pk in view(driver_2, "transporter")
    assert pk in view(processor_user, "processor") and pk not in view(processor_user, "generator")
    assert pk not in view(driver_1, "generator")
    filtered = api_as(operator_a).get(f"{URL}/manifests/", {"status": "processed,draft"})
    assert ids(filtered) == {pk}
    assert ids(api_as(operator_a).get(f"{URL}/manifests/", {"status": "draft"})) == set()
    bad = api_as(operator_a).get(f"{URL}/manifests/", {"view": "everyone"})
    assert bad.status_code == 400 and errors(bad) == {("view", "invalid_choice")}

    outsider = api_as(operator_b)
    assert ids(outsider.get(f"{URL}/manifests/")) == set()
    assert outsider.get(f"{URL}/manifests/{pk}/").status_code == 404
    assert post(operator_b, f"manifests/{pk}/correct/", {"reason": "x"}).status_code == 404

    listing = api_as(None).get(f"{URL}/processors/", {"code": "16 06 01"}).json()["results"]
    row = next(p for p in listing if p["id"] == processor.pk)
    assert row["received_tonnes"] == "0.9400"  # 900 kg + 40 kg accepted this fiscal year


def test_a_quantity_far_above_the_usual_saves_with_a_warning(
    approval: Approval, transporters: list[Any], operator_a: Any
) -> None:
    r = post(operator_a, "manifests/", body(approval, transporters, quantity="5"))
    assert r.status_code == 201
    [warning] = r.json()["warnings"]
    assert (warning["field"], warning["code"]) == ("lines[1].quantity", "far_above_usual")
    assert warning["message_th"] and "expected 12 t" in warning["message_en"]
    # Not asserted: the kilograms read "5E+3" (services.py line 419 formats kg.normalize());
    # reported to the owner of services.py.
    assert Manifest.objects.filter(pk=r.json()["id"]).exists()


def test_signatures_come_in_order_and_are_never_backdated(
    draft: Any, operator_a: Any, driver_1: Any
) -> None:
    early = post(driver_1, f"manifests/{draft.pk}/sign/")  # a party, before the generator
    assert early.status_code == 400 and errors(early) == {(None, "out_of_order")}
    t0 = timezone.now() - dt.timedelta(hours=3)
    r = post(operator_a, f"manifests/{draft.pk}/sign/", {"signed_at": t0.isoformat()})
    assert r.status_code == 200

    before = post(
        driver_1,
        f"manifests/{draft.pk}/sign/",
        {"signed_at": (t0 - dt.timedelta(minutes=1)).isoformat()},
    )
    assert before.status_code == 400 and errors(before) == {("signed_at", "before_previous")}
    assert_bilingual(before)
    future = post(
        driver_1,
        f"manifests/{draft.pk}/sign/",
        {"signed_at": (timezone.now() + dt.timedelta(days=1)).isoformat()},
    )
    assert future.status_code == 400 and errors(future) == {("signed_at", "in_future")}
    garbled = post(driver_1, f"manifests/{draft.pk}/sign/", {"signed_at": "yesterday"})
    assert garbled.status_code == 400 and errors(garbled) == {("signed_at", "bad_datetime")}

    m = Manifest.objects.get(pk=draft.pk)
    assert m.status == "scheduled" and m.shipped_at is None
    assert Signature.objects.filter(manifest=m).count() == 1


def test_only_a_draft_is_deleted_and_a_manifest_is_never_patched(
    draft: Any, operator_a: Any, operator_b: Any, driver_1: Any
) -> None:
    client = api_as(operator_a)
    path = f"{URL}/manifests/{draft.pk}/"
    assert client.patch(path, {"status": "processed"}, format="json").status_code == 405
    assert client.put(path, {"status": "processed"}, format="json").status_code == 405
    assert api_as(operator_b).delete(path).status_code == 404
    assert api_as(driver_1).delete(path).status_code == 403  # a party, not the generator

    assert post(operator_a, f"manifests/{draft.pk}/sign/").status_code == 200
    refused = client.delete(path)
    assert refused.status_code == 400 and errors(refused) == {(None, "not_draft")}
    assert_bilingual(refused)
    assert Manifest.objects.filter(pk=draft.pk, status="scheduled").exists()


def test_the_generator_deletes_its_draft(draft: Any, operator_a: Any) -> None:
    assert api_as(operator_a).delete(f"{URL}/manifests/{draft.pk}/").status_code == 204
    assert not Manifest.objects.filter(pk=draft.pk).exists()
    assert not ManifestLine.objects.exists()


def test_a_correction_opens_applies_and_keeps_the_old_version(
    draft: Any, operator_a: Any, driver_1: Any, officer: Any
) -> None:
    for user in (operator_a, driver_1):
        assert post(user, f"manifests/{draft.pk}/sign/").status_code == 200
    opened = post(
        driver_1,
        f"manifests/{draft.pk}/correct/",
        {"reason": "น้ำหนักชั่งจริง", "lines": {"1": {"quantity": "1.15"}}},
    )
    assert opened.status_code == 201, opened.content
    correction = opened.json()
    assert correction["status"] == "open" and correction["opened_by"] == "driver_1"
    assert correction["changes"] == {"lines": {"1": {"quantity": "1.15"}}}
    second = post(operator_a, f"manifests/{draft.pk}/correct/", {"reason": "x", "lines": {}})
    assert second.status_code == 400 and errors(second) == {(None, "open_correction")}

    applied = post(officer, f"manifests/{draft.pk}/corrections/{correction['id']}/apply/")
    assert applied.status_code == 200, applied.content
    m = applied.json()
    assert [v["number"] for v in m["versions"]] == [1, 2] and m["version"] == 2
    assert m["versions"][0]["snapshot"]["lines"][0]["quantity"] == "1.2000"
    assert m["versions"][1]["changes"]["lines.1.quantity"] == ["1.2000", "1.1500"]
    assert m["lines"][0]["quantity_kg"] == "1150.0000" and m["status"] == "in_transit"
    assert [c["status"] for c in m["corrections"]] == ["applied"]

    retrieved = api_as(operator_a).get(f"{URL}/manifests/{draft.pk}/").json()
    assert [v["number"] for v in retrieved["versions"]] == [1, 2]
    twice = post(officer, f"manifests/{draft.pk}/corrections/{correction['id']}/apply/")
    assert twice.status_code == 400 and errors(twice) == {(None, "decided")}
    assert post(officer, f"manifests/{draft.pk}/corrections/99999/apply/").status_code == 404

    shape = post(driver_1, f"manifests/{draft.pk}/correct/", {"reason": "x", "lines": [1]})
    assert shape.status_code == 400 and errors(shape) == {("lines", "invalid")}
    assert Correction.objects.filter(manifest=draft).count() == 1


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"quantity": "-1"}, ("lines[1].quantity", "negative")),
        ({"quantity": "many"}, ("lines[1].quantity", "number")),
        ({"waste_code": "99 99 99"}, ("lines[1].waste_code", "unknown_code")),
        ({"waste_code": "13 02 05*"}, ("lines[1].waste_code", "processor_not_permitted")),
        ({"unit": "L"}, ("lines[1].density", "density_required")),
    ],
)
def test_a_bad_line_is_refused_with_field_code_and_both_languages(
    approval: Approval,
    transporters: list[Any],
    operator_a: Any,
    change: dict[str, Any],
    problem: tuple[str, str],
) -> None:
    r = post(operator_a, "manifests/", body(approval, transporters, **change))
    assert r.status_code == 400, r.content
    assert errors(r) == {problem}
    assert_bilingual(r)
    assert not Manifest.objects.exists() and not ManifestLine.objects.exists()


def test_a_manifest_with_bad_parts_reports_them_all_and_writes_nothing(
    approval: Approval, transporters: list[Any], operator_a: Any
) -> None:
    data = body(approval, transporters)
    data["transporters"] = [{"organisation": "no-such-company"}]
    data["lines"][1]["container_count"] = None
    r = post(operator_a, "manifests/", data)
    assert r.status_code == 400
    assert errors(r) == {
        ("transporters[1].organisation", "unknown_transporter"),
        ("lines[2].container_count", "containers_or_bulk"),
    }
    shape = post(operator_a, "manifests/", {**body(approval, transporters), "lines": ["x"]})
    assert shape.status_code == 400 and errors(shape) == {("lines", "invalid")}
    not_an_object = api_as(operator_a).post(f"{URL}/manifests/", [1, 2], format="json")
    assert not_an_object.status_code == 400
    assert errors(not_an_object) == {(None, "not_an_object")}
    assert not Manifest.objects.exists()


def test_only_the_generator_creates_its_manifests(
    approval: Approval, transporters: list[Any], operator_b: Any, driver_1: Any
) -> None:
    for user in (operator_b, driver_1):
        assert post(user, "manifests/", body(approval, transporters)).status_code == 403
    assert not Manifest.objects.exists()


def test_an_idempotency_key_replays_writes_without_repeating_them(
    approval: Approval, transporters: list[Any], operator_a: Any
) -> None:
    data = body(approval, transporters)
    first = post(operator_a, "manifests/", data, HTTP_IDEMPOTENCY_KEY="wm-1")
    again = post(operator_a, "manifests/", data, HTTP_IDEMPOTENCY_KEY="wm-1")
    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert again["Idempotent-Replayed"] == "true"
    assert Manifest.objects.count() == 1
    changed = body(approval, transporters, quantity="2")
    other = post(operator_a, "manifests/", changed, HTTP_IDEMPOTENCY_KEY="wm-1")
    assert other.status_code == 422 and errors(other) == {("Idempotency-Key", "key_reused")}

    pk = first.json()["id"]
    signed = post(operator_a, f"manifests/{pk}/sign/", HTTP_IDEMPOTENCY_KEY="sign-1")
    replay = post(operator_a, f"manifests/{pk}/sign/", HTTP_IDEMPOTENCY_KEY="sign-1")
    assert signed.status_code == replay.status_code == 200
    assert replay["Idempotent-Replayed"] == "true"
    assert Signature.objects.filter(manifest_id=pk).count() == 1
    # Without the key a second signature is the transporter's turn, not the generator's.
    again = post(operator_a, f"manifests/{pk}/sign/")
    assert again.status_code == 400 and errors(again) == {(None, "already_signed")}


def test_the_refused_part_is_rerouted_and_a_discrepancy_resolved(
    draft: Any,
    operator_a: Any,
    driver_1: Any,
    driver_2: Any,
    processor_user: Any,
    second_processor: Any,
    battery_stream: WasteStream,
    transporters: list[Any],
    officer: Any,
) -> None:
    for user in (operator_a, driver_1, driver_2):
        assert post(user, f"manifests/{draft.pk}/sign/").status_code == 200
    r = post(
        processor_user,
        f"manifests/{draft.pk}/receive/",
        {
            "lines": [
                {"number": 1, "received_quantity": "1200.5", "refused_quantity": "300.25"},
                {"number": 2, "received_quantity": "40", "received_containers": 3},
            ]
        },
    )
    assert r.status_code == 200 and r.json()["discrepancy"] is True
    assert r.json()["lines"][1]["discrepancies"] == ["containers"]

    a2 = services.approval_request(
        acting_user=operator_a,
        stream=battery_stream,
        data={"processor": second_processor.pk, "operation": "R4", "quantity_tonnes": "1"},
    )
    services.approval_decide(acting_user=officer, approval=a2, approve=True)
    data = {"approval": a2.pk, "transporters": [transporters[0].code]}
    assert post(processor_user, f"manifests/{draft.pk}/reroute/", data).status_code == 403
    onward = post(operator_a, f"manifests/{draft.pk}/reroute/", data)
    assert onward.status_code == 201, onward.content
    o = onward.json()
    assert o["previous"] == draft.pk and o["processor"] == second_processor.pk
    assert [ln["quantity_kg"] for ln in o["lines"]] == ["300.2500"] and o["warnings"] == []

    no_note = post(officer, f"manifests/{draft.pk}/resolve/", {"note": " "})
    assert no_note.status_code == 400 and errors(no_note) == {("note", "reason_required")}
    resolved = post(officer, f"manifests/{draft.pk}/resolve/", {"note": "นับถังใหม่แล้ว"})
    assert resolved.status_code == 200 and resolved.json()["discrepancy_resolved_at"]


# --------------------------------------------------------------------------------------------
# Streams and approvals


def test_streams_and_approvals_through_the_api(
    operator_a: Any, operator_b: Any, factory_a: Any, processor: Any, officer: Any
) -> None:
    data = {
        "generator": factory_a.pk,
        "waste_code": "16 06 01*",
        "description": "แบตเตอรี่ตะกั่วกรดใช้แล้ว",
        "expected_tonnes": 12,
    }
    assert post(operator_b, "streams/", data).status_code == 403
    missing = post(operator_a, "streams/", {**data, "generator": 999999})
    assert missing.status_code == 400 and errors(missing) == {("generator", "not_found")}
    fixed = post(operator_a, "streams/", {**data, "hazardous": False})
    assert fixed.status_code == 400 and errors(fixed) == {("hazardous", "hazard_fixed")}
    assert not WasteStream.objects.exists()

    created = post(operator_a, "streams/", data)
    assert created.status_code == 201, created.content
    stream = created.json()
    assert stream["hazardous"] is True and stream["expected_tonnes"] == "12.0000"
    assert stream["id"] in ids(api_as(operator_a).get(f"{URL}/streams/"))
    assert ids(api_as(operator_b).get(f"{URL}/streams/")) == set()

    request = {"stream": stream["id"], "processor": processor.pk, "operation": "R4"}
    not_yours = post(operator_b, "approvals/", {**request, "quantity_tonnes": "5"})
    assert not_yours.status_code == 400 and errors(not_yours) == {("stream", "not_found")}
    lacking = post(operator_a, "approvals/", {**request, "operation": "D10", "quantity_tonnes": 5})
    assert errors(lacking) == {("processor", "processor_not_permitted")}
    asked = post(operator_a, "approvals/", {**request, "quantity_tonnes": "5"})
    assert asked.status_code == 201 and asked.json()["status"] == "requested"
    pk = asked.json()["id"]
    assert pk in ids(api_as(officer).get(f"{URL}/approvals/", {"status": "requested"}))
    assert ids(api_as(operator_b).get(f"{URL}/approvals/")) == set()

    own = post(operator_a, f"approvals/{pk}/decide/", {"approve": True})
    assert own.status_code == 403 and errors(own) == {(None, "permission_denied")}
    no_reason = post(officer, f"approvals/{pk}/decide/", {"approve": "false"})
    assert errors(no_reason) == {("reason", "reason_required")}
    bad_date = post(officer, f"approvals/{pk}/decide/", {"approve": True, "valid_until": "soon"})
    assert errors(bad_date) == {("valid_until", "invalid_date")}
    assert Approval.objects.get(pk=pk).status == "requested"

    until = timezone.localdate() + dt.timedelta(days=90)
    decided = post(
        officer, f"approvals/{pk}/decide/", {"approve": True, "valid_until": until.isoformat()}
    )
    assert decided.status_code == 200, decided.content
    assert decided.json()["status"] == "approved"
    assert decided.json()["valid_until"] == until.isoformat()
    again = post(officer, f"approvals/{pk}/decide/", {"approve": False, "reason": "x"})
    assert again.status_code == 400 and errors(again) == {(None, "decided")}


# --------------------------------------------------------------------------------------------
# Who sees which manifests

CAST = [
    ("admin", {"a", "b"}),
    ("officer", {"a", "b"}),
    ("committee", {"a", "b"}),
    ("provincial_officer", {"a"}),  # Rayong: factory_a and the processor are in province 21
    ("local_gov", {"a"}),  # Mueang Rayong (2101), where FactoryFactory puts both
    ("operator_a", {"a"}),
    ("operator_b", {"b"}),
    ("inspector", {"b"}),  # assigned to factory_b only
    ("driver_1", {"a"}),
    ("driver_2", {"a", "b"}),  # on both: second transporter of a, only one of b
    ("processor_user", {"a"}),
    ("anonymous", None),
]


@pytest.fixture
def two_manifests(
    draft: Any,
    operator_b: Any,
    factory_b: Any,
    officer: Any,
    transporters: list[Any],
    inspector: Any,
) -> dict[str, int]:
    """Manifest a: factory_a (Rayong) to the Rayong processor by transporters 1 and 2 (the
    `draft` fixture); manifest b: factory_b (Chon Buri) to a Chon Buri processor by
    transporter 2 only."""
    assert factory_b.province_id == "20"
    cb = FactoryFactory(
        operator=OperatorFactory(code="op-cb"), province_id="20", district_id="2001"
    )
    ProcessorPermit.objects.create(
        processor=cb,
        waste_code=code("160601"),
        operation=op("R4"),
        capacity_tonnes=D(100),
        valid_from=dt.date(2015, 1, 1),
    )
    stream = services.stream_register(
        acting_user=operator_b,
        generator=factory_b,
        data={"waste_code": "160601", "description": "แบตเตอรี่", "expected_tonnes": "5"},
    )
    a = services.approval_request(
        acting_user=operator_b,
        stream=stream,
        data={"processor": cb.pk, "operation": "R4", "quantity_tonnes": "5"},
    )
    services.approval_decide(acting_user=officer, approval=a, approve=True)
    m_b = services.manifest_create(
        acting_user=operator_b,
        data={
            "approval": a.pk,
            "lines": [{"waste_code": "160601", "quantity": "1", "unit": "t", "bulk": True}],
            "transporters": [transporters[1].code],
        },
    ).obj
    FactoryAssignment.objects.create(factory=factory_b, inspector=inspector)
    return {"a": draft.pk, "b": m_b.pk}


@pytest.mark.parametrize(("who", "sees"), CAST)
def test_each_role_sees_only_its_manifests(
    request: pytest.FixtureRequest,
    two_manifests: dict[str, int],
    driver_1: Any,
    driver_2: Any,
    processor_user: Any,
    who: str,
    sees: set[str] | None,
) -> None:
    user = None if who == "anonymous" else request.getfixturevalue(who)
    client = api_as(user)
    r = client.get(f"{URL}/manifests/")
    if sees is None:
        assert r.status_code in (401, 403)
        return
    visible = ids(r)
    assert visible == {two_manifests[k] for k in sees}
    assert r.json()["count"] == len(sees)  # no row twice
    for name, pk in two_manifests.items():
        expected = 200 if name in sees else 404
        assert client.get(f"{URL}/manifests/{pk}/").status_code == expected, (who, name)
