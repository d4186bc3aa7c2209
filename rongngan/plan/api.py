"""REST API of the action plan: /api/v1/plan/...

Reading plans, strategies, projects and KPI results needs no login; internal notes, evidence
and who entered a value are for signed-in staff; the public sees finished quarters only.
Writes (officers; measurements also the KPI's responsible officer) go through `services`.
"""

from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from rongngan.core.api import problem_response
from rongngan.core.errors import RongnganValidationError
from rongngan.core.idempotency import idempotent
from rongngan.core.parsers import ObjectJSONParser
from rongngan.plan import measure, queries, services
from rongngan.plan.consistency import check_plan
from rongngan.plan.measure import plain
from rongngan.plan.models import KPI, KPITarget, Measurement, Plan, Project, Strategy
from rongngan.plan.period import Period
from rongngan.registry.api import ERRORS, ReadPublicly

PLAN_PARAM = OpenApiParameter("plan", str, description="plan code (default: the latest plan)")
YEAR_PARAM = OpenApiParameter("year", int, description="fiscal year B.E.")
QUARTER_PARAM = OpenApiParameter("quarter", int, enum=[1, 2, 3, 4], description="as of its end")


def _version(request: Request) -> str | None:
    """The version a change is based on: an If-Match header (the `version` of the record as
    read, quoted or not) or a `version` field in the body; None means last writer wins."""
    header = request.headers.get("If-Match", "").strip()
    if header and header != "*":
        return header
    body = request.data.get("version") if hasattr(request.data, "get") else None
    return str(body) if body not in (None, "") else None


def _saved(request: Request, save: Any) -> Any:
    """Runs `save(version)`; a change based on an older version is a 412 (nothing written)."""
    try:
        return save(_version(request))
    except RongnganValidationError as exc:
        if any(p.code == "stale_version" for p in exc.problems):
            raise StaleVersion(exc.problems) from exc
        raise


class StaleVersion(Exception):
    def __init__(self, problems: list[Any]) -> None:
        self.problems = problems


def _stale_response(exc: StaleVersion) -> Response:
    return problem_response(exc.problems, status.HTTP_412_PRECONDITION_FAILED)


