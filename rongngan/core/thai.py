"""Thai-specific helpers: digits, dates (B.E.), the government fiscal year, 13-digit IDs, numbers.

Pure Python on purpose (no Django import) so that import pipelines, management commands and the
tests can use it without settings or a database.
"""

from __future__ import annotations

import calendar
import re
from datetime import date
from decimal import Decimal, InvalidOperation

from stdnum.th import moa, pin, tin

__all__ = [
    "BE_OFFSET",
    "EN_MONTHS",
    "EN_MONTHS_ABBR",
    "THAI_DIGITS",
    "THAI_MONTHS",
    "THAI_MONTHS_ABBR",
    "be_year",
    "ce_year",
    "fiscal_quarter",
    "fiscal_quarter_bounds",
    "fiscal_year",
    "fiscal_year_bounds",
    "fiscal_year_elapsed_share",
    "format_en_date",
    "format_thai_date",
    "is_valid_thai_id",
    "normalize_thai_id",
    "parse_thai_date",
    "parse_thai_number",
    "thai_id_check_digit",
    "to_arabic_digits",
    "to_thai_digits",
]

# --------------------------------------------------------------------------------------------
# Digits

THAI_DIGITS = "๐๑๒๓๔๕๖๗๘๙"
ARABIC_DIGITS = "0123456789"
_TO_THAI = str.maketrans(ARABIC_DIGITS, THAI_DIGITS)
_TO_ARABIC = str.maketrans(THAI_DIGITS, ARABIC_DIGITS)


def to_thai_digits(s: str) -> str:
    """Replace 0-9 with ๐-๙; everything else is left alone."""
    return s.translate(_TO_THAI)


def to_arabic_digits(s: str) -> str:
    """Replace ๐-๙ with 0-9; everything else is left alone."""
    return s.translate(_TO_ARABIC)


# --------------------------------------------------------------------------------------------
# Months and years

# Index 0 is January, so callers use NAME[d.month - 1].
THAI_MONTHS: tuple[str, ...] = (
    "มกราคม",
    "กุมภาพันธ์",
    "มีนาคม",
    "เมษายน",
    "พฤษภาคม",
    "มิถุนายน",
    "กรกฎาคม",
    "สิงหาคม",
    "กันยายน",
    "ตุลาคม",
    "พฤศจิกายน",
    "ธันวาคม",
)
THAI_MONTHS_ABBR: tuple[str, ...] = (
    "ม.ค.",
    "ก.พ.",
    "มี.ค.",
    "เม.ย.",
    "พ.ค.",
    "มิ.ย.",
    "ก.ค.",
    "ส.ค.",
    "ก.ย.",
    "ต.ค.",
    "พ.ย.",
    "ธ.ค.",
)
# Spelled out rather than taken from calendar.month_name, which follows the process locale.
EN_MONTHS: tuple[str, ...] = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
EN_MONTHS_ABBR: tuple[str, ...] = tuple(name[:3] for name in EN_MONTHS)

BE_OFFSET = 543


def _month_key(token: str) -> str:
    # Users drop or add the dots of "ต.ค." and type English in any case; compare a folded form.
    return re.sub(r"[\s.,]+", "", token).lower()


_MONTH_LOOKUP: dict[str, int] = {
    _month_key(name): number
    for names in (THAI_MONTHS, THAI_MONTHS_ABBR, EN_MONTHS, EN_MONTHS_ABBR)
    for number, name in enumerate(names, start=1)
}
_MONTH_LOOKUP["sept"] = 9  # common English variant


def be_year(ce_year: int) -> int:
    """Buddhist Era year of a Common Era year (2019 -> 2562)."""
    return ce_year + BE_OFFSET


def ce_year(be_year: int) -> int:
    """Common Era year of a Buddhist Era year (2562 -> 2019)."""
    return be_year - BE_OFFSET


# --------------------------------------------------------------------------------------------
# Formatting and parsing dates


