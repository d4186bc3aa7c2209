"""Officers' pages to create and change the action plan: thin; every write is a service.

Each page is a form rendered by `plan.forms` and checked by `plan.services` (which also leaves
the audit entries); the service's problems are shown on the matching fields. Only those who may
edit the plan (officers, administrators) reach these pages.
"""

from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from rongngan.core.errors import Problem, RongnganValidationError, show_problems
from rongngan.core.scoping import role_of
from rongngan.core.thai import fiscal_year
from rongngan.plan import queries, services
from rongngan.plan.forms import (
    KPIForm,
    NumberedForm,
    PlanEditForm,
    PlanForm,
    ProjectForm,
    number_text,
    service_field,
)
from rongngan.plan.models import KPI, Approach, Plan, Project, Strategy

TEMPLATE = "plan/edit/form.html"
NO_SUCH_PLAN = gettext_lazy("There is no plan with the code “%(value)s”.")

# Saves what the form sent; the second argument is the version of the record the form was
# opened at (None when creating), which the service compares with the record's current one.
Save = Callable[[dict[str, Any], str | None], Any]


# --------------------------------------------------------------------------------------------
# Shared


def _editor_required(request: HttpRequest) -> None:
    if not services.can_edit_plan(request.user):
        raise PermissionDenied(_("Only DIW officers may change the action plan."))


def _plan(request: HttpRequest, code: str) -> Plan:
    _editor_required(request)
    return queries.plan_for_user(request.user, code)


def _detail(plan: Plan) -> str:
    """The plan's page; the list of plans for a plan whose code no address can carry."""
    try:
        return reverse("plan:plan_detail", args=[plan.code])
    except NoReverseMatch:
        return reverse("plan:plan_list")


def _form_page(
    request: HttpRequest,
    form: PlanEditForm,
    *,
    creating: bool,
    save: Save,
    done: Callable[[Any], str],
    saved: Callable[[Any], str],
    context: Mapping[str, Any],
) -> HttpResponse:
    """Shows `form`; on POST gives the service what was entered (or changed) and goes on."""
    status = 200
    if request.method == "POST":
        form.is_valid()  # the fields accept anything; this only prepares errors to be added
        data = form.service_data(creating=creating)
        if not creating and not data:
            messages.info(request, _("Nothing was changed."))
            return redirect(context["cancel_url"])
        try:
            obj = save(data, None if creating else form.opened_version())
        except RongnganValidationError as exc:
            show_problems(form, exc, service_field, name_unmatched=True)
            status = 400
        except PermissionError as exc:
            raise PermissionDenied(str(exc)) from exc
        else:
            messages.success(request, saved(obj))
            return redirect(done(obj))
    return render(
        request,
        TEMPLATE,
        {"form": form, "submit_label": _("Save"), **context},
        status=status,
    )


