"""Messaging and sales became apps of their own (labels "messaging" and "sales"): crm forgets
their models, state only, once those apps have taken them over with the same tables."""

from django.db import migrations

MOVED = {
    "messaging": ["campaign", "messagelog", "delivery", "optout"],
    "sales": [
        "saleschannel", "viabilitycheck", "lead", "proposal", "proposalitem", "proposalattachment",
        "salesteam", "salesteammember", "sale", "salesgoal", "commissionrule", "commission",
    ],
}


def _relabel(apps, moves):
    """Content types (and so permissions and admin history) follow the models to their app;
    one the target app already has (made by a later post_migrate) is left as it is."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    for old, new, model in moves:
        if not ContentType.objects.filter(app_label=new, model=model).exists():
            ContentType.objects.filter(app_label=old, model=model).update(app_label=new)


def content_types_forwards(apps, schema_editor):
    _relabel(apps, [("crm", app, model) for app, models in MOVED.items() for model in models])


def content_types_backwards(apps, schema_editor):
    _relabel(apps, [(app, "crm", model) for app, models in MOVED.items() for model in models])


class Migration(migrations.Migration):

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("crm", "0005_direct_deliveries"),
        ("billing", "0005_message_log_in_messaging"),
        ("messaging", "0001_initial"),
        ("sales", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='messagelog',
                    name='campaign',
                ),
                migrations.RemoveField(
                    model_name='delivery',
                    name='campaign',
                ),
                migrations.RemoveField(
                    model_name='commission',
                    name='beneficiary',
                ),
                migrations.RemoveField(
                    model_name='commission',
                    name='rule',
                ),
                migrations.RemoveField(
                    model_name='commission',
                    name='sale',
                ),
                migrations.RemoveField(
                    model_name='commissionrule',
                    name='channel',
                ),
                migrations.RemoveField(
                    model_name='commissionrule',
                    name='plan',
                ),
                migrations.RemoveField(
                    model_name='commissionrule',
                    name='rep',
                ),
                migrations.RemoveField(
                    model_name='commissionrule',
                    name='team',
                ),
                migrations.RemoveField(
                    model_name='delivery',
                    name='message',
                ),
                migrations.RemoveField(
                    model_name='delivery',
                    name='person',
                ),
                migrations.RemoveField(
                    model_name='lead',
                    name='channel',
                ),
                migrations.RemoveField(
                    model_name='lead',
                    name='owner',
                ),
                migrations.RemoveField(
                    model_name='lead',
                    name='person',
                ),
                migrations.RemoveField(
                    model_name='lead',
                    name='plan',
                ),
                migrations.RemoveField(
                    model_name='lead',
                    name='viability_check',
                ),
                migrations.RemoveField(
                    model_name='proposal',
                    name='lead',
                ),
                migrations.RemoveField(
                    model_name='sale',
                    name='lead',
                ),
                migrations.RemoveField(
                    model_name='messagelog',
                    name='person',
                ),
                migrations.RemoveField(
                    model_name='optout',
                    name='person',
                ),
                migrations.RemoveField(
                    model_name='proposal',
                    name='rep',
                ),
                migrations.RemoveField(
                    model_name='sale',
                    name='proposal',
                ),
                migrations.RemoveField(
                    model_name='proposalattachment',
                    name='proposal',
                ),
                migrations.RemoveField(
                    model_name='proposalitem',
                    name='proposal',
                ),
                migrations.RemoveField(
                    model_name='proposalitem',
                    name='plan',
                ),
                migrations.RemoveField(
                    model_name='sale',
                    name='channel',
                ),
                migrations.RemoveField(
                    model_name='sale',
                    name='contract',
                ),
                migrations.RemoveField(
                    model_name='sale',
                    name='plan',
                ),
                migrations.RemoveField(
                    model_name='sale',
                    name='rep',
                ),
                migrations.RemoveField(
                    model_name='sale',
                    name='service_order',
                ),
                migrations.RemoveField(
                    model_name='sale',
                    name='team',
                ),
                migrations.RemoveField(
                    model_name='salesgoal',
                    name='channel',
                ),
                migrations.RemoveField(
                    model_name='viabilitycheck',
                    name='channel',
                ),
                migrations.RemoveField(
                    model_name='salesgoal',
                    name='rep',
                ),
                migrations.RemoveField(
                    model_name='salesgoal',
                    name='team',
                ),
                migrations.RemoveField(
                    model_name='salesteam',
                    name='leader',
                ),
                migrations.RemoveField(
                    model_name='salesteam',
                    name='members',
                ),
                migrations.RemoveField(
                    model_name='salesteammember',
                    name='team',
                ),
                migrations.RemoveField(
                    model_name='salesteammember',
                    name='user',
                ),
                migrations.RemoveField(
                    model_name='viabilitycheck',
                    name='box',
                ),
                migrations.RemoveField(
                    model_name='viabilitycheck',
                    name='coverage_area',
                ),
                migrations.RemoveField(
                    model_name='viabilitycheck',
                    name='user',
                ),
                migrations.DeleteModel(
                    name='Campaign',
                ),
                migrations.DeleteModel(
                    name='Commission',
                ),
                migrations.DeleteModel(
                    name='CommissionRule',
                ),
                migrations.DeleteModel(
                    name='Delivery',
                ),
                migrations.DeleteModel(
                    name='Lead',
                ),
                migrations.DeleteModel(
                    name='MessageLog',
                ),
                migrations.DeleteModel(
                    name='OptOut',
                ),
                migrations.DeleteModel(
                    name='ProposalAttachment',
                ),
                migrations.DeleteModel(
                    name='Proposal',
                ),
                migrations.DeleteModel(
                    name='ProposalItem',
                ),
                migrations.DeleteModel(
                    name='Sale',
                ),
                migrations.DeleteModel(
                    name='SalesChannel',
                ),
                migrations.DeleteModel(
                    name='SalesGoal',
                ),
                migrations.DeleteModel(
                    name='SalesTeam',
                ),
                migrations.DeleteModel(
                    name='SalesTeamMember',
                ),
                migrations.DeleteModel(
                    name='ViabilityCheck',
                ),
            ],
        ),
        migrations.RunPython(content_types_forwards, content_types_backwards),
    ]
