from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction

from rongngan.core import audit, context
from rongngan.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_entry_records_who_what_and_from_where(officer: Any, factory_a: Any) -> None:
    with context.bind(request_id="req-1", ip="10.0.0.7", source="web"):
        entry = audit.record(
            actor=officer, action="update", obj=factory_a, changes={"name_en": ["a", "b"]}
        )
    entry.refresh_from_db()
    assert entry.actor_username == "officer"
    assert entry.request_id == "req-1"
    assert entry.ip == "10.0.0.7"
    assert entry.source == "web"
    assert list(audit.history(factory_a)) == [entry]


def test_entries_cannot_be_changed_or_deleted_through_the_model(officer: Any) -> None:
    entry = audit.record(actor=officer, action="login", obj=officer)
    entry.note = "tampered"
    with pytest.raises(RuntimeError):
        entry.save()
    with pytest.raises(RuntimeError):
        entry.delete()


def test_database_refuses_update_and_delete_of_entries(officer: Any) -> None:
    entry = audit.record(actor=officer, action="login", obj=officer)
    for sql in (
        f"UPDATE core_auditentry SET note = 'x' WHERE id = {entry.pk}",
        f"DELETE FROM core_auditentry WHERE id = {entry.pk}",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
            cur.execute(sql)
    assert AuditEntry.objects.filter(pk=entry.pk, note="").exists()


def test_diff_keeps_only_changed_fields() -> None:
    assert audit.diff({"a": 1, "b": 2}, {"a": 1, "b": 3}) == {"b": [2, 3]}


def test_history_names_related_records_choices_and_dates_as_people_read_them(
    officer: Any, factory_a: Any, org_a: Any, org_b: Any
) -> None:
    from django.utils import translation

    audit.record(
        actor=officer,
        action="update",
        obj=factory_a,
        changes={
            "operator": [org_a.pk, org_b.pk],
            "status": ["operating", "closed"],
            "licensed_on": ["2019-10-01", "2020-01-15"],
        },
    )
    with translation.override("th"):
        (row,) = audit.display_rows(audit.history(factory_a))
    changes = {label: (before, after) for label, before, after in row["changes"]}
    values = [v for pair in changes.values() for v in pair]
    assert org_a.name_th in values and org_b.name_th in values
    assert str(org_a.pk) not in values
    assert "closed" not in values and "operating" not in values  # the Thai labels instead
    assert "1 ต.ค. 2562" in values and "15 ม.ค. 2563" in values
