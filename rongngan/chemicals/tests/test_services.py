"""Sites, declarations (validated all at once, versioned, audited), the refrigeration feed and
receptor uploads."""

from decimal import Decimal
from typing import Any

import pytest

from rongngan.chemicals import services
from rongngan.chemicals.models import (
    Declaration,
    InventoryItem,
    Receptor,
    ReceptorLayer,
    StorageSite,
)
from rongngan.chemicals.tests.conftest import (
    AMMONIA,
    CAUSTIC,
    CHLORINE,
    TOLUENE,
    declare,
    item,
)
from rongngan.core.errors import RongnganValidationError
from rongngan.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def codes(exc: pytest.ExceptionInfo) -> set[tuple[str | None, str]]:
    return {(p.field, p.code) for p in exc.value.problems}


# ---- sites


def test_a_factory_site_takes_place_and_operator_from_the_factory(
    site_a: StorageSite, factory_a: Any
) -> None:
    assert site_a.kind == "factory"
    assert site_a.operator_id == factory_a.operator_id
    assert site_a.province_id == factory_a.province_id
    assert site_a.latitude == Decimal(str(factory_a.latitude))
    assert site_a.code.startswith("F21-")
    assert AuditEntry.objects.filter(object_id=str(site_a.pk), action="create").exists()


def test_a_factory_cannot_have_two_sites(site_a: StorageSite, factory_a: Any, officer: Any) -> None:
    with pytest.raises(RongnganValidationError) as exc:
        services.site_register(
            acting_user=officer, data={"kind": "factory", "factory": factory_a.pk}
        )
    assert ("factory", "factory_taken") in codes(exc)


def test_a_site_outside_thailand_is_refused_and_nothing_is_written(
    officer: Any, org_b: Any
) -> None:
    with pytest.raises(RongnganValidationError) as exc:
        services.site_register(
            acting_user=officer,
            data={
                "kind": "hazmat_storage",
                "name_th": "คลังเวียงจันทน์",
                "province": "20",
                "district": "2001",
                "latitude": "17.97",
                "longitude": "102.63",  # Vientiane
                "operator": org_b.pk,
            },
        )
    assert ("latitude", "outside_thailand") in codes(exc)
    assert not StorageSite.objects.exists()


def test_a_storage_site_reports_every_missing_field_at_once(officer: Any) -> None:
    with pytest.raises(RongnganValidationError) as exc:
        services.site_register(acting_user=officer, data={"kind": "hazmat_storage"})
    assert {"name_th", "province", "district", "operator", "latitude", "longitude"} <= {
        f for f, _c in codes(exc)
    }


def test_an_operator_registers_only_for_its_own_organisation(
    operator_b: Any, factory_a: Any
) -> None:
    with pytest.raises(PermissionError):
        services.site_register(
            acting_user=operator_b, data={"kind": "factory", "factory": factory_a.pk}
        )


def test_a_local_government_cannot_register_sites(local_gov: Any, factory_a: Any) -> None:
    with pytest.raises(PermissionError):
        services.site_register(
            acting_user=local_gov, data={"kind": "factory", "factory": factory_a.pk}
        )


# ---- declarations


def test_units_are_converted_exactly(site_a: StorageSite, operator_a: Any) -> None:
    d = declare(
        operator_a,
        site_a,
        item(AMMONIA, "2.5", largest_container="1.2"),
        item(TOLUENE, "1500", "L", density_kg_m3="867"),
        item(CAUSTIC, "750", "kg", average_quantity="300"),
    )
    lines = {i.line: i for i in d.items.all()}
    assert lines[1].max_kg == Decimal("2500")
    assert lines[1].largest_container_kg == Decimal("1200")
    assert lines[1].physical_state == "liquefied_gas"  # from the catalogue
    assert lines[2].max_kg == Decimal("1300.5")
    assert (lines[2].max_quantity, lines[2].unit) == (Decimal("1500"), "L")
    assert lines[3].average_kg == Decimal("300")


def test_a_gas_volume_needs_its_conditions(site_a: StorageSite, operator_a: Any) -> None:
    with pytest.raises(RongnganValidationError) as exc:
        declare(operator_a, site_a, item(CHLORINE, "10", "m3_gas"))
    assert ("items[0].max_quantity.unit", "conditions_required") in codes(exc)
    d = declare(
        operator_a,
        site_a,
        item(CHLORINE, "10", "m3_gas", temperature_c="25", pressure_kpa="101.325"),
    )
    # pV M / RT = 101.325 × 10 × 70.90 / (8.314462618 × 298.15) ≈ 29 kg
    assert Decimal("28") < d.items.get().max_kg < Decimal("30")


