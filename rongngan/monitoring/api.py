"""REST API of pollution monitoring: /api/v1/monitoring/...

Thin: reads go through `queries` (scoped to who asks), writes are service calls that validate
everything first (400 with field, code and both languages, `row` for batch rows) or raise
PermissionError (403). Points, their parameters and limits, the standards catalogue and
validated daily averages are public; everything else needs a signed-in user in reach.

readings/ POST takes a JSON batch ({"rows": [...]} or a bare list) or text/csv, an
Idempotency-Key header (a retry returns the first answer and writes nothing) and
?mode=reject|quarantine (default reject: one bad row refuses the batch, nothing is written).
"""

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import parsers, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from rongngan.core.errors import Problem, RongnganValidationError
from rongngan.core.idempotency import idempotent
from rongngan.core.parsers import NOT_AN_OBJECT
from rongngan.core.scoping import sees_internal_fields
from rongngan.monitoring import queries, services
from rongngan.monitoring.models import (
    Event,
    LabResult,
    LimitRule,
    MonitoringPoint,
    Notice,
    Notification,
    PointLimit,
    PointParameter,
    Standard,
)
from rongngan.registry.api import ERRORS, ReadPublicly
from rongngan.registry.models import Factory

MSG = {
    "required": _("This field is required."),
    "not_found": _("Not found."),
    "bad_time": _("Give a date and time with its zone (ISO 8601), or a date."),
    "bad_resolution": _("resolution is minute, hour or day."),
    "public_day_only": _("Without signing in, only validated daily averages are published."),
    "not_an_object": NOT_AN_OBJECT,
    "period_too_long": _("Ask for at most %(days)s days at %(resolution)s resolution."),
    "end_before_start": services.MSG["end_before_start"],
}
MAX_DAYS = {"minute": 7, "hour": 400, "day": 3700}


def _invalid(field: str | None, code: str, **params: Any) -> None:
    raise RongnganValidationError([Problem(field, code, MSG[code], params)])


def _body(request: Request) -> Mapping[str, Any]:
    if not isinstance(request.data, Mapping):
        _invalid(None, "not_an_object")
    return request.data


def _required(data: Mapping[str, Any], name: str) -> str:
    value = str(data.get(name) or "").strip()
    if not value:
        _invalid(name, "required")
    return value


def _when(name: str, raw: str | None, default: dt.datetime) -> dt.datetime:
    if not raw:
        return default
    try:
        day = parse_date(raw) if len(raw) == 10 else None
    except ValueError:  # well formed, not a day of the calendar (2026-02-30)
        _invalid(name, "bad_time")
    if day is not None:
        # A date is the start of that day in Bangkok.
        return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_default_timezone())
    try:
        value = parse_datetime(raw)
    except ValueError:
        value = None
    if value is None:
        _invalid(name, "bad_time")
    if value.tzinfo is None:
        _invalid(name, "bad_time")
    return value


class CSVTextParser(parsers.BaseParser):
    media_type = "text/csv"

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> str:
        # UTF-8, else Thai Windows (cp874), as the upload page reads a file; neither is a 400.
        return services.decode_text(stream.read())


# --------------------------------------------------------------------------------------------
# Serializers (output). Quantities are decimal strings.


class LimitOut(serializers.ModelSerializer):
    standard = serializers.CharField(source="rule.standard.code", default="", read_only=True)

    class Meta:
        model = PointLimit
        fields = [
            "id",
            "version",
            "basis",
            "standard",
            "reference",
            "document",
            "averaging",
            "comparator",
            "value",
            "upper_value",
            "low_value",
            "high_value",
            "unit",
            "ref_o2_percent",
            "effective_from",
            "effective_to",
        ]


class PointParameterOut(serializers.ModelSerializer):
    parameter_name_th = serializers.CharField(source="parameter.name_th", read_only=True)
    parameter_name_en = serializers.CharField(source="parameter.name_en", read_only=True)
    limits = LimitOut(source="current_limits", many=True, read_only=True)

    class Meta:
        model = PointParameter
        fields = [
            "id",
            "parameter",
            "parameter_name_th",
            "parameter_name_en",
            "unit",
            "range_min",
            "range_max",
            "active",
            "last_reading_at",
            "limits",
        ]


