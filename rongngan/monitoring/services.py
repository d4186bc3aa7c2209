"""Every write about pollution monitoring: validated first, one transaction, an audit entry.

Officers (national, or provincial in their province) define points, their parameters and the
limits that apply. A factory's operator users send readings, laboratory results and
malfunction or shutdown notices for their own points, and explain events; officers decide them.

Readings come in batches. Every row is checked before anything is written (unknown point or
parameter, a unit that cannot be converted, a timestamp without a zone or in the future, a value
that is not a number, a point of another company): in "reject" mode one bad row refuses the
whole batch with a report per row and nothing is written; in "quarantine" mode the good rows go
in and each bad row is kept in QuarantinedRow with its reasons. Nothing is dropped silently: a
row already stored (a retry without Idempotency-Key) is counted as a duplicate. The batch then
updates the averages of the hours and days it touched and judges them (see pipeline.py).
"""

import csv
import datetime as dt
import io
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from rongngan.accounts.models import Organisation
from rongngan.core import audit
from rongngan.core.errors import Problem, RongnganValidationError, render_all
from rongngan.core.geo import in_thailand
from rongngan.core.reader import decimal_places
from rongngan.core.scoping import NATIONAL_WRITE, role_of
from rongngan.monitoring import conf, events, pipeline, storage
from rongngan.monitoring.corrections import AMBIENT_O2_PERCENT
from rongngan.monitoring.models import (
    Averaging,
    Comparator,
    Event,
    IngestBatch,
    LabResult,
    LimitRule,
    MonitoringPoint,
    Notice,
    Parameter,
    PointLimit,
    PointParameter,
    QuarantinedRow,
)
from rongngan.registry.models import Factory

MSG = {
    "required": _("This field is required."),
    "number": _("Give a number."),
    "not_finite": _("Give a finite number."),
    "too_large": _("The number is too large."),
    "bad_choice": _("“%(value)s” is not one of: %(choices)s."),
    "code_taken": _("Point code %(value)s is already used."),
    "unknown_point": _("Unknown monitoring point “%(value)s”."),
    "not_your_point": _("You may not send data for point %(value)s."),
    "inactive_point": _("Point %(value)s is not active."),
    "unknown_parameter": _("Parameter “%(value)s” is not measured at point %(point)s."),
    "unknown_catalogue_parameter": _("Unknown parameter “%(value)s”."),
    "bad_unit": _("Unit “%(value)s” cannot be converted to %(to)s."),
    "no_zone": _("Give the timestamp with its time zone (e.g. 2026-11-27T10:00:00+07:00)."),
    "bad_timestamp": _("“%(value)s” is not a date and time (ISO 8601)."),
    "in_future": _("The timestamp %(value)s is in the future."),
    "too_old": _(
        "The timestamp %(value)s is older than the %(days)s days minute readings are kept; "
        "send daily results of that time as laboratory results."
    ),
    "bad_flag": _("Unknown status flag “%(value)s”; use one of: %(choices)s."),
    "too_many_rows": _("A batch has at most %(max)s rows; this one has %(count)s."),
    "empty_batch": _("The batch has no rows."),
    "bad_csv": _(
        "The CSV needs the columns point, parameter, ts, value (unit and flags optional)."
    ),
    "not_a_row": _("Each row is an object with point, parameter, ts and value."),
    "bad_mode": _("mode is “reject” or “quarantine”."),
    "bad_encoding": _("The text is neither UTF-8 nor Thai Windows (cp874) text."),
    "officers_only": _("Only officers define monitoring points and their limits."),
    "not_your_factory": _("You do not act for this factory."),
    "duplicate_row": _("The same point, parameter and time appear twice in the batch."),
    "range_order": _("The minimum is above the maximum."),
    "limit_value": _("Give the limit value (or the low and high values of a range)."),
    "unknown_rule": _("Unknown catalogue limit %(value)s."),
    "rule_other_parameter": _("Catalogue limit %(value)s is for another parameter."),
    "no_lab": _(
        "Name the laboratory (a registered laboratory or its name and registration number)."
    ),
    "not_a_lab": _("This organisation is not a laboratory."),
    "end_before_start": _("The end is before the start."),
    "not_open": _("Only an open event can be explained; this one is %(status)s."),
    "not_explained": _("Decide an event after the operator's explanation; this one is %(status)s."),
    "not_officer_for": _("Only an officer for this factory's province decides its events."),
    "unknown_regime": _("Unknown validity regime “%(value)s”."),
    "too_many_decimals": _("Give at most %(places)s decimal places."),
    "too_long": _("At most %(max)s characters."),
    "outside_thailand": _("The coordinates (%(lat)s, %(lon)s) are not in Thailand."),
    "coordinates_pair": _("Give both latitude and longitude, or neither."),
    "o2_out_of_range": _("Reference oxygen is a percentage of at least 0 and below %(max)s."),
    "not_positive": _("Give a number above zero."),
    "bad_attributes": _("Give the attributes as an object of names and values."),
    "bad_limits": _("Give the limits as “catalogue” or as a list of limits."),
    "bad_limit": _("Each limit is an object: a catalogue limit (rule) or a licence limit."),
    "duplicate_lab_result": _(
        "Laboratory report %(value)s for this parameter and sampling time is already recorded."
    ),
    "unit_change_with_data": _(
        "Data of %(parameter)s at this point are stored in %(unit)s: the unit cannot change "
        "once data are stored (they would be relabelled, not converted). Keep %(unit)s; a "
        "limit may be stated in another unit."
    ),
    "conflicts_stored": _(
        "A different value (%(stored)s) is already stored for this point, parameter and "
        "minute; the stored value is kept and this row was not stored."
    ),
    "operators_explain": _(
        "Only the factory's operator explains its events; officers decide them."
    ),
}
# Status flags a sender may set on a reading (validity.py reads them); an analyser's
# "malfunction" is kept as "invalid" too, so that the minute is never counted as valid data.
FLAGS = ("calibration", "maintenance", "invalid", "shutdown", "malfunction")
MODES = ("reject", "quarantine")
TRUE = {"1", "true", "yes", "on"}
LARGEST = Decimal("1e12")
DIGITS = 12  # digits before the point that the value columns hold (18 digits, 6 decimals)
PLACES = 6  # digits after the point that they hold
MAX_DRIFT = Decimal("99999999.99")  # LabResult.drift_percent is numeric(10, 2)
MIN_YEAR, MAX_YEAR = 1, 9999  # timestamps this close to the calendar's ends are refused
SIX_PLACES = Decimal("0.000001")  # the scale of the stored values


def _p(field: str | None, code: str, row: int | None = None, **params: Any) -> Problem:
    return Problem(field, code, MSG[code], params, row=row)


# --------------------------------------------------------------------------------------------
# Who acts for whom


def is_officer_for(user: Any, factory: Factory) -> bool:
    role = role_of(user)
    return role in NATIONAL_WRITE or (
        role == "provincial_officer" and user.province_id == factory.province_id
    )


