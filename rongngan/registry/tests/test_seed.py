import csv
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from rongngan.accounts.models import Role, User
from rongngan.core.geo import in_thailand
from rongngan.core.thai import is_valid_thai_id
from rongngan.registry.models import Factory, FactoryAssignment
from rongngan.registry.seeding import CAPITALS, DEMO_PASSWORD

pytestmark = pytest.mark.django_db


def seed(*extra: str) -> None:
    call_command("seed", "--scale", "demo", "--factories", "40", "--no-progress", *extra)


def regnos(path: Path) -> list[str]:
    with path.open(encoding="utf-8") as fh:
        return [row["registration_no"] for row in csv.DictReader(fh)]


def test_every_capital_is_in_thailand() -> None:
    assert len(CAPITALS) == 77
    assert all(in_thailand(lat, lon) for lat, lon in CAPITALS.values())


def test_it_creates_factories_and_one_login_per_role() -> None:
    seed()
    assert Factory.objects.count() == 40
    for role in Role.values:
        assert User.objects.filter(role=role, is_active=True).exists(), role
    operator = User.objects.get(username="operator")
    assert operator.check_password(DEMO_PASSWORD)
    assert operator.organisation.factories.filter(province_id="21").count() >= 3
    inspector = User.objects.get(username="inspector")
    assert FactoryAssignment.objects.filter(inspector=inspector, is_active=True).count() == 3


def test_every_factory_is_in_thailand_with_a_valid_juristic_id() -> None:
    seed()
    for f in Factory.objects.all():
        assert in_thailand(float(f.latitude), float(f.longitude)), f.registration_no
        assert is_valid_thai_id(f.juristic_id, "juristic"), f.juristic_id
        assert f.district.province_id == f.province_id
        assert f.subdistrict.district_id == f.district_id


def test_running_it_twice_is_harmless(capsys: Any) -> None:
    seed()
    seed()
    assert Factory.objects.count() == 40
    assert User.objects.filter(username="admin").count() == 1
    assert "not creating more" in capsys.readouterr().out


def test_the_same_seed_gives_the_same_rows(tmp_path: Path) -> None:
    seed("--seed", "7", "--write-csv", str(tmp_path / "a.csv"))
    seed("--seed", "7", "--write-csv", str(tmp_path / "b.csv"))
    seed("--seed", "8", "--write-csv", str(tmp_path / "c.csv"))
    a = regnos(tmp_path / "a.csv")
    assert len(a) == len(set(a)) == 40
    assert a == regnos(tmp_path / "b.csv")
    assert a != regnos(tmp_path / "c.csv")
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()
    assert not Factory.objects.exists()
