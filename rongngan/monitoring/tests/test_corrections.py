from datetime import date
from decimal import Decimal as D

import pytest

from rongngan.monitoring.corrections import (
    CorrectionError,
    correct,
    to_dry_basis,
    to_reference_conditions,
    to_reference_oxygen,
)
from rongngan.monitoring.standards import limits_for


def _boiler_rule(parameter, fuel="coal"):
    rules = limits_for("air", {"source": "boiler_furnace", "fuel": fuel}, date(2026, 1, 1))
    return next(r for r in rules if r.parameter == parameter)


def test_oxygen_correction_worked_example():
    # 100 mg/m3 at 10 % O2 stated at 7 %: 100 × (20.9 − 7) / (20.9 − 10) = 100 × 13.9 / 10.9.
    corrected = to_reference_oxygen(D(100), D(10), D(7))
    assert corrected.quantize(D("0.001")) == D("127.523")


def test_oxygen_correction_lowers_a_value_measured_below_the_reference_oxygen():
    assert to_reference_oxygen(D(100), D(3), D(7)) < D(100)


@pytest.mark.parametrize("measured", [D("20.9"), D(21)])
def test_oxygen_at_or_above_ambient_is_refused(measured):
    with pytest.raises(CorrectionError) as exc:
        to_reference_oxygen(D(100), measured, D(7))
    assert exc.value.code == "o2_at_or_above_ambient"


def test_dry_basis_correction():
    assert to_dry_basis(D(88), D(12)) == D(100)
    with pytest.raises(CorrectionError) as exc:
        to_dry_basis(D(1), D(100))
    assert exc.value.code == "moisture_out_of_range"


def test_reference_conditions_restate_a_hot_stack_concentration_at_25_c():
    # Gas at 423.15 K occupies 423.15/298.15 times the volume it has at 25 °C.
    value = to_reference_conditions(D(100), D("423.15"), D("101.325"), D("298.15"), D("101.325"))
    assert value.quantize(D("0.01")) == D("141.93")


def test_correct_applies_moisture_conditions_and_oxygen_for_a_particulate_rule():
    rule = _boiler_rule("particulate")
    value, steps = correct(
        D(100),
        rule,
        measured_o2=D(10),
        moisture=D(12),
        temperature_k=D("298.15"),
        pressure_kpa=D("101.325"),
    )
    assert [s.split(":")[0] for s in steps] == [
        "dry_basis",
        "reference_conditions",
        "reference_oxygen",
    ]
    expected = D(100) * D(100) / D(88) * D("13.9") / D("10.9")
    assert value.quantize(D("0.0001")) == expected.quantize(D("0.0001"))


def test_correct_leaves_ppm_alone_for_temperature_and_pressure():
    rule = _boiler_rule("so2")
    value, steps = correct(
        D(100), rule, measured_o2=D(7), temperature_k=D(400), pressure_kpa=D(100)
    )
    assert value == D(100)
    assert any(s.startswith("reference_conditions: not needed") for s in steps)


def test_correct_needs_the_measured_oxygen_when_the_rule_states_one():
    with pytest.raises(CorrectionError) as exc:
        correct(D(100), _boiler_rule("nox"))
    assert exc.value.code == "measured_o2_required"


def test_correct_does_nothing_for_an_effluent_rule():
    rule = next(r for r in limits_for("water", {}, date(2026, 1, 1)) if r.parameter == "bod")
    assert correct(D(25), rule) == (D(25), [])