def acts_for(user: Any, factory: Factory) -> bool:
    """Operators of the factory's company, and officers in reach, may send its data."""
    if role_of(user) == "operator":
        return bool(user.organisation_id) and user.organisation_id == factory.operator_id
    return is_officer_for(user, factory)


def _decimal(
    problems: list[Problem],
    name: str,
    raw: Any,
    *,
    required: bool = False,
    digits: int = DIGITS,
    places: int = PLACES,
    round_places: bool = False,
) -> Decimal | None:
    """A number that fits its column: at most `digits` digits before the point and `places`
    after it (the app's quantities are numeric(18, 6)). More decimal places are refused
    (too_many_decimals: storing would round a regulated figure silently), unless
    `round_places` (coordinates: the seventh decimal is a few centimetres)."""
    if raw is None or raw == "":
        if required:
            problems.append(_p(name, "required"))
        return None
    if isinstance(raw, bool):
        problems.append(_p(name, "number"))
        return None
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        problems.append(_p(name, "number"))
        return None
    if not value.is_finite():
        problems.append(_p(name, "not_finite"))
        return None
    # adjusted() needs no arithmetic, so 1e999999999 is refused here too.
    if value and value.adjusted() >= digits:
        problems.append(_p(name, "too_large"))
        return None
    if value.as_tuple().exponent < -places:  # type: ignore[operator]
        if decimal_places(value) > places and not round_places:
            problems.append(_p(name, "too_many_decimals", places=places))
            return None
        value = value.quantize(Decimal(1).scaleb(-places))
        if value and value.adjusted() >= digits:  # 999.9999999 rounds up to 1000
            problems.append(_p(name, "too_large"))
            return None
    return value


def _text(
    problems: list[Problem], name: str, raw: Any, model: Any, field: str | None = None
) -> str:
    """Stripped text, refused (too_long) when longer than its column."""
    text = "" if raw is None else str(raw).strip()
    limit = model._meta.get_field(field or name).max_length
    if limit and len(text) > limit:
        problems.append(_p(name, "too_long", max=limit))
    return text


def _choice(problems: list[Problem], name: str, raw: Any, choices: Sequence[str]) -> str:
    value = "" if raw is None else str(raw).strip()
    if value not in choices:
        problems.append(_p(name, "bad_choice", value=value, choices=", ".join(choices)))
    return value


def _date(
    problems: list[Problem], name: str, raw: Any, default: dt.date | None = None
) -> dt.date | None:
    if raw in (None, ""):
        return default
    if isinstance(raw, dt.date):
        return raw
    try:
        return dt.date.fromisoformat(str(raw))
    except ValueError:
        problems.append(_p(name, "bad_timestamp", value=raw))
        return None


# --------------------------------------------------------------------------------------------
# Points, parameters, limits (officers)

POINT_FIELDS = [
    "factory",
    "kind",
    "code",
    "name",
    "latitude",
    "longitude",
    "method",
    "frequency",
    "validity_regime",
    "ref_o2_percent",
    "ref_temperature_k",
    "ref_pressure_kpa",
    "dry_basis",
    "urban",
    "receiving_water",
    "fuel",
    "process",
    "large_discharge",
    "attributes",
    "active",
]


def _bool(raw: Any) -> bool:
    return raw is True or str(raw).strip().lower() in TRUE


def point_define(*, acting_user: Any, factory: Factory, data: Mapping[str, Any]) -> MonitoringPoint:
    """A new monitoring point of `factory` (officers only)."""
    if not is_officer_for(acting_user, factory):
        raise PermissionError(MSG["officers_only"])
    problems: list[Problem] = []
    code = _text(problems, "code", data.get("code"), MonitoringPoint)
    if not code:
        problems.append(_p("code", "required"))
    elif MonitoringPoint.objects.filter(code=code).exists():
        problems.append(_p("code", "code_taken", value=code))
    name = _text(problems, "name", data.get("name"), MonitoringPoint)
    if not name:
        problems.append(_p("name", "required"))
    texts = {
        field: _text(problems, field, data.get(field), MonitoringPoint)
        for field in ("receiving_water", "fuel", "process")
    }
    kind = _choice(problems, "kind", data.get("kind"), MonitoringPoint.Kind.values)
    method = _choice(problems, "method", data.get("method"), MonitoringPoint.Method.values)
    frequency = _choice(
        problems,
        "frequency",
        data.get("frequency") or ("minute" if method == "continuous" else ""),
        MonitoringPoint.Frequency.values,
    )
    regime = str(data.get("validity_regime") or conf.get("MONITORING_DEFAULT_REGIME")).strip()
    if regime not in pipeline.regimes():
        problems.append(_p("validity_regime", "unknown_regime", value=regime))
    numbers = {
        name: _decimal(problems, name, data.get(name))
        for name in ("ref_o2_percent", "ref_temperature_k", "ref_pressure_kpa")
    }
    # Reference oxygen below ambient air: at 20.9 % the correction divides by zero (see
    # corrections.to_reference_oxygen), and a point whose hours cannot be corrected is not judged.
    o2 = numbers["ref_o2_percent"]
    if o2 is not None and not (0 <= o2 < AMBIENT_O2_PERCENT):
        problems.append(_p("ref_o2_percent", "o2_out_of_range", max=AMBIENT_O2_PERCENT))
    # (`field`, not `name`: `name` is the point's name, written below)
    for field in ("ref_temperature_k", "ref_pressure_kpa"):
        if numbers[field] is not None and numbers[field] <= 0:
            problems.append(_p(field, "not_positive"))
    # Coordinates as the register keeps them (numeric(9, 6)), in Thailand; blank: the factory's.
    for field in ("latitude", "longitude"):
        numbers[field] = _decimal(problems, field, data.get(field), digits=3, round_places=True)
    lat, lon = numbers["latitude"], numbers["longitude"]
    if not any(p.field in ("latitude", "longitude") for p in problems):
        if (lat is None) != (lon is None):
            problems.append(_p("latitude" if lat is None else "longitude", "coordinates_pair"))
        elif lat is not None and lon is not None and not in_thailand(float(lat), float(lon)):
            problems.append(_p("latitude", "outside_thailand", lat=lat, lon=lon))
    attributes = data.get("attributes") or {}
    if not isinstance(attributes, Mapping):
        problems.append(_p("attributes", "bad_attributes"))
        attributes = {}
    if problems:
        raise RongnganValidationError(problems)
    with transaction.atomic():
        point = MonitoringPoint(
            factory=factory,
            province_id=factory.province_id,
            kind=kind,
            code=code,
            name=name,
            method=method,
            frequency=frequency,
            validity_regime=regime,
            dry_basis=_bool(data.get("dry_basis")),
            urban=_bool(data.get("urban")),
            receiving_water=texts["receiving_water"],
            fuel=texts["fuel"],
            process=texts["process"],
            large_discharge=_bool(data.get("large_discharge")),
            attributes=dict(attributes),
            latitude=lat if lat is not None else factory.latitude,
            longitude=lon if lon is not None else factory.longitude,
            ref_o2_percent=numbers["ref_o2_percent"],
            ref_temperature_k=numbers["ref_temperature_k"],
            ref_pressure_kpa=numbers["ref_pressure_kpa"],
        )
        point.full_clean()
        point.save()
        audit.record(
            actor=acting_user,
            action="create",
            obj=point,
            changes=audit.snapshot(point, POINT_FIELDS),
        )
    return point