PUBLIC_POINT_FIELDS = [
    "id",
    "code",
    "name",
    "kind",
    "method",
    "frequency",
    "factory",
    "factory_name_th",
    "province",
    "latitude",
    "longitude",
    "active",
]


class PointOut(serializers.ModelSerializer):
    factory_name_th = serializers.CharField(source="factory.name_th", read_only=True)

    class Meta:
        model = MonitoringPoint
        fields = [
            *PUBLIC_POINT_FIELDS,
            "validity_regime",
            "ref_o2_percent",
            "ref_temperature_k",
            "ref_pressure_kpa",
            "dry_basis",
            "urban",
            "receiving_water",
            "fuel",
            "process",
            "large_discharge",
            "attributes",
            "created_at",
        ]


class PublicPointOut(PointOut):
    class Meta(PointOut.Meta):
        fields = PUBLIC_POINT_FIELDS


def point_out(point: MonitoringPoint, user: Any) -> dict[str, Any]:
    return (PointOut if sees_internal_fields(user) else PublicPointOut)(point).data


class EventOut(serializers.ModelSerializer):
    point = serializers.CharField(source="point_parameter.point.code", read_only=True)
    point_id = serializers.IntegerField(source="point_parameter.point_id", read_only=True)
    parameter = serializers.CharField(source="point_parameter.parameter_id", read_only=True)
    factory_name_th = serializers.CharField(source="factory.name_th", read_only=True)

    class Meta:
        model = Event
        fields = [
            "id",
            "kind",
            "status",
            "level",
            "point_id",
            "point",
            "parameter",
            "factory",
            "factory_name_th",
            "province",
            "averaging",
            "limit",
            "opened_at",
            "first_period",
            "last_period",
            "periods",
            "worst_value",
            "explanation",
            "explained_at",
            "decision",
            "decision_note",
            "decided_at",
            "closed_at",
        ]


class EventDetailOut(EventOut):
    class Meta(EventOut.Meta):
        fields = [*EventOut.Meta.fields, "evidence"]


class NoticeOut(serializers.ModelSerializer):
    point_code = serializers.CharField(source="point.code", read_only=True)

    class Meta:
        model = Notice
        fields = [
            "id",
            "point",
            "point_code",
            "kind",
            "starts_at",
            "ends_at",
            "reason",
            "submitted_at",
            "late",
        ]


class LabResultOut(serializers.ModelSerializer):
    point = serializers.IntegerField(source="point_parameter.point_id", read_only=True)
    parameter = serializers.CharField(source="point_parameter.parameter_id", read_only=True)

    class Meta:
        model = LabResult
        fields = [
            "id",
            "point",
            "parameter",
            "lab",
            "lab_name",
            "lab_registration_no",
            "report_no",
            "sampled_at",
            "value",
            "unit",
            "value_std",
            "online_value",
            "drift_percent",
            "drift_flagged",
            "recorded_at",
        ]


class LimitRuleOut(serializers.ModelSerializer):
    class Meta:
        model = LimitRule
        fields = [
            "id",
            "parameter",
            "unit",
            "averaging",
            "comparator",
            "value",
            "upper_value",
            "low_value",
            "high_value",
            "ref_temperature_k",
            "ref_pressure_kpa",
            "ref_o2_percent",
            "dry_basis",
            "applies_to",
            "effective_from",
            "effective_to",
            "source",
            "notes",
        ]


class StandardOut(serializers.ModelSerializer):
    limits = LimitRuleOut(many=True, read_only=True)

    class Meta:
        model = Standard
        fields = [
            "code",
            "title_th",
            "title_en",
            "medium",
            "issued_by",
            "reference",
            "effective_from",
            "effective_to",
            "url",
            "catalogue_version",
            "limits",
        ]


class NotificationOut(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "event", "subject", "body", "created_at", "read_at"]


