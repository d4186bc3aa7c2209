"""Area risk: an explainable score per H3 resolution-7 cell, per district and per province.

For each area A (formula also in docs/chemicals-guide.md):

    hazard(A)    = Σ over lower/upper-tier sites s in A of  w(tier_s) × min(R_s, 50)
    proximity(A) = Σ over lower/upper-tier sites s within 5 km of A's centre of
                   w(tier_s) / max(d(A, s), 0.5 km)              (H3 cells)
                   the mean of proximity over A's cells            (districts, provinces)
    score(A)     = hazard(A) + proximity(A)

w(lower) = 1, w(upper) = 3; R_s is the site's largest Seveso sum at the lower-tier thresholds
(1 when the lower tier is just reached), capped at 50 so that one site cannot stand for a
district. A site below the tiers that has a worst-case zone (a toxic gas at or above its RMP
threshold quantity, such as an ammonia refrigeration plant's charge) counts as a site that has
just reached the lower tier: w = 1, R = 1; "lower/upper-tier sites" above include it.

The proximity term follows EPA EJScreen's facility-proximity indicator (facilities within a
radius, each divided by its distance) without population weighting: we hold no population grid.
The percentile is the share of areas of the same level with a score at or below A's (0 for a
score of 0: no tiered site in reach); the band is 1 (below the 50th percentile),
2 (50-80th), 3 (80-95th), 4 (95th and above).

H3 cells are listed when they hold at least one lower- or upper-tier site; districts and
provinces when they hold any active site with a computed status. Having no boundary polygons in
the bundled data, a district or province is drawn as the H3 resolution-5 cells holding its sites.
"""

import gzip
import hashlib
import json
import math
from bisect import bisect_right
from collections import defaultdict
from typing import Any

import h3
from django.db import transaction
from django.utils import timezone

from rongngan.chemicals.models import AreaLayer, AreaLevel, AreaRisk, SiteHazard
from rongngan.core import bulk
from rongngan.core.models import District, Province

WEIGHTS = {"lower": 1.0, "upper": 3.0}
# A site below the tiers with a worst-case zone: weight and ratio of a site just at the lower tier.
ZONE_WEIGHT = 1.0
ZONE_RATIO = 1.0
RATIO_CAP = 50.0
RADIUS_KM = 5.0
MIN_DISTANCE_KM = 0.5
CELL_RES = 7
OUTLINE_RES = 5
# grid_disk radius that covers RADIUS_KM around a res-7 cell centre (centre spacing ~2.4 km)
DISK_K = 3
BANDS = ((95.0, 4), (80.0, 3), (50.0, 2))
COORD_DECIMALS = 4


def band_of(percentile: float) -> int:
    for floor, band in BANDS:
        if percentile >= floor:
            return band
    return 1


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    r = 6371.0088
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(min(1.0, math.sqrt(a)))


def percentiles(scores: list[float]) -> list[float]:
    """Share of the areas scoring at or below each score (EJScreen's convention); a score of 0
    (no lower- or upper-tier site in reach) is the 0th percentile, however many share it."""
    ordered = sorted(scores)
    n = len(ordered)
    return [100.0 * bisect_right(ordered, s) / n if s > 0 else 0.0 for s in scores]


def _round(coords: Any) -> Any:
    if isinstance(coords, list | tuple):
        if coords and isinstance(coords[0], int | float):
            return [round(coords[0], COORD_DECIMALS), round(coords[1], COORD_DECIMALS)]
        return [_round(c) for c in coords]
    return coords


def _cell_polygon(cell: str) -> dict[str, Any]:
    ring = [[lng, lat] for lat, lng in h3.cell_to_boundary(cell)]
    ring.append(ring[0])
    return {"type": "Polygon", "coordinates": [_round(ring)]}


def _outline(cells: set[str]) -> dict[str, Any]:
    geo = h3.cells_to_geo(sorted(cells))
    return {"type": geo["type"], "coordinates": _round(geo["coordinates"])}


PUBLIC_PROPERTIES = ("key", "band", "percentile", "name_th", "name_en")