def catalogue_limits(point: MonitoringPoint, parameter: str, on: dt.date) -> list[LimitRule]:
    """The catalogue's rules for this point and parameter in force on `on`."""
    from rongngan.monitoring import standards
    from rongngan.monitoring.reference import rule_key

    medium = "water" if point.kind == MonitoringPoint.Kind.EFFLUENT_OUTLET else "air"
    keys = [
        rule_key(r.standard_code, r)
        for r in standards.limits_for(medium, point.applies_to(), on)
        if r.parameter == parameter
    ]
    return list(LimitRule.objects.select_related("standard").filter(key__in=keys))


def point_parameter_set(
    *,
    acting_user: Any,
    point: MonitoringPoint,
    parameter: str,
    data: Mapping[str, Any],
) -> PointParameter:
    """Adds a parameter to a point, or changes its instrument range and its limits.

    `data`: unit, range_min, range_max, effective_from (date, default today), and limits:
    absent or "catalogue" takes the catalogue's rules for the point (by its kind, fuel,
    process, receiving water ...); a list sets them, each item either {"rule": <catalogue
    rule id>} or a licence limit {averaging, comparator, value | low_value & high_value,
    upper_value, unit, reference, document}. Limits change by new versions: the version in
    force is closed the day the new one starts.
    """
    if not is_officer_for(acting_user, point.factory):
        raise PermissionError(MSG["officers_only"])
    problems: list[Problem] = []
    param = Parameter.objects.filter(pk=parameter).first()
    if param is None:
        raise RongnganValidationError(
            [_p("parameter", "unknown_catalogue_parameter", value=parameter)]
        )
    existing = PointParameter.objects.filter(point=point, parameter=param).first()
    # Blank: the unit the point keeps the parameter in already, else the catalogue's.
    unit = _text(problems, "unit", data.get("unit"), PointParameter) or (
        existing.unit if existing else param.unit
    )
    try:
        pipeline.convert_to(Decimal(1), unit, param.unit, _FakePP(param))
    except Exception:
        problems.append(_p("unit", "bad_unit", value=unit, to=param.unit))
    else:
        if existing is not None and unit != existing.unit and _has_data(existing):
            # Stored readings, averages and results are in the old unit: a new label would
            # relabel them without converting them. Refused (see docs/monitoring-guide.md).
            problems.append(
                _p("unit", "unit_change_with_data", parameter=param.code, unit=existing.unit)
            )
    lo = _decimal(problems, "range_min", data.get("range_min"))
    hi = _decimal(problems, "range_max", data.get("range_max"))
    if lo is not None and hi is not None and lo > hi:
        problems.append(_p("range_min", "range_order"))
    start = _date(problems, "effective_from", data.get("effective_from"), timezone.localdate())
    raw_limits = data.get("limits", "catalogue")
    new_limits: list[PointLimit] = []
    if raw_limits in (None, "", "catalogue"):
        for rule in catalogue_limits(point, param.code, start or timezone.localdate()):
            new_limits.append(_from_rule(rule, point))
    elif isinstance(raw_limits, list):
        for i, item in enumerate(raw_limits):
            prefix = f"limits.{i}."
            if not isinstance(item, Mapping):
                problems.append(_p(f"limits.{i}", "bad_limit"))
                continue
            if item.get("rule"):
                rule = (
                    LimitRule.objects.select_related("standard")
                    .filter(pk=str(item["rule"]))
                    .first()
                    if str(item["rule"]).isdecimal()
                    else None
                )
                if rule is None:
                    problems.append(_p(f"{prefix}rule", "unknown_rule", value=item["rule"]))
                elif rule.parameter_id != param.code:
                    problems.append(_p(f"{prefix}rule", "rule_other_parameter", value=item["rule"]))
                else:
                    new_limits.append(_from_rule(rule, point))
                continue
            averaging = _choice(
                problems, f"{prefix}averaging", item.get("averaging"), Averaging.values
            )
            comparator = _choice(
                problems, f"{prefix}comparator", item.get("comparator") or "max", Comparator.values
            )
            value = _decimal(problems, f"{prefix}value", item.get("value"))
            low = _decimal(problems, f"{prefix}low_value", item.get("low_value"))
            high = _decimal(problems, f"{prefix}high_value", item.get("high_value"))
            upper = _decimal(problems, f"{prefix}upper_value", item.get("upper_value"))
            if (comparator == "range" and (low is None or high is None)) or (
                comparator != "range" and value is None
            ):
                problems.append(_p(f"{prefix}value", "limit_value"))
            limit_unit = _text(problems, f"{prefix}unit", item.get("unit"), PointLimit, "unit")
            limit_unit = limit_unit or unit
            try:
                pipeline.convert_to(Decimal(1), limit_unit, param.unit, _FakePP(param))
            except Exception:
                # A limit in a unit the readings cannot be converted to could never be judged.
                problems.append(_p(f"{prefix}unit", "bad_unit", value=limit_unit, to=param.unit))
            new_limits.append(
                PointLimit(
                    basis=PointLimit.Basis.LICENCE,
                    unit=limit_unit,
                    averaging=averaging,
                    comparator=comparator,
                    value=value,
                    upper_value=upper,
                    low_value=low,
                    high_value=high,
                    ref_o2_percent=point.ref_o2_percent,
                    reference=_text(
                        problems,
                        f"{prefix}reference",
                        item.get("reference"),
                        PointLimit,
                        "reference",
                    ),
                    document=_text(
                        problems, f"{prefix}document", item.get("document"), PointLimit, "document"
                    ),
                )
            )
    else:
        problems.append(_p("limits", "bad_limits"))
    if problems:
        raise RongnganValidationError(problems)
    with transaction.atomic():
        pp, created = PointParameter.objects.get_or_create(
            point=point, parameter=param, defaults={"unit": unit, "range_min": lo, "range_max": hi}
        )
        before = audit.snapshot(pp, ["unit", "range_min", "range_max"])
        if not created:
            pp.unit, pp.range_min, pp.range_max = unit, lo, hi
            pp.save(update_fields=["unit", "range_min", "range_max"])
        current = list(
            PointLimit.objects.select_for_update()
            .filter(point_parameter=pp)
            .filter(Q(effective_to__isnull=True) | Q(effective_to__gt=start))
        )
        version = (
            PointLimit.objects.filter(point_parameter=pp)
            .order_by("-version")
            .values_list("version", flat=True)
            .first()
            or 0
        ) + 1
        for old in current:
            old.effective_to = max(start, old.effective_from)
            old.save(update_fields=["effective_to"])
        for limit in new_limits:
            limit.point_parameter = pp
            limit.version = version
            limit.effective_from = start
            limit.created_by = acting_user
        PointLimit.objects.bulk_create(new_limits)
        audit.record(
            actor=acting_user,
            action="create" if created else "update",
            obj=pp,
            changes={
                **audit.diff(
                    before if not created else {},
                    audit.snapshot(pp, ["unit", "range_min", "range_max"]),
                ),
                "limits_version": version,
                "limits": [
                    audit.plain(
                        {
                            "basis": li.basis,
                            "rule": li.rule_id,
                            "averaging": li.averaging,
                            "comparator": li.comparator,
                            "value": li.value,
                            "low_value": li.low_value,
                            "high_value": li.high_value,
                            "unit": li.unit,
                        }
                    )
                    for li in new_limits
                ],
                "closed_limits": [old.pk for old in current],
            },
        )
    return pp


