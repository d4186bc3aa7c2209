"""The reference data: every file parses, CAS numbers are valid, derived columns agree with
their rule, search returns every match, and the anchors' key numbers are as published."""

from decimal import Decimal

from rongngan.chemicals import catalogue
from rongngan.chemicals.cas import is_valid_cas

D = Decimal


def test_the_catalogue_has_the_regulated_substances() -> None:
    records = catalogue.substances()
    assert len(records) >= 40
    cas = {s.cas for s in records}
    for required in (
        "7664-41-7",
        "7782-50-5",
        "74-98-6",
        "106-97-8",
        "75-28-5",
        "1333-74-0",
        "67-56-1",
        "7783-06-4",
        "7664-93-9",
        "7647-01-0",
        "1310-73-2",
        "71-43-2",
        "108-88-3",
        "50-00-0",
        "75-44-5",
        "86290-81-5",
        "8008-20-6",
        "68334-30-5",
        "68476-33-5",
    ):
        assert required in cas
    assert len(cas) == len(records)


def test_every_cas_number_in_the_data_has_a_good_check_digit() -> None:
    for s in catalogue.substances():
        assert is_valid_cas(s.cas), s.cas
    for named in catalogue.seveso_named().values():
        assert all(is_valid_cas(c) for c in named.cas), named.entry


def test_seveso_categories_are_derived_from_the_classification() -> None:
    for s in catalogue.substances():
        assert s.seveso_categories == catalogue.seveso_categories_for(s.ghs), s.cas
        assert set(s.seveso_categories) <= set(catalogue.seveso_categories())
        if s.seveso_named_entry:
            assert s.seveso_named_entry in catalogue.seveso_named()


def test_pictograms_and_signal_words_follow_the_classification() -> None:
    for s in catalogue.substances():
        assert tuple(sorted(s.pictograms)) == catalogue.pictograms_for(s.ghs), s.cas
        assert s.signal_word == catalogue.signal_word_for(s.ghs), s.cas


def test_pictogram_precedence_of_clp_article_26() -> None:
    g = catalogue.GhsEntry
    # Flammable gas Category 2 has no pictogram; GHS06 displaces GHS07
    assert catalogue.pictograms_for((g("Flam. Gas", "2", "H221"),)) == ()
    toxic_irritant = (g("Acute Tox.", "3", "H331"), g("Eye Irrit.", "2", "H319"))
    assert catalogue.pictograms_for(toxic_irritant) == ("GHS06",)
    # GHS05 displaces GHS07 for irritation only, not for harmful-if-swallowed
    corrosive = (g("Skin Corr.", "1B", "H314"), g("Skin Irrit.", "2", "H315"))
    assert catalogue.pictograms_for(corrosive) == ("GHS05",)
    harmful = (*corrosive, g("Acute Tox.", "4", "H302"))
    assert catalogue.pictograms_for(harmful) == ("GHS05", "GHS07")
    assert catalogue.signal_word_for((g("Flam. Liq.", "3", "H226"),)) == "Warning"


def test_named_entries_list_the_substances_cas() -> None:
    named = catalogue.seveso_named()
    for s in catalogue.substances():
        entry = named.get(s.seveso_named_entry or "")
        if entry is not None and entry.cas:
            assert s.cas in entry.cas, (s.cas, entry.entry)


def test_ammonia_record() -> None:
    nh3 = catalogue.substance("7664417")
    assert nh3 is not None
    assert (nh3.un_number, nh3.physical_state, nh3.liquefied_gas) == ("1005", "gas", True)
    assert nh3.seveso_categories == ("H2", "P2", "E1")
    assert nh3.seveso_named_entry == "35"
    assert "H331" in nh3.h_codes and "GHS06" in nh3.pictograms
    assert nh3.molecular_weight == D("17.031")
    assert nh3.emergency_th and nh3.erg_guide == "125"


