"""Pages of industrial waste: thin, every read through `queries`, every write a service.

Which actions a page offers is decided by simple checks that mirror the services (status and
who acts for whom); the service remains the authority: PermissionError becomes 403, a
RongnganValidationError re-shows the page with each problem at its field.
"""

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rongngan.core import metrics as core_metrics
from rongngan.core.errors import RongnganValidationError, show_problems
from rongngan.core.scoping import role_of
from rongngan.core.thai import be_year, fiscal_year, fiscal_year_bounds
from rongngan.registry import queries as registry_queries
from rongngan.waste import metrics as waste_metrics
from rongngan.waste import queries, services
from rongngan.waste.clocks import annual_report_due, days, receipt_overdue_before
from rongngan.waste.codes import display_code, normalize_code
from rongngan.waste.forms import (
    AnnualReportForm,
    ApprovalRequestForm,
    CancelForm,
    CorrectionForm,
    GenerationCorrectForm,
    GenerationForm,
    LineFormSet,
    ManifestFilterForm,
    ManifestForm,
    NoteForm,
    ProcessForm,
    ProcessorFilterForm,
    ReceiptForm,
    RerouteForm,
    ReturnForm,
    StoragePermitForm,
    StreamForm,
    manifest_data,
    show_manifest_problems,
)
from rongngan.waste.metrics import COUNTED, bounds
from rongngan.waste.models import (
    KG_PER_TONNE,
    Alert,
    Approval,
    Correction,
    GenerationRecord,
    Manifest,
    ManifestLine,
    Operation,
    ProcessorAssessment,
    Signature,
    WasteCode,
    WasteStream,
)

PAGE_SIZE = 50
DASHBOARD_ROLES = queries.DASHBOARD_ROLES
OFFICER_ROLES = {"admin", "officer", "provincial_officer"}
PLAN_METRICS = (
    "waste.hazardous_tonnes_managed",
    "waste.nonhazardous_tonnes_managed",
    "waste.utilisation_rate",
)
VIEWS = ("all", "generator", "transporter", "processor")


def qty(value: Decimal | None) -> str:
    """An exact quantity as people read it: grouped, no trailing zeros ("1,200", "0.25")."""
    if value is None:
        return ""
    places = max(0, -value.normalize().as_tuple().exponent)
    return number_format(value, decimal_pos=places, force_grouping=True)


def _tonnes(kg: Decimal | None) -> Decimal:
    return (kg or Decimal(0)) / KG_PER_TONNE


def _is_operator(user: Any) -> bool:
    return role_of(user) == "operator"


def _service(call: Callable[[], Any]) -> Any:
    """Runs a service; a refusal of the party is a 403 (validation errors pass through)."""
    try:
        return call()
    except PermissionError as exc:
        raise PermissionDenied(str(exc)) from exc


# --------------------------------------------------------------------------------------------
# Public: the processor listing


@require_GET
def processor_list(request: HttpRequest) -> HttpResponse:
    form = ProcessorFilterForm(request.GET)
    province = request.GET.get("province", "").strip()
    raw_code = request.GET.get("code", "").strip()
    operation = request.GET.get("operation", "").strip()
    code = ""
    code_problem = False
    if raw_code:
        try:
            code = normalize_code(raw_code)
        except ValueError:
            code_problem = True
            form.add_error(
                "code",
                _("“%(value)s” is not a waste code (six digits, e.g. 16 06 01).")
                % {"value": raw_code},
            )
        else:
            if not WasteCode.objects.filter(code=code).exists():
                form.add_error(
                    "code",
                    _("Waste code %(value)s is not in the List of Waste.")
                    % {"value": display_code(code)},
                )
    rows: list[Any] = []
    page = None
    if not code_problem:
        qs = queries.processors(province=province, code=code, operation=operation)
        page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
        # the processor's factory page is linked only for those who may open it (an operator
        # reads only its own organisation's factories; the public reads every factory's page)
        readable = set(
            registry_queries.factories_for_user(request.user)
            .filter(pk__in=[f.pk for f in page.object_list])
            .values_list("pk", flat=True)
        )
        for f in page.object_list:
            f.linked = f.pk in readable
            f.received_t = _tonnes(f.received_kg)
            f.mark_label = ProcessorAssessment.Mark(f.mark).label if f.mark else ""
            f.permit_list = list(queries.permits_of(f))
            rows.append(f)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "waste/processor_list.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
            "code": display_code(code) if code else "",
            "fiscal_year": fiscal_year(timezone.localdate()),
        },
        status=400 if code_problem else 200,
    )


# --------------------------------------------------------------------------------------------
# Manifests: the list


