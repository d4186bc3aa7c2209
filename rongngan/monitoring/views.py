"""Pages of pollution monitoring: thin, every read through `queries`, every write a service.

Officers see a province "now" dashboard (refreshed by HTMX every minute), point pages with
time series and the limits drawn, events with their evidence and decisions; operators their own
points, laboratory results, notices and reading uploads; the public a factory page in the
manner of US EPA ECHO (quarters, validated daily averages, a CSV of daily averages) and a search
of the factories with monitoring points. The services remain the authority: PermissionError
becomes 403, a RongnganValidationError re-shows the form with each problem at its field.
"""

import csv
import datetime as dt
import json
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Exists, Max, OuterRef, Q
from django.db.models.functions import TruncQuarter
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rongngan.core.errors import RongnganValidationError, show_problems
from rongngan.core.models import Province
from rongngan.core.scoping import role_of
from rongngan.monitoring import conf, pipeline, queries, services
from rongngan.monitoring.forms import (
    DecideForm,
    ExplainForm,
    LabResultForm,
    NoticeForm,
    PointForm,
    PointParameterForm,
    UploadForm,
    limit_field,
)
from rongngan.monitoring.models import (
    DailyAggregate,
    Event,
    HourlyAggregate,
    LabResult,
    MonitoringPoint,
    PointLimit,
    PointParameter,
)
from rongngan.registry import queries as registry_queries
from rongngan.registry.models import Factory

PAGE_SIZE = 50
DASHBOARD_ROLES = {"admin", "officer", "provincial_officer", "committee"}
OK_SHOWN = 100  # silent or normal points listed on a province dashboard; the rest counted
# A chart's window and the resolution that keeps it under a few thousand points.
SPANS = {
    "year": (dt.timedelta(days=365), "day"),
    "month": (dt.timedelta(days=31), "hour"),
    "day": (dt.timedelta(days=1), "minute"),
}
FINER = {"year": "month", "month": "day", "day": ""}
QUARTERS = 12
PUBLIC_CHART_DAYS = 365


def _service(call: Callable[[], Any]) -> Any:
    """Runs a service; a refusal of the party is a 403 (validation errors pass through)."""
    try:
        return call()
    except PermissionError as exc:
        raise PermissionDenied(str(exc)) from exc


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _local_date(raw: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(raw or "").strip())
    except ValueError:
        return None


def _dec(value: Any) -> str | None:
    """A decimal for a chart: no trailing zeros, never in exponent form."""
    if value is None:
        return None
    return format(Decimal(value).normalize(), "f")


def _flagged(ok: bool, note: str) -> bool:
    # An hour or a day carries its reason ("ok" when valid); a minute its status flags.
    return not ok or bool(note and note != "ok")


# --------------------------------------------------------------------------------------------
# Landing


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """The officers' province dashboard, the operator's points, the public factory search."""
    role = role_of(request.user)
    if role in DASHBOARD_ROLES:
        return redirect("monitoring:dashboard")
    if role == "public":
        return redirect("monitoring:factory_search")
    return redirect("monitoring:point_list")


