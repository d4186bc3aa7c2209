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