@dataclass
class _FakePP:
    parameter: Parameter


def _has_data(pp: PointParameter) -> bool:
    """Whether anything is stored in the point-parameter's unit: readings, averages (kept
    after the minutes' retention) or laboratory results."""
    from rongngan.monitoring.models import DailyAggregate, HourlyAggregate, Reading

    return (
        pp.last_reading_at is not None
        or Reading.objects.filter(point_parameter_id=pp.pk).exists()
        or HourlyAggregate.objects.filter(point_parameter=pp).exists()
        or DailyAggregate.objects.filter(point_parameter=pp).exists()
        or LabResult.objects.filter(point_parameter=pp).exists()
    )


def _from_rule(rule: LimitRule, point: MonitoringPoint) -> PointLimit:
    return PointLimit(
        basis=PointLimit.Basis.CATALOGUE,
        rule=rule,
        reference=(rule.standard.reference or rule.standard.code)[:300],
        unit=rule.unit,
        averaging=rule.averaging,
        comparator=rule.comparator,
        value=rule.value,
        upper_value=rule.upper_value,
        low_value=rule.low_value,
        high_value=rule.high_value,
        ref_o2_percent=rule.ref_o2_percent,
    )


# --------------------------------------------------------------------------------------------
# Readings


@dataclass
class IngestResult:
    batch: IngestBatch
    replayed: bool = False

    @property
    def events_opened(self) -> list[int]:
        return list(self.batch.events_opened)

    def as_dict(self) -> dict[str, Any]:
        return batch_dict(self.batch)


def batch_dict(b: IngestBatch) -> dict[str, Any]:
    return {
        "batch": b.pk,
        "status": b.status,
        "rows": b.rows,
        "accepted": b.accepted,
        "duplicates": b.duplicates,
        "quarantined": b.quarantined,
        "report": b.report,
        "processed": b.processed_at is not None,
        "processed_at": b.processed_at.isoformat() if b.processed_at else None,
        "events_opened": list(b.events_opened),
    }


PROCESSING = ("queue", "inline")
CSV_COLUMNS = ("point", "parameter", "ts", "value", "unit", "flags")


