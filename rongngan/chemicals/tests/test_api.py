"""The chemicals API as each role sees it: the public directory, scoped sites, inventories and
hazard, the public and officers' risk layers (no vessel-level data for the public), receptors."""

import gzip
import json
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import api_as
from rongngan.chemicals import services
from rongngan.chemicals.models import Declaration, StorageSite
from rongngan.chemicals.tests.conftest import (
    AMMONIA,
    CAUSTIC,
    CHLORINE,
    declare,
    item,
    register_charge,
)

pytestmark = pytest.mark.django_db

URL = "/api/v1/chemicals"
# Words that mark quantity- or vessel-level data; none may reach an anonymous caller.
VESSEL_WORDS = ("kg", "quantity", "container", "vessel", "zone", "radius", "ratio", "sums")


def errors(response: Any) -> set[tuple[str | None, str]]:
    return {(e["field"], e["code"]) for e in response.json()["errors"]}


def keys_of(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in keys_of(v)}
    if isinstance(value, list):
        return {k for v in value for k in keys_of(v)}
    return set()


@pytest.fixture
def stocked(
    site_a: StorageSite, site_b: StorageSite, operator_a: Any, operator_b: Any
) -> tuple[StorageSite, StorageSite]:
    """Site A (Rayong) upper tier with chlorine; site B (Chon Buri) lower tier with ammonia."""
    declare(operator_a, site_a, item(CHLORINE, "30", largest_container="1"), item(CAUSTIC, "2"))
    declare(operator_b, site_b, item(AMMONIA, "60", largest_container="10"))
    services.areas_recompute()
    return site_a, site_b


# ---- directory


@pytest.mark.parametrize("q", ["7664-41-7", "7664417", "UN1005", "1005", "ammonia", "แอมโมเนีย"])
def test_anyone_finds_a_substance_by_cas_un_or_name(q: str) -> None:
    r = api_as(None).get(f"{URL}/substances/", {"q": q})
    assert r.status_code == 200
    assert AMMONIA in [s["cas"] for s in r.json()["results"]]


@pytest.mark.parametrize(
    ("q", "code"),
    [
        ("7664-41-8", "cas_check_digit"),
        ("7664418", "cas_check_digit"),
        ("12-34567-8", "cas_format"),
    ],
)
def test_a_cas_number_with_a_typing_error_is_refused_as_on_the_page(q: str, code: str) -> None:
    r = api_as(None).get(f"{URL}/substances/", {"q": q})
    assert r.status_code == 400
    assert ("q", code) in errors(r)
    problem = r.json()["errors"][0]
    assert q in problem["message_en"] and q in problem["message_th"]
    assert api_as(None).get("/chemicals/", {"q": q}).status_code == 400


def test_a_synonym_finds_its_substance() -> None:
    r = api_as(None).get(f"{URL}/substances/", {"q": "LPG"})
    # the exact synonym first; LPG components (propane, butane) after it
    assert r.json()["results"][0]["cas"] == "68476-85-7"


def test_the_public_detail_shows_identity_hazards_thresholds_and_advice() -> None:
    r = api_as(None).get(f"{URL}/substances/{CHLORINE}/")
    assert r.status_code == 200
    body = r.json()
    assert body["substance"]["un_number"] == "1017"
    assert body["substance"]["ghs"] and body["substance"]["pictograms"]
    assert body["substance"]["emergency_th"] and body["substance"]["emergency_en"]
    assert body["thresholds"]["seveso_named"]["lower_t"] == "10"
    assert body["thresholds"]["rmp"]["toxic_endpoint_mg_l"]
    assert body["stored_by_province"] is None


def test_officers_also_see_where_it_is_stored_by_province(
    stocked: Any, officer: Any, operator_a: Any
) -> None:
    body = api_as(officer).get(f"{URL}/substances/{CHLORINE}/").json()
    assert [(p["province_code"], p["sites"], p["max_t"]) for p in body["stored_by_province"]] == [
        ("21", 1, "30.000")
    ]
    assert (
        api_as(operator_a).get(f"{URL}/substances/{CHLORINE}/").json()["stored_by_province"] is None
    )


def test_an_unknown_substance_is_404() -> None:
    assert api_as(None).get(f"{URL}/substances/7732-18-5/").status_code == 404


def test_the_directory_list_takes_a_fixed_number_of_queries() -> None:
    with CaptureQueriesContext(connection) as ctx:
        r = api_as(None).get(f"{URL}/substances/")
    assert r.status_code == 200 and r.json()["count"] > 40
    assert len(ctx.captured_queries) <= 3