def test_find_matches_cas_un_names_and_synonyms_in_both_languages() -> None:
    assert [s.cas for s in catalogue.find("7664-41-7")] == ["7664-41-7"]
    assert [s.cas for s in catalogue.find("UN1017")] == ["7782-50-5"]
    assert [s.cas for s in catalogue.find("คลอรีน")] == ["7782-50-5"]
    assert [s.cas for s in catalogue.find("caustic soda")] == ["1310-73-2"]
    assert [s.cas for s in catalogue.find("  LPG ")] == ["68476-85-7"]
    assert [s.cas for s in catalogue.find("โซดาไฟ")] == ["1310-73-2"]


def test_find_returns_every_match_so_the_caller_can_ask() -> None:
    both = {s.name_en for s in catalogue.find("1971")}
    assert both == {"Methane", "Natural gas"}


def test_find_never_guesses_a_near_name() -> None:
    assert catalogue.find("alanine") == []
    assert catalogue.find("ammoni") == []
    assert catalogue.find("") == []
    assert catalogue.find("UN") == []  # heavy fuel oil has no UN number of its own


def test_unknown_or_malformed_cas_is_none() -> None:
    assert catalogue.substance("7664-41-8") is None
    assert catalogue.substance("50-00-1") is None


def test_rmp_thresholds_and_endpoints() -> None:
    nh3 = catalogue.rmp_entry("7664-41-7")
    cl2 = catalogue.rmp_entry("7782-50-5")
    assert nh3 is not None and cl2 is not None
    assert (nh3.threshold_lb, nh3.toxic_endpoint_mg_l) == (D(10000), D("0.14"))
    assert (cl2.threshold_lb, cl2.toxic_endpoint_mg_l) == (D(2500), D("0.0087"))
    for cas in ("7664-41-7", "74-98-6", "75-44-5"):
        e = catalogue.rmp_entry(cas)
        assert e is not None and e.threshold_kg == e.threshold_lb * D("0.45359237")
    propane = catalogue.rmp_entry("74-98-6")
    assert propane is not None and (propane.kind, propane.toxic_endpoint_mg_l) == (
        "flammable",
        None,
    )


def test_seveso_named_anchor_quantities() -> None:
    named = catalogue.seveso_named()
    assert len(named) == 48
    assert (named["35"].lower_t, named["35"].upper_t) == (D(50), D(200))
    assert (named["10"].lower_t, named["10"].upper_t) == (D(10), D(25))
    assert (named["18"].lower_t, named["18"].upper_t) == (D(50), D(200))
    assert (named["34"].lower_t, named["34"].upper_t) == (D(2500), D(25000))


def test_version_and_sources_are_stated() -> None:
    assert catalogue.VERSION
    assert all(url.startswith("https://") for _, url in catalogue.SOURCES)


def test_every_data_file_names_its_sources_and_the_readme_its_version() -> None:
    for path in sorted(catalogue.DATA.glob("*.csv")):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("# ") and ("http" in path.read_text(encoding="utf-8")), path.name
    readme = (catalogue.DATA / "README.md").read_text(encoding="utf-8")
    assert f"`{catalogue.VERSION}`" in readme


def test_physical_facts_are_consistent() -> None:
    for s in catalogue.substances():
        assert s.physical_state in ("gas", "liquid", "solid"), s.cas
        if s.liquefied_gas:
            assert s.physical_state == "gas", s.cas
        if s.boiling_point_c is not None and s.physical_state == "gas":
            assert s.boiling_point_c < 20, s.cas
        if s.boiling_point_c is not None and s.physical_state == "liquid":
            assert s.boiling_point_c > 20, s.cas
        assert all(p in {f"GHS0{i}" for i in range(1, 10)} for p in s.pictograms), s.cas
        assert s.signal_word in ("Danger", "Warning", ""), s.cas
        assert s.emergency_en and s.emergency_th and s.erg_guide, s.cas