# --------------------------------------------------------------------------------------------
# Province "now" dashboard


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    role = role_of(request.user)
    if role not in DASHBOARD_ROLES:
        raise PermissionDenied(_("The province dashboard is for officers and the committee."))
    provinces: list[dict[str, Any]] = []
    partial = bool(request.headers.get("HX-Request"))
    if role == "provincial_officer":
        province = request.user.province_id or ""
        province_name = "" if partial else getattr(request.user.province, "name_th", "")
    else:
        if not partial:
            provinces = list(
                MonitoringPoint.objects.filter(
                    active=True, method=MonitoringPoint.Method.CONTINUOUS
                )
                .values("province_id", "province__name_th")
                .annotate(n=Count("id"))
                .order_by("province_id")
            )
        province = (request.GET.get("province") or "").strip()
        if not province and provinces:
            province = max(provinces, key=lambda p: p["n"])["province_id"]
        province_name = next(
            (p["province__name_th"] for p in provinces if p["province_id"] == province), ""
        )
    now = timezone.now()
    points = queries.province_now(request.user, province, now=now) if province else []
    by_state: dict[str, list[queries.PointNow]] = {"exceedance": [], "silent": [], "ok": []}
    for p in points:
        by_state[p.state].append(p)
    context = {
        "province": province,
        "province_name": province_name,
        "provinces": provinces,
        "exceeding": by_state["exceedance"],
        "silent": by_state["silent"][:OK_SHOWN],
        "silent_more": max(0, len(by_state["silent"]) - OK_SHOWN),
        "ok": by_state["ok"][:OK_SHOWN],
        "ok_more": max(0, len(by_state["ok"]) - OK_SHOWN),
        "counts": {k: len(v) for k, v in by_state.items()},
        "total": len(points),
        "open_events": sum(p.open_events for p in points),
        "now": now,
        "gap_minutes": conf.get("MONITORING_GAP_MINUTES"),
    }
    template = "monitoring/_now.html" if partial else "monitoring/dashboard.html"
    return render(request, template, context)


# --------------------------------------------------------------------------------------------
# Points


