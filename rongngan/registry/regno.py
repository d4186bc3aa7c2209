"""Factory registration numbers (เลขทะเบียนโรงงาน): parsing and normalisation.

Two shapes are in circulation:

* current, 14 digits ``ABCCDDDDDEEEEF``: A issuing body (1 DIW, 2 provincial industry office,
  7 Industrial Estate Authority), B location (0 outside an industrial estate, 2/3 inside),
  CC province code, DDDDD factory type code, EEEE sequence, F final digit;
* legacy, e.g. ``3-106-33/50รย`` or ``จ3-41-1/36นบ``: optional Thai letter prefix, class digit
  1-3, category (``106``, ``3(1)``, ``3.1``), sequence, ``/`` B.E. year (2 or 4 digits),
  optional Thai province abbreviation.

A legacy number is written in more than one way: ``3-106-99/63รย``, ``3-106-99/2563รย`` and
``3-106-099/63รย`` are one number. The canonical form drops leading zeros from the numeric parts
and writes a year of the 2500s with 2 digits (a 2-digit year is always 25yy), so equal numbers
have equal canonical forms; other years (the 2400s) keep 4 digits.

Problems raise `RegistrationNumberError` (a ValueError): its text is English, its `code` and
`params` let the application say the same in the user's language.

Pure Python (no Django) so importers and tests can use it without settings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rongngan.core.thai import to_arabic_digits

__all__ = [
    "CURRENT_ISSUING_BODIES",
    "RegistrationNumber",
    "RegistrationNumberError",
    "looks_like_registration_number",
    "normalize_registration_number",
]

CURRENT_ISSUING_BODIES = {
    1: "Department of Industrial Works",
    2: "provincial industry office",
    7: "Industrial Estate Authority of Thailand",
}
# Only 0 (outside) and 2/3 (inside an estate) are documented; other values are accepted
# (the facts are unsure) and reported as in_estate=None.
_LOCATION_IN_ESTATE = {0: False, 2: True, 3: True}

# Text pasted from Word or PDFs carries typographic dashes; treat them all as "-".
_DASHES = re.compile(r"[‐‑‒–—―−]")
_CURRENT_SEPARATORS = re.compile(r"[\s\-.]+")
# A Thai consonant (ก-ฮ); prefixes and province abbreviations are written with consonants only.
_TH = "[\u0e01-\u0e2e]"
_SEP = r"\s*[-.]\s*"
# Loose on purpose (any digit counts, any year length) so that the precise checks afterwards
# can say *what* is wrong instead of a generic "bad format".
_LEGACY_RE = re.compile(
    rf"(?:(?P<prefix>{_TH}{{1,3}})\.?\s*)?"
    rf"(?P<cls>\d+){_SEP}"
    rf"(?P<cat>\d+(?:\s*\(\s*\d+\s*\)|\.\d+)?){_SEP}"
    r"(?P<seq>\d+)\s*/\s*(?P<year>\d+)"
    rf"(?:\s*(?P<abbr>{_TH}(?:\s*\.?\s*{_TH}){{0,3}})\.?)?",
    re.ASCII,
)
_NUMBER = re.compile(r"\d+", re.ASCII)
# Cap what the cheap check looks at: search queries can be arbitrarily long text.
_MAX_INPUT = 64


class RegistrationNumberError(ValueError):
    """Why a text is not a registration number: English text, plus a stable code and params.

    Codes: ``empty``, ``current_length`` (digits), ``issuing_body`` (body), ``no_year``,
    ``legacy_format``, ``class_digit`` (value), ``year_digits`` (value), ``year_not_be`` (value).
    """

    def __init__(self, code: str, text: str, **params: object) -> None:
        super().__init__(text)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class RegistrationNumber:
    """A parsed registration number. Equal numbers have equal ``canonical`` forms."""

    kind: str  # "current" | "legacy"
    canonical: str
    class_digit: int | None = None  # legacy: factory class (จำพวก) 1-3
    # legacy: category as written ("106", "3(1)", "3.1"); current: the 5-digit type code
    category: str | None = None
    province_abbr: str | None = None  # legacy only, e.g. "รย"
    prefix: str | None = None  # legacy only, e.g. "จ"
    # current: the 4 digits as written; legacy: without leading zeros (099 and 99 are one number)
    sequence: str | None = None
    year_be: int | None = None  # legacy only; a 2-digit year is read as 25yy
    issuing_body: int | None = None  # current only: 1, 2 or 7
    location_digit: int | None = None  # current only
    in_estate: bool | None = None  # current only; None when the location digit is unknown
    province_code: str | None = None  # current only, e.g. "10" (Bangkok)
    check_digit: str | None = None  # current only; no algorithm is documented, so not verified

    def __str__(self) -> str:
        return self.canonical

    @property
    def display(self) -> str:
        """Human-readable form: current numbers grouped as 1-0-10-00101-0001-2."""
        if self.kind != "current":
            return self.canonical
        c = self.canonical
        return "-".join((c[0], c[1], c[2:4], c[4:9], c[9:13], c[13]))


def _parse_current(digits: str) -> RegistrationNumber:
    if len(digits) != 14:
        # Digits only, so it was meant as a current number -- or a legacy one missing "/year".
        raise RegistrationNumberError(
            "current_length",
            f"a current registration number has 14 digits, got {len(digits)} "
            "(a legacy number needs '/year', e.g. 3-106-33/50รย)",
            digits=len(digits),
        )
    body = int(digits[0])
    if body not in CURRENT_ISSUING_BODIES:
        raise RegistrationNumberError(
            "issuing_body",
            f"a current registration number starts with 1, 2 or 7 (issuing body), not {body}",
            body=body,
        )
    location = int(digits[1])
    return RegistrationNumber(
        kind="current",
        canonical=digits,
        category=digits[4:9],
        sequence=digits[9:13],
        issuing_body=body,
        location_digit=location,
        in_estate=_LOCATION_IN_ESTATE.get(location),
        province_code=digits[2:4],
        check_digit=digits[13],
    )


def _parse_legacy(text: str) -> RegistrationNumber:
    m = _LEGACY_RE.fullmatch(text)
    if m is None:
        if "/" not in text:
            raise RegistrationNumberError(
                "no_year", "expected 14 digits or a legacy number such as 3-106-33/50รย"
            )
        raise RegistrationNumberError(
            "legacy_format", "unrecognised legacy format; expected e.g. 3-106-33/50รย"
        )

    cls = m["cls"]
    if len(cls) != 1 or cls not in "123":
        raise RegistrationNumberError(
            "class_digit", f"factory class must be 1, 2 or 3, not {cls}", value=cls
        )

    year = m["year"]
    if len(year) == 2:
        # Legacy numbers date from the Factory Acts of B.E. 2512/2535, i.e. the 2500s.
        year_be = 2500 + int(year)
    elif len(year) == 4:
        year_be = int(year)
        if not 2400 <= year_be <= 2699:
            raise RegistrationNumberError(
                "year_not_be", f"year {year} is not a B.E. year", value=year
            )
    else:
        raise RegistrationNumberError(
            "year_digits", f"year after '/' must have 2 or 4 digits, not {year!r}", value=year
        )

    # Leading zeros carry no meaning in the numeric parts: 3-106-099 is 3-106-99.
    category = _NUMBER.sub(lambda d: str(int(d[0])), re.sub(r"\s+", "", m["cat"]))
    sequence = str(int(m["seq"]))
    # One spelling per year: 25yy as the 2 digits legacy numbers are written with, others in 4.
    year_text = f"{year_be - 2500:02d}" if 2500 <= year_be <= 2599 else str(year_be)
    prefix = m["prefix"]
    abbr = re.sub(r"[\s.]+", "", m["abbr"]) if m["abbr"] else None
    canonical = f"{prefix or ''}{cls}-{category}-{sequence}/{year_text}{abbr or ''}"
    return RegistrationNumber(
        kind="legacy",
        canonical=canonical,
        class_digit=int(cls),
        category=category,
        province_abbr=abbr,
        prefix=prefix,
        sequence=sequence,
        year_be=year_be,
    )


def normalize_registration_number(s: str) -> RegistrationNumber:
    """Parse a registration number as users type it (Thai digits, spaces, dashes, dots).

    Raises RegistrationNumberError (a ValueError) whose message names the problem (shown to
    users after "not a registration number:"). Idempotent: parsing ``result.canonical`` gives an
    equal result.
    """
    # Collapsing whitespace also turns NBSP and tabs into plain spaces the ASCII regex knows.
    text = " ".join(_DASHES.sub("-", to_arabic_digits(s)).split())
    if not text:
        raise RegistrationNumberError("empty", "the input is empty")
    compact = _CURRENT_SEPARATORS.sub("", text)
    if compact.isascii() and compact.isdecimal():
        return _parse_current(compact)
    return _parse_legacy(text)


def looks_like_registration_number(s: str) -> bool:
    """Cheap test for search: does the query parse as a registration number?"""
    if len(s) > _MAX_INPUT or not any(ch.isdecimal() for ch in s):
        return False
    try:
        normalize_registration_number(s)
    except ValueError:
        return False
    return True
