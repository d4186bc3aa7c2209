"""Units of the monitoring app and conversions between them, in Decimal.

Each unit belongs to one dimension and has a factor to that dimension's base unit (temperature is
affine and handled apart). Gas concentrations cross between volume fraction (ppm) and mass per
volume (mg/m3) through the molar volume of an ideal gas at the stated temperature and pressure,
so those conversions need the molecular weight. The "N" of mg/Nm3 only says "at reference
conditions"; which conditions is a property of the limit rule, not of the unit, so mg/Nm3 is
read as mg/m3.
"""

from dataclasses import dataclass
from decimal import Decimal

R_KPA_L_PER_MOL_K = Decimal("8.314462618")  # molar gas constant, J/(mol K) = kPa L/(mol K)
ZERO_CELSIUS_K = Decimal("273.15")
STANDARD_TEMPERATURE_K = Decimal("298.15")
STANDARD_PRESSURE_KPA = Decimal("101.325")


class UnitError(ValueError):
    """A unit problem with a stable code: unit_unknown, unit_incompatible,
    molecular_weight_required."""

    def __init__(self, code: str, message: str, **params: object) -> None:
        super().__init__(message % params if params else message)
        self.code = code
        self.message = message
        self.params = params


@dataclass(frozen=True)
class Unit:
    code: str
    label_en: str
    label_th: str
    dimension: str
    factor: Decimal  # multiply by this to reach the dimension's base unit


MASS = "mass_concentration"
FRACTION = "volume_fraction"


def _u(code: str, en: str, th: str, dimension: str, factor: str) -> Unit:
    return Unit(code, en, th, dimension, Decimal(factor))


# Bases: mass_concentration mg/m3 (= ug/L); volume_fraction ppm; temperature K;
# volume_flow m3/d (every factor exact); pressure kPa; others are their own base.
_UNITS: tuple[Unit, ...] = (
    _u("mg/m3", "milligrams per cubic metre", "มิลลิกรัมต่อลูกบาศก์เมตร", MASS, "1"),
    _u("ug/m3", "micrograms per cubic metre", "ไมโครกรัมต่อลูกบาศก์เมตร", MASS, "0.001"),
    _u("ng/m3", "nanograms per cubic metre", "นาโนกรัมต่อลูกบาศก์เมตร", MASS, "0.000001"),
    _u("g/m3", "grams per cubic metre", "กรัมต่อลูกบาศก์เมตร", MASS, "1000"),
    _u("mg/L", "milligrams per litre", "มิลลิกรัมต่อลิตร", MASS, "1000"),
    _u("ug/L", "micrograms per litre", "ไมโครกรัมต่อลิตร", MASS, "1"),
    _u("g/L", "grams per litre", "กรัมต่อลิตร", MASS, "1000000"),
    _u("ppm", "parts per million by volume", "ส่วนในล้านส่วนโดยปริมาตร", FRACTION, "1"),
    _u("ppb", "parts per billion by volume", "ส่วนในพันล้านส่วนโดยปริมาตร", FRACTION, "0.001"),
    _u("%", "percent by volume", "ร้อยละโดยปริมาตร", FRACTION, "10000"),
    _u("K", "kelvin", "เคลวิน", "temperature", "1"),
    _u("degC", "degrees Celsius", "องศาเซลเซียส", "temperature", "1"),
    _u("m3/d", "cubic metres per day", "ลูกบาศก์เมตรต่อวัน", "volume_flow", "1"),
    _u("m3/h", "cubic metres per hour", "ลูกบาศก์เมตรต่อชั่วโมง", "volume_flow", "24"),
    _u("m3/min", "cubic metres per minute", "ลูกบาศก์เมตรต่อนาที", "volume_flow", "1440"),
    _u("m3/s", "cubic metres per second", "ลูกบาศก์เมตรต่อวินาที", "volume_flow", "86400"),
    _u("L/s", "litres per second", "ลิตรต่อวินาที", "volume_flow", "86.4"),
    _u("L/min", "litres per minute", "ลิตรต่อนาที", "volume_flow", "1.44"),
    _u("kPa", "kilopascals", "กิโลปาสกาล", "pressure", "1"),
    _u("Pa", "pascals", "ปาสกาล", "pressure", "0.001"),
    _u("hPa", "hectopascals", "เฮกโตปาสกาล", "pressure", "0.1"),
    _u("atm", "standard atmospheres", "บรรยากาศ", "pressure", "101.325"),
    _u("mmHg", "millimetres of mercury", "มิลลิเมตรปรอท", "pressure", "0.133322387415"),
    _u("pH", "pH units", "หน่วยพีเอช", "ph", "1"),
    _u("ADMI", "ADMI colour units", "หน่วยสี ADMI", "colour", "1"),
)
_BY_CODE: dict[str, Unit] = {u.code: u for u in _UNITS}

