from django.db import migrations


def load(apps, schema_editor):  # noqa: ANN001, ANN201
    from rongngan.waste.reference import load_reference

    load_reference(apps.get_model("waste", "WasteCode"), apps.get_model("waste", "Operation"))


class Migration(migrations.Migration):
    dependencies = [("waste", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