def _serialize(level: str, features: list[dict[str, Any]], now: Any) -> bytes:
    return json.dumps(
        {
            "type": "FeatureCollection",
            "level": level,
            "computed_at": now.isoformat(),
            "features": features,
        },
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode()


def _layer(level: str, features: list[dict[str, Any]], now: Any) -> AreaLayer:
    body = _serialize(level, features, now)
    public = _serialize(
        level,
        [
            {
                **f,
                "properties": {k: v for k, v in f["properties"].items() if k in PUBLIC_PROPERTIES},
            }
            for f in features
        ],
        now,
    )
    return AreaLayer(
        level=level,
        body=body,
        gzipped=gzip.compress(body, 6),
        etag=hashlib.sha256(body).hexdigest()[:32],
        public_body=public,
        public_gzipped=gzip.compress(public, 6),
        public_etag=hashlib.sha256(public).hexdigest()[:32],
        features=len(features),
        computed_at=now,
    )


def _weight_ratio(tier: str, ratio: float, zone_km: Any) -> tuple[float, float]:
    """A site's weight and capped ratio in the score; (0, 0) when it does not count."""
    if tier in WEIGHTS:
        return WEIGHTS[tier], min(ratio, RATIO_CAP)
    if zone_km is not None:
        return ZONE_WEIGHT, ZONE_RATIO
    return 0.0, 0.0


def recompute() -> dict[str, int]:
    now = timezone.now()
    sites = [
        (tier, *_weight_ratio(tier, ratio, zone), prov, dist, cell, lat, lon)
        for tier, ratio, zone, prov, dist, cell, lat, lon in SiteHazard.objects.values_list(
            "tier",
            "hazard_ratio",
            "zone_radius_km",
            "province_id",
            "district_id",
            "h3_7",
            "latitude",
            "longitude",
        )
    ]
    tiered = [s for s in sites if s[1]]
    # hazard per area
    hazard: dict[tuple[str, str], float] = defaultdict(float)
    counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    outline: dict[tuple[str, str], set[str]] = defaultdict(set)
    for tier, w, ratio, prov, dist, cell, _lat, _lon in sites:
        term = w * ratio
        keys = [("province", prov), ("district", dist)]
        if w:
            keys.append((AreaLevel.H3_7, cell))
        parent = h3.cell_to_parent(cell, OUTLINE_RES)
        for key in keys:
            hazard[key] += term
            c = counts[key]
            c[0] += 1
            c[1] += tier == "lower"
            c[2] += tier == "upper"
            if key[0] != AreaLevel.H3_7:
                outline[key].add(parent)
    # proximity per cell holding a tiered site
    by_cell: dict[str, list[tuple[float, float, float]]] = defaultdict(list)
    for _tier, w, _ratio, _p, _d, cell, lat, lon in tiered:
        by_cell[cell].append((lat, lon, w))
    proximity: dict[tuple[str, str], float] = {}
    cell_area: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for _tier, _w, _ratio, prov, dist, cell, _lat, _lon in tiered:
        cell_area[cell].update({("province", prov), ("district", dist)})
    for cell in by_cell:
        clat, clon = h3.cell_to_latlng(cell)
        total = 0.0
        for near in h3.grid_disk(cell, DISK_K):
            for lat, lon, w in by_cell.get(near, ()):
                d = haversine_km(clat, clon, lat, lon)
                if d <= RADIUS_KM:
                    total += w / max(d, MIN_DISTANCE_KM)
        proximity[(AreaLevel.H3_7, cell)] = total
    sums: dict[tuple[str, str], list[float]] = defaultdict(list)
    for cell, areas in cell_area.items():
        for key in areas:
            sums[key].append(proximity[(AreaLevel.H3_7, cell)])
    for key, values in sums.items():
        proximity[key] = sum(values) / len(values)
    names = {
        **{("province", p.pk): (p.name_th, p.name_en) for p in Province.objects.all()},
        **{("district", d.pk): (d.name_th, d.name_en) for d in District.objects.all()},
    }
    rows: list[dict[str, Any]] = []
    layers = []
    result: dict[str, int] = {}
    for level in (AreaLevel.H3_7, "province", "district"):
        keys = sorted(k for k in hazard if k[0] == level)
        scores = [hazard[k] + proximity.get(k, 0.0) for k in keys]
        pct = percentiles(scores)
        features = []
        for key, score, pc in zip(keys, scores, pct, strict=True):
            name_th, name_en = names.get(key, ("", ""))
            c = counts[key]
            row = {
                "level": level,
                "key": key[1],
                "name_th": name_th,
                "name_en": name_en,
                "hazard": round(hazard[key], 4),
                "proximity": round(proximity.get(key, 0.0), 4),
                "score": round(score, 4),
                "percentile": round(pc, 2),
                "band": band_of(pc),
                "sites": c[0],
                "lower_sites": c[1],
                "upper_sites": c[2],
                "computed_at": now,
            }
            rows.append(row)
            props = {
                "key": key[1],
                "score": round(score, 2),
                "hazard": round(hazard[key], 2),
                "proximity": round(proximity.get(key, 0.0), 2),
                "percentile": round(pc, 1),
                "band": row["band"],
                "sites": c[0],
                "lower": c[1],
                "upper": c[2],
            }
            if level != AreaLevel.H3_7:
                props["name_th"], props["name_en"] = name_th, name_en
                geometry = _outline(outline[key])
            else:
                geometry = _cell_polygon(key[1])
            features.append({"type": "Feature", "geometry": geometry, "properties": props})
        layers.append(_layer(str(level), features, now))
        result[str(level)] = len(keys)
    with transaction.atomic():
        AreaRisk.objects.all().delete()
        bulk.insert_rows(AreaRisk, rows)
        AreaLayer.objects.all().delete()
        AreaLayer.objects.bulk_create(layers)
    from rongngan.chemicals.services import _tidy

    _tidy(AreaRisk)
    _tidy(AreaLayer)
    return result
