"""The chemicals pages as each role sees them: the public directory, scoped site pages with the
hazard explained, the declaration form (errors at their fields, nothing written on bad input),
the risk map and the receptor upload."""

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from rongngan.chemicals import services
from rongngan.chemicals.models import Declaration, ReceptorLayer, StorageSite
from rongngan.chemicals.tests.conftest import (
    AMMONIA,
    CAUSTIC,
    CHLORINE,
    declare,
    item,
    register_charge,
)

pytestmark = pytest.mark.django_db


def client_as(user: Any) -> Client:
    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        c.force_login(user)
    return c


def en(user: Any) -> Client:
    """A client reading the pages in English (the msgids), so assertions do not wait for the
    coordinator's merge of the Thai translations."""
    c = client_as(user)
    c.cookies["django_language"] = "en"
    return c


@pytest.fixture
def stocked(
    site_a: StorageSite, site_b: StorageSite, operator_a: Any, operator_b: Any
) -> tuple[StorageSite, StorageSite]:
    """Site A (Rayong) upper tier with chlorine; site B (Chon Buri) lower tier with ammonia."""
    declare(operator_a, site_a, item(CHLORINE, "30", largest_container="1"), item(CAUSTIC, "2"))
    declare(operator_b, site_b, item(AMMONIA, "60", largest_container="10"))
    services.areas_recompute()
    return site_a, site_b


def rows(*items: dict[str, str], year: str = "2569", note: str = "") -> dict[str, str]:
    """The declaration form's POST data for these rows (prefix "items")."""
    data = {
        "year": year,
        "note": note,
        "items-TOTAL_FORMS": str(len(items)),
        "items-INITIAL_FORMS": "0",
    }
    for i, row in enumerate(items):
        for name, value in row.items():
            data[f"items-{i}-{name}"] = value
    return data


# ---- directory


@pytest.mark.parametrize("q", ["7664-41-7", "7664417", "UN1005", "ammonia", "แอมโมเนีย"])
def test_anyone_finds_ammonia_by_cas_un_or_name(q: str) -> None:
    r = en(None).get("/chemicals/", {"q": q})
    assert r.status_code == 200
    assert 'data-cas="7664-41-7"' in r.content.decode()


def test_a_name_of_several_substances_lists_them_all_and_says_so() -> None:
    r = en(None).get("/chemicals/", {"q": "LPG component"})
    body = r.content.decode()
    assert r.status_code == 200
    for cas in ("74-98-6", "106-97-8", "75-28-5"):
        assert f'data-cas="{cas}"' in body
    assert 'id="several"' in body


def test_a_cas_number_with_a_wrong_check_digit_is_said_plainly() -> None:
    r = en(None).get("/chemicals/", {"q": "7664-41-8"})
    assert r.status_code == 400
    assert "fails its check digit" in r.content.decode()
    assert 'data-cas="' not in r.content.decode()


def test_an_unknown_name_finds_nothing_and_says_so() -> None:
    r = en(None).get("/chemicals/", {"q": "unobtainium"})
    assert r.status_code == 200
    assert 'id="nothing"' in r.content.decode()


def test_the_substance_page_shows_identity_ghs_thresholds_and_advice_to_the_public() -> None:
    r = en(None).get(f"/chemicals/substances/{AMMONIA}/")
    body = r.content.decode()
    assert r.status_code == 200
    assert "UN1005" in body and "H331" in body and "GHS06" in body
    assert 'id="seveso-named"' in body and 'id="rmp"' in body
    assert 'lang="th"' in body and "SCBA" in body  # emergency advice in both languages
    assert 'id="stored-where"' not in body  # officers only


def test_officers_also_see_where_a_substance_is_stored_by_province(
    stocked: Any, officer: Any, operator_a: Any
) -> None:
    body = en(officer).get(f"/chemicals/substances/{AMMONIA}/").content.decode()
    assert 'id="stored-where"' in body and "60" in body
    assert (
        'id="stored-where"'
        not in en(operator_a).get(f"/chemicals/substances/{AMMONIA}/").content.decode()
    )


def test_an_unknown_substance_page_is_404() -> None:
    assert en(None).get("/chemicals/substances/50-00-1x/").status_code == 404


def test_the_directory_takes_a_fixed_number_of_queries() -> None:
    with CaptureQueriesContext(connection) as ctx:
        assert en(None).get("/chemicals/").status_code == 200
    assert len(ctx) <= 4


