"""Every write to the action plan: validated first, one transaction, an audit entry each.

Who may write: officers and administrators edit plans; a KPI's responsible officer may also
enter its measurements.
"""

import hashlib
import json
import re
from collections.abc import Mapping
from decimal import Decimal
from pathlib import PurePath
from typing import Any

from django.db import transaction
from django.db.models import Max, Q
from django.utils.translation import gettext_lazy as _

from rongngan.core import audit, metrics
from rongngan.core.errors import Problem, RongnganValidationError
from rongngan.core.models import Province
from rongngan.core.reader import MESSAGES, Reader, column_problem
from rongngan.core.scoping import NATIONAL_WRITE, role_of
from rongngan.plan.models import (
    KPI,
    MONEY,
    VALUE,
    Accumulation,
    Approach,
    Direction,
    KPITarget,
    Measurement,
    Plan,
    Project,
    ProjectProgress,
    Strategy,
    Unit,
)

# What the plan's URL patterns accept as a plan code (`<slug:code>`), and codes they take for
# pages of their own (/plan/new/ is the "new plan" form, never a plan).
PLAN_CODE = re.compile(r"[-a-zA-Z0-9_]+")
RESERVED_PLAN_CODES = {"new", "by-id"}
# Who may be a KPI's responsible officer (and so enter its values): DIW staff who write.
RESPONSIBLE_ROLES = ("officer", "provincial_officer", "admin")
# The largest value of a PositiveSmallIntegerField on every database Django supports.
SMALL_INTEGER_MAX = 32767
# Evidence files: documents and images only, each with the content type it is served with.
EVIDENCE_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "xls": "application/vnd.ms-excel",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "doc": "application/msword",
    "csv": "text/csv",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
}
_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# How each type's file begins (csv: text, checked for NUL bytes instead).
EVIDENCE_SIGNATURES = {
    "pdf": (b"%PDF-",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "xlsx": (_ZIP,),
    "docx": (_ZIP,),
    "odt": (_ZIP,),
    "ods": (_ZIP,),
    "xls": (_OLE,),
    "doc": (_OLE,),
}

MSG = {
    **MESSAGES,
    "negative_budget": _("A budget cannot be below zero."),
    "negative_target": _("A target cannot be below zero."),
    "target_wrong_side": _(
        "The target is on the wrong side of the baseline %(baseline)s "
        "for a KPI where %(direction)s."
    ),
    "percent_range": _("A percentage must be between 0 and 100."),
    "year_outside_plan": _("Fiscal year %(year)s is outside the plan's years %(first)s-%(last)s."),
    "quarter": _("The quarter must be 1, 2, 3 or 4."),
    "wrong_unit": _("This KPI is measured in “%(expected)s”, not “%(given)s”."),
    "reason_required": _(
        "This KPI is computed from the platform's records; say why you override its value."
    ),
    "parent_other_plan": _("The parent project belongs to another plan."),
    "parent_cycle": _("A project cannot be its own parent or ancestor."),
    "parent_year": _("A sub-project must be in the same fiscal year as its parent."),
    "approach_other_strategy": _("The development approach belongs to another strategy."),
    "strategy_other_plan": _("The strategy belongs to another plan."),
    "duplicate_code": _("Code “%(value)s” is already used in this plan."),
    "duplicate_number": _("Number %(value)s is already used."),
    "unknown_metric": _("No published metric is called “%(value)s”."),
    "unknown_province": _("Unknown province “%(value)s”."),
    "years_order": _("The last year cannot be before the first year."),
    "targets_shape": _("Give the targets as year=value pairs (an object, or lines 2563=2000)."),
    "year_range": _("Give a Buddhist Era year between 2500 and 2700."),
    "future_quarter": _("Quarter %(quarter)s of %(year)s has not begun yet."),
    "evidence_or_note": _(
        "Give evidence (a file or a link) or a note for a value entered by hand."
    ),
    "plan_code": _(
        "Use only Latin letters, digits, hyphens and underscores in a plan code "
        "(e.g. DIW-2566-2570): it appears in web addresses."
    ),
    "reserved_code": _("“%(value)s” cannot be a plan code: the pages use it for themselves."),
    "decimal_places": _("Give at most %(places)s digits after the decimal point."),
    "number_too_large": _("The number must be at most %(max)s."),
    "unknown_kpi": _("This plan has no KPI with the id “%(value)s”."),
    "disbursed_over_budget": _(
        "The disbursements of fiscal year %(year)s would add up to %(total)s million baht, "
        "more than the budget of %(project)s (%(budget)s million baht)."
    ),
    "budget_below_disbursed": _(
        "%(disbursed)s million baht has already been disbursed from this project in fiscal "
        "year %(year)s; the budget cannot be less."
    ),
    "unknown_user": _("No active user has the id “%(value)s”."),
    "responsible_role": _(
        "The responsible officer must be a DIW officer, a provincial officer or an "
        "administrator; %(user)s is a user of the role “%(role)s”."
    ),
    "metric_mismatch": _(
        "The metric “%(metric)s” gives %(metric_unit)s (%(metric_accumulation)s); this KPI is "
        "measured in %(unit)s (%(accumulation)s)."
    ),
    "unit_locked": _(
        "The unit cannot change while the KPI has targets or values: they were given in “%(unit)s”."
    ),
    "evidence_type": _("Attach a document or an image: %(types)s."),
    "evidence_content": _("The file's content is not that of a .%(type)s file."),
    "stale_version": _(
        "Someone else changed this record after you opened it, so nothing was saved. "
        "Reload the page to see the current values, then make your change again."
    ),
    "years_in_use": _(
        "Fiscal year %(year)s has targets, projects or values in this plan; "
        "the plan's years must include it."
    ),
    "period_year": _("“%(value)s” is not a fiscal year of this plan (%(first)s-%(last)s)."),
}


def can_edit_plan(user: Any) -> bool:
    return role_of(user) in NATIONAL_WRITE


def can_measure(user: Any, kpi: KPI) -> bool:
    """Officers, and the KPI's responsible officer while their role allows it."""
    return can_edit_plan(user) or (
        user is not None
        and user.is_authenticated
        and kpi.responsible_id == user.pk
        and role_of(user) in RESPONSIBLE_ROLES
    )


class _Form(Reader):
    """The plan's fields: a reader with the plan's messages, B.E. years and number fields that
    take any sign unless told."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        super().__init__(data, MSG)

    def integer(
        self,
        name: str,
        *,
        required: bool = False,
        sign: str | None = None,
        maximum: int | None = None,
    ) -> int | None:
        value = self.decimal(name, required=required, sign=sign)
        if value is None:
            return None
        if value != value.to_integral_value():
            self.problem(name, "whole_number")
            return None
        if maximum is not None and value > maximum:
            self.problem(name, "number_too_large", max=f"{maximum:,}")
            return None
        return int(value)

    def small(self, name: str, *, required: bool = False, sign: str = "non_negative") -> int | None:
        """A whole number for a PositiveSmallIntegerField: 0 (or 1) to 32,767."""
        return self.integer(name, required=required, sign=sign, maximum=SMALL_INTEGER_MAX)

    def number(
        self,
        name: str,
        column: Mapping[str, int],
        *,
        required: bool = False,
        sign: str | None = None,
        whole: bool = False,
    ) -> Decimal | None:
        """A decimal that its column stores as given: no more decimals than it keeps (it would
        round them silently) and no more digits than it holds (the database would refuse)."""
        return self.fits(name, self.decimal(name, required=required, sign=sign), column, whole)

    def fits(
        self, name: str, value: Decimal | None, column: Mapping[str, int], whole: bool = False
    ) -> Decimal | None:
        if value is None:
            return None
        problem = column_problem(
            value, max_digits=column["max_digits"], places=column["decimal_places"]
        )
        if problem is not None:
            code, params = problem
            if code == "too_large":
                self.problem(name, "number_too_large", max=f"{params['max']:,f}")
            else:
                self.problem(name, "decimal_places", places=params["places"])
            return None
        if whole and value != value.to_integral_value():
            self.problem(name, "whole_number")
            return None
        return value

    def year(self, name: str, *, required: bool = True) -> int | None:
        value = self.integer(name, required=required)
        if value is not None and not 2500 <= value <= 2700:
            self.problem(name, "year_range")
            return None
        return value


def _deny(user: Any) -> None:
    if not can_edit_plan(user):
        raise PermissionError("only officers edit the action plan")


def _pk(ref: Any) -> int | None:
    """An id as sent (a number or its text); None when it cannot be one."""
    text = str(ref).strip() if ref is not None and not isinstance(ref, bool) else ""
    return int(text) if text.isdecimal() and len(text) <= 18 else None


# ------------------------------------------------------------------------------------------
# Versions: what an edit form (or an API client) saw, so that a stale save is refused


def _fields_of(obj: Any) -> list[str]:
    if isinstance(obj, Plan):
        return PLAN_FIELDS
    if isinstance(obj, KPI):
        return KPI_FIELDS
    if isinstance(obj, Project):
        return PROJECT_FIELDS
    return NUMBERED_FIELDS


def _state_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")  # 7.5 and 7.5000 are one value
    return audit.jsonable(value)


def version_of(obj: Any) -> str:
    """A short fingerprint of everything an officer can change in `obj` (its audited fields,
    the ids of its many-to-many links, a KPI's targets): it changes with every saved change."""
    state: dict[str, Any] = {}
    for name in _fields_of(obj):
        field = obj._meta.get_field(name)
        if field.many_to_many:
            state[name] = sorted(o.pk for o in getattr(obj, name).all()) if obj.pk else []
        elif field.is_relation:
            state[name] = getattr(obj, field.attname)
        else:
            state[name] = _state_value(getattr(obj, name))
    if isinstance(obj, KPI) and obj.pk:
        state["targets"] = {str(t.fiscal_year): _state_value(t.value) for t in obj.targets.all()}
    text = json.dumps(state, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _check_version(obj: Any, version: Any) -> None:
    """Refuses the save when `obj` changed since `version` was read (nothing is written).

    The row is locked first, so of two saves of the same version only the first succeeds.
    """
    if obj.pk is None or version in (None, ""):
        return
    fresh = type(obj).objects.select_for_update().get(pk=obj.pk)
    if version_of(fresh) != str(version).strip().removeprefix("W/").strip('"'):
        raise RongnganValidationError([Problem(None, "stale_version", MSG["stale_version"], {})])


def _audit_change(actor: Any, action: str, obj: Any, before: dict, fields: list[str]) -> None:
    after = audit.snapshot(obj, fields)
    changes = audit.diff(before, after) if before else after
    if changes or not before:
        audit.record(actor=actor, action=action, obj=obj, changes=changes)


# ------------------------------------------------------------------------------------------
# Plans, strategies, approaches

PLAN_FIELDS = [
    "code",
    "title_th",
    "title_en",
    "first_year",
    "last_year",
    "status",
    "vision_th",
    "vision_en",
]


def _years_in_use(plan: Plan) -> set[int]:
    """The fiscal years this plan has targets, projects, values or progress for."""
    years: set[int] = set()
    for qs in (
        KPITarget.objects.filter(kpi__plan=plan),
        Project.objects.filter(plan=plan),
        Measurement.objects.filter(kpi__plan=plan),
        ProjectProgress.objects.filter(project__plan=plan),
    ):
        years.update(qs.values_list("fiscal_year", flat=True).distinct())
    return years


@transaction.atomic
def plan_save(
    *,
    acting_user: Any,
    data: Mapping[str, Any],
    plan: Plan | None = None,
    version: Any = None,
) -> Plan:
    """Creates or changes a plan. `version` (from `version_of`) refuses a stale change."""
    _deny(acting_user)
    f = _Form(data)
    creating = plan is None
    plan = plan or Plan()
    _check_version(plan, version)
    before = {} if creating else audit.snapshot(plan, PLAN_FIELDS)
    values: dict[str, Any] = {}
    if creating or f.has("code"):
        values["code"] = code = f.text("code", required=True, max_length=40)
        if code and not PLAN_CODE.fullmatch(code):
            f.problem("code", "plan_code")
        elif code.lower() in RESERVED_PLAN_CODES:
            f.problem("code", "reserved_code", value=code)
        elif code and Plan.objects.filter(code=code).exclude(pk=plan.pk).exists():
            f.problem("code", "duplicate_code", value=code)
    for name in ("title_th", "title_en", "vision_th", "vision_en"):
        if creating or f.has(name):
            values[name] = f.text(
                name, required=name == "title_th", max_length=300 if "title" in name else None
            )
    for name in ("first_year", "last_year"):
        if creating or f.has(name):
            values[name] = f.year(name)
    if creating or f.has("status"):
        values["status"] = f.choice("status", Plan.Status, required=False) or plan.status
    first = values.get("first_year", plan.first_year)
    last = values.get("last_year", plan.last_year)
    if first and last and last < first:
        f.problem("last_year", "years_order")
    elif first and last and not creating and (first, last) != (plan.first_year, plan.last_year):
        for year in sorted(_years_in_use(plan)):
            if year < first:
                f.problem("first_year", "years_in_use", year=year)
            elif year > last:
                f.problem("last_year", "years_in_use", year=year)
    f.check()
    for name, value in values.items():
        setattr(plan, name, value)
    plan.save()
    _audit_change(acting_user, "create" if creating else "update", plan, before, PLAN_FIELDS)
    return plan


NUMBERED_FIELDS = ["number", "name_th", "name_en"]


def _numbered_save(
    acting_user: Any, obj: Any, siblings: Any, data: Mapping[str, Any], version: Any = None
) -> Any:
    """Creates or changes a strategy or an approach: a number unique among `siblings`, names."""
    _deny(acting_user)
    f = _Form(data)
    creating = obj.pk is None
    _check_version(obj, version)
    before = {} if creating else audit.snapshot(obj, NUMBERED_FIELDS)
    number = (
        f.small("number", required=creating, sign="positive")
        if creating or f.has("number")
        else None
    )
    name_th = f.text("name_th", required=True) if creating or f.has("name_th") else None
    name_en = f.text("name_en") if creating or f.has("name_en") else None
    if number is not None and siblings.filter(number=number).exclude(pk=obj.pk).exists():
        f.problem("number", "duplicate_number", value=number)
    f.check()
    for name, value in (("number", number), ("name_th", name_th), ("name_en", name_en)):
        if value is not None:
            setattr(obj, name, value)
    obj.save()
    _audit_change(acting_user, "create" if creating else "update", obj, before, NUMBERED_FIELDS)
    return obj


@transaction.atomic
def strategy_save(
    *,
    acting_user: Any,
    plan: Plan,
    data: Mapping[str, Any],
    strategy: Strategy | None = None,
    version: Any = None,
) -> Strategy:
    return _numbered_save(
        acting_user,
        strategy or Strategy(plan=plan),
        Strategy.objects.filter(plan=plan),
        data,
        version,
    )


@transaction.atomic
def approach_save(
    *,
    acting_user: Any,
    strategy: Strategy,
    data: Mapping[str, Any],
    approach: Approach | None = None,
    version: Any = None,
) -> Approach:
    return _numbered_save(
        acting_user,
        approach or Approach(strategy=strategy),
        Approach.objects.filter(strategy=strategy),
        data,
        version,
    )


# ------------------------------------------------------------------------------------------
# KPIs and targets

KPI_FIELDS = [
    "code",
    "strategy",
    "name_th",
    "name_en",
    "unit",
    "unit_label_th",
    "unit_label_en",
    "direction",
    "accumulation",
    "baseline_year",
    "baseline_value",
    "metric",
    "responsible",
    "internal_note",
]


def _target_problems(
    f: _Form,
    name: str,
    value: Decimal | None,
    *,
    unit: str,
    direction: str,
    baseline: Decimal | None,
) -> None:
    if value is None:
        return
    if value < 0:
        f.problem(name, "negative_target")
    elif unit in (Unit.PERCENT, Unit.PERCENT_REDUCTION) and value > 100:
        f.problem(name, "percent_range")
    elif unit == Unit.COUNT and value != value.to_integral_value():
        f.problem(name, "whole_number")
    elif baseline is not None and (
        (direction == Direction.INCREASE and value < baseline)
        or (direction == Direction.DECREASE and value > baseline)
    ):
        f.problem(
            name,
            "target_wrong_side",
            baseline=baseline,
            direction=Direction(direction).label,
        )


def _listed(f: _Form, data: Mapping[str, Any], name: str) -> list[Any]:
    """A field that takes a list (empty when missing); anything else is a problem at the field."""
    raw = data.get(name)
    if raw in (None, ""):
        return []
    if not isinstance(raw, list | tuple):
        f.problem(name, "not_a_list")
        return []
    return list(raw)


def _targets_in(f: _Form, plan: Plan, raw: Any) -> dict[int, Decimal | None]:
    """`targets` as {year: value} (a mapping, or "2563=2000" lines)."""
    if raw in (None, ""):
        return {}
    if isinstance(raw, str):
        pairs = [line.split("=", 1) for line in raw.splitlines() if "=" in line]
        raw = {k.strip(): v.strip() for k, v in pairs}
    out: dict[int, Decimal | None] = {}
    if not isinstance(raw, Mapping):
        f.problem("targets", "targets_shape")
        return {}
    for key, value in raw.items():
        sub = _Form({"year": key, "value": value})
        year = sub.year("year")
        number = sub.number("value", VALUE)
        for p in sub.problems:
            p.field = f"targets.{key}"
            f.problems.append(p)
        if year is None:
            continue
        if not plan.first_year <= year <= plan.last_year:
            f.problem(
                f"targets.{key}",
                "year_outside_plan",
                year=year,
                first=plan.first_year,
                last=plan.last_year,
            )
            continue
        out[year] = number
    return out


def _responsible(f: _Form, ref: str, current_id: int | None) -> Any:
    """The user named by `ref` if they may be responsible for a KPI (an officer, a provincial
    officer, an administrator, active); "" means nobody. The current one may stay."""
    from rongngan.accounts.models import Role, User

    if not ref:
        return None
    pk = _pk(ref)
    user = User.objects.filter(pk=pk).first() if pk is not None else None
    if user is not None and user.pk == current_id:
        return user
    if user is None or not user.is_active:
        f.problem("responsible", "unknown_user", value=ref)
        return None
    if role_of(user) not in RESPONSIBLE_ROLES:
        role = Role(user.role).label if user.role in Role.values else user.role
        f.problem("responsible", "responsible_role", user=user.get_username(), role=role)
        return None
    return user


def _metric_problems(f: _Form, key: str, unit: str, accumulation: str) -> None:
    """A bound metric must give what the KPI measures: the same unit, added up or a level alike
    (a rate summed over quarters, or a count judged as a percentage, means nothing)."""
    metric = metrics.get(key) if key else None
    if metric is None or not unit or not accumulation:
        return
    if (metric.unit, metric.accumulation) != (unit, accumulation):
        f.problem(
            "metric",
            "metric_mismatch",
            metric=key,
            metric_unit=_label(Unit, metric.unit),
            metric_accumulation=_label(Accumulation, metric.accumulation),
            unit=_label(Unit, unit),
            accumulation=_label(Accumulation, accumulation),
        )


def _label(choices: Any, value: str) -> Any:
    """The lazy label of a choice (rendered per language by the errors), else the value."""
    return choices(value).label if value in choices.values else value


@transaction.atomic
def kpi_save(
    *,
    acting_user: Any,
    plan: Plan,
    data: Mapping[str, Any],
    kpi: KPI | None = None,
    version: Any = None,
) -> KPI:
    """Creates or changes a KPI; `targets` ({year: value}) sets its yearly targets."""
    _deny(acting_user)
    f = _Form(data)
    creating = kpi is None
    kpi = kpi or KPI(plan=plan)
    _check_version(kpi, version)
    before = {} if creating else audit.snapshot(kpi, KPI_FIELDS)
    before_targets = (
        {} if creating else {str(t.fiscal_year): str(t.value) for t in kpi.targets.all()}
    )
    values: dict[str, Any] = {}

    def want(name: str) -> bool:
        return creating or f.has(name)

    if want("code"):
        values["code"] = f.text("code", required=True, max_length=20)
        if (
            values["code"]
            and KPI.objects.filter(plan=plan, code=values["code"]).exclude(pk=kpi.pk).exists()
        ):
            f.problem("code", "duplicate_code", value=values["code"])
    if want("strategy"):
        ref = f.text("strategy", required=True)
        strategy = None
        if ref:
            strategy = Strategy.objects.filter(pk=ref).first() if ref.isdecimal() else None
            if strategy is None or strategy.plan_id != plan.pk:
                f.problem("strategy", "strategy_other_plan")
        values["strategy"] = strategy
    for name in ("name_th", "name_en", "unit_label_th", "unit_label_en", "internal_note"):
        if want(name):
            values[name] = f.text(
                name, required=name == "name_th", max_length=50 if "unit_label" in name else None
            )
    if want("unit"):
        values["unit"] = f.choice("unit", Unit)
        if (
            not creating
            and values["unit"]
            and values["unit"] != kpi.unit
            and (kpi.targets.exists() or kpi.measurements.exists())
        ):
            f.problem("unit", "unit_locked", unit=_label(Unit, kpi.unit))
    if want("direction"):
        values["direction"] = f.choice("direction", Direction, required=False) or "increase"
    if want("accumulation"):
        values["accumulation"] = f.choice("accumulation", Accumulation)
    if want("baseline_year"):
        values["baseline_year"] = f.year("baseline_year", required=False)
    if want("baseline_value"):
        values["baseline_value"] = f.number("baseline_value", VALUE)
    if want("metric"):
        key = f.text("metric")
        if key and metrics.get(key) is None:
            f.problem("metric", "unknown_metric", value=key)
        values["metric"] = key
    if want("responsible"):
        values["responsible"] = _responsible(f, f.text("responsible"), kpi.responsible_id)
    targets = _targets_in(f, plan, data.get("targets")) if f.has("targets") else {}
    unit = values.get("unit", kpi.unit)
    direction = values.get("direction", kpi.direction)
    baseline = values.get("baseline_value", kpi.baseline_value)
    if {"unit", "accumulation", "metric"} & set(values):
        _metric_problems(
            f,
            values.get("metric", kpi.metric),
            unit,
            values.get("accumulation", kpi.accumulation),
        )
    if "baseline_value" in values and unit == Unit.COUNT:
        b = values["baseline_value"]
        if b is not None and b != b.to_integral_value():
            f.problem("baseline_value", "whole_number")
    for year, value in targets.items():
        _target_problems(
            f, f"targets.{year}", value, unit=unit, direction=direction, baseline=baseline
        )
    f.check()
    for name, value in values.items():
        setattr(kpi, name, value)
    if creating:
        last = KPI.objects.filter(plan=plan).aggregate(m=Max("sort"))["m"]
        kpi.sort = (last or 0) + 1
    kpi.save()
    for year, value in targets.items():
        if value is None:
            KPITarget.objects.filter(kpi=kpi, fiscal_year=year).delete()
        else:
            KPITarget.objects.update_or_create(kpi=kpi, fiscal_year=year, defaults={"value": value})
    after = audit.snapshot(kpi, KPI_FIELDS)
    changes = audit.diff(before, after) if before else after
    after_targets = {str(t.fiscal_year): str(t.value) for t in kpi.targets.all()}
    if after_targets != before_targets:
        changes["targets"] = [before_targets, after_targets]
    if changes:
        audit.record(
            actor=acting_user, action="create" if creating else "update", obj=kpi, changes=changes
        )
    return kpi


# ------------------------------------------------------------------------------------------
# Projects

PROJECT_FIELDS = [
    "code",
    "parent",
    "strategy",
    "approach",
    "fiscal_year",
    "name_th",
    "name_en",
    "budget",
    "budget_note",
    "target_group_th",
    "target_group_en",
    "responsible_unit_th",
    "stated_province_count",
    "provinces",
    "kpis",
]


def _disbursed(
    project: Project, year: int, *, replacing: tuple[int, Decimal] | None = None
) -> Decimal:
    """What `project` disbursed in `year` as the budget page counts it: its own current entries
    and those of its sub-projects. `replacing` (quarter, amount) is an entry about to be recorded
    for `project` itself, which supersedes its current entry for that quarter."""
    total = Decimal(0)
    rows = ProjectProgress.objects.filter(fiscal_year=year, is_current=True).filter(
        Q(project=project) | Q(project__parent=project)
    )
    for project_id, quarter, amount in rows.values_list("project_id", "quarter", "disbursed"):
        if replacing is not None and project_id == project.pk and quarter == replacing[0]:
            continue
        total += amount
    return total + (replacing[1] if replacing is not None else 0)


@transaction.atomic
def project_save(
    *,
    acting_user: Any,
    plan: Plan,
    data: Mapping[str, Any],
    project: Project | None = None,
    version: Any = None,
) -> Project:
    """Creates or changes a project. `version` (from `version_of`) refuses a stale change."""
    _deny(acting_user)
    f = _Form(data)
    creating = project is None
    project = project or Project(plan=plan)
    _check_version(project, version)
    before = {} if creating else audit.snapshot(project, PROJECT_FIELDS)
    values: dict[str, Any] = {}

    def want(name: str) -> bool:
        return creating or f.has(name)

    if want("fiscal_year"):
        year = f.year("fiscal_year")
        if year is not None and not plan.first_year <= year <= plan.last_year:
            f.problem(
                "fiscal_year",
                "year_outside_plan",
                year=year,
                first=plan.first_year,
                last=plan.last_year,
            )
        values["fiscal_year"] = year
    year = values.get("fiscal_year", project.fiscal_year)
    if want("code"):
        values["code"] = f.text("code", required=True, max_length=20)
        if (
            values["code"]
            and Project.objects.filter(plan=plan, fiscal_year=year, code=values["code"])
            .exclude(pk=project.pk)
            .exists()
        ):
            f.problem("code", "duplicate_code", value=values["code"])
    if want("strategy"):
        ref = f.text("strategy", required=True)
        pk = _pk(ref)
        strategy = Strategy.objects.filter(pk=pk).first() if pk is not None else None
        if ref and (strategy is None or strategy.plan_id != plan.pk):
            f.problem("strategy", "strategy_other_plan")
        values["strategy"] = strategy
    strategy = values.get("strategy", project.strategy if project.strategy_id else None)
    if want("approach"):
        ref = f.text("approach")
        pk = _pk(ref)
        approach = Approach.objects.filter(pk=pk).first() if pk is not None else None
        if ref and (approach is None or (strategy and approach.strategy_id != strategy.pk)):
            f.problem("approach", "approach_other_strategy")
        values["approach"] = approach
    if want("parent"):
        ref = f.text("parent")
        pk = _pk(ref)
        parent = Project.objects.filter(pk=pk).first() if pk is not None else None
        if ref and parent is None:
            f.problem("parent", "parent_other_plan")
        elif parent is not None:
            if parent.plan_id != plan.pk:
                f.problem("parent", "parent_other_plan")
            elif year is not None and parent.fiscal_year != year:
                f.problem("parent", "parent_year")
            else:
                node: Project | None = parent
                while node is not None:
                    if project.pk and node.pk == project.pk:
                        f.problem("parent", "parent_cycle")
                        break
                    node = node.parent
        values["parent"] = parent
    for name in (
        "name_th",
        "name_en",
        "budget_note",
        "target_group_th",
        "target_group_en",
        "responsible_unit_th",
    ):
        if want(name):
            values[name] = f.text(
                name,
                required=name == "name_th",
                max_length=300 if name == "responsible_unit_th" else None,
            )
    if want("budget"):
        budget = f.number("budget", MONEY)
        if budget is not None and budget < 0:
            f.problem("budget", "negative_budget")
        elif budget is not None and not creating and year is not None:
            spent = _disbursed(project, year)
            if budget < spent:
                f.problem(
                    "budget",
                    "budget_below_disbursed",
                    disbursed=f"{spent.normalize():,f}",
                    year=year,
                )
        values["budget"] = budget
    if want("stated_province_count"):
        values["stated_province_count"] = f.small("stated_province_count")
    provinces = None
    if f.has("provinces"):
        provinces = []
        for ref in _listed(f, data, "provinces"):
            p = (
                Province.objects.filter(pk=str(ref)).first()
                or Province.objects.filter(name_th=str(ref)).first()
            )
            if p is None:
                f.problem("provinces", "unknown_province", value=ref)
            else:
                provinces.append(p)
    kpis = None
    if f.has("kpis"):
        refs = _listed(f, data, "kpis")
        ids = {ref: _pk(ref) for ref in refs}
        found = {k.pk: k for k in KPI.objects.filter(plan=plan, pk__in=set(ids.values()) - {None})}
        for ref, pk in ids.items():
            if pk not in found:
                f.problem("kpis", "unknown_kpi", value=ref)
        kpis = list(found.values())
    f.check()
    for name, value in values.items():
        setattr(project, name, value)
    project.save()
    if provinces is not None:
        project.provinces.set(provinces)
    if kpis is not None:
        project.kpis.set(kpis)
    _audit_change(acting_user, "create" if creating else "update", project, before, PROJECT_FIELDS)
    return project


# ------------------------------------------------------------------------------------------
# Measurements and quarterly progress


def _period(f: _Form, plan: Plan, *, today: Any = None) -> tuple[int | None, int | None]:
    from django.utils import timezone

    from rongngan.core.thai import fiscal_quarter_bounds

    year = f.year("fiscal_year")
    quarter = f.integer("quarter", required=True)
    if quarter is not None and quarter not in (1, 2, 3, 4):
        f.problem("quarter", "quarter")
        quarter = None
    if year is not None and not plan.first_year <= year <= plan.last_year:
        f.problem(
            "fiscal_year",
            "year_outside_plan",
            year=year,
            first=plan.first_year,
            last=plan.last_year,
        )
        year = None
    if year is not None and quarter is not None:
        today = today or timezone.localdate()
        if fiscal_quarter_bounds(year, quarter)[0] > today:
            f.problem("quarter", "future_quarter", quarter=quarter, year=year)
    return year, quarter


def evidence_type(name: str) -> str:
    """The lower-case extension of a file name ("" when it has none)."""
    return PurePath(str(name)).suffix.lower().lstrip(".")


def _evidence_problems(f: _Form, upload: Any) -> None:
    """Documents and images only, by extension, and their content must begin as such a file."""
    kind = evidence_type(getattr(upload, "name", ""))
    if kind not in EVIDENCE_TYPES:
        f.problem("evidence_file", "evidence_type", types=", ".join(sorted(EVIDENCE_TYPES)))
        return
    try:
        upload.seek(0)
        head = upload.read(8192)
        upload.seek(0)
    except (AttributeError, OSError, ValueError):
        head = b""
    if isinstance(head, str):
        head = head.encode()
    signatures = EVIDENCE_SIGNATURES.get(kind)
    ok = (
        any(head.startswith(sig) for sig in signatures)
        if signatures
        else bool(head) and b"\x00" not in head
    )
    if not ok:
        f.problem("evidence_file", "evidence_content", type=kind)


@transaction.atomic
def measurement_record(
    *, acting_user: Any, kpi: KPI, data: Mapping[str, Any], evidence_file: Any = None
) -> Measurement:
    """Enters a KPI's value for a quarter; a newer entry supersedes the older one (kept)."""
    if not can_measure(acting_user, kpi):
        raise PermissionError("not allowed to measure this KPI")
    f = _Form(data)
    year, quarter = _period(f, kpi.plan)
    value = f.number("value", VALUE, required=True)
    unit = f.text("unit")
    if unit and unit != kpi.unit:
        f.problem("unit", "wrong_unit", expected=kpi.unit, given=unit)
    if value is not None:
        if value < 0:
            f.problem("value", "negative")
        elif kpi.unit in (Unit.PERCENT, Unit.PERCENT_REDUCTION) and value > 100:
            f.problem("value", "percent_range")
        elif kpi.unit == Unit.COUNT and value != value.to_integral_value():
            f.problem("value", "whole_number")
    if evidence_file:
        _evidence_problems(f, evidence_file)
    reason = f.text("reason")
    note = f.text("note")
    evidence_url = f.text("evidence_url", max_length=500)
    if evidence_url:
        from django.core.exceptions import ValidationError
        from django.core.validators import URLValidator

        try:
            URLValidator()(evidence_url)
        except ValidationError:
            f.problems.append(
                Problem("evidence_url", "invalid_url", _("Give a full web address (https://…)."))
            )
    kind = Measurement.Kind.OVERRIDE if kpi.metric else Measurement.Kind.MANUAL
    if kind == Measurement.Kind.OVERRIDE and not reason:
        f.problem("reason", "reason_required")
    if kind == Measurement.Kind.MANUAL and not (evidence_file or evidence_url or note):
        f.problem("evidence_url", "evidence_or_note")
    f.check()
    previous = (
        Measurement.objects.select_for_update()
        .filter(kpi=kpi, fiscal_year=year, quarter=quarter, kind=kind, is_current=True)
        .first()
    )
    if previous is not None:
        previous.is_current = False
        previous.save(update_fields=["is_current"])
    m = Measurement.objects.create(
        kpi=kpi,
        fiscal_year=year,
        quarter=quarter,
        kind=kind,
        value=value,
        reason=reason,
        note=note,
        evidence_url=evidence_url,
        evidence_file=evidence_file or "",
        entered_by=acting_user,
    )
    if previous is not None:
        previous.superseded_by = m
        previous.save(update_fields=["superseded_by"])
    audit.record(
        actor=acting_user,
        action="measure",
        obj=kpi,
        changes={
            "fiscal_year": year,
            "quarter": quarter,
            "kind": kind,
            "value": [str(previous.value) if previous else None, str(value)],
            "reason": reason,
            "measurement": m.pk,
        },
    )
    return m


def _over_budget(f: _Form, project: Project, year: int, quarter: int, amount: Decimal) -> None:
    """A year's disbursements may not exceed the budget: the project's own (with its
    sub-projects', as the budget page adds them) and its parent's (which counts this one)."""
    total = _disbursed(project, year, replacing=(quarter, amount))
    checks = [(project, total)]
    parent = project.parent if project.parent_id else None
    if parent is not None:
        own = _disbursed(project, year)  # this project's current entries, without the new one
        checks.append((parent, _disbursed(parent, year) - own + total))
    for node, spent in checks:
        if node.budget is not None and spent > node.budget:
            f.problem(
                "disbursed",
                "disbursed_over_budget",
                year=year,
                total=f"{spent.normalize():,f}",
                project=node.code,
                budget=f"{node.budget.normalize():,f}",
            )
            return


@transaction.atomic
def progress_record(
    *, acting_user: Any, project: Project, data: Mapping[str, Any]
) -> ProjectProgress:
    """A project's quarter: disbursement, result, problems, remedies (supersedes, never edits)."""
    _deny(acting_user)
    f = _Form(data)
    year, quarter = _period(f, project.plan)
    disbursed = f.number("disbursed", MONEY, required=True)
    if disbursed is not None and disbursed < 0:
        f.problem("disbursed", "negative_budget")
    elif disbursed is not None and year is not None and quarter is not None:
        _over_budget(f, project, year, quarter, disbursed)
    result = f.text("result_th")
    problems = f.text("problems_th")
    remedies = f.text("remedies_th")
    f.check()
    previous = (
        ProjectProgress.objects.select_for_update()
        .filter(project=project, fiscal_year=year, quarter=quarter, is_current=True)
        .first()
    )
    if previous is not None:
        previous.is_current = False
        previous.save(update_fields=["is_current"])
    p = ProjectProgress.objects.create(
        project=project,
        fiscal_year=year,
        quarter=quarter,
        disbursed=disbursed,
        result_th=result,
        problems_th=problems,
        remedies_th=remedies,
        entered_by=acting_user,
    )
    if previous is not None:
        previous.superseded_by = p
        previous.save(update_fields=["superseded_by"])
    audit.record(
        actor=acting_user,
        action="progress",
        obj=project,
        changes={
            "fiscal_year": year,
            "quarter": quarter,
            "disbursed": [str(previous.disbursed) if previous else None, str(disbursed)],
            "progress": p.pk,
        },
    )
    return p