# ---- sites


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("officer", {"a", "b"}),
        ("committee", {"a", "b"}),
        ("provincial_officer", {"a"}),
        ("local_gov", {"a"}),
        ("operator_a", {"a"}),
        ("operator_b", {"b"}),
        ("inspector", set()),
    ],
)
def test_each_role_lists_the_sites_in_its_reach(
    request: pytest.FixtureRequest, stocked: Any, who: str, sees: set[str]
) -> None:
    a, b = stocked
    user = request.getfixturevalue(who)
    r = api_as(user).get(f"{URL}/sites/")
    assert r.status_code == 200
    names = {a.pk: "a", b.pk: "b"}
    assert {names[s["id"]] for s in r.json()["results"]} == sees


def test_the_public_cannot_list_or_register_sites(stocked: Any, factory_b: Any) -> None:
    assert api_as(None).get(f"{URL}/sites/").status_code in (401, 403)
    r = api_as(None).post(f"{URL}/sites/", {"kind": "factory", "factory": factory_b.pk})
    assert r.status_code in (401, 403)
    assert not StorageSite.objects.filter(factory=factory_b).exists()


def test_the_risk_site_layer_takes_a_fixed_number_of_queries(
    stocked: Any, officer: Any, operator_a: Any
) -> None:
    a, _b = stocked
    with CaptureQueriesContext(connection) as one:
        api_as(officer).get(f"{URL}/risk/sites/")
    declare(operator_a, a, item(CHLORINE, "40"))
    services.hazards_recompute_all()
    with CaptureQueriesContext(connection) as again:
        assert len(api_as(officer).get(f"{URL}/risk/sites/").json()["features"]) == 2
    assert len(again.captured_queries) == len(one.captured_queries)


def test_an_outsider_gets_404_for_a_site_and_its_inventory_and_hazard(
    stocked: Any, operator_b: Any
) -> None:
    a, _b = stocked
    client = api_as(operator_b)
    for path in ("", "inventory/", "hazard/"):
        assert client.get(f"{URL}/sites/{a.pk}/{path}").status_code == 404


def test_the_public_gets_no_site_inventory_or_hazard(stocked: Any) -> None:
    a, _b = stocked
    for path in ("", "inventory/", "hazard/"):
        assert api_as(None).get(f"{URL}/sites/{a.pk}/{path}").status_code in (401, 403)


def test_the_site_list_takes_a_fixed_number_of_queries(
    stocked: Any, officer: Any, org_b: Any
) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert api_as(officer).get(f"{URL}/sites/").status_code == 200
        return len(ctx.captured_queries)

    before = count()
    for n in range(4):
        services.site_register(
            acting_user=officer,
            data={
                "kind": "hazmat_storage",
                "name_th": f"คลัง {n}",
                "province": "20",
                "district": "2001",
                "latitude": "13.3",
                "longitude": f"100.9{n}",
                "operator": org_b.pk,
            },
        )
    assert count() == before


def test_an_officer_registers_a_site_and_a_bad_one_gets_every_problem(
    officer: Any, org_b: Any
) -> None:
    body = {
        "kind": "hazmat_storage",
        "name_th": "คลังใหม่",
        "province": "20",
        "district": "2001",
        "latitude": "13.2",
        "longitude": "100.95",
        "operator": org_b.code,
    }
    r = api_as(officer).post(f"{URL}/sites/", body, format="json")
    assert r.status_code == 201, r.content
    assert r.json()["code"].startswith("S20-")
    bad = api_as(officer).post(
        f"{URL}/sites/", {**body, "latitude": "48.85", "longitude": "2.35"}, format="json"
    )
    assert bad.status_code == 400
    assert ("latitude", "outside_thailand") in errors(bad)
    assert bad.json()["errors"][0]["message_th"]


def test_a_site_with_nothing_declared_explains_an_empty_status(officer: Any, org_b: Any) -> None:
    body = {
        "kind": "hazmat_storage",
        "name_th": "คลังว่าง",
        "province": "20",
        "district": "2001",
        "latitude": "13.2",
        "longitude": "100.95",
        "operator": org_b.code,
    }
    site = api_as(officer).post(f"{URL}/sites/", body, format="json").json()
    r = api_as(officer).get(f"{URL}/sites/{site['id']}/hazard/")
    assert r.status_code == 200, r.content
    assert r.json()["tier"] == "none" and r.json()["zone"] is None


