"""`geo_clientpoint`, each client's map point kept by triggers on billing_contract: now made by billing migration 0005 (billing owns contracts), which keeps what
this migration made on an older install. Kept, empty, for the migration history."""
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("geo", "0003_search_indexes")]

    operations = []
