"""REST API of industrial waste: /api/v1/waste/...

Thin, like the pages: every read goes through `queries` (scoped to who asks), every write is a
service call that validates everything and raises RongnganValidationError (400, each problem with
field, code and both languages) or PermissionError (403). The List of Waste, the operations and
the listing of processors are public; streams, approvals and manifests need a signed-in user.

A signed manifest is never updated (no PUT or PATCH): it changes only by the next signature in
order and by corrections, each of which makes a new version.
"""

import re
from collections.abc import Callable, Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotAuthenticated, PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from rongngan.core.api import NOT_FOUND
from rongngan.core.errors import Problem, RongnganValidationError
from rongngan.core.idempotency import idempotent
from rongngan.core.parsers import NOT_AN_OBJECT
from rongngan.core.scoping import role_of
from rongngan.core.thai import parse_thai_date
from rongngan.registry.api import ERRORS, ReadPublicly
from rongngan.registry.models import Factory
from rongngan.registry.validation import MSG as REGISTRY_MSG
from rongngan.waste import queries, services
from rongngan.waste.codes import normalize_code, normalize_operation
from rongngan.waste.models import (
    KG_PER_TONNE,
    AnnualReport,
    Approval,
    Correction,
    GenerationRecord,
    Manifest,
    ManifestLine,
    ManifestTransporter,
    ManifestVersion,
    Operation,
    ProcessorPermit,
    Signature,
    StoragePermission,
    WasteCode,
    WasteStream,
)

SHAPE = _("This field has the wrong shape; see the API schema (/api/v1/docs/).")

TRUE = {"1", "true", "yes", "on"}
FALSE = {"0", "false", "no", "off"}
VIEWS = ("generator", "transporter", "processor")
LEVELS = (*WasteCode.Level.values, "all")


def _invalid(field: str | None, code: str, message: Any, **params: Any) -> None:
    raise RongnganValidationError([Problem(field, code, message, params)])


def _choice(field: str, value: str, choices: tuple[str, ...] | list[str]) -> None:
    if value not in choices:
        _invalid(
            field,
            "invalid_choice",
            REGISTRY_MSG["invalid_choice"],
            value=value,
            choices=", ".join(choices),
        )


def _boolean(field: str, raw: Any, *, required: bool = False) -> bool | None:
    if isinstance(raw, bool):
        return raw
    text = "" if raw is None else str(raw).strip().lower()
    if not text:
        if required:
            _invalid(field, "required", REGISTRY_MSG["required"])
        return None
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    _invalid(field, "invalid_boolean", REGISTRY_MSG["invalid_boolean"], value=raw)
    return None  # not reached


def _body(request: Request) -> Mapping[str, Any]:
    if not isinstance(request.data, Mapping):
        _invalid(None, "not_an_object", NOT_AN_OBJECT)
    return request.data


def _list_of_objects(data: Mapping[str, Any], name: str) -> None:
    """Services read `lines` item by item as objects: refuse other shapes before they do."""
    raw = data.get(name)
    if raw in (None, "", []):
        return
    if not isinstance(raw, list) or not all(isinstance(i, Mapping) for i in raw):
        _invalid(name, "invalid", SHAPE)


def _list(data: Mapping[str, Any], name: str) -> None:
    raw = data.get(name)
    if raw not in (None, "", []) and not isinstance(raw, list):
        _invalid(name, "invalid", SHAPE)


def _map_of_objects(data: Mapping[str, Any], name: str) -> None:
    raw = data.get(name)
    if raw in (None, "", {}):
        return
    if not isinstance(raw, Mapping) or not all(isinstance(v, Mapping) for v in raw.values()):
        _invalid(name, "invalid", SHAPE)


def _one(qs: QuerySet, pk: Any, what: str) -> Any:
    """The object `pk` of an already scoped queryset, or 404."""
    obj = qs.filter(pk=pk).first() if str(pk).isdecimal() else None
    if obj is None:
        raise Http404(f"no such {what}")
    return obj


def _referenced(data: Mapping[str, Any], field: str, qs: QuerySet) -> Any:
    """The object a request body names by id in `field`, from `qs`: 400 at that field if the
    reference is missing or names nothing the caller may use."""
    ref = str(data.get(field) or "").strip()
    if not ref:
        _invalid(field, "required", REGISTRY_MSG["required"])
    obj = qs.filter(pk=ref).first() if ref.isdecimal() else None
    if obj is None:
        _invalid(field, "not_found", NOT_FOUND)
    return obj


def _of_generator(qs: QuerySet, request: Request) -> QuerySet:
    """`?generator=<factory id>` narrows a list to one generator's records."""
    generator = request.query_params.get("generator", "")
    return qs.filter(generator_id=int(generator)) if generator.isdecimal() else qs


def _problems(warnings: list[Problem]) -> list[dict[str, Any]]:
    return [w.as_dict() for w in warnings]


# --------------------------------------------------------------------------------------------
# Serializers (output). Quantities are decimal strings, never floats.


def _qty(**kwargs: Any) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=18, decimal_places=4, coerce_to_string=True, read_only=True, **kwargs
    )


PROBLEM = inline_serializer(
    "WasteWarning",
    {
        "field": serializers.CharField(allow_null=True),
        "code": serializers.CharField(),
        "message_th": serializers.CharField(),
        "message_en": serializers.CharField(),
    },
)


class WasteCodeSerializer(serializers.ModelSerializer):
    display = serializers.CharField(read_only=True, help_text='e.g. "16 06 01"')
    hazardous = serializers.BooleanField(read_only=True)
    level = serializers.CharField(read_only=True, help_text="chapter, subchapter or entry")
    hazard = serializers.CharField(read_only=True, help_text='"", "absolute" or "mirror"')

    class Meta:
        model = WasteCode
        fields = [
            "code",
            "display",
            "level",
            "chapter",
            "subchapter",
            "description_en",
            "description_th",
            "hazardous",
            "hazard",
            "mirror_of",
            "diw_mark",
        ]


class WasteOperationSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(read_only=True, help_text="recovery or disposal")

    class Meta:
        model = Operation
        fields = ["code", "kind", "final", "description_en", "description_th"]


_TONNES = serializers.DecimalField(
    max_digits=18, decimal_places=4, coerce_to_string=True, rounding=ROUND_HALF_UP
)


class ProcessorPermitOut(serializers.Serializer):
    code = serializers.CharField(source="waste_code_id")
    operation = serializers.CharField(source="operation_id")
    capacity_tonnes = _qty()


class WasteProcessorSerializer(serializers.ModelSerializer):
    province_name_th = serializers.CharField(source="province.name_th", read_only=True)
    province_name_en = serializers.CharField(source="province.name_en", read_only=True)
    district_name_th = serializers.CharField(source="district.name_th", read_only=True)
    district_name_en = serializers.CharField(source="district.name_en", read_only=True)
    received_tonnes = serializers.SerializerMethodField(
        help_text="accepted this fiscal year, tonnes (decimal string)"
    )
    mark = serializers.CharField(read_only=True, allow_null=True)
    mark_year = serializers.IntegerField(read_only=True, allow_null=True)
    permits = ProcessorPermitOut(source="current_permits", many=True, read_only=True)

    class Meta:
        model = Factory
        fields = [
            "id",
            "name_th",
            "name_en",
            "registration_no",
            "province",
            "province_name_th",
            "province_name_en",
            "district",
            "district_name_th",
            "district_name_en",
            "received_tonnes",
            "mark",
            "mark_year",
            "permits",
        ]

    def get_received_tonnes(self, obj: Factory) -> str:
        kg = getattr(obj, "received_kg", None) or 0
        return _TONNES.to_representation(kg / KG_PER_TONNE)


class WasteStreamSerializer(serializers.ModelSerializer):
    generator_name_th = serializers.CharField(source="generator.name_th", read_only=True)
    waste_code_display = serializers.CharField(source="waste_code.display", read_only=True)
    expected_tonnes = _qty()

    class Meta:
        model = WasteStream
        fields = [
            "id",
            "generator",
            "generator_name_th",
            "waste_code",
            "waste_code_display",
            "description",
            "hazardous",
            "expected_tonnes",
            "is_active",
            "created_at",
        ]


class WasteApprovalSerializer(serializers.ModelSerializer):
    generator = serializers.IntegerField(source="stream.generator_id", read_only=True)
    generator_name_th = serializers.CharField(source="stream.generator.name_th", read_only=True)
    waste_code = serializers.CharField(source="stream.waste_code_id", read_only=True)
    processor_name_th = serializers.CharField(source="processor.name_th", read_only=True)
    status = serializers.CharField(
        source="shown_status",
        read_only=True,
        help_text="requested, approved, refused, or expired (approved, valid_until has passed)",
    )
    quantity_tonnes = _qty()

    class Meta:
        model = Approval
        fields = [
            "id",
            "stream",
            "generator",
            "generator_name_th",
            "waste_code",
            "processor",
            "processor_name_th",
            "operation",
            "quantity_tonnes",
            "status",
            "requested_at",
            "decided_at",
            "reason",
            "valid_until",
        ]


MANIFEST_FIELDS = [
    "id",
    "number",
    "status",
    "version",
    "generator",
    "generator_name_th",
    "processor",
    "processor_name_th",
    "approval",
    "operation",
    "final_operation",
    "previous",
    "is_return",
    "created_at",
    "shipped_at",
    "received_at",
    "processed_at",
    "discrepancy",
    "discrepancy_resolved_at",
    "escalated_at",
    "cancelled_at",
    "cancel_reason",
]


class ManifestSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True, help_text=", ".join(Manifest.Status.values))
    generator_name_th = serializers.CharField(source="generator.name_th", read_only=True)
    processor_name_th = serializers.CharField(source="processor.name_th", read_only=True)

    class Meta:
        model = Manifest
        fields = MANIFEST_FIELDS


class ManifestLineOut(serializers.ModelSerializer):
    waste_code_display = serializers.CharField(source="waste_code.display", read_only=True)
    unit = serializers.CharField(read_only=True, help_text="kg, t, L or m3")
    quantity = _qty()
    density = serializers.DecimalField(
        max_digits=10, decimal_places=4, coerce_to_string=True, read_only=True, allow_null=True
    )
    quantity_kg = _qty()
    received_kg = _qty(allow_null=True)
    accepted_kg = _qty(allow_null=True)
    refused_kg = _qty(allow_null=True)
    discrepancies = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = ManifestLine
        fields = [
            "number",
            "waste_code",
            "waste_code_display",
            "hazardous",
            "quantity",
            "unit",
            "density",
            "quantity_kg",
            "bulk",
            "container_type",
            "container_count",
            "received_kg",
            "received_containers",
            "received_code",
            "accepted_kg",
            "refused_kg",
            "discrepancies",
        ]


class ManifestTransporterOut(serializers.ModelSerializer):
    organisation = serializers.IntegerField(source="transporter_id", read_only=True)
    organisation_code = serializers.CharField(source="transporter.code", read_only=True)
    name_th = serializers.CharField(source="transporter.name_th", read_only=True)
    name_en = serializers.CharField(source="transporter.name_en", read_only=True)

    class Meta:
        model = ManifestTransporter
        fields = ["order", "organisation", "organisation_code", "name_th", "name_en", "vehicle"]


class ManifestSignatureOut(serializers.ModelSerializer):
    step = serializers.CharField(
        read_only=True, help_text="generator, transporter, receipt or processed"
    )
    signed_by = serializers.CharField(source="signed_by.username", read_only=True)

    class Meta:
        model = Signature
        fields = ["step", "transporter_order", "signed_by", "signed_at", "recorded_at"]


