"""Links to a factory's page only for those who may open it: an operator reads its own
organisation's factories and gets 404 for the others (the foundation issue's rule), so a page
that names another party's factory (a manifest's generator, a listed processor) names it
without a link that would lead to a 404."""

from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import format_html

from rongngan.registry.queries import factories_for_user

register = template.Library()


@register.simple_tag(takes_context=True)
def factory_link(context: Any, factory_id: Any, text: Any, anchor: str = "") -> str:
    """`text` linked to the factory's page when the request's user may open it, else as text."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if factory_id and user is not None and factories_for_user(user).filter(pk=factory_id).exists():
        url = reverse("registry:factory_detail", args=[factory_id]) + anchor
        return format_html('<a href="{}" lang="th">{}</a>', url, text)
    return format_html('<span lang="th">{}</span>', text)
