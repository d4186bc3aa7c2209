"""Problems as they leave the system: field, code, and the message in Thai and English."""

from django.utils.translation import gettext_lazy as _

from rongngan.core.errors import Problem, RongnganValidationError, render_all
from rongngan.core.reader import MESSAGES, Reader


def test_each_problem_keeps_its_own_values_when_messages_are_rendered_once() -> None:
    too_long = MESSAGES["too_long"]
    problems = [
        Problem("name", "too_long", too_long, {"max": 5}, row=2),
        Problem("note", "too_long", too_long, {"max": 300}, row=7),
        Problem("qty", "number", MESSAGES["number"]),
    ]
    out = render_all(problems)
    assert [(p["field"], p.get("row")) for p in out] == [("name", 2), ("note", 7), ("qty", None)]
    assert out[0]["message_en"] == "At most 5 characters."
    assert out[1]["message_en"] == "At most 300 characters."
    assert out[0]["message_th"] != out[0]["message_en"] and "5" in out[0]["message_th"]
    assert "300" in out[1]["message_th"]
    assert out == [p.as_dict() for p in problems]


def test_a_message_with_a_missing_value_is_given_as_written() -> None:
    (out,) = render_all([Problem(None, "x", _("Unknown waste transporter “%(value)s”."))])
    assert out["message_en"] == "Unknown waste transporter “%(value)s”."


def test_the_reader_collects_every_problem_before_raising() -> None:
    f = Reader({"a": "", "b": "๑,๒๐๐.๕", "c": "-1", "d": "1.5", "e": True})
    assert f.text("a", required=True) == ""
    assert str(f.decimal("b")) == "1200.5"
    f.decimal("c", sign="non_negative")
    f.integer("d")
    f.decimal("e")
    try:
        f.check()
    except RongnganValidationError as exc:
        assert [(p.field, p.code) for p in exc.problems] == [
            ("a", "required"),
            ("c", "negative"),
            ("d", "whole_number"),
            ("e", "number"),
        ]
    else:
        raise AssertionError("no problems raised")


def test_a_translated_label_among_the_values_reads_in_each_language() -> None:
    from django.utils.functional import lazy

    from rongngan.waste.models import Manifest

    message = lazy(str, str)("The manifest is %(status)s.")  # no catalogue msgid: as written
    (out,) = render_all([Problem(None, "x", message, {"status": Manifest.Status.DRAFT.label})])
    assert out["message_en"] == "The manifest is draft."
    with __import__("django").utils.translation.override("th"):
        thai = str(Manifest.Status.DRAFT.label)
    assert thai != "draft" and out["message_th"] == f"The manifest is {thai}."


def test_django_validators_say_something_in_both_languages() -> None:
    from decimal import Decimal

    import pytest
    from django.core.exceptions import ValidationError
    from django.core.validators import DecimalValidator

    from rongngan.core.errors import problems_from_django

    with pytest.raises(ValidationError) as exc:
        DecimalValidator(12, 2)(Decimal("12345678901234"))
    (out,) = render_all(problems_from_django(exc.value))
    assert out["code"] == "max_digits"
    assert out["message_en"] == "Ensure that there are no more than 12 digits in total."
    assert "12" in out["message_th"] and out["message_th"] != out["message_en"]


def test_decimal_places_and_column_fit() -> None:
    from decimal import Decimal

    from rongngan.core.reader import column_problem, decimal_places

    # zero carries no decimal, however it is written (a capital of "0.0000" fits numeric(16, 2))
    assert decimal_places(Decimal("0.0000")) == 0 and decimal_places(Decimal("0E-10")) == 0
    assert column_problem(Decimal("0.0000"), max_digits=16, places=2) is None
    assert column_problem(Decimal("1.234"), max_digits=16, places=2) == (
        "too_many_decimals",
        {"places": 2},
    )
    assert column_problem(Decimal("1E+10"), max_digits=12, places=2) == (
        "too_large",
        {"max": Decimal("9999999999.99")},
    )
