from django.db import migrations


def load(apps, schema_editor):  # noqa: ANN001, ANN201
    try:
        from rongngan.chemicals.reference import load_catalogue
        from rongngan.chemicals import catalogue  # noqa: F401
    except ImportError:  # the catalogue module arrived later: `load_chemicals` fills the table
        return
    load_catalogue(
        apps.get_model("chemicals", "Substance"), apps.get_model("chemicals", "CatalogueLoad")
    )


class Migration(migrations.Migration):
    dependencies = [("chemicals", "0002_inventories_hazard_areas")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
