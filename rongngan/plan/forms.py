"""Forms of the officers' plan pages: they render widgets and re-show input; services validate.

As in the register, every field is permissive (text, or a select that accepts anything): the one
cleaning path is `plan.services`, so a form must not refuse or reshape input before the service
sees it. Field names are the services' data keys, so each problem lands on its own field; the
only exceptions are a KPI's yearly targets (`target_<year>` here, `targets.<year>` in the
service) and the plan's `copy_from`, which the page itself acts on.
"""

from collections.abc import Iterable
from decimal import Decimal
from typing import Any, ClassVar

from django import forms
from django.db.models import Max, Q
from django.utils.translation import gettext_lazy as _

from rongngan.core import metrics
from rongngan.core.models import Province
from rongngan.core.thai import parse_thai_number
from rongngan.plan.models import (
    KPI,
    Accumulation,
    Approach,
    Direction,
    Plan,
    Project,
    Strategy,
    Unit,
)
from rongngan.plan.services import RESPONSIBLE_ROLES

Choices = list[tuple[str, str]]
LABEL_LENGTH = 90


def _text(label: Any, **kwargs: Any) -> forms.CharField:
    return forms.CharField(label=label, required=False, **kwargs)


def _area(label: Any, rows: int = 3, **kwargs: Any) -> forms.CharField:
    return _text(label, widget=forms.Textarea(attrs={"rows": rows}), **kwargs)


def _number(label: Any, *, decimal: bool = False, **kwargs: Any) -> forms.CharField:
    mode = "decimal" if decimal else "numeric"
    return _text(label, widget=forms.TextInput(attrs={"inputmode": mode}), **kwargs)


def _select(label: Any, **kwargs: Any) -> forms.CharField:
    return forms.CharField(label=label, required=False, widget=forms.Select, **kwargs)


class ManyField(forms.Field):
    """A multi-select that hands the service the submitted ids as they are (a list of text)."""

    widget = forms.SelectMultiple

    def to_python(self, value: Any) -> list[str]:
        if not value:
            return []
        return [str(v) for v in value]


def _many(label: Any) -> ManyField:
    return ManyField(label=label, required=False, widget=forms.SelectMultiple(attrs={"size": 8}))


def number_text(value: Any) -> str:
    """A stored number as an officer would type it: 11.5084, 10 (not 10.0000), "" for none."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


def short(text: str, length: int = LABEL_LENGTH) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= length else text[: length - 1] + "…"


def _norm(value: Any) -> Any:
    if isinstance(value, list | tuple | set):
        return tuple(sorted(str(v) for v in value))
    return "" if value is None else str(value).strip()


class PlanEditForm(forms.Form):
    """What the plan's forms share: fieldsets, submitted values, what the service is sent."""

    wide_fields: ClassVar[tuple[str, ...]] = ()
    # Fields the service must check together: when one changed, all are sent.
    linked: ClassVar[tuple[set[str], ...]] = ()
    # The version of the record the form was opened at (services.version_of): the service
    # refuses the save when the record changed since, instead of reverting that change.
    version = forms.CharField(required=False, widget=forms.HiddenInput)

    def page_fields(self) -> set[str]:
        """Fields the page acts on itself (never sent to the service as they are)."""
        return set()

    def opened_version(self) -> str | None:
        return str(self.data.get("version", "")).strip() or None

    def visible(self) -> list[forms.BoundField]:
        return [b for b in self if not b.is_hidden]

    def fieldsets(self) -> list[tuple[Any, list[forms.BoundField]]]:
        """(legend or None, fields) in order; the template draws a <fieldset> for a legend."""
        return [(None, self.visible())]

    def submitted(self) -> dict[str, Any]:
        """The raw submitted value of every field: text stripped, lists for multi-selects."""
        out: dict[str, Any] = {}
        for name, field in self.fields.items():
            if isinstance(field, ManyField):
                out[name] = [str(v).strip() for v in self.data.getlist(name) if str(v).strip()]
            else:
                out[name] = str(self.data.get(name, "")).strip()
        return out

    def service_data(self, *, creating: bool) -> dict[str, Any]:
        """What the service is given: everything when creating, otherwise what changed.

        Sending unchanged fields would re-check (and could refuse) values nobody touched.
        """
        skip = self.page_fields() | {"version"}
        submitted = {k: v for k, v in self.submitted().items() if k not in skip}
        if creating:
            return submitted
        # A text field or select missing from the POST was not on the page: it is left as it
        # is. (A multi-select with nothing chosen is missing too, and means "none".)
        submitted = {
            k: v
            for k, v in submitted.items()
            if k in self.data or isinstance(self.fields[k], ManyField)
        }
        changed = {k for k, v in submitted.items() if _norm(v) != _norm(self.initial.get(k))}
        for group in self.linked:
            if changed & group:
                changed |= group & set(submitted)
        return {k: v for k, v in submitted.items() if k in changed}


