"""Tests for rongngan.registry.regno (pure Python: run with plain pytest, no database)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rongngan.core.thai import to_thai_digits
from rongngan.registry.regno import (
    RegistrationNumber,
    looks_like_registration_number,
    normalize_registration_number,
)

# --------------------------------------------------------------------------------------------
# Current 14-digit numbers


def test_a_current_number_typed_with_dashes_is_split_into_its_parts() -> None:
    reg = normalize_registration_number("1-0-10-00101-0001-2")
    assert reg == RegistrationNumber(
        kind="current",
        canonical="10100010100012",
        category="00101",
        sequence="0001",
        issuing_body=1,
        location_digit=0,
        in_estate=False,
        province_code="10",
        check_digit="2",
    )
    assert reg.class_digit is None
    assert reg.province_abbr is None


@pytest.mark.parametrize(
    "text",
    [
        "10100010100012",
        "1-0-10-00101-0001-2",
        "1 0 10 00101 0001 2",
        "1.0.10.00101.0001.2",
        "  1 - 0 - 10 - 00101 - 0001 - 2  ",
        "๑-๐-๑๐-๐๐๑๐๑-๐๐๐๑-๒",
        "๑๐๑๐๐๐๑๐๑๐๐๐๑๒",
        "1–0–10–00101–0001–2",  # en dashes pasted from a document
    ],
)
def test_a_current_number_is_accepted_in_every_typing(text: str) -> None:
    assert normalize_registration_number(text).canonical == "10100010100012"


def test_an_industrial_estate_number_is_marked_as_in_estate() -> None:
    reg = normalize_registration_number("7-2-21-03101-0012-5")
    assert reg.issuing_body == 7
    assert reg.in_estate is True
    assert reg.province_code == "21"


def test_an_undocumented_location_digit_is_accepted_but_unknown() -> None:
    reg = normalize_registration_number("2-5-50-00101-0001-0")
    assert reg.location_digit == 5
    assert reg.in_estate is None


def test_a_current_number_displays_grouped() -> None:
    reg = normalize_registration_number("10100010100012")
    assert reg.display == "1-0-10-00101-0001-2"
    assert str(reg) == "10100010100012"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("1010001010001", "14 digits, got 13"),
        ("101000101000123", "14 digits, got 15"),
        ("3-0-10-00101-0001-2", "starts with 1, 2 or 7"),
        ("0-0-10-00101-0001-2", "starts with 1, 2 or 7"),
        ("3-106-33", "needs '/year'"),
    ],
)
def test_bad_current_numbers_say_what_is_wrong(text: str, problem: str) -> None:
    with pytest.raises(ValueError, match=re.escape(problem)):
        normalize_registration_number(text)


# --------------------------------------------------------------------------------------------
# Legacy numbers


def test_a_legacy_number_is_split_into_its_parts() -> None:
    reg = normalize_registration_number("3-106-33/50รย")
    assert reg == RegistrationNumber(
        kind="legacy",
        canonical="3-106-33/50รย",
        class_digit=3,
        category="106",
        province_abbr="รย",
        sequence="33",
        year_be=2550,
    )
    assert reg.display == reg.canonical


def test_a_legacy_number_keeps_its_thai_letter_prefix() -> None:
    reg = normalize_registration_number("จ3-41-1/36นบ")
    assert reg.canonical == "จ3-41-1/36นบ"
    assert reg.prefix == "จ"
    assert reg.class_digit == 3
    assert reg.category == "41"
    assert reg.province_abbr == "นบ"
    assert reg.year_be == 2536


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("3-106-33/50รย", "3-106-33/50รย"),
        ("3 - 106 - 33 / 50 รย", "3-106-33/50รย"),
        ("3.106.33/50รย", "3-106-33/50รย"),
        ("๓-๑๐๖-๓๓/๕๐รย", "3-106-33/50รย"),
        ("3–106–33/50 รย", "3-106-33/50รย"),
        ("  3-106-33/50รย  ", "3-106-33/50รย"),
        ("จ 3-41-1/36 นบ", "จ3-41-1/36นบ"),
        ("จ.3-41-1/36นบ.", "จ3-41-1/36นบ"),
        ("2-3(1)-15/2545สป", "2-3(1)-15/2545สป"),
        ("2-3 ( 1 )-15/2545 สป", "2-3(1)-15/2545สป"),
        ("1-3.1-7/38กท", "1-3.1-7/38กท"),
        ("1.3.1.7/38กท", "1-3.1-7/38กท"),
        ("1.3.7/38", "1-3-7/38"),
        ("3-64-12/40ก.ท.ม.", "3-64-12/40กทม"),
    ],
)
def test_legacy_numbers_are_normalised_to_one_canonical_form(text: str, canonical: str) -> None:
    assert normalize_registration_number(text).canonical == canonical


def test_a_two_digit_legacy_year_is_read_in_the_2500s() -> None:
    assert normalize_registration_number("3-106-33/12รย").year_be == 2512
    assert normalize_registration_number("3-106-33/2512รย").year_be == 2512


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("4-106-33/50รย", "class must be 1, 2 or 3, not 4"),
        ("0-106-33/50รย", "class must be 1, 2 or 3, not 0"),
        ("13-106-33/50รย", "class must be 1, 2 or 3, not 13"),
        ("3-106-33/5รย", "2 or 4 digits"),
        ("3-106-33/250รย", "2 or 4 digits"),
        ("3-106-33/2019", "not a B.E. year"),
        ("3-106/50รย", "unrecognised legacy format"),
        ("3-106-33/50ABC", "unrecognised legacy format"),
        ("3-106-33/50รยกขค", "unrecognised legacy format"),
        ("3x106-33/50", "unrecognised legacy format"),
        ("hello", "expected 14 digits or a legacy number"),
        ("", "empty"),
        ("   ", "empty"),
    ],
)
def test_bad_legacy_numbers_say_what_is_wrong(text: str, problem: str) -> None:
    with pytest.raises(ValueError, match=re.escape(problem)):
        normalize_registration_number(text)


# --------------------------------------------------------------------------------------------
# Cheap check for search


@pytest.mark.parametrize(
    "text",
    ["10100010100012", "1-0-10-00101-0001-2", "3-106-33/50รย", "จ3-41-1/36นบ", "๓-๑๐๖-๓๓/๕๐"],
)
def test_registration_numbers_look_like_registration_numbers(text: str) -> None:
    assert looks_like_registration_number(text)


@pytest.mark.parametrize(
    "text",
    ["", "โรงงานน้ำตาล", "3100600445635", "2562", "3-106-33", "1" * 200, "ซอย 3 ถนนสุขุมวิท 10/50"],
)
def test_other_search_queries_do_not_look_like_registration_numbers(text: str) -> None:
    assert not looks_like_registration_number(text)


# --------------------------------------------------------------------------------------------
# Properties

digits = st.text(alphabet="0123456789", min_size=1, max_size=1)
separators = st.sampled_from(["-", " - ", ".", " . ", "- ", "–"])


def maybe_thai(text: str, flag: bool) -> str:
    return to_thai_digits(text) if flag else text


@st.composite
def current_numbers(draw: st.DrawFn) -> tuple[dict[str, str], str]:
    parts = {
        "A": draw(st.sampled_from("127")),
        "B": draw(st.sampled_from("023")),
        "CC": str(draw(st.integers(10, 96))),
        "DDDDD": draw(st.text(alphabet="0123456789", min_size=5, max_size=5)),
        "EEEE": draw(st.text(alphabet="0123456789", min_size=4, max_size=4)),
        "F": draw(digits),
    }
    sep = draw(st.sampled_from(["", "-", " ", " - ", ".", "–"]))
    typed = sep.join(parts.values())
    return parts, maybe_thai(typed, draw(st.booleans()))


@st.composite
def legacy_numbers(draw: st.DrawFn) -> tuple[dict[str, str], str]:
    number = st.integers(1, 999).map(str)
    category = draw(
        st.one_of(
            number,
            st.builds(lambda a, b: f"{a}({b})", number, st.integers(1, 20)),
            st.builds(lambda a, b: f"{a}.{b}", number, st.integers(1, 20)),
        )
    )
    year = draw(st.one_of(st.integers(12, 99).map(str), st.integers(2500, 2599).map(str)))
    parts = {
        "prefix": draw(st.sampled_from(["", "จ", "ข"])),
        "class": draw(st.sampled_from("123")),
        "category": category,
        "sequence": draw(number),
        "year": year,
        "abbr": draw(st.sampled_from(["", "รย", "นบ", "สป", "กท", "กทม"])),
    }
    sep1, sep2 = draw(separators), draw(separators)
    space = draw(st.sampled_from(["", " "]))
    typed = (
        f"{parts['prefix']}{space}{parts['class']}{sep1}{parts['category']}{sep2}"
        f"{parts['sequence']}{space}/{space}{parts['year']}{space}{parts['abbr']}"
    )
    return parts, maybe_thai(typed, draw(st.booleans()))


@given(current_numbers())
def test_current_numbers_round_trip_from_their_components(
    case: tuple[dict[str, str], str],
) -> None:
    parts, typed = case
    reg = normalize_registration_number(typed)
    assert reg.kind == "current"
    assert reg.canonical == "".join(parts.values())
    assert reg.issuing_body == int(parts["A"])
    assert reg.location_digit == int(parts["B"])
    assert reg.in_estate == (parts["B"] != "0")
    assert reg.province_code == parts["CC"]
    assert reg.category == parts["DDDDD"]
    assert reg.sequence == parts["EEEE"]
    assert reg.check_digit == parts["F"]
    assert looks_like_registration_number(typed)


@given(legacy_numbers())
def test_legacy_numbers_round_trip_from_their_components(
    case: tuple[dict[str, str], str],
) -> None:
    parts, typed = case
    reg = normalize_registration_number(typed)
    assert reg.kind == "legacy"
    assert reg.canonical == (
        f"{parts['prefix']}{parts['class']}-{parts['category']}-{parts['sequence']}"
        f"/{parts['year']}{parts['abbr']}"
    )
    assert reg.prefix == (parts["prefix"] or None)
    assert reg.class_digit == int(parts["class"])
    assert reg.category == parts["category"]
    assert reg.sequence == parts["sequence"]
    assert reg.province_abbr == (parts["abbr"] or None)
    year = int(parts["year"])
    assert reg.year_be == (2500 + year if year < 100 else year)
    assert looks_like_registration_number(typed)


@given(st.one_of(current_numbers(), legacy_numbers()))
def test_normalisation_is_idempotent(case: tuple[dict[str, str], str]) -> None:
    reg = normalize_registration_number(case[1])
    assert normalize_registration_number(reg.canonical) == reg
    assert normalize_registration_number(reg.display) == reg


@given(st.text(max_size=40))
def test_arbitrary_text_is_either_a_registration_number_or_a_value_error(text: str) -> None:
    try:
        reg = normalize_registration_number(text)
    except ValueError as exc:
        assert str(exc)
        assert not looks_like_registration_number(text)
    else:
        assert normalize_registration_number(reg.canonical) == reg
        assert looks_like_registration_number(text)
