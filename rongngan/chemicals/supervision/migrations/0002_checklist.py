from django.db import migrations


def load(apps, schema_editor):  # noqa: ANN001, ANN201
    from rongngan.chemicals.supervision.reference import load_checklist

    load_checklist(apps.get_model("chemical_supervision", "ChecklistVersion"))


class Migration(migrations.Migration):
    dependencies = [("chemical_supervision", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