def test_every_bad_item_is_reported_and_nothing_is_written(
    site_a: StorageSite, operator_a: Any
) -> None:
    with pytest.raises(RongnganValidationError) as exc:
        declare(
            operator_a,
            site_a,
            item("7664-41-8", 1),  # wrong check digit
            item("50-00-1x", 1),  # not a CAS number
            item("7732-18-5", 1),  # water: valid, not in the directory
            item(AMMONIA, "-1"),
            {"cas": AMMONIA, "max_quantity": "3"},  # no unit
            item(TOLUENE, "200", "L"),  # volume without density
            item(AMMONIA, "1", "bushel"),
        )
    found = codes(exc)
    assert ("items[0].cas", "cas_check_digit") in found
    assert ("items[1].cas", "cas_format") in found
    assert ("items[2].cas", "cas_unknown") in found
    assert ("items[3].max_quantity", "negative") in found
    assert ("items[4].unit", "unit_missing") in found
    assert ("items[5].max_quantity.unit", "density_required") in found
    assert ("items[6].max_quantity.unit", "unit_unknown") in found
    assert not Declaration.objects.exists()
    assert not InventoryItem.objects.exists()
    for p in exc.value.problems:
        assert p.as_dict()["message_en"] and p.as_dict()["message_th"]


def test_an_unknown_cas_suggests_candidates_from_the_name(
    site_a: StorageSite, operator_a: Any
) -> None:
    with pytest.raises(RongnganValidationError) as exc:
        declare(operator_a, site_a, {**item("7732-18-5", 1), "name": "Chlorine"})
    [problem] = exc.value.problems
    assert CHLORINE in problem.as_dict()["message_en"]


def test_a_name_that_matches_several_substances_is_asked_about(
    site_a: StorageSite, operator_a: Any
) -> None:
    with pytest.raises(RongnganValidationError) as exc:
        declare(operator_a, site_a, {"name": "UN1971", "max_quantity": "1", "unit": "t"})
    [problem] = exc.value.problems
    assert (problem.field, problem.code) == ("items[0].name", "name_ambiguous")
    message = problem.as_dict()["message_en"]
    assert "74-82-8" in message and "8006-14-2" in message


def test_an_exact_name_or_synonym_resolves(site_a: StorageSite, operator_a: Any) -> None:
    d = declare(operator_a, site_a, {"name": "LPG", "max_quantity": "1", "unit": "t"})
    assert d.items.get().substance.cas == "68476-85-7"


def test_an_unknown_name_is_refused_not_guessed(site_a: StorageSite, operator_a: Any) -> None:
    with pytest.raises(RongnganValidationError) as exc:
        declare(operator_a, site_a, {"name": "Unobtainium", "max_quantity": "1", "unit": "t"})
    assert ("items[0].name", "name_unknown") in codes(exc)


def test_a_mixture_is_declared_with_its_classification(
    site_a: StorageSite, operator_a: Any
) -> None:
    d = declare(
        operator_a,
        site_a,
        {
            "mixture": {
                "name": "ทินเนอร์ผสม",
                "categories": ["P5c"],
                "components": [{"cas": TOLUENE, "percent": "60"}],
            },
            "physical_state": "liquid",
            "max_quantity": "12",
            "unit": "t",
        },
    )
    line = d.items.get()
    assert line.substance is None
    assert line.mixture_categories == ["P5c"]
    assert line.mixture_components[0]["cas"] == TOLUENE


def test_a_mixture_needs_known_categories_and_a_state(site_a: StorageSite, operator_a: Any) -> None:
    with pytest.raises(RongnganValidationError) as exc:
        declare(
            operator_a,
            site_a,
            {"mixture": {"name": "X", "categories": ["Z9"]}, "max_quantity": "1", "unit": "t"},
        )
    assert ("items[0].mixture.categories", "category_unknown") in codes(exc)
    assert ("items[0].physical_state", "not_a_gas_or_liquid") in codes(exc)


def test_a_new_declaration_supersedes_the_current_one_of_its_year(
    site_a: StorageSite, operator_a: Any
) -> None:
    first = declare(operator_a, site_a, item(AMMONIA, 1))
    second = declare(operator_a, site_a, item(AMMONIA, 2))
    other_year = declare(operator_a, site_a, item(AMMONIA, 3), year=2025)
    first.refresh_from_db()
    assert (first.version, first.is_current, first.superseded_by) == (1, False, second)
    assert (second.version, second.is_current) == (2, True)
    assert (other_year.version, other_year.is_current) == (1, True)
    # the superseded version keeps its items
    assert first.items.get().max_kg == Decimal("1000")
    assert AuditEntry.objects.filter(object_id=str(second.pk), action="create").exists()


