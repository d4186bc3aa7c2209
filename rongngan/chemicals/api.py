"""REST API of the chemicals core: /api/v1/chemicals/...

Thin: reads go through `queries` (scoped to who asks), writes through `services` (400 with every
problem, 403 when out of reach). The directory, the area layers and the public risk-site layer
are open; everything at site level needs a signed-in user in reach of the site. Public answers
never carry quantities, vessels or containers: `queries.risk_sites_geojson` builds them from the
published fields only.
"""

import gzip
import json
from collections.abc import Mapping
from typing import Any

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import permissions, serializers, status, viewsets
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from rongngan.chemicals import queries, services
from rongngan.chemicals.messages import MSG
from rongngan.chemicals.models import (
    Declaration,
    InventoryItem,
    ReceptorLayer,
    StorageSite,
    Substance,
)
from rongngan.core.errors import Problem, RongnganValidationError
from rongngan.core.idempotency import idempotent
from rongngan.core.parsers import NOT_AN_OBJECT, ObjectJSONParser


def _invalid(field: str | None, code: str, message: Any, **params: Any) -> None:
    raise RongnganValidationError([Problem(field, code, message, params)])


def _body(request: Request) -> Mapping[str, Any]:
    if not isinstance(request.data, Mapping):
        _invalid(None, "not_an_object", NOT_AN_OBJECT)
    return request.data


class ReadPublicly(permissions.BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        return request.method in permissions.SAFE_METHODS or bool(
            request.user and request.user.is_authenticated
        )


# ------------------------------------------------------------------------------------------------
# Directory


class HsListingSerializer(serializers.Serializer):
    """One entry of the substance in the Hazardous Substance Act B.E. 2535 lists (read-only)."""

    list = serializers.CharField(help_text="5.1-5.6 DIW, 4.1-4.3 FDA, 1-3 and 6 other agencies")
    entry_no = serializers.IntegerField(allow_null=True, help_text="the entry's number (ลำดับ)")
    name_th = serializers.CharField(help_text="the entry's name as listed")
    name_en = serializers.CharField(help_text="blank where only the Thai name was transcribed")
    hs_type = serializers.IntegerField(help_text="type 1-4")
    agency_th = serializers.CharField()
    agency_en = serializers.CharField()
    condition_th = serializers.CharField(help_text="as listed; blank: none")
    condition_en = serializers.CharField(help_text="short English rendering, not official")
    source = serializers.CharField(help_text="URL of the document the pages are in")
    pages = serializers.ListField(child=serializers.IntegerField(), help_text="PDF pages")


class SubstanceListSerializer(serializers.ModelSerializer):
    thai_hs_listings = HsListingSerializer(many=True, read_only=True)

    class Meta:
        model = Substance
        fields = [
            "cas",
            "un_number",
            "name_en",
            "name_th",
            "formula",
            "physical_state",
            "pictograms",
            "signal_word",
            "thai_hs_type",
            "thai_hs_listings",
        ]


class SubstanceDetailSerializer(serializers.ModelSerializer):
    molecular_weight = serializers.DecimalField(
        max_digits=10, decimal_places=4, coerce_to_string=True, read_only=True, allow_null=True
    )
    thai_hs_listings = HsListingSerializer(many=True, read_only=True)

    class Meta:
        model = Substance
        fields = [
            "cas",
            "un_number",
            "name_en",
            "name_th",
            "synonyms",
            "formula",
            "molecular_weight",
            "physical_state",
            "liquefied_gas",
            "ghs",
            "pictograms",
            "signal_word",
            "thai_hs_type",
            "thai_hs_listings",
            "seveso_categories",
            "seveso_named_entry",
            "emergency_en",
            "emergency_th",
            "erg_guide",
            "source",
            "catalogue_version",
        ]


class SubstanceViewSet(viewsets.GenericViewSet):
    """The national directory of chemicals and hazardous substances (public)."""

    permission_classes = [permissions.AllowAny]
    serializer_class = SubstanceListSerializer
    queryset = Substance.objects.none()
    lookup_value_regex = r"[0-9-]+"
    lookup_field = "cas"

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, description="CAS, UN number, Thai or English name, synonym")
        ]
    )
    def list(self, request: Request) -> Response:
        q = request.query_params.get("q", "")
        problem = queries.cas_query_problem(q)
        if problem:
            _invalid("q", problem, MSG.get(problem, MSG["cas_format"]), value=q.strip())
        qs = queries.substances_search(q)
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(SubstanceListSerializer(page, many=True).data)

    @extend_schema(
        responses=inline_serializer(
            "ChemicalSubstanceDetail",
            {
                "substance": SubstanceDetailSerializer(),
                "thresholds": serializers.JSONField(),
                "stored_by_province": serializers.JSONField(
                    allow_null=True, help_text="officers only; null for others"
                ),
            },
        )
    )
    def retrieve(self, request: Request, cas: str) -> Response:
        d = queries.substance_detail(request.user, cas)
        stored = d["stored_by_province"]
        return Response(
            {
                "substance": SubstanceDetailSerializer(d["substance"]).data,
                "thresholds": d["thresholds"],
                "stored_by_province": (
                    None if stored is None else [{**r, "max_t": str(r["max_t"])} for r in stored]
                ),
            }
        )


