"""The demo and national chemical seeds declare what such sites really hold: formalin (a
solution) as a mixture, never tonnes of formaldehyde gas with a 40 km zone around a solvent
store."""

import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command

from rongngan.accounts.models import Role, User
from rongngan.chemicals import seeding
from rongngan.chemicals.models import InventoryItem, SiteHazard, StorageSite
from rongngan.chemicals.seeding import FORMALDEHYDE, MIXTURES

pytestmark = pytest.mark.django_db


def _formalin_items() -> Any:
    return InventoryItem.objects.filter(
        declaration__is_current=True, mixture_name=MIXTURES[seeding.FORMALIN]["name"]
    )


def test_the_demo_solvent_stores_hold_formalin_as_a_mixture() -> None:
    call_command(
        "seed",
        "--scale",
        "demo",
        "--factories",
        "30",
        "--no-progress",
        "--only",
        "chemicals",
        stdout=io.StringIO(),
    )
    items = list(_formalin_items())
    assert items, "the demo's solvent stores declare formalin"
    for item in items:
        assert item.substance_id is None
        assert item.physical_state == "liquid"
        assert item.mixture_categories == ["H2"]
        assert {c["cas"] for c in item.mixture_components} == {FORMALDEHYDE, seeding.METHANOL}
    # no zone is drawn for formaldehyde gas, and every zone comes from a gas the site declared
    assert not SiteHazard.objects.filter(zone_cas=FORMALDEHYDE).exists()
    for h in SiteHazard.objects.exclude(zone_cas=""):
        states = set(
            InventoryItem.objects.filter(
                declaration=h.declaration, substance__cas=h.zone_cas
            ).values_list("physical_state", flat=True)
        )
        assert states and states <= {"gas", "liquefied_gas"}, (h.site_id, h.zone_cas, states)
    # a solvent store's formalin counts in the health group (H2) of its hazard
    store = StorageSite.objects.get(name_th="คลังตัวทำละลายลาดกระบัง")
    assert Decimal(store.hazard.sums["lower"]["health"]) > 0
    assert any(
        c["basis"] == "H2" and c["group"] == "health" and Decimal(c["ratio"]) > 0
        for c in store.hazard.contributions
    ), store.hazard.contributions


def test_the_national_seed_declares_formalin_as_a_mixture(monkeypatch: Any) -> None:
    call_command(
        "seed",
        "--scale",
        "demo",
        "--factories",
        "60",
        "--no-progress",
        "--only",
        "plan",
        stdout=io.StringIO(),
    )
    monkeypatch.setenv("RONGNGAN_NATIONAL_CHEM_SITES", "60")
    actor = User.objects.filter(role=Role.ADMIN).first()
    seeding.seed_chemicals(scale="national", seed=7, actor=actor, stdout=io.StringIO())
    assert StorageSite.objects.count() == 60
    assert not InventoryItem.objects.filter(substance__cas=FORMALDEHYDE).exists()
    for item in _formalin_items():
        assert item.substance_id is None and item.physical_state == "liquid"
    assert not SiteHazard.objects.filter(zone_cas=FORMALDEHYDE).exists()