def test_another_operator_cannot_declare_for_the_site(site_a: StorageSite, operator_b: Any) -> None:
    with pytest.raises(PermissionError):
        declare(operator_b, site_a, item(AMMONIA, 1))


def test_a_year_out_of_range_is_refused(site_a: StorageSite, operator_a: Any) -> None:
    with pytest.raises(RongnganValidationError) as exc:
        declare(operator_a, site_a, item(AMMONIA, 1), year=1900)
    assert ("year", "invalid_year") in codes(exc)


@pytest.mark.parametrize("year", [None, "", "  "])
def test_a_missing_year_is_required_not_out_of_range(
    site_a: StorageSite, operator_a: Any, year: Any
) -> None:
    with pytest.raises(RongnganValidationError) as exc:
        services.inventory_declare(
            acting_user=operator_a, site=site_a, year=year, items=[item(AMMONIA, 1)]
        )
    assert codes(exc) == {("year", "required")}
    assert "None" not in str(exc.value.problems[0].message)


def test_a_site_registered_without_operator_or_area_says_required(officer: Any) -> None:
    data = {"kind": "hazmat_storage", "name_th": "คลัง", "latitude": "13.7", "longitude": "100.5"}
    with pytest.raises(RongnganValidationError) as exc:
        services.site_register(acting_user=officer, data=data)
    assert {("operator", "required"), ("province", "required"), ("district", "required")} <= (
        codes(exc)
    )
    with pytest.raises(RongnganValidationError) as exc:
        services.site_register(acting_user=officer, data={**data, "operator": "99999"})
    assert ("operator", "unknown_operator") in codes(exc)


# ---- the refrigeration register's feed


def test_item_set_adds_a_version_keeping_the_declarants_items(
    site_a: StorageSite, operator_a: Any, officer: Any
) -> None:
    from django.utils import timezone

    year = timezone.localdate().year
    declare(operator_a, site_a, item(CAUSTIC, 2), item(AMMONIA, 1), year=year)
    d = services.inventory_item_set(
        acting_user=officer,
        site=site_a,
        cas=AMMONIA,
        max_quantity_kg=Decimal("6000"),
        source="refrigeration_register",
        note="plant 1",
    )
    assert (d.version, d.source) == (2, "refrigeration_register")
    rows = sorted((i.substance.cas, i.max_kg, i.source) for i in d.items.all())
    assert rows == sorted(
        [
            (CAUSTIC, Decimal("2000"), "declaration"),
            (AMMONIA, Decimal("1000"), "declaration"),
            (AMMONIA, Decimal("6000"), "refrigeration_register"),
        ]
    )
    again = services.inventory_item_set(
        acting_user=officer,
        site=site_a,
        cas=AMMONIA,
        max_quantity_kg=Decimal("7000"),
        source="refrigeration_register",
    )
    register_rows = [i.max_kg for i in again.items.all() if i.source == "refrigeration_register"]
    assert register_rows == [Decimal("7000")]
    assert again.version == 3


def test_item_set_starts_this_years_inventory_from_the_last_one(
    site_a: StorageSite, operator_a: Any, officer: Any
) -> None:
    from django.utils import timezone

    declare(operator_a, site_a, item(CAUSTIC, 2), year=timezone.localdate().year - 1)
    d = services.inventory_item_set(
        acting_user=officer,
        site=site_a,
        cas=AMMONIA,
        max_quantity_kg="5000",
        source="refrigeration_register",
    )
    assert d.year == timezone.localdate().year
    assert "carried from" in d.note
    assert d.items.count() == 2


def test_a_new_declaration_keeps_the_refrigeration_registers_charge(
    site_a: StorageSite, operator_a: Any, officer: Any
) -> None:
    """The register owns the plant's charge: an operator's next declaration (which does not
    list it) keeps it, so the hazard and the risk map do not lose the ammonia."""
    from django.utils import timezone

    year = timezone.localdate().year
    declare(operator_a, site_a, item(CAUSTIC, 2), year=year)
    services.inventory_item_set(
        acting_user=officer,
        site=site_a,
        cas=AMMONIA,
        max_quantity_kg=Decimal("12000"),
        largest_container_kg=Decimal("6000"),
        source="refrigeration_register",
    )
    d = declare(operator_a, site_a, item(TOLUENE, 5), year=year)
    rows = sorted((i.line, i.substance.cas, i.max_kg, i.source) for i in d.items.all())
    assert rows == [
        (1, TOLUENE, Decimal("5000"), "declaration"),
        (2, AMMONIA, Decimal("12000"), "refrigeration_register"),
    ]
    assert d.items.get(line=2).largest_container_kg == Decimal("6000")
    assert "kept from the refrigeration register" in d.note
    site_a.hazard.refresh_from_db()
    assert site_a.hazard.zone_cas == AMMONIA  # 12 t > the 10,000 lb screening quantity
    # next year's first declaration keeps it too (the plant is still there)
    nxt = declare(operator_a, site_a, item(CAUSTIC, 1), year=year + 1)
    assert [i.source for i in nxt.items.order_by("line")] == [
        "declaration",
        "refrigeration_register",
    ]
    # a declaration never carries another declaration's rows
    assert not nxt.items.filter(substance__cas=TOLUENE).exists()