# ---- sites


def test_the_public_is_sent_to_sign_in_for_sites(stocked: Any) -> None:
    a, _b = stocked
    for url in ("/chemicals/sites/", f"/chemicals/sites/{a.pk}/", "/chemicals/sites/new/"):
        r = en(None).get(url)
        assert r.status_code == 302
        assert r["Location"].startswith(reverse("login"))


def test_each_role_lists_only_the_sites_in_its_reach(
    stocked: Any, officer: Any, operator_a: Any, provincial_officer: Any
) -> None:
    a, b = stocked
    officer_page = en(officer).get("/chemicals/sites/").content.decode()
    assert f'data-site="{a.pk}"' in officer_page and f'data-site="{b.pk}"' in officer_page
    for user in (operator_a, provincial_officer):
        page = en(user).get("/chemicals/sites/").content.decode()
        assert f'data-site="{a.pk}"' in page and f'data-site="{b.pk}"' not in page


def test_the_site_list_filters_by_tier_province_and_kind(stocked: Any, officer: Any) -> None:
    a, b = stocked
    upper = en(officer).get("/chemicals/sites/", {"tier": "upper"}).content.decode()
    assert f'data-site="{a.pk}"' in upper and f'data-site="{b.pk}"' not in upper
    chonburi = en(officer).get("/chemicals/sites/", {"province": "20"}).content.decode()
    assert f'data-site="{b.pk}"' in chonburi and f'data-site="{a.pk}"' not in chonburi
    storage = en(officer).get("/chemicals/sites/", {"kind": "hazmat_storage"}).content.decode()
    assert f'data-site="{b.pk}"' in storage and f'data-site="{a.pk}"' not in storage


def test_the_site_list_takes_a_fixed_number_of_queries(
    stocked: Any, officer: Any, org_b: Any
) -> None:
    client = en(officer)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/chemicals/sites/").status_code == 200
        return len(ctx)

    before = count()
    for n in range(5):
        services.site_register(
            acting_user=officer,
            data={
                "kind": "hazmat_storage",
                "name_th": f"คลัง {n}",
                "province": "20",
                "district": "2001",
                "latitude": "13.4",
                "longitude": "100.99",
                "operator": org_b.pk,
            },
        )
    assert count() == before


def test_an_officer_sees_the_tier_explained_with_sums_contributions_and_zone(
    stocked: Any, officer: Any
) -> None:
    _a, b = stocked
    r = en(officer).get(f"/chemicals/sites/{b.pk}/")
    body = r.content.decode()
    assert r.status_code == 200
    assert "tier-lower" in body
    assert 'data-level="lower"' in body and 'data-level="upper"' in body
    assert "Ammonia, anhydrous" in body  # the contribution's label
    assert 'id="rmp-crossed"' in body
    assert 'id="zone-radius"' in body and 'id="zone-method"' in body
    assert f'href="/chemicals/supervision/sites/{b.pk}/"' in body
    assert 'id="inventory"' in body and 'data-line="1"' in body


def test_the_site_page_takes_the_same_queries_however_many_items_it_holds(
    stocked: Any, officer: Any, operator_b: Any
) -> None:
    _a, b = stocked
    client = en(officer)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/chemicals/sites/{b.pk}/").status_code == 200
        return len(ctx)

    before = count()
    declare(
        operator_b,
        b,
        item(AMMONIA, "60", largest_container="10"),
        item(CHLORINE, "1"),
        item(CAUSTIC, "5"),
        item("67-56-1", "100"),
        item("108-88-3", "30"),
    )
    assert count() == before


def test_a_sum_of_each_group_is_shown_for_both_tiers(stocked: Any, officer: Any) -> None:
    a, _b = stocked
    body = en(officer).get(f"/chemicals/sites/{a.pk}/").content.decode()
    for group in ("health", "physical", "environment"):
        assert body.count(f'class="sum-row" data-group="{group}"') == 2


def test_a_site_without_a_declaration_says_so(site_a: StorageSite, operator_a: Any) -> None:
    body = en(operator_a).get(f"/chemicals/sites/{site_a.pk}/").content.decode()
    assert "No inventory has been declared for this site." in body
    assert "tier-none" in body and 'id="no-zone"' in body


