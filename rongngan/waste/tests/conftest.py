"""A small waste world: a generator (operator A's factory), a processor with permits, two
transporters, and a user for each party."""

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from conftest import _user
from rongngan.accounts.models import Organisation, Role
from rongngan.registry.tests.factories import FactoryFactory, OperatorFactory
from rongngan.waste import services
from rongngan.waste.models import Approval, Operation, ProcessorPermit, WasteCode


def code(c: str) -> WasteCode:
    return WasteCode.objects.get(code=c)


def op(c: str) -> Operation:
    return Operation.objects.get(code=c)


@pytest.fixture
def processor_org(db: Any) -> Organisation:
    return OperatorFactory(code="op-proc", name_th="บริษัท กำจัดกาก จำกัด")


@pytest.fixture
def processor(processor_org: Organisation) -> Any:
    """A category-101 plant permitted for lead batteries (D9, R4) and waste oil (R9, R13)."""
    f = FactoryFactory(operator=processor_org, name_th="โรงงานปรับคุณภาพของเสียรวม")
    since = dt.date(2015, 1, 1)
    for c, o, cap in [
        ("160601", "R4", "5000"),
        ("160601", "D9", "5000"),
        ("130205", "R9", "20000"),
        ("130205", "R13", "20000"),
        ("100101", "D5", "100000"),
    ]:
        ProcessorPermit.objects.create(
            processor=f,
            waste_code=code(c),
            operation=op(o),
            capacity_tonnes=Decimal(cap),
            valid_from=since,
        )
    return f


@pytest.fixture
def second_processor(db: Any) -> Any:
    f = FactoryFactory(operator=OperatorFactory(code="op-proc2"), name_th="โรงงานรีไซเคิลน้ำมัน")
    ProcessorPermit.objects.create(
        processor=f,
        waste_code=code("130205"),
        operation=op("R9"),
        capacity_tonnes=Decimal(9000),
        valid_from=dt.date(2015, 1, 1),
    )
    ProcessorPermit.objects.create(
        processor=f,
        waste_code=code("160601"),
        operation=op("R4"),
        capacity_tonnes=Decimal(9000),
        valid_from=dt.date(2015, 1, 1),
    )
    return f


@pytest.fixture
def processor_user(processor_org: Organisation) -> Any:
    return _user("processor_user", Role.OPERATOR, organisation=processor_org)


@pytest.fixture
def transporters(db: Any) -> list[Organisation]:
    return [
        Organisation.objects.create(
            code=f"tr-{i}", kind=Organisation.Kind.WASTE_TRANSPORTER, name_th=f"ขนส่ง {i}"
        )
        for i in (1, 2)
    ]


@pytest.fixture
def driver_1(transporters: list[Organisation]) -> Any:
    return _user("driver_1", Role.OPERATOR, organisation=transporters[0])


@pytest.fixture
def driver_2(transporters: list[Organisation]) -> Any:
    return _user("driver_2", Role.OPERATOR, organisation=transporters[1])


@pytest.fixture
def battery_stream(operator_a: Any, factory_a: Any) -> Any:
    return services.stream_register(
        acting_user=operator_a,
        generator=factory_a,
        data={
            "waste_code": "16 06 01*",
            "description": "แบตเตอรี่ตะกั่วกรดใช้แล้ว",
            "expected_tonnes": "12",
        },
    )


@pytest.fixture
def approval(battery_stream: Any, processor: Any, operator_a: Any, officer: Any) -> Approval:
    a = services.approval_request(
        acting_user=operator_a,
        stream=battery_stream,
        data={"processor": processor.pk, "operation": "R4", "quantity_tonnes": "12"},
    )
    return services.approval_decide(acting_user=officer, approval=a, approve=True)


@pytest.fixture
def draft(approval: Approval, operator_a: Any, transporters: list[Organisation]) -> Any:
    return services.manifest_create(
        acting_user=operator_a,
        data={
            "approval": approval.pk,
            "lines": [
                {"waste_code": "160601", "quantity": "1.2", "unit": "t", "bulk": True},
                {
                    "waste_code": "160601",
                    "quantity": "40",
                    "unit": "kg",
                    "container_type": "ถัง 200 ลิตร",
                    "container_count": 2,
                },
            ],
            "transporters": [
                {"organisation": transporters[0].code, "vehicle": "70-1234"},
                {"organisation": transporters[1].code},
            ],
        },
    ).obj