def format_thai_date(d: date, *, style: str = "short", thai_digits: bool = False) -> str:
    """'1 ต.ค. 2562' (short) or '1 ตุลาคม 2562' (long); Thai numerals if `thai_digits`."""
    if style == "short":
        month = THAI_MONTHS_ABBR[d.month - 1]
    elif style == "long":
        month = THAI_MONTHS[d.month - 1]
    else:
        raise ValueError(f"unknown date style {style!r}: use 'short' or 'long'")
    text = f"{d.day} {month} {be_year(d.year)}"
    return to_thai_digits(text) if thai_digits else text


def format_en_date(d: date, *, be: bool = True) -> str:
    """'1 Oct 2562' (B.E. year, the default in Thai government English) or '1 Oct 2019'."""
    year = be_year(d.year) if be else d.year
    return f"{d.day} {EN_MONTHS_ABBR[d.month - 1]} {year}"


# re.ASCII keeps \d to 0-9: int() would happily read other scripts' digits too.
_ISO_RE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})", re.ASCII)
_SLASH_RE = re.compile(r"(\d{1,2})\s*/\s*(\d{1,2})\s*/\s*(\d{4})", re.ASCII)
# The era marker (พ.ศ. / ค.ศ.) is how official Thai documents write dates; accept it so pasted
# text parses and let it override the year heuristic.
_WORDS_RE = re.compile(
    r"(?P<day>\d{1,2})\s*(?P<month>[^\d]+?)\s*"
    r"(?:(?P<era>พ\.?\s*ศ\.?|ค\.?\s*ศ\.?)\s*)?(?P<year>\d{4})",
    re.ASCII,
)
# Below this a 4-digit year is taken as C.E.: B.E. 2400 is C.E. 1857, long before any record
# this platform holds, and C.E. 2400 is far in the future.
_BE_THRESHOLD = 2400


def _year_to_ce(year: int, era: str | None) -> int:
    if era is not None:
        return ce_year(year) if era.startswith("พ") else year
    return ce_year(year) if year >= _BE_THRESHOLD else year


