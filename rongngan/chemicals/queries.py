"""Reads of the chemicals core, scoped by who is asking (chemicals.scoping holds the site rules).

The directory is public. Sites, inventories and hazard explanations are seen by whoever may see
the site (officers nationally, provincial officers and local governments in their area,
operators their own sites, inspectors their assigned factories). The public sees the area
layers and, of sites, only the upper-tier ones with their substances' hazard classes and
emergency advice: never quantities, vessels or containers (`risk_sites_geojson`).

For pages: directory `substances_search(q)`, `substance_detail(user, cas)` (substance,
thresholds, stored_by_province: None unless `sees_stored_where(user)`); sites
`sites_for_user(user, q=, province=, district=, tier=, kind=)`, `site_for_user(user, pk,
write=)` (404/403), `can_declare`, `can_register_site`; inventory `site_inventory(site)`
(current declaration with items, every version), `declaration_for_site(site, pk)`; hazard
`hazard_explanation(site)` (tier, sums, contributions, explanation_th/en sentences, RMP, zone);
map `area_layer(level)` (serialized GeoJSON bytes in `.body`), `area_risks(level)`,
`risk_sites_geojson(user)`; receptors `receptor_layers_for_user(user)`,
`receptors_in_zone(user, site)`, `can_upload_receptors(user)`. Writes: `services`.
"""

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.http import Http404

from rongngan.chemicals.areas import haversine_km
from rongngan.chemicals.cas import CAS_INPUT, CasError, normalise_cas
from rongngan.chemicals.hazard import (
    ITEM_FIELDS,
    SUBSTANCE_FIELDS,
    item_facts,
    steps,
    substance_facts,
)
from rongngan.chemicals.models import (
    AreaLayer,
    AreaRisk,
    Declaration,
    InventoryItem,
    Receptor,
    ReceptorLayer,
    SiteHazard,
    StorageSite,
    Substance,
    Tier,
)
from rongngan.chemicals.scoping import scope_sites, site_q
from rongngan.core.errors import render_in
from rongngan.core.scoping import role_of
from rongngan.core.search import filter_substring, filter_words
from rongngan.core.thai import to_arabic_digits

# Who sees where a substance is stored (aggregated by province) and the receptor layers.
OFFICER_ROLES = {"admin", "officer", "provincial_officer", "committee"}
RECEPTOR_READ = {"admin", "officer", "provincial_officer", "local_gov", "committee"}
RECEPTOR_WRITE = {"admin", "officer", "provincial_officer", "local_gov"}
CAS_LIKE = re.compile(r"^\d{2,7}-?\d{2}-?\d$")
UN_LIKE = re.compile(r"^(?:un\s*)?(\d{4})$", re.IGNORECASE)


# ------------------------------------------------------------------------------------------------
# Directory (public)


def cas_query_problem(query: str) -> str | None:
    """The error code of a directory query that is shaped like a CAS number but is not one (a
    wrong check digit, a bad grouping), so that a typing error is said plainly rather than
    answered "nothing found"; None for any other query."""
    q = (query or "").strip()
    if not (q and CAS_INPUT.match(q) and sum(c.isdecimal() for c in q) >= 5):
        return None
    try:
        normalise_cas(q.replace(" ", ""))
    except CasError as exc:
        return exc.code
    return None


def substances_search(query: str = "") -> QuerySet[Substance]:
    """By CAS number (with or without dashes), UN number ("1005" or "UN1005"), or words of the
    English or Thai name or a synonym (Thai segmented as in the registry search)."""
    qs = Substance.objects.all().order_by("name_en")
    text = " ".join(to_arabic_digits(query or "").split())
    if not text:
        return qs
    compact = text.replace(" ", "")
    if CAS_LIKE.match(compact):
        digits = compact.replace("-", "")
        cas = f"{digits[:-3]}-{digits[-3:-1]}-{digits[-1]}"
        return qs.filter(cas=cas)
    un = UN_LIKE.match(compact)
    if un:
        return qs.filter(un_number=un.group(1))
    from rongngan.chemicals import catalogue

    # Exact names and synonyms first (catalogue.find), then word and substring matches.
    exact = [r.cas for r in catalogue.find(text)]
    found = filter_words(qs, text)
    if not found.exists():
        found = filter_substring(qs, text)
    if exact:
        found = (found | qs.filter(cas__in=exact)).annotate(
            exact=Case(When(cas__in=exact, then=Value(0)), default=Value(1))
        )
        return found.order_by("exact", "name_en")
    return found


