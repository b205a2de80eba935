from django.db import migrations, models


class Migration(migrations.Migration):
    """The position of each response's last change in the API feed; responses saved before this
    migration all start at position 0, ordered by id."""

    dependencies = [
        ('surveys', '0005_api_tokens'),
    ]

    operations = [
        migrations.AddField(
            model_name='response',
            name='change_seq',
            field=models.BigIntegerField(blank=True, editable=False, null=True),
        ),
        migrations.RunSQL("UPDATE surveys_response SET change_seq = 0", migrations.RunSQL.noop),
        migrations.AddIndex(
            model_name='response',
            index=models.Index(fields=['change_seq', 'id'], name='response_change_feed'),
        ),
    ]
