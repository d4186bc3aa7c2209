"""Reads of the action plan, scoped by who is asking.

Everyone (no login) reads plans in force or closed, their strategies, projects and KPI results
for finished quarters; internal notes, evidence and who entered a value are for signed-in staff.
Draft plans are seen only by national staff (officers, committee, administrators).
"""

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from rongngan.core.scoping import NATIONAL_READ, role_of
from rongngan.plan.models import KPI, Measurement, Plan, Project, ProjectProgress, Strategy


def is_public(user: Any) -> bool:
    return role_of(user) == "public"


def sees_internal(user: Any) -> bool:
    """Internal notes, evidence files and who entered what."""
    return role_of(user) in NATIONAL_READ or role_of(user) == "provincial_officer"


def sees_drilldown(user: Any) -> bool:
    """The records behind a computed KPI (factories, documents)."""
    return role_of(user) in NATIONAL_READ


def plans_for_user(user: Any) -> QuerySet[Plan]:
    qs = Plan.objects.all()
    if role_of(user) not in NATIONAL_READ:
        qs = qs.exclude(status=Plan.Status.DRAFT)
    return qs


def plan_for_user(user: Any, code: str) -> Plan:
    plan = plans_for_user(user).filter(code=code).first()
    if plan is None:
        raise Http404("no such plan")
    return plan


def strategies(plan: Plan) -> QuerySet[Strategy]:
    return Strategy.objects.filter(plan=plan).prefetch_related("approaches")


def projects(plan: Plan, *, fiscal_year: int | None = None) -> QuerySet[Project]:
    qs = Project.objects.filter(plan=plan).select_related("strategy", "approach", "parent")
    if fiscal_year is not None:
        qs = qs.filter(fiscal_year=fiscal_year)
    return qs


def kpis(plan: Plan) -> QuerySet[KPI]:
    return KPI.objects.filter(plan=plan).select_related("strategy", "responsible")


def measurements(kpi: KPI, user: Any, *, include_superseded: bool = False) -> QuerySet:
    qs = Measurement.objects.filter(kpi=kpi).select_related("entered_by")
    if not include_superseded:
        qs = qs.filter(is_current=True)
    if is_public(user):
        from rongngan.plan.measure import finished_as_of

        today = timezone.localdate()
        visible = [
            m.pk
            for m in qs
            if (end := finished_as_of(m.fiscal_year, today)) is not None
            and m.quarter <= _quarter_of(m.fiscal_year, end)
        ]
        qs = qs.filter(pk__in=visible)
    return qs.order_by("fiscal_year", "quarter", "kind", "-entered_at")


def evidence_path(kpi: KPI, m: Measurement) -> str | None:
    """Where a measurement's evidence file is served (the plan's view, which checks the
    reader); None without a file, or for a plan whose code no address can carry."""
    from django.urls import NoReverseMatch, reverse

    if not m.evidence_file:
        return None
    try:
        return reverse("plan:evidence", args=[kpi.plan.code, kpi.pk, m.pk])
    except NoReverseMatch:
        return None


def _quarter_of(fiscal_year: int, d: Any) -> int:
    from rongngan.core.thai import fiscal_quarter

    fy, q = fiscal_quarter(d)
    return q if fy == fiscal_year else 4


def progress(project: Project, *, fiscal_year: int | None = None) -> QuerySet[ProjectProgress]:
    qs = ProjectProgress.objects.filter(project=project, is_current=True)
    if fiscal_year is not None:
        qs = qs.filter(fiscal_year=fiscal_year)
    return qs.select_related("entered_by").order_by("fiscal_year", "quarter")