class ManifestVersionOut(serializers.ModelSerializer):
    created_by = serializers.CharField(source="created_by.username", read_only=True)
    event = serializers.CharField(
        read_only=True, help_text="signed (the generator's signature) or corrected"
    )
    snapshot = serializers.JSONField(read_only=True)
    changes = serializers.JSONField(read_only=True)

    class Meta:
        model = ManifestVersion
        fields = ["number", "event", "snapshot", "changes", "reason", "created_by", "created_at"]


class ManifestCorrectionSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True, help_text="open, applied or withdrawn")
    changes = serializers.JSONField(read_only=True)
    opened_by = serializers.CharField(source="opened_by.username", read_only=True)
    closed_by = serializers.CharField(source="closed_by.username", read_only=True, default=None)

    class Meta:
        model = Correction
        fields = [
            "id",
            "status",
            "changes",
            "reason",
            "opened_by",
            "opened_at",
            "closed_by",
            "closed_at",
        ]


class ManifestDetailSerializer(ManifestSerializer):
    lines = ManifestLineOut(many=True, read_only=True)
    transporters = ManifestTransporterOut(many=True, read_only=True)
    signatures = ManifestSignatureOut(many=True, read_only=True)
    versions = ManifestVersionOut(many=True, read_only=True)
    corrections = ManifestCorrectionSerializer(many=True, read_only=True)

    class Meta(ManifestSerializer.Meta):
        fields = [
            *MANIFEST_FIELDS,
            "lines",
            "transporters",
            "signatures",
            "versions",
            "corrections",
        ]


class ManifestOutcomeSerializer(ManifestDetailSerializer):
    """A manifest as written, with the warnings of the write (saved, not errors)."""

    warnings = serializers.ListField(child=PROBLEM, read_only=True)

    class Meta(ManifestDetailSerializer.Meta):
        fields = [*ManifestDetailSerializer.Meta.fields, "warnings"]


# --------------------------------------------------------------------------------------------
# Request bodies, for the schema: the services parse and validate them (strings or numbers).

NUMBER = {"help_text": "a decimal, as a string or a number"}

STREAM_WRITE = inline_serializer(
    "WasteStreamWrite",
    {
        "generator": serializers.IntegerField(help_text="factory id"),
        "waste_code": serializers.CharField(help_text='any written form, e.g. "16 06 01*"'),
        "description": serializers.CharField(),
        "expected_tonnes": serializers.CharField(**NUMBER),
        "hazardous": serializers.BooleanField(
            required=False, help_text="only for mirror entries; fixed by the list otherwise"
        ),
    },
)
APPROVAL_WRITE = inline_serializer(
    "WasteApprovalWrite",
    {
        "stream": serializers.IntegerField(),
        "processor": serializers.IntegerField(help_text="factory id of a permitted processor"),
        "operation": serializers.CharField(help_text="R1-R13 or D1-D15"),
        "quantity_tonnes": serializers.CharField(**NUMBER),
    },
)
APPROVAL_DECISION = inline_serializer(
    "WasteApprovalDecision",
    {
        "approve": serializers.BooleanField(),
        "reason": serializers.CharField(required=False, help_text="required to refuse"),
        "valid_until": serializers.DateField(
            required=False, help_text="default: one year from today"
        ),
    },
)
LINE_WRITE = inline_serializer(
    "WasteManifestLineWrite",
    {
        "waste_code": serializers.CharField(),
        "quantity": serializers.CharField(**NUMBER),
        "unit": serializers.CharField(help_text="kg, t, L or m3"),
        "density": serializers.CharField(required=False, help_text="kg/L, for L and m3"),
        "bulk": serializers.BooleanField(required=False),
        "container_type": serializers.CharField(required=False),
        "container_count": serializers.IntegerField(required=False),
    },
)


class WasteManifestTransporterWrite(serializers.Serializer):
    organisation = serializers.CharField(help_text="transporter organisation code or id")
    vehicle = serializers.CharField(required=False)


MANIFEST_WRITE = inline_serializer(
    "WasteManifestWrite",
    {
        "approval": serializers.IntegerField(),
        "lines": serializers.ListField(child=LINE_WRITE),
        "transporters": serializers.ListField(
            child=WasteManifestTransporterWrite(), help_text="in the order they carry the waste"
        ),
        "previous": serializers.IntegerField(required=False),
    },
)
SIGN = inline_serializer(
    "WasteSign",
    {"signed_at": serializers.DateTimeField(required=False, help_text="default: now")},
)
RECEIVE = inline_serializer(
    "WasteReceive",
    {
        "lines": serializers.ListField(
            child=inline_serializer(
                "WasteReceiveLine",
                {
                    "number": serializers.IntegerField(),
                    "received_quantity": serializers.CharField(**NUMBER),
                    "unit": serializers.CharField(required=False, help_text="default kg"),
                    "density": serializers.CharField(required=False),
                    "refused_quantity": serializers.CharField(required=False),
                    "received_containers": serializers.IntegerField(required=False),
                    "received_code": serializers.CharField(required=False),
                },
            )
        ),
        "signed_at": serializers.DateTimeField(required=False),
    },
)
PROCESS = inline_serializer(
    "WasteProcess",
    {
        "operation": serializers.CharField(help_text="the operation applied"),
        "signed_at": serializers.DateTimeField(required=False),
    },
)
REROUTE = inline_serializer(
    "WasteReroute",
    {
        "approval": serializers.IntegerField(help_text="an approval for the next processor"),
        "transporters": serializers.ListField(child=WasteManifestTransporterWrite()),
    },
)
RETURN = inline_serializer(
    "WasteReturn",
    {"transporters": serializers.ListField(child=WasteManifestTransporterWrite())},
)
CORRECT = inline_serializer(
    "WasteCorrect",
    {
        "reason": serializers.CharField(),
        "lines": serializers.DictField(
            child=serializers.DictField(),
            help_text='by line number: {"1": {"quantity": "1.15"}}; fields: '
            + ", ".join(sorted(services.CORRECTABLE_LINE_FIELDS)),
        ),
    },
)
NOTE = inline_serializer("WasteNote", {"note": serializers.CharField()})
REASON = inline_serializer("WasteReason", {"reason": serializers.CharField()})
WITHDRAW = inline_serializer(
    "WasteWithdraw", {"reason": serializers.CharField(required=False, help_text="optional")}
)
APPROVAL_STATES = (*Approval.Status.values, "expired")

