from decimal import Decimal as D

import pytest

from rongngan.monitoring.units import UnitError, canonical, convert, molar_volume_l, units


def test_molar_volume_at_25_c_and_one_atmosphere_is_24_465_litres():
    assert molar_volume_l(D("298.15"), D("101.325")).quantize(D("0.0001")) == D("24.4654")


def test_100_ppm_so2_at_25_c_is_261_86_mg_per_m3():
    # 100 × 64.066 / 24.4654 = 261.86 (not 262.0: the brief's figure is rounded up).
    mg = convert(D(100), "ppm", "mg/m3", molecular_weight=D("64.066"))
    assert mg.quantize(D("0.01")) == D("261.86")


def test_ppm_to_mg_per_m3_depends_on_the_reference_temperature():
    at_zero_c = convert(
        D(100), "ppm", "mg/m3", molecular_weight=D("64.066"), temperature_k=D("273.15")
    )
    assert at_zero_c.quantize(D("0.01")) == D("285.83")


def test_mg_per_m3_back_to_ppm_round_trips():
    ppm = convert(D("261.8636"), "mg/Nm3", "ppmv", molecular_weight=D("64.066"))
    assert ppm.quantize(D("0.001")) == D("100.000")


def test_gas_conversion_without_molecular_weight_is_refused():
    with pytest.raises(UnitError) as exc:
        convert(D(1), "ppm", "mg/m3")
    assert exc.value.code == "molecular_weight_required"


def test_water_mass_concentrations_convert_exactly():
    assert convert(D("2.5"), "mg/L", "g/m3") == D("2.5")
    assert convert(D("2.5"), "mg/L", "ug/L") == D("2500")
    assert convert(D("250"), "ug/L", "mg/L") == D("0.25")


def test_celsius_and_kelvin():
    assert convert(D(25), "°C", "K") == D("298.15")
    assert convert(D("313.15"), "K", "degC") == D("40.00")


def test_oxygen_percent_to_ppm():
    assert convert(D("7"), "%", "ppm") == D("70000")
    assert convert(D("209000"), "ppm", "% v/v") == D("20.9")


def test_flows_convert_between_hour_and_day_exactly():
    assert convert(D(500), "m3/d", "m3/h") == D(500) / D(24)
    assert convert(D(10), "m3/h", "m3/day") == D(240)
    assert convert(D(1), "L/s", "m3/d") == D("86.4")


def test_incompatible_units_are_refused():
    with pytest.raises(UnitError) as exc:
        convert(D(1), "mg/L", "degC")
    assert exc.value.code == "unit_incompatible"


def test_unknown_units_are_refused():
    with pytest.raises(UnitError) as exc:
        canonical("furlongs")
    assert exc.value.code == "unit_unknown"


@pytest.mark.parametrize(
    ("spelling", "code"),
    [
        ("mg/Nm3", "mg/m3"),
        ("mg/m³", "mg/m3"),
        ("ppmv", "ppm"),
        ("mg/l", "mg/L"),
        ("µg/m3", "ug/m3"),
        ("°C", "degC"),
        (" m3/hr ", "m3/h"),
        ("%vol", "%"),
    ],
)
def test_common_spellings_are_normalised(spelling, code):
    assert canonical(spelling) == code


def test_every_unit_has_thai_and_english_labels():
    for unit in units().values():
        assert unit.label_en and unit.label_th
