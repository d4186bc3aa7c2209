"""Pages of the factory register: thin, every read through `queries`, every write a service."""

import csv
import io
from collections.abc import Callable, Mapping
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from rongngan.core.audit import display_rows
from rongngan.core.errors import RongnganValidationError, show_problems
from rongngan.core.geo import thailand_geojson
from rongngan.core.scoping import can_register, role_of, sees_internal_fields
from rongngan.registry import exports, importer, queries, services
from rongngan.registry.forms import (
    FactoryFilterForm,
    FactoryForm,
    MachineForm,
    changed_values,
    district_choices,
    subdistrict_choices,
    submitted_values,
)
from rongngan.registry.models import Factory, Machine
from rongngan.registry.validation import INPUT_FIELDS, OPERATOR_FIELDS

PAGE_SIZE = 50


def _is_htmx(request: HttpRequest) -> bool:
    # A history restore after a cache miss wants the whole page, not the fragment.
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def _register_role_required(request: HttpRequest) -> None:
    if not can_register(request.user):
        raise PermissionDenied(_("Only DIW and provincial officers may do this."))


def _filter_params(request: HttpRequest) -> QueryDict:
    """The list's filters, dropping a district left over from another province.

    With htmx the form is sent as soon as the province changes, before the district select has
    been refilled; a stale district would otherwise empty the list.
    """
    params = request.GET.copy()
    province, district = params.get("province", ""), params.get("district", "")
    if district and province and not district.startswith(province):
        params["district"] = ""
    return params


# --------------------------------------------------------------------------------------------
# List, export, select options, outline