def test_a_declaration_with_no_register_rows_carries_nothing(
    site_a: StorageSite, operator_a: Any
) -> None:
    declare(operator_a, site_a, item(CAUSTIC, 2), item(AMMONIA, 1))
    d = declare(operator_a, site_a, item(CAUSTIC, 3))
    assert [(i.substance.cas, i.source) for i in d.items.all()] == [(CAUSTIC, "declaration")]
    assert d.note == ""


def test_item_set_refuses_a_bad_cas_and_outsiders(
    site_a: StorageSite, officer: Any, operator_b: Any
) -> None:
    with pytest.raises(RongnganValidationError):
        services.inventory_item_set(
            acting_user=officer, site=site_a, cas="7664-41-8", max_quantity_kg=1, source="seed"
        )
    with pytest.raises(PermissionError):
        services.inventory_item_set(
            acting_user=operator_b,
            site=site_a,
            cas=AMMONIA,
            max_quantity_kg=1,
            source="refrigeration_register",
        )


# ---- receptors

CSV_OK = "name,kind,latitude,longitude,population\nโรงเรียนบ้านมาบตาพุด,school,12.70,101.15,800\n"
CSV_BAD = (
    "name,kind,latitude,longitude,population\n"
    "ok school,school,12.70,101.15,800\n"
    ",school,12.70,101.15,10\n"
    "castle,castle,12.70,101.15,10\n"
    "far away,community,48.85,2.35,10\n"
    "bad pop,hospital,12.70,101.15,-3\n"
)


def test_a_csv_layer_is_uploaded(local_gov: Any) -> None:
    layer = services.receptor_layer_upload(
        acting_user=local_gov, name="โรงเรียน", content=CSV_OK.encode(), filename="s.csv"
    )
    assert layer.row_count == 1
    r = layer.receptors.get()
    assert (r.kind, r.population) == ("school", 800)


def test_a_bad_csv_is_reported_per_row_and_nothing_is_written(officer: Any) -> None:
    with pytest.raises(RongnganValidationError) as exc:
        services.receptor_layer_upload(
            acting_user=officer, name="x", content=CSV_BAD, filename="x.csv"
        )
    rows = {(p.row, p.code) for p in exc.value.problems}
    assert rows == {
        (2, "required"),
        (3, "receptor_kind"),
        (4, "outside_thailand"),
        (5, "population"),
    }
    assert not ReceptorLayer.objects.exists()
    assert not Receptor.objects.exists()


def test_a_geojson_layer_needs_points(officer: Any) -> None:
    content = (
        '{"type":"FeatureCollection","features":[{"type":"Feature","geometry":'
        '{"type":"LineString","coordinates":[[101,12],[101.1,12.1]]},'
        '"properties":{"name":"x","kind":"school"}}]}'
    )
    with pytest.raises(RongnganValidationError) as exc:
        services.receptor_layer_upload(
            acting_user=officer, name="x", content=content, filename="x.geojson"
        )
    assert {(p.row, p.code) for p in exc.value.problems} == {(1, "not_a_point")}


def test_a_dry_run_writes_nothing(officer: Any) -> None:
    assert (
        services.receptor_layer_upload(
            acting_user=officer, name="x", content=CSV_OK, filename="x.csv", dry_run=True
        )
        is None
    )
    assert not ReceptorLayer.objects.exists()


def test_operators_cannot_upload_receptors(operator_a: Any) -> None:
    with pytest.raises(PermissionError):
        services.receptor_layer_upload(
            acting_user=operator_a, name="x", content=CSV_OK, filename="x.csv"
        )


def test_isolated_is_yes_or_no_and_nothing_else(site_a: StorageSite, operator_a: Any) -> None:
    with pytest.raises(RongnganValidationError) as exc:
        declare(operator_a, site_a, item(CHLORINE, "0.2", isolated="maybe"))
    assert codes(exc) == {("items[0].isolated", "invalid_boolean")}
    assert not Declaration.objects.filter(site=site_a).exists()
    for value, expected in ((True, True), ("ใช่", True), ("on", True), ("no", False), ("", False)):
        d = declare(operator_a, site_a, item(CHLORINE, "0.2", isolated=value))
        assert d.items.get().isolated is expected, value