# Spellings seen in analyser exports, lab reports and Thai documents, lower-cased and without
# spaces, mapped to our codes.
_ALIASES: dict[str, str] = {
    "mg/nm3": "mg/m3",
    "mg/nm³": "mg/m3",
    "mg/m³": "mg/m3",
    "mg/scm": "mg/m3",
    "mg/dscm": "mg/m3",
    "mgm-3": "mg/m3",
    "มก./ลบ.ม.": "mg/m3",
    "ug/nm3": "ug/m3",
    "µg/m3": "ug/m3",
    "μg/m3": "ug/m3",
    "µg/m³": "ug/m3",
    "μg/m³": "ug/m3",
    "ug/m³": "ug/m3",
    "ng/nm3": "ng/m3",
    "g/nm3": "g/m3",
    "g/m³": "g/m3",
    "mg/l": "mg/L",
    "มก./ล.": "mg/L",
    "มก./ลิตร": "mg/L",
    "ug/l": "ug/L",
    "µg/l": "ug/L",
    "μg/l": "ug/L",
    "g/l": "g/L",
    "ppmv": "ppm",
    "ppm(v)": "ppm",
    "ppmvd": "ppm",
    "ppbv": "ppb",
    "%v/v": "%",
    "%vol": "%",
    "vol%": "%",
    "percent": "%",
    "°c": "degC",
    "ºc": "degC",
    "c": "degC",
    "degc": "degC",
    "celsius": "degC",
    "k": "K",
    "kelvin": "K",
    "m3/hr": "m3/h",
    "m³/h": "m3/h",
    "nm3/h": "m3/h",
    "m3/day": "m3/d",
    "m³/d": "m3/d",
    "m3/d": "m3/d",
    "cmd": "m3/d",
    "ลบ.ม./วัน": "m3/d",
    "m³/s": "m3/s",
    "l/s": "L/s",
    "l/min": "L/min",
    "kpa": "kPa",
    "pa": "Pa",
    "hpa": "hPa",
    "mbar": "hPa",
    "atm": "atm",
    "mmhg": "mmHg",
    "torr": "mmHg",
    "ph": "pH",
    "admi": "ADMI",
}


def canonical(unit: str) -> str:
    """Our code for a unit spelling; raises UnitError("unit_unknown")."""
    text = (unit or "").strip()
    if text in _BY_CODE:
        return text
    key = "".join(text.split()).lower()
    if key in _ALIASES:
        return _ALIASES[key]
    for code in _BY_CODE:
        if code.lower() == key:
            return code
    raise UnitError("unit_unknown", "Unknown unit %(unit)s.", unit=unit)


def units() -> dict[str, Unit]:
    return dict(_BY_CODE)


def molar_volume_l(temperature_k: Decimal, pressure_kpa: Decimal) -> Decimal:
    """Litres per mole of an ideal gas at temperature_k and pressure_kpa."""
    return R_KPA_L_PER_MOL_K * Decimal(temperature_k) / Decimal(pressure_kpa)


def convert(
    value: Decimal,
    from_unit: str,
    to_unit: str,
    *,
    molecular_weight: Decimal | None = None,
    temperature_k: Decimal = STANDARD_TEMPERATURE_K,
    pressure_kpa: Decimal = STANDARD_PRESSURE_KPA,
) -> Decimal:
    """value expressed in to_unit. ppm <-> mg/m3 uses the molar volume at temperature_k and
    pressure_kpa (25 °C and 101.325 kPa unless told) and needs molecular_weight (g/mol)."""
    value = Decimal(value)
    source = _BY_CODE[canonical(from_unit)]
    target = _BY_CODE[canonical(to_unit)]
    if source.code == target.code:
        return value
    if source.dimension == target.dimension == "temperature":
        kelvin = value + ZERO_CELSIUS_K if source.code == "degC" else value
        return kelvin - ZERO_CELSIUS_K if target.code == "degC" else kelvin
    if source.dimension == target.dimension:
        return value * source.factor / target.factor
    dims = {source.dimension, target.dimension}
    if dims == {FRACTION, "mass_concentration"}:
        if molecular_weight is None:
            raise UnitError(
                "molecular_weight_required",
                "Converting %(from_unit)s to %(to_unit)s needs the molecular weight.",
                from_unit=source.code,
                to_unit=target.code,
            )
        # mg/m3 = ppm × MW (g/mol) / Vm (L/mol): 1 ppm is 1 µL of gas per litre of mixture.
        vm = molar_volume_l(Decimal(temperature_k), Decimal(pressure_kpa))
        mw = Decimal(molecular_weight)
        if source.dimension == "volume_fraction":
            ppm = value * source.factor
            return ppm * mw / vm / target.factor
        mg_m3 = value * source.factor
        return mg_m3 * vm / mw / target.factor
    raise UnitError(
        "unit_incompatible",
        "%(from_unit)s cannot be converted to %(to_unit)s.",
        from_unit=source.code,
        to_unit=target.code,
    )
