"""REST API of storage-site inspections and the ammonia refrigeration register,
under /api/v1/chemicals/storage-inspections/ and /api/v1/chemicals/refrigeration-plants/.

Who sees what: signed-in users read the inspections, corrective actions and plants of the sites
in their reach (queries.reach_q: operators their own sites, provincial officers and local
governments their area, inspectors their assigned factories and their province's storage sites,
officers and the committee all). The public reads only the aggregate statistics and the
checklist itself (`stats/`, `checklist/`); site-level findings need a sign-in (401).
Inspections are never updated in place: `correct/` makes a new version with a reason.
"""

from collections.abc import Mapping
from typing import Any

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import permissions, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from rongngan.chemicals.supervision import queries, services
from rongngan.chemicals.supervision.models import (
    CorrectiveAction,
    RefrigerationInspection,
    RefrigerationPlant,
    StorageInspection,
)
from rongngan.core import audit
from rongngan.core.api import NOT_FOUND
from rongngan.core.errors import Problem, RongnganValidationError
from rongngan.core.idempotency import idempotent
from rongngan.registry.api import ERRORS
from rongngan.registry.validation import MSG as REGISTRY_MSG

NOT_AN_OBJECT = services.MSG["invalid_list"]
WRITE_ERRORS = {400: ERRORS, 403: ERRORS, 404: ERRORS}


def _invalid(field: str | None, code: str, message: Any, **params: Any) -> None:
    raise RongnganValidationError([Problem(field, code, message, params)])


def _body(request: Request) -> Mapping[str, Any]:
    if not isinstance(request.data, Mapping):
        _invalid(None, "not_an_object", NOT_AN_OBJECT)
    return request.data


def _site(request: Request, data: Mapping[str, Any], *, write: bool) -> Any:
    ref = str(data.get("site") or "").strip()
    if not ref:
        _invalid("site", "required", REGISTRY_MSG["required"])
    site = queries.site_for_user(request.user, ref, write=False)
    if site is None:
        _invalid("site", "not_found", NOT_FOUND)
    return site


