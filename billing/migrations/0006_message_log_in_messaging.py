"""The message log moved from crm to messaging: state only, the foreign keys stay as they are."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('billing', '0005_map_aggregates'),
        ('messaging', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='clearancedeclaration',
                    name='message',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='messaging.messagelog', verbose_name='e-mail'),
                ),
                migrations.AlterField(
                    model_name='dunningnotice',
                    name='message',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='messaging.messagelog', verbose_name='message'),
                ),
            ],
        ),
    ]
