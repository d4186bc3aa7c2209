"""CAS Registry Numbers: 2-7 digits, 2 digits, 1 check digit. The check digit is the sum of
the other digits, each times its position counted from the right (starting at 1), modulo 10."""

import re


class CasError(ValueError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


_SHAPE = re.compile(r"^(\d{2,7})-?(\d{2})-?(\d)$")
# What a person types when they mean a CAS number: digits, spaces and dashes only.
CAS_INPUT = re.compile(r"^[\d\s-]+$")


def check_digit(digits: str) -> int:
    return sum(int(d) * i for i, d in enumerate(reversed(digits), start=1)) % 10


def normalise_cas(text: str) -> str:
    """The canonical "NNNNNNN-NN-N" form, leading zeros dropped.

    Accepts the number with or without hyphens and with spaces; raises CasError with code
    "cas_format" for anything else, "cas_check_digit" when the check digit is wrong.
    """
    compact = re.sub(r"\s+", "", text or "")
    m = _SHAPE.match(compact)
    if not m and compact.isdecimal() and 5 <= len(compact) <= 10:
        m = _SHAPE.match(f"{compact[:-3]}-{compact[-3:-1]}-{compact[-1]}")
    if not m:
        raise CasError("cas_format", "A CAS number has the form 1234567-89-0.")
    first, second, check = m.groups()
    first = first.lstrip("0") or "0"
    if len(first) < 2:
        first = first.rjust(2, "0")
    if check_digit(first + second) != int(check):
        raise CasError("cas_check_digit", "The CAS number's check digit is wrong.")
    return f"{first}-{second}-{check}"


def is_valid_cas(text: str) -> bool:
    try:
        normalise_cas(text)
    except CasError:
        return False
    return True
