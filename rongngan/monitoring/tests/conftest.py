"""Monitoring fixtures: a stack and an effluent outlet at operator A's Rayong factory, one
stack at operator B's Chon Buri factory, with licence limits simple enough to reason about."""

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from rongngan.monitoring import services
from rongngan.monitoring.models import MonitoringPoint, PointParameter

# A fixed past hour so tests never depend on the clock (UTC).
T0 = dt.datetime(2026, 11, 20, 3, 0, tzinfo=dt.UTC)


def minute_rows(
    point: str,
    parameter: str,
    start: dt.datetime,
    values: list[Any],
    *,
    unit: str | None = None,
    flags: dict[int, str] | None = None,
) -> list[dict[str, Any]]:
    """One row a minute from `start`, as an analyser sends them (Bangkok offset)."""
    bkk = dt.timezone(dt.timedelta(hours=7))
    rows = []
    for i, value in enumerate(values):
        row: dict[str, Any] = {
            "point": point,
            "parameter": parameter,
            "ts": (start + dt.timedelta(minutes=i)).astimezone(bkk).isoformat(),
            "value": str(value),
        }
        if unit:
            row["unit"] = unit
        if flags and i in flags:
            row["flags"] = flags[i]
        rows.append(row)
    return rows


@pytest.fixture
def stack_a(officer: Any, factory_a: Any) -> MonitoringPoint:
    point = services.point_define(
        acting_user=officer,
        factory=factory_a,
        data={
            "code": "A-STACK-1",
            "name": "Boiler stack 1",
            "kind": "stack",
            "method": "continuous",
            "fuel": "oil",
            "attributes": {"source": "boiler_furnace"},
        },
    )
    services.point_parameter_set(
        acting_user=officer,
        point=point,
        parameter="so2",
        data={
            "effective_from": "2026-01-01",
            "limits": [
                {
                    "averaging": "hour",
                    "comparator": "max",
                    "value": "100",
                    "unit": "ppm",
                    "document": "licence 1/2569",
                },
            ],
        },
    )
    return point


@pytest.fixture
def so2_a(stack_a: MonitoringPoint) -> PointParameter:
    return stack_a.parameters.get(parameter_id="so2")


@pytest.fixture
def outlet_a(officer: Any, factory_a: Any) -> MonitoringPoint:
    point = services.point_define(
        acting_user=officer,
        factory=factory_a,
        data={
            "code": "A-OUT-1",
            "name": "Treated effluent outlet",
            "kind": "effluent_outlet",
            "method": "continuous",
            "large_discharge": True,
            "receiving_water": "Rayong river",
        },
    )
    for code in ("bod", "cod"):
        services.point_parameter_set(
            acting_user=officer, point=point, parameter=code, data={"effective_from": "2026-01-01"}
        )
    return point


@pytest.fixture
def stack_b(officer: Any, factory_b: Any) -> MonitoringPoint:
    point = services.point_define(
        acting_user=officer,
        factory=factory_b,
        data={"code": "B-STACK-1", "name": "Kiln stack", "kind": "stack", "method": "continuous"},
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
    return point


D = Decimal