WRITE_ERRORS = {400: ERRORS, 403: ERRORS, 404: ERRORS}


# --------------------------------------------------------------------------------------------
# Reference data and processors: public


class WasteCodeViewSet(viewsets.ReadOnlyModelViewSet):
    """The List of Waste: entries by default; search by code prefix or words."""

    permission_classes = [ReadPublicly]
    serializer_class = WasteCodeSerializer
    queryset = WasteCode.objects.none()
    lookup_field = "code"
    lookup_value_regex = "[^/]+"

    def get_queryset(self) -> QuerySet[WasteCode]:
        qs = WasteCode.objects.all()
        params = self.request.query_params
        level = params.get("level", "").strip() or WasteCode.Level.ENTRY
        _choice("level", level, LEVELS)
        if level != "all":
            qs = qs.filter(level=level)
        hazardous = _boolean("hazardous", params.get("hazardous"))
        if hazardous is not None:
            qs = qs.exclude(hazard="") if hazardous else qs.filter(hazard="")
        q = params.get("q", "").strip()
        if q:
            compact = re.sub(r"[\s.\-*]", "", q)
            try:
                qs = qs.filter(code=normalize_code(q))
            except ValueError:
                if compact.isdecimal():
                    qs = qs.filter(code__startswith=compact)
                else:
                    for word in q.split():
                        qs = qs.filter(
                            Q(description_en__icontains=word) | Q(description_th__icontains=word)
                        )
        return qs.order_by("code")

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, description='code prefix ("16 06") or words'),
            OpenApiParameter("hazardous", bool),
            OpenApiParameter("level", str, enum=list(LEVELS), description="default: entry"),
        ],
        responses={200: WasteCodeSerializer(many=True), 400: ERRORS},
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "code", str, OpenApiParameter.PATH, description='any written form: "16 06 01*"'
            )
        ]
    )
    def retrieve(self, request: Request, code: str) -> Response:
        compact = re.sub(r"[\s.\-]", "", code)
        if not re.fullmatch(r"\d{2}|\d{4}", compact):
            try:
                compact = normalize_code(code)
            except ValueError:
                raise Http404("not a waste code") from None
        obj = WasteCode.objects.filter(code=compact).first()
        if obj is None:
            raise Http404("no such waste code")
        return Response(WasteCodeSerializer(obj).data)


class OperationViewSet(viewsets.ReadOnlyModelViewSet):
    """Recovery (R1-R13) and disposal (D1-D15) operations."""

    permission_classes = [ReadPublicly]
    serializer_class = WasteOperationSerializer
    queryset = Operation.objects.order_by("sort")
    lookup_field = "code"
    pagination_class = None

    @extend_schema(parameters=[OpenApiParameter("code", str, OpenApiParameter.PATH)])
    def retrieve(self, request: Request, code: str) -> Response:
        try:
            obj = Operation.objects.filter(code=normalize_operation(code)).first()
        except ValueError:
            obj = None
        if obj is None:
            raise Http404("no such operation")
        return Response(WasteOperationSerializer(obj).data)


def _with_current_permits(processors: list[Factory]) -> list[Factory]:
    """Each processor's permits valid today (as queries.permits_of), in one query."""
    on = timezone.localdate()
    permits = (
        ProcessorPermit.objects.filter(processor__in=processors, valid_from__lte=on)
        .exclude(valid_until__lt=on)
        .select_related("waste_code", "operation")
        .order_by("waste_code_id", "operation__sort")
    )
    by_processor: dict[int, list[ProcessorPermit]] = {}
    for p in permits:
        by_processor.setdefault(p.processor_id, []).append(p)
    for f in processors:
        f.current_permits = by_processor.get(f.pk, [])
    return processors