@login_required
@require_GET
def manifest_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    operator = _is_operator(user)
    view = request.GET.get("view", "all") if operator else "all"
    if view not in VIEWS:
        view = "all"
    form = ManifestFilterForm(request.GET)
    qs = queries.manifests_by_view(user, view)
    status = request.GET.get("status", "").strip()
    if status in Manifest.Status.values:
        qs = qs.filter(status=status)
    # A subquery, not a join: the transporter view's join would count a line once per leg.
    declared = (
        ManifestLine.objects.filter(manifest=OuterRef("pk"))
        .values("manifest")
        .annotate(kg=Sum("quantity_kg"))
        .values("kg")
    )
    qs = (
        qs.annotate(declared_kg=Subquery(declared))
        .prefetch_related("transporters__transporter")
        .order_by("-created_at", "-pk")
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    for m in page.object_list:
        m.declared_t = _tonnes(m.declared_kg)
    query = request.GET.copy()
    query.pop("page", None)
    tabs = []
    if operator:
        labels = {
            "all": _("All"),
            "generator": _("As generator"),
            "transporter": _("As transporter"),
            "processor": _("As processor"),
        }
        for key, label in labels.items():
            q = query.copy()
            q["view"] = key
            tabs.append({"key": key, "label": label, "query": q.urlencode(), "active": key == view})
    return render(
        request,
        "waste/manifest_list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "tabs": tabs,
            "view": view,
            "can_create": operator,
        },
    )


# --------------------------------------------------------------------------------------------
# A new manifest


def _generator_approvals(user: Any) -> list[Approval]:
    today = timezone.localdate()
    qs = (
        queries.approvals_for_user(user)
        .filter(status=Approval.Status.APPROVED)
        .filter(stream__generator__operator_id=user.organisation_id)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
        .order_by("-decided_at", "-pk")
    )
    return list(qs)


@login_required
@require_http_methods(["GET", "POST"])
def manifest_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not _is_operator(user):
        raise PermissionDenied(_("Only a generator's operator creates manifests."))
    approvals = _generator_approvals(user)
    status = 200
    if request.method == "POST":
        post = request.POST.copy()
        if "add_line" in post:
            total = str(post.get("form-TOTAL_FORMS") or "0")
            total_n = int(total) if total.isdecimal() else 0
            post["form-TOTAL_FORMS"] = str(min(total_n + 1, LineFormSet.max_num))
        form = ManifestForm(post, approvals=approvals)
        lines = LineFormSet(post)
        if "add_line" not in post:
            form.is_valid()
            lines.is_valid()
            data, line_rows, slots = manifest_data(form, lines)
            try:
                outcome = _service(lambda: services.manifest_create(acting_user=user, data=data))
            except RongnganValidationError as exc:
                show_manifest_problems(form, lines, exc, line_rows, slots)
                status = 400
            else:
                messages.success(
                    request,
                    _("Manifest %(number)s was saved as a draft. Sign it to hand the waste over.")
                    % {"number": outcome.obj.number},
                )
                for w in outcome.warnings:
                    messages.warning(request, w.text())
                return redirect("waste:manifest_detail", pk=outcome.obj.pk)
    else:
        initial = {}
        if request.GET.get("approval"):
            initial["approval"] = request.GET["approval"]
        form = ManifestForm(initial=initial, approvals=approvals)
        lines = LineFormSet()
    return render(
        request,
        "waste/manifest_form.html",
        {"form": form, "lines": lines, "approvals": approvals},
        status=status,
    )


# --------------------------------------------------------------------------------------------
# A manifest's page and its actions


def _turn(m: Manifest, transporters: list[Any]) -> Any:
    """The transporter whose signature is next, if it is a transporter's turn."""
    if m.status not in (Manifest.Status.SCHEDULED, Manifest.Status.IN_TRANSIT):
        return None
    signed = _transporter_signatures(m)
    return transporters[signed] if signed < len(transporters) else None


def _transporter_signatures(m: Manifest) -> int:
    return sum(1 for s in m.signature_list if s.step == Signature.Step.TRANSPORTER)


def _actions(user: Any, m: Manifest) -> dict[str, bool]:
    transporters = m.transporter_list
    generator = services.acts_for_factory(user, m.generator)
    processor = services.acts_for_factory(user, m.processor)
    officer = services.is_officer_for(user, m.generator)
    party = (
        generator
        or processor
        or any(services.acts_for_org(user, t.transporter) for t in transporters)
    )
    turn = _turn(m, transporters)
    all_signed = _transporter_signatures(m) >= len(transporters)
    refused = any(ln.refused_kg for ln in m.line_list)
    open_correction = m.open_correction is not None
    signed = m.status not in (Manifest.Status.DRAFT, Manifest.Status.CANCELLED)
    return {
        "sign_handover": generator and m.status == Manifest.Status.DRAFT,
        "delete": generator and m.status == Manifest.Status.DRAFT,
        "cancel": (generator or officer)
        and m.status == Manifest.Status.SCHEDULED
        and _transporter_signatures(m) == 0,
        "sign_pickup": turn is not None and services.acts_for_org(user, turn.transporter),
        "receive": processor and m.status == Manifest.Status.IN_TRANSIT and all_signed,
        "process": processor
        and not m.is_return
        and m.status in (Manifest.Status.ACCEPTED, Manifest.Status.PARTLY_REFUSED),
        "reroute": generator and refused and not m.onward_list and not m.is_return,
        "return": processor and refused and not m.onward_list and not m.is_return,
        "correct": (party or officer) and signed and not open_correction,
        "apply": (party or officer) and open_correction,
        "withdraw": open_correction
        and (officer or m.open_correction.opened_by_id == getattr(user, "pk", None)),
        "resolve": (generator or processor or officer)
        and m.discrepancy
        and not m.discrepancy_resolved_at,
    }