def substance_get(cas: str) -> Substance:
    s = Substance.objects.filter(cas=str(cas).strip()).first()
    if s is None:
        raise Http404("no such substance")
    return s


def substance_thresholds(substance: Substance) -> dict[str, Any]:
    """The thresholds that apply: Seveso categories and named entry (tonnes), RMP (kg)."""
    from rongngan.chemicals import catalogue

    categories = catalogue.seveso_categories()
    named = catalogue.seveso_named()
    out: dict[str, Any] = {"seveso_categories": [], "seveso_named": None, "rmp": None}
    for code in substance.seveso_categories:
        c = categories.get(code)
        if c is not None:
            out["seveso_categories"].append(
                {
                    "code": c.code,
                    "group": str(c.group),
                    "name_en": c.name_en,
                    "name_th": c.name_th,
                    "lower_t": str(c.lower_t),
                    "upper_t": str(c.upper_t),
                }
            )
    entry = named.get(substance.seveso_named_entry) if substance.seveso_named_entry else None
    if entry is not None:
        out["seveso_named"] = {
            "entry": str(entry.entry),
            "name_en": entry.name_en,
            "name_th": entry.name_th,
            "lower_t": str(entry.lower_t),
            "upper_t": str(entry.upper_t),
        }
    if substance.rmp_threshold_kg is not None:
        out["rmp"] = {
            "list": substance.rmp_kind,
            "threshold_kg": str(substance.rmp_threshold_kg),
            "toxic_endpoint_mg_l": (
                None
                if substance.toxic_endpoint_mg_l is None
                else str(substance.toxic_endpoint_mg_l)
            ),
        }
    return out


def sees_stored_where(user: Any) -> bool:
    return role_of(user) in OFFICER_ROLES


def substance_stored_by_province(user: Any, substance: Substance) -> list[dict[str, Any]] | None:
    """Where it is stored, by province, from each site's current declaration (the one its
    hazard is computed from); None for users who may not see it."""
    if not sees_stored_where(user):
        return None
    rows = (
        InventoryItem.objects.filter(
            substance=substance,
            declaration__in=SiteHazard.objects.filter(declaration__isnull=False).values(
                "declaration_id"
            ),
        )
        .values(
            province_code=F("declaration__site__province_id"),
            province_name_th=F("declaration__site__province__name_th"),
            province_name_en=F("declaration__site__province__name_en"),
        )
        .annotate(sites=Count("declaration__site", distinct=True), max_kg=Sum("max_kg"))
        .order_by("-max_kg")
    )
    return [
        {**r, "max_t": (Decimal(r.pop("max_kg")) / 1000).quantize(Decimal("0.001"))} for r in rows
    ]


def substance_detail(user: Any, cas: str) -> dict[str, Any]:
    s = substance_get(cas)
    return {
        "substance": s,
        "thresholds": substance_thresholds(s),
        "stored_by_province": substance_stored_by_province(user, s),
    }


# ------------------------------------------------------------------------------------------------
# Sites


def sites_for_user(
    user: Any,
    *,
    q: str = "",
    province: str = "",
    district: str = "",
    tier: str = "",
    kind: str = "",
) -> QuerySet[StorageSite]:
    """The sites `user` may see (none for the public: see `risk_sites_geojson`)."""
    qs = StorageSite.objects.select_related("province", "district", "operator", "hazard")
    if role_of(user) == "public":
        return qs.none()
    qs = scope_sites(qs, user)
    if q:
        words = q.strip()
        qs = qs.filter(
            Q(name_th__icontains=words) | Q(name_en__icontains=words) | Q(code__iexact=words)
        )
    if province:
        qs = qs.filter(province_id=province)
    if district:
        qs = qs.filter(district_id=district)
    if tier:
        qs = qs.filter(hazard__tier=tier)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("code")


def site_for_user(user: Any, pk: Any, *, write: bool = False) -> StorageSite:
    """The site, or 404 when the user may not see it, 403 when they may see but not change it."""
    site = sites_for_user(user).filter(pk=pk).first() if str(pk).isdecimal() else None
    if site is None:
        raise Http404("no such site")
    if write and not can_declare(user, site):
        raise PermissionDenied
    return site


