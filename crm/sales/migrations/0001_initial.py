"""The sales models move here from crm: state only, their tables (crm_lead...) stay as crm's
0003-0004 made them."""

import crm.sales.models
import django.contrib.gis.db.models.fields
import django.contrib.postgres.fields
import django.core.validators
import django.db.models.deletion
import core.geometry
from decimal import Decimal
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ('billing', '0004_collection'),
        ('crm', '0005_direct_deliveries'),
        ('fieldops', '0002_lifecycle_sectors_field_records'),
        ('geo', '0007_house_number_indexes'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='SalesChannel',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=120, unique=True, verbose_name='name')),
                        ('kind', models.CharField(choices=[('website', 'Website'), ('store', 'Store'), ('door_to_door', 'Door to door'), ('phone', 'Phone'), ('partner', 'Partner'), ('other', 'Other')], default='other', max_length=15, verbose_name='kind')),
                        ('public_key', models.CharField(default=crm.sales.models.new_public_key, editable=False, max_length=64, unique=True, verbose_name='public key')),
                        ('allowed_origins', django.contrib.postgres.fields.ArrayField(base_field=models.CharField(max_length=200), blank=True, default=list, help_text='Sites that may embed the widget and call the public API, e.g. https://www.example.com.br', size=None, verbose_name='allowed origins')),
                        ('active', models.BooleanField(default=True, verbose_name='active')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                    ],
                    options={
                        'verbose_name': 'sales channel',
                        'verbose_name_plural': 'sales channels',
                        'db_table': 'crm_saleschannel',
                        'ordering': ['name'],
                    },
                ),
                migrations.CreateModel(
                    name='CommissionRule',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=120, verbose_name='name')),
                        ('role', models.CharField(choices=[('seller', 'The rep who sold'), ('team_leader', "The rep's team leader")], max_length=12, verbose_name='paid to')),
                        ('kind', models.CharField(choices=[('percent', 'Percentage of the monthly value'), ('fixed', 'Fixed amount')], max_length=10, verbose_name='kind')),
                        ('percent', models.DecimalField(blank=True, decimal_places=2, max_digits=5, null=True, validators=[django.core.validators.MinValueValidator(Decimal('0')), django.core.validators.MaxValueValidator(Decimal('1000'))], verbose_name='percentage of the monthly value')),
                        ('amount', models.DecimalField(blank=True, decimal_places=2, max_digits=10, null=True, validators=[django.core.validators.MinValueValidator(Decimal('0'))], verbose_name='fixed amount (R$)')),
                        ('valid_from', models.DateField(verbose_name='valid from')),
                        ('valid_until', models.DateField(blank=True, null=True, verbose_name='valid until')),
                        ('plan', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='billing.plan', verbose_name='only for this plan')),
                        ('rep', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='only for this person')),
                        ('channel', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='sales.saleschannel', verbose_name='only for this channel')),
                    ],
                    options={
                        'verbose_name': 'commission rule',
                        'verbose_name_plural': 'commission rules',
                        'db_table': 'crm_commissionrule',
                        'ordering': ['role', '-valid_from', 'id'],
                        'constraints': [models.CheckConstraint(condition=models.Q(models.Q(('amount__isnull', True), ('kind', 'percent'), ('percent__isnull', False)), models.Q(('amount__isnull', False), ('kind', 'fixed'), ('percent__isnull', True)), _connector='OR'), name='crm_commission_rule_kind_value'), models.CheckConstraint(condition=models.Q(('valid_until__isnull', True), ('valid_until__gte', models.F('valid_from')), _connector='OR'), name='crm_commission_rule_validity_order')],
                    },
                ),
                migrations.CreateModel(
                    name='Lead',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('stage', models.CharField(choices=[('new', 'New'), ('contacted', 'Contacted'), ('proposal_sent', 'Proposal sent'), ('won', 'Won'), ('lost', 'Lost')], default='new', max_length=15, verbose_name='stage')),
                        ('lost_reason', models.CharField(blank=True, choices=[('price', 'Price'), ('no_coverage', 'No coverage'), ('competitor', 'Chose a competitor'), ('no_response', 'No response'), ('not_interested', 'Not interested'), ('other', 'Other')], max_length=15, verbose_name='lost reason')),
                        ('lost_detail', models.CharField(blank=True, max_length=300, verbose_name='lost reason detail')),
                        ('point', django.contrib.gis.db.models.fields.PointField(blank=True, null=True, srid=4326, validators=[core.geometry.validate_lonlat_range], verbose_name='location')),
                        ('address_text', models.CharField(blank=True, max_length=300, verbose_name='address')),
                        ('notes', models.TextField(blank=True, verbose_name='notes')),
                        ('next_action_at', models.DateTimeField(blank=True, null=True, verbose_name='next action at')),
                        ('consent_contact', models.BooleanField(default=False, verbose_name='agreed to be contacted')),
                        ('consent_text', models.CharField(blank=True, max_length=300, verbose_name='consent wording shown')),
                        ('consented_at', models.DateTimeField(blank=True, null=True, verbose_name='consented at')),
                        ('version', models.PositiveIntegerField(default=1, verbose_name='version')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                        ('owner', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='leads', to=settings.AUTH_USER_MODEL, verbose_name='owner')),
                        ('person', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='leads', to='crm.person', verbose_name='person')),
                        ('plan', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='billing.plan', verbose_name='interested plan')),
                        ('channel', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='leads', to='sales.saleschannel', verbose_name='sales channel')),
                    ],
                    options={
                        'verbose_name': 'lead',
                        'verbose_name_plural': 'leads',
                        'db_table': 'crm_lead',
                        'ordering': ['-updated_at', '-id'],
                        'indexes': [models.Index(fields=['stage', 'owner'], name='crm_lead_stage_df7313_idx')],
                        'constraints': [models.CheckConstraint(condition=models.Q(models.Q(('stage', 'lost'), _negated=True), models.Q(('lost_reason', ''), _negated=True), _connector='OR'), name='crm_lead_lost_has_reason')],
                    },
                ),
                migrations.CreateModel(
                    name='Proposal',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('number', models.CharField(max_length=20, unique=True, verbose_name='proposal number')),
                        ('status', models.CharField(choices=[('draft', 'Draft'), ('sent', 'Sent'), ('accepted', 'Accepted'), ('expired', 'Expired'), ('rejected', 'Rejected')], default='draft', max_length=10, verbose_name='status')),
                        ('valid_from', models.DateField(verbose_name='valid from')),
                        ('valid_until', models.DateField(verbose_name='valid until')),
                        ('email_to', models.EmailField(blank=True, max_length=254, verbose_name='send to')),
                        ('language', models.CharField(choices=[('pt-br', 'Portuguese (Brazil)'), ('en', 'English')], default='pt-br', max_length=10, verbose_name='language')),
                        ('message', models.TextField(blank=True, verbose_name='message to the client')),
                        ('sending_status', models.CharField(blank=True, choices=[('queued', 'Queued'), ('sending', 'Sending'), ('sent', 'Sent'), ('failed', 'Failed')], max_length=10, verbose_name='sending status')),
                        ('send_request', models.UUIDField(blank=True, editable=False, null=True, verbose_name='send request')),
                        ('sending_error', models.TextField(blank=True, verbose_name='sending error')),
                        ('sent_at', models.DateTimeField(blank=True, null=True, verbose_name='sent at')),
                        ('signed_name', models.CharField(blank=True, max_length=200, verbose_name='signed by')),
                        ('signed_at', models.DateTimeField(blank=True, null=True, verbose_name='signed at')),
                        ('signed_ip', models.GenericIPAddressField(blank=True, null=True, verbose_name='signed from IP')),
                        ('signature_image', models.FileField(blank=True, max_length=200, upload_to=crm.sales.models.proposal_file_path, verbose_name='signature image')),
                        ('rejection_reason', models.CharField(blank=True, max_length=255, verbose_name='rejection reason')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                        ('lead', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='proposals', to='sales.lead', verbose_name='lead')),
                        ('rep', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='responsible rep')),
                    ],
                    options={
                        'verbose_name': 'proposal',
                        'verbose_name_plural': 'proposals',
                        'db_table': 'crm_proposal',
                        'ordering': ['-created_at', '-id'],
                        'constraints': [models.CheckConstraint(condition=models.Q(('valid_until__gte', models.F('valid_from'))), name='crm_proposal_validity_order'), models.CheckConstraint(condition=models.Q(models.Q(('status', 'accepted'), _negated=True), ('signed_at__isnull', False), _connector='OR'), name='crm_accepted_proposal_is_signed')],
                    },
                ),
                migrations.CreateModel(
                    name='ProposalAttachment',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('file', models.FileField(max_length=200, upload_to=crm.sales.models.proposal_file_path, verbose_name='file')),
                        ('description', models.CharField(blank=True, max_length=200, verbose_name='description')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='added at')),
                        ('proposal', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='attachments', to='sales.proposal', verbose_name='proposal')),
                    ],
                    options={
                        'verbose_name': 'proposal attachment',
                        'verbose_name_plural': 'proposal attachments',
                        'db_table': 'crm_proposalattachment',
                        'ordering': ['id'],
                    },
                ),
                migrations.CreateModel(
                    name='ProposalItem',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('list_price', models.DecimalField(decimal_places=2, max_digits=10, verbose_name='list price (R$)')),
                        ('discount', models.DecimalField(decimal_places=2, default=Decimal('0.00'), max_digits=10, verbose_name='monthly discount (R$)')),
                        ('plan', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='billing.plan', verbose_name='plan')),
                        ('proposal', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='items', to='sales.proposal', verbose_name='proposal')),
                    ],
                    options={
                        'verbose_name': 'proposal item',
                        'verbose_name_plural': 'proposal items',
                        'db_table': 'crm_proposalitem',
                        'ordering': ['id'],
                        'constraints': [models.CheckConstraint(condition=models.Q(('discount__gte', 0), ('discount__lte', models.F('list_price'))), name='crm_proposal_item_discount_range')],
                    },
                ),
                migrations.CreateModel(
                    name='Sale',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('monthly_value', models.DecimalField(decimal_places=2, max_digits=10, verbose_name='monthly value (R$)')),
                        ('won_on', models.DateField(db_index=True, verbose_name='won on')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                        ('contract', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='sale', to='billing.contract', verbose_name='contract')),
                        ('lead', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='sale', to='sales.lead', verbose_name='lead')),
                        ('plan', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='billing.plan', verbose_name='plan')),
                        ('proposal', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='sales.proposal', verbose_name='proposal')),
                        ('rep', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='sales', to=settings.AUTH_USER_MODEL, verbose_name='rep')),
                        ('service_order', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='fieldops.serviceorder', verbose_name='installation order')),
                        ('channel', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='sales', to='sales.saleschannel', verbose_name='sales channel')),
                    ],
                    options={
                        'verbose_name': 'sale',
                        'verbose_name_plural': 'sales',
                        'db_table': 'crm_sale',
                        'ordering': ['-won_on', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='Commission',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('role', models.CharField(choices=[('seller', 'The rep who sold'), ('team_leader', "The rep's team leader")], max_length=12, verbose_name='as')),
                        ('amount', models.DecimalField(decimal_places=2, max_digits=10, verbose_name='amount (R$)')),
                        ('beneficiary', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='commissions', to=settings.AUTH_USER_MODEL, verbose_name='paid to')),
                        ('rule', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='commissions', to='sales.commissionrule', verbose_name='rule')),
                        ('sale', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='commissions', to='sales.sale', verbose_name='sale')),
                    ],
                    options={
                        'verbose_name': 'commission',
                        'verbose_name_plural': 'commissions',
                        'db_table': 'crm_commission',
                        'ordering': ['-sale__won_on', 'id'],
                        'constraints': [models.UniqueConstraint(fields=('sale', 'role'), name='crm_commission_one_per_role')],
                    },
                ),
                migrations.CreateModel(
                    name='SalesTeam',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=120, unique=True, verbose_name='name')),
                        ('leader', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='led_sales_teams', to=settings.AUTH_USER_MODEL, verbose_name='leader')),
                    ],
                    options={
                        'verbose_name': 'sales team',
                        'verbose_name_plural': 'sales teams',
                        'db_table': 'crm_salesteam',
                        'ordering': ['name'],
                    },
                ),
                migrations.CreateModel(
                    name='SalesGoal',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('month', models.DateField(help_text='The first day of the month.', verbose_name='month')),
                        ('target_count', models.PositiveIntegerField(default=0, verbose_name='target sales')),
                        ('target_revenue', models.DecimalField(decimal_places=2, default=Decimal('0.00'), max_digits=12, validators=[django.core.validators.MinValueValidator(Decimal('0.00'))], verbose_name='target revenue (R$ a month)')),
                        ('channel', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='goals', to='sales.saleschannel', verbose_name='store / sales channel')),
                        ('rep', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='sales_goals', to=settings.AUTH_USER_MODEL, verbose_name='rep')),
                        ('team', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='goals', to='sales.salesteam', verbose_name='team')),
                    ],
                    options={
                        'verbose_name': 'sales goal',
                        'verbose_name_plural': 'sales goals',
                        'db_table': 'crm_salesgoal',
                        'ordering': ['-month', 'id'],
                        'constraints': [models.CheckConstraint(condition=models.Q(models.Q(('channel__isnull', True), ('rep__isnull', False), ('team__isnull', True)), models.Q(('channel__isnull', True), ('rep__isnull', True), ('team__isnull', False)), models.Q(('channel__isnull', False), ('rep__isnull', True), ('team__isnull', True)), _connector='OR'), name='crm_goal_one_scope'), models.CheckConstraint(condition=models.Q(('month__day', 1)), name='crm_goal_month_first_day'), models.UniqueConstraint(fields=('month', 'rep'), name='crm_goal_unique_rep'), models.UniqueConstraint(fields=('month', 'team'), name='crm_goal_unique_team'), models.UniqueConstraint(fields=('month', 'channel'), name='crm_goal_unique_channel'), models.CheckConstraint(condition=models.Q(('target_revenue__gte', 0)), name='crm_goal_revenue_nonneg')],
                    },
                ),
                migrations.AddField(
                    model_name='sale',
                    name='team',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='sales', to='sales.salesteam', verbose_name='team'),
                ),
                migrations.AddField(
                    model_name='commissionrule',
                    name='team',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='sales.salesteam', verbose_name='only for this team'),
                ),
                migrations.CreateModel(
                    name='SalesTeamMember',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('team', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='memberships', to='sales.salesteam')),
                        ('user', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='sales_team_membership', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'sales team member',
                        'verbose_name_plural': 'sales team members',
                        'db_table': 'crm_salesteammember',
                    },
                ),
                migrations.AddField(
                    model_name='salesteam',
                    name='members',
                    field=models.ManyToManyField(blank=True, related_name='sales_teams', through='sales.SalesTeamMember', to=settings.AUTH_USER_MODEL, verbose_name='members'),
                ),
                migrations.CreateModel(
                    name='ViabilityCheck',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('address_text', models.CharField(blank=True, max_length=300, verbose_name='address typed')),
                        ('point', django.contrib.gis.db.models.fields.PointField(blank=True, null=True, srid=4326, verbose_name='location')),
                        ('geocode_confidence', models.FloatField(blank=True, null=True, verbose_name='geocoding confidence')),
                        ('viable', models.BooleanField(default=False, verbose_name='viable')),
                        ('reason', models.CharField(choices=[('viable', 'Viable'), ('address_not_found', 'Address not found'), ('outside_coverage', 'Outside every coverage area'), ('no_box_within_reach', 'No box within the drop length'), ('no_free_port', 'No free port on the boxes within reach'), ('off_network', 'Too far from any street')], max_length=25, verbose_name='reason')),
                        ('walking_distance_m', models.FloatField(blank=True, null=True, verbose_name='walking distance (m)')),
                        ('result', models.JSONField(blank=True, default=dict, verbose_name='result')),
                        ('client_ip', models.GenericIPAddressField(blank=True, null=True, verbose_name='client IP')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                        ('box', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='geo.ctobox', verbose_name='chosen box')),
                        ('channel', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='viability_checks', to='sales.saleschannel', verbose_name='sales channel')),
                        ('coverage_area', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='geo.coveragearea', verbose_name='coverage area')),
                        ('user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='checked by')),
                    ],
                    options={
                        'verbose_name': 'viability check',
                        'verbose_name_plural': 'viability checks',
                        'db_table': 'crm_viabilitycheck',
                        'ordering': ['-created_at', '-id'],
                        'indexes': [models.Index(fields=['created_at'], name='crm_viabili_created_578aed_idx'), models.Index(fields=['channel', 'created_at'], name='crm_viabili_channel_3c92d5_idx')],
                    },
                ),
                migrations.AddField(
                    model_name='lead',
                    name='viability_check',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='leads', to='sales.viabilitycheck', verbose_name='viability check'),
                ),
            ],
        ),
    ]
