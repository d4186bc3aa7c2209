"""Edges of the waste counts: returned waste never counted as accepted or received, shipments
counted once, a storage alert that comes back when its approval lapses, and figures too large
for their columns refused rather than failing."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone

from rongngan.core.errors import RongnganValidationError
from rongngan.waste import queries, services
from rongngan.waste.clocks import run_clocks
from rongngan.waste.models import Alert, ProcessorPermit, WasteCode, WasteStream
from rongngan.waste.tests.test_services import receive, sign_through


@pytest.fixture
def returned(draft, operator_a, driver_1, driver_2, processor_user, transporters):
    """1,240 kg shipped, 340 kg refused and received back by the generator (factory_a)."""
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
    return m


def test_the_dashboard_by_code_does_not_count_waste_returned_to_its_generator(
    client, officer, returned
):
    client.force_login(officer)
    page = client.get(reverse("waste:dashboard_codes")).content.decode()
    # Only the 900 kg the processor kept are accepted; the 340 kg returned are not managed.
    assert '<td class="num">0.9</td>' in page
    assert '<td class="num">1.24</td>' not in page


def test_mass_balance_accepted_does_not_count_the_generator_taking_its_waste_back(
    returned, battery_stream
):
    year = timezone.localtime(returned.shipped_at).year
    (row,) = queries.mass_balance(WasteStream.objects.filter(pk=battery_stream.pk), year)
    assert row["accepted_kg"] == D("900")


def test_returned_waste_is_not_received_tonnes_of_a_generator_that_is_also_a_processor(
    returned, factory_a
):
    # The generator also runs a permitted plant (a processor generates residues of its own).
    ProcessorPermit.objects.create(
        processor=factory_a,
        waste_code=WasteCode.objects.get(code="160601"),
        operation_id="R4",
        capacity_tonnes=D("0.4"),
        valid_from=dt.date(2015, 1, 1),
    )
    row = queries.processors().get(pk=factory_a.pk)
    assert not row.received_kg
    year = timezone.localtime(returned.received_at).year
    near = queries.capacity_use(year, share=D("0.8"))
    assert [r for r in near if r["permit"].processor_id == factory_a.pk] == []


def test_storage_alert_comes_back_when_the_storage_approval_lapses(
    battery_stream, operator_a, officer
):
    today = timezone.localdate()
    services.generation_record(
        acting_user=operator_a, stream=battery_stream, data={"month": "2026-01", "quantity": "500"}
    )
    run_clocks(today)
    assert Alert.objects.filter(kind=Alert.Kind.STORAGE, closed_at__isnull=True).count() == 1
    until = today + dt.timedelta(days=10)
    services.storage_permit(
        acting_user=officer, stream=battery_stream, valid_until=until, reason="awaiting a kiln"
    )
    run_clocks(today)
    assert not Alert.objects.filter(kind=Alert.Kind.STORAGE, closed_at__isnull=True).exists()
    # The approval has run out and the same waste is still held, long past 90 days.
    run_clocks(until + dt.timedelta(days=1))
    assert Alert.objects.filter(kind=Alert.Kind.STORAGE, closed_at__isnull=True).count() == 1


def test_the_dashboard_counts_only_generators_shipments_not_the_return_trip(
    client, officer, returned
):
    client.force_login(officer)
    r = client.get(reverse("waste:dashboard"))
    assert r.context["shipped_count"] == 1


def test_a_quantity_beyond_the_columns_digits_is_refused_not_a_server_error(
    battery_stream, operator_a
):
    with pytest.raises(RongnganValidationError):
        services.generation_record(
            acting_user=operator_a,
            stream=battery_stream,
            data={"month": "2026-01", "quantity": "100000000000000"},
        )
    assert not battery_stream.generation.exists()


def test_capacity_with_a_year_out_of_range_is_not_a_server_error(officer):
    from conftest import api_as

    r = api_as(officer).get("/api/v1/waste/capacity/?year=10000")
    assert r.status_code in (200, 400)