def can_declare(user: Any, site: StorageSite) -> bool:
    """May `user` post a declaration for (and otherwise change) this site?"""
    return scope_sites(StorageSite.objects.filter(pk=site.pk), user, write=True).exists()


def can_register_site(user: Any) -> bool:
    return role_of(user) in {"admin", "officer", "provincial_officer", "operator"}


def can_upload_receptors(user: Any) -> bool:
    return role_of(user) in RECEPTOR_WRITE


def _items() -> Prefetch:
    return Prefetch(
        "items", queryset=InventoryItem.objects.select_related("substance").order_by("line")
    )


def current_declaration(site: StorageSite) -> Declaration | None:
    """The current version of the latest year declared, with its items and substances."""
    return (
        Declaration.objects.filter(site=site, is_current=True)
        .select_related("declared_by")
        .prefetch_related(_items())
        .order_by("-year")
        .first()
    )


def declarations_for_site(site: StorageSite, *, year: int | None = None) -> QuerySet[Declaration]:
    """Every version, newest first, with its item count (the inventory history)."""
    qs = Declaration.objects.filter(site=site).select_related("declared_by")
    if year is not None:
        qs = qs.filter(year=year)
    return qs.annotate(item_count=Count("items")).order_by("-year", "-version")


def declaration_for_site(site: StorageSite, pk: Any) -> Declaration:
    d = (
        Declaration.objects.filter(site=site, pk=pk).prefetch_related(_items()).first()
        if str(pk).isdecimal()
        else None
    )
    if d is None:
        raise Http404("no such declaration")
    return d


@dataclass
class InventoryView:
    current: Declaration | None
    versions: list[Declaration]


def site_inventory(site: StorageSite) -> InventoryView:
    return InventoryView(current_declaration(site), list(declarations_for_site(site)))


def site_hazard(site: StorageSite) -> SiteHazard:
    """The cached status (already loaded by `sites_for_user`), computed on first use."""
    try:
        return site.hazard
    except StorageSite.hazard.RelatedObjectDoesNotExist:
        pass
    from rongngan.chemicals.services import hazard_recompute

    return hazard_recompute(site=site)


def hazard_steps(h: SiteHazard) -> list[Any]:
    """The rules' steps for the declaration the status was computed from (rebuilt, not cached)."""
    if h.declaration_id is None:
        return []
    rows = list(InventoryItem.objects.filter(declaration_id=h.declaration_id).values(*ITEM_FIELDS))
    ids = {r["substance_id"] for r in rows if r["substance_id"]}
    table = {
        row["id"]: substance_facts(row)
        for row in Substance.objects.filter(pk__in=ids).values(*SUBSTANCE_FIELDS)
    }
    return steps([item_facts(r, table) for r in rows])


def hazard_explanation(site: StorageSite) -> dict[str, Any]:
    """Everything behind a site's status, for the site page and the API (not for the public).

    `explanation_th` / `explanation_en` are the rules' steps as sentences."""
    h = site_hazard(site)
    # A site with nothing declared has no explanation yet (stored as an empty list).
    base = h.explanation if isinstance(h.explanation, dict) else {}
    explained = {**base, "steps": hazard_steps(h)}
    decl = (
        Declaration.objects.filter(pk=h.declaration_id).values("pk", "year", "version").first()
        if h.declaration_id
        else None
    )
    return {
        "site": site.pk,
        "tier": h.tier,
        "tier_label": str(Tier(h.tier).label),  # in the request's language
        "tier_label_th": render_in("th", Tier(h.tier).label),
        "tier_label_en": render_in("en", Tier(h.tier).label),
        "hazard_ratio": h.hazard_ratio,
        "sums": h.sums,
        "contributions": h.contributions,
        "explanation": base,
        "explanation_th": explanation_lines(explained, "th"),
        "explanation_en": explanation_lines(explained, "en"),
        "rmp_crossed": h.rmp_crossed,
        "zone": zone_of(h),
        # Toxic gases above the screening quantity whose zone could not be drawn, and why.
        "zone_not_computed": (h.zone_details or {}).get("not_computed", []),
        "declaration": (
            None
            if decl is None
            else {
                "id": decl["pk"],
                "year": decl["year"],
                "year_be": decl["year"] + 543,
                "version": decl["version"],
            }
        ),
        "item_count": h.item_count,
        "computed_at": h.computed_at,
        "catalogue_version": h.catalogue_version,
    }


