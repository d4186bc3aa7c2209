"""Tests for rongngan.core.thai (pure Python: run with plain pytest, no database)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from stdnum.th import moa, pin, tin

from rongngan.core.thai import (
    EN_MONTHS,
    EN_MONTHS_ABBR,
    THAI_MONTHS,
    THAI_MONTHS_ABBR,
    be_year,
    ce_year,
    fiscal_quarter,
    fiscal_quarter_bounds,
    fiscal_year,
    fiscal_year_bounds,
    fiscal_year_elapsed_share,
    format_en_date,
    format_thai_date,
    is_valid_thai_id,
    normalize_thai_id,
    parse_thai_date,
    parse_thai_number,
    thai_id_check_digit,
    to_arabic_digits,
    to_thai_digits,
)

# Dates whose B.E. year has four digits >= 2400 and whose C.E. year is < 2400, so every format
# round-trips under the "year >= 2400 is B.E." rule.
plausible_dates = st.dates(min_value=date(1900, 1, 1), max_value=date(2399, 12, 31))
twelve_digits = st.text(alphabet="0123456789", min_size=12, max_size=12)


def with_check_digit(first12: str) -> str:
    return first12 + thai_id_check_digit(first12)


# --------------------------------------------------------------------------------------------
# Digits


def test_thai_digits_convert_both_ways() -> None:
    assert to_thai_digits("0123456789") == "๐๑๒๓๔๕๖๗๘๙"
    assert to_arabic_digits("๐๑๒๓๔๕๖๗๘๙") == "0123456789"


def test_digit_conversion_leaves_other_characters_alone() -> None:
    assert to_arabic_digits("โรงงาน ๑๒ Soi 3/๔") == "โรงงาน 12 Soi 3/4"
    assert to_thai_digits("ต.ค. 2562, ABC") == "ต.ค. ๒๕๖๒, ABC"


@given(st.text())
def test_digit_conversion_round_trips_any_text_without_thai_digits(s: str) -> None:
    s = to_arabic_digits(s)
    assert to_arabic_digits(to_thai_digits(s)) == s


# --------------------------------------------------------------------------------------------
# Months and years


def test_there_are_twelve_distinct_month_names_in_each_list() -> None:
    for names in (THAI_MONTHS, THAI_MONTHS_ABBR, EN_MONTHS, EN_MONTHS_ABBR):
        assert len(names) == 12
        assert len(set(names)) == 12
    assert THAI_MONTHS[9] == "ตุลาคม"
    assert THAI_MONTHS_ABBR[9] == "ต.ค."
    assert EN_MONTHS[9] == "October"
    assert EN_MONTHS_ABBR[9] == "Oct"


def test_be_year_is_ce_year_plus_543() -> None:
    assert be_year(2019) == 2562
    assert ce_year(2562) == 2019


@given(st.integers(min_value=-10_000, max_value=10_000))
def test_be_and_ce_years_round_trip(year: int) -> None:
    assert ce_year(be_year(year)) == year
    assert be_year(ce_year(year)) == year


# --------------------------------------------------------------------------------------------
# Formatting dates


def test_thai_dates_format_short_long_and_with_thai_digits() -> None:
    d = date(2019, 10, 1)
    assert format_thai_date(d) == "1 ต.ค. 2562"
    assert format_thai_date(d, style="long") == "1 ตุลาคม 2562"
    assert format_thai_date(d, thai_digits=True) == "๑ ต.ค. ๒๕๖๒"
    assert format_thai_date(d, style="long", thai_digits=True) == "๑ ตุลาคม ๒๕๖๒"


def test_an_unknown_thai_date_style_is_rejected() -> None:
    with pytest.raises(ValueError, match="style"):
        format_thai_date(date(2019, 10, 1), style="medium")


def test_english_dates_use_the_be_year_unless_asked_not_to() -> None:
    assert format_en_date(date(2019, 10, 1)) == "1 Oct 2562"
    assert format_en_date(date(2019, 10, 1), be=False) == "1 Oct 2019"


# --------------------------------------------------------------------------------------------
# Parsing dates


@pytest.mark.parametrize(
    "text",
    [
        "๑ ต.ค. ๒๕๖๒",
        "1 ต.ค. 2562",
        "1 ตุลาคม 2562",
        "1 Oct 2562",
        "1 October 2562",
        "1 Oct 2019",
        "01/10/2562",
        "2019-10-01",
        "๒๐๑๙-๑๐-๐๑",
        "  1   ต.ค.   2562  ",
        "1 ต.ค. 2562.",
        "1 ต.ค 2562",
        "1ต.ค.2562",
        "1 OCTOBER 2562",
        "1 oct. 2019",
        "1 ตุลาคม พ.ศ. 2562",
        "1 ตุลาคม พ.ศ.2562",
        "1 Oct ค.ศ. 2019",
        "1/10/2019",
    ],
)
def test_the_first_of_october_2019_parses_in_every_accepted_spelling(text: str) -> None:
    assert parse_thai_date(text) == date(2019, 10, 1)


def test_a_four_digit_year_below_2400_is_read_as_ce_and_from_2400_as_be() -> None:
    assert parse_thai_date("15 Jan 2399") == date(2399, 1, 15)
    assert parse_thai_date("15 Jan 2400") == date(1857, 1, 15)


def test_an_explicit_era_marker_overrides_the_year_heuristic() -> None:
    assert parse_thai_date("1 ม.ค. พ.ศ. 2300") == date(1757, 1, 1)
    assert parse_thai_date("1 Jan ค.ศ. 2500") == date(2500, 1, 1)


def test_iso_dates_below_2400_are_ce() -> None:
    assert parse_thai_date("2019-10-01") == date(2019, 10, 1)
    assert parse_thai_date("2399-12-31") == date(2399, 12, 31)


def test_iso_dates_with_a_year_of_2400_or_more_are_be() -> None:
    # Thai systems write B.E. dates in ISO order; C.E. 2562 is no record's date.
    assert parse_thai_date("2562-10-01") == date(2019, 10, 1)
    assert parse_thai_date("๒๕๖๓-๐๒-๒๙") == date(2020, 2, 29)
    assert parse_thai_date("2400-01-01") == date(1857, 1, 1)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "yesterday",
        "1 ต.ค. 62",  # two-digit year is ambiguous
        "2019/10/01",
        "10-01-2019",
        "1 Foo 2562",
        "1 ตุลา 2562",
        "1 2562",
        "Oct 1 2019",
        "1 ต.ค. 2562 extra",
        "١ Oct 2562",  # Arabic-Indic digit: not a Thai digit
    ],
)
def test_unrecognised_dates_raise_value_error_naming_the_input(text: str) -> None:
    with pytest.raises(ValueError, match="invalid date"):
        parse_thai_date(text)


@pytest.mark.parametrize("text", ["31 ก.พ. 2562", "29/02/2562", "2019-02-29", "32 Oct 2562"])
def test_impossible_dates_raise_value_error(text: str) -> None:
    with pytest.raises(ValueError, match="out of range"):
        parse_thai_date(text)


def test_an_unknown_month_is_named_in_the_error() -> None:
    with pytest.raises(ValueError, match="unknown month 'Foo'"):
        parse_thai_date("1 Foo 2562")


def test_february_29_in_a_be_leap_year_parses() -> None:
    assert parse_thai_date("29 ก.พ. 2563") == date(2020, 2, 29)


@given(plausible_dates, st.sampled_from(["short", "long"]), st.booleans())
def test_thai_dates_round_trip_in_every_style(d: date, style: str, thai_digits: bool) -> None:
    assert parse_thai_date(format_thai_date(d, style=style, thai_digits=thai_digits)) == d


@given(plausible_dates, st.booleans())
def test_english_dates_round_trip_with_either_era(d: date, be: bool) -> None:
    assert parse_thai_date(format_en_date(d, be=be)) == d


@given(plausible_dates, st.booleans())
def test_iso_and_slash_dates_round_trip(d: date, thai_digits: bool) -> None:
    slash = f"{d.day:02d}/{d.month:02d}/{be_year(d.year)}"
    iso = d.isoformat()
    if thai_digits:
        slash, iso = to_thai_digits(slash), to_thai_digits(iso)
    assert parse_thai_date(slash) == d
    assert parse_thai_date(iso) == d


@given(plausible_dates)
def test_english_month_names_parse_in_any_case(d: date) -> None:
    text = f"{d.day} {EN_MONTHS[d.month - 1]} {be_year(d.year)}"
    assert parse_thai_date(text.upper()) == d
    assert parse_thai_date(text.lower()) == d


# --------------------------------------------------------------------------------------------
# Fiscal year


def test_fiscal_year_is_named_by_the_be_year_it_ends_in() -> None:
    assert fiscal_year(date(2019, 10, 1)) == 2563
    assert fiscal_year(date(2020, 9, 30)) == 2563
    assert fiscal_year(date(2019, 9, 30)) == 2562
    assert fiscal_year(date(2020, 10, 1)) == 2564


def test_fiscal_year_bounds_run_from_first_october_to_thirtieth_september() -> None:
    assert fiscal_year_bounds(2563) == (date(2019, 10, 1), date(2020, 9, 30))


def test_fiscal_quarters_start_in_october() -> None:
    assert fiscal_quarter(date(2019, 10, 1)) == (2563, 1)
    assert fiscal_quarter(date(2019, 12, 31)) == (2563, 1)
    assert fiscal_quarter(date(2020, 1, 1)) == (2563, 2)
    assert fiscal_quarter(date(2020, 4, 30)) == (2563, 3)
    assert fiscal_quarter(date(2020, 9, 30)) == (2563, 4)
    assert fiscal_quarter_bounds(2563, 1) == (date(2019, 10, 1), date(2019, 12, 31))
    assert fiscal_quarter_bounds(2563, 2) == (date(2020, 1, 1), date(2020, 3, 31))
    assert fiscal_quarter_bounds(2563, 3) == (date(2020, 4, 1), date(2020, 6, 30))
    assert fiscal_quarter_bounds(2563, 4) == (date(2020, 7, 1), date(2020, 9, 30))


@pytest.mark.parametrize("q", [0, 5, -1])
def test_a_quarter_outside_one_to_four_is_rejected(q: int) -> None:
    with pytest.raises(ValueError, match="1-4"):
        fiscal_quarter_bounds(2563, q)


@given(st.dates(min_value=date(1, 10, 1), max_value=date(9999, 9, 30)))
def test_every_date_lies_within_its_fiscal_year_and_quarter(d: date) -> None:
    start, end = fiscal_year_bounds(fiscal_year(d))
    assert start <= d <= end
    fy, q = fiscal_quarter(d)
    q_start, q_end = fiscal_quarter_bounds(fy, q)
    assert q_start <= d <= q_end


@given(st.integers(min_value=2400, max_value=3000))
def test_quarters_partition_the_fiscal_year(fy: int) -> None:
    start, end = fiscal_year_bounds(fy)
    quarters = [fiscal_quarter_bounds(fy, q) for q in (1, 2, 3, 4)]
    assert quarters[0][0] == start
    assert quarters[-1][1] == end
    for (_, prev_end), (next_start, _) in pairwise(quarters):
        assert next_start == prev_end + timedelta(days=1)
    assert sum((e - s).days + 1 for s, e in quarters) == (end - start).days + 1


@given(st.integers(min_value=2400, max_value=3000))
def test_consecutive_fiscal_years_touch_without_gap(fy: int) -> None:
    assert fiscal_year_bounds(fy + 1)[0] == fiscal_year_bounds(fy)[1] + timedelta(days=1)


def test_elapsed_share_is_zero_before_and_one_after_the_year() -> None:
    assert fiscal_year_elapsed_share(2563, date(2019, 9, 30)) == 0.0
    assert fiscal_year_elapsed_share(2563, date(2020, 10, 1)) == 1.0


def test_elapsed_share_counts_the_given_day_itself() -> None:
    # FY 2563 contains 29 Feb 2020, so it has 366 days.
    assert fiscal_year_elapsed_share(2563, date(2019, 10, 1)) == pytest.approx(1 / 366)
    assert fiscal_year_elapsed_share(2563, date(2020, 9, 30)) == 1.0
    assert fiscal_year_elapsed_share(2562, date(2019, 3, 31)) == pytest.approx(182 / 365)


@given(st.integers(min_value=2450, max_value=2700), st.integers(0, 400), st.integers(0, 400))
def test_elapsed_share_stays_in_range_and_never_decreases(fy: int, a: int, b: int) -> None:
    start = fiscal_year_bounds(fy)[0] - timedelta(days=10)
    early, late = sorted((start + timedelta(days=a), start + timedelta(days=b)))
    share_early = fiscal_year_elapsed_share(fy, early)
    share_late = fiscal_year_elapsed_share(fy, late)
    assert 0.0 <= share_early <= share_late <= 1.0


# --------------------------------------------------------------------------------------------
# 13-digit IDs

REAL_LOOKING_PERSON = "3100600445635"  # from the python-stdnum documentation
REAL_LOOKING_JURISTIC = "0994000617721"


def test_known_good_ids_are_valid_for_their_kind_only() -> None:
    assert is_valid_thai_id(REAL_LOOKING_PERSON, "person")
    assert is_valid_thai_id(REAL_LOOKING_PERSON)
    assert not is_valid_thai_id(REAL_LOOKING_PERSON, "juristic")
    assert is_valid_thai_id(REAL_LOOKING_JURISTIC, "juristic")
    assert is_valid_thai_id(REAL_LOOKING_JURISTIC)
    assert not is_valid_thai_id(REAL_LOOKING_JURISTIC, "person")


def test_ids_are_accepted_with_thai_digits_spaces_and_dashes() -> None:
    assert normalize_thai_id("3-1006-00445-63-5") == REAL_LOOKING_PERSON
    assert normalize_thai_id(" ๓ ๑๐๐๖ ๐๐๔๔๕ ๖๓ ๕ ") == REAL_LOOKING_PERSON
    assert normalize_thai_id("0-99-4-000-61772-1") == REAL_LOOKING_JURISTIC
    assert is_valid_thai_id("๐-๙๙-๔-๐๐๐-๖๑๗๗๒-๑", "juristic")


@pytest.mark.parametrize(
    "text", ["", "123", "31006004456351", "310060044563X", "3/1006/00445/63/5", "٣١٠٠٦٠٠٤٤٥٦٣٥"]
)
def test_malformed_ids_do_not_normalise_and_are_invalid(text: str) -> None:
    with pytest.raises(ValueError, match="13-digit"):
        normalize_thai_id(text)
    assert not is_valid_thai_id(text)


def test_a_wrong_check_digit_is_invalid() -> None:
    assert not is_valid_thai_id("3100600445636")


def test_an_unknown_id_kind_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="kind"):
        is_valid_thai_id(REAL_LOOKING_PERSON, "company")


def test_check_digit_needs_exactly_twelve_digits() -> None:
    assert thai_id_check_digit("310060044563") == "5"
    assert thai_id_check_digit("๓๑๐๐๖๐๐๔๔๕๖๓") == "5"
    for bad in ("", "31006004456", "3100600445635", "31006004456x"):
        with pytest.raises(ValueError, match="12 digits"):
            thai_id_check_digit(bad)


@given(twelve_digits)
def test_check_digit_agrees_with_stdnum(first12: str) -> None:
    assert thai_id_check_digit(first12) == pin.calc_check_digit(first12)


@given(twelve_digits)
def test_twelve_digits_plus_their_check_digit_form_a_valid_id(first12: str) -> None:
    number = with_check_digit(first12)
    # stdnum: juristic numbers start with 0, citizen PINs never with 0 or 9.
    if first12[0] == "0":
        assert is_valid_thai_id(number, "juristic") and moa.is_valid(number)
        assert not is_valid_thai_id(number, "person")
    elif first12[0] == "9":
        assert not is_valid_thai_id(number)
    else:
        assert is_valid_thai_id(number, "person") and pin.is_valid(number)
        assert not is_valid_thai_id(number, "juristic")
    assert is_valid_thai_id(number) == tin.is_valid(number)


@given(twelve_digits, st.integers(1, 9))
def test_changing_the_check_digit_makes_an_id_invalid(first12: str, delta: int) -> None:
    assume(first12[0] != "9")
    number = with_check_digit(first12)
    wrong = number[:12] + str((int(number[12]) + delta) % 10)
    assert not is_valid_thai_id(wrong)


def weighted_residue(number: str) -> int:
    return sum(int(d) * (13 - i) for i, d in enumerate(number[:12])) % 11


@given(twelve_digits, st.integers(0, 11).filter(lambda i: i != 2), st.integers(1, 9))
def test_changing_one_body_digit_is_caught_unless_the_residues_collide(
    first12: str, position: int, delta: int
) -> None:
    # The national check digit is not a perfect single-error code, so "any single change is
    # caught" is false: index 2 has weight 11 (= 0 mod 11, see the next test), and weighted sums
    # of 0 and 10 mod 11 both give check digit 1. Every other single change must be caught.
    assume(first12[0] != "9")
    number = with_check_digit(first12)
    changed = number[:position] + str((int(number[position]) + delta) % 10) + number[position + 1 :]
    collides = {weighted_residue(number), weighted_residue(changed)} == {0, 10}
    assert is_valid_thai_id(changed) == (collides and changed[0] != "9")


def test_a_residue_collision_really_passes_the_check() -> None:
    # Found by search rather than worked out by hand, so the example is certainly right.
    for n in range(10**6):
        first12 = f"1{n:011d}"
        if weighted_residue(first12) != 0:
            continue
        number = with_check_digit(first12)
        changed = number[:11] + str((int(number[11]) + 5) % 10) + number[12]
        if weighted_residue(changed) == 10:
            assert number != changed
            assert is_valid_thai_id(number) and is_valid_thai_id(changed)
            return
    pytest.fail("no collision found")


@given(twelve_digits, st.integers(1, 9))
def test_the_third_digit_is_not_covered_by_the_check_digit(first12: str, delta: int) -> None:
    # Documents a property of the national algorithm (weight 11 at index 2), so nobody relies
    # on the checksum to catch a typo there.
    assume(first12[0] != "9")
    number = with_check_digit(first12)
    changed = number[:2] + str((int(number[2]) + delta) % 10) + number[3:]
    assert is_valid_thai_id(changed) == is_valid_thai_id(number)


# --------------------------------------------------------------------------------------------
# Numbers


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1,234.50", Decimal("1234.50")),
        ("๑,๒๓๔.๕๐", Decimal("1234.50")),
        ("  42  ", Decimal("42")),
        ("0", Decimal("0")),
        ("1,000,000", Decimal("1000000")),
        ("-3.5", Decimal("-3.5")),
        ("+7", Decimal("7")),
        ("๐.๒๕", Decimal("0.25")),
    ],
)
def test_numbers_are_parsed_with_thai_digits_and_thousands_separators(
    text: str, expected: Decimal
) -> None:
    assert parse_thai_number(text) == expected


@pytest.mark.parametrize(
    "text",
    ["", "  ", "abc", "1,23,4", "1,2345", ",123", "1.2.3", "1 234", "NaN", "Infinity", "1e5"],
)
def test_non_numbers_raise_value_error_naming_the_input(text: str) -> None:
    with pytest.raises(ValueError, match=re.escape(f"not a number: {text!r}")):
        parse_thai_number(text)


@given(
    st.decimals(allow_nan=False, allow_infinity=False, places=2, min_value=-1e12, max_value=1e12)
)
def test_formatted_numbers_round_trip_with_grouping_and_thai_digits(value: Decimal) -> None:
    grouped = f"{value:,.2f}"
    assert parse_thai_number(grouped) == value
    assert parse_thai_number(to_thai_digits(grouped)) == value