# ------------------------------------------------------------------------------------------------
# Sites, inventories, hazard


class SiteSerializer(serializers.ModelSerializer):
    province_name_th = serializers.CharField(source="province.name_th", read_only=True)
    district_name_th = serializers.CharField(source="district.name_th", read_only=True)
    operator_name_th = serializers.CharField(source="operator.name_th", read_only=True)
    tier = serializers.SerializerMethodField()
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, coerce_to_string=True)
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6, coerce_to_string=True)

    class Meta:
        model = StorageSite
        fields = [
            "id",
            "code",
            "kind",
            "factory",
            "operator",
            "operator_name_th",
            "name_th",
            "name_en",
            "address",
            "province",
            "province_name_th",
            "district",
            "district_name_th",
            "latitude",
            "longitude",
            "surroundings",
            "status",
            "registered_on",
            "tier",
        ]

    def get_tier(self, obj: StorageSite) -> str | None:
        try:
            return obj.hazard.tier
        except StorageSite.hazard.RelatedObjectDoesNotExist:
            return None


SITE_WRITE = inline_serializer(
    "ChemicalSiteWrite",
    {
        "kind": serializers.CharField(help_text="factory or hazmat_storage"),
        "factory": serializers.IntegerField(required=False, help_text="registry factory id"),
        "name_th": serializers.CharField(required=False),
        "name_en": serializers.CharField(required=False),
        "address": serializers.CharField(required=False),
        "province": serializers.CharField(required=False),
        "district": serializers.CharField(required=False),
        "latitude": serializers.CharField(required=False),
        "longitude": serializers.CharField(required=False),
        "operator": serializers.CharField(required=False, help_text="organisation id or code"),
        "surroundings": serializers.CharField(required=False, help_text='"", urban or rural'),
        "code": serializers.CharField(required=False),
    },
)


class ItemSerializer(serializers.ModelSerializer):
    cas = serializers.CharField(source="substance.cas", default="", read_only=True)
    substance_name_en = serializers.CharField(source="substance.name_en", default="")
    substance_name_th = serializers.CharField(source="substance.name_th", default="")
    max_quantity = serializers.DecimalField(max_digits=20, decimal_places=6, coerce_to_string=True)
    max_kg = serializers.DecimalField(max_digits=24, decimal_places=6, coerce_to_string=True)
    average_kg = serializers.DecimalField(
        max_digits=24, decimal_places=6, coerce_to_string=True, allow_null=True
    )
    largest_container_kg = serializers.DecimalField(
        max_digits=24, decimal_places=6, coerce_to_string=True, allow_null=True
    )

    class Meta:
        model = InventoryItem
        fields = [
            "line",
            "cas",
            "substance_name_en",
            "substance_name_th",
            "mixture_name",
            "mixture_categories",
            "mixture_components",
            "physical_state",
            "max_quantity",
            "unit",
            "density_kg_m3",
            "max_kg",
            "average_kg",
            "largest_container_kg",
            "storage_type",
            "pressure_kpa",
            "temperature_c",
            "location",
            "isolated",
            "source",
        ]


