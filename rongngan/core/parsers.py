"""The API's request parsers. Kept apart from `core.api`: DRF reads DEFAULT_PARSER_CLASSES while
`rest_framework.views` is being imported, which `core.api` itself imports, so a parser defined
there made an import cycle (the system checks failed when they imported `core.api` first)."""

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.parsers import JSONParser

NOT_AN_OBJECT = _("Send a JSON object.")


class NotAnObject(exceptions.ParseError):
    problem_code = "not_an_object"
    problem_message = NOT_AN_OBJECT


INVALID_JSON = _("The body is not valid JSON (%(reason)s).")


class InvalidJSON(exceptions.ParseError):
    problem_code = "parse_error"
    problem_message = INVALID_JSON

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.problem_params = {"reason": reason}


class ObjectJSONParser(JSONParser):
    """JSON whose top level is an object, as every write of the API takes (a list or a bare
    string is refused with `not_an_object` instead of failing later on `.get`). A view that takes
    other JSON (the monitoring readings: a list of rows) names DRF's own parser."""

    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except exceptions.ParseError as exc:
            # DRF words it in the request's language only; the reason (where the JSON broke,
            # from Python's decoder) is kept as written, the message given in both languages.
            cause = exc.__context__
            raise InvalidJSON(str(cause) if cause is not None else str(exc.detail)) from exc
        if not isinstance(data, dict):
            raise NotAnObject()
        return data
