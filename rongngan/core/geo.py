"""Is a coordinate plausibly in Thailand? Checked against a bundled national outline.

The outline (data/thailand.geojson) is Natural Earth 1:10m admin-0, simplified to ~110 m; see
data/README.md for its source. Nothing here touches Django, so importers and scripts can use it
without settings. The check is called once per row in bulk imports (~140,000 rows), so the shape is
loaded and prepared once and each call is a bbox test plus one prepared point-in-polygon test.
"""

import json
import math
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

DATA_FILE = Path(__file__).resolve().parent / "data" / "thailand.geojson"

# (min_lon, min_lat, max_lon, max_lat) of the bundled outline, written out so callers can use it
# without loading the file; test_geo checks it still equals the file's bounds.
THAILAND_BBOX: tuple[float, float, float, float] = (97.3514, 5.6299, 105.651, 20.445)

# Buffering happens in a local equirectangular plane: longitudes are multiplied by cos(13°N), the
# middle of Thailand's 5.6-20.4°N span, so one unit is one degree of latitude in both directions and
# a circular buffer stays circular. The scale error at the country's extremes is under 4 %, far
# below the tolerances used (km), and it avoids a pyproj dependency.
_REF_LAT_DEG = 13.0
_LON_SCALE = math.cos(math.radians(_REF_LAT_DEG))
_KM_PER_DEG_LAT = 110.6  # length of one degree of latitude near 13°N


@cache
def thailand_geojson() -> dict[str, Any]:
    """The bundled outline as a parsed GeoJSON FeatureCollection (one feature).

    Web pages embed this to draw the border offline when no tile server is configured. The dict is
    shared between callers (cached): serialise it, don't mutate it.
    """
    with DATA_FILE.open(encoding="utf-8") as fh:
        return json.load(fh)


@cache
def _outline_plane() -> BaseGeometry:
    """The outline projected into the equirectangular plane described above."""
    geometry = shape(thailand_geojson()["features"][0]["geometry"])
    return shapely.transform(geometry, lambda xy: xy * (_LON_SCALE, 1.0))


@lru_cache(maxsize=16)
def _buffered(tolerance_km: float) -> BaseGeometry:
    """Outline grown by tolerance_km, prepared for fast repeated contains tests.

    Cached per tolerance because buffering ~3,000 vertices takes milliseconds while a prepared
    point test takes microseconds; callers use only a handful of distinct tolerances.
    """
    geometry = _outline_plane()
    if tolerance_km > 0:
        # quad_segs=4 keeps the rounded corners coarse: they only need to be ~tolerance-accurate,
        # and fewer vertices keep the prepared test fast.
        geometry = geometry.buffer(tolerance_km / _KM_PER_DEG_LAT, quad_segs=4)
    shapely.prepare(geometry)
    return geometry


def in_thailand(lat: float, lon: float, tolerance_km: float = 3.0) -> bool:
    """True when (lat, lon) in WGS84 degrees lies within tolerance_km of Thailand's land border.

    The default 3 km margin is deliberate: factories, piers and ports sit on the coastline, the
    outline is simplified (~0.1 km) and Natural Earth is a 1:10m map, so a strict test would refuse
    genuine coastal sites. It still refuses swapped lat/lon, (0, 0) and most neighbouring places;
    not those within the margin across a border river (central Vientiane lies about 1.5 km
    across the Mekong from Nong Khai and is accepted). Whether a point lies in the province it
    names is not checked: no province boundaries are bundled.
    Non-finite or out-of-range input is refused rather than raising, so a bad row becomes a
    validation error instead of crashing an import.
    """
    try:
        lat = float(lat)
        lon = float(lon)
        tolerance_km = max(float(tolerance_km), 0.0)
    except (TypeError, ValueError):
        return False
    if not (math.isfinite(lat) and math.isfinite(lon) and math.isfinite(tolerance_km)):
        return False
    # Cheap rejection first: most bad rows (swapped axes, zeros, other countries) fail here without
    # touching the polygon. The margin in degrees is generous (1 deg lon >= 104 km up to 20.5°N).
    margin = tolerance_km / 100.0
    min_lon, min_lat, max_lon, max_lat = THAILAND_BBOX
    if not (
        min_lat - margin <= lat <= max_lat + margin and min_lon - margin <= lon <= max_lon + margin
    ):
        return False
    # contains_xy on a prepared geometry skips building a Point object per call.
    return bool(shapely.contains_xy(_buffered(tolerance_km), lon * _LON_SCALE, lat))