@pytest.mark.parametrize("who", ["local_gov", "inspector", "committee"])
def test_roles_without_write_reach_cannot_register_sites(
    request: pytest.FixtureRequest, factory_a: Any, who: str
) -> None:
    user = request.getfixturevalue(who)
    r = api_as(user).post(f"{URL}/sites/", {"kind": "factory", "factory": factory_a.pk})
    assert r.status_code == 403


# ---- inventory


def test_the_operator_reads_the_current_declaration_and_its_versions(
    stocked: Any, operator_a: Any
) -> None:
    a, _b = stocked
    declare(operator_a, a, item(CHLORINE, "5"))
    body = api_as(operator_a).get(f"{URL}/sites/{a.pk}/inventory/").json()
    assert body["current"]["version"] == 2
    assert body["current"]["items"][0]["max_kg"] == "5000.000000"
    assert [v["version"] for v in body["versions"]] == [2, 1]
    assert body["versions"][1]["superseded_by"] == body["current"]["id"]


def test_a_declaration_is_posted_once_per_idempotency_key(stocked: Any, operator_a: Any) -> None:
    a, _b = stocked
    body = {"year": 2568, "items": [item(AMMONIA, "1500", "kg")]}
    client = api_as(operator_a)
    first = client.post(
        f"{URL}/sites/{a.pk}/inventory/", body, format="json", HTTP_IDEMPOTENCY_KEY="k1"
    )
    assert first.status_code == 201, first.content
    again = client.post(
        f"{URL}/sites/{a.pk}/inventory/", body, format="json", HTTP_IDEMPOTENCY_KEY="k1"
    )
    assert again.json()["id"] == first.json()["id"]
    assert first.json()["year"] == 2025 and first.json()["year_be"] == 2568
    assert Declaration.objects.filter(site=a, year=2025).count() == 1


def test_a_declaration_posted_by_api_keeps_the_refrigeration_registers_row(
    stocked: Any, operator_a: Any, officer: Any
) -> None:
    a, _b = stocked
    register_charge(officer, a, "9000")
    r = api_as(operator_a).post(
        f"{URL}/sites/{a.pk}/inventory/",
        {"year": 2026, "items": [item(CAUSTIC, "3")]},
        format="json",
    )
    assert r.status_code == 201, r.content
    got = sorted((i["cas"], i["max_kg"], i["source"]) for i in r.json()["items"])
    assert got == [
        (CAUSTIC, "3000.000000", "declaration"),
        (AMMONIA, "9000.000000", "refrigeration_register"),
    ]


def test_a_bad_declaration_is_400_with_every_problem_in_both_languages(
    stocked: Any, operator_a: Any
) -> None:
    a, _b = stocked
    r = api_as(operator_a).post(
        f"{URL}/sites/{a.pk}/inventory/",
        {"year": 2026, "items": [item("7664-41-8", 1), item(CAUSTIC, "-2")]},
        format="json",
    )
    assert r.status_code == 400
    assert errors(r) == {
        ("items[0].cas", "cas_check_digit"),
        ("items[1].max_quantity", "negative"),
    }
    for e in r.json()["errors"]:
        assert e["message_th"] and e["message_en"]


@pytest.mark.parametrize(("who", "status"), [("provincial_officer", 201), ("local_gov", 403)])
def test_who_may_declare_for_a_site_in_reach(
    request: pytest.FixtureRequest, stocked: Any, who: str, status: int
) -> None:
    a, _b = stocked
    user = request.getfixturevalue(who)
    r = api_as(user).post(
        f"{URL}/sites/{a.pk}/inventory/",
        {"year": 2026, "items": [item(CAUSTIC, "1")]},
        format="json",
    )
    assert r.status_code == status


def test_an_outsider_cannot_post_a_declaration(stocked: Any, operator_b: Any) -> None:
    a, _b = stocked
    r = api_as(operator_b).post(
        f"{URL}/sites/{a.pk}/inventory/", {"year": 2026, "items": [item(CAUSTIC, "1")]}
    )
    assert r.status_code == 404


# ---- hazard


def test_the_hazard_explanation_shows_tier_sums_contributions_and_zone(
    stocked: Any, operator_b: Any
) -> None:
    _a, b = stocked
    body = api_as(operator_b).get(f"{URL}/sites/{b.pk}/hazard/").json()
    assert body["tier"] == "lower"
    assert set(body["sums"]) == {"lower", "upper"}
    assert {c["key"] for c in body["contributions"]} == {f"1:{AMMONIA}"}
    assert [r["cas"] for r in body["rmp_crossed"]] == [AMMONIA]
    assert body["zone"]["method"] and body["zone"]["setting"] == "rural"
    assert float(body["zone"]["radius_km"]) > 0
    assert body["explanation_en"] and body["explanation_th"]
    assert (body["tier_label_en"], body["tier_label_th"]) == ("Lower tier", "ระดับต่ำ (lower tier)")


