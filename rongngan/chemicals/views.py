"""Pages of the chemicals core: the public directory, sites and their hazard explained, the
inventory declaration, the risk map and the receptor upload.

Thin, as elsewhere: every read through `chemicals.queries` (scoped by the user), every write a
service; a PermissionError becomes 403 and a RongnganValidationError re-shows the form with each
problem at its field. The risk map draws what the API returns, so the public/officer split of the
map is the API's (`queries.risk_sites_geojson`), not the page's.
"""

import re
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from rongngan.chemicals import catalogue, queries, services
from rongngan.chemicals.cas import CasError, normalise_cas
from rongngan.chemicals.forms import (
    CAS_INPUT,
    DeclarationForm,
    DirectorySearchForm,
    ItemFormSet,
    ReceptorUploadForm,
    SiteFilterForm,
    SiteForm,
    candidates_for,
    checked,
    row_initial,
    show_declaration_problems,
)
from rongngan.chemicals.messages import GROUP_LABELS, MSG
from rongngan.chemicals.models import (
    DeclarationSource,
    InventoryItem,
    ReceptorKind,
    SiteKind,
    Tier,
)
from rongngan.core.errors import RongnganValidationError, show_problems
from rongngan.core.scoping import role_of
from rongngan.registry import queries as registry_queries

PAGE_SIZE = 50
START_ROWS = 3
GROUPS = ("health", "physical", "environment")
LEVELS = ("lower", "upper")
# Drawn as labelled badges (no external images): the GHS pictogram code and what it stands for.
PICTOGRAMS = {
    "GHS01": gettext_lazy("Exploding bomb: explosives"),
    "GHS02": gettext_lazy("Flame: flammable"),
    "GHS03": gettext_lazy("Flame over circle: oxidising"),
    "GHS04": gettext_lazy("Gas cylinder: gas under pressure"),
    "GHS05": gettext_lazy("Corrosion: corrosive"),
    "GHS06": gettext_lazy("Skull and crossbones: acutely toxic"),
    "GHS07": gettext_lazy("Exclamation mark: harmful or irritant"),
    "GHS08": gettext_lazy("Health hazard: serious long-term effects"),
    "GHS09": gettext_lazy("Environment: toxic to aquatic life"),
}
SIGNAL_WORDS = {"Danger": gettext_lazy("Danger"), "Warning": gettext_lazy("Warning")}
SETTINGS = {
    "rural": gettext_lazy("rural (open country)"),
    "urban": gettext_lazy("urban (many obstacles)"),
}
METHODS = {
    "epa-oca-2009-reference-table": gettext_lazy(
        "US EPA RMP Offsite Consequence Analysis Guidance (2009), reference tables"
    ),
    "epa-oca-2009-neutral-table-screening": gettext_lazy(
        "Screening estimate: US EPA RMP Offsite Consequence Analysis Guidance (2009), "
        "neutrally buoyant gas tables"
    ),
}
# Why a zone could not be drawn (hazard.py keeps the code per substance).
ZONE_ERRORS = {
    "beyond_transcribed_table": gettext_lazy(
        "the release rate is past the last row of the reference table stored here"
    ),
    "no_endpoint": gettext_lazy("no toxic endpoint in 40 CFR 68 Appendix A"),
    "not_a_gas": gettext_lazy("not a gas: a liquid's release needs a pool evaporation model"),
}
RECEPTOR_LIMIT = 5000


def _service(call: Callable[[], Any]) -> Any:
    """Runs a service; a refusal of the party is a 403 (validation errors pass through)."""
    try:
        return call()
    except PermissionError as exc:
        raise PermissionDenied(str(exc)) from exc


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _d(value: Any) -> Decimal | None:
    try:
        return None if value in (None, "") else Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def tonnes(kg: Any) -> Decimal | None:
    d = _d(kg)
    return None if d is None else d / 1000


# --------------------------------------------------------------------------------------------
# Directory (public)