def _load(request: HttpRequest, pk: int) -> Manifest:
    m = queries.manifest_for_user(request.user, pk)
    m.line_list = list(m.lines.select_related("waste_code", "received_code").order_by("number"))
    m.transporter_list = list(m.transporters.select_related("transporter").order_by("order"))
    m.signature_list = list(m.signatures.select_related("signed_by").order_by("signed_at", "pk"))
    m.correction_list = list(
        m.corrections.select_related("opened_by", "closed_by").order_by("-opened_at")
    )
    m.open_correction = next(
        (c for c in m.correction_list if c.status == Correction.Status.OPEN), None
    )
    m.version_list = list(m.versions.select_related("created_by").order_by("number"))
    m.onward_list = list(m.onward.all())
    # Linked manifests are links only for a reader who may open them (else their number alone).
    linked = [o.pk for o in m.onward_list] + ([m.previous_id] if m.previous_id else [])
    readable = set(
        queries.manifests_for_user(request.user).filter(pk__in=linked).values_list("pk", flat=True)
        if linked
        else []
    )
    m.previous_readable = m.previous_id in readable
    for o in m.onward_list:
        o.readable = o.pk in readable
    return m


def _forms(request: HttpRequest, m: Manifest, bound: dict[str, Any]) -> dict[str, Any]:
    """The action forms the user may use now; `bound` holds a re-shown one with its errors."""
    can = _actions(request.user, m)
    out: dict[str, Any] = {}
    if can["receive"]:
        out["receive"] = bound.get("receive") or ReceiptForm(
            prefix="receive", lines=m.line_list, declared=qty
        )
    if can["process"]:
        out["process"] = bound.get("process") or ProcessForm(
            prefix="process", planned=m.operation_id
        )
    if can["reroute"]:
        out["reroute"] = bound.get("reroute") or RerouteForm(
            prefix="reroute",
            approvals=[
                a
                for a in _generator_approvals(request.user)
                if a.stream.generator_id == m.generator_id
            ],
        )
    if can["return"]:
        out["return"] = bound.get("return") or ReturnForm(prefix="return")
    if can["correct"]:
        out["correct"] = bound.get("correct") or CorrectionForm(prefix="correct", lines=m.line_list)
    if can["resolve"]:
        out["resolve"] = bound.get("resolve") or NoteForm(prefix="resolve")
    if can["cancel"]:
        out["cancel"] = bound.get("cancel") or CancelForm(prefix="cancel")
    for key in ("sign_handover", "sign_pickup", "delete", "apply", "withdraw"):
        if can[key]:
            out[key] = bound.get(key) or True
    return out


def _line_rows(m: Manifest) -> list[dict[str, Any]]:
    """Each line with its quantities written out (exact, grouped, no trailing zeros)."""
    return [
        {
            "line": ln,
            "quantity": qty(ln.quantity),
            "quantity_kg": qty(ln.quantity_kg),
            "density": qty(ln.density),
            "received_kg": qty(ln.received_kg),
            "accepted_kg": qty(ln.accepted_kg),
            "refused_kg": qty(ln.refused_kg),
        }
        for ln in m.line_list
    ]


def _render_detail(
    request: HttpRequest,
    m: Manifest,
    bound: dict[str, Any] | None = None,
    errors: dict[str, list[str]] | None = None,
    status: int = 200,
) -> HttpResponse:
    forms = _forms(request, m, bound or {})
    # Problems of an action no longer offered (someone else acted first) are shown on top.
    general = [e for key, errs in (errors or {}).items() if key not in forms for e in errs]
    for key, form in (bound or {}).items():
        if key not in forms:
            general += [e for errs in form.errors.values() for e in errs]
    turn = _turn(m, m.transporter_list)
    return render(
        request,
        "waste/manifest_detail.html",
        {
            "m": m,
            "lines": _line_rows(m),
            "forms": forms,
            "errors": errors or {},
            "general_errors": general,
            "turn": turn,
            "has_actions": bool(forms),
        },
        status=status,
    )


@login_required
@require_GET
def manifest_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_detail(request, _load(request, pk))


