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
