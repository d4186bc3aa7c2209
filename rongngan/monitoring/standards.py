"""The monitoring reference data (data/*.csv, data/*.yaml) as frozen dataclasses, read once.

Django-free: the app's data migration and services read these objects; nothing here touches
the database. Sources and what was confirmed: data/README.md.
"""

import csv
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from rongngan.monitoring.units import canonical

DATA = Path(__file__).resolve().parent / "data"

MEDIA = ("water", "air")
AVERAGING = ("hour", "day", "month", "grab", "instant")
COMPARATORS = ("max", "min", "range")


@dataclass(frozen=True)
class Parameter:
    code: str
    name_en: str
    name_th: str
    medium: str
    unit: str
    molecular_weight: Decimal | None
    range_min: Decimal | None
    range_max: Decimal | None


@dataclass(frozen=True)
class LimitRule:
    standard_code: str
    parameter: str
    unit: str
    averaging: str
    comparator: str
    value: Decimal | None
    upper_value: Decimal | None
    low_value: Decimal | None
    high_value: Decimal | None
    ref_temperature_k: Decimal | None
    ref_pressure_kpa: Decimal | None
    ref_o2_percent: Decimal | None
    dry_basis: bool
    applies_to: dict[str, Any] = field(hash=False)
    effective_from: date = date.min
    effective_to: date | None = None
    source: str = ""
    notes: str = ""

    def in_force(self, on: date) -> bool:
        return self.effective_from <= on and (self.effective_to is None or on < self.effective_to)

    def matches(self, applies_to: Mapping[str, Any]) -> bool:
        """Every condition of the rule is met by the point's attributes; a rule condition may
        list several accepted values. Attributes the rule does not mention are ignored."""
        for key, wanted in self.applies_to.items():
            if key not in applies_to:
                return False
            accepted = wanted if isinstance(wanted, list | tuple) else [wanted]
            if str(applies_to[key]) not in {str(a) for a in accepted}:
                return False
        return True


@dataclass(frozen=True)
class Standard:
    code: str
    title_th: str
    title_en: str
    medium: str
    issued_by: str
    reference: str
    effective_from: date
    effective_to: date | None
    url: str
    limits: tuple[LimitRule, ...]
    verification: str = ""

    def in_force(self, on: date) -> bool:
        return self.effective_from <= on and (self.effective_to is None or on < self.effective_to)


@dataclass(frozen=True)
class HourRule:
    kind: str  # "fraction" | "quadrants"
    min_valid_fraction: Decimal | None = None
    minutes: int = 60
    qa_min_points: int = 2
    qa_min_separation_minutes: int = 15


@dataclass(frozen=True)
class DayRule:
    max_invalid_hours: int | None = None
    min_valid_hours: int | None = None
    hours: int = 24
    excused_hours_count_as_invalid: bool = True


@dataclass(frozen=True)
class ValidityRegime:
    code: str
    name: str
    hour_rule: HourRule
    day_rule: DayRule
    ci_fraction: dict[str, Decimal] = field(hash=False)
    ci_averaging: tuple[str, ...] = ()
    source: str = ""


def _decimal(raw: Any) -> Decimal | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    return Decimal(str(raw).strip())


def _date(raw: Any) -> date | None:
    if raw is None or raw == "":
        return None
    return raw if isinstance(raw, date) else date.fromisoformat(str(raw))


