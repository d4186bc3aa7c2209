"""CAS numbers: shape and check digit."""

import pytest

from rongngan.chemicals.cas import CasError, check_digit, is_valid_cas, normalise_cas


def test_ammonia_cas_is_valid_with_or_without_hyphens_and_spaces() -> None:
    assert normalise_cas("7664-41-7") == "7664-41-7"
    assert normalise_cas("7664417") == "7664-41-7"
    assert normalise_cas(" 7664 - 41 - 7 ") == "7664-41-7"
    assert is_valid_cas("7664-41-7")


def test_a_wrong_check_digit_is_refused_with_its_own_code() -> None:
    with pytest.raises(CasError) as exc:
        normalise_cas("7664-41-8")
    assert exc.value.code == "cas_check_digit"
    assert not is_valid_cas("7664-41-8")


@pytest.mark.parametrize("text", ["", "abc", "7664-4-7", "12345678-12-1", "7664-41-", "1-11-1"])
def test_malformed_numbers_are_a_format_error(text: str) -> None:
    with pytest.raises(CasError) as exc:
        normalise_cas(text)
    assert exc.value.code == "cas_format"


def test_the_check_digit_weights_digits_from_the_right() -> None:
    # 7732-18-5 (water): 8*1 + 1*2 + 2*3 + 3*4 + 7*5 + 7*6 = 105 -> 5
    assert check_digit("773218") == 5
    assert normalise_cas("7732-18-5") == "7732-18-5"


def test_leading_zeros_are_dropped() -> None:
    assert normalise_cas("0050-00-0") == "50-00-0"