def _make_date(original: str, year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError as exc:
        raise ValueError(f"invalid date {original!r}: {exc}") from None


def parse_thai_date(s: str) -> date:
    """Parse a date typed by a Thai user.

    Accepted: '1 ต.ค. 2562', '๑ ต.ค. ๒๕๖๒', '1 ตุลาคม 2562', '1 Oct 2562', '1 October 2019',
    '01/10/2562' (day/month/year) and ISO '2019-10-01'. In every form a year >= 2400 is B.E.
    and anything lower C.E. (ISO too: '2562-10-01' is 1 Oct 2019, as Thai systems write it); an
    explicit 'พ.ศ.'/'ค.ศ.' before the year wins. Extra whitespace and a trailing '.' are
    tolerated. Raises ValueError otherwise.
    """
    text = " ".join(to_arabic_digits(s).split()).rstrip(".").strip()

    if m := _ISO_RE.fullmatch(text):
        # A C.E. year of 2400 or more is no record's date; such a year is B.E. typed in ISO order.
        return _make_date(s, _year_to_ce(int(m[1]), None), int(m[2]), int(m[3]))

    if m := _SLASH_RE.fullmatch(text):
        year = _year_to_ce(int(m[3]), None)
        return _make_date(s, year, int(m[2]), int(m[1]))

    if m := _WORDS_RE.fullmatch(text):
        month = _MONTH_LOOKUP.get(_month_key(m["month"]))
        if month is None:
            raise ValueError(f"invalid date {s!r}: unknown month {m['month'].strip()!r}")
        year = _year_to_ce(int(m["year"]), m["era"])
        return _make_date(s, year, month, int(m["day"]))

    raise ValueError(
        f"invalid date {s!r}: expected e.g. '1 ต.ค. 2562', '1 Oct 2562', '01/10/2562' "
        "or '2019-10-01'"
    )


# --------------------------------------------------------------------------------------------
# Fiscal year: 1 Oct - 30 Sep, named by the B.E. year it ends in.

_QUARTER_START_MONTH = (10, 1, 4, 7)


def fiscal_year(d: date) -> int:
    """B.E. fiscal year containing `d` (1 Oct 2019 .. 30 Sep 2020 is FY 2563)."""
    return be_year(d.year + 1 if d.month >= 10 else d.year)


def fiscal_quarter(d: date) -> tuple[int, int]:
    """(fiscal year B.E., quarter 1-4) of `d`; Q1 is Oct-Dec."""
    return fiscal_year(d), (d.month - 10) % 12 // 3 + 1


def fiscal_year_bounds(fy_be: int) -> tuple[date, date]:
    """First and last day (inclusive) of B.E. fiscal year `fy_be`."""
    end_year = ce_year(fy_be)
    return date(end_year - 1, 10, 1), date(end_year, 9, 30)


def fiscal_quarter_bounds(fy_be: int, q: int) -> tuple[date, date]:
    """First and last day (inclusive) of quarter `q` (1-4) of B.E. fiscal year `fy_be`."""
    if q not in (1, 2, 3, 4):
        raise ValueError(f"fiscal quarter must be 1-4, got {q!r}")
    month = _QUARTER_START_MONTH[q - 1]
    year = ce_year(fy_be) - 1 if q == 1 else ce_year(fy_be)
    last_month = month + 2
    return date(year, month, 1), date(year, last_month, calendar.monthrange(year, last_month)[1])


def fiscal_year_elapsed_share(fy_be: int, on: date) -> float:
    """Share of fiscal year `fy_be` elapsed on `on`, counting `on` itself; clamped to 0.0-1.0.

    Used for "budget spent vs. time elapsed" comparisons, where the last day must read 100 %.
    """
    start, end = fiscal_year_bounds(fy_be)
    if on < start:
        return 0.0
    if on > end:
        return 1.0
    return ((on - start).days + 1) / ((end - start).days + 1)


# --------------------------------------------------------------------------------------------
# 13-digit identification numbers (citizen PIN and juristic-person number share the checksum)

_ID_SEPARATORS = re.compile(r"[\s\-‐‑–—]+")
_ID_KINDS = {"any": tin, "person": pin, "juristic": moa}


def normalize_thai_id(s: str) -> str:
    """The 13 plain digits of a Thai ID typed with Thai digits, spaces or dashes.

    Only the shape is checked; use is_valid_thai_id for the check digit.
    """
    digits = _ID_SEPARATORS.sub("", to_arabic_digits(s))
    if len(digits) != 13 or not digits.isascii() or not digits.isdecimal():
        raise ValueError(f"not a 13-digit Thai ID: {s!r}")
    return digits


def is_valid_thai_id(s: str, kind: str = "any") -> bool:
    """Whether `s` is a valid ID: 'person' (citizen PIN), 'juristic' (starts with 0) or 'any'."""
    try:
        module = _ID_KINDS[kind]
    except KeyError:
        # A wrong kind is a programming error, not an invalid number: fail loudly.
        raise ValueError(f"unknown ID kind {kind!r}: use 'any', 'person' or 'juristic'") from None
    try:
        number = normalize_thai_id(s)
    except ValueError:
        return False
    return bool(module.is_valid(number))


def thai_id_check_digit(first12: str) -> str:
    """Check digit for the first 12 digits: (11 - sum(d_i * (13 - i)) % 11) % 10."""
    digits = to_arabic_digits(first12)
    if len(digits) != 12 or not digits.isascii() or not digits.isdecimal():
        raise ValueError(f"expected exactly 12 digits, got {first12!r}")
    total = sum(int(d) * (13 - i) for i, d in enumerate(digits))
    return str((11 - total % 11) % 10)


# --------------------------------------------------------------------------------------------
# Numbers

# Either ungrouped digits or correctly grouped thousands: "1,23,4" is more likely a typo than a
# number, so it is rejected rather than silently read as 1234.
_NUMBER_RE = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?", re.ASCII)


def parse_thai_number(s: str) -> Decimal:
    """Decimal from '1,234.50', '๑,๒๓๔.๕๐', ' 42 ' or '-3.5'; ValueError otherwise."""
    text = to_arabic_digits(s).strip()
    if not _NUMBER_RE.fullmatch(text):
        raise ValueError(f"not a number: {s!r}")
    try:
        return Decimal(text.replace(",", ""))
    except InvalidOperation:  # pragma: no cover - the regex admits only valid literals
        raise ValueError(f"not a number: {s!r}") from None
