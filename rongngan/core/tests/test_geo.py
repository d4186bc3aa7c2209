"""Tests for rongngan.core.geo: plain pytest, no database or Django settings needed."""

import math

import pytest
from shapely.geometry import shape

from rongngan.core import geo

INSIDE = {
    "Bangkok": (13.7563, 100.5018),
    "Chiang Rai": (19.91, 99.84),
    "Phuket town": (7.88, 98.39),
    "Hat Yai": (7.0, 100.47),
    # Map Ta Phut industrial estate is on reclaimed coast ~0.3 km outside the 1:10m outline: exactly
    # the kind of site the default tolerance exists for.
    "Map Ta Phut, Rayong": (12.67, 101.15),
    "Ubon Ratchathani": (15.24, 104.85),
    "Ko Samui": (9.51, 100.06),
    "Ko Chang": (12.05, 102.33),
}

OUTSIDE = {
    "Luang Prabang": (19.89, 102.13),
    "Phnom Penh": (11.56, 104.92),
    "Yangon": (16.84, 96.17),
    "Kuala Lumpur": (3.14, 101.69),
    "Hanoi": (21.03, 105.85),
    "open Gulf of Thailand": (9.5, 102.0),
    "null island": (0.0, 0.0),
    "Bangkok with lat/lon swapped": (100.5, 13.75),
}


@pytest.mark.parametrize("lat,lon", INSIDE.values(), ids=INSIDE.keys())
def test_places_in_thailand_are_accepted(lat: float, lon: float) -> None:
    assert geo.in_thailand(lat, lon)


@pytest.mark.parametrize("lat,lon", OUTSIDE.values(), ids=OUTSIDE.keys())
def test_places_outside_thailand_are_refused(lat: float, lon: float) -> None:
    assert not geo.in_thailand(lat, lon)


def test_vientiane_refused_with_tight_tolerance() -> None:
    # Vientiane is only a few km across the Mekong from Nong Khai, so use a tight margin.
    assert not geo.in_thailand(17.97, 102.63, tolerance_km=0.5)


def test_tolerance_is_what_admits_coastal_sites() -> None:
    lat, lon = INSIDE["Map Ta Phut, Rayong"]
    assert not geo.in_thailand(lat, lon, tolerance_km=0)
    assert geo.in_thailand(lat, lon, tolerance_km=1)


def test_tolerance_also_admits_towns_just_across_the_border() -> None:
    # Documented trade-off: Tachileik (Myanmar) is ~1.5 km from Mae Sai, so the 3 km default
    # accepts it. The check catches gross errors, it does not adjudicate the border.
    assert geo.in_thailand(20.45, 99.88)
    assert not geo.in_thailand(20.45, 99.88, tolerance_km=0.5)


@pytest.mark.parametrize(
    "lat,lon",
    [(math.nan, 100.5), (13.75, math.inf), (None, 100.5), ("abc", 100.5), (-999.0, 100.5)],
)
def test_bad_input_is_refused_not_raised(lat: object, lon: object) -> None:
    assert not geo.in_thailand(lat, lon)  # type: ignore[arg-type]


def test_numeric_strings_are_accepted() -> None:
    # Importers often pass raw cell text; float() handles it.
    assert geo.in_thailand("13.7563", "100.5018")  # type: ignore[arg-type]


def test_geojson_is_one_thailand_multipolygon_with_islands() -> None:
    data = geo.thailand_geojson()
    assert data["type"] == "FeatureCollection"
    assert len(data["features"]) == 1
    feature = data["features"][0]
    props = feature["properties"]
    assert props["iso_a3"] == "THA"
    for key in ("name", "source", "licence", "simplification", "date_read"):
        assert props[key]
    geometry = shape(feature["geometry"])
    assert geometry.geom_type == "MultiPolygon"
    assert geometry.is_valid
    assert len(geometry.geoms) > 10  # Phuket, Samui, Phangan, Chang, ... kept as separate parts
    assert geo.thailand_geojson() is data  # parsed once


def test_bbox_matches_the_outline() -> None:
    geometry = shape(geo.thailand_geojson()["features"][0]["geometry"])
    assert geometry.bounds == pytest.approx(geo.THAILAND_BBOX, abs=1e-9)


def test_data_file_stays_small() -> None:
    # The file ships in the wheel and may be embedded in pages.
    assert geo.DATA_FILE.stat().st_size < 150_000
