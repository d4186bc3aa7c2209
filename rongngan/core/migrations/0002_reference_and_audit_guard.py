from django.db import migrations


def load(apps, schema_editor):
    from rongngan.core.reference import load_geography

    load_geography(
        apps.get_model("core", "Province"),
        apps.get_model("core", "District"),
        apps.get_model("core", "Subdistrict"),
    )


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


def guard(apps, schema_editor):
    conn = schema_editor.connection
    if conn.vendor == "postgresql":
        schema_editor.execute(POSTGRES_GUARD)
    elif conn.vendor == "sqlite":
        for sql in SQLITE_GUARD:
            schema_editor.execute(sql)


def unguard(apps, schema_editor):
    conn = schema_editor.connection
    if conn.vendor == "postgresql":
        schema_editor.execute(POSTGRES_UNGUARD)
    elif conn.vendor == "sqlite":
        for sql in SQLITE_UNGUARD:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [
        migrations.RunPython(load, migrations.RunPython.noop),
        migrations.RunPython(guard, unguard),
    ]
