from django.db import migrations


def load(apps, schema_editor):
    from rongngan.registry.reference import load_factory_types

    load_factory_types(apps.get_model("registry", "FactoryType"))


def index(apps, schema_editor):
    # PostgreSQL only: the GIN index that serves core.search.filter_words; SQLite uses LIKE.
    if schema_editor.connection.vendor == "postgresql":
        from rongngan.core.search import POSTGRES_INDEX_SQL

        schema_editor.execute(
            POSTGRES_INDEX_SQL.format(
                name="registry_factory_search_gin", table="registry_factory", column="search_text"
            )
        )


def unindex(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS registry_factory_search_gin")


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]
    operations = [
        migrations.RunPython(load, migrations.RunPython.noop),
        migrations.RunPython(index, unindex),
    ]
