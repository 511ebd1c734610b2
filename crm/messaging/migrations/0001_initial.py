"""Campaigns, messages, deliveries and opt-outs move here from crm: state only, their
tables (crm_campaign...) stay as crm's 0002-0005 made them."""

import django.contrib.gis.db.models.fields
import django.contrib.postgres.fields
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ('crm', '0005_direct_deliveries'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Campaign',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=120, verbose_name='name')),
                        ('channel', models.CharField(choices=[('sms', 'SMS'), ('email', 'E-mail'), ('whatsapp', 'WhatsApp')], max_length=10, verbose_name='channel')),
                        ('subject', models.CharField(blank=True, max_length=200, verbose_name='e-mail subject')),
                        ('body', models.TextField(verbose_name='message template')),
                        ('area', django.contrib.gis.db.models.fields.MultiPolygonField(srid=4326, verbose_name='selected area')),
                        ('contract_statuses', django.contrib.postgres.fields.ArrayField(base_field=models.CharField(max_length=25), blank=True, default=list, size=None, verbose_name='contract statuses')),
                        ('plan_ids', django.contrib.postgres.fields.ArrayField(base_field=models.BigIntegerField(), blank=True, default=list, size=None, verbose_name='plans')),
                        ('window_start', models.DateTimeField(blank=True, null=True, verbose_name='window start')),
                        ('window_end', models.DateTimeField(blank=True, null=True, verbose_name='window end')),
                        ('protocol', models.CharField(blank=True, max_length=40, verbose_name='protocol number')),
                        ('status', models.CharField(choices=[('draft', 'Draft'), ('queued', 'Queued'), ('sending', 'Sending'), ('finished', 'Finished')], default='draft', max_length=10, verbose_name='status')),
                        ('recipient_count', models.PositiveIntegerField(default=0, verbose_name='recipients')),
                        ('excluded_counts', models.JSONField(blank=True, default=dict, verbose_name='excluded by reason')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                        ('confirmed_at', models.DateTimeField(blank=True, null=True, verbose_name='confirmed at')),
                        ('finished_at', models.DateTimeField(blank=True, null=True, verbose_name='finished at')),
                        ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='created by')),
                    ],
                    options={
                        'verbose_name': 'campaign',
                        'verbose_name_plural': 'campaigns',
                        'db_table': 'crm_campaign',
                        'ordering': ['-created_at', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='MessageLog',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('channel', models.CharField(choices=[('sms', 'SMS'), ('email', 'E-mail'), ('whatsapp', 'WhatsApp')], max_length=10, verbose_name='channel')),
                        ('destination', models.CharField(max_length=254, verbose_name='sent to')),
                        ('subject', models.CharField(blank=True, max_length=200, verbose_name='subject')),
                        ('body', models.TextField(verbose_name='message')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                        ('campaign', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='messages', to='messaging.campaign', verbose_name='campaign')),
                        ('person', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='messages', to='crm.person', verbose_name='person')),
                    ],
                    options={
                        'verbose_name': 'message',
                        'verbose_name_plural': 'message log',
                        'db_table': 'crm_messagelog',
                        'ordering': ['-created_at', '-id'],
                        'indexes': [models.Index(fields=['person', '-created_at'], name='crm_message_person__ba54cd_idx')],
                    },
                ),
                migrations.CreateModel(
                    name='Delivery',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('idempotency_key', models.CharField(max_length=64, unique=True, verbose_name='idempotency key')),
                        ('status', models.CharField(choices=[('queued', 'Queued'), ('sending', 'Sending'), ('sent', 'Sent'), ('delivered', 'Delivered'), ('failed', 'Failed')], default='queued', max_length=10, verbose_name='status')),
                        ('attempts', models.PositiveSmallIntegerField(default=0, verbose_name='attempts')),
                        ('retry_at', models.DateTimeField(blank=True, null=True, verbose_name='next attempt at')),
                        ('claimed_at', models.DateTimeField(blank=True, null=True, verbose_name='claimed at')),
                        ('provider', models.CharField(blank=True, max_length=30, verbose_name='provider')),
                        ('provider_message_id', models.CharField(blank=True, max_length=200, verbose_name='provider message id')),
                        ('error', models.TextField(blank=True, verbose_name='error')),
                        ('sent_at', models.DateTimeField(blank=True, null=True, verbose_name='sent at')),
                        ('delivered_at', models.DateTimeField(blank=True, null=True, verbose_name='delivered at')),
                        ('failed_at', models.DateTimeField(blank=True, null=True, verbose_name='failed at')),
                        ('campaign', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='deliveries', to='messaging.campaign', verbose_name='campaign')),
                        ('person', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='deliveries', to='crm.person', verbose_name='person')),
                        ('message', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='delivery', to='messaging.messagelog', verbose_name='message')),
                    ],
                    options={
                        'verbose_name': 'delivery',
                        'verbose_name_plural': 'deliveries',
                        'db_table': 'crm_delivery',
                        'ordering': ['id'],
                        'indexes': [models.Index(fields=['campaign', 'status'], name='crm_deliver_campaig_ca8f6c_idx')],
                        'constraints': [models.UniqueConstraint(fields=('campaign', 'person'), name='crm_delivery_one_per_person_and_campaign')],
                    },
                ),
                migrations.CreateModel(
                    name='OptOut',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('channel', models.CharField(choices=[('sms', 'SMS'), ('email', 'E-mail'), ('whatsapp', 'WhatsApp')], max_length=10, verbose_name='channel')),
                        ('source', models.CharField(choices=[('keyword', 'Reply keyword (e.g. SAIR)'), ('link', 'Opt-out link'), ('staff', 'Recorded by staff')], max_length=10, verbose_name='how')),
                        ('detail', models.CharField(blank=True, max_length=200, verbose_name='detail')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='recorded at')),
                        ('person', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='opt_outs', to='crm.person', verbose_name='person')),
                    ],
                    options={
                        'verbose_name': 'opt-out',
                        'verbose_name_plural': 'opt-outs',
                        'db_table': 'crm_optout',
                        'ordering': ['-created_at', '-id'],
                        'constraints': [models.UniqueConstraint(fields=('person', 'channel'), name='crm_optout_one_per_channel')],
                    },
                ),
            ],
        ),
    ]