# ---- risk map


def test_the_public_area_layer_is_geojson_and_can_be_gzipped(stocked: Any) -> None:
    r = api_as(None).get(f"{URL}/risk/areas/", {"level": "h3-7"})
    assert r.status_code == 200
    assert r["Content-Type"] == "application/geo+json"
    data = json.loads(r.content)
    assert data["type"] == "FeatureCollection" and len(data["features"]) == 2
    z = api_as(None).get(f"{URL}/risk/areas/", {"level": "province"}, HTTP_ACCEPT_ENCODING="gzip")
    assert z["Content-Encoding"] == "gzip"
    assert json.loads(gzip.decompress(z.content))["level"] == "province"
    again = api_as(None).get(
        f"{URL}/risk/areas/", {"level": "province"}, HTTP_IF_NONE_MATCH=z["ETag"]
    )
    assert again.status_code == 304


def test_an_unknown_area_level_is_400() -> None:
    r = api_as(None).get(f"{URL}/risk/areas/", {"level": "county"})
    assert r.status_code == 400
    assert errors(r) == {("level", "invalid_choice")}


def test_the_public_sees_only_upper_tier_sites_without_vessel_data(stocked: Any) -> None:
    a, _b = stocked
    r = api_as(None).get(f"{URL}/risk/sites/")
    assert r.status_code == 200
    features = r.json()["features"]
    assert [f["properties"]["id"] for f in features] == [a.pk]
    props = features[0]["properties"]
    assert props["tier"] == "upper"
    assert CHLORINE in props["substances"]
    chlorine = r.json()["substances"][CHLORINE]
    assert chlorine["hazard_classes"] and chlorine["emergency_th"]
    for key in keys_of(r.json()):
        assert not any(word in key for word in VESSEL_WORDS), key
    text = r.content.decode()
    assert "30000" not in text and "30.000" not in text  # the 30 t held appears nowhere


def test_the_site_layer_is_compact_utf8_and_gzipped_when_accepted(
    stocked: Any, officer: Any
) -> None:
    plain = api_as(officer).get(f"{URL}/risk/sites/")
    assert plain["Content-Type"] == "application/geo+json"
    assert "ปูนซิเมนต์".encode() in plain.content  # UTF-8, not \u escapes
    zipped = api_as(officer).get(f"{URL}/risk/sites/", HTTP_ACCEPT_ENCODING="gzip")
    assert zipped["Content-Encoding"] == "gzip"
    assert json.loads(gzip.decompress(zipped.content)) == plain.json()


def test_officers_see_every_tiered_site_with_its_zone(stocked: Any, officer: Any) -> None:
    a, b = stocked
    features = api_as(officer).get(f"{URL}/risk/sites/").json()["features"]
    by_id = {f["properties"]["id"]: f["properties"] for f in features}
    assert set(by_id) == {a.pk, b.pk}
    assert by_id[b.pk]["zone"]["method"]


def test_a_local_government_sees_the_tiered_sites_of_its_district(
    stocked: Any, local_gov: Any
) -> None:
    a, _b = stocked
    features = api_as(local_gov).get(f"{URL}/risk/sites/").json()["features"]
    assert [f["properties"]["id"] for f in features] == [a.pk]


def test_a_site_below_the_tiers_with_a_zone_is_on_the_map_for_those_in_reach(
    site_b: StorageSite, operator_b: Any, officer: Any, operator_a: Any
) -> None:
    """An ammonia refrigeration plant's 6.5 t: no Seveso tier, but a worst-case zone."""
    declare(operator_b, site_b, item(AMMONIA, "6.5", largest_container="6.5"))
    for user in (officer, operator_b):
        features = api_as(user).get(f"{URL}/risk/sites/").json()["features"]
        assert [f["properties"]["id"] for f in features] == [site_b.pk]
        props = features[0]["properties"]
        assert props["tier"] == "none" and props["in_reach"] is True
        assert float(props["zone"]["radius_km"]) > 1 and props["zone"]["cas"] == AMMONIA
    for user in (operator_a, None):  # out of reach, and not on the public layer
        assert api_as(user).get(f"{URL}/risk/sites/").json()["features"] == []


