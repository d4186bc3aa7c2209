from django.db import migrations


def load(apps, schema_editor):  # noqa: ANN001, ANN201
    from rongngan.monitoring.reference import load_catalogue

    load_catalogue(
        apps.get_model("monitoring", "Parameter"),
        apps.get_model("monitoring", "Standard"),
        apps.get_model("monitoring", "LimitRule"),
    )


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