def test_the_operator_sees_its_site_and_may_declare(stocked: Any, operator_a: Any) -> None:
    a, _b = stocked
    body = en(operator_a).get(f"/chemicals/sites/{a.pk}/").content.decode()
    assert f'href="/chemicals/sites/{a.pk}/declare/"' in body


def test_another_operator_and_an_outsider_get_404_for_a_site(
    stocked: Any, operator_b: Any, inspector: Any
) -> None:
    a, _b = stocked
    for user in (operator_b, inspector):
        assert en(user).get(f"/chemicals/sites/{a.pk}/").status_code == 404
        assert en(user).get(f"/chemicals/sites/{a.pk}/declare/").status_code == 404


def test_a_local_government_sees_receptors_inside_a_zone_on_the_site_page(
    stocked: Any, officer: Any
) -> None:
    _a, b = stocked
    services.receptor_layer_upload(
        acting_user=officer,
        name="receptors",
        content="name,kind,latitude,longitude\nโรงเรียนใกล้คลัง,school,13.365,100.98\n",
        filename="r.csv",
    )
    body = en(officer).get(f"/chemicals/sites/{b.pk}/").content.decode()
    assert 'id="receptors"' in body and "โรงเรียนใกล้คลัง" in body


def test_an_old_declaration_version_can_be_read(stocked: Any, operator_b: Any) -> None:
    _a, b = stocked
    declare(operator_b, b, item(AMMONIA, "5"))
    first = Declaration.objects.get(site=b, version=1)
    r = en(operator_b).get(f"/chemicals/sites/{b.pk}/declarations/{first.pk}/")
    assert r.status_code == 200
    assert "superseded" in r.content.decode()


# ---- site registration


def test_an_officer_registers_a_storage_site(officer: Any, org_b: Any) -> None:
    r = en(officer).post(
        "/chemicals/sites/new/",
        {
            "kind": "hazmat_storage",
            "name_th": "คลังใหม่",
            "province": "20",
            "district": "2001",
            "operator": org_b.code,
            "latitude": "13.36",
            "longitude": "100.98",
            "surroundings": "urban",
        },
    )
    site = StorageSite.objects.get(name_th="คลังใหม่")
    assert r.status_code == 302 and r["Location"] == f"/chemicals/sites/{site.pk}/"


def test_a_bad_registration_shows_each_problem_at_its_field_and_writes_nothing(
    officer: Any,
) -> None:
    r = en(officer).post(
        "/chemicals/sites/new/",
        {
            "kind": "hazmat_storage",
            "province": "20",
            "district": "2101",
            "operator": "nobody",
            "latitude": "1.3",
            "longitude": "103.8",
        },
    )
    assert r.status_code == 400
    form = r.context["form"]
    assert set(form.errors) >= {"name_th", "district", "operator", "latitude"}
    assert "not in Thailand" in form.errors["latitude"][0]
    assert not StorageSite.objects.exists()


def test_an_operator_registers_its_own_factory_by_registration_number(
    operator_a: Any, factory_a: Any
) -> None:
    r = en(operator_a).post(
        "/chemicals/sites/new/", {"kind": "factory", "factory": factory_a.registration_no}
    )
    assert r.status_code == 302
    assert StorageSite.objects.get(factory=factory_a).operator_id == operator_a.organisation_id


def test_an_operator_cannot_register_another_operators_factory(
    operator_a: Any, factory_b: Any
) -> None:
    r = en(operator_a).post(
        "/chemicals/sites/new/", {"kind": "factory", "factory": factory_b.registration_no}
    )
    assert r.status_code == 400
    assert "factory" in r.context["form"].errors
    assert not StorageSite.objects.exists()


def test_roles_without_write_reach_cannot_open_site_registration(
    inspector: Any, local_gov: Any
) -> None:
    for user in (inspector, local_gov):
        assert en(user).get("/chemicals/sites/new/").status_code == 403


# ---- declaration


def test_the_declaration_form_starts_from_the_current_declaration(
    stocked: Any, operator_b: Any
) -> None:
    _a, b = stocked
    r = en(operator_b).get(f"/chemicals/sites/{b.pk}/declare/")
    assert r.status_code == 200
    first = r.context["row_forms"][0]
    assert first.initial["substance"] == AMMONIA and first.initial["max_quantity"] == "60000"


