"""Pages of the action plan: thin; reads through `queries`/`measure`, writes through `services`."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Sum
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from rongngan.core.audit import display_rows, history
from rongngan.core.errors import RongnganValidationError, show_problems
from rongngan.core.templatetags.thai import be_date, be_datetime, num
from rongngan.core.thai import (
    fiscal_quarter,
    fiscal_quarter_bounds,
    fiscal_year_bounds,
)
from rongngan.plan import measure, queries, services
from rongngan.plan.consistency import check_plan
from rongngan.plan.models import KPI, Plan, Project, ProjectProgress
from rongngan.plan.period import Period
from rongngan.plan.status import AT_RISK, MET, NO_DATA, NO_TARGET, OFF_TRACK, ON_TRACK

STATUS_LABELS = {
    MET: gettext_lazy("met"),
    ON_TRACK: gettext_lazy("on track"),
    AT_RISK: gettext_lazy("at risk"),
    OFF_TRACK: gettext_lazy("off track"),
    NO_DATA: gettext_lazy("no data"),
    NO_TARGET: gettext_lazy("no target"),
}
STATUS_ORDER = [MET, ON_TRACK, AT_RISK, OFF_TRACK, NO_DATA, NO_TARGET]


def _plan(request: HttpRequest, code: str) -> Plan:
    return queries.plan_for_user(request.user, code)


# --------------------------------------------------------------------------------------------
# The plan


@require_GET
def plan_list(request: HttpRequest) -> HttpResponse:
    """Every plan the reader may see; a plan whose code no address can carry (stored before
    codes were checked) is listed without links, with a way for officers to rename it."""
    plans = list(queries.plans_for_user(request.user))
    for plan in plans:
        plan.addressable = bool(services.PLAN_CODE.fullmatch(plan.code))
    return render(
        request,
        "plan/plan_list.html",
        {"plans": plans, "can_edit": services.can_edit_plan(request.user)},
    )


@require_GET
def plan_detail(request: HttpRequest, code: str) -> HttpResponse:
    plan = _plan(request, code)
    period = Period(request, plan)
    strategies = list(queries.strategies(plan))
    kpis = list(queries.kpis(plan).prefetch_related("targets"))
    projects = list(queries.projects(plan, fiscal_year=period.year).prefetch_related("kpis"))
    for s in strategies:
        s.kpi_list = [k for k in kpis if k.strategy_id == s.pk]
        s.project_list = [p for p in projects if p.strategy_id == s.pk]
        for k in s.kpi_list:
            k.year_target = next(
                (t.value for t in k.targets.all() if t.fiscal_year == period.year), None
            )
    top = [p for p in projects if p.parent_id is None and p.budget is not None]
    context = {
        "plan": plan,
        "period": period,
        "strategies": strategies,
        "budget_total": sum((p.budget for p in top), Decimal(0)),
        "can_edit": services.can_edit_plan(request.user),
        "findings_count": len(check_plan(plan)) if not queries.is_public(request.user) else None,
        "history": display_rows(history(plan)[:20]) if queries.sees_internal(request.user) else [],
    }
    return render(request, "plan/plan_detail.html", context)


def _sparkline(result: measure.KPIResult) -> dict[str, Any]:
    return {
        "labels": [f"Q{qv.quarter}" for qv in result.quarters],
        "values": [float(v) if v is not None else None for v in result.series],
        "target": float(result.target) if result.target is not None else None,
    }


@require_GET
def dashboard(request: HttpRequest, code: str) -> HttpResponse:
    plan = _plan(request, code)
    period = Period(request, plan)
    results = measure.kpi_results(plan, period.year, as_of=period.as_of) if period.available else []
    strategies = list(queries.strategies(plan))
    for s in strategies:
        s.results = [r for r in results if r.kpi.strategy_id == s.pk]
    counts = measure.status_counts(results)
    chart = {
        "labels": [str(STATUS_LABELS[s]) for s in STATUS_ORDER],
        "keys": STATUS_ORDER,
        "values": [counts.get(s, 0) for s in STATUS_ORDER],
    }
    context = {
        "plan": plan,
        "period": period,
        "strategies": strategies,
        "results": results,
        "counts": [(s, STATUS_LABELS[s], counts.get(s, 0)) for s in STATUS_ORDER],
        "status_chart": chart,
        "sparklines": {r.kpi.code: _sparkline(r) for r in results},
        "status_labels": STATUS_LABELS,
        "sees_drilldown": queries.sees_drilldown(request.user),
    }
    return render(request, "plan/dashboard.html", context)


def budget_rows(plan: Plan, year: int, as_of: Any) -> dict[str, Any]:
    """Allocated and disbursed (to `as_of`) per project and per strategy; parents count once."""
    projects = list(queries.projects(plan, fiscal_year=year).order_by("strategy__number", "sort"))
    quarter = fiscal_quarter(as_of)[1] if as_of and fiscal_quarter(as_of)[0] == year else 4
    disbursed = {
        row["project_id"]: row["total"]
        for row in ProjectProgress.objects.filter(
            project__in=projects, fiscal_year=year, is_current=True, quarter__lte=quarter
        )
        .values("project_id")
        .annotate(total=Sum("disbursed"))
    }
    by_id = {p.pk: p for p in projects}
    for p in projects:
        p.disbursed = disbursed.get(p.pk, Decimal(0))
    # A parent's disbursement includes what its sub-projects report.
    for p in projects:
        if p.parent_id and p.parent_id in by_id:
            by_id[p.parent_id].disbursed += p.disbursed
    strategies: dict[int, dict[str, Any]] = {}
    for p in projects:
        s = strategies.setdefault(
            p.strategy_id,
            {"strategy": p.strategy, "allocated": Decimal(0), "disbursed": Decimal(0)},
        )
        if p.parent_id is None:
            s["allocated"] += p.budget or Decimal(0)
            s["disbursed"] += p.disbursed
        p.share = (p.disbursed / p.budget) if p.budget else None
    for s in strategies.values():
        s["share"] = (s["disbursed"] / s["allocated"]) if s["allocated"] else None
    total_alloc = sum((s["allocated"] for s in strategies.values()), Decimal(0))
    total_disb = sum((s["disbursed"] for s in strategies.values()), Decimal(0))
    return {
        "projects": projects,
        "strategies": list(strategies.values()),
        "allocated": total_alloc,
        "disbursed": total_disb,
        "share": (total_disb / total_alloc) if total_alloc else None,
    }


@require_GET
def budget(request: HttpRequest, code: str) -> HttpResponse:
    plan = _plan(request, code)
    period = Period(request, plan)
    rows = budget_rows(plan, period.year, period.as_of) if period.available else None
    chart = None
    if rows:
        chart = {
            "labels": [f"S{s['strategy'].number}" for s in rows["strategies"]],
            "allocated": [float(s["allocated"]) for s in rows["strategies"]],
            "disbursed": [float(s["disbursed"]) for s in rows["strategies"]],
            "allocated_label": _("Allocated"),
            "disbursed_label": _("Disbursed"),
        }
    return render(
        request,
        "plan/budget.html",
        {"plan": plan, "period": period, "rows": rows, "budget_chart": chart},
    )


@require_GET
def consistency(request: HttpRequest, code: str) -> HttpResponse:
    plan = _plan(request, code)
    return render(request, "plan/consistency.html", {"plan": plan, "findings": check_plan(plan)})


# --------------------------------------------------------------------------------------------
# KPIs


class MeasurementForm(forms.Form):
    fiscal_year = forms.TypedChoiceField(label=gettext_lazy("Fiscal year (B.E.)"), coerce=int)
    quarter = forms.TypedChoiceField(
        label=gettext_lazy("Quarter"), coerce=int, choices=[(q, q) for q in (1, 2, 3, 4)]
    )
    value = forms.CharField(label=gettext_lazy("Value"))
    reason = forms.CharField(
        label=gettext_lazy("Reason for the override"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    evidence_file = forms.FileField(label=gettext_lazy("Evidence file"), required=False)
    evidence_url = forms.CharField(label=gettext_lazy("Evidence link"), required=False)
    note = forms.CharField(
        label=gettext_lazy("Note (internal)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, kpi: KPI, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["fiscal_year"].choices = [(y, y) for y in kpi.plan.years]
        if not kpi.metric:
            del self.fields["reason"]


@require_http_methods(["GET", "POST"])
def kpi_detail(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    plan = _plan(request, code)
    kpi = get_object_or_404(queries.kpis(plan), pk=pk)
    period = Period(request, plan)
    can_measure = services.can_measure(request.user, kpi)
    form = None
    if can_measure:
        initial = {"fiscal_year": period.year, "quarter": period.as_of_quarter or 1}
        form = MeasurementForm(
            request.POST or None, request.FILES or None, kpi=kpi, initial=initial
        )
        if request.method == "POST":
            data = request.POST.dict()
            try:
                services.measurement_record(
                    acting_user=request.user,
                    kpi=kpi,
                    data=data,
                    evidence_file=request.FILES.get("evidence_file"),
                )
            except RongnganValidationError as exc:
                show_problems(form, exc)
            else:
                messages.success(request, _("The value was recorded."))
                return redirect(
                    reverse("plan:kpi_detail", args=[plan.code, kpi.pk])
                    + "?"
                    + period.query(year=data.get("fiscal_year", period.year))
                )
    elif request.method == "POST":
        raise PermissionDenied
    result = None
    if period.available:
        result = measure.kpi_results(plan, period.year, as_of=period.as_of, kpis=[kpi])[0]
    internal = queries.sees_internal(request.user)
    superseded = (
        queries.measurements(kpi, request.user, include_superseded=True).filter(is_current=False)
        if internal
        else []
    )
    context = {
        "plan": plan,
        "kpi": kpi,
        "period": period,
        "result": result,
        "sparkline": _sparkline(result) if result else None,
        "targets": kpi.targets.all(),
        "statements": kpi.statements.all(),
        "projects": kpi.projects.all(),
        "form": form,
        "internal": internal,
        "superseded": superseded,
        "history": display_rows(history(kpi)[:30]) if internal else [],
        "status_labels": STATUS_LABELS,
        "sees_drilldown": queries.sees_drilldown(request.user),
        "can_edit": services.can_edit_plan(request.user),
    }
    return render(request, "plan/kpi_detail.html", context)


def record_cell(value: Any) -> dict[str, Any]:
    """A drill-down cell as the platform shows values: dates in the Buddhist Era (datetimes in
    Bangkok time), numbers with thousands separators, yes/no; anything else as it is."""
    if value is None or value == "":
        return {"text": "—", "num": False}
    if isinstance(value, bool):
        return {"text": _("yes") if value else _("no"), "num": False}
    if isinstance(value, dt.datetime):
        return {"text": be_datetime(value), "num": False}
    if isinstance(value, dt.date):
        return {"text": be_date(value), "num": False}
    if isinstance(value, Decimal | int | float):
        return {"text": num(value), "num": True}
    return {"text": value, "num": False}


@require_GET
def kpi_records(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    """The records a bound KPI counted in the year (to the chosen quarter) or one quarter."""
    if not request.user.is_authenticated:
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.get_full_path())
    if not queries.sees_drilldown(request.user):
        raise PermissionDenied
    plan = _plan(request, code)
    kpi = get_object_or_404(queries.kpis(plan), pk=pk)
    from rongngan.core import metrics

    metric = metrics.get(kpi.metric) if kpi.metric else None
    if metric is None or metric.records is None:
        raise Http404("this KPI is not computed from records")
    period = Period(request, plan)
    if not period.available:
        raise Http404("no period")
    only = request.GET.get("only") == "quarter" and period.quarter
    start = (
        fiscal_quarter_bounds(period.year, period.quarter)[0]
        if only
        else fiscal_year_bounds(period.year)[0]
    )
    end = period.as_of
    records = metric.records(start, end)
    page = Paginator(records, 50).get_page(request.GET.get("page"))
    rows = []
    for obj in page.object_list:
        cells = []
        for path, _label in metric.columns:
            value: Any = obj
            for part in path.split("__"):
                value = getattr(value, part, "")
            cells.append(record_cell(value))
        url = obj.get_absolute_url() if hasattr(obj, "get_absolute_url") else ""
        rows.append({"object": obj, "url": url, "cells": cells})
    context = {
        "plan": plan,
        "kpi": kpi,
        "metric": metric,
        "period": period,
        "start": start,
        "end": end,
        "page": page,
        "rows": rows,
        "only_quarter": bool(only),
    }
    return render(request, "plan/kpi_records.html", context)


@require_GET
def evidence(request: HttpRequest, code: str, pk: int, measurement: int) -> HttpResponse:
    """A measurement's evidence file, for those who see evidence on the KPI page (signed-in
    staff), always as a download with the content type of its kind and no sniffing."""
    if not request.user.is_authenticated:
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.get_full_path())
    plan = _plan(request, code)
    kpi = get_object_or_404(queries.kpis(plan), pk=pk)
    if not queries.sees_internal(request.user):
        raise PermissionDenied
    m = (
        queries.measurements(kpi, request.user, include_superseded=True)
        .filter(pk=measurement)
        .first()
    )
    if m is None or not m.evidence_file:
        raise Http404("no such evidence")
    try:
        handle = m.evidence_file.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404("the evidence file is missing") from exc
    kind = services.evidence_type(m.evidence_file.name)
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=m.evidence_file.name.rsplit("/", 1)[-1],
        content_type=services.EVIDENCE_TYPES.get(kind, "application/octet-stream"),
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


# --------------------------------------------------------------------------------------------
# Projects


class ProgressForm(forms.Form):
    fiscal_year = forms.TypedChoiceField(label=gettext_lazy("Fiscal year (B.E.)"), coerce=int)
    quarter = forms.TypedChoiceField(
        label=gettext_lazy("Quarter"), coerce=int, choices=[(q, q) for q in (1, 2, 3, 4)]
    )
    disbursed = forms.CharField(label=gettext_lazy("Disbursed in the quarter (million baht)"))
    result_th = forms.CharField(
        label=gettext_lazy("Result"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    problems_th = forms.CharField(
        label=gettext_lazy("Problems and obstacles"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    remedies_th = forms.CharField(
        label=gettext_lazy("Remedies"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


@require_http_methods(["GET", "POST"])
def project_detail(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    plan = _plan(request, code)
    project = get_object_or_404(
        Project.objects.filter(plan=plan).select_related("strategy", "approach", "parent"), pk=pk
    )
    can_edit = services.can_edit_plan(request.user)
    form = None
    if can_edit:
        form = ProgressForm(request.POST or None, initial={"fiscal_year": project.fiscal_year})
        form.fields["fiscal_year"].choices = [(project.fiscal_year, project.fiscal_year)]
        if request.method == "POST":
            try:
                services.progress_record(
                    acting_user=request.user, project=project, data=request.POST.dict()
                )
            except RongnganValidationError as exc:
                show_problems(form, exc)
            else:
                messages.success(request, _("The quarter's progress was recorded."))
                return redirect("plan:project_detail", plan.code, project.pk)
    elif request.method == "POST":
        raise PermissionDenied
    internal = queries.sees_internal(request.user)
    progress = (
        list(queries.progress(project)) if internal or not queries.is_public(request.user) else []
    )
    context = {
        "plan": plan,
        "project": project,
        "children": project.children.all(),
        "targets": project.targets.all(),
        "provinces": project.provinces.all(),
        "kpis": project.kpis.all(),
        "progress": progress,
        "disbursed": sum((p.disbursed for p in progress), Decimal(0)),
        "form": form,
        "can_edit": can_edit,
        "history": display_rows(history(project)[:30]) if internal else [],
    }
    return render(request, "plan/project_detail.html", context)


# --------------------------------------------------------------------------------------------
# Reports


@require_GET
def report(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    if not request.user.is_authenticated:
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.get_full_path())
    if queries.is_public(request.user) or fmt not in ("xlsx", "pdf"):
        raise Http404
    plan = _plan(request, code)
    from rongngan.plan import reports

    period = Period(request, plan)
    if period.problems:
        for message in period.messages:
            messages.error(request, message)
        return redirect(reverse("plan:dashboard", args=[plan.code]) + "?" + period.query())
    data = reports.report_data(plan, period.year, period.quarter or None)
    name = f"{plan.code}-{period.year}-{f'Q{period.quarter}' if period.quarter else 'annual'}"
    if fmt == "xlsx":
        body = reports.build_xlsx(data)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        try:
            body = reports.build_pdf(data)
        except reports.ReportUnavailable as exc:
            messages.error(request, str(exc))
            return redirect(reverse("plan:dashboard", args=[plan.code]) + "?" + period.query())
        content_type = "application/pdf"
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response