class DeclarationSerializer(serializers.ModelSerializer):
    year_be = serializers.IntegerField(read_only=True)
    declared_by = serializers.CharField(source="declared_by.username", default=None)
    item_count = serializers.IntegerField(read_only=True, required=False)

    class Meta:
        model = Declaration
        fields = [
            "id",
            "year",
            "year_be",
            "version",
            "is_current",
            "superseded_by",
            "source",
            "note",
            "declared_by",
            "declared_at",
            "item_count",
        ]


class DeclarationDetailSerializer(DeclarationSerializer):
    items = ItemSerializer(many=True, read_only=True)

    class Meta(DeclarationSerializer.Meta):
        fields = [*DeclarationSerializer.Meta.fields, "items"]


DECLARATION_WRITE = inline_serializer(
    "ChemicalDeclarationWrite",
    {
        "year": serializers.IntegerField(help_text="C.E. (2025) or B.E. (2568: 2400 and above)"),
        "note": serializers.CharField(required=False),
        "items": serializers.ListField(
            child=inline_serializer(
                "ChemicalInventoryItemWrite",
                {
                    "cas": serializers.CharField(required=False),
                    "name": serializers.CharField(
                        required=False, help_text="used only when it names one substance exactly"
                    ),
                    "mixture": serializers.JSONField(
                        required=False, help_text="{name, categories: [H2, P5c], components}"
                    ),
                    "physical_state": serializers.CharField(required=False),
                    "max_quantity": serializers.CharField(),
                    "unit": serializers.CharField(help_text="kg, t, L, m3 … (see units)"),
                    "density_kg_m3": serializers.CharField(required=False),
                    "average_quantity": serializers.CharField(required=False),
                    "largest_container": serializers.CharField(required=False),
                    "storage_type": serializers.CharField(required=False),
                    "pressure_kpa": serializers.CharField(required=False),
                    "temperature_c": serializers.CharField(required=False),
                    "location": serializers.CharField(required=False),
                    "isolated": serializers.BooleanField(required=False),
                },
            )
        ),
    },
)


