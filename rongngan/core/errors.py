"""Errors that a user can act on: a field, a stable code, and the message in Thai and English.

Messages are lazy translations (English msgid, Thai in locale/th), rendered in both languages when
the error leaves the system, so one source serves the page (active language) and the API (both).
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


def _fill(text: str, params: Mapping[str, Any] | None) -> str:
    """`text` % params, with lazy translations among the params rendered in the active language
    (a status label passed as `Model.Status(value).label` reads in Thai in the Thai message and in
    English in the English one)."""
    if params:
        if any(isinstance(v, Promise) for v in params.values()):
            params = {k: str(v) if isinstance(v, Promise) else v for k, v in params.items()}
        try:
            return text % params
        except (KeyError, TypeError, ValueError):
            pass
    return text


def _text(message: Any, params: Mapping[str, Any] | None, cache: dict[int, str]) -> str:
    """The message in the active language, filled. A plural message whose form depends on a
    value (Django's validators: "no more than %(max)s digits") renders empty on its own: it is
    filled through the lazy object, which picks the form from params."""
    key = id(message)
    text = cache.get(key)
    if text is None:
        text = cache[key] = str(message)
    if not text and params and isinstance(message, Promise):
        try:
            return str(message % params)
        except (KeyError, TypeError, ValueError):
            return text
    return _fill(text, params)


def render_in(language: str, message: Any, params: Mapping[str, Any] | None = None) -> str:
    with translation.override(language):
        return _text(message, params, {})


def render_all(problems: Sequence["Problem"]) -> list[dict[str, Any]]:
    """Problems as the API and reports give them, in Thai and English. The active language is
    switched once per language (a 10,000-row report would otherwise switch it 20,000 times);
    each distinct message is translated once, then filled with each problem's own values."""
    filled: dict[str, list[str]] = {}
    for language in ("th", "en"):
        texts: dict[int, str] = {}  # by id(): the problems hold their messages meanwhile
        with translation.override(language):
            filled[language] = [_text(p.message, p.params, texts) for p in problems]
    out: list[dict[str, Any]] = []
    for i, p in enumerate(problems):
        item: dict[str, Any] = {
            "field": p.field,
            "code": p.code,
            "message_th": filled["th"][i],
            "message_en": filled["en"][i],
        }
        out.append({"row": p.row, **item} if p.row is not None else item)
    return out


@dataclass
class Problem:
    field: str | None
    code: str
    message: Any  # a str or lazy translation; may hold %(name)s placeholders filled from params
    params: dict[str, Any] = field(default_factory=dict)
    row: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return render_all([self])[0]

    def text(self) -> str:
        """In the active language, for pages."""
        return render_in(translation.get_language() or "th", self.message, self.params)


class RongnganValidationError(DjangoValidationError):
    """Raised by services before anything is written; carries every problem found, not the first."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = list(problems)
        super().__init__([p.text() for p in self.problems] or ["invalid"])

    def as_list(self) -> list[dict[str, Any]]:
        return render_all(self.problems)


# Django's validators' messages that Django's own Thai catalogue lacks (or words as plurals that
# render empty without their count): ours, translated in locale/th, by the validator's code.
DJANGO_MESSAGES = {
    "max_digits": _("Ensure that there are no more than %(max)s digits in total."),
    "max_decimal_places": _("Ensure that there are no more than %(max)s decimal places."),
    "max_whole_digits": _(
        "Ensure that there are no more than %(max)s digits before the decimal point."
    ),
    "max_length": _("Ensure this value has at most %(limit_value)s characters."),
    "min_length": _("Ensure this value has at least %(limit_value)s characters."),
    "max_value": _("Ensure this value is less than or equal to %(limit_value)s."),
    "min_value": _("Ensure this value is greater than or equal to %(limit_value)s."),
}


def _django_problem(field: str | None, err: DjangoValidationError) -> Problem:
    code = err.code or "invalid"
    return Problem(field, code, DJANGO_MESSAGES.get(code, err.message), dict(err.params or {}))


def problems_from_django(exc: DjangoValidationError) -> list[Problem]:
    """Keeps the field, code and lazy message of Django's own validation errors (ours for the
    validators listed in DJANGO_MESSAGES, so that both languages say something)."""
    if isinstance(exc, RongnganValidationError):
        return exc.problems
    out: list[Problem] = []
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            for err in errors:
                out.append(_django_problem(None if name == "__all__" else name, err))
    else:
        for err in exc.error_list:
            out.append(_django_problem(None, err))
    return out


def show_problems(
    form: Any, exc: RongnganValidationError, where: Any = None, *, name_unmatched: bool = False
) -> None:
    """Each problem on its form field, else at the top of the form.

    `where(problem.field)` names the form field when it differs from the service's field;
    `name_unmatched` prefixes a problem shown at the top with the service's field name.
    """
    for problem in exc.problems:
        name = where(problem.field) if where else problem.field
        if name and name in form.fields:
            form.add_error(name, problem.text())
        elif problem.field and name_unmatched:
            form.add_error(None, f"{problem.field}: {problem.text()}")
        else:
            form.add_error(None, problem.text())