@extend_schema_field(OpenApiTypes.STR)
class VersionField(serializers.Field):
    """The record's version: send it back as If-Match (or `version`) with a change."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", "send as If-Match (or `version`) to refuse stale changes")
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, obj: Any) -> str:
        return services.version_of(obj)


def _plan_from(request: Request) -> Plan:
    code = request.query_params.get("plan")
    plans = queries.plans_for_user(request.user)
    plan = plans.filter(code=code).first() if code else plans.first()
    if plan is None:
        raise Http404("no such plan")
    return plan


class Bilingual(serializers.Serializer):
    th = serializers.CharField()
    en = serializers.CharField(allow_blank=True)


class PlanSerializer(serializers.ModelSerializer):
    years = serializers.ListField(child=serializers.IntegerField(), read_only=True)
    values = Bilingual(many=True, read_only=True)
    missions = Bilingual(many=True, read_only=True)
    version = VersionField()

    class Meta:
        model = Plan
        fields = [
            "id",
            "version",
            "code",
            "title_th",
            "title_en",
            "first_year",
            "last_year",
            "years",
            "status",
            "vision_th",
            "vision_en",
            "values",
            "missions",
            "source",
            "data_file",
        ]


class PlanWrite(serializers.Serializer):
    code = serializers.CharField()
    title_th = serializers.CharField()
    title_en = serializers.CharField(required=False)
    first_year = serializers.IntegerField()
    last_year = serializers.IntegerField()
    status = serializers.ChoiceField(choices=Plan.Status.choices, required=False)
    vision_th = serializers.CharField(required=False)
    vision_en = serializers.CharField(required=False)
    version = serializers.CharField(required=False, help_text="as read; or send If-Match")


class PlanViewSet(viewsets.GenericViewSet):
    permission_classes = [ReadPublicly]
    serializer_class = PlanSerializer
    lookup_field = "code"
    queryset = Plan.objects.none()

    def get_queryset(self) -> QuerySet[Plan]:
        return queries.plans_for_user(self.request.user)

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(PlanSerializer(page, many=True).data)

    def retrieve(self, request: Request, code: str) -> Response:
        return Response(PlanSerializer(queries.plan_for_user(request.user, code)).data)

    @extend_schema(request=PlanWrite, responses={201: PlanSerializer, 400: ERRORS})
    @idempotent
    def create(self, request: Request) -> Response:
        plan = services.plan_save(acting_user=request.user, data=request.data)
        return Response(PlanSerializer(plan).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=PlanWrite, responses={200: PlanSerializer, 400: ERRORS, 412: ERRORS})
    def partial_update(self, request: Request, code: str) -> Response:
        plan = queries.plan_for_user(request.user, code)
        try:
            plan = _saved(
                request,
                lambda version: services.plan_save(
                    acting_user=request.user, data=request.data, plan=plan, version=version
                ),
            )
        except StaleVersion as exc:
            return _stale_response(exc)
        return Response(PlanSerializer(plan).data)

    @extend_schema(
        responses=inline_serializer(
            "ConsistencyFinding",
            {
                "code": serializers.CharField(),
                "subject": serializers.CharField(),
                "message_th": serializers.CharField(),
                "message_en": serializers.CharField(),
                "values": serializers.DictField(child=serializers.CharField()),
            },
            many=True,
        )
    )
    @action(detail=True, methods=["get"])
    def consistency(self, request: Request, code: str) -> Response:
        """Where the plan disagrees with itself (budget sums, targets, province counts)."""
        plan = queries.plan_for_user(request.user, code)
        return Response([f.as_dict() for f in check_plan(plan)])


class ApproachOut(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    number = serializers.IntegerField()
    name_th = serializers.CharField()
    name_en = serializers.CharField()


class StrategySerializer(serializers.ModelSerializer):
    plan = serializers.SlugRelatedField(slug_field="code", read_only=True)
    code = serializers.CharField(read_only=True)
    approaches = ApproachOut(many=True, read_only=True)

    class Meta:
        model = Strategy
        fields = ["id", "plan", "code", "number", "name_th", "name_en", "approaches"]


class StrategyViewSet(viewsets.GenericViewSet):
    permission_classes = [ReadPublicly]
    serializer_class = StrategySerializer
    queryset = Strategy.objects.none()

    def get_queryset(self) -> QuerySet[Strategy]:
        return queries.strategies(_plan_from(self.request)).select_related("plan")

    @extend_schema(parameters=[PLAN_PARAM])
    def list(self, request: Request) -> Response:
        return Response(StrategySerializer(self.get_queryset(), many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        plans = queries.plans_for_user(request.user)
        strategy = Strategy.objects.filter(plan__in=plans, pk=pk).first()
        if strategy is None:
            raise Http404
        return Response(StrategySerializer(strategy).data)

    @extend_schema(parameters=[PLAN_PARAM], responses={201: StrategySerializer, 400: ERRORS})
    @idempotent
    def create(self, request: Request) -> Response:
        plan = _plan_from(request)
        s = services.strategy_save(acting_user=request.user, plan=plan, data=request.data)
        return Response(StrategySerializer(s).data, status=status.HTTP_201_CREATED)


class ProjectSerializer(serializers.ModelSerializer):
    plan = serializers.SlugRelatedField(slug_field="code", read_only=True)
    parent_code = serializers.CharField(source="parent.code", default=None, read_only=True)
    strategy_number = serializers.IntegerField(source="strategy.number", read_only=True)
    approach_code = serializers.CharField(source="approach.code", default=None, read_only=True)
    provinces = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    kpis = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    targets = serializers.SerializerMethodField()
    version = VersionField()

    class Meta:
        model = Project
        fields = [
            "id",
            "version",
            "plan",
            "code",
            "fiscal_year",
            "parent",
            "parent_code",
            "strategy",
            "strategy_number",
            "approach",
            "approach_code",
            "name_th",
            "name_en",
            "budget",
            "budget_note",
            "target_group_th",
            "target_group_en",
            "objectives",
            "outputs",
            "outcomes",
            "responsible_unit_th",
            "stated_province_count",
            "provinces",
            "kpis",
            "targets",
        ]

    def get_targets(self, obj: Project) -> list[dict[str, Any]]:
        return [
            {
                "text_th": t.text_th,
                "text_en": t.text_en,
                "value": str(t.value) if t.value is not None else None,
                "unit_label_th": t.unit_label_th,
            }
            for t in obj.targets.all()
        ]


class ProjectWrite(serializers.Serializer):
    code = serializers.CharField()
    fiscal_year = serializers.IntegerField()
    strategy = serializers.IntegerField()
    approach = serializers.IntegerField(required=False, allow_null=True)
    parent = serializers.IntegerField(required=False, allow_null=True)
    name_th = serializers.CharField()
    name_en = serializers.CharField(required=False)
    budget = serializers.DecimalField(max_digits=14, decimal_places=4, required=False)
    stated_province_count = serializers.IntegerField(required=False, min_value=0)
    provinces = serializers.ListField(child=serializers.CharField(), required=False)
    kpis = serializers.ListField(child=serializers.IntegerField(), required=False)
    version = serializers.CharField(required=False, help_text="as read; or send If-Match")


class ProgressSerializer(serializers.Serializer):
    fiscal_year = serializers.IntegerField()
    quarter = serializers.IntegerField()
    disbursed = serializers.DecimalField(max_digits=14, decimal_places=4)
    result_th = serializers.CharField(allow_blank=True)
    problems_th = serializers.CharField(allow_blank=True)
    remedies_th = serializers.CharField(allow_blank=True)
    entered_by = serializers.CharField(source="entered_by.username")
    entered_at = serializers.DateTimeField()


class ProjectViewSet(viewsets.GenericViewSet):
    permission_classes = [ReadPublicly]
    serializer_class = ProjectSerializer
    queryset = Project.objects.none()

    def get_queryset(self) -> QuerySet[Project]:
        plan = _plan_from(self.request)
        qs = (
            queries.projects(plan)
            .select_related("plan")
            .prefetch_related("provinces", "kpis", "targets")
        )
        params = self.request.query_params
        year, number = params.get("year", ""), params.get("strategy", "")
        if year.isdecimal() and len(year) <= 5:
            qs = qs.filter(fiscal_year=int(year))
        if number.isdecimal() and len(number) <= 5:
            qs = qs.filter(strategy__number=int(number))
        return qs

    def _object(self, pk: str) -> Project:
        plans = queries.plans_for_user(self.request.user)
        project = Project.objects.filter(plan__in=plans, pk=pk).select_related("plan").first()
        if project is None:
            raise Http404
        return project

    @extend_schema(
        parameters=[
            PLAN_PARAM,
            YEAR_PARAM,
            OpenApiParameter("strategy", int, description="strategy number"),
        ]
    )
    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(ProjectSerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(ProjectSerializer(self._object(pk)).data)

    @extend_schema(
        parameters=[PLAN_PARAM],
        request=ProjectWrite,
        responses={201: ProjectSerializer, 400: ERRORS},
    )
    @idempotent
    def create(self, request: Request) -> Response:
        project = services.project_save(
            acting_user=request.user, plan=_plan_from(request), data=request.data
        )
        return Response(ProjectSerializer(project).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=ProjectWrite, responses={200: ProjectSerializer, 400: ERRORS, 412: ERRORS}
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        project = self._object(pk)
        try:
            project = _saved(
                request,
                lambda version: services.project_save(
                    acting_user=request.user,
                    plan=project.plan,
                    data=request.data,
                    project=project,
                    version=version,
                ),
            )
        except StaleVersion as exc:
            return _stale_response(exc)
        return Response(ProjectSerializer(project).data)

    @extend_schema(
        methods=["GET"], responses=ProgressSerializer(many=True), description="Signed-in staff."
    )
    @extend_schema(
        methods=["POST"],
        request=inline_serializer(
            "ProgressWrite",
            {
                "fiscal_year": serializers.IntegerField(),
                "quarter": serializers.IntegerField(),
                "disbursed": serializers.DecimalField(max_digits=14, decimal_places=4),
                "result_th": serializers.CharField(required=False),
                "problems_th": serializers.CharField(required=False),
                "remedies_th": serializers.CharField(required=False),
            },
        ),
        responses={201: ProgressSerializer, 400: ERRORS},
    )
    @action(detail=True, methods=["get", "post"])
    def progress(self, request: Request, pk: str) -> Response:
        """A project's quarters: disbursement, results, problems and remedies."""
        project = self._object(pk)
        if not request.user.is_authenticated or queries.is_public(request.user):
            raise PermissionError
        if request.method == "POST":
            return self._record_progress(request, project)
        return Response(ProgressSerializer(queries.progress(project), many=True).data)

    @idempotent
    def _record_progress(self, request: Request, project: Project) -> Response:
        p = services.progress_record(acting_user=request.user, project=project, data=request.data)
        return Response(ProgressSerializer(p).data, status=status.HTTP_201_CREATED)


