from datetime import date
from decimal import Decimal as D

from rongngan.monitoring.standards import (
    VERSION,
    limits_for,
    parameters,
    standards,
    validity_regimes,
)

TODAY = date(2026, 11, 27)


def _by_parameter(rules):
    return {r.parameter: r for r in rules}


def test_every_limit_names_a_known_parameter_a_source_and_a_unit_of_its_dimension():
    from rongngan.monitoring.units import units

    known = parameters()
    dims = units()
    for standard in standards().values():
        for rule in standard.limits:
            assert rule.parameter in known
            assert rule.source
            param_unit = known[rule.parameter].unit
            assert dims[rule.unit].dimension == dims[param_unit].dimension


def test_the_effluent_standard_has_its_standard_and_upper_levels():
    rules = _by_parameter(limits_for("water", {}, TODAY))
    assert (rules["bod"].value, rules["bod"].upper_value) == (D(20), D(60))
    assert (rules["cod"].value, rules["cod"].upper_value) == (D(120), D(400))
    assert (rules["ss"].value, rules["ss"].upper_value) == (D(50), D(150))
    assert (rules["tds"].value, rules["tds"].upper_value) == (D(3000), D(5000))
    assert (rules["tkn"].value, rules["tkn"].upper_value) == (D(100), D(200))
    assert (rules["oil_grease"].value, rules["oil_grease"].upper_value) == (D(5), D(15))
    assert (rules["ph"].low_value, rules["ph"].high_value) == (D("5.5"), D("9.0"))
    assert rules["hg"].value == D("0.005") and rules["hg"].upper_value is None
    assert rules["temperature"].unit == "degC"


def test_limits_for_picks_the_boiler_limits_of_the_fuel_burnt():
    coal = _by_parameter(limits_for("air", {"source": "boiler_furnace", "fuel": "coal"}, TODAY))
    oil = _by_parameter(limits_for("air", {"source": "boiler_furnace", "fuel": "oil"}, TODAY))
    biomass = _by_parameter(
        limits_for("air", {"source": "boiler_furnace", "fuel": "biomass"}, TODAY)
    )
    assert (coal["so2"].value, oil["so2"].value, biomass["so2"].value) == (D(700), D(950), D(60))
    assert (coal["nox"].value, oil["nox"].value) == (D(400), D(200))
    assert (coal["particulate"].value, oil["particulate"].value) == (D(320), D(240))
    assert set(coal) == {"particulate", "so2", "nox"}


def test_a_fuel_listed_among_several_accepted_values_matches():
    gas = _by_parameter(
        limits_for("air", {"source": "boiler_furnace", "fuel": "natural_gas"}, TODAY)
    )
    assert gas["so2"].value == D(60)


def test_a_point_missing_an_attribute_the_rule_needs_gets_no_fuel_specific_limit():
    assert limits_for("air", {"source": "boiler_furnace"}, TODAY) == []


def test_stack_limits_carry_their_reference_conditions():
    so2 = _by_parameter(limits_for("air", {"source": "boiler_furnace", "fuel": "coal"}, TODAY))[
        "so2"
    ]
    assert (so2.ref_temperature_k, so2.ref_pressure_kpa, so2.ref_o2_percent) == (
        D("298.15"),
        D("101.325"),
        D(7),
    )
    assert so2.dry_basis is True
    process = _by_parameter(
        limits_for("air", {"source": "process", "combustion": "without_fuel"}, TODAY)
    )
    assert process["co"].ref_o2_percent is None


def test_no_limit_is_in_force_before_its_standard():
    assert limits_for("water", {}, date(2017, 6, 6)) == []
    assert limits_for("water", {}, date(2017, 6, 7))


def test_gases_reported_in_ppm_have_a_molecular_weight():
    for p in parameters().values():
        if p.unit == "ppm":
            assert p.molecular_weight is not None, p.code
    assert parameters()["so2"].molecular_weight == D("64.058")


def test_regimes_and_version_load():
    regimes = validity_regimes()
    assert {"th-cems-default", "us-40cfr60", "eu-ied"} <= set(regimes)
    assert regimes["eu-ied"].ci_fraction["so2"] == D("0.20")
    assert regimes["eu-ied"].day_rule.max_invalid_hours == 3
    assert all(r.source for r in regimes.values())
    assert VERSION
