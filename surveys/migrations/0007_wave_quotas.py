import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('surveys', '0006_response_change_feed'),
    ]

    operations = [
        migrations.CreateModel(
            name='Quota',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=100)),
                ('variables', models.JSONField(help_text='Item codes or derived variables, e.g. ["$SIZE", "A1"].')),
                ('active', models.BooleanField(default=True, help_text='Inactive quotas are shown but close no case.')),
                ('wave', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='quotas', to='surveys.wave')),
            ],
            options={
                'ordering': ['wave', 'name'],
            },
        ),
        migrations.CreateModel(
            name='QuotaCell',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('values', models.JSONField(help_text='One answer code per quota variable, e.g. {"$SIZE": "SMALL", "A1": "2"}.')),
                ('label', models.JSONField(blank=True, default=dict, help_text='Per language, e.g. {"en": "Small, manufacturing"}.')),
                ('target', models.PositiveIntegerField(help_text='Completed questionnaires wanted in this cell.')),
                ('position', models.PositiveIntegerField(default=0)),
                ('quota', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='cells', to='surveys.quota')),
            ],
            options={
                'ordering': ['quota', 'position', 'pk'],
            },
        ),
        migrations.AddConstraint(
            model_name='quota',
            constraint=models.UniqueConstraint(fields=('wave', 'name'), name='uniq_quota_name_per_wave'),
        ),
        migrations.AddField(
            model_name='response',
            name='quota_cells',
            field=models.ManyToManyField(blank=True, help_text='The quota cells the answers fall in.', related_name='responses', to='surveys.quotacell'),
        ),
        migrations.AddField(
            model_name='response',
            name='screened_out_at',
            field=models.DateTimeField(blank=True, help_text='Closed because its quota cell was full (AAPOR 4.80).', null=True),
        ),
    ]
