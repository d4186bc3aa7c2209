"""Quantities declared in kg, g, t, litres or cubic metres, converted to kilograms.

Mass units and liquid volumes (with a density) convert exactly in Decimal. A gas volume goes
through the ideal gas law, m = p V M / (R T), which divides: it is computed with 40 significant
digits (far below any measurement's precision), so the same input always gives the same kg.
"""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation, localcontext

# CODATA 2018 molar gas constant, J/(mol K); exact since the 2019 SI redefinition.
R = Decimal("8.314462618")
ZERO_CELSIUS_K = Decimal("273.15")
STANDARD_PRESSURE_KPA = Decimal("101.325")
PRECISION = 40


class UnitError(ValueError):
    def __init__(self, code: str, message: str = "") -> None:
        super().__init__(message or code)
        self.code = code


@dataclass(frozen=True)
class Unit:
    code: str
    label_en: str
    label_th: str
    needs: tuple[str, ...]  # what else the form must ask for


UNITS: list[Unit] = [
    Unit("kg", "kilograms (kg)", "กิโลกรัม (กก.)", ()),
    Unit("g", "grams (g)", "กรัม (ก.)", ()),
    Unit("t", "tonnes (t)", "ตัน", ()),
    Unit("L", "litres of liquid (L)", "ลิตร (ของเหลว)", ("density_kg_m3",)),
    Unit("m3", "cubic metres of liquid (m³)", "ลูกบาศก์เมตร (ของเหลว)", ("density_kg_m3",)),
    Unit(
        "m3_gas",
        "cubic metres of gas at stated temperature and pressure",
        "ลูกบาศก์เมตร (ก๊าซ ที่อุณหภูมิและความดันที่ระบุ)",
        ("molecular_weight", "temperature_c", "pressure_kpa"),
    ),
    Unit(
        "Nm3",
        "normal cubic metres of gas (0 °C, 101.325 kPa)",
        "ลูกบาศก์เมตรมาตรฐานของก๊าซ (0 °ซ. 101.325 กิโลปาสกาล)",
        ("molecular_weight",),
    ),
]

UNIT_CODES = tuple(u.code for u in UNITS)


def _decimal(value: object, code: str) -> Decimal:
    if isinstance(value, float):
        # A float carries binary noise (0.1 is 0.1000000000000000055...): take its repr.
        value = repr(value)
    try:
        result = Decimal(value)  # type: ignore[arg-type]
    except (InvalidOperation, TypeError, ValueError) as exc:
        raise UnitError(code) from exc
    if not result.is_finite():
        raise UnitError(code)
    return result


def to_kg(
    quantity: Decimal,
    unit: str,
    *,
    density_kg_m3: Decimal | None = None,
    molecular_weight: Decimal | None = None,
    temperature_c: Decimal | None = None,
    pressure_kpa: Decimal | None = None,
) -> Decimal:
    if unit is None or str(unit).strip() == "":
        raise UnitError("unit_missing", "A quantity needs a unit.")
    unit = str(unit).strip()
    if unit not in UNIT_CODES:
        raise UnitError("unit_unknown", f"Unknown unit {unit!r}.")
    if quantity is None:
        raise UnitError("unit_missing", "A quantity is missing.")
    q = _decimal(quantity, "unit_missing")
    if q < 0:
        raise UnitError("negative", "A quantity cannot be negative.")

    if unit == "kg":
        return q
    if unit == "g":
        return q / 1000
    if unit == "t":
        return q * 1000
    if unit in ("L", "m3"):
        if density_kg_m3 is None:
            raise UnitError("density_required", "A liquid volume needs a density.")
        density = _decimal(density_kg_m3, "density_required")
        if density <= 0:
            raise UnitError("density_required", "A density must be positive.")
        volume_m3 = q / 1000 if unit == "L" else q
        return volume_m3 * density

    if molecular_weight is None:
        raise UnitError("molecular_weight_required", "A gas volume needs a molecular weight.")
    mw = _decimal(molecular_weight, "molecular_weight_required")
    if mw <= 0:
        raise UnitError("molecular_weight_required", "A molecular weight must be positive.")
    if unit == "Nm3":
        t_c, p_kpa = Decimal(0), STANDARD_PRESSURE_KPA
    else:
        if temperature_c is None or pressure_kpa is None:
            raise UnitError(
                "conditions_required", "A gas volume needs its temperature and pressure."
            )
        t_c = _decimal(temperature_c, "conditions_required")
        p_kpa = _decimal(pressure_kpa, "conditions_required")
    t_k = t_c + ZERO_CELSIUS_K
    if t_k <= 0 or p_kpa <= 0:
        raise UnitError("conditions_required", "Temperature and pressure must be physical.")
    with localcontext() as ctx:
        ctx.prec = PRECISION
        # p [kPa] * V [m3] = kJ; n [kmol] = pV / (R T); m [kg] = n * M [kg/kmol = g/mol].
        return p_kpa * q * mw / (R * t_k)


def kg_to_t(kg: Decimal) -> Decimal:
    return kg / 1000
