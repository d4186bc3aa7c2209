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


class ObjectJSONParser(JSONParser):
    """JSON whose top level is an object, as every write of the API takes (a list or a bare
    string is refused with `not_an_object` instead of failing later on `.get`). A view that takes
    other JSON (the monitoring readings: a list of rows) names DRF's own parser."""

    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        data = super().parse(stream, media_type, parser_context)
        if not isinstance(data, dict):
            raise NotAnObject()
        return data
