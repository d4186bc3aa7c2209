"""Figures compared with a limit or a threshold, shown so that rounding never changes the
verdict a reader draws (core's `num` rounds to 4 places: 950.000001 ppm would read "950" beside
"not more than 950 ppm", 79.6 % availability "80 %" beside an 80 % threshold).

`num_vs`: the value with 4 decimal places, or as many more as it takes for the shown figure to
stand on the same side of every level of the limit as the value does (above, below, equal);
`qty`: a stored quantity exactly (a limit of 0.00005 is not "0.0001"); `pct`: an availability
percentage against MONITORING_REPORTING_MIN_AVAILABILITY, whole percents when that tells the
truth.
"""

from collections.abc import Mapping
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any

from django import template

from rongngan.monitoring import conf

register = template.Library()
LEVELS = ("value", "low_value", "high_value", "upper_value")
EMPTY = "—"


def _dec(value: Any) -> Decimal | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        d = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return d if d.is_finite() else None


def _levels(limit: Any) -> list[Decimal]:
    """The levels of a limit: a number, or a limit (model or mapping) with value, low_value,
    high_value and upper_value."""
    if isinstance(limit, Mapping):
        raw = [limit.get(k) for k in LEVELS]
    elif any(hasattr(limit, k) for k in LEVELS):
        raw = [getattr(limit, k, None) for k in LEVELS]
    else:
        raw = [limit]
    return [d for d in map(_dec, raw) if d is not None]


def _side(a: Decimal, b: Decimal) -> int:
    return (a > b) - (a < b)


def _text(d: Decimal) -> str:
    text = f"{d:,f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def shown(value: Any, levels: list[Decimal], places: int = 4) -> str:
    """`value` with `places` decimal places, or more until the figure compares with each level
    as the value does (exact at worst)."""
    d = _dec(value)
    if d is None:
        return EMPTY if value in (None, "") else str(value)
    while True:
        try:
            rounded = d.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)
        except InvalidOperation:  # more digits than the context holds: show it exactly
            return _text(d)
        if rounded == d or all(_side(rounded, lv) == _side(d, lv) for lv in levels):
            return _text(rounded)
        places += 1


@register.filter
def num_vs(value: Any, limit: Any = None) -> str:
    """A value compared with `limit` (a number or a limit): never shown equal to a level it is
    not equal to, nor on the other side of it."""
    return shown(value, _levels(limit) if limit is not None else [])


@register.filter
def qty(value: Any) -> str:
    """A stored quantity exactly: thousands separated, no trailing zeros."""
    d = _dec(value)
    if d is None:
        return EMPTY if value in (None, "") else str(value)
    return _text(d)


@register.filter
def pct(value: Any) -> str:
    """An availability percentage (without the sign) against the reporting threshold."""
    threshold = _dec(conf.get("MONITORING_REPORTING_MIN_AVAILABILITY"))
    return shown(value, [threshold] if threshold is not None else [], places=0)
