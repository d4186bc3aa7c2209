"""Errors that a user can act on: a field, a stable code, and the message in Thai and English.

Messages are lazy translations (English msgid, Thai in locale/th), rendered in both languages when
the error leaves the system, so one source serves the page (active language) and the API (both).
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import translation


def render_in(language: str, message: Any, params: Mapping[str, Any] | None = None) -> str:
    with translation.override(language):
        text = str(message)
        if params:
            try:
                text = text % params
            except (KeyError, TypeError, ValueError):
                pass
        return text


@dataclass
class Problem:
    field: str | None
    code: str
    message: Any  # a str or lazy translation; may hold %(name)s placeholders filled from params
    params: dict[str, Any] = field(default_factory=dict)
    row: int | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "field": self.field,
            "code": self.code,
            "message_th": render_in("th", self.message, self.params),
            "message_en": render_in("en", self.message, self.params),
        }
        if self.row is not None:
            out = {"row": self.row, **out}
        return out

    def text(self) -> str:
        """In the active language, for pages."""
        return render_in(translation.get_language() or "th", self.message, self.params)


class RongnganValidationError(DjangoValidationError):
    """Raised by services before anything is written; carries every problem found, not the first."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = list(problems)
        super().__init__([p.text() for p in self.problems] or ["invalid"])

    def as_list(self) -> list[dict[str, Any]]:
        return [p.as_dict() for p in self.problems]


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
