"""The manifest's rules: who signs when, discrepancies, refusals, corrections, counting once."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.utils import timezone

from rongngan.core.errors import RongnganValidationError
from rongngan.waste import services
from rongngan.waste.codes import normalize_code, normalize_operation
from rongngan.waste.models import Manifest, ManifestLine, ManifestVersion, WasteStream


def codes_of(exc):
    return [(p.field, p.code) for p in exc.value.problems]


@pytest.mark.parametrize("raw", ["16 06 01", "160601", "16 06 01*", "16 06 01 HA", "16-06-01 hm"])
def test_codes_are_accepted_as_people_write_them(raw):
    assert normalize_code(raw) == "160601"


@pytest.mark.parametrize("raw", ["", "16 06", "1606011", "AB 06 01", "16 06 01 XX"])
def test_malformed_codes_are_refused(raw):
    with pytest.raises(ValueError):
        normalize_code(raw)


def test_operations_are_normalised():
    assert normalize_operation(" r 13 ") == "R13" and normalize_operation("D1") == "D1"


def test_a_stream_takes_its_hazard_from_the_list(battery_stream):
    assert battery_stream.waste_code_id == "160601" and battery_stream.hazardous


def test_an_absolute_hazardous_code_cannot_be_declared_non_hazardous(operator_a, factory_a):
    with pytest.raises(RongnganValidationError) as exc:
        services.stream_register(
            acting_user=operator_a,
            generator=factory_a,
            data={
                "waste_code": "160601",
                "description": "x",
                "expected_tonnes": "1",
                "hazardous": "false",
            },
        )
    assert codes_of(exc) == [("hazardous", "hazard_fixed")]
    assert not WasteStream.objects.exists()


def test_unknown_and_heading_codes_are_refused(operator_a, factory_a):
    for raw, code in [
        ("99 99 99", "unknown_code"),
        ("16 06", "bad_code"),
        ("160600", "unknown_code"),
    ]:
        with pytest.raises(RongnganValidationError) as exc:
            services.stream_register(
                acting_user=operator_a,
                generator=factory_a,
                data={"waste_code": raw, "description": "x", "expected_tonnes": "1"},
            )
        assert codes_of(exc)[0] == ("waste_code", code)


def test_an_approval_for_an_operation_the_processor_lacks_is_refused(
    battery_stream, processor, operator_a
):
    with pytest.raises(RongnganValidationError) as exc:
        services.approval_request(
            acting_user=operator_a,
            stream=battery_stream,
            data={"processor": processor.pk, "operation": "D10", "quantity_tonnes": "1"},
        )
    assert codes_of(exc) == [("processor", "processor_not_permitted")]


def test_a_refusal_needs_a_reason(battery_stream, processor, operator_a, officer):
    a = services.approval_request(
        acting_user=operator_a,
        stream=battery_stream,
        data={"processor": processor.pk, "operation": "D9", "quantity_tonnes": "5"},
    )
    with pytest.raises(RongnganValidationError) as exc:
        services.approval_decide(acting_user=officer, approval=a, approve=False)
    assert codes_of(exc) == [("reason", "reason_required")]
    with pytest.raises(PermissionError):
        services.approval_decide(acting_user=operator_a, approval=a, approve=True)


def test_a_draft_converts_units_exactly(draft):
    lines = list(draft.lines.order_by("number"))
    assert lines[0].quantity_kg == D("1200") and lines[1].quantity_kg == D("40")
    assert draft.status == "draft" and draft.version == 0


def test_litres_need_a_density(approval, operator_a, transporters):
    with pytest.raises(RongnganValidationError) as exc:
        services.manifest_create(
            acting_user=operator_a,
            data={
                "approval": approval.pk,
                "transporters": [transporters[0].code],
                "lines": [{"waste_code": "160601", "quantity": "100", "unit": "L", "bulk": True}],
            },
        )
    assert codes_of(exc) == [("lines[1].density", "density_required")]
    outcome = services.manifest_create(
        acting_user=operator_a,
        data={
            "approval": approval.pk,
            "transporters": [transporters[0].code],
            "lines": [
                {
                    "waste_code": "160601",
                    "quantity": "0.25",
                    "unit": "m3",
                    "density": "1.3",
                    "bulk": True,
                }
            ],
        },
    )
    assert outcome.obj.lines.get().quantity_kg == D("325")


def test_a_manifest_to_a_processor_not_permitted_for_the_code_is_refused(
    approval, operator_a, transporters
):
    with pytest.raises(RongnganValidationError) as exc:
        services.manifest_create(
            acting_user=operator_a,
            data={
                "approval": approval.pk,
                "transporters": [transporters[0].code],
                "lines": [{"waste_code": "130205", "quantity": "1", "unit": "t", "bulk": True}],
            },
        )
    assert codes_of(exc) == [("lines[1].waste_code", "processor_not_permitted")]
    assert not Manifest.objects.exists()


def test_a_negative_quantity_is_refused(approval, operator_a, transporters):
    with pytest.raises(RongnganValidationError) as exc:
        services.manifest_create(
            acting_user=operator_a,
            data={
                "approval": approval.pk,
                "transporters": [transporters[0].code],
                "lines": [{"waste_code": "160601", "quantity": "-1", "unit": "t", "bulk": True}],
            },
        )
    assert codes_of(exc) == [("lines[1].quantity", "negative")]


def test_a_quantity_far_above_the_usual_saves_with_a_warning(approval, operator_a, transporters):
    outcome = services.manifest_create(
        acting_user=operator_a,
        data={
            "approval": approval.pk,
            "transporters": [transporters[0].code],
            "lines": [{"waste_code": "160601", "quantity": "5", "unit": "t", "bulk": True}],
        },
    )
    assert outcome.obj.pk and [w.code for w in outcome.warnings] == ["far_above_usual"]


def sign_through(m, *users):
    for u in users:
        m = services.manifest_sign(acting_user=u, manifest=m)
    return m


def test_parties_sign_in_order_and_only_for_themselves(
    draft, operator_a, driver_1, driver_2, processor_user
):
    with pytest.raises(RongnganValidationError) as exc:
        services.manifest_sign(acting_user=driver_1, manifest=draft)  # generator first
    assert codes_of(exc) == [(None, "out_of_order")]
    m = services.manifest_sign(acting_user=operator_a, manifest=draft)
    assert m.status == "scheduled" and m.version == 1
    with pytest.raises(RongnganValidationError) as exc:
        services.manifest_sign(acting_user=driver_2, manifest=m)  # transporter 1 first
    assert codes_of(exc) == [(None, "out_of_order")]
    m = services.manifest_sign(acting_user=driver_1, manifest=m)
    assert m.status == "in_transit" and m.shipped_at
    with pytest.raises(RongnganValidationError):  # not received before transporter 2 signs
        services.manifest_receive(acting_user=processor_user, manifest=m, data={"lines": []})
    m = services.manifest_sign(acting_user=driver_2, manifest=m)
    with pytest.raises(RongnganValidationError) as exc:
        services.manifest_sign(acting_user=driver_2, manifest=m)
    assert codes_of(exc) == [(None, "already_signed")]


def test_a_signature_dated_before_the_previous_is_refused(draft, operator_a, driver_1):
    t0 = timezone.now() - dt.timedelta(hours=3)
    m = services.manifest_sign(acting_user=operator_a, manifest=draft, data={"signed_at": t0})
    with pytest.raises(RongnganValidationError) as exc:
        services.manifest_sign(
            acting_user=driver_1, manifest=m, data={"signed_at": t0 - dt.timedelta(minutes=1)}
        )
    assert codes_of(exc) == [("signed_at", "before_previous")]
    assert Manifest.objects.get().status == "scheduled"


def test_only_drafts_are_deleted(draft, operator_a, driver_1):
    m = sign_through(draft, operator_a, driver_1)
    with pytest.raises(RongnganValidationError) as exc:
        services.manifest_delete(acting_user=operator_a, manifest=m)
    assert codes_of(exc) == [(None, "not_draft")]


def receive(m, user, first_kg, first_containers=None, refused=("0", "0"), code=None):
    return services.manifest_receive(
        acting_user=user,
        manifest=m,
        data={
            "lines": [
                {
                    "number": 1,
                    "received_quantity": first_kg,
                    "refused_quantity": refused[0],
                    **({"received_code": code} if code else {}),
                },
                {
                    "number": 2,
                    "received_quantity": "40",
                    "refused_quantity": refused[1],
                    "received_containers": first_containers if first_containers is not None else 2,
                },
            ]
        },
    ).obj


@pytest.mark.parametrize(
    "received_kg, flagged",
    [("1320", False), ("1080", False), ("1320.01", True), ("1079.99", True), ("1200", False)],
)
def test_bulk_weight_is_a_discrepancy_only_beyond_ten_percent(
    draft, operator_a, driver_1, driver_2, processor_user, received_kg, flagged
):
    m = sign_through(draft, operator_a, driver_1, driver_2)
    m = receive(m, processor_user, received_kg)
    line = m.lines.get(number=1)
    assert ("quantity" in line.discrepancies) is flagged
    assert m.discrepancy is flagged


def test_any_container_difference_and_another_code_are_discrepancies(
    draft, operator_a, driver_1, driver_2, processor_user
):
    m = sign_through(draft, operator_a, driver_1, driver_2)
    m = receive(m, processor_user, "1200", first_containers=3, code="130205")
    assert m.lines.get(number=1).discrepancies == ["type"]
    assert m.lines.get(number=2).discrepancies == ["containers"]


def test_a_partial_refusal_goes_on_to_another_processor_linked_to_the_first(
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
    m = sign_through(draft, operator_a, driver_1, driver_2)
    m = receive(m, processor_user, "1200.5", refused=("300.25", "0"))
    assert m.status == "partly_refused"
    line = m.lines.get(number=1)
    assert line.accepted_kg == D("900.25") and line.refused_kg == D("300.25")
    a2 = services.approval_request(
        acting_user=operator_a,
        stream=battery_stream,
        data={"processor": second_processor.pk, "operation": "R4", "quantity_tonnes": "1"},
    )
    services.approval_decide(acting_user=officer, approval=a2, approve=True)
    onward = services.manifest_reroute(
        acting_user=operator_a,
        manifest=m,
        data={"approval": a2.pk, "transporters": [transporters[0].code]},
    ).obj
    assert onward.previous == m and onward.processor == second_processor
    assert [ln.quantity_kg for ln in onward.lines.all()] == [D("300.25")]


def test_a_signed_manifest_changes_only_by_a_correction_that_keeps_the_old_version(
    draft, operator_a, driver_1, officer
):
    m = sign_through(draft, operator_a, driver_1)
    c = services.correction_open(
        acting_user=driver_1,
        manifest=m,
        data={"reason": "น้ำหนักชั่งจริง", "lines": {"1": {"quantity": "1.15"}}},
    )
    with pytest.raises(RongnganValidationError) as exc:
        services.correction_open(
            acting_user=operator_a, manifest=m, data={"reason": "x", "lines": {"2": {}}}
        )
    assert codes_of(exc) == [(None, "open_correction")]
    m = services.correction_apply(acting_user=officer, correction=c)
    assert m.version == 2
    assert ManifestLine.objects.get(manifest=m, number=1).quantity_kg == D("1150")
    v1, v2 = ManifestVersion.objects.filter(manifest=m).order_by("number")
    assert v1.snapshot["lines"][0]["quantity"] == "1.2000"
    assert v2.changes == {
        "lines.1.quantity": ["1.2000", "1.1500"],
        "lines.1.quantity_kg": ["1200.0000", "1150.0000"],
    }
    assert v2.reason == "น้ำหนักชั่งจริง" and v2.created_by == officer


def test_a_correction_may_not_touch_anything_but_lines(draft, operator_a):
    m = services.manifest_sign(acting_user=operator_a, manifest=draft)
    with pytest.raises(RongnganValidationError) as exc:
        services.correction_open(
            acting_user=operator_a,
            manifest=m,
            data={"reason": "x", "processor": 1, "lines": {"1": {"hazardous": False}}},
        )
    assert set(codes_of(exc)) == {
        ("lines.1.hazardous", "unknown_field"),
        ("processor", "unknown_field"),
    }


def test_manifest_numbers_follow_on_from_the_year_counter(approval, operator_a, transporters):
    from rongngan.waste.models import NumberSeries

    data = {
        "approval": approval.pk,
        "transporters": [transporters[0].code],
        "lines": [{"waste_code": "160601", "quantity": "1", "unit": "t", "bulk": True}],
    }
    first = services.manifest_create(acting_user=operator_a, data=data).obj
    second = services.manifest_create(acting_user=operator_a, data=data).obj
    prefix = first.number.rsplit("-", 1)[0] + "-"
    assert int(second.number.rsplit("-", 1)[1]) == int(first.number.rsplit("-", 1)[1]) + 1
    assert NumberSeries.objects.get(prefix=prefix).last == int(second.number[-7:])
