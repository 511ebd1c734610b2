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
    # Models are deleted before those they refer to, so no state is left pointing at a
    # deleted one (and no field needs removing first).

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("crm", "0005_direct_deliveries"),
        ("billing", "0006_message_log_in_messaging"),
        ("messaging", "0001_initial"),
        ("sales", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="Commission"),
                migrations.DeleteModel(name="CommissionRule"),
                migrations.DeleteModel(name="SalesGoal"),
                migrations.DeleteModel(name="Sale"),
                migrations.DeleteModel(name="SalesTeamMember"),
                migrations.DeleteModel(name="SalesTeam"),
                migrations.DeleteModel(name="ProposalAttachment"),
                migrations.DeleteModel(name="ProposalItem"),
                migrations.DeleteModel(name="Proposal"),
                migrations.DeleteModel(name="Lead"),
                migrations.DeleteModel(name="ViabilityCheck"),
                migrations.DeleteModel(name="SalesChannel"),
                migrations.DeleteModel(name="OptOut"),
                migrations.DeleteModel(name="Delivery"),
                migrations.DeleteModel(name="MessageLog"),
                migrations.DeleteModel(name="Campaign"),
            ],
        ),
        migrations.RunPython(content_types_forwards, content_types_backwards),
    ]