def zone_of(h: SiteHazard) -> dict[str, Any] | None:
    if h.zone_radius_km is None:
        return None
    return {
        "radius_km": str(h.zone_radius_km),
        "cas": h.zone_cas,
        "substance": h.zone_substance,
        "method": h.zone_method,
        "setting": h.zone_setting,
        "setting_basis": h.zone_details.get("setting_basis", ""),
        "details": h.zone_details,
    }


# ------------------------------------------------------------------------------------------------
# Risk map


LEVELS = ("h3-7", "province", "district")


def area_layer(level: str) -> AreaLayer | None:
    """The serialized GeoJSON FeatureCollection of one level (public: areas only)."""
    return AreaLayer.objects.filter(level=level).first()


def area_risks(level: str, *, province: str = "") -> QuerySet[AreaRisk]:
    qs = AreaRisk.objects.filter(level=level)
    if province and level == "district":
        qs = qs.filter(key__startswith=province)
    return qs.order_by("-score", "key")


def risk_sites(user: Any) -> QuerySet[SiteHazard]:
    """The sites on the risk map, each annotated `in_reach`.

    The public: the active upper-tier sites. Everyone signed in sees at least that (the public
    layer, with the public's fields only when the site is out of their reach) and, in their
    reach, every site with a tier or a worst-case zone: a toxic gas at or above its RMP
    threshold draws a zone below the Seveso tiers (an ammonia refrigeration plant's charge).
    """
    qs = SiteHazard.objects.select_related("site").defer(
        "sums", "contributions", "explanation", "zone_details"
    )
    public_q = Q(tier=Tier.UPPER, site__status="active")
    if role_of(user) == "public":
        return qs.filter(public_q).annotate(in_reach=Value(False))
    mapped = ~Q(tier=Tier.NONE) | Q(zone_radius_km__isnull=False)
    q = site_q(user)
    if q is None:
        return qs.filter(mapped).annotate(in_reach=Value(True))
    # Exists() keeps one row per site where the inspector's reach crosses a to-many relation.
    reach = StorageSite.objects.filter(q, pk=OuterRef("site_id"))
    return qs.annotate(in_reach=Exists(reach)).filter((Q(in_reach=True) & mapped) | public_q)


PUBLIC_SUBSTANCE_FIELDS = (
    "cas",
    "name_en",
    "name_th",
    "hazard_classes",
    "pictograms",
    "signal_word",
    "emergency_en",
    "emergency_th",
)


def risk_sites_geojson(user: Any) -> dict[str, Any]:
    """GeoJSON points of the tiered sites, with a top-level "substances" table (hazard classes
    and emergency advice, once per substance) that each feature's "substances" keys point to.

    Public features carry only published fields (name, tier, substance keys); never quantities,
    vessels, containers or zones. For sites in the reader's reach (`in_reach`) the features also
    carry code, kind, area, ratio, RMP list and zone; a public-layer site outside it keeps the
    public's fields.
    """
    public = role_of(user) == "public"
    features = []
    table: dict[str, dict[str, Any]] = {}
    rows = (
        risk_sites(user)
        .order_by("site_id")
        .values(
            "site_id",
            "tier",
            "hazard_ratio",
            "rmp_crossed",
            "public_substances",
            "zone_radius_km",
            "zone_cas",
            "zone_substance",
            "zone_method",
            "zone_setting",
            "latitude",
            "longitude",
            "province_id",
            "district_id",
            "site__name_th",
            "site__name_en",
            "site__code",
            "site__kind",
            "in_reach",
        )
    )
    for h in rows:
        keys = []
        for s in h["public_substances"]:
            key = s.get("cas") or f"mixture:{s.get('name_en', '')}"
            keys.append(key)
            if key not in table:
                table[key] = {k: s.get(k) for k in PUBLIC_SUBSTANCE_FIELDS}
        props: dict[str, Any] = {
            "id": h["site_id"],
            "name_th": h["site__name_th"],
            "name_en": h["site__name_en"],
            "tier": h["tier"],
            "substances": keys,
        }
        if not public:
            props["in_reach"] = h["in_reach"]
        if h["in_reach"]:
            props.update(
                code=h["site__code"],
                kind=h["site__kind"],
                province=h["province_id"],
                district=h["district_id"],
                hazard_ratio=h["hazard_ratio"],
                rmp_crossed=[r["cas"] for r in h["rmp_crossed"]],
                zone=(
                    None
                    if h["zone_radius_km"] is None
                    else {
                        "radius_km": str(h["zone_radius_km"]),
                        "cas": h["zone_cas"],
                        "substance": h["zone_substance"],
                        "method": h["zone_method"],
                        "setting": h["zone_setting"],
                    }
                ),
            )
        features.append(
            {
                "type": "Feature",
                "geometry": {
                    "type": "Point",
                    "coordinates": [round(h["longitude"], 5), round(h["latitude"], 5)],
                },
                "properties": props,
            }
        )
    return {"type": "FeatureCollection", "substances": table, "features": features}


