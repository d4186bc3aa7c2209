"""API conventions shared by every app: errors as {"errors": [...]}, pagination, idempotency."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from rongngan.core.errors import Problem, problems_from_django, render_all
from rongngan.core.parsers import InvalidJSON, NotAnObject

NOT_FOUND = _("Not found.")
FORBIDDEN = _("You do not have permission to do this.")
UNAUTHENTICATED = _("Sign in or give an API token.")
METHOD_NOT_ALLOWED = _("%(method)s is not allowed here (allowed: %(allowed)s).")
PARSE_ERROR = _("The request body could not be read: %(reason)s")
UNSUPPORTED_MEDIA_TYPE = _("The content type “%(type)s” is not accepted here.")
NOT_ACCEPTABLE = _("None of the formats the client accepts can be given.")
THROTTLED = _("Too many requests: try again in %(wait)s seconds.")
# DRF's field errors whose text we give in both languages ourselves (DRF renders its own in the
# request's language only).
DRF_FIELD_MESSAGES = {
    "required": _("This field is required."),
    "null": _("This field may not be empty."),
    "blank": _("This field may not be blank."),
}


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


def _drf_problems(detail: Any, field: str | None = None) -> list[Problem]:
    if isinstance(detail, dict):
        out: list[Problem] = []
        for key, value in detail.items():
            name = None if key in ("non_field_errors", "detail") else str(key)
            out += _drf_problems(value, name if field is None else f"{field}.{name}")
        return out
    if isinstance(detail, list):
        return [p for item in detail for p in _drf_problems(item, field)]
    # DRF messages are already rendered in the active language: ours where we have one.
    code = str(getattr(detail, "code", None) or "invalid")
    return [Problem(field, code, DRF_FIELD_MESSAGES.get(code, str(detail)))]


def _english(exc: exceptions.APIException) -> str:
    """A parser's reason (a technical detail, e.g. where the JSON broke), kept as written."""
    detail = exc.detail
    return str(detail.get("detail", detail) if isinstance(detail, dict) else detail)


def problem_response(problems: list[Problem], http_status: int) -> Response:
    return Response({"errors": render_all(problems)}, status=http_status)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DjangoValidationError):
        return problem_response(problems_from_django(exc), status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Http404 | exceptions.NotFound):
        return problem_response([Problem(None, "not_found", NOT_FOUND)], 404)
    if isinstance(exc, PermissionDenied | PermissionError):
        return problem_response([Problem(None, "permission_denied", FORBIDDEN)], 403)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, NotAnObject | InvalidJSON):
        problems = [
            Problem(None, exc.problem_code, exc.problem_message, getattr(exc, "problem_params", {}))
        ]
    elif isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        problems = [
            Problem(
                None,
                getattr(exc, "problem_code", "not_authenticated"),
                getattr(exc, "problem_message", UNAUTHENTICATED),
            )
        ]
    elif isinstance(exc, exceptions.PermissionDenied):
        problems = [Problem(None, "permission_denied", FORBIDDEN)]
    elif isinstance(exc, exceptions.MethodNotAllowed):
        view = context.get("view")
        allowed = ", ".join(getattr(view, "allowed_methods", None) or [])
        method = getattr(context.get("request"), "method", "")
        problems = [
            Problem(
                None,
                "method_not_allowed",
                METHOD_NOT_ALLOWED,
                {"method": method, "allowed": allowed},
            )
        ]
    elif isinstance(exc, exceptions.ParseError):
        problems = [Problem(None, "parse_error", PARSE_ERROR, {"reason": _english(exc)})]
    elif isinstance(exc, exceptions.UnsupportedMediaType):
        media = getattr(context.get("request"), "content_type", "") or ""
        problems = [
            Problem(None, "unsupported_media_type", UNSUPPORTED_MEDIA_TYPE, {"type": media})
        ]
    elif isinstance(exc, exceptions.NotAcceptable):
        problems = [Problem(None, "not_acceptable", NOT_ACCEPTABLE)]
    elif isinstance(exc, exceptions.Throttled):
        problems = [Problem(None, "throttled", THROTTLED, {"wait": exc.wait or 0})]
    elif isinstance(exc, exceptions.APIException):
        problems = _drf_problems(exc.detail)
    else:
        problems = [Problem(None, "error", str(exc))]
    response.data = {"errors": render_all(problems)}
    return response