def _yaml(name: str) -> dict[str, Any]:
    with open(DATA / name, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def _version() -> str:
    return str(_yaml("standards.yaml")["version"])


VERSION = _version()


@cache
def parameters() -> dict[str, Parameter]:
    with open(DATA / "parameters.csv", encoding="utf-8", newline="") as fh:
        lines = [line for line in fh if not line.startswith("#")]
    result = {}
    for row in csv.DictReader(lines):
        result[row["code"]] = Parameter(
            code=row["code"],
            name_en=row["name_en"],
            name_th=row["name_th"],
            medium=row["medium"],
            unit=canonical(row["unit"]),
            molecular_weight=_decimal(row["molecular_weight"]),
            range_min=_decimal(row["range_min"]),
            range_max=_decimal(row["range_max"]),
        )
    return result


def _limit(standard: dict[str, Any], raw: dict[str, Any]) -> LimitRule:
    merged = {**(standard.get("defaults") or {}), **raw}
    known = parameters()
    if merged["parameter"] not in known:
        raise ValueError(f"{standard['code']}: unknown parameter {merged['parameter']!r}")
    if merged.get("averaging") not in AVERAGING or merged.get("comparator") not in COMPARATORS:
        raise ValueError(f"{standard['code']}/{merged['parameter']}: bad averaging or comparator")
    return LimitRule(
        standard_code=standard["code"],
        parameter=merged["parameter"],
        unit=canonical(merged.get("unit") or known[merged["parameter"]].unit),
        averaging=merged["averaging"],
        comparator=merged["comparator"],
        value=_decimal(merged.get("value")),
        upper_value=_decimal(merged.get("upper_value")),
        low_value=_decimal(merged.get("low_value")),
        high_value=_decimal(merged.get("high_value")),
        ref_temperature_k=_decimal(merged.get("ref_temperature_k")),
        ref_pressure_kpa=_decimal(merged.get("ref_pressure_kpa")),
        ref_o2_percent=_decimal(merged.get("ref_o2_percent")),
        dry_basis=bool(merged.get("dry_basis", False)),
        applies_to=dict(merged.get("applies_to") or {}),
        effective_from=_date(merged.get("effective_from") or standard["effective_from"]),
        effective_to=_date(merged.get("effective_to") or standard.get("effective_to")),
        source=merged.get("source", ""),
        notes=(merged.get("notes") or "").strip(),
    )


@cache
def standards() -> dict[str, Standard]:
    result = {}
    for raw in _yaml("standards.yaml")["standards"]:
        if raw["medium"] not in MEDIA:
            raise ValueError(f"{raw['code']}: unknown medium {raw['medium']!r}")
        result[raw["code"]] = Standard(
            code=raw["code"],
            title_th=raw["title_th"],
            title_en=raw["title_en"],
            medium=raw["medium"],
            issued_by=raw["issued_by"],
            reference=raw.get("reference", ""),
            effective_from=_date(raw["effective_from"]),
            effective_to=_date(raw.get("effective_to")),
            url=raw.get("url", ""),
            limits=tuple(_limit(raw, limit) for limit in raw["limits"]),
            verification=(raw.get("verification") or "").strip(),
        )
    return result


def limits_for(medium: str, applies_to: Mapping[str, Any], on: date) -> list[LimitRule]:
    """The rules in force on `on` for a point of `medium` whose attributes are `applies_to`
    (e.g. {"source": "boiler_furnace", "fuel": "coal"})."""
    return [
        rule
        for standard in standards().values()
        if standard.medium == medium and standard.in_force(on)
        for rule in standard.limits
        if rule.in_force(on) and rule.matches(applies_to)
    ]


@cache
def validity_regimes() -> dict[str, ValidityRegime]:
    result = {}
    for raw in _yaml("validity.yaml")["regimes"]:
        hour = raw["hour_rule"]
        day = raw["day_rule"]
        if hour["kind"] not in ("fraction", "quadrants"):
            raise ValueError(f"{raw['code']}: unknown hour rule {hour['kind']!r}")
        if hour["kind"] == "fraction" and not hour.get("min_valid_fraction"):
            raise ValueError(f"{raw['code']}: a fraction hour rule needs min_valid_fraction")
        result[raw["code"]] = ValidityRegime(
            code=raw["code"],
            name=raw["name"],
            hour_rule=HourRule(
                kind=hour["kind"],
                min_valid_fraction=_decimal(hour.get("min_valid_fraction")),
                minutes=int(hour.get("minutes", 60)),
                qa_min_points=int(hour.get("qa_min_points", 2)),
                qa_min_separation_minutes=int(hour.get("qa_min_separation_minutes", 15)),
            ),
            day_rule=DayRule(
                max_invalid_hours=day.get("max_invalid_hours"),
                min_valid_hours=day.get("min_valid_hours"),
                hours=int(day.get("hours", 24)),
                excused_hours_count_as_invalid=bool(
                    day.get("excused_hours_count_as_invalid", True)
                ),
            ),
            ci_fraction={k: Decimal(str(v)) for k, v in (raw.get("ci_fraction") or {}).items()},
            ci_averaging=tuple(raw.get("ci_averaging") or ()),
            source=" ".join((raw.get("source") or "").split()),
        )
    return result
