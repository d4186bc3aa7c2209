"""Where a plan disagrees with itself.

* a parent project whose sub-project budgets do not add up to its own budget;
* a KPI whose target is stated differently in another place of the plan (value or unit);
* a project whose list of provinces is longer or shorter than the count it states;
* a KPI with no target for a year of the plan in which projects serve it.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch
from django.utils.translation import gettext_lazy as _

from rongngan.core.errors import render_in
from rongngan.plan.measure import plain
from rongngan.plan.models import KPI, Plan, Project


@dataclass
class Finding:
    code: str
    subject: str  # "P6", "K3.2" ...
    message: Any
    params: dict[str, Any] = field(default_factory=dict)
    url: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "subject": self.subject,
            "message_th": render_in("th", self.message, self.params),
            "message_en": render_in("en", self.message, self.params),
            "values": {k: str(v) for k, v in self.params.items()},
        }

    def text(self) -> str:
        from django.utils import translation

        return render_in(translation.get_language() or "th", self.message, self.params)


BUDGET_SUM = _(
    "Project %(code)s has a budget of %(budget)s million baht, but its %(count)s sub-projects "
    "add up to %(total)s (difference %(difference)s)."
)
TARGET_DIFFERS = _(
    "KPI %(code)s has the target %(target)s %(unit)s for %(year)s, but %(where)s states "
    "%(stated)s %(stated_unit)s."
)
PROVINCE_COUNT = _("Project %(code)s states %(stated)s provinces but names %(named)s.")
MISSING_TARGET = _(
    "KPI %(code)s has no target for %(year)s although project(s) %(projects)s serve it."
)


class Bi:
    """A value with a Thai and an English form, rendered in the active language."""

    def __init__(self, th: str, en: str) -> None:
        self.th, self.en = th, en or th

    def __str__(self) -> str:
        from django.utils import translation

        return self.en if translation.get_language() == "en" else self.th


def check_plan(plan: Plan) -> list[Finding]:
    findings: list[Finding] = []
    projects = list(
        Project.objects.filter(plan=plan)
        .annotate(named=Count("provinces"))
        .prefetch_related("children", "kpis")
        .order_by("fiscal_year", "sort", "code")
    )
    for p in projects:
        children = list(p.children.all())
        budgets = [c.budget for c in children if c.budget is not None]
        if children and budgets and p.budget is not None:
            total = sum(budgets, Decimal(0))
            if total != p.budget:
                findings.append(
                    Finding(
                        "budget_sum",
                        p.code,
                        BUDGET_SUM,
                        {
                            "code": p.code,
                            "budget": plain(p.budget),
                            "count": len(children),
                            "total": plain(total),
                            "difference": plain(p.budget - total),
                        },
                    )
                )
        if p.stated_province_count is not None and p.stated_province_count != p.named:
            findings.append(
                Finding(
                    "province_count",
                    p.code,
                    PROVINCE_COUNT,
                    {"code": p.code, "stated": p.stated_province_count, "named": p.named},
                )
            )
    kpis = KPI.objects.filter(plan=plan).prefetch_related(
        "targets", "statements", Prefetch("projects", queryset=Project.objects.order_by("code"))
    )
    for k in kpis:
        targets = {t.fiscal_year: t.value for t in k.targets.all()}
        for s in k.statements.all():
            target = targets.get(s.fiscal_year)
            same_unit = not s.unit_label_th or s.unit_label_th == k.unit_label_th
            if target is not None and target == s.value and same_unit:
                continue
            findings.append(
                Finding(
                    "target_differs",
                    k.code,
                    TARGET_DIFFERS,
                    {
                        "code": k.code,
                        "target": plain(target) if target is not None else "—",
                        "unit": Bi(k.unit_label_th, k.unit_label_en),
                        "year": s.fiscal_year,
                        "where": Bi(s.where_th, s.where_en),
                        "stated": plain(s.value),
                        "stated_unit": Bi(
                            s.unit_label_th or k.unit_label_th, s.unit_label_en or k.unit_label_en
                        ),
                    },
                )
            )
        years = {p.fiscal_year for p in k.projects.all()}
        for year in sorted(years - set(targets)):
            findings.append(
                Finding(
                    "missing_target",
                    k.code,
                    MISSING_TARGET,
                    {
                        "code": k.code,
                        "year": year,
                        "projects": ", ".join(
                            p.code for p in k.projects.all() if p.fiscal_year == year
                        ),
                    },
                )
            )
    return findings