# ------------------------------------------------------------------------------------------
# Plans


def plan_choices(plans: Iterable[Plan], blank: Any) -> Choices:
    return [("", blank)] + [
        (p.code, f"{p.code} · {short(p.title_th)} ({p.first_year}–{p.last_year})") for p in plans
    ]


class PlanForm(PlanEditForm):
    wide_fields = ("title_th", "title_en", "vision_th", "vision_en", "copy_from")
    linked = ({"first_year", "last_year"},)

    copy_from = _select(
        _("Start from the plan"),
        help_text=_(
            "Copies its strategies, development approaches and KPIs (without targets) into the "
            "new plan, e.g. to start next year's plan from this one."
        ),
    )
    code = _text(
        _("Code"),
        help_text=_("Letters, digits and hyphens, e.g. DIW-2566-2570; it appears in addresses."),
    )
    title_th = _text(_("Title (Thai)"))
    title_en = _text(_("Title (English)"))
    first_year = _number(_("First fiscal year (B.E.)"))
    last_year = _number(
        _("Last fiscal year (B.E.)"),
        help_text=_(
            "To add a fiscal year, raise the last year, then add its KPI targets and projects."
        ),
    )
    status = _select(_("Status"))
    vision_th = _area(_("Vision (Thai)"))
    vision_en = _area(_("Vision (English)"))

    def __init__(
        self,
        *args: Any,
        creating: bool = False,
        sources: Iterable[Plan] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].widget.choices = list(Plan.Status.choices)
        if creating:
            self.fields["copy_from"].widget.choices = plan_choices(sources, _("— an empty plan —"))
        else:
            del self.fields["copy_from"]

    def page_fields(self) -> set[str]:
        return {"copy_from"}

    def copy_from_code(self) -> str:
        return str(self.data.get("copy_from", "")).strip() if "copy_from" in self.fields else ""

    @staticmethod
    def initial_for(plan: Plan) -> dict[str, Any]:
        return {
            "code": plan.code,
            "title_th": plan.title_th,
            "title_en": plan.title_en,
            "first_year": number_text(plan.first_year),
            "last_year": number_text(plan.last_year),
            "status": plan.status,
            "vision_th": plan.vision_th,
            "vision_en": plan.vision_en,
        }

    @staticmethod
    def initial_following(source: Plan) -> dict[str, Any]:
        """A new plan that follows `source`: the same length, starting the year after it ends."""
        first = source.last_year + 1
        return {
            "copy_from": source.code,
            "title_th": source.title_th,
            "title_en": source.title_en,
            "first_year": str(first),
            "last_year": str(first + source.last_year - source.first_year),
            "status": Plan.Status.DRAFT,
            "vision_th": source.vision_th,
            "vision_en": source.vision_en,
        }


# ------------------------------------------------------------------------------------------
# Strategies and development approaches


class NumberedForm(PlanEditForm):
    """A strategy or a development approach: a number and a name."""

    wide_fields = ("name_th", "name_en")

    number = _number(_("Number"))
    name_th = _area(_("Name (Thai)"), rows=2)
    name_en = _area(_("Name (English)"), rows=2)

    @staticmethod
    def initial_for(obj: Strategy | Approach) -> dict[str, Any]:
        return {"number": str(obj.number), "name_th": obj.name_th, "name_en": obj.name_en}

    @staticmethod
    def next_number(qs: Any) -> dict[str, Any]:
        highest = qs.aggregate(n=Max("number"))["n"]
        return {"number": str((highest or 0) + 1)}


# ------------------------------------------------------------------------------------------
# KPIs


def strategy_choices(plan: Plan, blank: Any) -> Choices:
    return [("", blank)] + [
        (str(s.pk), f"S{s.number} {short(s.name_th)}") for s in plan.strategies.order_by("number")
    ]


