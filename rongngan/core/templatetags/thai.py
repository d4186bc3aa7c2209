"""Template filters for Thai conventions: Buddhist Era dates in the active language, Thai digits."""

import datetime as dt
from typing import Any

from django import template
from django.utils import timezone, translation

from rongngan.core.thai import format_en_date, format_thai_date, to_thai_digits

register = template.Library()


def _thai_active() -> bool:
    return (translation.get_language() or "th").startswith("th")


def _as_local_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.date()
    if isinstance(value, dt.date):
        return value
    return None


@register.filter
def be_date(value: Any, style: str = "short") -> str:
    """'1 ต.ค. 2562' in Thai, '1 Oct 2562' in English; datetimes are shown in Bangkok time."""
    d = _as_local_date(value)
    if d is None:
        return "" if value in (None, "") else str(value)
    if _thai_active():
        return format_thai_date(d, style=style)
    return format_en_date(d)


@register.filter
def be_datetime(value: Any) -> str:
    """The B.E. date and the time of day, in Bangkok time."""
    if not isinstance(value, dt.datetime):
        return be_date(value)
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{be_date(local)} {local:%H:%M}"


@register.filter
def thai_digits(value: Any, enabled: bool = True) -> str:
    """Arabic digits written as Thai digits (๐-๙) when `enabled` and Thai is the active language."""
    text = "" if value is None else str(value)
    return to_thai_digits(text) if enabled and _thai_active() else text


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    try:
        return mapping[key]
    except (KeyError, IndexError, TypeError):
        return None


@register.filter
def num(value: Any, places: int = 4) -> str:
    """A quantity as people read it: thousands separated, no trailing zeros (2,000; 94.3)."""
    return _num(value, places, "ROUND_HALF_EVEN")


@register.filter
def num_down(value: Any, places: int = 4) -> str:
    """Like `num`, cut instead of rounded: for figures compared with a threshold, so that a sum
    of 0.99999998 reads 0.9999 (below 1), never 1."""
    return _num(value, places, "ROUND_DOWN")


def _num(value: Any, places: int, rounding: str) -> str:
    from decimal import Decimal, InvalidOperation

    if value is None or value == "":
        return "—"
    try:
        d = Decimal(str(value)).quantize(Decimal(1).scaleb(-int(places)), rounding=rounding)
    except (InvalidOperation, ValueError):
        return str(value)
    text = f"{d:,f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
