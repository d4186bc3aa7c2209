"""The Hazardous Substance Act B.E. 2535 listings (data/thai_hs_listings.csv): the file is checked
when read, the substance's DIW type follows from its listings, and the directory, the public page
and the API show every listing."""

from typing import Any

import pytest
from django.test import Client

from conftest import api_as
from rongngan.chemicals import catalogue
from rongngan.chemicals.catalogue import CatalogueDataError, HsListing, parse_hs_listings
from rongngan.chemicals.models import Substance
from rongngan.chemicals.tests.conftest import AMMONIA, CHLORINE, METHANOL

FORMALDEHYDE = "50-00-0"
HYDROGEN_PEROXIDE = "7722-84-1"
HYDROGEN_CHLORIDE = "7647-01-0"
URL = "/api/v1/chemicals"


def en() -> Client:
    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    c.cookies["django_language"] = "en"
    return c


def good_row(**changes: str) -> dict[str, str]:
    row = {
        "cas": CHLORINE,
        "list": "5.1",
        "entry_no": "76",
        "name_th": "คลอรีน",
        "name_en": "chlorine",
        "hs_type": "3",
        "agency_th": "กรมโรงงานอุตสาหกรรม",
        "agency_en": "Department of Industrial Works",
        "condition_th": "",
        "condition_en": "",
        "source": "https://hazard.fda.moph.go.th/media.php?id=914720415199404032",
        "page": "108",
    }
    return {**row, **changes}


def listing(hs_list: str, hs_type: int) -> HsListing:
    agency = catalogue.HS_LIST_AGENCY[hs_list.split(".")[0]]
    row = good_row(list=hs_list, hs_type=str(hs_type), agency_th=agency)
    return parse_hs_listings([row], {CHLORINE})[0]


# ---- the data file


def test_every_listing_is_valid_and_names_a_catalogue_substance() -> None:
    listings = catalogue.hs_listings()
    assert len(listings) >= 18
    known = {s.cas for s in catalogue.substances()}
    for h in listings:
        assert h.cas in known
        assert h.list in catalogue.HS_LISTS and h.hs_type in (1, 2, 3, 4)
        assert h.agency_th == catalogue.HS_LIST_AGENCY[h.list.split(".")[0]]
        assert h.agency_en and h.name_th
        assert h.source.startswith("https://") and h.pages and all(p > 0 for p in h.pages)
        assert bool(h.condition_th) == bool(h.condition_en), (h.cas, h.list, h.entry_no)
    keys = [(h.cas, h.list, h.entry_no) for h in listings]
    assert len(keys) == len(set(keys))


def test_the_header_names_the_notification_the_source_and_the_caveat() -> None:
    text = (catalogue.DATA / "thai_hs_listings.csv").read_text(encoding="utf-8")
    header = "\n".join(line for line in text.splitlines() if line.startswith("#"))
    for needed in (
        "บัญชีรายชื่อวัตถุอันตราย พ.ศ. 2556",
        "เล่ม 130 ตอนพิเศษ 125 ง",
        "No. 2",
        "No. 8",
        "pisit15/ppe-tools",
        "https://hazard.fda.moph.go.th/media.php?id=914720415199404032",
        "NOT YET COMPARED WITH THE PDF",
        "2026-11-27",
        "repealed",
        "draft",
    ):
        assert needed in header, needed


def test_bad_rows_are_refused_at_load_with_every_problem() -> None:
    bad = [
        good_row(cas="7664-41-8"),
        good_row(list="7"),
        good_row(hs_type="5"),
        good_row(list="4.1"),  # a DIW agency on an FDA list
        good_row(entry_no="7a"),
        good_row(page="p. 9"),
        good_row(source="hazard.fda.moph.go.th"),
    ]
    with pytest.raises(CatalogueDataError) as exc:
        parse_hs_listings(bad, {CHLORINE})
    message = str(exc.value)
    for part in (
        "row 1: CAS '7664-41-8' is not in substances.csv",
        "row 2: unknown list '7'",
        "row 3: type '5' is not 1-4",
        "row 4: list 4.1 is not",
        "row 5: entry number '7a'",
        "row 6: page 'p. 9'",
        "row 7: source 'hazard.fda.moph.go.th' is not a URL",
    ):
        assert part in message, part


def test_an_entry_listed_twice_is_refused() -> None:
    with pytest.raises(CatalogueDataError, match="appears twice"):
        parse_hs_listings([good_row(), good_row(hs_type="2")], {CHLORINE})


def test_the_diw_type_is_the_single_type_of_the_list_5_entries() -> None:
    assert catalogue.diw_hs_type([listing("5.1", 3), listing("4.2", 1)]) == 3
    assert catalogue.diw_hs_type([listing("5.1", 3), listing("5.1", 3)]) == 3
    assert catalogue.diw_hs_type([listing("5.1", 3), listing("5.4", 1)]) is None  # several
    assert catalogue.diw_hs_type([]) is None


def test_the_thai_hs_type_column_agrees_with_the_listings() -> None:
    for s in catalogue.substances():
        assert s.thai_hs_type == catalogue.diw_hs_type(s.listings), s.cas


def test_chlorine_is_type_3_in_list_5_1_entry_76() -> None:
    chlorine = catalogue.substance(CHLORINE)
    assert chlorine is not None and chlorine.thai_hs_type == 3
    diw = [h for h in chlorine.listings if h.is_diw]
    assert [(h.list, h.entry_no, h.hs_type, h.pages) for h in diw] == [("5.1", 76, 3, (108,))]


