from django.db import migrations, models


def reload(apps, schema_editor):  # noqa: ANN001, ANN201
    # Thresholds loaded before the column held 8 decimals were rounded: write them again.
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
    dependencies = [("chemicals", "0003_substance_directory")]

    operations = [
        migrations.AlterField(
            model_name="substance",
            name="rmp_threshold_kg",
            field=models.DecimalField(
                blank=True,
                decimal_places=8,
                max_digits=20,
                null=True,
                verbose_name="RMP threshold (kg)",
            ),
        ),
        migrations.RunPython(reload, migrations.RunPython.noop),
    ]