@require_GET
def factory_list(request: HttpRequest) -> HttpResponse:
    params = _filter_params(request)
    form = FactoryFilterForm(params)
    qs = queries.factory_search(request.user, params).prefetch_related("types")
    page = Paginator(qs, PAGE_SIZE).get_page(params.get("page"))
    query = params.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "can_register": can_register(request.user),
    }
    template = "registry/partials/factory_results.html" if _is_htmx(request) else None
    response = render(request, template or "registry/factory_list.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_GET
def factory_export(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in {"csv", "xlsx"}:
        raise Http404("No such export format")
    qs = queries.factory_search(request.user, _filter_params(request))
    return exports.factories_response(qs, kind=kind, internal=sees_internal_fields(request.user))


@require_GET
def district_options(request: HttpRequest) -> HttpResponse:
    blank = _("All districts") if request.GET.get("blank") == "all" else _("— choose —")
    choices = district_choices(request.GET.get("province", "").strip(), blank)
    return render(request, "registry/partials/options.html", {"choices": choices})


@require_GET
def subdistrict_options(request: HttpRequest) -> HttpResponse:
    choices = subdistrict_choices(request.GET.get("district", "").strip(), "—")
    return render(request, "registry/partials/options.html", {"choices": choices})


@require_GET
def thailand_outline(request: HttpRequest) -> JsonResponse:
    response = JsonResponse(thailand_geojson())
    # The outline changes only with a release; let browsers and proxies keep it.
    patch_cache_control(response, public=True, max_age=30 * 24 * 3600)
    return response


# --------------------------------------------------------------------------------------------
# Detail


def _history_rows(factory: Factory) -> list[dict[str, Any]]:
    machine_type = ContentType.objects.get_for_model(Machine)
    entries = queries.factory_history(factory)

    def model_of(e: Any) -> type[Factory] | type[Machine]:
        return Machine if e.object_type_id == machine_type.pk else Factory

    rows = display_rows(entries, model_of)
    for e, row in zip(entries, rows, strict=True):
        if model_of(e) is Machine:
            row["note"] = f"{_('Machine')}: {e.object_repr}" + (f" · {e.note}" if e.note else "")
    return rows


def factory_detail(request: HttpRequest, pk: int) -> HttpResponse:
    factory = queries.factory_for_user(request.user, pk)
    user = request.user
    internal = sees_internal_fields(user)
    machines = None
    history = None
    if user.is_authenticated and internal:
        machines = list(queries.machines_for_user(user).filter(factory=factory))
        history = _history_rows(factory)
    # The tabs of the page, in order. Later apps (chemicals, waste, monitoring) append their own
    # here: {"id": slug, "label": text, "template": path, "context": {...}}; the template
    # includes each one in its own section.
    tabs: list[dict[str, Any]] = [
        {"id": "overview", "label": _("Overview"), "template": "registry/tabs/overview.html"},
        {"id": "map", "label": _("Map"), "template": "registry/tabs/map.html"},
    ]
    if machines is not None:
        tabs.append(
            {"id": "machinery", "label": _("Machinery"), "template": "registry/tabs/machinery.html"}
        )
    if can_register(user) and queries.can_write(user, factory):
        tabs.append(
            {
                "id": "inspectors",
                "label": _("Inspectors"),
                "template": "registry/tabs/inspectors.html",
                "context": {
                    "assignments": list(queries.factory_assignments(factory)),
                    "inspectors": list(queries.inspectors()),
                },
            }
        )
    if history is not None:
        tabs.append(
            {"id": "history", "label": _("History"), "template": "registry/tabs/history.html"}
        )
    map_data = {
        "name": factory.name_th,
        "name_en": factory.name_en,
        "lat": float(factory.latitude) if factory.latitude is not None else None,
        "lon": float(factory.longitude) if factory.longitude is not None else None,
        "outline_url": reverse("registry:thailand_geojson"),
    }
    return render(
        request,
        "registry/factory_detail.html",
        {
            "factory": factory,
            "types": list(factory.types.all()),
            "internal": internal,
            "machines": machines,
            "history": history,
            "tabs": tabs,
            "map_data": map_data,
            "can_write": user.is_authenticated and queries.can_write(user, factory),
        },
    )


# --------------------------------------------------------------------------------------------
# Create and edit


def _editable_fields(user: Any) -> set[str]:
    if role_of(user) == "operator":
        return set(OPERATOR_FIELDS)
    return set(INPUT_FIELDS)


@login_required
@require_http_methods(["GET", "POST"])
def factory_edit(request: HttpRequest, pk: int) -> HttpResponse:
    factory = queries.factory_for_user(request.user, pk, write=True)
    editable = _editable_fields(request.user)
    initial = FactoryForm.initial_for(factory)
    # The version the form was opened at; a save against a newer record is refused (and the
    # form keeps the old version, so that saving it again is refused again).
    version = services.factory_version(factory)
    stale = False
    status = 200
    if request.method == "POST":
        version = str(request.POST.get("version") or "").strip()
        form = FactoryForm(request.POST, initial=initial, editable=editable)
        form.is_valid()
        data = changed_values(submitted_values(form, request.POST), initial, FactoryForm.LINKED)
        # A field of the register posted by someone who may not change it goes to the service
        # as well, so the refusal is said out loud instead of the value being dropped.
        for name in INPUT_FIELDS - editable:
            if name in request.POST and str(request.POST[name]).strip() != str(
                initial.get(name, "")
            ):
                data[name] = request.POST[name]
        if not data:
            messages.info(request, _("Nothing was changed."))
            return redirect("registry:factory_detail", pk=factory.pk)
        try:
            services.factory_update(
                acting_user=request.user,
                factory=factory,
                data=data,
                expected_version=version or None,
            )
        except services.StaleVersion as exc:
            show_problems(form, exc)
            stale, status = True, 409
        except RongnganValidationError as exc:
            show_problems(form, exc, name_unmatched=True)
            status = 400
        else:
            messages.success(request, _("The factory has been saved."))
            return redirect("registry:factory_detail", pk=factory.pk)
    else:
        form = FactoryForm(initial=initial, editable=editable)
    return render(
        request,
        "registry/factory_form.html",
        {
            "form": form,
            "factory": factory,
            "operator_only": role_of(request.user) == "operator",
            "version": version,
            "stale": stale,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def factory_create(request: HttpRequest) -> HttpResponse:
    _register_role_required(request)
    initial: dict[str, Any] = {"status": "operating"}
    if role_of(request.user) == "provincial_officer":
        initial["province"] = request.user.province_id
    status = 200
    if request.method == "POST":
        form = FactoryForm(request.POST, initial=initial, creating=True)
        form.is_valid()
        data = {
            k: v
            for k, v in submitted_values(form, request.POST).items()
            if v != "" and not (k == "in_industrial_estate" and v == "0")
        }
        try:
            factory = services.factory_create(acting_user=request.user, data=data)
        except RongnganValidationError as exc:
            show_problems(form, exc, name_unmatched=True)
            status = 400
        else:
            messages.success(request, _("The factory has been registered."))
            return redirect("registry:factory_detail", pk=factory.pk)
    else:
        form = FactoryForm(initial=initial, creating=True)
    return render(
        request, "registry/factory_form.html", {"form": form, "factory": None}, status=status
    )


# --------------------------------------------------------------------------------------------
# Machinery


def _machine_page(
    request: HttpRequest,
    factory: Factory,
    machine: Machine | None,
    save: Callable[[Mapping[str, Any], str | None], Machine],
) -> HttpResponse:
    initial = MachineForm.initial_for(machine) if machine else {"status": "in_use"}
    status = 200
    # The version the edit form was opened at; a save against a newer machine is refused (the
    # form keeps the old version, so saving it again is refused again).
    version = services.machine_version(machine) if machine else ""
    if request.method == "POST":
        if machine:
            version = str(request.POST.get("version") or "").strip()
        form = MachineForm(request.POST, initial=initial)
        form.is_valid()
        submitted = submitted_values(form, request.POST)
        data = changed_values(submitted, initial) if machine else submitted
        try:
            if data:
                save(data, version or None)
        except services.StaleVersion as exc:
            show_problems(form, exc, name_unmatched=True)
            status = 409
        except RongnganValidationError as exc:
            show_problems(form, exc, name_unmatched=True)
            status = 400
        else:
            messages.success(request, _("The machine has been saved."))
            return redirect(reverse("registry:factory_detail", args=[factory.pk]) + "#machinery")
    else:
        form = MachineForm(initial=initial)
    return render(
        request,
        "registry/machine_form.html",
        {"form": form, "factory": factory, "machine": machine, "version": version},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def machine_add(request: HttpRequest, pk: int) -> HttpResponse:
    factory = queries.factory_for_user(request.user, pk, write=True)
    return _machine_page(
        request,
        factory,
        None,
        lambda data, _version: services.machine_add(
            acting_user=request.user, factory=factory, data=data
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def machine_edit(request: HttpRequest, pk: int, machine_pk: int) -> HttpResponse:
    factory = queries.factory_for_user(request.user, pk, write=True)
    machine = queries.machine_for_user(request.user, factory, machine_pk, write=True)
    return _machine_page(
        request,
        factory,
        machine,
        lambda data, version: services.machine_update(
            acting_user=request.user, machine=machine, data=data, expected_version=version
        ),
    )


# --------------------------------------------------------------------------------------------
# Import

NO_FILE = gettext_lazy("Choose a CSV or Excel (.xlsx) file.")


@login_required
@require_http_methods(["GET", "POST"])
def factory_import(request: HttpRequest) -> HttpResponse:
    _register_role_required(request)
    report = None
    error = None
    dry_run = True
    background = False
    status = 200
    if request.method == "POST":
        dry_run = request.POST.get("dry_run") in ("on", "1", "true")
        background = request.POST.get("background") in ("on", "1", "true")
        upload = request.FILES.get("file")
        if upload is None:
            error = NO_FILE
            status = 400
        else:
            try:
                importer.check_upload(upload)
            except RongnganValidationError as exc:
                error, status = exc.problems[0].text(), 400
            else:
                if background:
                    job = services.import_job_start(
                        acting_user=request.user, upload=upload, dry_run=dry_run
                    )
                    return redirect("registry:import_job", pk=job.pk)
                result = importer.import_file(
                    acting_user=request.user, stream=upload, filename=upload.name, dry_run=dry_run
                )
                report = result.as_dict()
                report["filename"] = upload.name
                report["written"] = not dry_run and result.ok and result.created > 0
                if result.problem_count:
                    status = 400
    return render(
        request,
        "registry/factory_import.html",
        {
            "report": report,
            "error": error,
            "dry_run": dry_run,
            "background": background,
            "columns": importer.EXPORT_COLUMNS,
            "jobs": queries.import_jobs_for_user(request.user)[:10],
        },
        status=status,
    )


@login_required
@require_GET
def import_job(request: HttpRequest, pk: int) -> HttpResponse:
    """A background import: its status while the worker runs it, then its report."""
    job = queries.import_job_for_user(request.user, pk)
    finished = job.status in {job.Status.DONE, job.Status.FAILED}
    report = None
    if job.report is not None:
        report = {
            **job.report,
            "filename": job.filename,
            "written": not job.dry_run and job.report.get("ok") and job.report.get("created"),
        }
    context = {"job": job, "finished": finished, "report": report}
    if _is_htmx(request):
        return render(request, "registry/partials/import_job_status.html", context)
    return render(request, "registry/import_job.html", context)


@login_required
@require_GET
def import_template(request: HttpRequest) -> HttpResponse:
    _register_role_required(request)
    buffer = io.StringIO()
    csv.writer(buffer).writerow(importer.EXPORT_COLUMNS)
    # A BOM so that Excel opens the file as UTF-8 when Thai rows are typed into it.
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="factories-template.csv"'
    return response


# --------------------------------------------------------------------------------------------
# Inspector cases


@login_required
@require_http_methods(["POST"])
def assignment_add(request: HttpRequest, pk: int) -> HttpResponse:
    factory = queries.factory_for_user(request.user, pk, write=True)
    _register_role_required(request)
    raw = str(request.POST.get("inspector") or "").strip()
    # an id that is not a number names no inspector; the service says so at the field
    inspector = queries.inspectors().filter(pk=int(raw)).first() if raw.isdecimal() else None
    try:
        services.factory_assign_inspector(
            acting_user=request.user,
            factory=factory,
            inspector=inspector,
            reason=request.POST.get("reason", "").strip(),
        )
    except RongnganValidationError as exc:
        for problem in exc.problems:
            messages.error(request, problem.text())
    else:
        messages.success(request, _("The inspector may now read this factory."))
    return redirect(reverse("registry:factory_detail", args=[factory.pk]) + "#inspectors")


@login_required
@require_http_methods(["POST"])
def assignment_end(request: HttpRequest, pk: int, assignment_pk: int) -> HttpResponse:
    factory = queries.factory_for_user(request.user, pk, write=True)
    _register_role_required(request)
    assignment = queries.factory_assignments(factory).filter(pk=assignment_pk).first()
    if assignment is None:
        raise Http404("No such assignment")
    services.assignment_end(
        acting_user=request.user, assignment=assignment, reason=request.POST.get("reason", "")
    )
    messages.success(request, _("The assignment has ended."))
    return redirect(reverse("registry:factory_detail", args=[factory.pk]) + "#inspectors")