def test_register_rows_are_shown_apart_on_the_form_and_flagged_when_declared_twice(
    stocked: Any, operator_b: Any, officer: Any
) -> None:
    _a, b = stocked
    register_charge(officer, b, "8000")
    # the form starts from the operator's own rows; the register's are listed, not editable
    r = en(operator_b).get(f"/chemicals/sites/{b.pk}/declare/")
    body = r.content.decode()
    assert 'id="register-items"' in body and "8,000" in body
    starts = [f.initial.get("max_quantity") for f in r.context["row_forms"] if f.initial]
    assert "8000" not in starts and "60000" in starts
    # the site page marks the register row and says ammonia is counted from both
    page = en(officer).get(f"/chemicals/sites/{b.pk}/").content.decode()
    assert 'data-source="refrigeration_register"' in page
    assert 'id="counted-twice"' in page
    # declared again without ammonia: the register row stays and the notice goes
    data = rows({"substance": CAUSTIC, "max_quantity": "1", "unit": "t"})
    assert en(operator_b).post(f"/chemicals/sites/{b.pk}/declare/", data).status_code == 302
    current = Declaration.objects.get(site=b, is_current=True)
    assert sorted(i.source for i in current.items.all()) == [
        "declaration",
        "refrigeration_register",
    ]
    page = en(officer).get(f"/chemicals/sites/{b.pk}/").content.decode()
    assert 'data-source="refrigeration_register"' in page
    assert 'id="counted-twice"' not in page


def test_an_operator_declares_and_sees_the_new_version_and_tier(
    stocked: Any, operator_b: Any
) -> None:
    _a, b = stocked
    data = rows(
        {"substance": AMMONIA, "max_quantity": "250", "unit": "t", "largest_container": "20"},
        {"substance": "methanol", "max_quantity": "1000", "unit": "L", "density_kg_m3": "792"},
        {
            "mixture_name": "สีผสมตัวทำละลาย",
            "mixture_categories": "P5c",
            "max_quantity": "3",
            "unit": "t",
            "physical_state": "liquid",
        },
        {"substance": "", "max_quantity": ""},  # blank rows are ignored
    )
    r = en(operator_b).post(f"/chemicals/sites/{b.pk}/declare/", data, follow=True)
    assert r.status_code == 200
    body = r.content.decode()
    assert "version 2" in body and "Upper tier" in body
    current = Declaration.objects.get(site=b, is_current=True)
    assert current.version == 2 and current.items.count() == 3
    methanol = current.items.get(line=2)
    assert str(methanol.max_kg.normalize()) == "792"


def test_a_bad_declaration_shows_errors_at_their_rows_and_writes_nothing(
    stocked: Any, operator_b: Any
) -> None:
    _a, b = stocked
    data = rows(
        {"substance": "7664-41-8", "max_quantity": "1", "unit": "t"},
        {"substance": AMMONIA, "max_quantity": "-5", "unit": "t"},
        {"substance": "67-56-1", "max_quantity": "10", "unit": "L"},
        {"substance": AMMONIA, "max_quantity": "10", "unit": "t", "average_quantity": "20"},
    )
    r = en(operator_b).post(f"/chemicals/sites/{b.pk}/declare/", data)
    assert r.status_code == 400
    forms = r.context["row_forms"]
    assert "check digit" in forms[0].errors["substance"][0]
    assert "negative" in forms[1].errors["max_quantity"][0]
    assert "density" in forms[2].errors["density_kg_m3"][0]
    assert "average" in forms[3].errors["average_quantity"][0]
    assert Declaration.objects.filter(site=b).count() == 1


def test_a_name_of_several_substances_offers_them_as_choices_and_picks_none(
    stocked: Any, operator_b: Any
) -> None:
    _a, b = stocked
    data = rows({"substance": "LPG component", "max_quantity": "10", "unit": "t"})
    r = en(operator_b).post(f"/chemicals/sites/{b.pk}/declare/", data)
    assert r.status_code == 400
    row = r.context["row_forms"][0]
    assert "several substances" in row.errors["substance"][0]
    assert {cas for cas, _label in row.fields["choice"].choices} == {
        "74-98-6",
        "106-97-8",
        "75-28-5",
    }
    assert Declaration.objects.filter(site=b).count() == 1
    data["items-0-choice"] = "74-98-6"
    r = en(operator_b).post(f"/chemicals/sites/{b.pk}/declare/", data)
    assert r.status_code == 302
    assert Declaration.objects.get(site=b, is_current=True).items.get().substance.cas == "74-98-6"


