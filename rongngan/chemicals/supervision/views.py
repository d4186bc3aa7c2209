"""Pages of storage-site inspections and the ammonia refrigeration register: thin, every read
through `queries` (scoped), every write a service. The checklist form is built from the checklist
version in force; the grade is computed as the inspector scores (HTMX) with the same rule the
service applies on submit. Statistics are public; everything site-level needs a sign-in."""

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from rongngan.chemicals.supervision import queries, reference, services
from rongngan.chemicals.supervision.models import (
    CorrectiveAction,
    Grade,
    InspectionPhoto,
    RefrigerationPlant,
)
from rongngan.core import metrics as core_metrics
from rongngan.core.errors import RongnganValidationError
from rongngan.core.scoping import role_of
from rongngan.core.thai import fiscal_year_bounds

PAGE_SIZE = 50


def _problems(exc: RongnganValidationError) -> tuple[list[str], dict[str, str]]:
    """(messages for the summary, first message per field) for a form re-shown with errors."""
    summary = []
    by_field: dict[str, str] = {}
    for p in exc.problems:
        text = p.text()
        summary.append(f"{p.field}: {text}" if p.field else text)
        if p.field:
            by_field.setdefault(p.field, text)
    return summary, by_field


def _checklist_rows(checklist: Any, scores: Mapping[str, Any], notes: Mapping[str, str]) -> list:
    sections = []
    for s in checklist.sections:
        items = []
        for item in s.get("items", []):
            raw = scores.get(item["code"], "")
            items.append(
                {
                    **item,
                    "value": "na" if raw is None else str(raw),
                    "note": notes.get(item["code"], ""),
                }
            )
        sections.append({**s, "items": items})
    return sections


def _posted_inspection(request: HttpRequest, checklist: Any) -> dict[str, Any]:
    scores = {}
    notes = {}
    for item in checklist.items():
        code = item["code"]
        if f"score_{code}" in request.POST:
            scores[code] = request.POST.get(f"score_{code}")
        note = request.POST.get(f"note_{code}", "").strip()
        if note:
            notes[code] = note
    return {
        "visited_on": request.POST.get("visited_on", ""),
        "inspectors": request.POST.get("inspectors", ""),
        "scores": scores,
        "item_notes": notes,
        "notes": request.POST.get("notes", ""),
    }


def _preview(checklist: Any, scores: Mapping[str, Any]) -> dict[str, Any]:
    parsed = {}
    for code in checklist.item_map():
        ok, value = services.parse_score(scores.get(code, "na"))
        parsed[code] = value if ok else None
    result = services.grade_scores(checklist, parsed)
    result["scored"] = sum(1 for c in checklist.item_map() if str(scores.get(c, "")) != "")
    result["total"] = len(checklist.item_map())
    result["threshold"] = checklist.threshold_percent
    return result


# --------------------------------------------------------------------------------------------
# Inspections


