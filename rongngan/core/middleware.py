import logging
import re
import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers

from rongngan.core import context

log = logging.getLogger("rongngan.request")
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def client_ip(request: HttpRequest) -> str | None:
    # Behind the documented reverse proxy the first X-Forwarded-For hop is the client.
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if forwarded and settings.USE_X_FORWARDED_FOR:
        return forwarded.split(",")[0].strip() or None
    return request.META.get("REMOTE_ADDR")


class RequestContextMiddleware:
    """Gives each request an id (kept from X-Request-ID when sane) and logs one line for it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = incoming if _SAFE_ID.match(incoming) else context.new_request_id()
        request.request_id = request_id  # type: ignore[attr-defined]
        started = time.perf_counter()
        source = "api" if request.path.startswith("/api/") else "web"
        with context.bind(request_id=request_id, ip=client_ip(request), source=source):
            response = self.get_response(request)
            user = getattr(request, "user", None)
            log.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                    "user": user.username if user is not None and user.is_authenticated else None,
                },
            )
        response["X-Request-ID"] = request_id
        return response


class ThaiFirstLocaleMiddleware:
    """Thai unless the user chose otherwise: the language cookie, then the account's choice.

    The browser's Accept-Language is ignored on purpose: many Thai officers' browsers announce
    English, and the platform is Thai-first.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        available = dict(settings.LANGUAGES)
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        if language not in available:
            user = getattr(request, "user", None)
            language = getattr(user, "language", "") if user is not None else ""
            if not (user is not None and user.is_authenticated) or language not in available:
                language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language  # type: ignore[attr-defined]
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ["Cookie"])
        return response
