"""The waste pages' own template helpers: Buddhist-era months and years, and which of the waste
pages the reader may open (so the tabs never lead to a 403)."""

from typing import Any

from django import template

from rongngan.core.thai import be_year as _be_year
from rongngan.waste import display

register = template.Library()


@register.filter
def be_month(value: Any) -> str:
    """A month as "ก.ย. 2569" (Thai) or "Sep 2569" (English)."""
    return display.be_month(value)


@register.filter
def be_year(value: Any) -> Any:
    """A C.E. year as its B.E. year (2025 -> 2568)."""
    try:
        return _be_year(int(value))
    except (TypeError, ValueError):
        return value


@register.simple_tag(takes_context=True)
def waste_pages(context: Any) -> dict[str, bool]:
    """Which waste pages the request's user may open: {"held": ..., "dashboard": ...}."""
    from rongngan.waste.views import may_open_dashboard, may_open_held

    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"held": False, "dashboard": False}
    return {"held": may_open_held(user), "dashboard": may_open_dashboard(user)}