BATCH_OUT = inline_serializer(
    "ReadingBatchResult",
    {
        "batch": serializers.IntegerField(),
        "status": serializers.CharField(),
        "rows": serializers.IntegerField(),
        "accepted": serializers.IntegerField(),
        "duplicates": serializers.IntegerField(),
        "quarantined": serializers.IntegerField(),
        "report": serializers.ListField(child=serializers.DictField()),
        "processed": serializers.BooleanField(),
        "processed_at": serializers.DateTimeField(allow_null=True),
        "events_opened": serializers.ListField(child=serializers.IntegerField()),
    },
)
BATCH_IN = inline_serializer(
    "ReadingBatch",
    {
        "rows": serializers.ListField(
            child=inline_serializer(
                "ReadingRow",
                {
                    "point": serializers.CharField(),
                    "parameter": serializers.CharField(),
                    "ts": serializers.CharField(help_text="ISO 8601 with zone"),
                    "value": serializers.CharField(),
                    "unit": serializers.CharField(required=False),
                    "flags": serializers.CharField(required=False),
                },
            )
        )
    },
)
SERIES_OUT = inline_serializer(
    "ReadingSeries",
    {
        "point": serializers.IntegerField(),
        "parameter": serializers.CharField(),
        "resolution": serializers.CharField(),
        "unit": serializers.CharField(),
        "values": serializers.ListField(child=serializers.ListField()),
        "limits": serializers.ListField(child=serializers.DictField()),
    },
)
WRITE_ERRORS = {400: ERRORS, 403: ERRORS, 404: ERRORS}


# --------------------------------------------------------------------------------------------
# Viewsets