@login_required
def inspection_list(request: HttpRequest) -> HttpResponse:
    qs = queries.inspections_for_user(request.user)
    grade = request.GET.get("grade", "")
    if grade in Grade.values:
        qs = qs.filter(grade=grade)
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(Q(site__name_th__icontains=q) | Q(site__code__icontains=q))
    page = Paginator(qs.order_by("-visited_on", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    sites = (
        queries.sites_for_user(request.user, write=True).order_by("code")[:500]
        if role_of(request.user) in queries.INSPECT_ROLES
        else []
    )
    return render(
        request,
        "supervision/inspection_list.html",
        {"page": page, "grade": grade, "q": q, "grades": Grade.choices, "sites": sites},
    )


@login_required
@require_http_methods(["GET", "POST"])
def inspection_create(request: HttpRequest) -> HttpResponse:
    site = queries.site_for_user(request.user, request.GET.get("site") or request.POST.get("site"))
    if site is None:
        raise Http404
    if not queries.can_inspect(request.user, site):
        return HttpResponse(status=403)
    checklist = services.current_checklist()
    values: dict[str, Any] = {
        "visited_on": timezone.localdate().isoformat(),
        "inspectors": request.user.get_full_name() or request.user.get_username(),
        "scores": {},
        "item_notes": {},
        "notes": "",
    }
    errors: list[str] = []
    field_errors: dict[str, str] = {}
    if request.method == "POST":
        values = _posted_inspection(request, checklist)
        try:
            inspection = services.storage_inspection_record(
                acting_user=request.user, site=site, data=values
            )
        except RongnganValidationError as exc:
            errors, field_errors = _problems(exc)
        else:
            messages.success(request, _("The inspection was recorded."))
            return redirect("supervision:inspection_detail", inspection.pk)
    return render(
        request,
        "supervision/inspection_form.html",
        {
            "site": site,
            "checklist": checklist,
            "sections": _checklist_rows(checklist, values["scores"], values["item_notes"]),
            "values": values,
            "errors": errors,
            "field_errors": field_errors,
            "preview": _preview(checklist, values["scores"]),
            "correcting": None,
        },
        status=400 if errors else 200,
    )


@login_required
@require_POST
def grade_preview(request: HttpRequest) -> HttpResponse:
    checklist = services.current_checklist()
    version = request.POST.get("checklist")
    if version:
        checklist = type(checklist).objects.filter(version=version).first() or checklist
    scores = _posted_inspection(request, checklist)["scores"]
    return render(
        request, "supervision/_grade_preview.html", {"preview": _preview(checklist, scores)}
    )


@login_required
def inspection_detail(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = queries.inspection_for_user(request.user, pk)
    if inspection is None:
        raise Http404
    checklist = inspection.checklist
    return render(
        request,
        "supervision/inspection_detail.html",
        {
            "inspection": inspection,
            "site": inspection.site,
            "sections": _checklist_rows(checklist, inspection.scores, inspection.item_notes),
            "actions": inspection.corrective_actions.order_by("due_on", "pk"),
            "versions": queries.versions_of(inspection),
            "photos": InspectionPhoto.objects.filter(
                inspection_id=inspection.root_id or inspection.pk
            ),
            "can_correct": inspection.is_current
            and queries.can_inspect(request.user, inspection.site),
            "today": timezone.localdate(),
        },
    )


@login_required
@require_POST
def photo_add(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = queries.inspection_for_user(request.user, pk)
    if inspection is None:
        raise Http404
    try:
        services.inspection_photo_add(
            acting_user=request.user,
            inspection=inspection,
            file=request.FILES.get("file"),
            caption=request.POST.get("caption", ""),
            item=request.POST.get("item", ""),
        )
    except PermissionError:
        return HttpResponse(status=403)
    except RongnganValidationError as exc:
        for text in _problems(exc)[0]:
            messages.error(request, text)
    else:
        messages.success(request, _("The photo was added."))
    return redirect("supervision:inspection_detail", inspection.pk)


@login_required
def photo_file(request: HttpRequest, pk: int) -> HttpResponse:
    """The photo itself, to those who may read its inspection (media is never served openly)."""
    photo = InspectionPhoto.objects.filter(pk=pk).select_related("inspection").first()
    if photo is None or queries.inspection_for_user(request.user, photo.inspection_id) is None:
        raise Http404
    ext = photo.file.name.rsplit(".", 1)[-1].lower()
    return FileResponse(
        photo.file.open("rb"), content_type="image/png" if ext == "png" else "image/jpeg"
    )


@login_required
@require_http_methods(["GET", "POST"])
def inspection_correct(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = queries.inspection_for_user(request.user, pk)
    if inspection is None:
        raise Http404
    if not queries.can_inspect(request.user, inspection.site):
        return HttpResponse(status=403)
    checklist = inspection.checklist
    values = {
        "visited_on": inspection.visited_on.isoformat(),
        "inspectors": inspection.inspectors,
        "scores": inspection.scores,
        "item_notes": inspection.item_notes,
        "notes": inspection.notes,
    }
    errors: list[str] = []
    field_errors: dict[str, str] = {}
    reason = ""
    if request.method == "POST":
        values = _posted_inspection(request, checklist)
        reason = request.POST.get("reason", "")
        try:
            new = services.storage_inspection_correct(
                acting_user=request.user, inspection=inspection, data=values, reason=reason
            )
        except RongnganValidationError as exc:
            errors, field_errors = _problems(exc)
        else:
            messages.success(request, _("The correction was recorded as a new version."))
            return redirect("supervision:inspection_detail", new.pk)
    return render(
        request,
        "supervision/inspection_form.html",
        {
            "site": inspection.site,
            "checklist": checklist,
            "sections": _checklist_rows(checklist, values["scores"], values["item_notes"]),
            "values": values,
            "errors": errors,
            "field_errors": field_errors,
            "preview": _preview(checklist, values["scores"]),
            "correcting": inspection,
            "reason": reason,
        },
        status=400 if errors else 200,
    )


@login_required
def site_history(request: HttpRequest, site_id: int) -> HttpResponse:
    site = queries.site_for_user(request.user, site_id)
    if site is None:
        raise Http404
    history = list(queries.site_history(site).select_related("checklist"))
    trend = {
        "labels": [i.visited_on.isoformat() for i in history],
        "percent": [float(i.percent) for i in history],
        "above": [i.grade == Grade.ABOVE for i in history],
        "threshold": float(history[-1].checklist.threshold_percent) if history else 80.0,
    }
    plant = RefrigerationPlant.objects.filter(site=site).first()
    return render(
        request,
        "supervision/site.html",
        {
            "site": site,
            "history": list(reversed(history)),
            "trend": trend,
            "upgrade": site.upgrades.filter(withdrawn_at__isnull=True).first(),
            "actions": site.corrective_actions.filter(status__in=queries.OPEN_STATUSES).order_by(
                "due_on"
            ),
            "plant": plant,
            "can_inspect": queries.can_inspect(request.user, site),
            "can_register_plant": plant is None and services.can_register_plant(request.user, site),
            "today": timezone.localdate(),
        },
    )


# --------------------------------------------------------------------------------------------
# Corrective actions


@login_required
def action_list(request: HttpRequest) -> HttpResponse:
    qs = queries.actions_for_user(request.user)
    state = request.GET.get("status", "open")
    today = timezone.localdate()
    if state == "overdue":
        qs = qs.filter(status__in=queries.OPEN_STATUSES, due_on__lt=today)
    elif state == "open":
        qs = qs.filter(status__in=queries.OPEN_STATUSES)
    elif state in CorrectiveAction.Status.values:
        qs = qs.filter(status=state)
    page = Paginator(qs.order_by("due_on", "pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    role = role_of(request.user)
    return render(
        request,
        "supervision/actions.html",
        {
            "page": page,
            "state": state,
            "today": today,
            "statuses": CorrectiveAction.Status.choices,
            "can_close": role in queries.INSPECT_ROLES,
            "can_evidence": role == "operator" or role in queries.INSPECT_ROLES,
        },
    )


def _action_write(request: HttpRequest, pk: int, close: bool) -> HttpResponse:
    action = queries.action_for_user(request.user, pk)
    if action is None:
        raise Http404
    try:
        if close:
            services.corrective_action_close(
                acting_user=request.user,
                action=action,
                evidence=request.POST.get("evidence", ""),
                closed_on=request.POST.get("closed_on") or None,
            )
            messages.success(request, _("The corrective action was closed."))
        else:
            services.corrective_action_submit_evidence(
                acting_user=request.user, action=action, evidence=request.POST.get("evidence", "")
            )
            messages.success(request, _("The evidence was sent to the inspector."))
    except PermissionError:
        return HttpResponse(status=403)
    except RongnganValidationError as exc:
        for text in _problems(exc)[0]:
            messages.error(request, text)
    # Back to the page the form was on, if it is one of ours; never to another site.
    back = request.POST.get("next", "")
    if back.startswith("/") and url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(back)
    return redirect("supervision:actions")


@login_required
@require_POST
def action_evidence(request: HttpRequest, pk: int) -> HttpResponse:
    return _action_write(request, pk, close=False)


@login_required
@require_POST
def action_close(request: HttpRequest, pk: int) -> HttpResponse:
    return _action_write(request, pk, close=True)


# --------------------------------------------------------------------------------------------
# Statistics (public: aggregates only)


def statistics(request: HttpRequest) -> HttpResponse:
    stats = queries.storage_statistics(province=request.GET.get("province", "").strip())
    years = queries.metric_years(timezone.localdate())
    metric_rows = []
    for key in ("chemicals.storage_sites_upgraded", "chemicals.refrigeration_energy_saving"):
        m = core_metrics.get(key)
        if m is None:
            continue
        periods = [fiscal_year_bounds(y) for y in years]
        values = m.compute(periods)
        metric_rows.append(
            {
                "metric": m,
                "years": list(zip(years, values, strict=True)),
                "total": sum((v or Decimal(0) for v in values), Decimal(0)),
            }
        )
    return render(
        request,
        "supervision/statistics.html",
        {
            "stats": stats,
            "refrigeration": queries.refrigeration_statistics(),
            "metric_rows": metric_rows,
            "chart": {
                "labels": [r["label"] for r in stats["by_province"]],
                "above": [r["above"] for r in stats["by_province"]],
                "within": [r["within"] for r in stats["by_province"]],
            },
        },
    )


# --------------------------------------------------------------------------------------------
# Refrigeration register


@login_required
def plant_list(request: HttpRequest) -> HttpResponse:
    qs = queries.plants_for_user(request.user)
    kind = request.GET.get("kind", "")
    if kind in RefrigerationPlant.Kind.values:
        qs = qs.filter(kind=kind)
    page = Paginator(qs.order_by("site__code"), PAGE_SIZE).get_page(request.GET.get("page"))
    latest = queries.latest_plant_inspections(list(page.object_list))
    rows = [{"plant": p, "latest": latest.get(p.pk)} for p in page.object_list]
    return render(
        request,
        "supervision/plant_list.html",
        {
            "page": page,
            "rows": rows,
            "kind": kind,
            "kinds": RefrigerationPlant.Kind.choices,
            "total_potential": sum(
                (r["latest"].potential_baht for r in rows if r["latest"]), Decimal(0)
            ),
            "stats": queries.refrigeration_statistics(),
        },
    )


def _plant_post(request: HttpRequest) -> dict[str, Any]:
    data: dict[str, Any] = {
        k: request.POST.get(k, "")
        for k in (
            "kind",
            "ammonia_charge_kg",
            "capacity_t_ice_per_day",
            "cooled_volume_m3",
            "operating_hours_per_year",
            "tariff_baht_per_kwh",
            "evaporators",
        )
    }
    compressors = []
    for i in range(3):
        t = request.POST.get(f"compressor_type_{i}", "")
        if t:
            compressors.append(
                {
                    "type": t,
                    "count": request.POST.get(f"compressor_count_{i}", "1"),
                    "motor_kw": request.POST.get(f"compressor_kw_{i}", ""),
                }
            )
    condensers = []
    for i in range(2):
        t = request.POST.get(f"condenser_type_{i}", "")
        if t:
            condensers.append({"type": t, "count": request.POST.get(f"condenser_count_{i}", "1")})
    data["compressors"] = compressors
    data["condensers"] = condensers
    return data


def _plant_form(request: HttpRequest, site: Any, plant: RefrigerationPlant | None) -> HttpResponse:
    values: dict[str, Any] = {"tariff_baht_per_kwh": "4.18", "operating_hours_per_year": "7200"}
    if plant is not None:
        values = {
            f: getattr(plant, f)
            for f in (
                "kind",
                "ammonia_charge_kg",
                "capacity_t_ice_per_day",
                "cooled_volume_m3",
                "operating_hours_per_year",
                "tariff_baht_per_kwh",
                "evaporators",
                "compressors",
                "condensers",
            )
        }
    errors: list[str] = []
    field_errors: dict[str, str] = {}
    if request.method == "POST":
        values = _plant_post(request)
        try:
            if plant is None:
                plant = services.refrigeration_plant_register(
                    acting_user=request.user, site=site, data=values
                )
            else:
                services.refrigeration_plant_update(
                    acting_user=request.user, plant=plant, data=values
                )
        except RongnganValidationError as exc:
            errors, field_errors = _problems(exc)
        else:
            messages.success(request, _("The refrigeration plant was saved."))
            return redirect("supervision:plant_detail", plant.pk)
    compressors = list(values.get("compressors") or [])
    condensers = list(values.get("condensers") or [])
    return render(
        request,
        "supervision/plant_form.html",
        {
            "site": site,
            "plant": plant,
            "values": values,
            "compressor_rows": (compressors + [{}] * 3)[:3],
            "condenser_rows": (condensers + [{}] * 2)[:2],
            "kinds": RefrigerationPlant.Kind.choices,
            "compressor_types": services.COMPRESSOR_TYPES,
            "condenser_types": services.CONDENSER_TYPES,
            "errors": errors,
            "field_errors": field_errors,
        },
        status=400 if errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def plant_create(request: HttpRequest) -> HttpResponse:
    site = queries.site_for_user(request.user, request.GET.get("site") or request.POST.get("site"))
    if site is None:
        raise Http404
    if not services.can_register_plant(request.user, site):
        return HttpResponse(status=403)
    return _plant_form(request, site, None)


@login_required
@require_http_methods(["GET", "POST"])
def plant_edit(request: HttpRequest, pk: int) -> HttpResponse:
    plant = queries.plant_for_user(request.user, pk)
    if plant is None:
        raise Http404
    if not services.can_register_plant(request.user, plant.site):
        return HttpResponse(status=403)
    return _plant_form(request, plant.site, plant)


@login_required
def plant_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plant = queries.plant_for_user(request.user, pk)
    if plant is None:
        raise Http404
    inspections = list(plant.inspections.order_by("-visited_on", "-pk"))
    measure_names = {m["code"]: m for m in reference.measures()}
    return render(
        request,
        "supervision/plant_detail.html",
        {
            "plant": plant,
            "site": plant.site,
            "inspections": inspections,
            "latest": inspections[0] if inspections else None,
            "measure_names": measure_names,
            "can_inspect": queries.can_inspect(request.user, plant.site),
            "can_edit": services.can_register_plant(request.user, plant.site),
            "safety_keys": services.SAFETY_KEYS,
        },
    )


SAFETY_LABELS = {
    "ammonia_detectors": gettext_lazy("Ammonia detectors with alarm"),
    "emergency_ventilation": gettext_lazy("Emergency ventilation of the machine room"),
    "relief_valves": gettext_lazy("Relief valves piped to a safe place and tested"),
    "ppe_scba": gettext_lazy("Protective suits and breathing apparatus (SCBA) at hand"),
    "emergency_plan": gettext_lazy("Ammonia leak emergency plan and drills"),
}
ENVIRONMENT_LABELS = {
    "wastewater_treated": gettext_lazy("Condenser and defrost water treated before discharge"),
    "ammonia_odour_complaints": gettext_lazy("Neighbours complained of ammonia odour in 12 months"),
    "noise_complaints": gettext_lazy("Neighbours complained of noise in 12 months"),
}


@login_required
@require_http_methods(["GET", "POST"])
def plant_inspect(request: HttpRequest, pk: int) -> HttpResponse:
    plant = queries.plant_for_user(request.user, pk)
    if plant is None:
        raise Http404
    if not queries.can_inspect(request.user, plant.site):
        return HttpResponse(status=403)
    values: dict[str, Any] = {
        "visited_on": timezone.localdate().isoformat(),
        "inspectors": request.user.get_full_name() or request.user.get_username(),
    }
    errors: list[str] = []
    field_errors: dict[str, str] = {}
    if request.method == "POST":
        values = {
            k: request.POST.get(k, "")
            for k in (
                "visited_on",
                "inspectors",
                "annual_electricity_kwh",
                "annual_output",
                "condensing_temp_c",
                "evaporating_temp_c",
                "leaks_last_12_months",
                "notes",
            )
        }
        values["safety"] = {k: request.POST.get(f"safety_{k}") == "on" for k in SAFETY_LABELS}
        values["environment"] = {
            k: request.POST.get(f"env_{k}") == "on" for k in ENVIRONMENT_LABELS
        }
        values["measures_implemented"] = [
            {
                "code": request.POST.get(f"measure_code_{i}"),
                "saving_kwh_per_year": request.POST.get(f"measure_kwh_{i}", ""),
                "note": request.POST.get(f"measure_note_{i}", ""),
            }
            for i in range(3)
            if request.POST.get(f"measure_code_{i}")
        ]
        try:
            inspection = services.refrigeration_inspection_record(
                acting_user=request.user, plant=plant, data=values
            )
        except RongnganValidationError as exc:
            errors, field_errors = _problems(exc)
        else:
            messages.success(request, _("The plant inspection was recorded."))
            return redirect("supervision:plant_detail", inspection.plant_id)
    bench, unit = reference.benchmark(plant.kind)
    return render(
        request,
        "supervision/plant_inspect.html",
        {
            "plant": plant,
            "site": plant.site,
            "values": values,
            "errors": errors,
            "field_errors": field_errors,
            "benchmark": bench,
            "benchmark_unit": unit,
            "measures": reference.measures(),
            "safety_labels": list(SAFETY_LABELS.items()),
            "environment_labels": list(ENVIRONMENT_LABELS.items()),
            "measure_rows": range(3),
        },
        status=400 if errors else 200,
    )