# --------------------------------------------------------------------------------------------
# KPIs with their results


def _num(value: Decimal | None) -> str | None:
    return None if value is None else plain(value)


class KPISerializer(serializers.ModelSerializer):
    plan = serializers.SlugRelatedField(slug_field="code", read_only=True)
    strategy_number = serializers.IntegerField(source="strategy.number", read_only=True)
    targets = serializers.SerializerMethodField()
    result = serializers.SerializerMethodField()
    version = VersionField()

    class Meta:
        model = KPI
        fields = [
            "id",
            "version",
            "plan",
            "code",
            "strategy",
            "strategy_number",
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
            "targets",
            "result",
        ]

    def get_targets(self, obj: KPI) -> dict[str, str]:
        return {str(t.fiscal_year): _num(t.value) for t in obj.targets.all()}

    def get_result(self, obj: KPI) -> dict[str, Any] | None:
        r: measure.KPIResult | None = self.context.get("results", {}).get(obj.pk)
        if r is None:
            return None
        return {
            "fiscal_year": r.fiscal_year,
            "as_of": r.as_of.isoformat(),
            "year_elapsed": round(float(r.share), 4),
            "target": _num(r.target),
            "value": _num(r.actual),
            "expected": _num(r.expected.quantize(Decimal("0.0001")))
            if r.expected is not None
            else None,
            "status": r.status,
            "source": "metric" if r.bound else "manual",
            "year_to_date_rate": r.year_to_date,
            "quarters": [
                {
                    "quarter": qv.quarter,
                    "computed": _num(qv.computed),
                    "entered": _num(qv.manual.value) if qv.manual else None,
                    "override": _num(qv.override.value) if qv.override else None,
                    "override_reason": qv.override.reason if qv.override else None,
                    "value": _num(qv.value),
                    "source": qv.source,
                }
                for qv in r.quarters
            ],
        }


