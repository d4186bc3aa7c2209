"""Quantities converted to kilograms exactly, and refused when a conversion lacks a fact."""

from decimal import Decimal, localcontext

import pytest

from rongngan.chemicals.units import UNIT_CODES, UNITS, UnitError, to_kg


def test_mass_units_convert_exactly() -> None:
    assert to_kg(Decimal("2.5"), "t") == Decimal("2500")
    assert to_kg(Decimal("1250"), "g") == Decimal("1.25")
    assert to_kg(Decimal("0.001"), "kg") == Decimal("0.001")


def test_litres_use_the_density() -> None:
    # 1,000 L of methanol at 791.8 kg/m3 is 791.8 kg
    assert to_kg(Decimal("1000"), "L", density_kg_m3=Decimal("791.8")) == Decimal("791.8")
    assert to_kg(Decimal("2.5"), "m3", density_kg_m3=Decimal("610")) == Decimal("1525")


def test_a_volume_without_density_is_refused() -> None:
    with pytest.raises(UnitError) as exc:
        to_kg(Decimal("10"), "L")
    assert exc.value.code == "density_required"


def test_gas_volume_follows_the_ideal_gas_law_at_stated_conditions() -> None:
    # 100 m3 of ammonia (17.031 g/mol) at 25 °C and 101.325 kPa, by hand:
    # n = p V / (R T) = 101.325 kPa * 100 m3 / (8.314462618 * 298.15) = 4.08735... kmol;
    # m = n M = 4.08735 kmol * 17.031 kg/kmol = 69.6126 kg
    with localcontext() as ctx:
        ctx.prec = 40
        expected = (
            Decimal("101.325")
            * 100
            * Decimal("17.031")
            / (Decimal("8.314462618") * Decimal("298.15"))
        )
    got = to_kg(
        Decimal("100"),
        "m3_gas",
        molecular_weight=Decimal("17.031"),
        temperature_c=Decimal("25"),
        pressure_kpa=Decimal("101.325"),
    )
    assert got == expected
    assert got.quantize(Decimal("0.001")) == Decimal("69.613")


def test_normal_cubic_metres_are_at_zero_celsius_and_one_atmosphere() -> None:
    nm3 = to_kg(Decimal("22.4"), "Nm3", molecular_weight=Decimal("28.0134"))
    # 22.4 Nm3 is about 0.9994 kmol at 0 °C, 101.325 kPa
    assert nm3.quantize(Decimal("0.01")) == Decimal("28.00")
    assert nm3 == to_kg(
        Decimal("22.4"),
        "m3_gas",
        molecular_weight=Decimal("28.0134"),
        temperature_c=Decimal("0"),
        pressure_kpa=Decimal("101.325"),
    )


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"molecular_weight": Decimal("17")}, "conditions_required"),
        (
            {"temperature_c": Decimal("20"), "pressure_kpa": Decimal("101")},
            "molecular_weight_required",
        ),
    ],
)
def test_a_gas_volume_needs_its_facts(kwargs: dict, code: str) -> None:
    with pytest.raises(UnitError) as exc:
        to_kg(Decimal("1"), "m3_gas", **kwargs)
    assert exc.value.code == code


@pytest.mark.parametrize(
    ("quantity", "unit", "code"),
    [
        (Decimal("-1"), "kg", "negative"),
        (Decimal("1"), "", "unit_missing"),
        (Decimal("1"), None, "unit_missing"),
        (Decimal("1"), "lb", "unit_unknown"),
        (None, "kg", "unit_missing"),
    ],
)
def test_bad_quantities_and_units_are_refused(quantity: object, unit: object, code: str) -> None:
    with pytest.raises(UnitError) as exc:
        to_kg(quantity, unit)  # type: ignore[arg-type]
    assert exc.value.code == code


def test_every_unit_has_a_thai_and_an_english_label() -> None:
    assert set(UNIT_CODES) == {"kg", "g", "t", "L", "m3", "m3_gas", "Nm3"}
    assert all(u.label_th and u.label_en for u in UNITS)
