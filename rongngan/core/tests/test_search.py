from typing import Any

import pytest

from rongngan.core.search import filter_words, search_text, tokens
from rongngan.registry.models import Factory
from rongngan.registry.tests.factories import FactoryFactory


def test_thai_names_are_cut_into_words() -> None:
    assert tokens("บริษัท ปูนซิเมนต์ไทย จำกัด") == ["บริษัท", "ปูนซิเมนต์", "ไทย", "จำกัด"]


def test_tokens_are_lower_case_with_arabic_digits_and_no_punctuation() -> None:
    assert tokens("Siam (Thai) Steel ๑๒๓") == ["siam", "thai", "steel", "123"]


def test_search_text_has_each_word_once_between_spaces() -> None:
    assert search_text(["ไทย ไทย", None, "Thai"]) == " ไทย thai "


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "found"),
    [("ไทย", True), ("ปูน", True), ("จำกัด ไทย", True), ("cement", True), ("ยาง", False)],
)
def test_filter_words_matches_word_prefixes_on_this_database(query: str, found: bool) -> None:
    FactoryFactory(name_th="บริษัท ปูนซิเมนต์ไทย จำกัด", name_en="Thai Cement")
    FactoryFactory(name_th="โรงงานน้ำตาล", name_en="Sugar")
    result = filter_words(Factory.objects.all(), query)
    assert result.filter(name_en="Thai Cement").exists() is found
    assert not result.filter(name_en="Sugar").exists()


@pytest.mark.django_db
def test_filter_words_needs_every_word(factory_a: Any) -> None:
    assert filter_words(Factory.objects.all(), "ไทย น้ำตาล").count() == 0


@pytest.mark.django_db
def test_any_row_tells_whether_a_search_finds_something(factory_a: Any) -> None:
    from rongngan.core.search import any_row

    assert any_row(filter_words(Factory.objects.all(), "ไทย"))
    assert not any_row(filter_words(Factory.objects.all(), "zzzz"))


@pytest.mark.django_db
def test_a_piece_of_a_compound_word_is_found_by_substring(factory_a: Any) -> None:
    from rongngan.core.search import filter_substring

    assert list(filter_substring(Factory.objects.all(), "ซิเมนต์")) == [factory_a]
    assert not filter_substring(Factory.objects.all(), "ซีเมนต์").exists()
