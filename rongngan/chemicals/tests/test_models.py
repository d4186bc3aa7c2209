"""The directory loaded from the catalogue, and the invariants the database keeps."""

from typing import Any

import pytest
from django.db import IntegrityError, transaction

from rongngan.chemicals import catalogue
from rongngan.chemicals.models import CatalogueLoad, Declaration, InventoryItem, Substance
from rongngan.chemicals.reference import load_catalogue
from rongngan.chemicals.tests.conftest import AMMONIA, declare, item

pytestmark = pytest.mark.django_db


def test_the_directory_holds_every_catalogue_substance_at_the_catalogue_version() -> None:
    assert Substance.objects.count() == len(catalogue.substances())
    ammonia = Substance.objects.get(cas=AMMONIA)
    assert ammonia.catalogue_version == catalogue.VERSION
    assert ammonia.un_number == "1005"
    assert ammonia.toxic_endpoint_mg_l is not None
    assert ammonia.rmp_threshold_kg is not None
    assert any(g["h_code"] for g in ammonia.ghs)


def test_loading_twice_writes_nothing_the_second_time() -> None:
    load_catalogue(Substance, CatalogueLoad, force=True)
    loads = CatalogueLoad.objects.count()
    assert load_catalogue(Substance, CatalogueLoad) == 0
    assert CatalogueLoad.objects.count() == loads


def test_a_stale_row_is_refreshed_by_the_next_load() -> None:
    Substance.objects.filter(cas=AMMONIA).update(catalogue_version="old", name_en="x")
    assert load_catalogue(Substance, CatalogueLoad) > 0
    assert Substance.objects.get(cas=AMMONIA).name_en != "x"


def test_only_one_declaration_per_site_and_year_is_current(site_a: Any, operator_a: Any) -> None:
    d = declare(operator_a, site_a, item(AMMONIA, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        Declaration.objects.create(
            site=site_a, year=d.year, version=9, is_current=True, declared_at=d.declared_at
        )


def test_an_item_is_a_substance_or_a_named_mixture(site_a: Any, operator_a: Any) -> None:
    d = declare(operator_a, site_a, item(AMMONIA, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        InventoryItem.objects.create(
            declaration=d, line=5, physical_state="gas", max_quantity=1, unit="kg", max_kg=1
        )


def test_the_year_is_kept_in_ce_and_shown_in_be(site_a: Any, operator_a: Any) -> None:
    d = declare(operator_a, site_a, item(AMMONIA, 1), year=2568)
    assert d.year == 2025
    assert d.year_be == 2568