def test_signed_in_users_see_at_least_the_public_layer(
    site_a: StorageSite, site_b: StorageSite, operator_a: Any, operator_b: Any, local_gov: Any
) -> None:
    """Site A (upper tier) is in the local government's district; site B (upper tier, Chon
    Buri) is not: B comes with the public's fields only, never its zone or quantities."""
    declare(operator_a, site_a, item(CHLORINE, "30", largest_container="1"))
    declare(operator_b, site_b, item(AMMONIA, "250", largest_container="10"))
    public = api_as(None).get(f"{URL}/risk/sites/").json()
    assert {f["properties"]["id"] for f in public["features"]} == {site_a.pk, site_b.pk}
    body = api_as(local_gov).get(f"{URL}/risk/sites/").json()
    by_id = {f["properties"]["id"]: f["properties"] for f in body["features"]}
    assert set(by_id) == {site_a.pk, site_b.pk}
    assert by_id[site_a.pk]["in_reach"] is True and by_id[site_a.pk]["zone"]
    outside = by_id[site_b.pk]
    assert outside["in_reach"] is False and outside["tier"] == "upper"
    assert set(outside) == {"id", "name_th", "name_en", "tier", "substances", "in_reach"}
    assert AMMONIA in body["substances"]


# ---- receptors

CSV = (
    "name,kind,latitude,longitude,population\n"
    "โรงเรียนใกล้คลัง (synthetic),school,13.365,100.98,500\n"
    "ชุมชนไกล (synthetic),community,13.9,100.98,900\n"
)


def upload(user: Any) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return api_as(user).post(
        f"{URL}/receptors/",
        {"name": "ผู้รับผลกระทบ", "file": SimpleUploadedFile("r.csv", CSV.encode())},
        format="multipart",
    )


def test_a_local_government_uploads_and_lists_receptors_in_a_zone(
    stocked: Any, officer: Any, local_gov: Any
) -> None:
    _a, b = stocked
    r = upload(local_gov)
    assert r.status_code == 201, r.content
    assert r.json()["row_count"] == 2
    assert [layer["name"] for layer in api_as(local_gov).get(f"{URL}/receptors/").json()] == [
        "ผู้รับผลกระทบ"
    ]
    near = api_as(officer).get(f"{URL}/receptors/", {"site": b.pk}).json()
    assert [n["kind"] for n in near["receptors"]] == ["school"]
    assert 0.5 < near["receptors"][0]["distance_km"] < 0.6
    assert near["zone"]["radius_km"]


def test_a_bad_upload_is_400_with_row_numbers(officer: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = "name,kind,latitude,longitude\nx,castle,13,100.9\n"
    r = api_as(officer).post(
        f"{URL}/receptors/",
        {"name": "x", "file": SimpleUploadedFile("r.csv", bad.encode())},
        format="multipart",
    )
    assert r.status_code == 400
    assert r.json()["errors"][0]["row"] == 1


@pytest.mark.parametrize("who", ["operator_a", "inspector"])
def test_operators_and_inspectors_cannot_use_receptors(
    request: pytest.FixtureRequest, stocked: Any, who: str
) -> None:
    user = request.getfixturevalue(who)
    assert api_as(user).get(f"{URL}/receptors/").status_code == 403
    assert upload(user).status_code == 403


def test_the_public_cannot_use_receptors() -> None:
    assert api_as(None).get(f"{URL}/receptors/").status_code in (401, 403)
    assert upload(None).status_code in (401, 403)


def test_a_receptor_listing_for_a_site_out_of_reach_is_404(stocked: Any, local_gov: Any) -> None:
    _a, b = stocked
    assert api_as(local_gov).get(f"{URL}/receptors/", {"site": b.pk}).status_code == 404


def test_the_public_area_layer_gives_levels_and_signed_in_users_the_score(
    stocked: Any, officer: Any
) -> None:
    public = api_as(None).get(f"{URL}/risk/areas/?level=h3-7")
    signed_in = api_as(officer).get(f"{URL}/risk/areas/?level=h3-7")
    assert public.status_code == signed_in.status_code == 200
    public_props = json.loads(public.content)["features"][0]["properties"]
    officer_props = json.loads(signed_in.content)["features"][0]["properties"]
    assert set(public_props) <= {"key", "band", "percentile", "name_th", "name_en"}
    assert {"band", "percentile"} <= set(public_props)
    assert {"score", "hazard", "lower", "upper", "sites"} <= set(officer_props)
    assert public["ETag"] != signed_in["ETag"]