def _post(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


# --------------------------------------------------------------------------------------------
# Plans


def _relabelled(exc: RongnganValidationError, label: str) -> RongnganValidationError:
    """Problems of a copied record, said at the top of the page with the record they concern."""
    return RongnganValidationError(
        Problem(f"{label} · {p.field}" if p.field else label, p.code, p.message, p.params)
        for p in exc.problems
    )


def _copied_kpi(kpi: KPI, strategy: Strategy) -> dict[str, Any]:
    """`kpi` as `kpi_save` takes it, under `strategy` (of the new plan) and without targets."""
    data: dict[str, Any] = {
        name: getattr(kpi, name)
        for name in (
            "code",
            "name_th",
            "name_en",
            "unit",
            "unit_label_th",
            "unit_label_en",
            "direction",
            "accumulation",
            "metric",
            "internal_note",
        )
    }
    data["strategy"] = str(strategy.pk)
    data["baseline_year"] = number_text(kpi.baseline_year)
    data["baseline_value"] = number_text(kpi.baseline_value)
    # A responsible officer who may no longer be one (an inactive user, another role) is not
    # carried into the new plan: the service would refuse the whole copy for it.
    r = kpi.responsible
    eligible = r is not None and r.is_active and role_of(r) in services.RESPONSIBLE_ROLES
    data["responsible"] = str(r.pk) if eligible else ""
    return data


def copy_structure(*, acting_user: Any, source: Plan, plan: Plan) -> None:
    """Copies `source`'s strategies, approaches and KPIs (no targets) into `plan`.

    Every record goes through its service (checked and audited); the caller holds the
    transaction, so a refused record leaves nothing behind.
    """
    strategies: dict[int, Strategy] = {}
    for s in source.strategies.order_by("number"):
        data = {"number": s.number, "name_th": s.name_th, "name_en": s.name_en}
        try:
            new = services.strategy_save(acting_user=acting_user, plan=plan, data=data)
        except RongnganValidationError as exc:
            raise _relabelled(exc, f"S{s.number}") from exc
        strategies[s.pk] = new
        for a in s.approaches.order_by("number"):
            data = {"number": a.number, "name_th": a.name_th, "name_en": a.name_en}
            try:
                services.approach_save(acting_user=acting_user, strategy=new, data=data)
            except RongnganValidationError as exc:
                raise _relabelled(exc, a.code) from exc
    for k in source.kpis.order_by("sort", "code"):
        try:
            services.kpi_save(
                acting_user=acting_user, plan=plan, data=_copied_kpi(k, strategies[k.strategy_id])
            )
        except RongnganValidationError as exc:
            raise _relabelled(exc, k.code) from exc


def _create_plan(request: HttpRequest, form: PlanForm, data: dict[str, Any]) -> Plan:
    source = None
    code = form.copy_from_code()
    if code:
        source = queries.plans_for_user(request.user).filter(code=code).first()
        if source is None:
            raise RongnganValidationError(
                [Problem("copy_from", "unknown_plan", NO_SUCH_PLAN, {"value": code})]
            )
    with transaction.atomic():
        plan = services.plan_save(acting_user=request.user, data=data)
        if source is not None:
            copy_structure(acting_user=request.user, source=source, plan=plan)
    return plan


def _plan_created(source_code: str) -> str:
    if not source_code:
        return _("The plan has been created.")
    return _(
        "The plan has been created with the strategies, development approaches and KPIs of "
        "%(source)s. Now give the KPIs their targets."
    ) % {"source": source_code}


@login_required
@require_http_methods(["GET", "POST"])
def plan_create(request: HttpRequest) -> HttpResponse:
    _editor_required(request)
    sources = queries.plans_for_user(request.user)
    initial: dict[str, Any] = {"status": Plan.Status.DRAFT}
    following = sources.filter(code=request.GET.get("copy_from", "")).first()
    if following is not None:
        initial = PlanForm.initial_following(following)
    form = PlanForm(_post(request), initial=initial, creating=True, sources=sources)
    return _form_page(
        request,
        form,
        creating=True,
        save=lambda data, _version: _create_plan(request, form, data),
        done=_detail,
        saved=lambda _obj: _plan_created(form.copy_from_code()),
        context={
            "title": _("New action plan"),
            "plan": None,
            "cancel_url": reverse("plan:plan_list"),
        },
    )


def _plan_edit_page(request: HttpRequest, plan: Plan) -> HttpResponse:
    form = PlanForm(_post(request), initial=_opened(PlanForm.initial_for(plan), plan))
    return _form_page(
        request,
        form,
        creating=False,
        save=lambda data, version: services.plan_save(
            acting_user=request.user, plan=plan, data=data, version=version
        ),
        done=_detail,
        saved=lambda _obj: _("The plan has been saved."),
        context={
            "title": _("Edit the plan"),
            "subtitle": plan.title_th,
            "plan": plan,
            "cancel_url": _detail(plan),
            "new_plan_url": reverse("plan:plan_create") + "?" + urlencode({"copy_from": plan.code}),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_edit(request: HttpRequest, code: str) -> HttpResponse:
    return _plan_edit_page(request, _plan(request, code))


@login_required
@require_http_methods(["GET", "POST"])
def plan_edit_by_id(request: HttpRequest, pk: int) -> HttpResponse:
    """The same page for a plan reached by its id: one whose code (stored before codes were
    checked) no address can carry, so that an officer can give it a usable one."""
    _editor_required(request)
    return _plan_edit_page(request, get_object_or_404(queries.plans_for_user(request.user), pk=pk))


def _opened(initial: dict[str, Any], obj: Any) -> dict[str, Any]:
    """A form's initial values with the version of the record it is opened at."""
    return {**initial, "version": services.version_of(obj)}


# --------------------------------------------------------------------------------------------
# Strategies and development approaches


def _strategy_page(request: HttpRequest, plan: Plan, strategy: Strategy | None) -> HttpResponse:
    if strategy is None:
        initial = NumberedForm.next_number(plan.strategies.all())
        title = _("Add a strategy")
    else:
        initial = _opened(NumberedForm.initial_for(strategy), strategy)
        title = _("Edit strategy %(number)s") % {"number": strategy.number}
    form = NumberedForm(_post(request), initial=initial)
    return _form_page(
        request,
        form,
        creating=strategy is None,
        save=lambda data, version: services.strategy_save(
            acting_user=request.user, plan=plan, strategy=strategy, data=data, version=version
        ),
        done=lambda _obj: _detail(plan),
        saved=lambda _obj: _("The strategy has been saved."),
        context={
            "title": title,
            "subtitle": plan.title_th,
            "plan": plan,
            "cancel_url": _detail(plan),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def strategy_create(request: HttpRequest, code: str) -> HttpResponse:
    return _strategy_page(request, _plan(request, code), None)


@login_required
@require_http_methods(["GET", "POST"])
def strategy_edit(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    plan = _plan(request, code)
    return _strategy_page(request, plan, get_object_or_404(Strategy, pk=pk, plan=plan))


def _approach_page(
    request: HttpRequest, plan: Plan, strategy: Strategy, approach: Approach | None
) -> HttpResponse:
    if approach is None:
        initial = NumberedForm.next_number(strategy.approaches.all())
        title = _("Add a development approach")
    else:
        initial = _opened(NumberedForm.initial_for(approach), approach)
        title = _("Edit development approach %(code)s") % {"code": approach.code}
    form = NumberedForm(_post(request), initial=initial)
    return _form_page(
        request,
        form,
        creating=approach is None,
        save=lambda data, version: services.approach_save(
            acting_user=request.user,
            strategy=strategy,
            approach=approach,
            data=data,
            version=version,
        ),
        done=lambda _obj: _detail(plan),
        saved=lambda _obj: _("The development approach has been saved."),
        context={
            "title": title,
            "subtitle": f"{_('Strategy')} {strategy.number}. {strategy.name_th}",
            "plan": plan,
            "cancel_url": _detail(plan),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def approach_create(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    plan = _plan(request, code)
    strategy = get_object_or_404(Strategy, pk=pk, plan=plan)
    return _approach_page(request, plan, strategy, None)


@login_required
@require_http_methods(["GET", "POST"])
def approach_edit(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    plan = _plan(request, code)
    approach = get_object_or_404(
        Approach.objects.select_related("strategy"), pk=pk, strategy__plan=plan
    )
    return _approach_page(request, plan, approach.strategy, approach)


# --------------------------------------------------------------------------------------------
# KPIs


def _kpi_url(plan: Plan, kpi: KPI) -> str:
    return reverse("plan:kpi_detail", args=[plan.code, kpi.pk])


def _kpi_page(request: HttpRequest, plan: Plan, kpi: KPI | None) -> HttpResponse:
    if kpi is None:
        initial: dict[str, Any] = {"direction": "increase"}
        strategy = request.GET.get("strategy", "")
        if strategy.isdecimal() and plan.strategies.filter(pk=strategy).exists():
            initial["strategy"] = strategy
        title = _("Add a KPI")
    else:
        initial = _opened(KPIForm.initial_for(kpi), kpi)
        title = _("Edit KPI %(code)s") % {"code": kpi.code}
    form = KPIForm(_post(request), initial=initial, plan=plan, kpi=kpi)
    return _form_page(
        request,
        form,
        creating=kpi is None,
        save=lambda data, version: services.kpi_save(
            acting_user=request.user, plan=plan, kpi=kpi, data=data, version=version
        ),
        done=lambda saved: _kpi_url(plan, saved),
        saved=lambda _obj: _("The KPI has been saved."),
        context={
            "title": title,
            "subtitle": kpi.name_th if kpi else plan.title_th,
            "plan": plan,
            "cancel_url": _kpi_url(plan, kpi) if kpi else _detail(plan),
            "intro": _(
                "Leave a year's target empty when the plan sets none; emptying a target removes it."
            ),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def kpi_create(request: HttpRequest, code: str) -> HttpResponse:
    return _kpi_page(request, _plan(request, code), None)


@login_required
@require_http_methods(["GET", "POST"])
def kpi_edit(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    plan = _plan(request, code)
    return _kpi_page(request, plan, get_object_or_404(KPI, pk=pk, plan=plan))


# --------------------------------------------------------------------------------------------
# Projects


def _project_url(plan: Plan, project: Project) -> str:
    return reverse("plan:project_detail", args=[plan.code, project.pk])


def _default_year(request: HttpRequest, plan: Plan) -> int:
    """The year asked for (?year=), else the current fiscal year, else the plan's last year."""
    asked = request.GET.get("year", "")
    if asked.isdecimal() and int(asked) in plan.years:
        return int(asked)
    current = fiscal_year(timezone.localdate())
    return current if current in plan.years else plan.last_year


def _project_page(request: HttpRequest, plan: Plan, project: Project | None) -> HttpResponse:
    if project is None:
        initial: dict[str, Any] = {"fiscal_year": str(_default_year(request, plan))}
        title = _("Add a project")
    else:
        initial = _opened(ProjectForm.initial_for(project), project)
        title = _("Edit project %(code)s") % {"code": project.code}
    form = ProjectForm(_post(request), initial=initial, plan=plan, project=project)
    return _form_page(
        request,
        form,
        creating=project is None,
        save=lambda data, version: services.project_save(
            acting_user=request.user, plan=plan, project=project, data=data, version=version
        ),
        done=lambda saved: _project_url(plan, saved),
        saved=lambda _obj: _("The project has been saved."),
        context={
            "title": title,
            "subtitle": project.name_th if project else plan.title_th,
            "plan": plan,
            "cancel_url": _project_url(plan, project) if project else _detail(plan),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def project_create(request: HttpRequest, code: str) -> HttpResponse:
    return _project_page(request, _plan(request, code), None)


@login_required
@require_http_methods(["GET", "POST"])
def project_edit(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    plan = _plan(request, code)
    return _project_page(request, plan, get_object_or_404(Project, pk=pk, plan=plan))