class PointViewSet(viewsets.GenericViewSet):
    """Monitoring points: public read (published fields); officers create."""

    permission_classes = [ReadPublicly]
    serializer_class = PointOut

    def get_queryset(self) -> Any:
        qs = queries.points_for_user(self.request.user).order_by("code")
        p = self.request.query_params
        if p.get("factory"):
            qs = qs.filter(factory_id=p["factory"]) if p["factory"].isdecimal() else qs.none()
        if p.get("province"):
            qs = qs.filter(province_id=p["province"])
        if p.get("kind"):
            qs = qs.filter(kind=p["kind"])
        return qs

    @extend_schema(
        parameters=[
            OpenApiParameter("factory", int),
            OpenApiParameter("province", str),
            OpenApiParameter("kind", str),
        ]
    )
    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        ser = PointOut if sees_internal_fields(request.user) else PublicPointOut
        return self.get_paginated_response(ser(page, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(point_out(queries.point_for_user(request.user, pk), request.user))

    @extend_schema(responses={201: PointOut, **WRITE_ERRORS})
    @idempotent
    def create(self, request: Request) -> Response:
        data = _body(request)
        ref = str(data.get("factory") or "").strip()
        if not ref:
            _invalid("factory", "required")
        factory = Factory.objects.filter(pk=ref).first() if ref.isdecimal() else None
        if factory is None:
            _invalid("factory", "not_found")
        point = services.point_define(acting_user=request.user, factory=factory, data=data)
        return Response(PointOut(point).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: PointParameterOut(many=True), 201: PointParameterOut})
    @action(detail=True, methods=["get", "post"])
    def parameters(self, request: Request, pk: str) -> Response:
        """GET: the point's parameters with the limits in force. POST (officers): add or
        change one {parameter, unit, range_min, range_max, effective_from, limits}."""
        point = queries.point_for_user(request.user, pk)
        if request.method == "GET":
            return Response(PointParameterOut(queries.point_parameters(point), many=True).data)
        return self._set_parameter(request, point)

    @idempotent
    def _set_parameter(self, request: Request, point: MonitoringPoint) -> Response:
        data = _body(request)
        code = str(data.get("parameter") or "").strip()
        if not code:
            _invalid("parameter", "required")
        pp = services.point_parameter_set(
            acting_user=request.user, point=point, parameter=code, data=data
        )
        current = next(p for p in queries.point_parameters(point) if p.pk == pp.pk)
        return Response(PointParameterOut(current).data, status=status.HTTP_201_CREATED)


class ReadingViewSet(viewsets.ViewSet):
    """POST a batch of readings; GET one parameter of one point over a period."""

    permission_classes = [ReadPublicly]
    parser_classes = [parsers.JSONParser, CSVTextParser]

    @extend_schema(
        parameters=[
            OpenApiParameter("point", str, required=True, description="point id or code"),
            OpenApiParameter("parameter", str, required=True),
            OpenApiParameter("start", str, description="ISO 8601 (default: 24 hours ago)"),
            OpenApiParameter("end", str, description="ISO 8601 (default: now)"),
            OpenApiParameter("resolution", str, description="minute | hour | day (public: day)"),
        ],
        responses={200: SERIES_OUT, 400: ERRORS, 403: ERRORS, 404: ERRORS},
    )
    def list(self, request: Request) -> Response:
        p = request.query_params
        ref = (p.get("point") or "").strip()
        parameter = (p.get("parameter") or "").strip()
        if not ref:
            _invalid("point", "required")
        if not parameter:
            _invalid("parameter", "required")
        resolution = p.get("resolution") or "hour"
        if resolution not in queries.RESOLUTIONS:
            _invalid("resolution", "bad_resolution")
        if not sees_internal_fields(request.user) and resolution != "day":
            raise PermissionDenied(str(MSG["public_day_only"]))
        points = queries.points_for_user(request.user)
        point = (points.filter(pk=ref) if ref.isdecimal() else points.filter(code=ref)).first()
        if point is None:
            raise Http404("no such point")
        now = timezone.now()
        end = _when("end", p.get("end"), now)
        start = _when("start", p.get("start"), end - dt.timedelta(days=1))
        if end < start:
            _invalid("end", "end_before_start")
        if end - start > dt.timedelta(days=MAX_DAYS[resolution]):
            _invalid("start", "period_too_long", days=MAX_DAYS[resolution], resolution=resolution)
        series = queries.point_series(request.user, point, parameter, start, end, resolution)
        return Response(
            {
                "point": point.pk,
                "parameter": series.parameter.parameter_id,
                "resolution": resolution,
                "unit": series.unit,
                "values": [
                    [t.isoformat(), None if v is None else str(v), ok, note]
                    for t, v, ok, note in series.values
                ],
                "limits": [
                    {
                        k: (str(v) if v is not None and not isinstance(v, str | int) else v)
                        for k, v in limit.items()
                    }
                    for limit in series.limits
                ],
            }
        )

    @extend_schema(
        request={"application/json": BATCH_IN, "text/csv": str},
        parameters=[
            OpenApiParameter("mode", str, description="reject (default) | quarantine"),
            OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER),
        ],
        responses={201: BATCH_OUT, **WRITE_ERRORS},
    )
    @idempotent
    def create(self, request: Request) -> Response:
        if not request.user.is_authenticated:
            raise PermissionDenied()
        data = request.data
        if isinstance(data, Mapping):
            rows: Any = data.get("rows")
            if not isinstance(rows, list):
                _invalid("rows", "required")
        elif isinstance(data, list | str):
            rows = data
        else:
            _invalid(None, "not_an_object")
        result = services.readings_ingest(
            acting_user=request.user,
            rows=rows,
            format="csv" if isinstance(rows, str) else "json",
            mode=request.query_params.get("mode") or "reject",
            idempotency_key=request.headers.get("Idempotency-Key", ""),
        )
        return Response(
            result.as_dict(),
            status=status.HTTP_200_OK if result.replayed else status.HTTP_201_CREATED,
        )


class BatchViewSet(viewsets.ViewSet):
    """A batch of readings as stored: its counts, report and whether its averages and judgments
    are done (a batch is processed right after it is stored, by its background task). Seen by
    its sender and by officers in reach of a point it touched."""

    @extend_schema(
        parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH)],
        responses={200: BATCH_OUT, 404: ERRORS},
    )
    def retrieve(self, request: Request, pk: str) -> Response:
        batch = queries.batch_for_user(request.user, pk)
        return Response(services.batch_dict(batch))