class SiteViewSet(viewsets.GenericViewSet):
    """Storage sites in the caller's reach; officers and operators register them."""

    serializer_class = SiteSerializer
    queryset = StorageSite.objects.none()

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str),
            OpenApiParameter("province", str),
            OpenApiParameter("district", str),
            OpenApiParameter("tier", str, description="none, lower or upper"),
            OpenApiParameter("kind", str, description="factory or hazmat_storage"),
        ]
    )
    def list(self, request: Request) -> Response:
        p = request.query_params
        qs = queries.sites_for_user(
            request.user,
            q=p.get("q", ""),
            province=p.get("province", ""),
            district=p.get("district", ""),
            tier=p.get("tier", ""),
            kind=p.get("kind", ""),
        )
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(SiteSerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(SiteSerializer(queries.site_for_user(request.user, pk)).data)

    @extend_schema(request=SITE_WRITE, responses={201: SiteSerializer})
    @idempotent
    def create(self, request: Request) -> Response:
        site = services.site_register(acting_user=request.user, data=_body(request))
        return Response(SiteSerializer(site).data, status=status.HTTP_201_CREATED)


class SiteInventoryView(APIView):
    """GET: the current declaration with its items, and every version. POST: a new declaration
    (a new version for its year; the current one is superseded and kept)."""

    @extend_schema(
        responses=inline_serializer(
            "ChemicalInventory",
            {
                "current": DeclarationDetailSerializer(allow_null=True),
                "versions": DeclarationSerializer(many=True),
            },
        )
    )
    def get(self, request: Request, pk: str) -> Response:
        site = queries.site_for_user(request.user, pk)
        view = queries.site_inventory(site)
        return Response(
            {
                "current": (
                    DeclarationDetailSerializer(view.current).data if view.current else None
                ),
                "versions": DeclarationSerializer(view.versions, many=True).data,
            }
        )

    @extend_schema(
        request=DECLARATION_WRITE,
        responses={201: DeclarationDetailSerializer},
        description=(
            "A new version of the year's declaration, from the items sent. Items another register "
            "keeps in the inventory (source `refrigeration_register`: a refrigeration plant's "
            "ammonia charge) are kept in the new version by the platform: do not send them again."
        ),
    )
    @idempotent
    def post(self, request: Request, pk: str) -> Response:
        site = queries.site_for_user(request.user, pk, write=True)
        data = _body(request)
        declaration = services.inventory_declare(
            acting_user=request.user,
            site=site,
            year=data.get("year"),
            items=data.get("items"),
            note=str(data.get("note") or ""),
        )
        fresh = queries.declaration_for_site(site, declaration.pk)
        return Response(DeclarationDetailSerializer(fresh).data, status=status.HTTP_201_CREATED)


class SiteHazardView(APIView):
    """The site's tier, the three sums, each item's contribution, RMP thresholds crossed and
    the worst-case zone with the method used."""

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, pk: str) -> Response:
        site = queries.site_for_user(request.user, pk)
        return Response(queries.hazard_explanation(site))


# ------------------------------------------------------------------------------------------------
# Risk map


class AreaLayerView(APIView):
    """Area risk as a GeoJSON FeatureCollection (public): ?level=h3-7|province|district.
    Served from the layer serialized by the last `areas_recompute` (gzip when accepted)."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(
        parameters=[OpenApiParameter("level", str, description="h3-7, province or district")],
        responses={(200, "application/geo+json"): OpenApiTypes.OBJECT},
    )
    def get(self, request: Request) -> HttpResponse:
        level = request.query_params.get("level", "province")
        if level not in queries.LEVELS:
            _invalid(
                "level",
                "invalid_choice",
                MSG["invalid_choice"],
                value=level,
                choices=", ".join(queries.LEVELS),
            )
        layer = queries.area_layer(level)
        if layer is None:
            body = b'{"type":"FeatureCollection","features":[]}'
            return HttpResponse(body, content_type="application/geo+json")
        # The public gets each area's level only (see AreaLayer.public_body); signed-in users
        # the score and what makes it.
        public = not request.user.is_authenticated
        etag = layer.public_etag if public else layer.etag
        if request.headers.get("If-None-Match") == f'"{etag}"':
            return HttpResponse(status=304)
        accepts_gzip = "gzip" in request.headers.get("Accept-Encoding", "")
        if public:
            body = layer.public_gzipped if accepts_gzip else layer.public_body
        else:
            body = layer.gzipped if accepts_gzip else layer.body
        response = HttpResponse(bytes(body), content_type="application/geo+json")
        if accepts_gzip:
            response["Content-Encoding"] = "gzip"
        response["ETag"] = f'"{etag}"'
        response["Vary"] = "Accept-Encoding, Cookie, Authorization"
        response["Cache-Control"] = ("public" if public else "private") + ", max-age=300"
        return response


class RiskSitesView(APIView):
    """Sites as GeoJSON points. Signed-in users: every site in reach with a tier or a worst-case
    zone (`in_reach: true`, with its zone), and the public's upper-tier sites outside their reach
    with the public's fields (`in_reach: false`). The public: upper-tier sites only, with their
    substances' hazard classes and emergency advice, never quantities, vessels or containers."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(responses={(200, "application/geo+json"): OpenApiTypes.OBJECT})
    def get(self, request: Request) -> HttpResponse:
        # A national officer's layer holds thousands of sites: compact UTF-8 JSON, gzipped when
        # the client accepts it, written directly (DRF's renderer took most of the time).
        body = json.dumps(
            queries.risk_sites_geojson(request.user), ensure_ascii=False, separators=(",", ":")
        ).encode()
        accepts_gzip = "gzip" in request.headers.get("Accept-Encoding", "")
        if accepts_gzip:
            body = gzip.compress(body, 5)
        response = HttpResponse(body, content_type="application/geo+json")
        if accepts_gzip:
            response["Content-Encoding"] = "gzip"
        response["Vary"] = "Accept-Encoding, Cookie, Authorization"
        return response