class AnyoneReads(permissions.BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        return request.method in permissions.SAFE_METHODS


# --------------------------------------------------------------------------------------------
# Serializers (output)


class SiteRef(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name_th = serializers.CharField()
    kind = serializers.CharField()
    province = serializers.CharField(source="province_id")


class CorrectiveActionSerializer(serializers.ModelSerializer):
    site = SiteRef(read_only=True)
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = CorrectiveAction
        fields = [
            "id",
            "site",
            "inspection",
            "item_code",
            "item_text",
            "critical",
            "score",
            "due_on",
            "status",
            "overdue",
            "evidence",
            "closed_on",
        ]

    def get_overdue(self, obj: CorrectiveAction) -> bool:
        return queries.is_overdue(obj)


class StorageInspectionSerializer(serializers.ModelSerializer):
    site = SiteRef(read_only=True)
    checklist_version = serializers.CharField(source="checklist.version")

    class Meta:
        model = StorageInspection
        fields = [
            "id",
            "site",
            "checklist_version",
            "kind",
            "visited_on",
            "inspectors",
            "percent",
            "earned_points",
            "applicable_points",
            "critical_unmet",
            "grade",
            "version",
            "is_current",
            "supersedes",
            "correction_reason",
            "created_at",
        ]


class StorageInspectionDetailSerializer(StorageInspectionSerializer):
    corrective_actions = CorrectiveActionSerializer(many=True, read_only=True)

    class Meta(StorageInspectionSerializer.Meta):
        fields = [
            *StorageInspectionSerializer.Meta.fields,
            "scores",
            "item_notes",
            "notes",
            "corrective_actions",
        ]


class RefrigerationInspectionSerializer(serializers.ModelSerializer):
    class Meta:
        model = RefrigerationInspection
        exclude = ["created_by"]


class RefrigerationPlantSerializer(serializers.ModelSerializer):
    site = SiteRef(read_only=True)

    class Meta:
        model = RefrigerationPlant
        fields = [
            "id",
            "site",
            "kind",
            "ammonia_charge_kg",
            "compressors",
            "condensers",
            "evaporators",
            "capacity_t_ice_per_day",
            "cooled_volume_m3",
            "operating_hours_per_year",
            "tariff_baht_per_kwh",
            "inventory_synced",
            "registered_at",
            "updated_at",
        ]


INSPECTION_WRITE = inline_serializer(
    "StorageInspectionWrite",
    {
        "site": serializers.IntegerField(),
        "visited_on": serializers.DateField(),
        "inspectors": serializers.CharField(),
        "scores": serializers.DictField(
            child=serializers.CharField(allow_null=True), help_text="item code -> 0, 1, 2 or na"
        ),
        "item_notes": serializers.DictField(child=serializers.CharField(), required=False),
        "notes": serializers.CharField(required=False),
    },
)
CORRECTION_WRITE = inline_serializer(
    "StorageInspectionCorrection",
    {
        "reason": serializers.CharField(),
        "visited_on": serializers.DateField(required=False),
        "scores": serializers.DictField(
            child=serializers.CharField(allow_null=True), required=False
        ),
    },
)
EVIDENCE_WRITE = inline_serializer(
    "CorrectiveActionEvidence",
    {"evidence": serializers.CharField(), "closed_on": serializers.DateField(required=False)},
)


# --------------------------------------------------------------------------------------------
# Storage inspections


class StorageInspectionViewSet(viewsets.GenericViewSet):
    serializer_class = StorageInspectionSerializer
    queryset = StorageInspection.objects.none()

    def get_queryset(self) -> Any:
        qs = queries.inspections_for_user(self.request.user)
        params = self.request.query_params
        for name in ("site", "grade", "province"):
            value = params.get(name, "").strip()
            if not value:
                continue
            if name == "site":
                qs = qs.filter(site_id=value) if value.isdecimal() else qs.none()
            elif name == "grade":
                qs = qs.filter(grade=value)
            else:
                qs = qs.filter(site__province_id=value)
        return qs.order_by("-visited_on", "-pk")

    @extend_schema(
        parameters=[
            OpenApiParameter("site", int),
            OpenApiParameter("grade", str, enum=["above", "within"]),
            OpenApiParameter("province", str),
        ]
    )
    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(StorageInspectionSerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        obj = queries.inspection_for_user(request.user, pk)
        if obj is None:
            raise Http404
        return Response(StorageInspectionDetailSerializer(obj).data)

    @extend_schema(
        request=INSPECTION_WRITE,
        responses={201: StorageInspectionDetailSerializer, **WRITE_ERRORS},
    )
    @idempotent
    def create(self, request: Request) -> Response:
        data = _body(request)
        site = _site(request, data, write=True)
        inspection = services.storage_inspection_record(
            acting_user=request.user, site=site, data=data
        )
        return Response(
            StorageInspectionDetailSerializer(inspection).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        request=CORRECTION_WRITE, responses={201: StorageInspectionDetailSerializer, **WRITE_ERRORS}
    )
    @idempotent
    def correct(self, request: Request, pk: str) -> Response:
        """A new version of the inspection with the reason; the old one stays as history."""
        obj = queries.inspection_for_user(request.user, pk)
        if obj is None:
            raise Http404
        data = _body(request)
        new = services.storage_inspection_correct(
            acting_user=request.user, inspection=obj, data=data, reason=data.get("reason", "")
        )
        return Response(StorageInspectionDetailSerializer(new).data, status=status.HTTP_201_CREATED)


STATS = inline_serializer(
    "StorageStatistics",
    {
        "total": serializers.DictField(),
        "by_province": serializers.ListField(child=serializers.DictField()),
        "by_kind": serializers.ListField(child=serializers.DictField()),
        "as_of": serializers.DateField(),
    },
)


class StorageStatsViewSet(viewsets.ViewSet):
    """Aggregates only (public): sites by latest grade, upgrades, open and overdue actions."""

    permission_classes = [AnyoneReads]

    @extend_schema(parameters=[OpenApiParameter("province", str)], responses={200: STATS})
    def list(self, request: Request) -> Response:
        return Response(
            queries.storage_statistics(province=request.query_params.get("province", "").strip())
        )


class ChecklistViewSet(viewsets.ViewSet):
    """The checklist in force (items, weights, critical flags, grading rule, source)."""

    permission_classes = [AnyoneReads]

    @extend_schema(
        responses={200: inline_serializer("Checklist", {"version": serializers.CharField()})}
    )
    def list(self, request: Request) -> Response:
        c = services.current_checklist()
        return Response(
            {
                "version": c.version,
                "title_th": c.title_th,
                "title_en": c.title_en,
                "source": c.source,
                "threshold_percent": c.threshold_percent,
                "critical_min_score": c.critical_min_score,
                "due_business_days": {
                    "critical": c.due_critical_days,
                    "other": c.due_other_days,
                },
                "sections": c.sections,
            }
        )


class CorrectiveActionViewSet(viewsets.GenericViewSet):
    serializer_class = CorrectiveActionSerializer
    queryset = CorrectiveAction.objects.none()

    def get_queryset(self) -> Any:
        qs = queries.actions_for_user(self.request.user)
        state = self.request.query_params.get("status", "").strip()
        if state == "overdue":
            from django.utils import timezone

            qs = qs.filter(status__in=queries.OPEN_STATUSES, due_on__lt=timezone.localdate())
        elif state:
            if state not in CorrectiveAction.Status.values:
                _invalid(
                    "status",
                    "invalid_choice",
                    REGISTRY_MSG["invalid_choice"],
                    value=state,
                    choices=", ".join([*CorrectiveAction.Status.values, "overdue"]),
                )
            qs = qs.filter(status=state)
        return qs.order_by("due_on", "pk")

    def _object(self, pk: str) -> CorrectiveAction:
        obj = queries.action_for_user(self.request.user, pk)
        if obj is None:
            raise Http404
        return obj

    @extend_schema(
        parameters=[
            OpenApiParameter("status", str, enum=[*CorrectiveAction.Status.values, "overdue"])
        ]
    )
    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(CorrectiveActionSerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(CorrectiveActionSerializer(self._object(pk)).data)

    @extend_schema(
        request=EVIDENCE_WRITE, responses={200: CorrectiveActionSerializer, **WRITE_ERRORS}
    )
    @idempotent
    def evidence(self, request: Request, pk: str) -> Response:
        action = self._object(pk)
        data = _body(request)
        action = services.corrective_action_submit_evidence(
            acting_user=request.user, action=action, evidence=data.get("evidence", "")
        )
        return Response(CorrectiveActionSerializer(action).data)

    @extend_schema(
        request=EVIDENCE_WRITE, responses={200: CorrectiveActionSerializer, **WRITE_ERRORS}
    )
    @idempotent
    def close(self, request: Request, pk: str) -> Response:
        action = self._object(pk)
        data = _body(request)
        action = services.corrective_action_close(
            acting_user=request.user,
            action=action,
            evidence=data.get("evidence", ""),
            closed_on=data.get("closed_on"),
        )
        return Response(CorrectiveActionSerializer(action).data)


# --------------------------------------------------------------------------------------------
# Refrigeration plants

PLANT_WRITE = inline_serializer(
    "RefrigerationPlantWrite",
    {
        "site": serializers.IntegerField(),
        "kind": serializers.ChoiceField(choices=RefrigerationPlant.Kind.choices),
        "ammonia_charge_kg": serializers.DecimalField(max_digits=12, decimal_places=2),
        "compressors": serializers.ListField(child=serializers.DictField(), required=False),
        "condensers": serializers.ListField(child=serializers.DictField(), required=False),
        "evaporators": serializers.CharField(required=False),
        "capacity_t_ice_per_day": serializers.DecimalField(
            max_digits=10, decimal_places=2, required=False
        ),
        "cooled_volume_m3": serializers.DecimalField(
            max_digits=12, decimal_places=2, required=False
        ),
        "operating_hours_per_year": serializers.IntegerField(),
        "tariff_baht_per_kwh": serializers.DecimalField(max_digits=6, decimal_places=4),
    },
)
PLANT_INSPECTION_WRITE = inline_serializer(
    "RefrigerationInspectionWrite",
    {
        "visited_on": serializers.DateField(),
        "inspectors": serializers.CharField(),
        "annual_electricity_kwh": serializers.DecimalField(max_digits=14, decimal_places=2),
        "annual_output": serializers.DecimalField(max_digits=14, decimal_places=2),
        "condensing_temp_c": serializers.DecimalField(
            max_digits=5, decimal_places=1, required=False
        ),
        "evaporating_temp_c": serializers.DecimalField(
            max_digits=5, decimal_places=1, required=False
        ),
        "safety": serializers.DictField(
            child=serializers.BooleanField(),
            required=False,
            help_text=(
                "Each safety item found in place: true. An item left out is recorded as not in "
                "place (false), as an unticked box on the form: the inspector credits only what "
                "was seen. A value that is not yes or no is refused (invalid_boolean)."
            ),
        ),
        "environment": serializers.DictField(
            child=serializers.BooleanField(),
            required=False,
            help_text="As `safety`: an item left out is recorded as not in place.",
        ),
        "leaks_last_12_months": serializers.IntegerField(required=False),
        "measures_implemented": serializers.ListField(
            child=serializers.DictField(), required=False
        ),
        "notes": serializers.CharField(required=False),
    },
)


class RefrigerationPlantViewSet(viewsets.GenericViewSet):
    serializer_class = RefrigerationPlantSerializer
    queryset = RefrigerationPlant.objects.none()

    def get_queryset(self) -> Any:
        qs = queries.plants_for_user(self.request.user)
        kind = self.request.query_params.get("kind", "").strip()
        if kind:
            qs = qs.filter(kind=kind)
        return qs.order_by("site__code")

    def _object(self, pk: str) -> RefrigerationPlant:
        obj = queries.plant_for_user(self.request.user, pk)
        if obj is None:
            raise Http404
        return obj

    @extend_schema(parameters=[OpenApiParameter("kind", str, enum=RefrigerationPlant.Kind.values)])
    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(RefrigerationPlantSerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        plant = self._object(pk)
        latest = plant.inspections.order_by("-visited_on", "-pk").first()
        return Response(
            {
                **RefrigerationPlantSerializer(plant).data,
                "latest_inspection": RefrigerationInspectionSerializer(latest).data
                if latest
                else None,
            }
        )

    @extend_schema(
        request=PLANT_WRITE, responses={201: RefrigerationPlantSerializer, **WRITE_ERRORS}
    )
    @idempotent
    def create(self, request: Request) -> Response:
        data = _body(request)
        site = _site(request, data, write=True)
        plant = services.refrigeration_plant_register(
            acting_user=request.user, site=site, data=data
        )
        return Response(RefrigerationPlantSerializer(plant).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=PLANT_WRITE, responses={200: RefrigerationPlantSerializer, **WRITE_ERRORS}
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        plant = self._object(pk)
        data = {k: v for k, v in _body(request).items() if k != "site"}
        plant = services.refrigeration_plant_update(
            acting_user=request.user, plant=plant, data=data
        )
        return Response(RefrigerationPlantSerializer(plant).data)

    @extend_schema(responses={200: RefrigerationInspectionSerializer(many=True)})
    def inspections(self, request: Request, pk: str) -> Response:
        plant = self._object(pk)
        rows = plant.inspections.order_by("-visited_on", "-pk")
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(RefrigerationInspectionSerializer(page, many=True).data)

    @extend_schema(
        request=PLANT_INSPECTION_WRITE,
        responses={201: RefrigerationInspectionSerializer, **WRITE_ERRORS},
    )
    @idempotent
    def inspect(self, request: Request, pk: str) -> Response:
        plant = self._object(pk)
        inspection = services.refrigeration_inspection_record(
            acting_user=request.user, plant=plant, data=_body(request)
        )
        return Response(
            RefrigerationInspectionSerializer(inspection).data, status=status.HTTP_201_CREATED
        )


class RefrigerationStatsViewSet(viewsets.ViewSet):
    """National aggregates (public): plants and ammonia by kind, potential and realised saving."""

    permission_classes = [AnyoneReads]

    @extend_schema(
        responses={
            200: inline_serializer(
                "RefrigerationStatistics", {"plants": serializers.IntegerField()}
            )
        }
    )
    def list(self, request: Request) -> Response:
        # Quantities as decimal strings, never floats (audit.plain keeps the lists' order).
        return Response(audit.plain(queries.refrigeration_statistics()))
