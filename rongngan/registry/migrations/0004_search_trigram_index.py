import logging

from django.db import DatabaseError, migrations, transaction

log = logging.getLogger(__name__)


def index(apps, schema_editor):
    # PostgreSQL only, and only where pg_trgm can be had (it is a trusted extension from
    # PostgreSQL 13: a database owner may create it). Without it the substring search scans.
    if schema_editor.connection.vendor != "postgresql":
        return
    from rongngan.core.search import POSTGRES_TRIGRAM_INDEX_SQL

    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except DatabaseError as exc:
        log.warning("pg_trgm not available (%s): substring search will scan", exc)
        return
    schema_editor.execute(
        POSTGRES_TRIGRAM_INDEX_SQL.format(
            name="registry_factory_search_trgm", table="registry_factory", column="search_text"
        )
    )


def unindex(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS registry_factory_search_trgm")


class Migration(migrations.Migration):
    dependencies = [("registry", "0003_import_job")]
    operations = [migrations.RunPython(index, unindex)]
