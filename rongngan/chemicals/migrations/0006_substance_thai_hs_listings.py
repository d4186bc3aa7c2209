from django.db import migrations, models


def reload(apps, schema_editor):
    # Write the listings (catalogue.hs_listings, data/thai_hs_listings.csv) into every row.
    try:
        from rongngan.chemicals import catalogue  # noqa: F401
        from rongngan.chemicals.reference import load_catalogue
    except ImportError:
        return
    load_catalogue(
        apps.get_model("chemicals", "Substance"),
        apps.get_model("chemicals", "CatalogueLoad"),
        force=True,
    )


class Migration(migrations.Migration):
    dependencies = [("chemicals", "0005_public_area_layers")]

    operations = [
        migrations.AddField(
            model_name="substance",
            name="thai_hs_listings",
            field=models.JSONField(
                blank=True, default=list, verbose_name="Hazardous Substance Act listings"
            ),
        ),
        migrations.RunPython(reload, migrations.RunPython.noop),
    ]
