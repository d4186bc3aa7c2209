from typing import Any

from django.conf import settings
from django.http import HttpRequest

from rongngan.core.scoping import role_of


def site(request: HttpRequest) -> dict[str, Any]:
    return {
        "TILE_URL": settings.TILE_URL,
        "TILE_ATTRIBUTION": settings.TILE_ATTRIBUTION,
        "user_role": role_of(getattr(request, "user", None)),
    }
