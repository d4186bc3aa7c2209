"""The database side of the append-only audit trail: triggers that refuse UPDATE and DELETE.

Used by the migration that installs them, and by tests that must empty the table (a live-server
test's flush) with the guard lifted for a moment.
"""

from typing import Any

# The audit trail is append-only in the database too, not only in the model.
POSTGRES_GUARD = """
CREATE OR REPLACE FUNCTION core_auditentry_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'audit entries are append-only';
END; $$ LANGUAGE plpgsql;
CREATE TRIGGER core_auditentry_no_update BEFORE UPDATE OR DELETE ON core_auditentry
  FOR EACH ROW EXECUTE FUNCTION core_auditentry_append_only();
"""
POSTGRES_UNGUARD = """
DROP TRIGGER IF EXISTS core_auditentry_no_update ON core_auditentry;
DROP FUNCTION IF EXISTS core_auditentry_append_only();
"""
SQLITE_GUARD = [
    "CREATE TRIGGER core_auditentry_no_update BEFORE UPDATE ON core_auditentry "
    "BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;",
    "CREATE TRIGGER core_auditentry_no_delete BEFORE DELETE ON core_auditentry "
    "BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;",
]
SQLITE_UNGUARD = [
    "DROP TRIGGER IF EXISTS core_auditentry_no_update;",
    "DROP TRIGGER IF EXISTS core_auditentry_no_delete;",
]


def guard(schema_editor: Any) -> None:
    conn = schema_editor.connection
    if conn.vendor == "postgresql":
        schema_editor.execute(POSTGRES_GUARD)
    elif conn.vendor == "sqlite":
        for sql in SQLITE_GUARD:
            schema_editor.execute(sql)


def unguard(schema_editor: Any) -> None:
    conn = schema_editor.connection
    if conn.vendor == "postgresql":
        schema_editor.execute(POSTGRES_UNGUARD)
    elif conn.vendor == "sqlite":
        for sql in SQLITE_UNGUARD:
            schema_editor.execute(sql)
