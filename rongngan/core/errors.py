"""Errors that a user can act on: a field, a stable code, and the message in Thai and English.

Messages are lazy translations (English msgid, Thai in locale/th), rendered in both languages when
the error leaves the system, so one source serves the page (active language) and the API (both).
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import translation


def _fill(text: str, params: Mapping[str, Any] | None) -> str:
    if params:
        try:
            return text % params
        except (KeyError, TypeError, ValueError):
            pass
    return text


def render_in(language: str, message: Any, params: Mapping[str, Any] | None = None) -> str:
    with translation.override(language):
        return _fill(str(message), params)


def render_all(problems: Sequence["Problem"]) -> list[dict[str, Any]]:
    """Problems as the API and reports give them, in Thai and English. Each distinct message is
    rendered once per language (a 10,000-row report would otherwise switch the active language
    20,000 times), then filled with each problem's own values."""
    texts: dict[tuple[str, int], str] = {}
    for language in ("th", "en"):
        with translation.override(language):
            for p in problems:
                key = (language, id(p.message))  # the problems hold their messages meanwhile
                if key not in texts:
                    texts[key] = str(p.message)
    out: list[dict[str, Any]] = []
    for p in problems:
        item: dict[str, Any] = {
            "field": p.field,
            "code": p.code,
            "message_th": _fill(texts[("th", id(p.message))], p.params),
            "message_en": _fill(texts[("en", id(p.message))], p.params),
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


def problems_from_django(exc: DjangoValidationError) -> list[Problem]:
    """Keeps the field, code and lazy message of Django's own validation errors."""
    if isinstance(exc, RongnganValidationError):
        return exc.problems
    out: list[Problem] = []
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            for err in errors:
                out.append(
                    Problem(
                        None if name == "__all__" else name,
                        err.code or "invalid",
                        err.message,
                        dict(err.params or {}),
                    )
                )
    else:
        for err in exc.error_list:
            out.append(Problem(None, err.code or "invalid", err.message, dict(err.params or {})))
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
