"""Per-cell contract counts kept by triggers on billing_contract: now made by billing migration 0005 (billing owns contracts), which keeps what
this migration made on an older install. Kept, empty, for the migration history."""
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("geo", "0005_contract_point_covering")]

    operations = []
