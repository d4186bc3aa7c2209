"""REST API of the register: thin, calls queries and services."""

import io
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from rongngan.core.api import problem_response
from rongngan.core.errors import Problem, RongnganValidationError
from rongngan.core.idempotency import idempotent
from rongngan.core.models import Province
from rongngan.core.parsers import ObjectJSONParser
from rongngan.core.scoping import can_register, sees_internal_fields
from rongngan.registry import exports, queries, services
from rongngan.registry.importer import check_upload, import_file
from rongngan.registry.models import (
    Factory,
    FactoryAssignment,
    FactoryType,
    ImportJob,
    Machine,
)

_FILE_REQUIRED = _("Choose a CSV or Excel file.")

PUBLIC_FIELDS = [
    "id",
    "registration_no",
    "former_registration_no",
    "name_th",
    "name_en",
    "type_codes",
    "primary_type",
    "factory_class",
    "status",
    "province",
    "province_name_th",
    "province_name_en",
    "district",
    "district_name_th",
    "district_name_en",
    "subdistrict",
    "latitude",
    "longitude",
    "in_industrial_estate",
    "estate_name",
]
INTERNAL_FIELDS = [
    "juristic_id",
    "operator",
    "operator_name",
    "address",
    "postcode",
    "horsepower",
    "workers",
    "capital",
    "licensed_on",
    "started_on",
    "contact_name",
    "contact_phone",
    "contact_email",
    "created_at",
    "updated_at",
]


class FactoryPublicSerializer(serializers.ModelSerializer):
    type_codes = serializers.SerializerMethodField()
    primary_type = serializers.CharField(source="primary_type.code")
    province_name_th = serializers.CharField(source="province.name_th")
    province_name_en = serializers.CharField(source="province.name_en")
    district_name_th = serializers.CharField(source="district.name_th")
    district_name_en = serializers.CharField(source="district.name_en")

    class Meta:
        model = Factory
        fields = PUBLIC_FIELDS

    def get_type_codes(self, obj: Factory) -> list[str]:
        return [t.code for t in obj.types.all()]


class FactorySerializer(FactoryPublicSerializer):
    operator = serializers.CharField(source="operator.code")
    operator_name = serializers.CharField(source="operator.name_th")

    class Meta:
        model = Factory
        fields = PUBLIC_FIELDS + INTERNAL_FIELDS


class FactoryWriteSerializer(serializers.Serializer):
    """Documents the accepted fields; validation itself is registry.validation.clean_factory."""

    registration_no = serializers.CharField(help_text="14-digit or legacy form, e.g. 3-106-33/50รย")
    former_registration_no = serializers.CharField(required=False)
    name_th = serializers.CharField()
    name_en = serializers.CharField(required=False)
    juristic_id = serializers.CharField(required=False, help_text="13 digits with check digit")
    operator = serializers.CharField(required=False, help_text="operator organisation code")
    operator_name = serializers.CharField(required=False)
    type_codes = serializers.ListField(child=serializers.CharField(), help_text='e.g. ["101"]')
    primary_type = serializers.CharField(required=False)
    factory_class = serializers.IntegerField(min_value=1, max_value=3)
    status = serializers.ChoiceField(["operating", "suspended", "closed"], required=False)
    address = serializers.CharField(required=False)
    province = serializers.CharField(help_text="code, Thai or English name")
    district = serializers.CharField(help_text="code, Thai or English name")
    subdistrict = serializers.CharField(required=False)
    postcode = serializers.CharField(required=False)
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, required=False)
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6, required=False)
    horsepower = serializers.DecimalField(max_digits=12, decimal_places=2, required=False)
    workers = serializers.IntegerField(required=False)
    capital = serializers.DecimalField(max_digits=16, decimal_places=2, required=False)
    licensed_on = serializers.DateField(required=False)
    started_on = serializers.DateField(required=False)
    in_industrial_estate = serializers.BooleanField(required=False)
    estate_name = serializers.CharField(required=False)
    contact_name = serializers.CharField(required=False)
    contact_phone = serializers.CharField(required=False)
    contact_email = serializers.EmailField(required=False)
    version = serializers.CharField(
        required=False,
        help_text="updates only: the updated_at of the record read; 409 (stale) if it changed "
        "since. Or send its ETag as If-Match (412).",
    )