class ProcessorViewSet(viewsets.ReadOnlyModelViewSet):
    """Waste processors with a valid permit: public, no login."""

    permission_classes = [ReadPublicly]
    serializer_class = WasteProcessorSerializer
    queryset = Factory.objects.none()

    def get_queryset(self) -> QuerySet[Factory]:
        params = self.request.query_params
        code = params.get("code", "").strip()
        if code:
            try:
                code = normalize_code(code)
            except ValueError:
                _invalid("code", "bad_code", services.MSG["bad_code"], value=code)
        operation = params.get("operation", "").strip()
        if operation:
            try:
                operation = normalize_operation(operation)
            except ValueError:
                _invalid(
                    "operation", "bad_operation", services.MSG["bad_operation"], value=operation
                )
        province = params.get("province", "").strip()
        return queries.processors(province=province, code=code, operation=operation)

    @extend_schema(
        parameters=[
            OpenApiParameter("province", str, description="province code, e.g. 21"),
            OpenApiParameter("code", str, description='waste code, any written form "16 06 01*"'),
            OpenApiParameter("operation", str, description="R1-R13, D1-D15"),
        ],
        responses={200: WasteProcessorSerializer(many=True), 400: ERRORS},
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        rows = _with_current_permits(list(page))
        return self.get_paginated_response(WasteProcessorSerializer(rows, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        obj = _one(queries.processors(), pk, "processor")
        return Response(WasteProcessorSerializer(_with_current_permits([obj])[0]).data)


# --------------------------------------------------------------------------------------------
# Streams and approvals: signed-in users, scoped


class GenerationSerializer(serializers.ModelSerializer):
    month = serializers.DateField(format="%Y-%m")
    quantity_kg = _qty()
    recorded_by = serializers.CharField(source="recorded_by.username")

    class Meta:
        model = GenerationRecord
        fields = [
            "id",
            "stream",
            "month",
            "quantity_kg",
            "note",
            "is_current",
            "replaces",
            "reason",
            "recorded_by",
            "recorded_at",
        ]


class StoragePermitSerializer(serializers.ModelSerializer):
    class Meta:
        model = StoragePermission
        fields = ["id", "stream", "valid_until", "reason", "granted_at"]


class AnnualReportSerializer(serializers.ModelSerializer):
    class Meta:
        model = AnnualReport
        fields = ["id", "generator", "year", "version", "figures", "note", "submitted_at"]


GENERATION_WRITE = inline_serializer(
    "WasteGenerationWrite",
    {
        "month": serializers.CharField(help_text="YYYY-MM"),
        "quantity": serializers.DecimalField(max_digits=18, decimal_places=4),
        "unit": serializers.ChoiceField(choices=["kg", "t"], required=False),
        "note": serializers.CharField(required=False),
    },
)
GENERATION_CORRECT = inline_serializer(
    "WasteGenerationCorrect",
    {
        "quantity": serializers.DecimalField(max_digits=18, decimal_places=4),
        "unit": serializers.ChoiceField(choices=["kg", "t"], required=False),
        "reason": serializers.CharField(),
    },
)
STORAGE_PERMIT_WRITE = inline_serializer(
    "WasteStoragePermitWrite",
    {"valid_until": serializers.DateField(), "reason": serializers.CharField()},
)
REPORT_WRITE = inline_serializer(
    "WasteAnnualReportWrite",
    {
        "generator": serializers.IntegerField(),
        "year": serializers.IntegerField(),
        "note": serializers.CharField(required=False),
    },
)
HELD = inline_serializer(
    "WasteHeld",
    {
        "stream": serializers.IntegerField(),
        "generator": serializers.IntegerField(),
        "waste_code": serializers.CharField(),
        "held_kg": serializers.DecimalField(max_digits=18, decimal_places=4),
        "oldest_made_by": serializers.DateField(),
        "days_held": serializers.IntegerField(),
        "storage_approved": serializers.BooleanField(),
    },
    many=True,
)
BALANCE = inline_serializer(
    "WasteMassBalance",
    {
        "generator": serializers.IntegerField(),
        "year": serializers.IntegerField(),
        "streams": serializers.ListField(child=serializers.DictField()),
    },
)
CAPACITY = inline_serializer(
    "WasteCapacity",
    {
        "processor": serializers.IntegerField(),
        "processor_name": serializers.CharField(),
        "province": serializers.CharField(),
        "waste_code": serializers.CharField(),
        "operation": serializers.CharField(),
        "capacity_tonnes": serializers.DecimalField(max_digits=18, decimal_places=4),
        "accepted_tonnes": serializers.DecimalField(max_digits=18, decimal_places=4),
        "share": serializers.DecimalField(max_digits=8, decimal_places=4),
    },
    many=True,
)


def _fixed(value: Any) -> Any:
    """Quantities as the same text on every database: four decimal places."""
    return str(value.quantize(Decimal("0.0001"))) if isinstance(value, Decimal) else value


class StreamViewSet(viewsets.GenericViewSet):
    """A generator's wastes; its operators (or officers) register them."""

    serializer_class = WasteStreamSerializer
    queryset = WasteStream.objects.none()

    def get_queryset(self) -> QuerySet[WasteStream]:
        qs = _of_generator(queries.streams_for_user(self.request.user), self.request)
        return qs.order_by("generator_id", "waste_code_id", "pk")

    @extend_schema(parameters=[OpenApiParameter("generator", int, description="factory id")])
    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(WasteStreamSerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(WasteStreamSerializer(self._stream(pk)).data)

    @extend_schema(request=STREAM_WRITE, responses={201: WasteStreamSerializer, **WRITE_ERRORS})
    @idempotent
    def create(self, request: Request) -> Response:
        data = _body(request)
        generator = _referenced(data, "generator", Factory.objects.all())
        stream = services.stream_register(acting_user=request.user, generator=generator, data=data)
        return Response(WasteStreamSerializer(stream).data, status=status.HTTP_201_CREATED)

    def _stream(self, pk: str) -> WasteStream:
        return _one(self.get_queryset(), pk, "stream")

    @extend_schema(
        request=GENERATION_WRITE,
        responses={200: GenerationSerializer(many=True), 201: GenerationSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["get", "post"])
    def generation(self, request: Request, pk: str) -> Response:
        """The generator's monthly log for the stream (GET), or a month logged (POST:
        month YYYY-MM, quantity, unit kg or t, note)."""
        stream = self._stream(pk)
        if request.method == "GET":
            records = stream.generation.select_related("recorded_by").order_by("month", "pk")
            return Response(GenerationSerializer(records, many=True).data)
        return self._log(request, stream)

    @idempotent
    def _log(self, request: Request, stream: WasteStream) -> Response:
        record = services.generation_record(
            acting_user=request.user, stream=stream, data=_body(request)
        )
        return Response(GenerationSerializer(record).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=GENERATION_CORRECT, responses={201: GenerationSerializer, **WRITE_ERRORS}
    )
    @action(detail=True, methods=["post"], url_path=r"generation/(?P<rid>\d+)/correct")
    def correct_generation(self, request: Request, pk: str, rid: str) -> Response:
        """Replaces a logged month (quantity, unit, reason); the old record is kept."""
        stream = self._stream(pk)
        record = _one(stream.generation.all(), rid, "record")
        return self._correct(request, record)

    @idempotent
    def _correct(self, request: Request, record: Any) -> Response:
        new = services.generation_correct(
            acting_user=request.user, record=record, data=_body(request)
        )
        return Response(GenerationSerializer(new).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=STORAGE_PERMIT_WRITE, responses={201: StoragePermitSerializer, **WRITE_ERRORS}
    )
    @action(detail=True, methods=["post"], url_path="storage-permits")
    def storage_permits(self, request: Request, pk: str) -> Response:
        """An officer allows the stream to be kept beyond 90 days (valid_until, reason)."""
        return self._permit(request, self._stream(pk))

    @idempotent
    def _permit(self, request: Request, stream: WasteStream) -> Response:
        data = _body(request)
        permission = services.storage_permit(
            acting_user=request.user,
            stream=stream,
            valid_until=str(data.get("valid_until") or ""),
            reason=str(data.get("reason") or ""),
        )
        return Response(StoragePermitSerializer(permission).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: HELD})
    @action(detail=False, methods=["get"])
    def held(self, request: Request) -> Response:
        """Waste held at the generator today, per stream in reach: quantity, the latest day the
        oldest part was made, days held and whether storage beyond 90 days was approved."""
        today = timezone.localdate()
        streams = list(self.get_queryset().select_related("waste_code"))
        held = queries.held_since([s.pk for s in streams], today)
        permitted = queries.storage_permitted(list(held), today)
        out = []
        for s in streams:
            if s.pk not in held:
                continue
            kg, oldest = held[s.pk]
            out.append(
                {
                    "stream": s.pk,
                    "generator": s.generator_id,
                    "waste_code": s.waste_code.display,
                    "held_kg": _fixed(kg),
                    "oldest_made_by": oldest.isoformat(),
                    "days_held": max(0, (today - oldest).days),
                    "storage_approved": s.pk in permitted,
                }
            )
        return Response(out)


class MassBalanceViewSet(viewsets.ViewSet):
    """Per generator and calendar year: held on 1 January, generated, shipped, held at the end."""

    @extend_schema(
        parameters=[
            OpenApiParameter("generator", int, required=True, description="factory id"),
            OpenApiParameter("year", int, required=True, description="calendar year (C.E.)"),
        ],
        responses={200: BALANCE, 400: ERRORS},
    )
    def list(self, request: Request) -> Response:
        if not request.user.is_authenticated:
            raise NotAuthenticated()
        ref = request.query_params.get("generator", "").strip()
        raw_year = request.query_params.get("year", "").strip()
        problems = []
        if not ref.isdecimal():
            problems.append(Problem("generator", "required", REGISTRY_MSG["required"]))
        if not (raw_year.isdecimal() and 1990 <= int(raw_year) <= 2200):
            problems.append(Problem("year", "bad_year", services.MSG["bad_year"]))
        if problems:
            raise RongnganValidationError(problems)
        streams = queries.streams_for_user(request.user).filter(generator_id=int(ref))
        if not streams.exists():
            raise Http404("no such generator in reach")
        rows = queries.mass_balance(streams, int(raw_year))
        return Response(
            {
                "generator": int(ref),
                "year": int(raw_year),
                "streams": [{k: _fixed(v) for k, v in r.items() if k != "stream"} for r in rows],
            }
        )


class AnnualReportViewSet(viewsets.GenericViewSet):
    """Generators' annual reports (due 1 March for the year before); amendments are versions."""

    serializer_class = AnnualReportSerializer
    queryset = AnnualReport.objects.none()

    def get_queryset(self) -> QuerySet[AnnualReport]:
        qs = _of_generator(queries.annual_reports_for_user(self.request.user), self.request)
        return qs.order_by("-year", "generator_id", "-version")

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(AnnualReportSerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(AnnualReportSerializer(_one(self.get_queryset(), pk, "report")).data)

    @extend_schema(request=REPORT_WRITE, responses={201: AnnualReportSerializer, **WRITE_ERRORS})
    @idempotent
    def create(self, request: Request) -> Response:
        data = _body(request)
        generator = _referenced(data, "generator", Factory.objects.all())
        report = services.annual_report_submit(
            acting_user=request.user,
            generator=generator,
            year=data.get("year", ""),
            note=str(data.get("note") or ""),
        )
        return Response(AnnualReportSerializer(report).data, status=status.HTTP_201_CREATED)


class CapacityViewSet(viewsets.ViewSet):
    """Officers: processors' permits whose accepted tonnes this year reach the warning share of
    their yearly capacity (WASTE_CAPACITY_WARNING, default 0.8)."""

    @extend_schema(
        parameters=[OpenApiParameter("year", int, description="calendar year (C.E.)")],
        responses={200: CAPACITY},
    )
    def list(self, request: Request) -> Response:
        if role_of(request.user) not in queries.DASHBOARD_ROLES:
            raise PermissionDenied()
        raw = request.query_params.get("year", "").strip()
        if raw and not (raw.isdecimal() and 1990 <= int(raw) <= 2200):
            raise RongnganValidationError([Problem("year", "bad_year", services.MSG["bad_year"])])
        year = int(raw) if raw else timezone.localdate().year
        rows = queries.capacity_use(year, share=queries.capacity_warning())
        return Response(
            [
                {
                    "processor": r["permit"].processor_id,
                    "processor_name": r["permit"].processor.name_th,
                    "province": r["permit"].processor.province.name_th,
                    "waste_code": r["permit"].waste_code.display,
                    "operation": r["permit"].operation_id,
                    "capacity_tonnes": str(r["permit"].capacity_tonnes),
                    "accepted_tonnes": str(r["tonnes"]),
                    "share": str(r["share"].quantize(Decimal("0.0001"))),
                }
                for r in rows
            ]
        )


class ApprovalViewSet(viewsets.GenericViewSet):
    """Removal approvals: the generator asks, an officer decides."""

    serializer_class = WasteApprovalSerializer
    queryset = Approval.objects.none()

    def get_queryset(self) -> QuerySet[Approval]:
        qs = queries.approvals_for_user(self.request.user)
        state = self.request.query_params.get("status", "").strip()
        if state:
            _choice("status", state, APPROVAL_STATES)
            today = timezone.localdate()
            if state == "expired":
                qs = qs.filter(status=Approval.Status.APPROVED, valid_until__lt=today)
            elif state == Approval.Status.APPROVED:
                qs = qs.filter(status=state).exclude(valid_until__lt=today)
            else:
                qs = qs.filter(status=state)
        return qs.order_by("-requested_at", "-pk")

    def _object(self, pk: str) -> Approval:
        return _one(queries.approvals_for_user(self.request.user), pk, "approval")

    @extend_schema(
        parameters=[
            OpenApiParameter("status", str, enum=list(APPROVAL_STATES)),
        ],
        responses={200: WasteApprovalSerializer(many=True), 400: ERRORS},
    )
    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(WasteApprovalSerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(WasteApprovalSerializer(self._object(pk)).data)

    @extend_schema(request=APPROVAL_WRITE, responses={201: WasteApprovalSerializer, **WRITE_ERRORS})
    @idempotent
    def create(self, request: Request) -> Response:
        data = _body(request)
        stream = _referenced(data, "stream", queries.streams_for_user(request.user))
        approval = services.approval_request(acting_user=request.user, stream=stream, data=data)
        return Response(WasteApprovalSerializer(approval).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=APPROVAL_DECISION, responses={200: WasteApprovalSerializer, **WRITE_ERRORS}
    )
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, pk: str) -> Response:
        """An officer approves (valid until a date) or refuses (with a reason)."""
        approval = self._object(pk)
        return self._decide(request, approval)

    @idempotent
    def _decide(self, request: Request, approval: Approval) -> Response:
        data = _body(request)
        approve = _boolean("approve", data.get("approve"), required=True)
        raw_until = str(data.get("valid_until") or "").strip()
        valid_until = None
        if raw_until:
            try:
                valid_until = parse_thai_date(raw_until)
            except ValueError:
                _invalid(
                    "valid_until", "invalid_date", REGISTRY_MSG["invalid_date"], value=raw_until
                )
        approval = services.approval_decide(
            acting_user=request.user,
            approval=approval,
            approve=bool(approve),
            reason=str(data.get("reason") or ""),
            valid_until=valid_until,
        )
        return Response(WasteApprovalSerializer(approval).data)


# --------------------------------------------------------------------------------------------
# Manifests


def _detailed(qs: QuerySet[Manifest]) -> QuerySet[Manifest]:
    return qs.prefetch_related(
        Prefetch("lines", queryset=ManifestLine.objects.select_related("waste_code")),
        Prefetch(
            "transporters", queryset=ManifestTransporter.objects.select_related("transporter")
        ),
        Prefetch("signatures", queryset=Signature.objects.select_related("signed_by")),
        Prefetch("versions", queryset=ManifestVersion.objects.select_related("created_by")),
        Prefetch(
            "corrections",
            queryset=Correction.objects.select_related("opened_by", "closed_by"),
        ),
    )


MANIFEST_LIST_PARAMETERS = [
    OpenApiParameter(
        "view", str, enum=list(VIEWS), description="only manifests where I am this party"
    ),
    OpenApiParameter(
        "status", str, description="one or more of: " + ", ".join(Manifest.Status.values)
    ),
]


class ManifestViewSet(viewsets.GenericViewSet):
    """Manifests: created as a draft by the generator, then signed in order by each party.

    Never updated in place (PUT and PATCH are refused): use the actions.
    """

    serializer_class = ManifestSerializer
    queryset = Manifest.objects.none()
    http_method_names = ["get", "post", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet[Manifest]:
        user = self.request.user
        params = self.request.query_params
        view = params.get("view", "").strip()
        if view:
            _choice("view", view, VIEWS)
            qs = queries.manifests_by_view(user, view)
        else:
            qs = queries.manifests_for_user(user)
        states = [s for s in params.get("status", "").replace(" ", "").split(",") if s]
        for s in states:
            _choice("status", s, Manifest.Status.values)
        if states:
            qs = qs.filter(status__in=states)
        return qs.order_by("-created_at", "-pk")

    def _object(self, pk: str) -> Manifest:
        return queries.manifest_for_user(self.request.user, pk)

    def _detail(self, manifest: Manifest, warnings: list[Problem] | None = None) -> dict:
        fresh = _detailed(Manifest.objects.select_related("generator", "processor")).get(
            pk=manifest.pk
        )
        if warnings is None:
            return ManifestDetailSerializer(fresh).data
        fresh.warnings = _problems(warnings)
        return ManifestOutcomeSerializer(fresh).data

    @idempotent
    def _write(self, request: Request, write: Callable[[], Response]) -> Response:
        """Every POST runs here: an Idempotency-Key replays the first answer."""
        return write()

    @extend_schema(
        parameters=MANIFEST_LIST_PARAMETERS,
        responses={200: ManifestSerializer(many=True), 400: ERRORS},
    )
    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(ManifestSerializer(page, many=True).data)

    @extend_schema(responses={200: ManifestDetailSerializer, 404: ERRORS})
    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(self._detail(self._object(pk)))

    @extend_schema(
        request=MANIFEST_WRITE,
        responses={201: ManifestOutcomeSerializer, **WRITE_ERRORS},
        description="A draft for an approved stream. Warnings are saved with it, not errors.",
    )
    @idempotent
    def create(self, request: Request) -> Response:
        data = _body(request)
        _list_of_objects(data, "lines")
        _list(data, "transporters")
        outcome = services.manifest_create(acting_user=request.user, data=data)
        return Response(self._detail(outcome.obj, outcome.warnings), status=201)

    @extend_schema(responses={204: None, **WRITE_ERRORS}, description="Drafts only.")
    def destroy(self, request: Request, pk: str) -> Response:
        services.manifest_delete(acting_user=request.user, manifest=self._object(pk))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        request=REASON,
        responses={200: ManifestDetailSerializer, **WRITE_ERRORS},
        description=(
            "Signed by the generator, taken by no transporter yet: the manifest is cancelled "
            "with a reason and stays on record."
        ),
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str) -> Response:
        manifest = self._object(pk)

        def write() -> Response:
            reason = _body(request).get("reason")
            m = services.manifest_cancel(
                acting_user=request.user, manifest=manifest, reason=str(reason or "")
            )
            return Response(self._detail(m))

        return self._write(request, write)

    @extend_schema(request=SIGN, responses={200: ManifestDetailSerializer, **WRITE_ERRORS})
    @action(detail=True, methods=["post"])
    def sign(self, request: Request, pk: str) -> Response:
        """The next hand-over: the generator's signature, then each transporter's in order."""
        manifest = self._object(pk)

        def write() -> Response:
            m = services.manifest_sign(
                acting_user=request.user, manifest=manifest, data=_body(request)
            )
            return Response(self._detail(m))

        return self._write(request, write)

    @extend_schema(request=RECEIVE, responses={200: ManifestOutcomeSerializer, **WRITE_ERRORS})
    @action(detail=True, methods=["post"])
    def receive(self, request: Request, pk: str) -> Response:
        """The processor's receipt: per line what arrived and what is refused."""
        manifest = self._object(pk)

        def write() -> Response:
            data = _body(request)
            _list_of_objects(data, "lines")
            outcome = services.manifest_receive(
                acting_user=request.user, manifest=manifest, data=data
            )
            return Response(self._detail(outcome.obj, outcome.warnings))

        return self._write(request, write)

    @extend_schema(request=PROCESS, responses={200: ManifestDetailSerializer, **WRITE_ERRORS})
    @action(detail=True, methods=["post"])
    def process(self, request: Request, pk: str) -> Response:
        """The processor records the operation applied."""
        manifest = self._object(pk)

        def write() -> Response:
            m = services.manifest_process(
                acting_user=request.user, manifest=manifest, data=_body(request)
            )
            return Response(self._detail(m))

        return self._write(request, write)

    @extend_schema(
        request=REROUTE,
        responses={201: ManifestOutcomeSerializer, **WRITE_ERRORS},
        description="The refused part goes on, on a new manifest whose `previous` is this one.",
    )
    @action(detail=True, methods=["post"])
    def reroute(self, request: Request, pk: str) -> Response:
        manifest = self._object(pk)

        def write() -> Response:
            data = _body(request)
            _list(data, "transporters")
            outcome = services.manifest_reroute(
                acting_user=request.user, manifest=manifest, data=data
            )
            return Response(self._detail(outcome.obj, outcome.warnings), status=201)

        return self._write(request, write)

    @extend_schema(
        request=RETURN,
        responses={201: ManifestOutcomeSerializer, **WRITE_ERRORS},
        description=(
            "The processor sends the refused part back to its generator on a new manifest "
            "(`is_return`, `previous` is this one): it signs the hand-over, the generator the "
            "receipt."
        ),
    )
    @action(detail=True, methods=["post"], url_path="return")
    def send_back(self, request: Request, pk: str) -> Response:
        manifest = self._object(pk)

        def write() -> Response:
            data = _body(request)
            _list(data, "transporters")
            outcome = services.manifest_return(
                acting_user=request.user, manifest=manifest, data=data
            )
            return Response(self._detail(outcome.obj, outcome.warnings), status=201)

        return self._write(request, write)

    @extend_schema(request=CORRECT, responses={201: ManifestCorrectionSerializer, **WRITE_ERRORS})
    @action(detail=True, methods=["post"])
    def correct(self, request: Request, pk: str) -> Response:
        """Proposes a correction of a signed manifest; applying it makes a new version."""
        manifest = self._object(pk)

        def write() -> Response:
            data = _body(request)
            _map_of_objects(data, "lines")
            c = services.correction_open(acting_user=request.user, manifest=manifest, data=data)
            return Response(ManifestCorrectionSerializer(c).data, status=201)

        return self._write(request, write)

    def _correction(self, pk: str, cid: str) -> Any:
        """A correction of a manifest in the reader's reach; 404 otherwise."""
        correction = self._object(pk).corrections.filter(pk=cid).first()
        if correction is None:
            raise Http404("no such correction")
        return correction

    @extend_schema(
        request=None,
        parameters=[OpenApiParameter("cid", int, OpenApiParameter.PATH)],
        responses={200: ManifestDetailSerializer, **WRITE_ERRORS},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"corrections/(?P<cid>[0-9]+)/apply",
        url_name="correction-apply",
    )
    def apply_correction(self, request: Request, pk: str, cid: str) -> Response:
        """Applies an open correction: the manifest gets a new version; the old one is kept."""
        correction = self._correction(pk, cid)

        def write() -> Response:
            m = services.correction_apply(acting_user=request.user, correction=correction)
            return Response(self._detail(m))

        return self._write(request, write)

    @extend_schema(
        request=WITHDRAW,
        parameters=[OpenApiParameter("cid", int, OpenApiParameter.PATH)],
        responses={200: ManifestDetailSerializer, **WRITE_ERRORS},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"corrections/(?P<cid>[0-9]+)/withdraw",
        url_name="correction-withdraw",
    )
    def withdraw_correction(self, request: Request, pk: str, cid: str) -> Response:
        """The proposer, or an officer, withdraws an open correction; it stays on record."""
        correction = self._correction(pk, cid)

        def write() -> Response:
            reason = _body(request).get("reason")
            services.correction_withdraw(
                acting_user=request.user, correction=correction, reason=str(reason or "")
            )
            return Response(self._detail(correction.manifest))

        return self._write(request, write)

    @extend_schema(request=NOTE, responses={200: ManifestDetailSerializer, **WRITE_ERRORS})
    @action(detail=True, methods=["post"])
    def resolve(self, request: Request, pk: str) -> Response:
        """Closes a significant discrepancy with a note."""
        manifest = self._object(pk)

        def write() -> Response:
            note = _body(request).get("note")
            m = services.discrepancy_resolve(
                acting_user=request.user, manifest=manifest, note=str(note or "")
            )
            return Response(self._detail(m))

        return self._write(request, write)