# ------------------------------------------------------------------------------------------------
# Receptors


def sees_receptors(user: Any) -> bool:
    return role_of(user) in RECEPTOR_READ


def receptor_layers_for_user(user: Any) -> QuerySet[ReceptorLayer]:
    if not sees_receptors(user):
        return ReceptorLayer.objects.none()
    return ReceptorLayer.objects.filter(is_active=True).select_related("uploaded_by")


@dataclass
class ReceptorNear:
    receptor: Receptor
    distance_km: float


def receptors_in_zone(user: Any, site: StorageSite) -> list[ReceptorNear]:
    """Receptors of the active layers inside the site's worst-case zone, nearest first."""
    if not sees_receptors(user):
        raise PermissionDenied
    h = site_hazard(site)
    if h.zone_radius_km is None:
        return []
    return receptors_near(float(site.latitude), float(site.longitude), float(h.zone_radius_km))


def receptors_near(lat: float, lon: float, radius_km: float) -> list[ReceptorNear]:
    dlat = radius_km / 110.5 + 0.001
    dlon = radius_km / (111.32 * max(0.2, abs(math.cos(math.radians(lat))))) + 0.001
    candidates = Receptor.objects.filter(
        layer__is_active=True,
        latitude__range=(lat - dlat, lat + dlat),
        longitude__range=(lon - dlon, lon + dlon),
    ).select_related("layer")
    out = []
    for r in candidates:
        d = haversine_km(lat, lon, r.latitude, r.longitude)
        if d <= radius_km:
            out.append(ReceptorNear(r, round(d, 3)))
    return sorted(out, key=lambda n: (n.distance_km, n.receptor.name))


def explanation_lines(explanation: Mapping[str, Any], language: str | None = None) -> list[str]:
    """The steps of the tier rules as sentences in `language` (default: the active one).

    `explanation` is a SiteHazard's explanation with "steps" added (see `hazard_explanation`).
    """
    from django.utils import translation

    from rongngan.chemicals.messages import EXPLAIN, GROUP_LABELS, LEVEL_LABELS, TIER_LABELS

    language = language or translation.get_language() or "th"
    labels = explanation.get("labels") or {}
    out = []
    for step in explanation.get("steps") or []:
        code, params = step[0], dict(step[1])
        if code == "sum":
            code = "sum_qualifies" if params.get("qualifies") else "sum_below"
        message = EXPLAIN.get(code)
        if message is None:
            continue
        with translation.override(language):
            params["label"] = labels.get(params.get("key"), params.get("key", ""))
            if "group" in params:
                params["group"] = str(GROUP_LABELS.get(params["group"], params["group"]))
            if "level" in params:
                params["level"] = str(LEVEL_LABELS.get(params["level"], params["level"]))
            if "tier" in params:
                params["tier"] = str(TIER_LABELS.get(params["tier"], params["tier"]))
        for name in ("quantity_t", "threshold_t", "ratio", "value"):
            if name in params:
                params[name] = _short(params[name])
        out.append(render_in(language, message, params))
    return out


def _short(value: Any) -> str:
    """A decimal string for reading: at most 4 decimals, cut (not rounded, so that a sum just
    below 1 never reads 1), no trailing zeros."""
    try:
        d = Decimal(str(value))
    except ArithmeticError:
        return str(value)
    if abs(d) >= Decimal("0.0001"):
        d = d.quantize(Decimal("0.0001"), rounding=ROUND_DOWN)
    return format(d.normalize(), "f")