def test_the_row_lookup_names_one_substance_or_offers_the_several_a_name_matches() -> None:
    def look(text: str) -> str:
        r = en(None).get("/chemicals/lookup/", {"row": "items-2", "items-2-substance": text})
        assert r.status_code == 200
        return r.content.decode()

    assert "Ammonia, anhydrous (7664-41-7)" in look("7664417")
    assert "Ammonia, anhydrous (7664-41-7)" in look("R-717")
    several = look("LPG component")
    assert several.count('name="items-2-choice"') == 3
    assert "fails its check digit" in look("7664-41-8")
    assert "give its CAS number" in look("unobtainium")


def test_the_row_lookup_refuses_a_row_name_it_did_not_make() -> None:
    r = en(None).get("/chemicals/lookup/", {"row": 'x"><script>', "q": "ammonia"})
    assert r.status_code == 400


def test_add_a_row_works_without_script_and_writes_nothing(stocked: Any, operator_b: Any) -> None:
    _a, b = stocked
    data = rows({"substance": AMMONIA, "max_quantity": "1", "unit": "t"})
    data["add_row"] = "1"
    r = en(operator_b).post(f"/chemicals/sites/{b.pk}/declare/", data)
    assert r.status_code == 200 and len(r.context["row_forms"]) == 2
    assert Declaration.objects.filter(site=b).count() == 1


def test_a_gas_volume_needs_temperature_and_pressure(stocked: Any, operator_b: Any) -> None:
    _a, b = stocked
    data = rows({"substance": AMMONIA, "max_quantity": "100", "unit": "m3_gas"})
    r = en(operator_b).post(f"/chemicals/sites/{b.pk}/declare/", data)
    assert r.status_code == 400
    assert "temperature" in r.context["row_forms"][0].errors["temperature_c"][0]
    ok = rows(
        {
            "substance": AMMONIA,
            "max_quantity": "100",
            "unit": "m3_gas",
            "temperature_c": "0",
            "pressure_kpa": "101.325",
        }
    )
    assert en(operator_b).post(f"/chemicals/sites/{b.pk}/declare/", ok).status_code == 302


def test_a_local_government_reads_a_site_but_cannot_declare(stocked: Any, local_gov: Any) -> None:
    a, _b = stocked
    assert en(local_gov).get(f"/chemicals/sites/{a.pk}/").status_code == 200
    assert en(local_gov).get(f"/chemicals/sites/{a.pk}/declare/").status_code == 403


def test_an_officer_declares_for_any_site(stocked: Any, officer: Any) -> None:
    a, _b = stocked
    data = rows({"substance": CHLORINE, "max_quantity": "1", "unit": "t"})
    assert en(officer).post(f"/chemicals/sites/{a.pk}/declare/", data).status_code == 302


# ---- risk map and receptors


def test_the_public_map_page_points_at_the_api_and_hides_receptors() -> None:
    r = en(None).get("/chemicals/map/")
    body = r.content.decode()
    assert r.status_code == 200
    config = r.context["config"]
    assert config["public"] is True and config["receptors_url"] == ""
    assert config["areas_url"] == "/api/v1/chemicals/risk/areas/"
    assert 'value="receptors"' not in body and 'value="zones"' not in body
    assert "vendor/leaflet/leaflet.js" in body and "js/chemicals-map.js" in body


def test_officers_get_the_zone_and_receptor_layers(officer: Any) -> None:
    r = en(officer).get("/chemicals/map/")
    assert r.context["config"]["receptors_url"] == "/chemicals/map/receptors.geojson"
    assert 'value="zones"' in r.content.decode()


def test_receptor_points_are_for_officers_and_local_governments_only(
    officer: Any, local_gov: Any, operator_a: Any
) -> None:
    services.receptor_layer_upload(
        acting_user=officer,
        name="schools",
        content="name,kind,latitude,longitude\nA,school,13.7,100.5\n",
        filename="r.csv",
    )
    data = en(local_gov).get("/chemicals/map/receptors.geojson").json()
    assert [f["properties"]["name"] for f in data["features"]] == ["A"]
    assert en(operator_a).get("/chemicals/map/receptors.geojson").status_code == 403
    assert en(None).get("/chemicals/map/receptors.geojson").status_code == 302


