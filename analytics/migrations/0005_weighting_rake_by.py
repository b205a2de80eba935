from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("analytics", "0004_exportjob_options_help"),
    ]

    operations = [
        migrations.AddField(
            model_name="weighting",
            name="rake_by",
            field=models.JSONField(blank=True, default=list, help_text='Weights from the drawn samples raked to '
                                   'register margins, e.g. ["size_class", "nace2"].'),
        ),
    ]
