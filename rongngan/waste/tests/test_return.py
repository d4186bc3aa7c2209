"""Refused waste sent back to its generator: a new manifest linked to the first, signed by the
refusing processor, the transporters and the generator; counted nowhere as managed, and held
by the generator again."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import api_as
from rongngan.core.errors import RongnganValidationError
from rongngan.waste import metrics, queries, services
from rongngan.waste.models import Manifest, WasteStream
from rongngan.waste.tests.test_services import receive, sign_through


def codes_of(exc):
    return [(p.field, p.code) for p in exc.value.problems]


@pytest.fixture
def refused(draft, operator_a, driver_1, driver_2, processor_user):
    m = sign_through(draft, operator_a, driver_1, driver_2)
    return receive(m, processor_user, "1200", refused=("300", "40"))


def test_the_processor_sends_the_refused_part_back_on_a_linked_manifest(
    refused, processor_user, transporters, processor, factory_a
):
    back = services.manifest_return(
        acting_user=processor_user,
        manifest=refused,
        data={"transporters": [{"organisation": transporters[1].code, "vehicle": "80-1111"}]},
    ).obj
    assert back.is_return and back.previous == refused and back.status == "draft"
    assert (back.generator, back.processor, back.operation_id) == (processor, factory_a, "R13")
    assert [(ln.waste_code_id, ln.quantity_kg) for ln in back.lines.order_by("number")] == [
        ("160601", D("300")),
        ("160601", D("40")),
    ]
    with pytest.raises(RongnganValidationError) as exc:
        services.manifest_return(
            acting_user=processor_user,
            manifest=refused,
            data={"transporters": [transporters[1].code]},
        )
    assert codes_of(exc) == [(None, "already_rerouted")]


def test_only_the_refusing_processor_sends_waste_back(
    refused, operator_a, operator_b, transporters
):
    for user in (operator_a, operator_b):
        with pytest.raises(PermissionError):
            services.manifest_return(
                acting_user=user, manifest=refused, data={"transporters": [transporters[0].code]}
            )
    assert not Manifest.objects.filter(is_return=True).exists()


def test_nothing_refused_means_nothing_to_send_back(
    draft, operator_a, driver_1, driver_2, processor_user, transporters
):
    m = receive(sign_through(draft, operator_a, driver_1, driver_2), processor_user, "1200")
    with pytest.raises(RongnganValidationError) as exc:
        services.manifest_return(
            acting_user=processor_user, manifest=m, data={"transporters": [transporters[0].code]}
        )
    assert codes_of(exc) == [(None, "nothing_refused")]


def test_a_return_is_signed_in_order_received_by_the_generator_and_never_counted(
    refused, processor_user, driver_1, operator_a, transporters, battery_stream
):
    back = services.manifest_return(
        acting_user=processor_user,
        manifest=refused,
        data={"transporters": [transporters[0].code]},
    ).obj
    with pytest.raises(RongnganValidationError) as exc:
        services.manifest_sign(acting_user=operator_a, manifest=back)  # not the one handing over
    assert codes_of(exc) == [(None, "out_of_order")]
    back = services.manifest_sign(acting_user=processor_user, manifest=back)
    back = services.manifest_sign(acting_user=driver_1, manifest=back)
    back = services.manifest_receive(
        acting_user=operator_a,
        manifest=back,
        data={
            "lines": [
                {"number": 1, "received_quantity": "300"},
                {"number": 2, "received_quantity": "40"},
            ]
        },
    ).obj
    assert back.status == "accepted"
    assert (back.accepted_hazardous_kg, back.accepted_other_kg, back.counted_final) == (
        D("0"),
        D("0"),
        False,
    )
    with pytest.raises(RongnganValidationError) as exc:
        services.manifest_process(acting_user=operator_a, manifest=back, data={"operation": "R4"})
    assert codes_of(exc) == [(None, "return_not_processed")]
    year = timezone.localdate().year
    period = (dt.date(year - 1, 10, 1), dt.date(year + 1, 9, 30))
    # Only what the first processor accepted is managed: 900 kg (1,240 sent, 340 refused),
    # in million tonnes.
    assert metrics.hazardous_tonnes_managed([period]) == [D("0.0000009")]
    # Back at the generator the 340 kg are held again: shipped 1,240, returned 340.
    log_month = timezone.localtime(refused.shipped_at).date().replace(day=1)
    services.generation_record(
        acting_user=operator_a,
        stream=battery_stream,
        data={"month": f"{log_month:%Y-%m}", "quantity": "1240"},
    )
    held = queries.held_since([battery_stream.pk], timezone.localdate())
    assert held[battery_stream.pk][0] == D("340")
    (row,) = queries.mass_balance(WasteStream.objects.filter(pk=battery_stream.pk), log_month.year)
    assert row["shipped_kg"] == D("900")


def test_the_api_and_the_page_send_the_refused_part_back(
    client, refused, processor_user, operator_a, transporters
):
    url = f"/api/v1/waste/manifests/{refused.pk}/return/"
    r = api_as(operator_a).post(url, {"transporters": [transporters[0].code]}, format="json")
    assert r.status_code == 403
    r = api_as(processor_user).post(
        url, {"transporters": [{"organisation": "nobody"}]}, format="json"
    )
    assert r.status_code == 400
    assert r.json()["errors"][0]["code"] == "unknown_transporter"
    assert not Manifest.objects.filter(is_return=True).exists()
    client.force_login(processor_user)
    page = client.get(reverse("waste:manifest_detail", args=[refused.pk])).content.decode()
    assert 'id="action-return"' in page
    r = client.post(
        reverse("waste:manifest_return", args=[refused.pk]),
        {"return-transporter": transporters[0].pk, "return-vehicle": "70-1"},
    )
    back = Manifest.objects.get(is_return=True)
    assert r.status_code == 302 and r.url == reverse("waste:manifest_detail", args=[back.pk])
    page = client.get(r.url).content.decode()
    assert 'id="return-notice"' in page
    r = api_as(processor_user).get(f"/api/v1/waste/manifests/{back.pk}/")
    assert r.json()["is_return"] is True and r.json()["previous"] == refused.pk