def decode_text(raw: bytes) -> str:
    """A file or body sent as bytes: UTF-8 (with or without its BOM), else Thai Windows
    (cp874, what Excel saves a CSV in on a Thai Windows); neither is refused (bad_encoding)."""
    for encoding in ("utf-8-sig", "cp874"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise RongnganValidationError([_p(None, "bad_encoding")])


def parse_csv(text: str) -> list[dict[str, Any]]:
    """Rows of a CSV batch (header row first; `timestamp` is read as ts)."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    names = [(n or "").strip().lower() for n in (reader.fieldnames or [])]
    names = ["ts" if n == "timestamp" else n for n in names]
    if not {"point", "parameter", "ts", "value"} <= set(names):
        raise RongnganValidationError([_p(None, "bad_csv")])
    reader.fieldnames = names
    return [dict(row) for row in reader]


class _Converter:
    """Unit conversion per (unit sent, point-parameter), cached: a linear conversion becomes
    one multiplication per row; temperature (affine) converts each value."""

    def __init__(self) -> None:
        self.cache: dict[tuple[str, int], Callable[[Decimal], Decimal] | str] = {}

    def get(self, unit: str, pp: PointParameter) -> Callable[[Decimal], Decimal] | str:
        key = (unit, pp.pk)
        found = self.cache.get(key)
        if found is None:
            found = self._make(unit, pp)
            self.cache[key] = found
        return found

    @staticmethod
    def _make(unit: str, pp: PointParameter) -> Callable[[Decimal], Decimal] | str:
        if unit == pp.unit:
            return lambda v: v
        try:
            zero = pipeline.convert_to(Decimal(0), unit, pp.unit, pp)
            one = pipeline.convert_to(Decimal(1), unit, pp.unit, pp)
        except Exception as exc:
            return str(
                getattr(exc, "message", exc) % getattr(exc, "params", {})
                if getattr(exc, "params", None)
                else str(exc)
            )
        if zero == 0:
            return lambda v, f=one: v * f
        return lambda v: pipeline.convert_to(v, unit, pp.unit, pp)


def _ts(raw: Any) -> tuple[dt.datetime | None, str | None]:
    if isinstance(raw, dt.datetime):
        parsed = raw
    else:
        text = str(raw or "").strip()
        if not text:
            return None, "required"
        try:
            parsed = dt.datetime.fromisoformat(text)
        except ValueError:
            try:
                parsed = parse_datetime(text)
            except ValueError:  # e.g. an offset of +24:00
                parsed = None
            if parsed is None:
                return None, "bad_timestamp"
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        return None, "no_zone"
    try:
        return parsed.astimezone(dt.UTC).replace(second=0, microsecond=0), None
    except OverflowError:  # year 1 or 9999 moved across midnight of the calendar's ends
        return None, "bad_timestamp"


def _flags(raw: Any) -> tuple[str, str | None]:
    if raw in (None, "", []):
        return "", None
    items = (
        raw
        if isinstance(raw, list | tuple)
        else str(raw).replace(";", ",").replace("|", ",").split(",")
    )
    out = []
    for item in items:
        flag = str(item).strip().lower()
        if not flag:
            continue
        if flag not in FLAGS:
            return "", flag
        out.append(flag)
        if flag == "malfunction":
            out.append("invalid")
    return ",".join(sorted(set(out))), None


def readings_ingest(
    *,
    acting_user: Any,
    rows: Sequence[Mapping[str, Any]] | str,
    format: str = "json",
    mode: str = "reject",
    idempotency_key: str = "",
    point: MonitoringPoint | None = None,
    now: dt.datetime | None = None,
    process: str = "",
) -> IngestResult:
    """Stores a batch of readings and updates what they touch; see the module docstring.

    `process`: "inline" builds the averages and judges them in this transaction; "queue" (the
    default, MONITORING_INGEST_PROCESSING) stores the rows and leaves that to the batch's
    background task, enqueued when the transaction commits (pipeline.process_batch).

    `rows`: mappings with point (code), parameter (code), ts (ISO 8601 with zone), value,
    unit (default: the point-parameter's), flags (list or comma-separated), or CSV text.
    `point`: when given, rows may leave out `point`. A repeated `idempotency_key` returns the
    first batch's result and writes nothing.
    """
    now = now or timezone.now()
    process = process or conf.get("MONITORING_INGEST_PROCESSING")
    if process not in PROCESSING:
        raise ValueError(f"process is one of {PROCESSING}, not {process!r}")
    if idempotency_key:
        done = IngestBatch.objects.filter(user=acting_user, idempotency_key=idempotency_key).first()
        if done is not None:
            return IngestResult(batch=done, replayed=True)
    if mode not in MODES:
        raise RongnganValidationError([_p("mode", "bad_mode")])
    if isinstance(rows, str):
        rows = parse_csv(rows)
        format = "csv"
    if not rows:
        raise RongnganValidationError([_p(None, "empty_batch")])
    limit = int(conf.get("MONITORING_MAX_BATCH_ROWS"))
    if len(rows) > limit:
        raise RongnganValidationError([_p(None, "too_many_rows", max=limit, count=len(rows))])

    codes = {str(r.get("point") or "").strip() for r in rows if isinstance(r, Mapping)}
    if point is not None:
        codes.add(point.code)
    points = {
        p.code: p for p in MonitoringPoint.objects.select_related("factory").filter(code__in=codes)
    }
    allowed = {code: acts_for(acting_user, p.factory) for code, p in points.items()}
    pps: dict[tuple[str, str], PointParameter] = {}
    for pp in PointParameter.objects.select_related("parameter", "point").filter(
        point__code__in=list(points)
    ):
        pps[(pp.point.code, pp.parameter_id)] = pp
    # The batch's row first (its id goes on every reading); a refused batch rolls it back.
    with transaction.atomic():
        batch = IngestBatch.objects.create(
            user=acting_user,
            idempotency_key=idempotency_key,
            format=format,
            mode=mode,
            status=IngestBatch.Status.ACCEPTED,
            rows=len(rows),
        )
        batch_id = batch.pk
        tolerance = now + dt.timedelta(seconds=int(conf.get("MONITORING_FUTURE_TOLERANCE_SECONDS")))
        # Minutes older than the retention would be dropped by the next retention run: refused
        # now, with the reason, instead (and a batch cannot spread over thousands of months).
        keep_days = int(conf.get("MONITORING_MINUTE_RETENTION_DAYS"))
        oldest = now - dt.timedelta(days=keep_days)
        converter = _Converter()

        good: list[storage.Row] = []
        bad: list[tuple[int, Any, list[Problem]]] = []
        # Each (point-parameter, minute) of the batch with its value and flags: a repeat of
        # the same is a duplicate (the first is kept), a repeat with another value a problem.
        seen: dict[tuple[int, dt.datetime], tuple[Decimal | None, str]] = {}
        duplicates = [0]  # rows repeated inside the batch (the first is kept)
        numbers: list[int] = []  # the row number of each good row, in order
        # What the stored rows touch: the hours to average, per point-parameter, and its latest
        # minute (rows the table already holds are counted too; rebuilding their hour is harmless).
        touched: dict[int, set[dt.datetime]] = defaultdict(set)
        latest: dict[int, dt.datetime] = {}
        # The fast path takes a well-formed row of an allowed point in a few operations; any row
        # it does not take goes through the full checks below, which name every problem.
        fast_pps = {
            key: (pp, pp.pk)
            for key, pp in pps.items()
            if allowed.get(key[0]) and points[key[0]].active
        }
        default_code = point.code if point else ""
        fromiso = dt.datetime.fromisoformat
        utc = dt.UTC
        fast_conv: dict[tuple[str, int], Callable[[Decimal], Decimal]] = {}
        # A batch's rows share their timestamps (every parameter of a point, every point of a
        # logger, at the same minute): each distinct text is parsed once.
        ts_cache: dict[str, tuple[dt.datetime, dt.datetime] | None] = {}

        def checked() -> Iterator[storage.Row]:
            """The good rows, in order, as they are checked (the bad ones go to `bad`)."""
            for i, row in enumerate(rows, start=1):
                if type(row) is dict and not row.get("flags"):
                    pcode = row.get("point") or default_code
                    param = row.get("parameter")
                    raw_ts, raw_value = row.get("ts"), row.get("value")
                    unit = row.get("unit")
                    found = (
                        fast_pps.get((pcode, param))
                        if type(pcode) is str
                        and type(param) is str
                        and type(raw_ts) is str
                        and type(raw_value) is str
                        and (unit is None or type(unit) is str)
                        else None
                    )
                    if found is not None:
                        pp, pk = found
                        parsed = ts_cache.get(raw_ts, False)
                        if parsed is False:
                            parsed = None
                            try:
                                ts = fromiso(raw_ts)
                            except ValueError:
                                ts = None
                            if (
                                ts is not None
                                and ts.utcoffset() is not None
                                and MIN_YEAR < ts.year < MAX_YEAR
                            ):
                                ts = ts.astimezone(utc)
                                if ts.second or ts.microsecond:
                                    ts = ts.replace(second=0, microsecond=0)
                                if oldest <= ts <= tolerance:
                                    parsed = (ts, ts.replace(minute=0))
                            ts_cache[raw_ts] = parsed
                        try:
                            value = Decimal(raw_value)
                        except (ValueError, InvalidOperation):
                            parsed = None
                        if (
                            parsed is not None
                            and value.is_finite()
                            and (not value or value.adjusted() < DIGITS)
                        ):
                            unit = unit or pp.unit
                            conv = fast_conv.get((unit, pk))
                            if conv is None:
                                made = converter.get(unit, pp)
                                if not isinstance(made, str):
                                    conv = fast_conv[(unit, pk)] = made
                            std = conv(value).quantize(SIX_PLACES) if conv is not None else None
                            if std is not None and (not std or std.adjusted() < DIGITS):
                                ts, hour = parsed
                                key = (pk, ts)
                                if key in seen:
                                    if seen[key] == (std, ""):
                                        duplicates[0] += 1
                                    else:
                                        bad.append(
                                            (i, dict(row), [_p("ts", "duplicate_row", row=i)])
                                        )
                                    continue
                                seen[key] = (std, "")
                                numbers.append(i)
                                yield (pk, ts, value, unit[:20], std, "", batch_id)
                                touched[pk].add(hour)
                                last = latest.get(pk)
                                if last is None or ts > last:
                                    latest[pk] = ts
                                continue
                if not isinstance(row, Mapping):
                    bad.append((i, row, [_p(None, "not_a_row", row=i)]))
                    continue
                problems: list[Problem] = []
                code = str(row.get("point") or (point.code if point else "")).strip()
                pp = None
                p = points.get(code)
                if not code:
                    problems.append(_p("point", "required", row=i))
                elif p is None:
                    problems.append(_p("point", "unknown_point", row=i, value=code))
                elif not allowed[code]:
                    problems.append(_p("point", "not_your_point", row=i, value=code))
                elif not p.active:
                    problems.append(_p("point", "inactive_point", row=i, value=code))
                else:
                    param = str(row.get("parameter") or "").strip()
                    pp = pps.get((code, param))
                    if not param:
                        problems.append(_p("parameter", "required", row=i))
                    elif pp is None:
                        # "SO2" is written as often as "so2": catalogue codes are lower case.
                        pp = pps.get((code, param.lower()))
                        if pp is None:
                            problems.append(
                                _p("parameter", "unknown_parameter", row=i, value=param, point=code)
                            )
                ts, ts_problem = _ts(row.get("ts", row.get("timestamp")))
                if ts_problem:
                    problems.append(
                        _p("ts", ts_problem, row=i, value=row.get("ts", row.get("timestamp")))
                    )
                elif ts is not None and ts > tolerance:
                    problems.append(
                        _p("ts", "in_future", row=i, value=row.get("ts", row.get("timestamp")))
                    )
                elif ts is not None and ts < oldest:
                    problems.append(
                        _p(
                            "ts",
                            "too_old",
                            row=i,
                            value=row.get("ts", row.get("timestamp")),
                            days=keep_days,
                        )
                    )
                raw_value = row.get("value")
                value: Decimal | None = None
                if raw_value is None or raw_value == "":
                    problems.append(_p("value", "required", row=i))
                elif isinstance(raw_value, bool):
                    problems.append(_p("value", "number", row=i))
                else:
                    try:
                        value = (
                            Decimal(str(raw_value).strip())
                            if not isinstance(raw_value, int)
                            else Decimal(raw_value)
                        )
                        if not value.is_finite():
                            problems.append(_p("value", "not_finite", row=i))
                            value = None
                        elif value and value.adjusted() >= DIGITS:  # no arithmetic: 1e999999999 too
                            problems.append(_p("value", "too_large", row=i))
                            value = None
                    except (InvalidOperation, ValueError):
                        problems.append(_p("value", "number", row=i))
                flags, bad_flag = _flags(row.get("flags"))
                if bad_flag:
                    problems.append(
                        _p("flags", "bad_flag", row=i, value=bad_flag, choices=", ".join(FLAGS))
                    )
                unit = str(row.get("unit") or "").strip()
                std: Decimal | None = None
                if pp is not None:
                    unit = unit or pp.unit
                    conv = converter.get(unit, pp)
                    if isinstance(conv, str):
                        problems.append(_p("unit", "bad_unit", row=i, value=unit, to=pp.unit))
                    elif value is not None:
                        std = conv(value).quantize(SIX_PLACES)
                        if std and std.adjusted() >= DIGITS:  # e.g. a percentage given in ppm
                            problems.append(_p("value", "too_large", row=i))
                            std = None
                if not problems and pp is not None and ts is not None and value is not None:
                    key = (pp.pk, ts)
                    if key in seen:
                        if seen[key] == (std, flags):
                            duplicates[0] += 1
                        else:
                            bad.append((i, dict(row), [_p("ts", "duplicate_row", row=i)]))
                        continue
                    seen[key] = (std, flags)
                    numbers.append(i)
                    yield (pp.pk, ts, value, unit[:20], std, flags, batch_id)
                    touched[pp.pk].add(ts.replace(minute=0))  # ts is a UTC minute already
                    last = latest.get(pp.pk)
                    if last is None or ts > last:
                        latest[pp.pk] = ts
                else:
                    bad.append((i, dict(row), problems))

        minutes = None
        if process == "inline":
            good = list(checked())
            if bad and mode == "reject":  # refused before anything is stored
                raise RongnganValidationError([p for _, _, ps in bad for p in ps])
            flat = dt.timedelta(minutes=int(conf.get("MONITORING_FLATLINE_MINUTES")))
            inserted, minutes = storage.store_batch(good, context=flat)
        else:
            # The rows stream into the table while the rest are still being checked; a refused
            # batch (below) rolls the rows back with the rest of the transaction.
            inserted = storage.store_new(checked(), kept=good)
        # Rows already stored are never stored again: the same value is a duplicate; another
        # value is a conflict, reported (quarantined, or refusing the batch) and the stored
        # value kept.
        conflicts = _stored_conflicts(good, numbers, batch_id) if len(good) > inserted else []
        for i, stored in conflicts:
            shown = "—" if stored is None else f"{stored.normalize():f}"
            bad.append((i, rows[i - 1], [_p("value", "conflicts_stored", row=i, stored=shown)]))
        if conflicts:
            bad.sort(key=lambda b: b[0])
        if bad and mode == "reject":
            raise RongnganValidationError([p for _, _, ps in bad for p in ps])

        report = render_all([p for _, _, ps in bad for p in ps])
        batch.status = IngestBatch.Status.PARTLY if bad else IngestBatch.Status.ACCEPTED
        batch.quarantined = len(bad)
        batch.report = report
        batch.accepted = inserted
        batch.duplicates = len(good) - inserted - len(conflicts) + duplicates[0]
        if bad:
            rendered = iter(report)  # the report holds each row's problems in order
            QuarantinedRow.objects.bulk_create(
                [
                    QuarantinedRow(
                        batch=batch,
                        row=i,
                        raw=audit.plain(raw) if isinstance(raw, Mapping) else {"value": str(raw)},
                        problems=[next(rendered) for _ in ps],
                    )
                    for i, raw, ps in bad
                ]
            )
        result = IngestResult(batch=batch)
        if inserted:
            _note_latest(latest, now)
        else:
            touched.clear()  # every row was stored already: nothing to rebuild
        batch.touched = {
            str(pp_id): [h.isoformat() for h in sorted(hours)] for pp_id, hours in touched.items()
        }
        if process == "inline" or not touched:
            outcome = pipeline.recompute(touched, now=now, minutes=minutes)
            batch.events_opened = outcome.events_opened
            batch.processed_at = timezone.now()
        else:
            transaction.on_commit(lambda: _enqueue_processing(batch_id))
        batch.save(
            update_fields=[
                "status",
                "quarantined",
                "report",
                "accepted",
                "duplicates",
                "touched",
                "events_opened",
                "processed_at",
            ]
        )
        audit.record(
            actor=acting_user,
            action="import",
            obj=batch,
            changes={
                "rows": batch.rows,
                "accepted": batch.accepted,
                "duplicates": batch.duplicates,
                "quarantined": batch.quarantined,
                "points": sorted({code for code in codes if code in points}),
            },
        )
    return result


def _stored_conflicts(
    good: Sequence[storage.Row], numbers: Sequence[int], batch_id: int
) -> list[tuple[int, Decimal | None]]:
    """(row number, stored value) of the good rows whose minute was stored before, by another
    batch, with another value or other flags. Read only when the batch had rows stored
    already."""
    from rongngan.monitoring.models import Reading

    if not good:
        return []
    stored = {
        (pp, ts): (std, flags)
        for pp, ts, std, flags in Reading.objects.filter(
            point_parameter_id__in={r[0] for r in good},
            ts__gte=min(r[1] for r in good),
            ts__lte=max(r[1] for r in good),
        )
        .exclude(batch_id=batch_id)
        .values_list("point_parameter_id", "ts", "value_std", "flags")
        .iterator(chunk_size=5000)
    }
    out = []
    for i, row in zip(numbers, good, strict=True):
        found = stored.get((row[0], row[1]))
        if found is not None and (found[0] != row[4] or (found[1] or "") != row[5]):
            out.append((i, found[0]))
    return out


def _enqueue_processing(batch_id: int) -> None:
    from rongngan.monitoring.tasks import process_ingest_batch

    process_ingest_batch.enqueue(batch_id)


def _note_latest(latest: Mapping[int, dt.datetime], now: dt.datetime) -> None:
    """Keeps each point-parameter's last reading time, and marks open gap events of those
    point-parameters as resumed (the gap is over; the event still waits for its explanation)."""
    # One UPDATE per 500 (SQL: the ORM takes longer to build a 500-branch CASE than the
    # database takes to run it): each row keeps the later of its stored time and this batch's.
    table = PointParameter._meta.db_table
    adapt = connection.ops.adapt_datetimefield_value
    items = list(latest.items())
    with connection.cursor() as cursor:
        for start in range(0, len(items), 500):
            chunk = items[start : start + 500]
            values = ", ".join(["(%s, %s)"] * len(chunk))
            cursor.execute(
                f"WITH v(id, ts) AS (VALUES {values}) "
                f'UPDATE "{table}" SET last_reading_at = v.ts FROM v '
                f'WHERE "{table}".id = v.id '
                f'AND ("{table}".last_reading_at IS NULL OR "{table}".last_reading_at < v.ts)',
                [x for pk, ts in chunk for x in (pk, adapt(ts))],
            )
    for event in Event.objects.select_for_update().filter(
        point_parameter_id__in=list(latest), kind=Event.Kind.DATA_GAP, closed_at__isnull=True
    ):
        if not event.evidence.get("resumed_at"):
            event.evidence["resumed_at"] = latest[event.point_parameter_id].isoformat()
            event.last_period = max(event.last_period, latest[event.point_parameter_id])
            event.save(update_fields=["evidence", "last_period"])


# --------------------------------------------------------------------------------------------
# Laboratory results and drift


def lab_result_record(
    *, acting_user: Any, point_parameter: PointParameter, data: Mapping[str, Any]
) -> LabResult:
    """A laboratory result for a point's parameter; where the point measures the same
    parameter online, the online hourly average of the sampled hour is kept beside it and
    the drift (percent of the laboratory value) is flagged past the configured tolerance,
    opening a drift event. A result over a grab-sample limit opens an exceedance event."""
    point = point_parameter.point
    if not acts_for(acting_user, point.factory):
        raise PermissionError(MSG["not_your_factory"])
    problems: list[Problem] = []
    lab = None
    lab_id = data.get("lab")
    if lab_id not in (None, ""):
        lab = (
            Organisation.objects.filter(pk=lab_id if str(lab_id).isdecimal() else -1).first()
            or Organisation.objects.filter(code=str(lab_id)).first()
        )
        if lab is None or lab.kind != Organisation.Kind.LAB:
            problems.append(_p("lab", "not_a_lab"))
    lab_name = _text(problems, "lab_name", data.get("lab_name"), LabResult)
    lab_reg = _text(problems, "lab_registration_no", data.get("lab_registration_no"), LabResult)
    if lab is None and not (lab_name and lab_reg):
        problems.append(_p("lab", "no_lab"))
    report_no = _text(problems, "report_no", data.get("report_no"), LabResult)
    if not report_no:
        problems.append(_p("report_no", "required"))
    sampled_at, ts_problem = _ts(data.get("sampled_at"))
    if ts_problem:
        problems.append(_p("sampled_at", ts_problem, value=data.get("sampled_at")))
    elif sampled_at and sampled_at > timezone.now() + dt.timedelta(minutes=5):
        problems.append(_p("sampled_at", "in_future", value=data.get("sampled_at")))
    value = _decimal(problems, "value", data.get("value"), required=True)
    unit = _text(problems, "unit", data.get("unit"), LabResult) or point_parameter.unit
    conv = _Converter().get(unit, point_parameter)
    std: Decimal | None = None
    if isinstance(conv, str):
        problems.append(_p("unit", "bad_unit", value=unit, to=point_parameter.unit))
    elif value is not None:
        std = conv(value).quantize(SIX_PLACES)
        if std and std.adjusted() >= DIGITS:  # e.g. a percentage given in ppm
            problems.append(_p("value", "too_large"))
    if (
        report_no
        and sampled_at
        and LabResult.objects.filter(
            point_parameter=point_parameter, report_no=report_no, sampled_at=sampled_at
        ).exists()
    ):
        # A result is never overwritten: a corrected report comes with its own number.
        problems.append(_p("report_no", "duplicate_lab_result", value=report_no))
    if problems:
        raise RongnganValidationError(problems)
    assert sampled_at is not None and value is not None and std is not None
    from rongngan.monitoring.models import HourlyAggregate

    online = (
        HourlyAggregate.objects.filter(
            point_parameter=point_parameter,
            period_start=pipeline.hour_start(sampled_at),
            valid=True,
        )
        .values_list("value", flat=True)
        .first()
    )
    drift = None
    flagged = False
    if online is not None and std:
        drift = (Decimal(online) - std) * 100 / abs(std)
        # drift_percent is numeric(10, 2): a drift past ±99,999,999.99 % (a laboratory value
        # near zero) is kept at that bound, still flagged.
        drift = max(min(drift, MAX_DRIFT), -MAX_DRIFT).quantize(Decimal("0.01"))
        flagged = abs(drift) > Decimal(conf.get("MONITORING_DRIFT_TOLERANCE_PERCENT"))
    with transaction.atomic():
        try:
            with transaction.atomic():
                result = LabResult.objects.create(
                    point_parameter=point_parameter,
                    lab=lab,
                    lab_name=lab_name or (lab.name_th if lab else ""),
                    lab_registration_no=lab_reg,
                    report_no=report_no,
                    sampled_at=sampled_at,
                    value=value,
                    unit=unit,
                    value_std=std,
                    online_value=online,
                    drift_percent=drift,
                    drift_flagged=flagged,
                    recorded_by=acting_user,
                )
        except IntegrityError:  # the same result recorded meanwhile by another request
            raise RongnganValidationError(
                [_p("report_no", "duplicate_lab_result", value=report_no)]
            ) from None
        audit.record(
            actor=acting_user,
            action="create",
            obj=result,
            changes=audit.snapshot(
                result, ["report_no", "sampled_at", "value", "unit", "lab", "drift_percent"]
            ),
        )
        now = timezone.now()
        if flagged:
            events.open_event(
                kind=Event.Kind.DRIFT,
                point_parameter=point_parameter,
                limit=None,
                first_period=sampled_at,
                last_period=sampled_at,
                averaging="grab",
                value=drift,
                evidence=audit.plain(
                    {
                        "lab_result": result.pk,
                        "report_no": report_no,
                        "lab_value": std,
                        "online_hourly_average": online,
                        "drift_percent": drift,
                        "tolerance_percent": conf.get("MONITORING_DRIFT_TOLERANCE_PERCENT"),
                    }
                ),
                now=now,
            )
        _judge_sample(point_parameter, result, now)
    return result


def _judge_sample(pp: PointParameter, result: LabResult, now: dt.datetime) -> None:
    from rongngan.monitoring import validity

    day = pipeline.local_day(result.sampled_at)
    for limit in PointLimit.objects.select_related("rule__standard", "point_parameter").filter(
        point_parameter=pp, averaging__in=["grab", "instant"]
    ):
        if not pipeline._in_force(limit, day):
            continue
        value = pipeline.convert_to(result.value_std, pp.unit, limit.unit, pp)
        cmp = validity.compare(
            value, pipeline.as_rule(limit), pipeline.regime_for(pp.point.validity_regime), "grab"
        )
        if cmp.exceeds:
            events.exceedance_record(
                point_parameter=pp,
                limit=limit,
                period_start=result.sampled_at,
                period_length=dt.timedelta(0),
                value=Decimal(str(cmp.value_compared)),
                evidence=audit.plain(
                    {
                        "period": result.sampled_at.isoformat(),
                        "lab_result": result.pk,
                        "report_no": result.report_no,
                        "value": result.value_std,
                        "limit": cmp.limit,
                        "level": cmp.level or "",
                    }
                ),
                now=now,
            )


# --------------------------------------------------------------------------------------------
# Notices


def notice_deadline(starts_at: dt.datetime) -> dt.datetime:
    return starts_at + dt.timedelta(hours=int(conf.get("MONITORING_NOTICE_DEADLINE_HOURS")))


def notice_submit(*, acting_user: Any, point: MonitoringPoint, data: Mapping[str, Any]) -> Notice:
    """A malfunction, shutdown or maintenance notice; late when submitted after the deadline
    (MONITORING_NOTICE_DEADLINE_HOURS after the start). Open gap events of the point that it
    covers are marked explained by it."""
    if not acts_for(acting_user, point.factory):
        raise PermissionError(MSG["not_your_factory"])
    problems: list[Problem] = []
    kind = _choice(problems, "kind", data.get("kind"), Notice.Kind.values)
    starts_at, p1 = _ts(data.get("starts_at"))
    if p1:
        problems.append(_p("starts_at", p1, value=data.get("starts_at")))
    ends_at = None
    if data.get("ends_at") not in (None, ""):
        ends_at, p2 = _ts(data.get("ends_at"))
        if p2:
            problems.append(_p("ends_at", p2, value=data.get("ends_at")))
        elif starts_at and ends_at and ends_at < starts_at:
            problems.append(_p("ends_at", "end_before_start"))
    reason = str(data.get("reason") or "").strip()
    if not reason:
        problems.append(_p("reason", "required"))
    if problems:
        raise RongnganValidationError(problems)
    assert starts_at is not None
    now = timezone.now()
    with transaction.atomic():
        notice = Notice.objects.create(
            point=point,
            kind=kind,
            starts_at=starts_at,
            ends_at=ends_at,
            reason=reason,
            submitted_by=acting_user,
            submitted_at=now,
            late=now > notice_deadline(starts_at),
        )
        audit.record(
            actor=acting_user,
            action="create",
            obj=notice,
            changes=audit.snapshot(
                notice, ["point", "kind", "starts_at", "ends_at", "reason", "late"]
            ),
        )
        covered = Event.objects.select_for_update().filter(
            point_parameter__point=point, kind=Event.Kind.DATA_GAP, status=Event.Status.OPEN
        )
        for event in covered:
            if event.first_period >= starts_at - dt.timedelta(hours=1) and (
                ends_at is None or event.first_period <= ends_at
            ):
                event.status = Event.Status.EXPLAINED
                event.explanation = reason
                event.explained_by = acting_user
                event.explained_at = now
                event.evidence = {**event.evidence, "notice": notice.pk}
                event.save(
                    update_fields=[
                        "status",
                        "explanation",
                        "explained_by",
                        "explained_at",
                        "evidence",
                    ]
                )
    return notice


# --------------------------------------------------------------------------------------------
# Events


def event_explain(*, acting_user: Any, event: Event, explanation: str) -> Event:
    """The operator's explanation of an open event. Only the factory's side explains: the
    officers who decide an event may not also explain it (they send data for a factory, they
    do not speak for it)."""
    factory = event.point_parameter.point.factory
    if role_of(acting_user) != "operator":
        raise PermissionError(MSG["operators_explain"])
    if not acts_for(acting_user, factory):
        raise PermissionError(MSG["not_your_factory"])
    problems = []
    if event.status != Event.Status.OPEN:
        problems.append(_p("status", "not_open", status=Event.Status(event.status).label))
    text = (explanation or "").strip()
    if not text:
        problems.append(_p("explanation", "required"))
    if problems:
        raise RongnganValidationError(problems)
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=event.pk)
        before = audit.snapshot(event, ["status", "explanation"])
        event.status = Event.Status.EXPLAINED
        event.explanation = text
        event.explained_by = acting_user
        event.explained_at = timezone.now()
        event.save(update_fields=["status", "explanation", "explained_by", "explained_at"])
        audit.record(
            actor=acting_user,
            action="status",
            obj=event,
            changes=audit.diff(before, audit.snapshot(event, ["status", "explanation"])),
        )
    return event


def event_decide(*, acting_user: Any, event: Event, decision: str, note: str = "") -> Event:
    """The officer's decision on an explained event: accepted or violation closes it; an
    explanation not sufficient sends it back to the operator (open)."""
    factory = event.point_parameter.point.factory
    if not is_officer_for(acting_user, factory):
        raise PermissionError(MSG["not_officer_for"])
    problems: list[Problem] = []
    decision = _choice(problems, "decision", decision, Event.Decision.values)
    if event.status != Event.Status.EXPLAINED:
        problems.append(_p("status", "not_explained", status=Event.Status(event.status).label))
    if problems:
        raise RongnganValidationError(problems)
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=event.pk)
        before = audit.snapshot(event, ["status", "decision", "decision_note"])
        now = timezone.now()
        event.decision = decision
        event.decision_note = (note or "").strip()
        event.decided_by = acting_user
        event.decided_at = now
        if decision == Event.Decision.REOPENED:
            event.status = Event.Status.OPEN
        else:
            event.status = Event.Status.CLOSED
            event.closed_at = now
        event.save(
            update_fields=[
                "decision",
                "decision_note",
                "decided_by",
                "decided_at",
                "status",
                "closed_at",
            ]
        )
        audit.record(
            actor=acting_user,
            action="status",
            obj=event,
            changes=audit.diff(
                before, audit.snapshot(event, ["status", "decision", "decision_note"])
            ),
        )
    return event


def notifications_mark_read(*, acting_user: Any, ids: Iterable[int] | None = None) -> int:
    from rongngan.monitoring.models import Notification

    qs = Notification.objects.filter(user=acting_user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())