def test_formaldehyde_is_type_2_for_diw_and_the_draft_fda_entry_is_left_out() -> None:
    formaldehyde = catalogue.substance(FORMALDEHYDE)
    assert formaldehyde is not None
    assert catalogue.diw_hs_type(formaldehyde.listings) == 2 == formaldehyde.thai_hs_type
    assert [h.list for h in formaldehyde.listings] == ["5.1"]
    assert "resin" in formaldehyde.listings[0].condition_en  # the amended wording


def test_methanol_is_type_1_for_diw_and_types_1_and_4_on_fda_list_4_1() -> None:
    methanol = catalogue.substance(METHANOL)
    assert methanol is not None and methanol.thai_hs_type == 1
    assert {(h.list, h.entry_no, h.hs_type) for h in methanol.listings} == {
        ("5.1", 321, 1),
        ("4.1", 157, 1),
        ("4.1", 158, 4),
    }  # 4.1 entry 159 was repealed by amendment No. 4


def test_hydrogen_chloride_has_three_diw_entries_of_one_type() -> None:
    entries = catalogue.hs_listings_for(HYDROGEN_CHLORIDE)
    assert [h.entry_no for h in entries] == [64, 481, 482]
    assert catalogue.substance(HYDROGEN_CHLORIDE).thai_hs_type == 3  # type: ignore[union-attr]


def test_a_substance_with_only_an_fda_entry_has_no_diw_type() -> None:
    peroxide = catalogue.substance(HYDROGEN_PEROXIDE)
    assert peroxide is not None and peroxide.thai_hs_type is None
    assert [(h.list, h.hs_type) for h in peroxide.listings] == [("4.1", 3)]


def test_a_substance_without_a_listing_has_none() -> None:
    ammonia = catalogue.substance(AMMONIA)
    assert ammonia is not None and ammonia.listings == () and ammonia.thai_hs_type is None
    assert catalogue.hs_listings_for("not a cas") == ()


# ---- the directory, the page and the API


@pytest.mark.django_db
def test_the_directory_rows_carry_the_listings() -> None:
    chlorine = Substance.objects.get(cas=CHLORINE)
    assert chlorine.thai_hs_type == "3"
    first = chlorine.thai_hs_listings[0]
    assert {k: first[k] for k in ("list", "entry_no", "hs_type", "pages")} == {
        "list": "5.1",
        "entry_no": 76,
        "hs_type": 3,
        "pages": [108],
    }
    assert Substance.objects.get(cas=AMMONIA).thai_hs_listings == []


@pytest.mark.django_db
def test_the_substance_page_shows_each_listing() -> None:
    body = en().get(f"/chemicals/substances/{CHLORINE}/").content.decode()
    assert 'id="thai-hs-listings"' in body
    assert 'data-list="5.1" data-entry="76" data-type="3"' in body
    assert 'data-list="4.2" data-entry="22" data-type="3"' in body
    hs_type = body.split('id="hs-type">', 1)[1].split("</dd>", 1)[0]
    assert "Type 3" in hs_type and "Department of Industrial Works" in hs_type
    assert "กรมโรงงานอุตสาหกรรม" in body and "page 108" in body
    assert 'href="https://hazard.fda.moph.go.th/media.php?id=914720415199404032"' in body
    assert 'id="thai-hs-caveat"' in body


@pytest.mark.django_db
def test_the_methanol_page_lists_its_diw_type_and_both_fda_types() -> None:
    body = en().get(f"/chemicals/substances/{METHANOL}/").content.decode()
    for hs_list, entry, hs_type in (("5.1", 321, 1), ("4.1", 157, 1), ("4.1", 158, 4)):
        assert f'data-list="{hs_list}" data-entry="{entry}" data-type="{hs_type}"' in body
    hs_type_text = body.split('id="hs-type">', 1)[1].split("</dd>", 1)[0]
    assert "Type 1" in hs_type_text


@pytest.mark.django_db
def test_a_substance_without_a_listing_says_not_stated() -> None:
    body = en().get(f"/chemicals/substances/{AMMONIA}/").content.decode()
    assert 'id="thai-hs-listings"' not in body
    hs_type = body.split('id="hs-type">', 1)[1].split("</dd>", 1)[0]
    assert "Not stated in the directory" in hs_type


@pytest.mark.django_db
def test_a_substance_with_only_an_fda_listing_says_it_has_no_diw_type() -> None:
    body = en().get(f"/chemicals/substances/{HYDROGEN_PEROXIDE}/").content.decode()
    hs_type = body.split('id="hs-type">', 1)[1].split("</dd>", 1)[0]
    assert "No Department of Industrial Works type" in hs_type
    assert 'data-list="4.1" data-entry="223" data-type="3"' in body


@pytest.mark.django_db
def test_the_api_returns_the_listings_in_the_detail_and_the_list() -> None:
    body = api_as(None).get(f"{URL}/substances/{CHLORINE}/").json()["substance"]
    assert body["thai_hs_type"] == "3"
    first = body["thai_hs_listings"][0]
    assert (first["list"], first["entry_no"], first["hs_type"]) == ("5.1", 76, 3)
    assert set(first) == {
        "list",
        "entry_no",
        "name_th",
        "name_en",
        "hs_type",
        "agency_th",
        "agency_en",
        "condition_th",
        "condition_en",
        "source",
        "pages",
    }
    assert first["agency_en"] == "Department of Industrial Works" and first["pages"] == [108]
    none = api_as(None).get(f"{URL}/substances/{AMMONIA}/").json()["substance"]
    assert (none["thai_hs_type"], none["thai_hs_listings"]) == ("", [])
    listed = api_as(None).get(f"{URL}/substances/", {"q": "methanol"}).json()["results"]
    methanol: dict[str, Any] = next(r for r in listed if r["cas"] == METHANOL)
    assert sorted((h["list"], h["hs_type"]) for h in methanol["thai_hs_listings"]) == [
        ("4.1", 1),
        ("4.1", 4),
        ("5.1", 1),
    ]
