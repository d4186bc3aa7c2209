from django.db import migrations


def load(apps, schema_editor):
    from rongngan.core.reference import load_geography

    load_geography(
        apps.get_model("core", "Province"),
        apps.get_model("core", "District"),
        apps.get_model("core", "Subdistrict"),
    )


def guard(apps, schema_editor):
    from rongngan.core.audit_guard import guard as add_guard

    add_guard(schema_editor)


def unguard(apps, schema_editor):
    from rongngan.core.audit_guard import unguard as drop_guard

    drop_guard(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [
        migrations.RunPython(load, migrations.RunPython.noop),
        migrations.RunPython(guard, unguard),
    ]