# ------------------------------------------------------------------------------------------------
# Receptors


class ReceptorLayerSerializer(serializers.ModelSerializer):
    uploaded_by = serializers.CharField(source="uploaded_by.username", default=None)

    class Meta:
        model = ReceptorLayer
        fields = [
            "id",
            "name",
            "description",
            "source_file",
            "synthetic",
            "row_count",
            "uploaded_by",
            "uploaded_at",
        ]


RECEPTOR_UPLOAD = inline_serializer(
    "ChemicalReceptorUpload",
    {
        "name": serializers.CharField(),
        "file": serializers.FileField(help_text=".geojson/.json or .csv"),
        "kind": serializers.CharField(required=False, help_text="default kind for rows without"),
        "synthetic": serializers.BooleanField(required=False),
        "dry_run": serializers.BooleanField(required=False),
    },
)


class ReceptorsView(APIView):
    """GET: the receptor layers; with ?site=<id>, the receptors inside that site's worst-case
    zone with their distances. POST (multipart): upload a layer, all or nothing."""

    parser_classes = [MultiPartParser, FormParser, ObjectJSONParser]

    @extend_schema(
        parameters=[OpenApiParameter("site", int)],
        responses={200: ReceptorLayerSerializer(many=True)},
        description="Without ?site=, the layers; with it, {site, zone, receptors: [...]}.",
    )
    def get(self, request: Request) -> Response:
        if not queries.sees_receptors(request.user):
            raise PermissionError
        site_ref = request.query_params.get("site")
        if site_ref:
            site = queries.site_for_user(request.user, site_ref)
            h = queries.site_hazard(site)
            near = queries.receptors_in_zone(request.user, site)
            return Response(
                {
                    "site": site.pk,
                    "zone": queries.zone_of(h),
                    "receptors": [
                        {
                            "id": n.receptor.pk,
                            "name": n.receptor.name,
                            "kind": n.receptor.kind,
                            "layer": n.receptor.layer.name,
                            "synthetic": n.receptor.layer.synthetic,
                            "population": n.receptor.population,
                            "latitude": n.receptor.latitude,
                            "longitude": n.receptor.longitude,
                            "distance_km": n.distance_km,
                        }
                        for n in near
                    ],
                }
            )
        layers = queries.receptor_layers_for_user(request.user)
        return Response(ReceptorLayerSerializer(layers, many=True).data)

    @extend_schema(
        request={"multipart/form-data": RECEPTOR_UPLOAD}, responses={201: ReceptorLayerSerializer}
    )
    @idempotent
    def post(self, request: Request) -> Response:
        upload = request.FILES.get("file")
        if upload is None:
            _invalid("file", "required", MSG["required"])
        truthy = ("1", "true", "yes", "on")
        dry_run = str(request.data.get("dry_run", "")).lower() in truthy
        layer = services.receptor_layer_upload(
            acting_user=request.user,
            name=str(request.data.get("name") or ""),
            content=upload.read(),
            filename=upload.name,
            default_kind=str(request.data.get("kind") or ""),
            synthetic=str(request.data.get("synthetic", "")).lower() in truthy,
            dry_run=dry_run,
        )
        if layer is None:
            return Response({"dry_run": True, "errors": []})
        return Response(ReceptorLayerSerializer(layer).data, status=status.HTTP_201_CREATED)