class EventViewSet(viewsets.GenericViewSet):
    """Events in reach: list, detail with evidence, the operator's explanation, the
    officer's decision."""

    serializer_class = EventOut

    def get_queryset(self) -> Any:
        p = self.request.query_params
        return queries.events_for(
            self.request.user,
            status=p.get("status") or None,
            kind=p.get("kind") or None,
            province=p.get("province") or None,
            factory=int(p["factory"]) if (p.get("factory") or "").isdecimal() else None,
            point=int(p["point"]) if (p.get("point") or "").isdecimal() else None,
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("status", str),
            OpenApiParameter("kind", str),
            OpenApiParameter("province", str),
            OpenApiParameter("factory", int),
            OpenApiParameter("point", int),
        ]
    )
    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(EventOut(page, many=True).data)

    @extend_schema(responses={200: EventDetailOut})
    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(EventDetailOut(queries.event_for_user(request.user, pk)).data)

    @extend_schema(
        request=inline_serializer("EventExplain", {"explanation": serializers.CharField()}),
        responses={200: EventDetailOut, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def explain(self, request: Request, pk: str) -> Response:
        event = queries.event_for_user(request.user, pk)
        event = services.event_explain(
            acting_user=request.user,
            event=event,
            explanation=str(_body(request).get("explanation") or ""),
        )
        return Response(EventDetailOut(queries.event_for_user(request.user, event.pk)).data)

    @extend_schema(
        request=inline_serializer(
            "EventDecide",
            {"decision": serializers.CharField(), "note": serializers.CharField(required=False)},
        ),
        responses={200: EventDetailOut, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def decide(self, request: Request, pk: str) -> Response:
        event = queries.event_for_user(request.user, pk)
        data = _body(request)
        event = services.event_decide(
            acting_user=request.user,
            event=event,
            decision=str(data.get("decision") or ""),
            note=str(data.get("note") or ""),
        )
        return Response(EventDetailOut(queries.event_for_user(request.user, event.pk)).data)


class NoticeViewSet(viewsets.GenericViewSet):
    serializer_class = NoticeOut

    def get_queryset(self) -> Any:
        return queries.notices_for(self.request.user)

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(NoticeOut(page, many=True).data)

    @extend_schema(responses={201: NoticeOut, **WRITE_ERRORS})
    @idempotent
    def create(self, request: Request) -> Response:
        data = _body(request)
        point = queries.point_for_user(request.user, _required(data, "point"))
        notice = services.notice_submit(acting_user=request.user, point=point, data=data)
        return Response(NoticeOut(notice).data, status=status.HTTP_201_CREATED)


class LabResultViewSet(viewsets.GenericViewSet):
    serializer_class = LabResultOut

    def get_queryset(self) -> Any:
        return queries.lab_results_for(self.request.user)

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(LabResultOut(page, many=True).data)

    @extend_schema(responses={201: LabResultOut, **WRITE_ERRORS})
    @idempotent
    def create(self, request: Request) -> Response:
        data = _body(request)
        point = queries.point_for_user(request.user, _required(data, "point"))
        code = _required(data, "parameter")
        pp = PointParameter.objects.filter(point=point, parameter_id=code).first()
        if pp is None:
            raise RongnganValidationError(
                [
                    Problem(
                        "parameter",
                        "unknown_parameter",
                        services.MSG["unknown_parameter"],
                        {"value": code, "point": point.code},
                    )
                ]
            )
        result = services.lab_result_record(acting_user=request.user, point_parameter=pp, data=data)
        return Response(LabResultOut(result).data, status=status.HTTP_201_CREATED)


class StandardViewSet(viewsets.GenericViewSet):
    """The standards catalogue with its limit rules (public)."""

    permission_classes = [ReadPublicly]
    serializer_class = StandardOut
    pagination_class = None

    def get_queryset(self) -> Any:
        return queries.standards_catalogue()

    def list(self, request: Request) -> Response:
        return Response(StandardOut(self.get_queryset(), many=True).data)


class NotificationViewSet(viewsets.GenericViewSet):
    """The signed-in user's monitoring notifications; POST read/ marks them read."""

    permission_classes = [IsAuthenticated]
    serializer_class = NotificationOut

    def get_queryset(self) -> Any:
        return queries.notifications_for(self.request.user)

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(NotificationOut(page, many=True).data)

    @action(detail=False, methods=["post"])
    def read(self, request: Request) -> Response:
        n = services.notifications_mark_read(acting_user=request.user)
        return Response({"marked": n})
