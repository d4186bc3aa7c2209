"""Every write to the action plan: validated first, one transaction, an audit entry each.

Who may write: officers and administrators edit plans; a KPI's responsible officer may also
enter its measurements.
"""

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from rongngan.core import audit, metrics
from rongngan.core.errors import Problem
from rongngan.core.models import Province
from rongngan.core.reader import MESSAGES, Reader
from rongngan.core.scoping import NATIONAL_WRITE, role_of
from rongngan.plan.models import (
    KPI,
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
}


def can_edit_plan(user: Any) -> bool:
    return role_of(user) in NATIONAL_WRITE


def can_measure(user: Any, kpi: KPI) -> bool:
    return can_edit_plan(user) or (
        user is not None and user.is_authenticated and kpi.responsible_id == user.pk
    )


class _Form(Reader):
    """The plan's fields: a reader with the plan's messages, B.E. years and number fields that
    take any sign unless told."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        super().__init__(data, MSG)

    def integer(self, name: str, *, required: bool = False, sign: str | None = None) -> int | None:
        value = self.decimal(name, required=required, sign=sign)
        if value is None:
            return None
        if value != value.to_integral_value():
            self.problem(name, "number")
            return None
        return int(value)

    def year(self, name: str, *, required: bool = True) -> int | None:
        value = self.integer(name, required=required)
        if value is not None and not 2500 <= value <= 2700:
            self.problem(name, "year_range")
            return None
        return value


def _deny(user: Any) -> None:
    if not can_edit_plan(user):
        raise PermissionError("only officers edit the action plan")


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


@transaction.atomic
def plan_save(*, acting_user: Any, data: Mapping[str, Any], plan: Plan | None = None) -> Plan:
    _deny(acting_user)
    f = _Form(data)
    creating = plan is None
    plan = plan or Plan()
    before = {} if creating else audit.snapshot(plan, PLAN_FIELDS)
    values: dict[str, Any] = {}
    if creating or f.has("code"):
        values["code"] = f.text("code", required=True, max_length=40)
        if values["code"] and Plan.objects.filter(code=values["code"]).exclude(pk=plan.pk).exists():
            f.problem("code", "duplicate_code", value=values["code"])
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
    f.check()
    for name, value in values.items():
        setattr(plan, name, value)
    plan.save()
    _audit_change(acting_user, "create" if creating else "update", plan, before, PLAN_FIELDS)
    return plan


NUMBERED_FIELDS = ["number", "name_th", "name_en"]


def _numbered_save(acting_user: Any, obj: Any, siblings: Any, data: Mapping[str, Any]) -> Any:
    """Creates or changes a strategy or an approach: a number unique among `siblings`, names."""
    _deny(acting_user)
    f = _Form(data)
    creating = obj.pk is None
    before = {} if creating else audit.snapshot(obj, NUMBERED_FIELDS)
    number = f.integer("number", required=creating) if creating or f.has("number") else None
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
    *, acting_user: Any, plan: Plan, data: Mapping[str, Any], strategy: Strategy | None = None
) -> Strategy:
    return _numbered_save(
        acting_user, strategy or Strategy(plan=plan), Strategy.objects.filter(plan=plan), data
    )


@transaction.atomic
def approach_save(
    *,
    acting_user: Any,
    strategy: Strategy,
    data: Mapping[str, Any],
    approach: Approach | None = None,
) -> Approach:
    return _numbered_save(
        acting_user,
        approach or Approach(strategy=strategy),
        Approach.objects.filter(strategy=strategy),
        data,
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
        number = sub.decimal("value")
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


@transaction.atomic
def kpi_save(
    *, acting_user: Any, plan: Plan, data: Mapping[str, Any], kpi: KPI | None = None
) -> KPI:
    """Creates or changes a KPI; `targets` ({year: value}) sets its yearly targets."""
    _deny(acting_user)
    from rongngan.accounts.models import User

    f = _Form(data)
    creating = kpi is None
    kpi = kpi or KPI(plan=plan)
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
    if want("direction"):
        values["direction"] = f.choice("direction", Direction, required=False) or "increase"
    if want("accumulation"):
        values["accumulation"] = f.choice("accumulation", Accumulation)
    if want("baseline_year"):
        values["baseline_year"] = f.year("baseline_year", required=False)
    if want("baseline_value"):
        values["baseline_value"] = f.decimal("baseline_value")
    if want("metric"):
        key = f.text("metric")
        if key and metrics.get(key) is None:
            f.problem("metric", "unknown_metric", value=key)
        values["metric"] = key
    if want("responsible"):
        ref = f.text("responsible")
        values["responsible"] = User.objects.filter(pk=ref).first() if ref.isdecimal() else None
    targets = _targets_in(f, plan, data.get("targets")) if f.has("targets") else {}
    unit = values.get("unit", kpi.unit)
    direction = values.get("direction", kpi.direction)
    baseline = values.get("baseline_value", kpi.baseline_value)
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


@transaction.atomic
def project_save(
    *, acting_user: Any, plan: Plan, data: Mapping[str, Any], project: Project | None = None
) -> Project:
    _deny(acting_user)
    f = _Form(data)
    creating = project is None
    project = project or Project(plan=plan)
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
        strategy = Strategy.objects.filter(pk=ref).first() if ref.isdecimal() else None
        if ref and (strategy is None or strategy.plan_id != plan.pk):
            f.problem("strategy", "strategy_other_plan")
        values["strategy"] = strategy
    strategy = values.get("strategy", project.strategy if project.strategy_id else None)
    if want("approach"):
        ref = f.text("approach")
        approach = Approach.objects.filter(pk=ref).first() if ref.isdecimal() else None
        if ref and (approach is None or (strategy and approach.strategy_id != strategy.pk)):
            f.problem("approach", "approach_other_strategy")
        values["approach"] = approach
    if want("parent"):
        ref = f.text("parent")
        parent = Project.objects.filter(pk=ref).first() if ref.isdecimal() else None
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
            values[name] = f.text(name, required=name == "name_th")
    if want("budget"):
        budget = f.decimal("budget")
        if budget is not None and budget < 0:
            f.problem("budget", "negative_budget")
        values["budget"] = budget
    if want("stated_province_count"):
        values["stated_province_count"] = f.integer("stated_province_count")
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
        kpis = list(
            KPI.objects.filter(
                plan=plan,
                pk__in=[int(k) for k in _listed(f, data, "kpis") if str(k).isdecimal()],
            )
        )
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


@transaction.atomic
def measurement_record(
    *, acting_user: Any, kpi: KPI, data: Mapping[str, Any], evidence_file: Any = None
) -> Measurement:
    """Enters a KPI's value for a quarter; a newer entry supersedes the older one (kept)."""
    if not can_measure(acting_user, kpi):
        raise PermissionError("not allowed to measure this KPI")
    f = _Form(data)
    year, quarter = _period(f, kpi.plan)
    value = f.decimal("value", required=True)
    unit = f.text("unit")
    if unit and unit != kpi.unit:
        f.problem("unit", "wrong_unit", expected=kpi.unit, given=unit)
    if value is not None:
        if value < 0:
            f.problem("value", "negative")
        elif kpi.unit in (Unit.PERCENT, Unit.PERCENT_REDUCTION) and value > 100:
            f.problem("value", "percent_range")
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


@transaction.atomic
def progress_record(
    *, acting_user: Any, project: Project, data: Mapping[str, Any]
) -> ProjectProgress:
    """A project's quarter: disbursement, result, problems, remedies (supersedes, never edits)."""
    _deny(acting_user)
    f = _Form(data)
    year, quarter = _period(f, project.plan)
    disbursed = f.decimal("disbursed", required=True)
    if disbursed is not None and disbursed < 0:
        f.problem("disbursed", "negative_budget")
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
