import io
from decimal import Decimal
from typing import Any

import pytest

from rongngan.chemicals.supervision.models import (
    RefrigerationPlant,
    SiteUpgrade,
    StorageInspection,
)
from rongngan.chemicals.supervision.seeding import seed_supervision
from rongngan.core import metrics
from rongngan.core.thai import fiscal_year_bounds

pytestmark = pytest.mark.django_db


def test_the_demo_seed_gives_the_two_kpis_a_figure(admin: Any) -> None:
    logins = seed_supervision(scale="demo", seed=1, actor=admin, stdout=io.StringIO())
    assert [u.username for u, _ in logins] == ["storage_inspector"]
    assert 25 <= StorageInspection.objects.count() <= 40
    assert RefrigerationPlant.objects.count() == 15
    span = (fiscal_year_bounds(2563)[0], fiscal_year_bounds(2565)[1])
    upgraded = metrics.get("chemicals.storage_sites_upgraded").compute([span])[0]
    assert upgraded == SiteUpgrade.objects.filter(withdrawn_at__isnull=True).count() >= 5
    saving = metrics.get("chemicals.refrigeration_energy_saving").compute(
        [(fiscal_year_bounds(2563)[0], fiscal_year_bounds(2566)[1])]
    )[0]
    assert saving > Decimal(0)
    # Running it again adds nothing.
    assert seed_supervision(scale="demo", seed=1, actor=admin, stdout=io.StringIO()) == []


def test_the_national_seed_inserts_in_bulk(admin: Any) -> None:
    import random

    from rongngan.chemicals.supervision.seeding import _demo_sites

    _demo_sites(admin, random.Random(1))
    seed_supervision(scale="national", seed=1, actor=admin, stdout=io.StringIO())
    assert StorageInspection.objects.count() == 2 * max(1, 16 // 50)
    assert RefrigerationPlant.objects.count() == 1
