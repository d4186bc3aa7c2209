"""Corrections of a stack concentration to the conditions a limit is stated at: dry basis,
reference temperature and pressure, reference oxygen.

Order in correct(): moisture first (the measured oxygen is taken to be on a dry basis, as
extractive analysers report it), then temperature and pressure (mass concentrations only: a
volume fraction such as ppm does not change with them), then oxygen.
"""

from decimal import Decimal

from rongngan.monitoring.standards import LimitRule
from rongngan.monitoring.units import UnitError, canonical, units

AMBIENT_O2_PERCENT = Decimal("20.9")


class CorrectionError(ValueError):
    """A correction that cannot be made, with a stable code: o2_at_or_above_ambient,
    o2_out_of_range, moisture_out_of_range, conditions_out_of_range, measured_o2_required."""

    def __init__(self, code: str, message: str, **params: object) -> None:
        super().__init__(message % params if params else message)
        self.code = code
        self.message = message
        self.params = params


def to_reference_oxygen(value: Decimal, measured_o2: Decimal, reference_o2: Decimal) -> Decimal:
    """E_ref = E_m × (20.9 − O2_ref) / (20.9 − O2_m)."""
    measured_o2, reference_o2 = Decimal(measured_o2), Decimal(reference_o2)
    if measured_o2 >= AMBIENT_O2_PERCENT:
        # At ambient oxygen the flue gas is all air: the correction divides by zero or flips sign.
        raise CorrectionError(
            "o2_at_or_above_ambient",
            "Measured oxygen %(measured)s %% is at or above ambient air (20.9 %%); the value "
            "cannot be corrected to reference oxygen.",
            measured=measured_o2,
        )
    if measured_o2 < 0 or not (0 <= reference_o2 < AMBIENT_O2_PERCENT):
        raise CorrectionError(
            "o2_out_of_range",
            "Oxygen must be between 0 and 20.9 %% "
            "(measured %(measured)s, reference %(reference)s).",
            measured=measured_o2,
            reference=reference_o2,
        )
    return Decimal(value) * (AMBIENT_O2_PERCENT - reference_o2) / (AMBIENT_O2_PERCENT - measured_o2)


def to_dry_basis(value: Decimal, moisture_percent: Decimal) -> Decimal:
    """C_dry = C_wet × 100 / (100 − H2O %)."""
    moisture_percent = Decimal(moisture_percent)
    if not (0 <= moisture_percent < 100):
        raise CorrectionError(
            "moisture_out_of_range",
            "Moisture must be at least 0 and below 100 %% (got %(moisture)s).",
            moisture=moisture_percent,
        )
    return Decimal(value) * Decimal(100) / (Decimal(100) - moisture_percent)


def to_reference_conditions(
    value: Decimal,
    temperature_k: Decimal,
    pressure_kpa: Decimal,
    ref_temperature_k: Decimal,
    ref_pressure_kpa: Decimal,
) -> Decimal:
    """A mass concentration at (T, P) restated per volume at (T_ref, P_ref):
    C_ref = C × (T / T_ref) × (P_ref / P)."""
    t, p = Decimal(temperature_k), Decimal(pressure_kpa)
    t_ref, p_ref = Decimal(ref_temperature_k), Decimal(ref_pressure_kpa)
    if min(t, p, t_ref, p_ref) <= 0:
        raise CorrectionError(
            "conditions_out_of_range",
            "Temperatures (K) and pressures (kPa) must be positive.",
        )
    return Decimal(value) * (t / t_ref) * (p_ref / p)


def _is_mass_concentration(unit: str) -> bool:
    try:
        return units()[canonical(unit)].dimension == "mass_concentration"
    except UnitError:
        return False


def correct(
    value: Decimal,
    rule: LimitRule,
    *,
    measured_o2: Decimal | None = None,
    moisture: Decimal | None = None,
    temperature_k: Decimal | None = None,
    pressure_kpa: Decimal | None = None,
) -> tuple[Decimal, list[str]]:
    """`value` (already in rule.unit) corrected to what `rule` requires, and the steps taken.

    A missing moisture means the value is already dry; missing temperature or pressure mean it
    is already at reference conditions (each is recorded as a step so the evidence shows it).
    A rule with reference oxygen needs the measured oxygen: without it there is no comparable
    value, so CorrectionError("measured_o2_required") is raised.
    """
    result = Decimal(value)
    steps: list[str] = []
    if rule.dry_basis:
        if moisture is None:
            steps.append("dry_basis: value taken as already dry (no moisture given)")
        else:
            result = to_dry_basis(result, moisture)
            steps.append(f"dry_basis: moisture {moisture} %")
    if rule.ref_temperature_k is not None and rule.ref_pressure_kpa is not None:
        if not _is_mass_concentration(rule.unit):
            steps.append(f"reference_conditions: not needed for {rule.unit}")
        elif temperature_k is None or pressure_kpa is None:
            steps.append("reference_conditions: value taken as already at reference conditions")
        else:
            result = to_reference_conditions(
                result, temperature_k, pressure_kpa, rule.ref_temperature_k, rule.ref_pressure_kpa
            )
            steps.append(
                f"reference_conditions: {temperature_k} K, {pressure_kpa} kPa -> "
                f"{rule.ref_temperature_k} K, {rule.ref_pressure_kpa} kPa"
            )
    if rule.ref_o2_percent is not None:
        if measured_o2 is None:
            raise CorrectionError(
                "measured_o2_required",
                "The limit is stated at %(reference)s %% oxygen; the measured oxygen is needed.",
                reference=rule.ref_o2_percent,
            )
        result = to_reference_oxygen(result, measured_o2, rule.ref_o2_percent)
        steps.append(f"reference_oxygen: measured {measured_o2} % -> {rule.ref_o2_percent} %")
    return result, steps