def responsible_choices(current: int | None) -> Choices:
    from rongngan.accounts.models import User

    users = User.objects.filter(Q(is_active=True, role__in=RESPONSIBLE_ROLES) | Q(pk=current))
    return [("", _("— nobody in particular —"))] + [
        (str(u.pk), f"{u.get_full_name() or u.get_username()} ({u.get_role_display()})")
        for u in users.order_by("first_name", "username")
    ]


def metric_choices(current: str) -> Choices:
    out: Choices = [("", _("— measured by hand —")), *metrics.choices()]
    if current and current not in {key for key, _label in out}:
        out.append((current, current))  # no longer published: shown so it is not lost unseen
    return out


class KPIForm(PlanEditForm):
    wide_fields = ("name_th", "name_en", "metric", "internal_note")
    TARGET_PREFIX = "target_"

    code = _text(_("Code"), help_text=_("e.g. K1.2 (unique in the plan)."))
    strategy = _select(_("Strategy"))
    name_th = _area(_("Name (Thai)"), rows=2)
    name_en = _area(_("Name (English)"), rows=2)
    unit = _select(_("Unit"))
    unit_label_th = _text(_("Unit label (Thai)"), help_text=_("e.g. ราย, ร้อยละ"))
    unit_label_en = _text(_("Unit label (English)"))
    direction = _select(_("Direction"))
    accumulation = _select(_("Accumulation"))
    baseline_year = _number(_("Baseline year (B.E.)"))
    baseline_value = _number(_("Baseline value"), decimal=True)
    metric = _select(
        _("Measured by"),
        help_text=_("A metric the platform computes from its records, or by hand."),
    )
    responsible = _select(_("Responsible officer"))
    internal_note = _area(_("Internal note"))

    def __init__(self, *args: Any, plan: Plan, kpi: KPI | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.plan = plan
        self.current_targets: dict[int, Decimal] = (
            {t.fiscal_year: t.value for t in kpi.targets.all()} if kpi is not None else {}
        )
        choose = _("— choose —")
        self.fields["strategy"].widget.choices = strategy_choices(plan, choose)
        self.fields["unit"].widget.choices = [("", choose), *Unit.choices]
        self.fields["direction"].widget.choices = list(Direction.choices)
        self.fields["accumulation"].widget.choices = [("", choose), *Accumulation.choices]
        self.fields["metric"].widget.choices = metric_choices(kpi.metric if kpi else "")
        self.fields["responsible"].widget.choices = responsible_choices(
            kpi.responsible_id if kpi else None
        )
        for year in plan.years:
            name = self.target_field(year)
            self.fields[name] = _number(
                _("Target for fiscal year %(year)s") % {"year": year}, decimal=True
            )
            self.initial.setdefault(name, number_text(self.current_targets.get(year)))

    @classmethod
    def target_field(cls, year: int | str) -> str:
        return f"{cls.TARGET_PREFIX}{year}"

    def target_names(self) -> list[str]:
        return [n for n in self.fields if n.startswith(self.TARGET_PREFIX)]

    def page_fields(self) -> set[str]:
        return set(self.target_names())

    def fieldsets(self) -> list[tuple[Any, list[forms.BoundField]]]:
        targets = set(self.target_names())
        return [
            (None, [b for b in self.visible() if b.name not in targets]),
            (_("Targets by fiscal year"), [b for b in self.visible() if b.name in targets]),
        ]

    def changed_targets(self) -> dict[int, str]:
        """{year: text} of the targets the user changed; "" removes a year's target.

        A year left as it was is not sent, so an untouched empty year creates nothing and an
        untouched target is not checked again.
        """
        out: dict[int, str] = {}
        for year in self.plan.years:
            raw = str(self.data.get(self.target_field(year), "")).strip()
            current = self.current_targets.get(year)
            if raw == "" and current is None:
                continue
            if raw and current is not None:
                try:
                    if parse_thai_number(raw) == current:
                        continue
                except ValueError:
                    pass  # the service says what is wrong with it
            out[year] = raw
        return out

    def service_data(self, *, creating: bool) -> dict[str, Any]:
        data = super().service_data(creating=creating)
        targets = self.changed_targets()
        if targets:
            data["targets"] = targets
        return data

    @staticmethod
    def initial_for(kpi: KPI) -> dict[str, Any]:
        return {
            "code": kpi.code,
            "strategy": str(kpi.strategy_id),
            "name_th": kpi.name_th,
            "name_en": kpi.name_en,
            "unit": kpi.unit,
            "unit_label_th": kpi.unit_label_th,
            "unit_label_en": kpi.unit_label_en,
            "direction": kpi.direction,
            "accumulation": kpi.accumulation,
            "baseline_year": number_text(kpi.baseline_year),
            "baseline_value": number_text(kpi.baseline_value),
            "metric": kpi.metric,
            "responsible": "" if kpi.responsible_id is None else str(kpi.responsible_id),
            "internal_note": kpi.internal_note,
        }


def service_field(problem_field: str | None) -> str | None:
    """The form field of a service problem: `targets.2563` is shown on `target_2563`."""
    if problem_field and problem_field.startswith("targets."):
        return KPIForm.target_field(problem_field.removeprefix("targets."))
    return problem_field


# ------------------------------------------------------------------------------------------
# Projects


class ProjectForm(PlanEditForm):
    wide_fields = (
        "name_th",
        "name_en",
        "budget_note",
        "target_group_th",
        "target_group_en",
        "responsible_unit_th",
    )
    # The service checks the approach against the strategy and the parent and the code
    # against the fiscal year: when one of them changes, it must see the others.
    linked = ({"strategy", "approach"}, {"fiscal_year", "parent", "code"})

    code = _text(_("Code"), help_text=_("e.g. P6 or P6.1 (unique in the plan and fiscal year)."))
    fiscal_year = _select(_("Fiscal year (B.E.)"))
    strategy = _select(_("Strategy"))
    approach = _select(
        _("Development approach"), help_text=_("One of the chosen strategy's approaches.")
    )
    parent = _select(_("Parent project"), help_text=_("For a sub-project of the same year."))
    name_th = _area(_("Name (Thai)"), rows=2)
    name_en = _area(_("Name (English)"), rows=2)
    budget = _number(_("Budget (million baht)"), decimal=True)
    budget_note = _area(_("Budget note"), rows=2)
    target_group_th = _area(_("Target group (Thai)"), rows=2)
    target_group_en = _area(_("Target group (English)"), rows=2)
    responsible_unit_th = _text(_("Responsible unit"))
    stated_province_count = _number(
        _("Number of provinces stated"), help_text=_("As the plan document states it.")
    )
    provinces = _many(_("Provinces"))
    kpis = _many(_("KPIs served"))

    def __init__(
        self, *args: Any, plan: Plan, project: Project | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        none = "—"
        self.fields["fiscal_year"].widget.choices = [("", _("— choose —"))] + [
            (str(y), str(y)) for y in plan.years
        ]
        self.fields["strategy"].widget.choices = strategy_choices(plan, _("— choose —"))
        approaches = Approach.objects.filter(strategy__plan=plan).select_related("strategy")
        self.fields["approach"].widget.choices = [("", none)] + [
            (str(a.pk), f"{a.code} {short(a.name_th)}")
            for a in approaches.order_by("strategy__number", "number")
        ]
        parents = Project.objects.filter(plan=plan).order_by("fiscal_year", "sort", "code")
        if project is not None:
            parents = parents.exclude(pk=project.pk)
        self.fields["parent"].widget.choices = [("", none)] + [
            (str(p.pk), f"{p.fiscal_year} · {p.code} {short(p.name_th)}") for p in parents
        ]
        self.fields["provinces"].widget.choices = [
            (p.code, p.name_th) for p in Province.objects.order_by("name_th")
        ]
        self.fields["kpis"].widget.choices = [
            (str(k.pk), f"{k.code} {short(k.name_th)}") for k in KPI.objects.filter(plan=plan)
        ]

    @staticmethod
    def initial_for(project: Project) -> dict[str, Any]:
        return {
            "code": project.code,
            "fiscal_year": str(project.fiscal_year),
            "strategy": str(project.strategy_id),
            "approach": "" if project.approach_id is None else str(project.approach_id),
            "parent": "" if project.parent_id is None else str(project.parent_id),
            "name_th": project.name_th,
            "name_en": project.name_en,
            "budget": number_text(project.budget),
            "budget_note": project.budget_note,
            "target_group_th": project.target_group_th,
            "target_group_en": project.target_group_en,
            "responsible_unit_th": project.responsible_unit_th,
            "stated_province_count": number_text(project.stated_province_count),
            "provinces": sorted(p.code for p in project.provinces.all()),
            "kpis": sorted(str(k.pk) for k in project.kpis.all()),
        }