class KPIInternalSerializer(KPISerializer):
    responsible = serializers.CharField(source="responsible.username", default=None, read_only=True)

    class Meta(KPISerializer.Meta):
        fields = [*KPISerializer.Meta.fields, "responsible", "internal_note"]


class KPIWrite(serializers.Serializer):
    code = serializers.CharField()
    strategy = serializers.IntegerField()
    name_th = serializers.CharField()
    name_en = serializers.CharField(required=False)
    unit = serializers.CharField()
    unit_label_th = serializers.CharField(required=False)
    direction = serializers.CharField(required=False)
    accumulation = serializers.CharField()
    metric = serializers.CharField(required=False)
    responsible = serializers.CharField(
        required=False, help_text="user id of an officer, provincial officer or administrator"
    )
    targets = serializers.DictField(child=serializers.CharField(), required=False)
    version = serializers.CharField(required=False, help_text="as read; or send If-Match")


class MeasurementSerializer(serializers.ModelSerializer):
    class Meta:
        model = Measurement
        fields = ["id", "fiscal_year", "quarter", "kind", "value", "reason", "is_current"]


class MeasurementInternalSerializer(MeasurementSerializer):
    entered_by = serializers.CharField(source="entered_by.username", read_only=True)
    evidence_file = serializers.SerializerMethodField(
        help_text="address of the evidence file (a download for signed-in staff)"
    )

    def get_evidence_file(self, obj: Measurement) -> str | None:
        path = queries.evidence_path(self.context.get("kpi") or obj.kpi, obj)
        request = self.context.get("request")
        if path is None or request is None:
            return path
        return request.build_absolute_uri(path)

    class Meta(MeasurementSerializer.Meta):
        fields = [
            *MeasurementSerializer.Meta.fields,
            "note",
            "evidence_url",
            "evidence_file",
            "entered_by",
            "entered_at",
        ]


class MeasurementWrite(serializers.Serializer):
    fiscal_year = serializers.IntegerField()
    quarter = serializers.IntegerField()
    value = serializers.CharField()
    unit = serializers.CharField(required=False, help_text="if given, must be the KPI's unit")
    reason = serializers.CharField(required=False, help_text="required to override a bound KPI")
    note = serializers.CharField(required=False)
    evidence_url = serializers.CharField(required=False)
    evidence_file = serializers.FileField(required=False)


