"""Tests for rongngan.registry.regno (pure Python: run with plain pytest, no database)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rongngan.core.thai import to_thai_digits
from rongngan.registry.regno import (
    RegistrationNumber,
    RegistrationNumberError,
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
        ("2-3(1)-15/2545สป", "2-3(1)-15/45สป"),
        ("2-3 ( 1 )-15/2545 สป", "2-3(1)-15/45สป"),
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
    "text",
    [
        "3-106-99/63รย",
        "3-106-99/2563รย",
        "3-106-099/63รย",
        "3-0106-0099/2563 รย",
        "๓-๑๐๖-๐๙๙/๒๕๖๓รย",
    ],
)
def test_one_legacy_number_written_in_several_ways_has_one_canonical_form(text: str) -> None:
    reg = normalize_registration_number(text)
    assert reg.canonical == "3-106-99/63รย"
    assert reg.sequence == "99"
    assert reg.year_be == 2563


def test_leading_zeros_are_dropped_inside_a_sub_category_too() -> None:
    assert normalize_registration_number("2-03(01)-015/2545สป").canonical == "2-3(1)-15/45สป"
    assert normalize_registration_number("1-03.01-07/38กท").canonical == "1-3.1-7/38กท"


def test_a_year_outside_the_2500s_keeps_its_four_digits() -> None:
    reg = normalize_registration_number("3-106-33/2499รย")
    assert reg.canonical == "3-106-33/2499รย"
    assert reg.year_be == 2499


@pytest.mark.parametrize(
    ("text", "code", "params"),
    [
        ("", "empty", {}),
        ("123", "current_length", {"digits": 3}),
        ("40210420000011", "issuing_body", {"body": 4}),
        ("hello", "no_year", {}),
        ("3x106-33/50", "legacy_format", {}),
        ("4-106-33/50รย", "class_digit", {"value": "4"}),
        ("3-106-33/5รย", "year_digits", {"value": "5"}),
        ("3-106-33/2019", "year_not_be", {"value": "2019"}),
    ],
)
def test_each_problem_has_a_code_and_params_for_translation(
    text: str, code: str, params: dict[str, object]
) -> None:
    with pytest.raises(RegistrationNumberError) as info:
        normalize_registration_number(text)
    assert (info.value.code, info.value.params) == (code, params)


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
    """(canonical parts, the number as typed): numbers with or without leading zeros, years in
    2 or 4 digits; the canonical parts have no leading zeros and a 2-digit year."""
    zeros = st.sampled_from(["", "0", "00"])

    def number(low: int = 1, high: int = 999) -> tuple[str, str]:
        n = draw(st.integers(low, high))
        return str(n), draw(zeros) + str(n)

    kind = draw(st.sampled_from(["plain", "paren", "dot"]))
    main, main_typed = number()
    if kind == "plain":
        category, category_typed = main, main_typed
    else:
        sub, sub_typed = number(1, 20)
        template = "{}({})" if kind == "paren" else "{}.{}"
        category = template.format(main, sub)
        category_typed = template.format(main_typed, sub_typed)
    sequence, sequence_typed = number()
    year_be = draw(st.integers(2512, 2599))
    year_typed = draw(st.sampled_from([str(year_be), f"{year_be - 2500:02d}"]))
    parts = {
        "prefix": draw(st.sampled_from(["", "จ", "ข"])),
        "class": draw(st.sampled_from("123")),
        "category": category,
        "sequence": sequence,
        "year": f"{year_be - 2500:02d}",
        "abbr": draw(st.sampled_from(["", "รย", "นบ", "สป", "กท", "กทม"])),
    }
    sep1, sep2 = draw(separators), draw(separators)
    space = draw(st.sampled_from(["", " "]))
    typed = (
        f"{parts['prefix']}{space}{parts['class']}{sep1}{category_typed}{sep2}"
        f"{sequence_typed}{space}/{space}{year_typed}{space}{parts['abbr']}"
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
    assert reg.year_be == 2500 + int(parts["year"])
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