def _done(request: HttpRequest, m: Manifest, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect("waste:manifest_detail", pk=m.pk)


def _plain_errors(exc: RongnganValidationError) -> list[str]:
    return [p.text() for p in exc.problems]


@login_required
@require_POST
def manifest_sign(request: HttpRequest, pk: int) -> HttpResponse:
    m = _load(request, pk)
    was_draft = m.status == Manifest.Status.DRAFT
    try:
        m2 = _service(lambda: services.manifest_sign(acting_user=request.user, manifest=m))
    except RongnganValidationError as exc:
        key = "sign_handover" if was_draft else "sign_pickup"
        return _render_detail(request, m, errors={key: _plain_errors(exc)}, status=400)
    if was_draft:
        return _done(request, m2, _("You signed the hand-over. The manifest is now scheduled."))
    return _done(request, m2, _("You signed for taking over the waste."))


@login_required
@require_POST
def manifest_delete(request: HttpRequest, pk: int) -> HttpResponse:
    m = _load(request, pk)
    number = m.number
    try:
        _service(lambda: services.manifest_delete(acting_user=request.user, manifest=m))
    except RongnganValidationError as exc:
        return _render_detail(request, m, errors={"delete": _plain_errors(exc)}, status=400)
    messages.success(request, _("Draft %(number)s was deleted.") % {"number": number})
    return redirect("waste:manifest_list")


@login_required
@require_POST
def manifest_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    m = _load(request, pk)
    form = CancelForm(request.POST, prefix="cancel")
    form.is_valid()
    reason = request.POST.get("cancel-reason", "")
    try:
        m2 = _service(
            lambda: services.manifest_cancel(acting_user=request.user, manifest=m, reason=reason)
        )
    except RongnganValidationError as exc:
        show_problems(form, exc)
        return _render_detail(request, m, bound={"cancel": form}, status=400)
    return _done(request, m2, _("Manifest %(number)s was cancelled.") % {"number": m2.number})


@login_required
@require_POST
def manifest_receive(request: HttpRequest, pk: int) -> HttpResponse:
    m = _load(request, pk)
    form = ReceiptForm(request.POST, prefix="receive", lines=m.line_list, declared=qty)
    form.is_valid()
    try:
        outcome = _service(
            lambda: services.manifest_receive(
                acting_user=request.user, manifest=m, data=form.service_data()
            )
        )
    except RongnganValidationError as exc:
        show_problems(form, exc, form.where)
        return _render_detail(request, m, bound={"receive": form}, status=400)
    for w in outcome.warnings:
        messages.warning(request, w.text())
    received = outcome.obj
    if received.discrepancy:
        messages.warning(
            request,
            _("A significant discrepancy was recorded; settle it with the generator."),
        )
    return _done(
        request,
        received,
        _("The receipt was recorded: %(status)s.") % {"status": received.get_status_display()},
    )


@login_required
@require_POST
def manifest_process(request: HttpRequest, pk: int) -> HttpResponse:
    m = _load(request, pk)
    form = ProcessForm(request.POST, prefix="process", planned=m.operation_id)
    form.is_valid()
    data = {"operation": request.POST.get("process-operation", "")}
    try:
        m2 = _service(
            lambda: services.manifest_process(acting_user=request.user, manifest=m, data=data)
        )
    except RongnganValidationError as exc:
        show_problems(form, exc)
        return _render_detail(request, m, bound={"process": form}, status=400)
    return _done(
        request,
        m2,
        _("Operation %(code)s was recorded.") % {"code": m2.final_operation_id},
    )


@login_required
@require_POST
def manifest_reroute(request: HttpRequest, pk: int) -> HttpResponse:
    m = _load(request, pk)
    approvals = [
        a for a in _generator_approvals(request.user) if a.stream.generator_id == m.generator_id
    ]
    form = RerouteForm(request.POST, prefix="reroute", approvals=approvals)
    form.is_valid()
    try:
        outcome = _service(
            lambda: services.manifest_reroute(
                acting_user=request.user, manifest=m, data=form.service_data()
            )
        )
    except RongnganValidationError as exc:
        show_problems(form, exc, form.where)
        return _render_detail(request, m, bound={"reroute": form}, status=400)
    for w in outcome.warnings:
        messages.warning(request, w.text())
    messages.success(
        request,
        _("Draft manifest %(number)s carries the refused part on. Sign it to hand it over.")
        % {"number": outcome.obj.number},
    )
    return redirect("waste:manifest_detail", pk=outcome.obj.pk)


@login_required
@require_POST
def manifest_return(request: HttpRequest, pk: int) -> HttpResponse:
    m = _load(request, pk)
    form = ReturnForm(request.POST, prefix="return")
    form.is_valid()
    try:
        outcome = _service(
            lambda: services.manifest_return(
                acting_user=request.user, manifest=m, data=form.service_data()
            )
        )
    except RongnganValidationError as exc:
        show_problems(form, exc, form.where)
        return _render_detail(request, m, bound={"return": form}, status=400)
    messages.success(
        request,
        _(
            "Draft manifest %(number)s takes the refused part back to its generator. "
            "Sign it to hand it over."
        )
        % {"number": outcome.obj.number},
    )
    return redirect("waste:manifest_detail", pk=outcome.obj.pk)


@login_required
@require_POST
def correction_open(request: HttpRequest, pk: int) -> HttpResponse:
    m = _load(request, pk)
    form = CorrectionForm(request.POST, prefix="correct", lines=m.line_list)
    form.is_valid()
    try:
        _service(
            lambda: services.correction_open(
                acting_user=request.user, manifest=m, data=form.service_data()
            )
        )
    except RongnganValidationError as exc:
        show_problems(form, exc, form.where)
        return _render_detail(request, m, bound={"correct": form}, status=400)
    return _done(request, m, _("The correction was proposed. Another party may now apply it."))


@login_required
@require_POST
def correction_apply(request: HttpRequest, pk: int, correction_pk: int) -> HttpResponse:
    m = _load(request, pk)
    correction = next((c for c in m.correction_list if c.pk == correction_pk), None)
    if correction is None:
        raise Http404("no such correction")
    try:
        m2 = _service(
            lambda: services.correction_apply(acting_user=request.user, correction=correction)
        )
    except RongnganValidationError as exc:
        return _render_detail(request, m, errors={"apply": _plain_errors(exc)}, status=400)
    return _done(
        request,
        m2,
        _("The correction was applied: this is version %(n)s.") % {"n": m2.version},
    )


@login_required
@require_POST
def correction_withdraw(request: HttpRequest, pk: int, correction_pk: int) -> HttpResponse:
    m = _load(request, pk)
    correction = next((c for c in m.correction_list if c.pk == correction_pk), None)
    if correction is None:
        raise Http404("no such correction")
    try:
        _service(
            lambda: services.correction_withdraw(
                acting_user=request.user,
                correction=correction,
                reason=request.POST.get("reason", ""),
            )
        )
    except RongnganValidationError as exc:
        return _render_detail(request, m, errors={"withdraw": _plain_errors(exc)}, status=400)
    return _done(request, m, _("The correction was withdrawn."))


@login_required
@require_POST
def discrepancy_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    m = _load(request, pk)
    form = NoteForm(request.POST, prefix="resolve")
    form.is_valid()
    note = request.POST.get("resolve-note", "")
    try:
        _service(
            lambda: services.discrepancy_resolve(acting_user=request.user, manifest=m, note=note)
        )
    except RongnganValidationError as exc:
        show_problems(form, exc, lambda f: "note" if f == "note" else None)
        return _render_detail(request, m, bound={"resolve": form}, status=400)
    return _done(request, m, _("The discrepancy was marked as resolved."))


# --------------------------------------------------------------------------------------------
# Streams and approvals


def _own_factories(user: Any) -> list[Any]:
    if not _is_operator(user) or not user.organisation_id:
        return []
    return list(
        registry_queries.factories_for_user(user)
        .filter(operator_id=user.organisation_id)
        .order_by("name_th")
    )


@login_required
@require_http_methods(["GET", "POST"])
def streams(request: HttpRequest) -> HttpResponse:
    user = request.user
    factories = _own_factories(user)
    factory_ids = {f.pk for f in factories}
    own_streams = [
        s
        for s in queries.streams_for_user(user).filter(is_active=True).order_by("waste_code_id")
        if s.generator_id in factory_ids
    ]
    processors = list(queries.processors()) if factories else []
    stream_form = StreamForm(prefix="stream", factories=factories) if factories else None
    request_form = (
        ApprovalRequestForm(prefix="request", streams=own_streams, processors=processors)
        if own_streams
        else None
    )
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "stream" and factories:
            stream_form = StreamForm(request.POST, prefix="stream", factories=factories)
            stream_form.is_valid()
            generator = next(
                (f for f in factories if str(f.pk) == request.POST.get("stream-generator")), None
            )
            data = {
                name: request.POST.get(f"stream-{name}", "")
                for name in ("waste_code", "description", "hazardous", "expected_tonnes")
            }
            if generator is None:
                stream_form.add_error("generator", _("Choose one of your factories."))
                status = 400
            else:
                try:
                    stream = _service(
                        lambda: services.stream_register(
                            acting_user=user, generator=generator, data=data
                        )
                    )
                except RongnganValidationError as exc:
                    show_problems(stream_form, exc)
                    status = 400
                else:
                    messages.success(
                        request,
                        _("Waste stream %(code)s was registered.")
                        % {"code": stream.waste_code.display},
                    )
                    return redirect("waste:streams")
        elif action == "request" and own_streams:
            request_form = ApprovalRequestForm(
                request.POST, prefix="request", streams=own_streams, processors=processors
            )
            request_form.is_valid()
            stream = next(
                (s for s in own_streams if str(s.pk) == request.POST.get("request-stream")), None
            )
            data = {
                name: request.POST.get(f"request-{name}", "")
                for name in ("processor", "operation", "quantity_tonnes")
            }
            if stream is None:
                request_form.add_error("stream", _("Choose one of your waste streams."))
                status = 400
            else:
                try:
                    _service(
                        lambda: services.approval_request(
                            acting_user=user, stream=stream, data=data
                        )
                    )
                except RongnganValidationError as exc:
                    show_problems(request_form, exc)
                    status = 400
                else:
                    messages.success(
                        request, _("The request was sent to the industry office for a decision.")
                    )
                    return redirect("waste:streams")
        else:
            raise PermissionDenied
    approvals = queries.approvals_for_user(user).order_by("-requested_at", "-pk")
    pending: list[Approval] = []
    if role_of(user) in OFFICER_ROLES:
        pending = [
            a
            for a in approvals.filter(status=Approval.Status.REQUESTED)[:200]
            if services.is_officer_for(user, a.stream.generator)
        ]
    if factories:
        approvals = approvals.filter(stream__generator__in=factories)
    options = queries.operation_options({st.waste_code_id for st in own_streams or []})
    for st in own_streams or []:
        st.options = options.get(st.waste_code_id, [])
    return render(
        request,
        "waste/streams.html",
        {
            "landfill": queries.landfill_share(factories) if factories else [],
            "factories": factories,
            "streams": own_streams,
            "stream_form": stream_form,
            "request_form": request_form,
            "approvals": list(approvals[:200]),
            "pending": pending,
            "is_officer": role_of(user) in OFFICER_ROLES,
        },
        status=status,
    )


@login_required
@require_POST
def approval_decide(request: HttpRequest, pk: int) -> HttpResponse:
    approval = queries.approvals_for_user(request.user).filter(pk=pk).first()
    if approval is None:
        raise Http404("no such approval")
    approve = request.POST.get("decision") == "approve"
    reason = request.POST.get("reason", "")
    try:
        _service(
            lambda: services.approval_decide(
                acting_user=request.user, approval=approval, approve=approve, reason=reason
            )
        )
    except RongnganValidationError as exc:
        for problem in exc.problems:
            messages.error(request, f"#{approval.pk}: {problem.text()}")
    else:
        if approve:
            messages.success(request, _("Request #%(pk)s was approved.") % {"pk": approval.pk})
        else:
            messages.success(request, _("Request #%(pk)s was refused.") % {"pk": approval.pk})
    return redirect("waste:streams")


# --------------------------------------------------------------------------------------------
# Officers' dashboard


def may_open_dashboard(user: Any) -> bool:
    return role_of(user) in DASHBOARD_ROLES


def _dashboard_reader(user: Any) -> None:
    if not may_open_dashboard(user):
        raise PermissionDenied(_("The waste dashboard is for officers and committee members."))


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    _dashboard_reader(user)
    today = timezone.localdate()
    fy = fiscal_year(today)
    start, end = fiscal_year_bounds(fy)
    lo, hi = bounds(start, end)
    manifests = queries.manifests_for_user(user)
    counted = manifests.filter(status__in=COUNTED, received_at__gte=lo, received_at__lt=hi)
    # Aggregates over the totals each manifest keeps (services.refresh_counted): no line joins.
    by_province: dict[str, dict[str, Any]] = {}
    hazard = {True: Decimal(0), False: Decimal(0)}
    for row in counted.values("generator_province_id", "generator_province__name_th").annotate(
        h=Sum("accepted_hazardous_kg"), o=Sum("accepted_other_kg")
    ):
        p = by_province.setdefault(
            row["generator_province_id"],
            {
                "name": row["generator_province__name_th"],
                "hazardous": Decimal(0),
                "other": Decimal(0),
            },
        )
        p["hazardous"] += _tonnes(row["h"] or Decimal(0))
        p["other"] += _tonnes(row["o"] or Decimal(0))
        hazard[True] += _tonnes(row["h"] or Decimal(0))
        hazard[False] += _tonnes(row["o"] or Decimal(0))
    provinces = sorted(
        ({**p, "total": p["hazardous"] + p["other"]} for p in by_province.values()),
        key=lambda p: (-p["total"], p["name"]),
    )
    total = hazard[True] + hazard[False]

    # One query: tonnes by the operation applied (the planned one until it is recorded).
    ops = {o.code: o for o in Operation.objects.all()}
    by_operation = []
    for row in (
        counted.annotate(op=Coalesce("final_operation_id", "operation_id"))
        .values("op")
        .annotate(kg=Sum(F("accepted_hazardous_kg") + F("accepted_other_kg")))
    ):
        o = ops.get(row["op"])
        by_operation.append(
            {
                "code": row["op"],
                "operation": o,
                "tonnes": _tonnes(row["kg"] or Decimal(0)),
                "sort": o.sort if o else 999,
            }
        )
    by_operation.sort(key=lambda r: r["sort"])
    recovery = sum(
        (r["tonnes"] for r in by_operation if r["operation"] and r["operation"].kind == "recovery"),
        Decimal(0),
    )

    # Logged as generated in the fiscal year, and manifests that left (first transporter).
    province = user.province_id if role_of(user) == "provincial_officer" else None
    generation = GenerationRecord.objects.filter(is_current=True, month__gte=start, month__lte=end)
    # Shipments out of generators: not the onward or return legs of a refusal (`previous`).
    shipped = manifests.filter(shipped_at__gte=lo, shipped_at__lt=hi).filter(
        queries.ships_from_stream()
    )
    if province:
        generation = generation.filter(stream__generator__province_id=province)
    generated_t = _tonnes(generation.aggregate(kg=Sum("quantity_kg"))["kg"])
    alerts = queries.alerts_for_user(user).filter(closed_at__isnull=True)
    alert_counts = {row["kind"]: row["n"] for row in alerts.values("kind").annotate(n=Count("pk"))}

    # The receipt clock's own cut (WASTE_RECEIPT_CONTACT_DAYS), so the count and the alerts agree.
    overdue = manifests.filter(
        status=Manifest.Status.IN_TRANSIT, shipped_at__lt=receipt_overdue_before(today)
    )
    discrepancies = manifests.filter(discrepancy=True, discrepancy_resolved_at__isnull=True)

    plan = []
    values = waste_metrics.indicators((start, end))  # one aggregate for the three
    for key in PLAN_METRICS:
        metric = core_metrics.get(key)
        if metric is None:
            continue
        value = values[key]
        if value is not None and metric.unit == "million_tonnes_per_year":
            shown, unit = value * Decimal(1_000_000), _("t")
        else:
            shown, unit = value, "%"
        plan.append({"metric": metric, "value": shown, "unit": unit})

    chart = {
        "labels": [p["name"] for p in provinces[:20]],
        "hazardous": [str(p["hazardous"].quantize(Decimal("0.001"))) for p in provinces[:20]],
        "other": [str(p["other"].quantize(Decimal("0.001"))) for p in provinces[:20]],
        "hazardous_label": _("Hazardous (t)"),
        "other_label": _("Non-hazardous (t)"),
    }
    return render(
        request,
        "waste/dashboard.html",
        {
            "fiscal_year": fy,
            "start": start,
            "end": end,
            "hazardous_t": hazard[True],
            "other_t": hazard[False],
            "total_t": total,
            "recovery_t": recovery,
            "disposal_t": total - recovery,
            "provinces": provinces,
            "by_operation": by_operation,
            "overdue_count": overdue.count(),
            "overdue": list(overdue.order_by("shipped_at")[:20]),
            "discrepancy_count": discrepancies.count(),
            "discrepancies": list(discrepancies.order_by("received_at")[:20]),
            "transit_days": days("WASTE_RECEIPT_CONTACT_DAYS", 35),
            "generated_t": generated_t,
            "shipped_count": shipped.count(),
            "alert_rows": [
                {"kind": kind, "label": label, "count": alert_counts.get(kind, 0)}
                for kind, label in Alert.Kind.choices
            ],
            "plan": plan,
            "chart": chart,
            "national": role_of(user) != "provincial_officer",
        },
    )


@login_required
@require_GET
def dashboard_capacity(request: HttpRequest) -> HttpResponse:
    """The dashboard's processors near capacity, loaded after the page (it reads lines)."""
    user = request.user
    _dashboard_reader(user)
    year = timezone.localdate().year
    rows = queries.capacity_use(year, share=queries.capacity_warning())
    if role_of(user) == "provincial_officer":
        rows = [r for r in rows if r["permit"].processor.province_id == user.province_id]
    return render(request, "waste/_near_capacity.html", {"rows": rows[:30], "year": year})


@login_required
@require_GET
def dashboard_codes(request: HttpRequest) -> HttpResponse:
    """The dashboard's table by waste code, loaded after the page (it reads manifest lines)."""
    user = request.user
    _dashboard_reader(user)
    start, end = fiscal_year_bounds(fiscal_year(timezone.localdate()))
    lo, hi = bounds(start, end)
    counted = queries.manifests_for_user(user).filter(
        status__in=COUNTED, is_return=False, received_at__gte=lo, received_at__lt=hi
    )
    rows = (
        ManifestLine.objects.filter(manifest__in=counted.values("pk"), accepted_kg__gt=0)
        .annotate(code=Coalesce("received_code_id", "waste_code_id"))
        .values("code", "hazardous")
        .annotate(kg=Sum("accepted_kg"))
        .order_by("-kg")[:25]
    )
    names = {
        c.code: c
        for c in WasteCode.objects.filter(code__in=[r["code"] for r in rows]).only(
            "code", "description_en", "description_th"
        )
    }
    return render(
        request,
        "waste/_by_code.html",
        {
            "rows": [
                {**r, "tonnes": _tonnes(r["kg"]), "waste_code": names.get(r["code"])} for r in rows
            ]
        },
    )


# --------------------------------------------------------------------------------------------
# Waste held at the generator, its monthly log, storage approvals and the annual report


def may_open_held(user: Any) -> bool:
    """The held-waste page: a generator's operators (an organisation with factories) and the
    dashboard's readers."""
    if _is_operator(user):
        return bool(user.organisation_id) and (
            registry_queries.factories_for_user(user)
            .filter(operator_id=user.organisation_id)
            .exists()
        )
    return role_of(user) in DASHBOARD_ROLES


def _held_factory(request: HttpRequest) -> tuple[Any, list[Any]]:
    """The generator the page is about: one of an operator's own factories, or any factory in
    an officer's reach (?factory=); None for an officer's overview."""
    user = request.user
    ref = (request.POST.get("factory") or request.GET.get("factory") or "").strip()
    own = _own_factories(user)
    if _is_operator(user):
        if not own:
            raise PermissionDenied(_("This page is for generators and officers."))
        return next((f for f in own if str(f.pk) == ref), own[0]), own
    if role_of(user) not in DASHBOARD_ROLES:
        raise PermissionDenied(_("This page is for generators and officers."))
    if not ref.isdecimal():
        return None, []
    factory = registry_queries.factories_for_user(user).filter(pk=int(ref)).first()
    if factory is None:
        raise Http404("no such factory in reach")
    return factory, []


@login_required
@require_http_methods(["GET", "POST"])
def held(request: HttpRequest) -> HttpResponse:
    user = request.user
    factory, own = _held_factory(request)
    today = timezone.localdate()
    raw_year = request.GET.get("year", "")
    year = (
        int(raw_year) if raw_year.isdecimal() and 1990 <= int(raw_year) <= 2200 else today.year - 1
    )
    is_operator = _is_operator(user)
    may_permit = role_of(user) in OFFICER_ROLES and (
        factory is not None and services.is_officer_for(user, factory)
    )
    streams = (
        list(
            queries.streams_for_user(user)
            .filter(generator=factory)
            .select_related("waste_code")
            .order_by("waste_code_id", "pk")
        )
        if factory
        else []
    )
    records = list(
        GenerationRecord.objects.filter(stream__in=streams, is_current=True)
        .select_related("stream__waste_code")
        .order_by("-month", "stream_id")[:60]
    )
    forms = {
        "log": GenerationForm(prefix="log", streams=streams) if is_operator and streams else None,
        "correct": GenerationCorrectForm(prefix="correct", records=records)
        if is_operator and records
        else None,
        "report": AnnualReportForm(prefix="report", initial={"year": today.year - 1})
        if is_operator and streams
        else None,
        "permit": StoragePermitForm(prefix="permit", streams=streams)
        if may_permit and streams
        else None,
    }
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        if forms.get(action) is None:
            raise PermissionDenied
        form_class = {
            "log": (GenerationForm, {"streams": streams}),
            "correct": (GenerationCorrectForm, {"records": records}),
            "report": (AnnualReportForm, {}),
            "permit": (StoragePermitForm, {"streams": streams}),
        }[action]
        form = form_class[0](request.POST, prefix=action, **form_class[1])
        form.is_valid()
        forms[action] = form
        data = {name: request.POST.get(f"{action}-{name}", "") for name in form.fields}
        by_pk = {str(s.pk): s for s in streams}
        try:
            if action == "log":
                stream = by_pk.get(data["stream"])
                if stream is None:
                    form.add_error("stream", _("Choose one of your waste streams."))
                    raise _Refused
                _service(
                    lambda: services.generation_record(acting_user=user, stream=stream, data=data)
                )
                done = _("The month was logged.")
            elif action == "correct":
                record = next((r for r in records if str(r.pk) == data["record"]), None)
                if record is None:
                    form.add_error("record", _("Choose a logged month."))
                    raise _Refused
                _service(
                    lambda: services.generation_correct(acting_user=user, record=record, data=data)
                )
                done = _("The logged month was corrected; the earlier figure is kept.")
            elif action == "report":
                report = _service(
                    lambda: services.annual_report_submit(
                        acting_user=user, generator=factory, year=data["year"], note=data["note"]
                    )
                )
                done = _("The annual report for %(year)s was filed (version %(version)s).") % {
                    "year": be_year(report.year),
                    "version": report.version,
                }
            else:
                stream = by_pk.get(data["stream"])
                if stream is None:
                    form.add_error("stream", _("Choose a waste stream."))
                    raise _Refused
                _service(
                    lambda: services.storage_permit(
                        acting_user=user,
                        stream=stream,
                        valid_until=data["valid_until"],
                        reason=data["reason"],
                    )
                )
                done = _("Storage beyond 90 days was approved.")
        except RongnganValidationError as exc:
            show_problems(form, exc)
            status = 400
        except _Refused:
            status = 400
        else:
            messages.success(request, done)
            return redirect(f"{request.path}?factory={factory.pk}&year={year}")

    ids = [s.pk for s in streams]
    held_now = queries.held_since(ids, today) if ids else {}
    permitted = queries.storage_permitted(list(held_now), today) if held_now else set()
    limit = days("WASTE_STORAGE_DAYS", 90)
    held_rows = []
    for s in streams:
        if s.pk in held_now:
            kg, oldest = held_now[s.pk]
            held_days = max(0, (today - oldest).days)
            held_rows.append(
                {
                    "stream": s,
                    "kg": kg,
                    "oldest": oldest,
                    "days": held_days,
                    "over": held_days > limit,
                    "permitted": s.pk in permitted,
                }
            )
    alerts = queries.alerts_for_user(user).filter(
        kind__in=[Alert.Kind.STORAGE, Alert.Kind.ANNUAL_REPORT], closed_at__isnull=True
    )
    if factory is not None:
        alerts = alerts.filter(factory=factory)
    return render(
        request,
        "waste/held.html",
        {
            "factory": factory,
            "own": own,
            "year": year,
            "years": list(range(today.year - 1, today.year - 6, -1)),
            "balance": queries.mass_balance(WasteStream.objects.filter(pk__in=ids), year)
            if ids
            else [],
            "held": held_rows,
            "limit": limit,
            "records": records[:24],
            "reports": list(queries.annual_reports_for_user(user).filter(generator=factory)[:20])
            if factory
            else [],
            "alerts": list(alerts.order_by("-raised_on")[:100]),
            "forms": forms,
            "due": annual_report_due(today.year - 1),
        },
        status=status,
    )


class _Refused(Exception):
    """A choice the form could not resolve (already shown at its field)."""
