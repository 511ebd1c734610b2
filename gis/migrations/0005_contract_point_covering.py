"""A covering GiST index on billing_contract for polygon selection: now made by billing migration 0005 (billing owns contracts), which keeps what
this migration made on an older install. Kept, empty, for the migration history."""
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("geo", "0004_client_points")]

    operations = []