@require_GET
def directory(request: HttpRequest) -> HttpResponse:
    form = DirectorySearchForm(request.GET)
    q = (request.GET.get("q") or "").strip()
    page = None
    status = 200
    exact: list[Any] = []
    problem = queries.cas_query_problem(q)
    if problem:
        form.add_error("q", str(MSG.get(problem, MSG["cas_format"])) % {"value": q})
        status = 400
    if status == 200:
        qs = queries.substances_search(q)
        page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
        if q:
            exact = catalogue.find(q)
    return render(
        request,
        "chemicals/directory.html",
        {
            "form": form,
            "q": q,
            "page": page,
            "several": len(exact) > 1,
            "query": _query_without_page(request),
        },
        status=status,
    )


def _hs_listings(listings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The directory row's Hazardous Substance Act listings, with what the table shows: the
    source's host as the link text and the pages as one string."""
    return [
        {
            **h,
            "host": urlsplit(h.get("source") or "").netloc,
            "pages_text": ", ".join(str(p) for p in h.get("pages") or ()),
        }
        for h in listings or ()
    ]


@require_GET
def substance_detail(request: HttpRequest, cas: str) -> HttpResponse:
    detail = queries.substance_detail(request.user, cas)
    s = detail["substance"]
    return render(
        request,
        "chemicals/substance_detail.html",
        {
            "s": s,
            "thresholds": detail["thresholds"],
            "stored": detail["stored_by_province"],
            "pictograms": [(code, PICTOGRAMS.get(code, code)) for code in s.pictograms],
            "signal_word": SIGNAL_WORDS.get(s.signal_word, s.signal_word),
            "hs_listings": _hs_listings(s.thai_hs_listings),
        },
    )


# --------------------------------------------------------------------------------------------
# Sites


@login_required
@require_GET
def site_list(request: HttpRequest) -> HttpResponse:
    form = SiteFilterForm(request.GET)
    get = request.GET.get
    tier = get("tier", "") if get("tier", "") in Tier.values else ""
    kind = get("kind", "") if get("kind", "") in SiteKind.values else ""
    qs = queries.sites_for_user(
        request.user,
        q=(get("q") or "").strip(),
        province=(get("province") or "").strip(),
        tier=tier,
        kind=kind,
    )
    page = Paginator(qs, PAGE_SIZE).get_page(get("page"))
    return render(
        request,
        "chemicals/site_list.html",
        {
            "form": form,
            "page": page,
            "query": _query_without_page(request),
            "can_register": queries.can_register_site(request.user),
        },
    )


def _explained(site: Any, items_by_line: dict[int, InventoryItem]) -> dict[str, Any]:
    """The hazard explanation shaped for the page: per level, the three sums with each
    substance's contribution, direct qualifiers, 2 % exclusions and the step sentences."""
    h = queries.site_hazard(site)
    if isinstance(h.explanation, dict):
        ex = queries.hazard_explanation(site)
    else:
        # Nothing declared yet: the cached status has no explanation to rebuild (and
        # `hazard_explanation` expects one), so the page shows the empty status itself.
        ex = {
            "tier": h.tier,
            "sums": h.sums or {},
            "contributions": [],
            "explanation": {},
            "explanation_th": [],
            "explanation_en": [],
            "rmp_crossed": h.rmp_crossed or [],
            "zone": queries.zone_of(h),
            "zone_not_computed": [],
            "declaration": None,
        }
    explanation = ex["explanation"] if isinstance(ex["explanation"], dict) else {}
    labels = explanation.get("labels") or {}

    def label(key: str) -> str:
        return labels.get(key, key)

    def line_of(key: str) -> InventoryItem | None:
        head = str(key).split(":", 1)[0]
        return items_by_line.get(int(head)) if head.isdecimal() else None

    rows: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    others: list[dict[str, Any]] = []
    for c in ex["contributions"]:
        item = line_of(c["key"])
        row = {
            **c,
            "label": label(c["key"]),
            "quantity_t": tonnes(item.max_kg) if item else None,
            "ratio_d": _d(c["ratio"]),
            "threshold_d": _d(c["threshold_t"]),
        }
        if c["group"] in GROUPS:
            rows[(c["level"], c["group"])].append(row)
        else:
            others.append(row)
    levels = []
    for level in LEVELS:
        sums = (ex["sums"] or {}).get(level) or {}
        groups = []
        for g in GROUPS:
            value = _d(sums.get(g)) or Decimal(0)
            groups.append(
                {
                    "group": g,
                    "label": GROUP_LABELS[g],
                    "value": value,
                    "qualifies": value >= 1,
                    "rows": rows.get((level, g), []),
                }
            )
        levels.append({"level": level, "groups": groups})
    direct = [
        {**d, "label": label(d["key"]), "threshold_d": _d(d["threshold_t"])}
        for d in explanation.get("direct") or []
    ]
    ignored = [r for rs in rows.values() for r in rs if r["ignored"]] + [
        r for r in others if r["ignored"]
    ]
    zone = ex["zone"]
    if zone:
        computed = (zone.get("details") or {}).get("zone") or {}
        zone = {
            **zone,
            "radius": _d(zone["radius_km"]),
            "setting_label": SETTINGS.get(zone["setting"], zone["setting"]),
            "method_label": METHODS.get(zone["method"], zone["method"]),
            "table_name": computed.get("table_name", ""),
            "release_kg_min": _d(computed.get("release_rate_kg_min")),
            "vessel_t": tonnes((zone.get("details") or {}).get("vessel_kg")),
            "interpolation": computed.get("interpolation", ""),
            "endpoint": _d(computed.get("endpoint_mg_l")),
            "screening": bool(computed.get("screening")),
            "heavier_than_air": bool(computed.get("heavier_than_air")),
            "fallback": bool(computed.get("fallback")),
        }

    def substance_name(cas: str) -> str:
        record = catalogue.substance(cas) if cas else None
        if record is None:
            return cas
        return record.name_th if translation.get_language() == "th" else record.name_en

    not_computed = [
        {
            "cas": n.get("cas", ""),
            "label": substance_name(n.get("cas", "")),
            "reason": ZONE_ERRORS.get(n.get("error", ""), n.get("error", "")),
        }
        for n in ex.get("zone_not_computed") or []
    ]
    return {
        **ex,
        "levels": levels,
        "others": others,
        "direct": direct,
        "ignored": ignored,
        "error": explanation.get("error"),
        "zone": zone,
        "zone_not_computed": not_computed,
        "rmp": [
            {**r, "threshold_d": _d(r["threshold_kg"]), "quantity_d": _d(r["quantity_kg"])}
            for r in ex["rmp_crossed"]
        ],
    }


@login_required
@require_GET
def site_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    site = queries.site_for_user(user, pk)
    inventory = queries.site_inventory(site)
    current = inventory.current
    items = list(current.items.all()) if current else []
    h = queries.site_hazard(site)
    if current is not None and h.declaration_id == current.pk:
        by_line = {i.line: i for i in items}
    else:
        by_line = {i.line: i for i in InventoryItem.objects.filter(declaration_id=h.declaration_id)}
    explained = _explained(site, by_line)
    declared = {i.substance_id for i in items if i.source != DeclarationSource.REFRIGERATION}
    counted_twice = sorted(
        {
            i.substance.name_th or i.substance.name_en
            for i in items
            if i.source == DeclarationSource.REFRIGERATION and i.substance_id in declared
        }
    )
    receptors = None
    if queries.sees_receptors(user) and explained["zone"]:
        receptors = queries.receptors_in_zone(user, site)
    map_data = {
        "outline_url": reverse("registry:thailand_geojson"),
        "lat": float(site.latitude),
        "lon": float(site.longitude),
        "name": site.name_th,
        "tier": h.tier,
        "radius_km": float(h.zone_radius_km) if h.zone_radius_km is not None else None,
        "zone_label": (
            _("Worst-case zone: %(km)s km (%(substance)s)")
            % {"km": h.zone_radius_km, "substance": h.zone_substance}
            if h.zone_radius_km is not None
            else ""
        ),
        "receptors": [
            {
                "name": n.receptor.name,
                "kind": str(ReceptorKind(n.receptor.kind).label),
                "lat": n.receptor.latitude,
                "lon": n.receptor.longitude,
                "km": n.distance_km,
            }
            for n in receptors or []
        ],
    }
    return render(
        request,
        "chemicals/site_detail.html",
        {
            "site": site,
            "current": current,
            "counted_twice": counted_twice,
            "items": [
                {
                    "item": i,
                    "max_t": tonnes(i.max_kg),
                    "average_t": tonnes(i.average_kg),
                    "container_t": tonnes(i.largest_container_kg),
                }
                for i in items
            ],
            "versions": inventory.versions,
            "hazard": h,
            "ex": explained,
            "receptors": receptors,
            "sees_receptors": queries.sees_receptors(user),
            "can_declare": queries.can_declare(user, site),
            "map_data": map_data,
        },
    )


@login_required
@require_GET
def declaration_detail(request: HttpRequest, pk: int, declaration: int) -> HttpResponse:
    site = queries.site_for_user(request.user, pk)
    d = queries.declaration_for_site(site, declaration)
    return render(
        request,
        "chemicals/declaration_detail.html",
        {
            "site": site,
            "declaration": d,
            "items": [
                {
                    "item": i,
                    "max_t": tonnes(i.max_kg),
                    "average_t": tonnes(i.average_kg),
                    "container_t": tonnes(i.largest_container_kg),
                }
                for i in d.items.all()
            ],
        },
    )


def _resolve_factory(user: Any, data: dict[str, Any]) -> dict[str, Any]:
    """The form asks for a registration number; the service takes the factory's id."""
    ref = data.get("factory", "")
    if ref:
        found = (
            registry_queries.factories_for_user(user)
            .filter(registration_no=ref)
            .values_list("pk", flat=True)
            .first()
        )
        if found is not None:
            data["factory"] = str(found)
        elif not ref.isdecimal() or len(ref) > 9:
            data["factory"] = f"#{ref}"  # never read as an id: the service says "not found"
    return data


@login_required
@require_http_methods(["GET", "POST"])
def site_register(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not queries.can_register_site(user):
        raise PermissionDenied
    operator_role = role_of(user) == "operator"
    if request.method == "POST":
        form = SiteForm(request.POST, operator_role=operator_role)
        data = _resolve_factory(user, form.data_for_service())
        if data["factory"] and not request.POST.get("kind"):
            data["kind"] = SiteKind.FACTORY
        if data["kind"] == SiteKind.FACTORY:
            for name in ("province", "district"):
                data.pop(name, None)
        try:
            site = _service(lambda: services.site_register(acting_user=user, data=data))
        except RongnganValidationError as exc:
            show_problems(form, exc)
        else:
            messages.success(request, _("Site %(code)s registered.") % {"code": site.code})
            return redirect("chemicals:site_detail", pk=site.pk)
        status = 400
    else:
        form = SiteForm(operator_role=operator_role)
        status = 200
    own = []
    if operator_role:
        own = list(
            registry_queries.factories_for_user(user)
            .filter(storage_site__isnull=True)
            .order_by("registration_no")
            .values("registration_no", "name_th")[:200]
        )
    return render(
        request,
        "chemicals/site_form.html",
        {"form": form, "own_factories": own},
        status=status,
    )


# --------------------------------------------------------------------------------------------
# Inventory declaration


def _rows_from_post(post: Any) -> tuple[Any, int]:
    """The row formset, one row longer when "add a row" was pressed (no script needed)."""
    data = post.copy()
    try:
        total = int(data.get("items-TOTAL_FORMS", START_ROWS))
    except ValueError:
        total = START_ROWS
    if "add_row" in data:
        total += 1
    from rongngan.chemicals.forms import MAX_ROWS

    total = max(1, min(total, MAX_ROWS))
    data["items-TOTAL_FORMS"] = str(total)
    data.setdefault("items-INITIAL_FORMS", "0")
    return ItemFormSet(data, prefix="items"), total


@login_required
@require_http_methods(["GET", "POST"])
def inventory_declare(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    site = queries.site_for_user(user, pk, write=True)
    current = queries.current_declaration(site)
    status = 200
    if request.method == "POST":
        form = DeclarationForm(request.POST)
        rows, _total = _rows_from_post(request.POST)
        row_forms = list(rows.forms)
        if "add_row" not in request.POST:
            positions = [i for i, r in enumerate(row_forms) if not r.is_blank()]
            items = [row_forms[i].item() for i in positions]
            try:
                declaration = _service(
                    lambda: services.inventory_declare(
                        acting_user=user,
                        site=site,
                        year=request.POST.get("year", ""),
                        items=items,
                        note=request.POST.get("note", ""),
                    )
                )
            except RongnganValidationError as exc:
                show_declaration_problems(form, row_forms, positions, exc)
                for p in exc.problems:
                    # a name that matches several substances: offer them, never pick one
                    if p.code == "name_ambiguous" and p.field:
                        index = int(p.field.split("[", 1)[1].split("]", 1)[0])
                        row = row_forms[positions[index]]
                        row.offer(candidates_for(row.raw("substance")))
                status = 400
            else:
                h = queries.site_hazard(site)
                messages.success(
                    request,
                    _(
                        "Declaration for %(year)s saved as version %(version)s. "
                        "The site's tier is now: %(tier)s."
                    )
                    % {
                        "year": declaration.year_be,
                        "version": declaration.version,
                        "tier": Tier(h.tier).label,
                    },
                )
                return redirect(reverse("chemicals:site_detail", args=[site.pk]) + "#hazard")
    else:
        year = current.year if current else timezone.localdate().year
        form = DeclarationForm(initial={"year": year + 543})
        own = (DeclarationSource.DECLARATION, DeclarationSource.SEED)
        initial = (
            [row_initial(i) for i in current.items.all() if i.source in own] if current else []
        )
        initial += [{"unit": "t"}] * max(START_ROWS - len(initial), 1)
        rows = ItemFormSet(prefix="items", initial=initial)
        rows.extra = 0
        row_forms = list(rows.forms)
    return render(
        request,
        "chemicals/declaration_form.html",
        {
            "site": site,
            "current": current,
            "form": form,
            "rows": rows,
            "row_forms": row_forms,
            "units": catalogue_units(),
            "row_errors": any(r.errors for r in row_forms),
            "register_items": services.register_items(
                site, current.year if current else timezone.localdate().year
            ),
        },
        status=status,
    )


@require_GET
def substance_lookup(request: HttpRequest) -> HttpResponse:
    """What a declaration row's substance box names (HTMX): the one substance, the several a
    name matches as choices for that row, or why nothing matches. Never picks among several."""
    row = request.GET.get("row", "")
    if not re.fullmatch(r"items-\d{1,2}", row):
        return HttpResponse(status=400)
    text = (request.GET.get(f"{row}-substance") or "").strip()
    context: dict[str, Any] = {"row": row, "text": text, "found": None, "candidates": []}
    if text and CAS_INPUT.match(text) and sum(ch.isdecimal() for ch in text) >= 5:
        try:
            cas = normalise_cas(text)
        except CasError as exc:
            context["problem"] = str(MSG.get(exc.code, MSG["cas_format"])) % {"value": text}
        else:
            context["found"] = catalogue.find(cas)[:1]
            if not context["found"]:
                context["problem"] = str(MSG["cas_unknown"]) % {"value": cas, "suggest": ""}
    elif text:
        matches = catalogue.find(text)
        if len(matches) == 1:
            context["found"] = matches
        elif matches:
            context["candidates"] = candidates_for(text)
        else:
            context["problem"] = str(MSG["name_unknown"]) % {"value": text}
    return render(request, "chemicals/_lookup.html", context)


def catalogue_units() -> list[dict[str, str]]:
    from rongngan.chemicals import units

    return [{"code": u.code, "needs": ", ".join(u.needs)} for u in units.UNITS]


# --------------------------------------------------------------------------------------------
# Risk map and receptors


@require_GET
def risk_map(request: HttpRequest) -> HttpResponse:
    user = request.user
    sees = queries.sees_receptors(user)
    config = {
        "outline_url": reverse("registry:thailand_geojson"),
        "areas_url": "/api/v1/chemicals/risk/areas/",
        "sites_url": "/api/v1/chemicals/risk/sites/",
        "receptors_url": reverse("chemicals:receptors_geojson") if sees else "",
        "zone_receptors_url": "/api/v1/chemicals/receptors/" if sees else "",
        "site_url": reverse("chemicals:site_detail", args=[0]) if role_of(user) != "public" else "",
        "public": role_of(user) == "public",
        "lang": "th" if (request.LANGUAGE_CODE or "th").startswith("th") else "en",
        "labels": {
            "score": _("Score"),
            "hazard": _("Hazard component"),
            "proximity": _("Proximity component"),
            "percentile": _("National percentile"),
            "band": _("Band"),
            "sites": _("Sites"),
            "lower": _("Lower tier"),
            "upper": _("Upper tier"),
            "none": _("Below the tiers: a toxic gas at or above its RMP threshold"),
            "tier": _("Tier"),
            "zone": _("Worst-case zone"),
            "km": _("km"),
            "method": _("Method"),
            "screening": _(
                "screening estimate from the neutral-gas tables (the substance's own table is "
                "not stored): likely larger than the guidance's distance"
            ),
            "substances": _("Substances"),
            "advice": _("Emergency advice"),
            "inside": _("Inside the zone"),
            "nothing_inside": _("No receptor of the loaded layers lies inside this zone."),
            "open_site": _("Open the site page"),
            "loading": _("Loading…"),
            "failed": _("The layer could not be loaded."),
            "no_areas": _("No area has a computed risk yet."),
        },
        "kinds": {k: str(v) for k, v in ReceptorKind.choices},
    }
    return render(
        request,
        "chemicals/risk_map.html",
        {
            "config": config,
            "sees_receptors": sees,
            "can_upload": queries.can_upload_receptors(user),
            "public": config["public"],
            "bands": [
                (1, _("below the 50th percentile")),
                (2, _("50th to 80th percentile")),
                (3, _("80th to 95th percentile")),
                (4, _("95th percentile and above")),
            ],
        },
    )


@login_required
@require_GET
def receptors_geojson(request: HttpRequest) -> JsonResponse:
    """The receptors of the active layers as GeoJSON points, for officers and local governments."""
    if not queries.sees_receptors(request.user):
        raise PermissionDenied
    from rongngan.chemicals.models import Receptor

    layers = queries.receptor_layers_for_user(request.user).values_list("pk", flat=True)
    rows = (
        Receptor.objects.filter(layer__in=layers)
        .order_by("pk")
        .values("pk", "name", "kind", "latitude", "longitude", "population", "layer__name")[
            :RECEPTOR_LIMIT
        ]
    )
    features = [
        {
            "type": "Feature",
            "geometry": {
                "type": "Point",
                "coordinates": [round(r["longitude"], 5), round(r["latitude"], 5)],
            },
            "properties": {
                "id": r["pk"],
                "name": r["name"],
                "kind": r["kind"],
                "population": r["population"],
                "layer": r["layer__name"],
            },
        }
        for r in rows
    ]
    return JsonResponse({"type": "FeatureCollection", "features": features})


@login_required
@require_http_methods(["GET", "POST"])
def receptor_upload(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not queries.can_upload_receptors(user):
        raise PermissionDenied
    row_problems: list[dict[str, Any]] = []
    status = 200
    checked_ok = False
    if request.method == "POST":
        form = ReceptorUploadForm(request.POST, request.FILES)
        upload = request.FILES.get("file")
        dry_run = checked(request.POST, "dry_run")
        if upload is None:
            form.add_error("file", MSG["required"])
            status = 400
        else:
            try:
                layer = _service(
                    lambda: services.receptor_layer_upload(
                        acting_user=user,
                        name=request.POST.get("name", ""),
                        content=upload.read(),
                        filename=upload.name,
                        default_kind=request.POST.get("kind", ""),
                        synthetic=checked(request.POST, "synthetic"),
                        description=request.POST.get("description", ""),
                        dry_run=dry_run,
                    )
                )
            except RongnganValidationError as exc:
                status = 400
                for p in exc.problems:
                    if p.row is not None:
                        row_problems.append({"row": p.row, "field": p.field, "text": p.text()})
                    elif p.field in form.fields:
                        form.add_error(p.field, p.text())
                    else:
                        form.add_error(None, p.text())
                if row_problems:
                    form.add_error(
                        None,
                        _("%(count)s problems in the rows below: nothing was saved.")
                        % {"count": len(row_problems)},
                    )
            else:
                if layer is None:
                    checked_ok = True
                else:
                    messages.success(
                        request,
                        _("Layer “%(name)s” saved with %(rows)s receptors.")
                        % {"name": layer.name, "rows": layer.row_count},
                    )
                    return redirect("chemicals:receptor_upload")
    else:
        form = ReceptorUploadForm()
    return render(
        request,
        "chemicals/receptor_upload.html",
        {
            "form": form,
            "row_problems": row_problems,
            "checked_ok": checked_ok,
            "layers": queries.receptor_layers_for_user(user)[:100],
        },
        status=status,
    )