class MachineSerializer(serializers.ModelSerializer):
    class Meta:
        model = Machine
        fields = ["id", "factory", *services.MACHINE_FIELDS, "created_at", "updated_at"]
        read_only_fields = fields


ERRORS = inline_serializer(
    "Errors",
    {
        "errors": serializers.ListField(
            child=inline_serializer(
                "Error",
                {
                    "row": serializers.IntegerField(required=False),
                    "field": serializers.CharField(allow_null=True),
                    "code": serializers.CharField(),
                    "message_th": serializers.CharField(),
                    "message_en": serializers.CharField(),
                },
            )
        )
    },
)

LIST_PARAMETERS = [
    OpenApiParameter("q", str, description="Thai or English words, registration no. or ID"),
    OpenApiParameter("province", str, description="province code, e.g. 21 (Rayong)"),
    OpenApiParameter("district", str, description="district code"),
    OpenApiParameter("category", str, description="factory type code, e.g. 101"),
    OpenApiParameter("factory_class", int, enum=[1, 2, 3]),
    OpenApiParameter("status", str, enum=["operating", "suspended", "closed"]),
    OpenApiParameter("estate", bool, description="in an industrial estate"),
]


class ReadPublicly(permissions.BasePermission):
    """Reading is open (published fields only for the public); writing needs a signed-in user."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        return bool(request.user and request.user.is_authenticated)


def _with_relations(qs: QuerySet[Factory]) -> QuerySet[Factory]:
    return qs.select_related("province", "district", "primary_type", "operator").prefetch_related(
        Prefetch("types", queryset=FactoryType.objects.only("code"))
    )


class FactoryViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    permission_classes = [ReadPublicly]
    parser_classes = [ObjectJSONParser, MultiPartParser, FormParser]
    queryset = Factory.objects.none()

    def get_serializer_class(self) -> type[serializers.Serializer]:
        if getattr(self, "swagger_fake_view", False):
            return FactorySerializer
        return (
            FactorySerializer
            if sees_internal_fields(self.request.user)
            else FactoryPublicSerializer
        )

    def get_queryset(self) -> QuerySet[Factory]:
        return _with_relations(queries.factory_search(self.request.user, self.request.query_params))

    def get_object(self) -> Factory:
        return queries.factory_for_user(self.request.user, self.kwargs["pk"])

    @extend_schema(parameters=LIST_PARAMETERS)
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(request=FactoryWriteSerializer, responses={201: FactorySerializer, 400: ERRORS})
    @idempotent
    def create(self, request: Request) -> Response:
        if not can_register(request.user):
            raise PermissionError
        factory = services.factory_create(acting_user=request.user, data=request.data)
        return Response(FactorySerializer(_reload(factory)).data, status=status.HTTP_201_CREATED)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        factory = self.get_object()
        response = Response(self.get_serializer(factory).data)
        if sees_internal_fields(request.user):
            response["ETag"] = _etag(factory)
        return response

    @extend_schema(
        request=FactoryWriteSerializer,
        parameters=[
            OpenApiParameter(
                "If-Match",
                str,
                location=OpenApiParameter.HEADER,
                required=False,
                description="the ETag of the record the change is made on (412 if it changed)",
            )
        ],
        responses={200: FactorySerializer, 400: ERRORS, 409: ERRORS, 412: ERRORS},
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        factory = queries.factory_for_user(request.user, pk, write=True)
        data, version = _without_version(request.data)
        if_match = request.headers.get("If-Match")
        expected = _etag_value(if_match) if if_match else version
        try:
            factory = services.factory_update(
                acting_user=request.user, factory=factory, data=data, expected_version=expected
            )
        except services.StaleVersion as exc:
            return problem_response(exc.problems, 412 if if_match else 409)
        response = Response(FactorySerializer(_reload(factory)).data)
        response["ETag"] = _etag(factory)
        return response

    @extend_schema(request=FactoryWriteSerializer, responses={200: FactorySerializer, 400: ERRORS})
    def update(self, request: Request, pk: str) -> Response:
        return self.partial_update(request, pk)

    @extend_schema(
        parameters=[*LIST_PARAMETERS, OpenApiParameter("as", str, enum=["csv", "xlsx"])],
        responses={(200, "text/csv"): OpenApiTypes.BINARY},
    )
    @action(detail=False, methods=["get"])
    def export(self, request: Request) -> HttpResponse:
        kind = request.query_params.get("as", "csv")
        qs = queries.factory_search(request.user, request.query_params)
        return exports.factories_response(
            qs, kind=kind, internal=sees_internal_fields(request.user)
        )

    @extend_schema(
        request=inline_serializer(
            "FactoryImport",
            {
                "file": serializers.FileField(),
                "dry_run": serializers.BooleanField(default=True),
                "background": serializers.BooleanField(default=False),
            },
        ),
        responses={200: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT},
    )
    @action(detail=False, methods=["post"], url_path="import")
    def import_(self, request: Request) -> Response:
        """Import a CSV or .xlsx file; dry_run (default true) only reports."""
        if not can_register(request.user):
            raise PermissionError
        upload = request.FILES.get("file")
        if upload is None:
            raise RongnganValidationError([Problem("file", "required", _FILE_REQUIRED)])
        check_upload(upload)
        dry_run = str(request.data.get("dry_run", "true")).lower() not in {"0", "false", "no"}
        if str(request.data.get("background", "")).lower() in {"1", "true", "yes"}:
            job = services.import_job_start(
                acting_user=request.user, upload=upload, dry_run=dry_run
            )
            return Response(ImportJobSerializer(job).data, status=status.HTTP_202_ACCEPTED)
        report = import_file(
            acting_user=request.user,
            stream=io.BytesIO(upload.read()),
            filename=upload.name,
            dry_run=dry_run,
        )
        data = report.as_dict()
        if report.problem_count:
            return Response({**data, "errors": data["problems"]}, status=400)
        return Response(data, status=201 if report.created else 200)


class ImportJobSerializer(serializers.ModelSerializer):
    class Meta:
        model = ImportJob
        fields = ["id", "filename", "dry_run", "status", "created_at", "finished_at", "report"]
        read_only_fields = fields


class ImportJobViewSet(viewsets.ReadOnlyModelViewSet):
    """Background imports: each user sees their own; national officers see all."""

    serializer_class = ImportJobSerializer

    def get_queryset(self) -> QuerySet[ImportJob]:
        return queries.import_jobs_for_user(self.request.user)


def _etag(factory: Factory | Machine) -> str:
    return f'"{services.factory_version(factory)}"'


def _etag_value(header: str) -> str:
    """The version in an If-Match header: its first entity tag, without W/ and quotes."""
    tag = header.split(",")[0].strip()
    tag = tag.removeprefix("W/")
    return tag.strip('"')


def _without_version(data: Any) -> tuple[Any, str | None]:
    """The body without its optional "version" (the updated_at the client read)."""
    if "version" not in data:
        return data, None
    copy = data.copy()
    version = copy.pop("version")
    if isinstance(version, list):  # a QueryDict pops every value of the key
        version = version[-1] if version else None
    return copy, None if version is None else str(version)


def _reload(factory: Factory) -> Factory:
    return _with_relations(Factory.objects.filter(pk=factory.pk)).get()


class MachineViewSet(viewsets.GenericViewSet):
    permission_classes = [permissions.IsAuthenticated]
    serializer_class = MachineSerializer
    queryset = Machine.objects.none()

    def _factory(self, write: bool = False) -> Factory:
        return queries.factory_for_user(self.request.user, self.kwargs["factory_pk"], write=write)

    def list(self, request: Request, factory_pk: str) -> Response:
        factory = self._factory()
        qs = queries.machines_for_user(request.user).filter(factory=factory)
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(MachineSerializer(page, many=True).data)

    def retrieve(self, request: Request, factory_pk: str, pk: str) -> Response:
        machine = queries.machine_for_user(request.user, self._factory(), pk)
        response = Response(MachineSerializer(machine).data)
        response["ETag"] = _etag(machine)
        return response

    @extend_schema(request=MachineSerializer, responses={201: MachineSerializer, 400: ERRORS})
    @idempotent
    def create(self, request: Request, factory_pk: str) -> Response:
        factory = self._factory(write=True)
        machine = services.machine_add(acting_user=request.user, factory=factory, data=request.data)
        return Response(MachineSerializer(machine).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=MachineSerializer,
        responses={200: MachineSerializer, 400: ERRORS, 409: ERRORS, 412: ERRORS},
        parameters=[
            OpenApiParameter(
                "If-Match",
                str,
                OpenApiParameter.HEADER,
                description="the ETag of the machine the change is made on (412 if it changed)",
            )
        ],
    )
    def partial_update(self, request: Request, factory_pk: str, pk: str) -> Response:
        factory = self._factory(write=True)
        machine = queries.machine_for_user(request.user, factory, pk, write=True)
        data, version = _without_version(request.data)
        if_match = request.headers.get("If-Match")
        try:
            machine = services.machine_update(
                acting_user=request.user,
                machine=machine,
                data=data,
                expected_version=_etag_value(if_match) if if_match else version,
            )
        except services.StaleVersion as exc:
            return problem_response(exc.problems, 412 if if_match else 409)
        response = Response(MachineSerializer(machine).data)
        response["ETag"] = _etag(machine)
        return response


class FactoryTypeSerializer(serializers.ModelSerializer):
    class Meta:
        model = FactoryType
        fields = ["code", "name_th", "name_en", "waste_service"]


class FactoryTypeViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [permissions.AllowAny]
    serializer_class = FactoryTypeSerializer
    queryset = FactoryType.objects.all()
    lookup_field = "code"
    pagination_class = None


class SubdistrictOut(serializers.Serializer):
    code = serializers.CharField()
    name_th = serializers.CharField()
    name_en = serializers.CharField()
    postcodes = serializers.SerializerMethodField()

    def get_postcodes(self, obj: Any) -> list[str]:
        return obj.postcodes.split()


class DistrictOut(serializers.Serializer):
    code = serializers.CharField()
    name_th = serializers.CharField()
    name_en = serializers.CharField()


class DistrictWithSubdistricts(DistrictOut):
    subdistricts = SubdistrictOut(many=True)


class ProvinceSerializer(serializers.ModelSerializer):
    districts = DistrictOut(many=True)

    class Meta:
        model = Province
        fields = ["code", "name_th", "name_en", "districts"]


class ProvinceDetailSerializer(ProvinceSerializer):
    districts = DistrictWithSubdistricts(many=True)


class ProvinceViewSet(viewsets.ReadOnlyModelViewSet):
    """The 77 provinces with their districts; one province also lists its subdistricts."""

    permission_classes = [permissions.AllowAny]
    lookup_field = "code"
    pagination_class = None

    def get_queryset(self) -> QuerySet[Province]:
        if self.action == "retrieve":
            return Province.objects.prefetch_related("districts__subdistricts")
        return Province.objects.prefetch_related("districts")

    def get_serializer_class(self) -> type[serializers.Serializer]:
        return ProvinceDetailSerializer if self.action == "retrieve" else ProvinceSerializer


class AssignmentSerializer(serializers.ModelSerializer):
    inspector = serializers.CharField(source="inspector.username")

    class Meta:
        model = FactoryAssignment
        fields = ["id", "factory", "inspector", "reason", "is_active", "assigned_at"]
        read_only_fields = fields


class AssignmentViewSet(viewsets.GenericViewSet):
    """Inspector cases of a factory: officers (in their reach) list, assign and end them."""

    serializer_class = AssignmentSerializer
    queryset = FactoryAssignment.objects.none()

    def _factory(self) -> Factory:
        factory = queries.factory_for_user(self.request.user, self.kwargs["factory_pk"], write=True)
        if not can_register(self.request.user):
            raise PermissionError
        return factory

    def list(self, request: Request, factory_pk: str) -> Response:
        qs = queries.factory_assignments(self._factory())
        return Response(AssignmentSerializer(qs, many=True).data)

    @extend_schema(
        request=inline_serializer(
            "AssignmentRequest",
            {"inspector": serializers.CharField(), "reason": serializers.CharField(required=False)},
        ),
        responses={201: AssignmentSerializer, 400: ERRORS},
    )
    @idempotent
    def create(self, request: Request, factory_pk: str) -> Response:
        factory = self._factory()
        name = str(request.data.get("inspector") or "")
        inspector = queries.inspectors().filter(username=name).first()
        assignment = services.factory_assign_inspector(
            acting_user=request.user,
            factory=factory,
            inspector=inspector,
            reason=str(request.data.get("reason") or ""),
        )
        return Response(AssignmentSerializer(assignment).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: AssignmentSerializer})
    def end(self, request: Request, factory_pk: str, pk: str) -> Response:
        assignment = queries.factory_assignments(self._factory()).filter(pk=pk).first()
        if assignment is None:
            raise Http404
        assignment = services.assignment_end(acting_user=request.user, assignment=assignment)
        return Response(AssignmentSerializer(assignment).data)
