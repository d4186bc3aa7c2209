"""The plan's waste KPIs: tonnes into proper management, counted once; utilisation rate."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rongngan.core import metrics
from rongngan.waste import services

FY2570 = [(dt.date(2026, 10, 1), dt.date(2027, 9, 30))]


def ship(
    stream,
    processor,
    operation,
    qty_t,
    *,
    generator_user,
    officer,
    drivers,
    processor_user,
    previous=None,
    record=None,
):
    a = services.approval_request(
        acting_user=generator_user,
        stream=stream,
        data={"processor": processor.pk, "operation": operation, "quantity_tonnes": "100"},
    )
    services.approval_decide(acting_user=officer, approval=a, approve=True)
    m = services.manifest_create(
        acting_user=generator_user,
        data={
            "approval": a.pk,
            "transporters": [d.organisation.code for d in drivers],
            "lines": [
                {"waste_code": stream.waste_code_id, "quantity": qty_t, "unit": "t", "bulk": True}
            ],
            **({"previous": previous.pk} if previous else {}),
        },
    ).obj
    for u in (generator_user, *drivers):
        m = services.manifest_sign(acting_user=u, manifest=m)
    m = services.manifest_receive(
        acting_user=processor_user,
        manifest=m,
        data={"lines": [{"number": 1, "received_quantity": D(qty_t) * 1000}]},
    ).obj
    if record:
        m = services.manifest_process(
            acting_user=processor_user, manifest=m, data={"operation": record}
        )
    return m


@pytest.fixture
def oil_stream(operator_a, factory_a):
    return services.stream_register(
        acting_user=operator_a,
        generator=factory_a,
        data={"waste_code": "13 02 05*", "description": "น้ำมันหล่อลื่นใช้แล้ว", "expected_tonnes": "500"},
    )


def value(key, periods=FY2570):
    return metrics.get(key).compute(periods)


def test_waste_through_storage_counts_once_at_its_final_operation(
    oil_stream,
    processor,
    processor_user,
    processor_org,
    second_processor,
    operator_a,
    officer,
    driver_1,
):
    from conftest import _user
    from rongngan.accounts.models import Role

    # generator -> processor's store (R13): not final, not counted
    stored = ship(
        oil_stream,
        processor,
        "R13",
        "10",
        generator_user=operator_a,
        officer=officer,
        drivers=[driver_1],
        processor_user=processor_user,
        record="R13",
    )
    assert value("waste.hazardous_tonnes_managed") == [D(0)]
    # store -> re-refiner (R9), linked to the first: counted once, 10 t = 0.00001 Mt
    store_stream = services.stream_register(
        acting_user=processor_user,
        generator=processor,
        data={"waste_code": "130205", "description": "น้ำมันใช้แล้วจากคลัง", "expected_tonnes": "50"},
    )
    second_user = _user("second_user", Role.OPERATOR, organisation=second_processor.operator)
    ship(
        store_stream,
        second_processor,
        "R9",
        "10",
        generator_user=processor_user,
        officer=officer,
        drivers=[driver_1],
        processor_user=second_user,
        previous=stored,
        record="R9",
    )
    assert value("waste.hazardous_tonnes_managed") == [D("0.00001")]
    assert value("waste.nonhazardous_tonnes_managed") == [D(0)]
    assert value("waste.utilisation_rate") == [D(100)]


def test_the_utilisation_rate_is_recovery_over_known_final_operations(
    battery_stream, processor, processor_user, operator_a, officer, driver_1
):
    ship(
        battery_stream,
        processor,
        "R4",
        "3",
        generator_user=operator_a,
        officer=officer,
        drivers=[driver_1],
        processor_user=processor_user,
        record="R4",
    )
    ship(
        battery_stream,
        processor,
        "D9",
        "1",
        generator_user=operator_a,
        officer=officer,
        drivers=[driver_1],
        processor_user=processor_user,
        record="D9",
    )
    assert value("waste.utilisation_rate") == [D(75)]
    assert value("waste.hazardous_tonnes_managed") == [D("0.000004")]
    rows = metrics.get("waste.utilisation_rate").records(*FY2570[0])
    assert rows.count() == 2


def test_a_metric_answers_every_period_in_one_query(
    battery_stream, processor, processor_user, operator_a, officer, driver_1
):
    ship(
        battery_stream,
        processor,
        "R4",
        "3",
        generator_user=operator_a,
        officer=officer,
        drivers=[driver_1],
        processor_user=processor_user,
    )
    quarters = [
        (dt.date(2026, 10, 1), dt.date(2026, 12, 31)),
        (dt.date(2027, 1, 1), dt.date(2027, 3, 31)),
    ]
    with CaptureQueriesContext(connection) as ctx:
        result = value("waste.hazardous_tonnes_managed", quarters)
    assert len(ctx.captured_queries) == 1
    assert result == [D("0.000003"), D(0)]  # received today, in Q1 of FY 2570


def test_the_manifest_keeps_the_totals_the_kpis_read(
    draft, operator_a, driver_1, driver_2, processor_user, officer
):
    m = draft
    for u in (operator_a, driver_1, driver_2):
        m = services.manifest_sign(acting_user=u, manifest=m)
    m = services.manifest_receive(
        acting_user=processor_user,
        manifest=m,
        data={
            "lines": [
                {"number": 1, "received_quantity": "1200", "refused_quantity": "100"},
                {"number": 2, "received_quantity": "40", "received_containers": 2},
            ]
        },
    ).obj
    m.refresh_from_db()
    assert (m.accepted_hazardous_kg, m.accepted_other_kg) == (D("1140"), D(0))
    assert m.counted_final and m.counted_recovery  # planned R4
    m = services.manifest_process(acting_user=processor_user, manifest=m, data={"operation": "D9"})
    m.refresh_from_db()
    assert m.counted_final and not m.counted_recovery  # recorded D9 replaces the plan
    # The processor is permitted for the corrected code under both operations.
    from rongngan.waste.models import ProcessorPermit

    for operation in ("R4", "D9"):
        ProcessorPermit.objects.create(
            processor=m.processor,
            waste_code_id="100101",
            operation_id=operation,
            capacity_tonnes=D(100),
            valid_from=dt.date(2015, 1, 1),
        )
    c = services.correction_open(
        acting_user=officer,
        manifest=m,
        data={"reason": "รหัสผิด", "lines": {"2": {"waste_code": "100101"}}},
    )
    m = services.correction_apply(acting_user=officer, correction=c)
    m.refresh_from_db()
    assert (m.accepted_hazardous_kg, m.accepted_other_kg) == (D("1100"), D("40"))