def test_a_local_government_uploads_a_receptor_layer(local_gov: Any) -> None:
    upload = SimpleUploadedFile(
        "r.geojson",
        b'{"type":"FeatureCollection","features":[{"type":"Feature","geometry":'
        b'{"type":"Point","coordinates":[100.5,13.7]},"properties":{"name":"A","kind":"school"}}]}',
    )
    r = en(local_gov).post("/chemicals/receptors/upload/", {"name": "schools", "file": upload})
    assert r.status_code == 302
    assert ReceptorLayer.objects.get().row_count == 1


def test_a_bad_receptor_file_lists_problems_by_row_and_writes_nothing(officer: Any) -> None:
    upload = SimpleUploadedFile(
        "r.csv", b"name,kind,latitude,longitude\nA,castle,13.7,100.5\n,school,1.3,103.8\n"
    )
    r = en(officer).post("/chemicals/receptors/upload/", {"name": "bad", "file": upload})
    assert r.status_code == 400
    assert {p["row"] for p in r.context["row_problems"]} == {1, 2}
    assert 'id="row-problems"' in r.content.decode()
    assert not ReceptorLayer.objects.exists()


def test_a_dry_run_checks_the_file_and_writes_nothing(officer: Any) -> None:
    upload = SimpleUploadedFile("r.csv", b"name,kind,latitude,longitude\nA,school,13.7,100.5\n")
    r = en(officer).post(
        "/chemicals/receptors/upload/", {"name": "ok", "file": upload, "dry_run": "on"}
    )
    assert r.status_code == 200 and r.context["checked_ok"]
    assert not ReceptorLayer.objects.exists()


def test_a_missing_file_is_an_error_at_the_file_field(officer: Any) -> None:
    r = en(officer).post("/chemicals/receptors/upload/", {"name": "x"})
    assert r.status_code == 400 and "file" in r.context["form"].errors


def test_operators_and_the_public_cannot_upload_receptors(operator_a: Any) -> None:
    assert en(operator_a).get("/chemicals/receptors/upload/").status_code == 403
    assert en(None).get("/chemicals/receptors/upload/").status_code == 302


def test_a_chlorine_zone_is_shown_as_a_screening_estimate(
    site_a: StorageSite, operator_a: Any, officer: Any
) -> None:
    declare(operator_a, site_a, item(CHLORINE, "5", largest_container="1"))
    body = en(officer).get(f"/chemicals/sites/{site_a.pk}/").content.decode()
    assert 'id="zone-radius"' in body and 'id="zone-screening"' in body
    assert "Screening estimate" in body and "heavier than air" in body
    hazard = en(officer).get(f"/api/v1/chemicals/sites/{site_a.pk}/hazard/").json()
    assert hazard["zone"]["method"] == "epa-oca-2009-neutral-table-screening"
    assert hazard["zone_not_computed"] == []


def test_a_zone_that_could_not_be_computed_is_explained_on_the_page(
    site_a: StorageSite, operator_a: Any, officer: Any, monkeypatch: Any
) -> None:
    from rongngan.chemicals import oca

    def past_the_table(*args: Any, **kwargs: Any) -> Any:
        raise oca.OcaError("beyond_transcribed_table")

    monkeypatch.setattr(oca, "worst_case_zone", past_the_table)
    declare(operator_a, site_a, item(CHLORINE, "5", largest_container="1"))
    body = en(officer).get(f"/chemicals/sites/{site_a.pk}/").content.decode()
    assert 'id="zone-not-computed"' in body and 'id="no-zone"' not in body
    assert "Chlorine" in body and "past the last row of the reference table" in body
    hazard = en(officer).get(f"/api/v1/chemicals/sites/{site_a.pk}/hazard/").json()
    assert hazard["zone"] is None
    assert hazard["zone_not_computed"] == [{"cas": CHLORINE, "error": "beyond_transcribed_table"}]


def test_a_site_that_declared_nothing_says_so_not_below_the_tier(
    site_a: StorageSite, site_b: StorageSite, operator_b: Any, officer: Any
) -> None:
    declare(operator_b, site_b, item(CAUSTIC, "1"))
    page = en(officer).get(reverse("chemicals:site_detail", args=[site_a.pk])).content.decode()
    assert "Nothing declared yet" in page and "Below the lower tier" not in page
    page = en(officer).get(reverse("chemicals:site_detail", args=[site_b.pk])).content.decode()
    assert "Below the lower tier" in page and "Nothing declared yet" not in page
    listing = en(officer).get(reverse("chemicals:site_list")).content.decode()
    assert "Nothing declared yet" in listing and "Below the lower tier" in listing