class KPIViewSet(viewsets.GenericViewSet):
    permission_classes = [ReadPublicly]
    serializer_class = KPISerializer
    queryset = KPI.objects.none()
    parser_classes = [ObjectJSONParser, MultiPartParser, FormParser]

    def _serializer(self) -> type[KPISerializer]:
        return KPIInternalSerializer if queries.sees_internal(self.request.user) else KPISerializer

    def _with_results(self, plan: Plan, kpis: list[KPI]) -> dict[str, Any]:
        period = Period(self.request, plan)
        if period.problems:
            raise RongnganValidationError(period.problems)
        results = {}
        if period.available and kpis:
            for r in measure.kpi_results(plan, period.year, as_of=period.as_of, kpis=kpis):
                results[r.kpi.pk] = r
        return {"results": results, "request": self.request}

    def _object(self, pk: str) -> KPI:
        plans = queries.plans_for_user(self.request.user)
        kpi = KPI.objects.filter(plan__in=plans, pk=pk).select_related("plan", "strategy").first()
        if kpi is None:
            raise Http404
        return kpi

    @extend_schema(parameters=[PLAN_PARAM, YEAR_PARAM, QUARTER_PARAM])
    def list(self, request: Request) -> Response:
        """The plan's KPIs with target, current value and status for the year."""
        plan = _plan_from(request)
        qs = (
            queries.kpis(plan)
            .select_related("plan")
            .prefetch_related(
                Prefetch("targets", queryset=KPITarget.objects.order_by("fiscal_year"))
            )
        )
        page = self.paginate_queryset(qs)
        context = self._with_results(plan, list(page))
        return self.get_paginated_response(
            self._serializer()(page, many=True, context=context).data
        )

    @extend_schema(parameters=[YEAR_PARAM, QUARTER_PARAM])
    def retrieve(self, request: Request, pk: str) -> Response:
        kpi = self._object(pk)
        context = self._with_results(kpi.plan, [kpi])
        return Response(self._serializer()(kpi, context=context).data)

    @extend_schema(
        parameters=[PLAN_PARAM], request=KPIWrite, responses={201: KPISerializer, 400: ERRORS}
    )
    @idempotent
    def create(self, request: Request) -> Response:
        kpi = services.kpi_save(
            acting_user=request.user, plan=_plan_from(request), data=request.data
        )
        return Response(KPIInternalSerializer(kpi).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=KPIWrite, responses={200: KPISerializer, 400: ERRORS, 412: ERRORS})
    def partial_update(self, request: Request, pk: str) -> Response:
        kpi = self._object(pk)
        try:
            kpi = _saved(
                request,
                lambda version: services.kpi_save(
                    acting_user=request.user,
                    plan=kpi.plan,
                    data=request.data,
                    kpi=kpi,
                    version=version,
                ),
            )
        except StaleVersion as exc:
            return _stale_response(exc)
        return Response(KPIInternalSerializer(kpi).data)

    @extend_schema(methods=["GET"], responses=MeasurementInternalSerializer(many=True))
    @extend_schema(
        methods=["POST"],
        request=MeasurementWrite,
        responses={201: MeasurementInternalSerializer, 400: ERRORS},
    )
    @action(detail=True, methods=["get", "post"])
    def measurements(self, request: Request, pk: str) -> Response:
        """Values entered by hand (and overrides); the public sees finished quarters, no notes."""
        kpi = self._object(pk)
        if request.method == "POST":
            return self._record(request, kpi)
        internal = queries.sees_internal(request.user)
        qs = queries.measurements(kpi, request.user, include_superseded=internal)
        serializer = MeasurementInternalSerializer if internal else MeasurementSerializer
        return Response(serializer(qs, many=True, context={"request": request, "kpi": kpi}).data)

    @idempotent
    def _record(self, request: Request, kpi: KPI) -> Response:
        if not request.user.is_authenticated:
            raise PermissionError
        data = {k: v for k, v in request.data.items() if k != "evidence_file"}
        m = services.measurement_record(
            acting_user=request.user,
            kpi=kpi,
            data=data,
            evidence_file=request.FILES.get("evidence_file"),
        )
        return Response(
            MeasurementInternalSerializer(m, context={"request": request, "kpi": kpi}).data,
            status=status.HTTP_201_CREATED,
        )
