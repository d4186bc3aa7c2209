"""Reading a service's input field by field, the same way in every app.

A service gets a plain mapping (from a page's form or an API body), reads each field through a
`Reader`, which records a Problem for every bad value instead of stopping at the first, and
calls `check()` before writing anything, so the caller hears of all problems at once. An app
subclasses it to add readers of its own kinds of value (a waste code, a fiscal year) and passes
its message table, which extends `MESSAGES`.
"""

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from rongngan.core.errors import Problem, RongnganValidationError
from rongngan.core.thai import parse_thai_number

MESSAGES: dict[str, Any] = {
    "required": _("This field is required."),
    "number": _("Give a number."),
    "negative": _("Cannot be below zero."),
    "positive": _("Must be more than zero."),
    "whole_number": _("Give a whole number."),
    "too_long": _("At most %(max)s characters."),
    "choice": _("“%(value)s” is not one of the allowed values."),
    "too_large": _("The number is too large."),
    "not_a_list": _("Give a list."),
}

# Quantities are stored with 18 digits, 4 of them decimals: 10^14 is beyond every column.
LARGEST = Decimal(10) ** 14


def decimal_places(value: Decimal) -> int:
    """Places after the point that carry a digit: 1.50 has 1, 1500 has 0 (exact: read from the
    digits, no rounding, so any value can be asked)."""
    _sign, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)
    if not any(digits):  # zero, however written ("0.0000"), carries no decimal
        return 0
    places = -exponent if exponent < 0 else 0
    for digit in reversed(digits[len(digits) - places :] if places else ()):
        if digit:
            break
        places -= 1
    return places


def column_problem(
    value: Decimal, *, max_digits: int, places: int
) -> tuple[str, dict[str, Any]] | None:
    """Why `value` does not fit a numeric(max_digits, places) column as given, or None:
    ("too_large", {"max": the largest value it holds}) or ("too_many_decimals", {"places": …}),
    more decimals than it keeps (storing would round them silently). Each app words (and
    codes) the answer its own way."""
    limit = Decimal(10) ** (max_digits - places)
    if abs(value) >= limit:
        return "too_large", {"max": limit - Decimal(1).scaleb(-places)}
    if decimal_places(value) > places:
        return "too_many_decimals", {"places": places}
    return None


class Reader:
    def __init__(
        self, data: Mapping[str, Any], messages: Mapping[str, Any] = MESSAGES, prefix: str = ""
    ) -> None:
        self.data = data
        self.messages = messages
        self.prefix = prefix  # "lines[2]." names the fields of one item of a list
        self.problems: list[Problem] = []

    def has(self, name: str) -> bool:
        return name in self.data

    def problem(self, name: str | None, code: str, **params: Any) -> None:
        where = f"{self.prefix}{name}" if name else (self.prefix.rstrip(".") or None)
        self.problems.append(Problem(where, code, self.messages[code], params))

    def text(self, name: str, *, required: bool = False, max_length: int | None = None) -> str:
        value = self.data.get(name)
        value = "" if value is None else str(value).strip()
        if required and not value:
            self.problem(name, "required")
        if max_length and len(value) > max_length:
            self.problem(name, "too_long", max=max_length)
        return value

    def decimal(
        self, name: str, *, required: bool = False, sign: str | None = None
    ) -> Decimal | None:
        """A number as written by people ("1,234.5", Thai digits) or sent by machines; `sign`
        "non_negative" or "positive" refuses values below zero, or zero too. Floats are taken
        by their shortest text ("0.1", not 0.1000000000000000055…)."""
        raw = self.data.get(name)
        if raw is None or str(raw).strip() == "":
            if required:
                self.problem(name, "required")
            return None
        if isinstance(raw, bool):
            self.problem(name, "number")
            return None
        try:
            if isinstance(raw, Decimal):
                value = raw
            elif isinstance(raw, int | float):
                value = Decimal(repr(raw))
            else:
                value = parse_thai_number(str(raw))
        except (ValueError, ArithmeticError):
            self.problem(name, "number")
            return None
        if not value.is_finite():
            self.problem(name, "number")
            return None
        if abs(value) >= LARGEST:
            self.problem(name, "too_large")
            return None
        if sign in ("non_negative", "positive") and value < 0:
            self.problem(name, "negative")
        elif sign == "positive" and value == 0:
            self.problem(name, "positive")
        return value

    def integer(self, name: str, *, required: bool = False, sign: str | None = None) -> int | None:
        value = self.decimal(name, required=required, sign=sign)
        if value is None:
            return None
        if value != value.to_integral_value():
            self.problem(name, "whole_number")
            return None
        return int(value)

    def choice(self, name: str, choices: Any, *, required: bool = True) -> str:
        """One of a TextChoices' values."""
        value = self.text(name, required=required)
        if value and value not in choices.values:
            self.problem(name, "choice", value=value)
        return value

    def check(self) -> None:
        if self.problems:
            raise RongnganValidationError(self.problems)