@login_required
@require_GET
def point_list(request: HttpRequest) -> HttpResponse:
    qs = queries.points_for_user(request.user).annotate(
        last=Max("parameters__last_reading_at"), n_parameters=Count("parameters", distinct=True)
    )
    q = (request.GET.get("q") or "").strip()
    if q:
        qs = qs.filter(
            Q(code__icontains=q)
            | Q(name__icontains=q)
            | Q(factory__name_th__icontains=q)
            | Q(factory__registration_no__icontains=q)
        )
    province = (request.GET.get("province") or "").strip()
    if province:
        qs = qs.filter(province_id=province)
    kind = (request.GET.get("kind") or "").strip()
    if kind:
        qs = qs.filter(kind=kind)
    page = Paginator(qs.order_by("factory__name_th", "code"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    role = role_of(request.user)
    return render(
        request,
        "monitoring/point_list.html",
        {
            "page": page,
            "query": _query_without_page(request),
            "q": q,
            "kind": kind,
            "kinds": MonitoringPoint.Kind.choices,
            "can_define": role in {"admin", "officer", "provincial_officer"},
            "is_operator": role == "operator",
        },
    )


def _factory_from_param(request: HttpRequest, raw: str) -> Factory:
    raw = raw.strip()
    if raw.isdecimal() and len(raw) < 10:
        return registry_queries.factory_for_user(request.user, raw)
    pk = (
        registry_queries.factories_for_user(request.user)
        .filter(registration_no=raw)
        .values_list("pk", flat=True)
        .first()
    )
    if pk is None:
        raise Http404("no such factory")
    return registry_queries.factory_for_user(request.user, pk)


@login_required
@require_http_methods(["GET", "POST"])
def point_create(request: HttpRequest) -> HttpResponse:
    factory = _factory_from_param(request, request.GET.get("factory") or "")
    if not services.is_officer_for(request.user, factory):
        raise PermissionDenied(str(services.MSG["officers_only"]))
    form = PointForm(request.POST or None)
    if request.method == "POST":
        try:
            point = _service(
                lambda: services.point_define(
                    acting_user=request.user, factory=factory, data=form.data_for_service()
                )
            )
        except RongnganValidationError as exc:
            show_problems(form, exc)
        else:
            messages.success(
                request, _("Monitoring point %(code)s defined.") % {"code": point.code}
            )
            return redirect("monitoring:parameter_set", pk=point.pk)
    return render(request, "monitoring/point_form.html", {"form": form, "factory": factory})


@login_required
@require_GET
def point_detail(request: HttpRequest, pk: int) -> HttpResponse:
    point = queries.point_for_user(request.user, pk)
    parameters = queries.point_parameters(point)
    context = _series_context(request, point, parameters)
    start, end = context["start"], context["end"]
    year_ago = end - dt.timedelta(days=365)
    role = role_of(request.user)
    may_act = services.acts_for(request.user, point.factory)
    # Hours that could not be corrected to the reference oxygen are flagged and not judged
    # against limits at reference oxygen: said here, with the standing cause if there is one.
    at_reference_o2 = point.ref_o2_percent is not None or any(
        li.ref_o2_percent is not None for pp in parameters for li in pp.current_limits
    )
    context.update(
        {
            "o2_unmeasured": at_reference_o2
            and not any(pp.parameter_id == pipeline.O2 for pp in parameters),
            "o2_flagged": HourlyAggregate.objects.filter(
                point_parameter__point=point,
                period_start__gte=start,
                period_start__lt=end,
                reason__in=pipeline.O2_REASONS,
            ).count(),
            "point": point,
            "parameters": parameters,
            "availability": _availability_rows(queries.availability_by_month(point)),
            "notices": queries.notices_between(point, min(start, year_ago), end),
            "lab_results": list(queries.lab_results_for(request.user, point=point)[:20]),
            "events": list(queries.events_for(request.user, point=point)[:20]),
            "is_officer": services.is_officer_for(request.user, point.factory),
            "may_act": may_act,
            "is_operator": role == "operator",
            "drift_tolerance": conf.get("MONITORING_DRIFT_TOLERANCE_PERCENT"),
        }
    )
    return render(request, "monitoring/point_detail.html", context)


@login_required
@require_GET
def point_series(request: HttpRequest, pk: int) -> HttpResponse:
    """The chart of one parameter (an HTMX fragment of the point page)."""
    point = queries.point_for_user(request.user, pk)
    parameters = queries.point_parameters(point)
    context = _series_context(request, point, parameters)
    context.update({"point": point, "parameters": parameters})
    return render(request, "monitoring/_series.html", context)


def _series_context(
    request: HttpRequest, point: MonitoringPoint, parameters: list[PointParameter]
) -> dict[str, Any]:
    codes = [pp.parameter_id for pp in parameters]
    code = request.GET.get("parameter") or (codes[0] if codes else "")
    if code not in codes and codes:
        code = codes[0]
    span = request.GET.get("span") or "month"
    if span not in SPANS:
        span = "month"
    length, resolution = SPANS[span]
    end_day = _local_date(request.GET.get("end"))
    if end_day is None:
        end = timezone.now()
        end_day = timezone.localdate() + dt.timedelta(days=1)
    else:
        end = pipeline.day_bounds(end_day)[0]
    start = end - length
    series = None
    chart: dict[str, Any] = {}
    if code:
        series = queries.point_series(request.user, point, code, start, end, resolution)
        chart = _chart_data(series)
    invalid = [v for v in (series.values if series else []) if _flagged(v[2], v[3])]
    base = reverse("monitoring:point_series", args=[point.pk])
    return {
        "parameter": code,
        "span": span,
        "spans": [
            ("year", _("year (daily averages)")),
            ("month", _("month (hourly averages)")),
            ("day", _("day (minutes)")),
        ],
        "resolution": resolution,
        "start": start,
        "end": end,
        "end_day": end_day,
        "prev_end": (end_day - length.days * dt.timedelta(days=1)).isoformat(),
        "next_end": (end_day + length.days * dt.timedelta(days=1)).isoformat(),
        "series": series,
        "chart": chart,
        "invalid": invalid[:50],
        "invalid_count": len(invalid),
        "count": len(series.values) if series else 0,
        "series_url": base,
        "zoom_url": f"{base}?parameter={code}&span={FINER[span]}" if FINER[span] else "",
    }


def _chart_data(series: queries.Series) -> dict[str, Any]:
    labels, days, values, valid, notes = [], [], [], [], []
    for t, v, ok, note in series.values:
        if isinstance(t, dt.datetime):
            local = timezone.localtime(t)
            labels.append(
                local.strftime("%d/%m %H:%M") if series.resolution != "day" else local.date()
            )
            days.append(local.date().isoformat())
        else:
            labels.append(t.strftime("%d/%m/") + str(t.year + 543))
            days.append(t.isoformat())
        values.append(_dec(v))
        valid.append(not _flagged(ok, note))
        notes.append("" if note == "ok" else note or "")
    limits = []
    for limit in series.limits:
        label = " ".join(
            str(x)
            for x in (
                limit["standard"] or limit["reference"] or _("licence"),
                dict(PointLimit._meta.get_field("averaging").choices).get(limit["averaging"], ""),
            )
            if x
        )
        limits.append(
            {
                "label": label,
                "comparator": limit["comparator"],
                "value": _dec(limit["value"]),
                "upper_value": _dec(limit["upper_value"]),
                "low_value": _dec(limit["low_value"]),
                "high_value": _dec(limit["high_value"]),
            }
        )
    return {
        "labels": [str(x) for x in labels],
        "days": days,
        "values": values,
        "valid": valid,
        "notes": notes,
        "unit": series.unit,
        "parameter": series.parameter.parameter_id,
        "limits": limits,
        "value_label": _("value"),
        "invalid_label": _("not valid or flagged"),
        "upper_label": _("upper level"),
    }


def _availability_rows(
    data: dict[str, list[tuple[dt.date, Decimal]]],
) -> dict[str, Any]:
    months = sorted({m for rows in data.values() for m, _p in rows})
    table = []
    for code, rows in sorted(data.items()):
        found = dict(rows)
        table.append({"parameter": code, "cells": [found.get(m) for m in months]})
    return {"months": months, "rows": table}


@login_required
@require_http_methods(["GET", "POST"])
def parameter_set(request: HttpRequest, pk: int) -> HttpResponse:
    point = queries.point_for_user(request.user, pk)
    if not services.is_officer_for(request.user, point.factory):
        raise PermissionDenied(str(services.MSG["officers_only"]))
    form = PointParameterForm(request.POST or None, point=point)
    if request.method == "POST":
        code = (request.POST.get("parameter") or "").strip()
        try:
            if not code:
                from rongngan.core.errors import Problem

                raise RongnganValidationError(
                    [Problem("parameter", "required", services.MSG["required"])]
                )
            _service(
                lambda: services.point_parameter_set(
                    acting_user=request.user,
                    point=point,
                    parameter=code,
                    data=form.data_for_service(),
                )
            )
        except RongnganValidationError as exc:
            show_problems(form, exc, limit_field, name_unmatched=True)
        else:
            messages.success(
                request, _("Parameter %(code)s and its limits saved.") % {"code": code}
            )
            return redirect("monitoring:point_detail", pk=point.pk)
    return render(
        request,
        "monitoring/parameter_form.html",
        {
            "form": form,
            "point": point,
            "parameters": queries.point_parameters(point),
            "applies_to": point.applies_to(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def lab_result_create(request: HttpRequest, pk: int) -> HttpResponse:
    point = queries.point_for_user(request.user, pk, write=True)
    parameters = queries.point_parameters(point)
    form = LabResultForm(request.POST or None, parameters=parameters)
    if request.method == "POST":
        code = request.POST.get("parameter") or ""
        pp = next((p for p in parameters if p.parameter_id == code), None)
        if pp is None:
            form.add_error("parameter", _("Choose a parameter of this point."))
        else:
            pp.point = point
            try:
                result = _service(
                    lambda: services.lab_result_record(
                        acting_user=request.user, point_parameter=pp, data=form.data_for_service()
                    )
                )
            except RongnganValidationError as exc:
                show_problems(form, exc)
            else:
                text = _("Laboratory result %(report)s recorded.") % {"report": result.report_no}
                if result.drift_flagged:
                    text += " " + _(
                        "The online value differs from the laboratory value by %(drift)s%%."
                    ) % {"drift": result.drift_percent}
                messages.success(request, text)
                return redirect("monitoring:point_detail", pk=point.pk)
    return render(
        request,
        "monitoring/simple_form.html",
        {
            "form": form,
            "point": point,
            "title": _("Record a laboratory result"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def notice_create(request: HttpRequest, pk: int) -> HttpResponse:
    point = queries.point_for_user(request.user, pk, write=True)
    form = NoticeForm(request.POST or None)
    if request.method == "POST":
        try:
            notice = _service(
                lambda: services.notice_submit(
                    acting_user=request.user, point=point, data=form.data_for_service()
                )
            )
        except RongnganValidationError as exc:
            show_problems(form, exc)
        else:
            text = _("Notice recorded.")
            if notice.late:
                text += " " + _("It was submitted after the deadline and is marked late.")
            messages.success(request, text)
            return redirect("monitoring:point_detail", pk=point.pk)
    return render(
        request,
        "monitoring/simple_form.html",
        {
            "form": form,
            "point": point,
            "title": _("Notify a malfunction or shutdown"),
            "lead": _(
                "A notice explains a gap in the data and is shown beside it. Notify within "
                "%(hours)s hours of the start."
            )
            % {"hours": conf.get("MONITORING_NOTICE_DEADLINE_HOURS")},
        },
    )


# --------------------------------------------------------------------------------------------
# Readings upload


def _upload_rows(form: UploadForm, request: HttpRequest) -> tuple[Any, str]:
    upload = request.FILES.get("file")
    if upload is not None:
        raw = upload.read()
        name = upload.name.lower()
    else:
        raw = (request.POST.get("text") or "").encode()
        name = ""
    try:
        text = services.decode_text(raw)  # UTF-8, else Thai Windows (cp874), as the API
    except RongnganValidationError as exc:
        form.add_error("file", exc.problems[0].text())
        return None, ""
    stripped = text.lstrip()
    if not stripped:
        form.add_error("file", _("Choose a file or paste the rows."))
        return None, ""
    if name.endswith(".json") or stripped[0] in "[{":
        try:
            data = json.loads(text)
        except ValueError as exc:
            form.add_error("file", _("The JSON cannot be read: %(error)s") % {"error": exc})
            return None, ""
        if isinstance(data, dict):
            data = data.get("rows")
        if not isinstance(data, list):
            form.add_error("file", _("The JSON is a list of rows, or an object with “rows”."))
            return None, ""
        return data, "json"
    return text, "csv"


@login_required
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    if role_of(request.user) not in {"operator", "admin", "officer", "provincial_officer"}:
        raise PermissionDenied(_("Only a factory's operator or an officer sends readings."))
    form = UploadForm(request.POST or None, request.FILES or None)
    result = None
    problems: list[dict[str, Any]] = []
    # A key per page load: pressing "send" twice, or resending the page, stores the batch once.
    key = request.POST.get("key") or uuid.uuid4().hex
    if request.method == "POST":
        rows, fmt = _upload_rows(form, request)
        if rows is not None:
            try:
                result = services.readings_ingest(
                    acting_user=request.user,
                    rows=rows,
                    format=fmt,
                    mode=request.POST.get("mode") or "reject",
                    idempotency_key=f"page:{key}",
                    # A person waits for the answer: averaged and judged before it is shown.
                    process="inline",
                )
            except RongnganValidationError as exc:
                problems = exc.as_list()
                form.add_error(None, _("Nothing was stored: the batch has bad rows."))
        if result is not None:
            key = uuid.uuid4().hex
    return render(
        request,
        "monitoring/upload.html",
        {
            "form": form,
            "key": key,
            "result": result.as_dict() if result else None,
            "replayed": bool(result and result.replayed),
            "problems": problems,
            "language": (request.LANGUAGE_CODE or "th")[:2],
        },
    )


# --------------------------------------------------------------------------------------------
# Events and notifications


@login_required
@require_GET
def event_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status") or ""
    kind = request.GET.get("kind") or ""
    qs = queries.events_for(
        request.user,
        status=status if status in Event.Status.values else None,
        kind=kind if kind in Event.Kind.values else None,
        province=(request.GET.get("province") or "").strip() or None,
        point=int(request.GET["point"]) if (request.GET.get("point") or "").isdecimal() else None,
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "monitoring/event_list.html",
        {
            "page": page,
            "query": _query_without_page(request),
            "status": status,
            "kind": kind,
            "statuses": Event.Status.choices,
            "kinds": Event.Kind.choices,
        },
    )


def _when_of(text: Any) -> Any:
    """An evidence period (ISO date or date-time) as a date or datetime to show in Bangkok."""
    try:
        return (
            dt.datetime.fromisoformat(str(text))
            if "T" in str(text)
            else dt.date.fromisoformat(str(text))
        )
    except ValueError:
        return text


def _looks_like_time(text: str) -> bool:
    return len(text) >= 16 and text[4:5] == "-" and "T" in text


def _evidence_row(row: Any) -> list[Any]:
    """An evidence reading or hour with its time as a datetime (shown in Bangkok time)."""
    if not isinstance(row, list | tuple) or not row:
        return [row, None, ""]
    return [_when_of(row[0]), *row[1:3], *([None] * (3 - len(row)))][:3]


def _plain(value: Any) -> str | None:
    try:
        return _dec(value)
    except (ArithmeticError, ValueError, TypeError):
        return None if value is None else str(value)


def _event_page(
    request: HttpRequest,
    event: Event,
    explain_form: ExplainForm | None = None,
    decide_form: DecideForm | None = None,
) -> HttpResponse:
    factory = event.point_parameter.point.factory
    may_explain = (
        event.status == Event.Status.OPEN
        and role_of(request.user) == "operator"
        and services.acts_for(request.user, factory)
    )
    may_decide = event.status == Event.Status.EXPLAINED and services.is_officer_for(
        request.user, factory
    )
    periods = [
        {
            "period": _when_of(p.get("period", "")),
            "value": _plain(p.get("value")),
            "corrected_value": _plain(p.get("corrected_value")),
            "compared": _plain(p.get("compared")),
            "limit": _plain(p.get("limit")),
            "valid": p.get("valid_minutes", p.get("valid_hours")),
            # [time (UTC, ISO 8601), value, flags or valid]: the time shown in Bangkok, B.E.
            "readings": [_evidence_row(r) for r in p.get("readings") or []],
            "hours": [_evidence_row(r) for r in p.get("hours") or []],
        }
        for p in event.evidence.get("periods") or []
        if isinstance(p, dict)
    ]
    limit = event.evidence.get("limit") or {}
    return render(
        request,
        "monitoring/event_detail.html",
        {
            "event": event,
            "periods": periods,
            "limit": limit,
            "more_periods": event.evidence.get("more_periods", 0),
            "other_evidence": {
                k: _when_of(v) if isinstance(v, str) and _looks_like_time(v) else v
                for k, v in event.evidence.items()
                if k not in {"periods", "limit", "more_periods"}
            },
            "may_explain": may_explain,
            "may_decide": may_decide,
            "explain_form": explain_form or ExplainForm(),
            "decide_form": decide_form or DecideForm(),
        },
    )


@login_required
@require_GET
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _event_page(request, queries.event_for_user(request.user, pk))


@login_required
@require_POST
def event_explain(request: HttpRequest, pk: int) -> HttpResponse:
    event = queries.event_for_user(request.user, pk)
    form = ExplainForm(request.POST)
    try:
        _service(
            lambda: services.event_explain(
                acting_user=request.user,
                event=event,
                explanation=request.POST.get("explanation", ""),
            )
        )
    except RongnganValidationError as exc:
        show_problems(form, exc)
        return _event_page(request, event, explain_form=form)
    messages.success(request, _("Your explanation was sent to the officers."))
    return redirect("monitoring:event_detail", pk=event.pk)


@login_required
@require_POST
def event_decide(request: HttpRequest, pk: int) -> HttpResponse:
    event = queries.event_for_user(request.user, pk)
    form = DecideForm(request.POST)
    try:
        _service(
            lambda: services.event_decide(
                acting_user=request.user,
                event=event,
                decision=request.POST.get("decision", ""),
                note=request.POST.get("note", ""),
            )
        )
    except RongnganValidationError as exc:
        show_problems(form, exc)
        return _event_page(request, event, decide_form=form)
    messages.success(request, _("Decision recorded."))
    return redirect("monitoring:event_detail", pk=event.pk)


@login_required
@require_http_methods(["GET", "POST"])
def notifications(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        services.notifications_mark_read(acting_user=request.user)
        return redirect("monitoring:notifications")
    page = Paginator(queries.notifications_for(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "monitoring/notifications.html",
        {"page": page, "query": _query_without_page(request)},
    )


# --------------------------------------------------------------------------------------------
# Public: factory search and the factory's monitoring record


def _public() -> AnonymousUser:
    # The public record is the same for everyone, signed in or not: read as the public.
    return AnonymousUser()


@require_GET
def factory_search(request: HttpRequest) -> HttpResponse:
    monitored = MonitoringPoint.objects.filter(factory=OuterRef("pk"), active=True)
    qs = (
        registry_queries.factory_search(_public(), request.GET)
        .filter(Exists(monitored))
        .annotate(n_points=Count("monitoring_points", filter=Q(monitoring_points__active=True)))
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "monitoring/factory_search.html",
        {
            "page": page,
            "query": _query_without_page(request),
            "q": request.GET.get("q", ""),
            "province": request.GET.get("province", ""),
            "provinces": Province.objects.order_by("name_th").values_list("code", "name_th"),
        },
    )


def _monitored_factory(pk: Any) -> Factory:
    factory = registry_queries.factory_for_user(_public(), pk)
    if not MonitoringPoint.objects.filter(factory=factory, active=True).exists():
        raise Http404("no monitoring at this factory")
    return factory


def _quarters(today: dt.date) -> list[tuple[dt.date, dt.date]]:
    cells = []
    start, end = queries.quarter_of(today)
    for _i in range(QUARTERS):
        cells.append((start, end))
        start, end = queries.quarter_of(start - dt.timedelta(days=1))
    cells.reverse()
    return cells


def parameter_quarter_grid(
    pps: list[PointParameter], cells: list[tuple[dt.date, dt.date]]
) -> dict[int, list[dict[str, Any]]]:
    """Per point-parameter, the state of each quarter as on ECHO: exceedance (an exceedance
    event began in it), compliant (a valid daily average or a laboratory result in it), not
    reporting, or not required (before the parameter was measured at the point). Three
    queries whatever the number of parameters."""
    if not pps:
        return {}
    ids = [pp.pk for pp in pps]
    lo = cells[0][0]
    lo_dt = pipeline.day_bounds(lo)[0]
    index = {s: i for i, (s, _e) in enumerate(cells)}
    exceed: dict[tuple[int, int], int] = defaultdict(int)
    for pp_id, first in Event.objects.filter(
        point_parameter_id__in=ids, kind=Event.Kind.EXCEEDANCE, first_period__gte=lo_dt
    ).values_list("point_parameter_id", "first_period"):
        i = index.get(queries.quarter_of(pipeline.local_day(first))[0])
        if i is not None:
            exceed[(pp_id, i)] += 1
    reported: set[tuple[int, int]] = set()
    for pp_id, quarter in (
        DailyAggregate.objects.filter(point_parameter_id__in=ids, day__gte=lo, valid=True)
        .annotate(q=TruncQuarter("day"))
        .values_list("point_parameter_id", "q")
        .distinct()
    ):
        i = index.get(quarter)
        if i is not None:
            reported.add((pp_id, i))
    for pp_id, sampled in LabResult.objects.filter(
        point_parameter_id__in=ids, sampled_at__gte=lo_dt
    ).values_list("point_parameter_id", "sampled_at"):
        i = index.get(queries.quarter_of(pipeline.local_day(sampled))[0])
        if i is not None:
            reported.add((pp_id, i))
    out: dict[int, list[dict[str, Any]]] = {}
    for pp in pps:
        since = timezone.localtime(pp.created_at).date()
        row = []
        for i, (s, e) in enumerate(cells):
            n = exceed.get((pp.pk, i), 0)
            if n:
                state = "exceedance"
            elif (pp.pk, i) in reported:
                state = "compliant"
            elif e < since:
                state = "not_required"
            else:
                state = "not_reporting"
            row.append({"start": s, "end": e, "state": state, "exceedances": n})
        out[pp.pk] = row
    return out


@require_GET
def factory_public(request: HttpRequest, pk: int) -> HttpResponse:
    factory = _monitored_factory(pk)
    today = timezone.localdate()
    cells = _quarters(today)
    pps = list(
        PointParameter.objects.filter(point__factory=factory, point__active=True)
        .select_related("point", "parameter")
        .order_by("point__code", "parameter_id")
    )
    grid = parameter_quarter_grid(pps, cells)
    since = today - dt.timedelta(days=PUBLIC_CHART_DAYS)
    daily: dict[int, list[tuple[dt.date, Decimal | None]]] = defaultdict(list)
    for pp_id, day, value, corrected in (
        DailyAggregate.objects.filter(
            point_parameter_id__in=[pp.pk for pp in pps], day__gte=since, valid=True
        )
        .order_by("point_parameter_id", "day")
        .values_list("point_parameter_id", "day", "value", "corrected_value")
    ):
        daily[pp_id].append((day, corrected if corrected is not None else value))
    limits: dict[int, list[PointLimit]] = defaultdict(list)
    for limit in (
        PointLimit.objects.select_related("rule__standard")
        .filter(point_parameter_id__in=[pp.pk for pp in pps], effective_from__lte=today)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gt=today))
    ):
        limits[limit.point_parameter_id].append(limit)
    rows = []
    for pp in pps:
        chart_limits = []
        for limit in limits.get(pp.pk, []):
            try:
                value = (
                    pipeline.convert_to(limit.value, limit.unit, pp.unit, pp)
                    if limit.value is not None
                    else None
                )
            except Exception:
                value = None
            chart_limits.append(
                {
                    "label": f"{limit.get_averaging_display()} {limit.get_comparator_display()}",
                    "value": _dec(value),
                    "comparator": limit.comparator,
                    "low_value": _dec(limit.low_value),
                    "high_value": _dec(limit.high_value),
                    "upper_value": None,
                }
            )
        values = daily.get(pp.pk, [])
        rows.append(
            {
                "pp": pp,
                "cells": grid.get(pp.pk, []),
                "limits": limits.get(pp.pk, []),
                "days": len(values),
                "chart_id": f"daily-{pp.pk}",
                "chart": {
                    "labels": [d.strftime("%d/%m/") + str(d.year + 543) for d, _v in values],
                    "days": [d.isoformat() for d, _v in values],
                    "values": [_dec(v) for _d, v in values],
                    "valid": [True] * len(values),
                    "notes": [""] * len(values),
                    "unit": pp.unit,
                    "parameter": pp.parameter_id,
                    "limits": chart_limits,
                    "value_label": _("validated daily average"),
                    "invalid_label": "",
                    "upper_label": _("upper level"),
                },
            }
        )
    return render(
        request,
        "monitoring/factory_public.html",
        {
            "factory": factory,
            "cells": cells,
            "factory_grid": queries.factory_quarter_grid(factory, QUARTERS, today=today),
            "rows": rows,
            "csv_start": cells[0][0],
            "csv_end": today,
            "chart_days": PUBLIC_CHART_DAYS,
        },
    )


class _Echo:
    def write(self, value: str) -> str:
        return value


@require_GET
def factory_csv(request: HttpRequest, pk: int) -> HttpResponse:
    """Validated daily averages of a factory (never raw minutes) as CSV."""
    factory = _monitored_factory(pk)
    today = timezone.localdate()
    start = _local_date(request.GET.get("start")) or _quarters(today)[0][0]
    end = _local_date(request.GET.get("end")) or today
    if (request.GET.get("start") and _local_date(request.GET.get("start")) is None) or (
        request.GET.get("end") and _local_date(request.GET.get("end")) is None
    ):
        return HttpResponseBadRequest(_("Give start and end as dates (YYYY-MM-DD)."))
    if end < start:
        return HttpResponseBadRequest(str(services.MSG["end_before_start"]))
    writer = csv.writer(_Echo())

    def rows() -> Iterator[str]:
        yield "\ufeff"  # Excel reads Thai text in a CSV with a BOM only
        for row in queries.daily_averages_csv_rows(factory, start, end):
            yield writer.writerow(row)

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="monitoring-{factory.registration_no}-{start}-{end}.csv"'
    )
    return response
