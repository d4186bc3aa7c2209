"""Metrics other modules publish for the action plan to bind its KPIs to.

An app declares its metrics in its own `metrics.py` with `@metric(...)`; the plan reads them only
through this registry, never through the app's models. A metric answers for several periods at
once with one aggregate query (`compute(periods)` returns one value per (start, end) pair, both
dates inclusive), and can list the records behind a value (`records(start, end)`) so a number on
the dashboard can be followed down to the factories or documents counted.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

Period = tuple[date, date]
Compute = Callable[[Sequence[Period]], list[Decimal | None]]


@dataclass(frozen=True)
class Metric:
    key: str
    label: Any  # lazy translation
    unit: str  # one of rongngan.plan.models.Unit values
    accumulation: str  # "cumulative" (a total over the period) or "level" (a rate in the period)
    compute: Compute
    description: Any = ""
    records: Callable[[date, date], QuerySet] | None = None
    # (attribute path, lazy label) pairs shown for each record in the drill-down
    columns: Sequence[tuple[str, Any]] = field(default_factory=tuple)

    @property
    def has_records(self) -> bool:
        """Whether the records behind a value can be listed (templates must not call them)."""
        return self.records is not None


_REGISTRY: dict[str, Metric] = {}


def metric(
    key: str,
    *,
    label: Any,
    unit: str,
    accumulation: str,
    description: Any = "",
    records: Callable[[date, date], QuerySet] | None = None,
    columns: Sequence[tuple[str, Any]] = (),
) -> Callable[[Compute], Compute]:
    """Registers the decorated `compute(periods)` function under `key`."""

    def register(fn: Compute) -> Compute:
        if key in _REGISTRY and _REGISTRY[key].compute is not fn:
            raise ValueError(f"metric {key!r} is registered twice")
        _REGISTRY[key] = Metric(
            key=key,
            label=label,
            unit=unit,
            accumulation=accumulation,
            compute=fn,
            description=description,
            records=records,
            columns=tuple(columns),
        )
        return fn

    return register


def get(key: str) -> Metric | None:
    return _REGISTRY.get(key)


def all_metrics() -> list[Metric]:
    return sorted(_REGISTRY.values(), key=lambda m: m.key)


def choices() -> list[tuple[str, str]]:
    return [(m.key, f"{m.key} — {m.label}") for m in all_metrics()]
