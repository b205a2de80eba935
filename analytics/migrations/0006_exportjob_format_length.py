from django.db import migrations, models


class Migration(migrations.Migration):
    """'datapackage' is eleven characters."""

    dependencies = [
        ("analytics", "0005_weighting_rake_by"),
    ]

    operations = [
        migrations.AlterField(model_name="exportjob", name="format", field=models.CharField(max_length=20)),
    ]
