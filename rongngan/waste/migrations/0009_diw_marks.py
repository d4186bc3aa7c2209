from django.db import migrations


def load(apps, schema_editor):  # noqa: ANN001, ANN201
    # Reloads the list (16 02 09 and 16 02 10 now absolute, as DIW marks them) with DIW's marks.
    from rongngan.waste.reference import load_reference

    load_reference(apps.get_model("waste", "WasteCode"), apps.get_model("waste", "Operation"))


class Migration(migrations.Migration):
    dependencies = [("waste", "0008_dashboard_indexes")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
