"""Indexes for the map's search and geocoding on people and addresses (made by geo 0003 and
0007 before crm owned them; IF NOT EXISTS keeps those of an older install).

`malha_normalize` and `malha_house_number` are gis' SQL functions (geo 0003, 0007).
"""
from django.db import migrations

CREATE = """
CREATE INDEX IF NOT EXISTS crm_address_street_norm ON crm_address (malha_normalize(street));
CREATE INDEX IF NOT EXISTS crm_address_cep ON crm_address (cep);
CREATE INDEX IF NOT EXISTS crm_person_name_trgm ON crm_person USING gin (malha_normalize(name) gin_trgm_ops);
CREATE INDEX IF NOT EXISTS crm_person_trade_name_trgm ON crm_person
    USING gin (malha_normalize(trade_name) gin_trgm_ops) WHERE trade_name <> '';
CREATE INDEX IF NOT EXISTS crm_address_street_number ON crm_address
    (malha_normalize(street), malha_house_number(number));
"""

DROP = """
DROP INDEX crm_address_street_norm, crm_address_cep, crm_person_name_trgm, crm_person_trade_name_trgm,
    crm_address_street_number;
"""


class Migration(migrations.Migration):
    dependencies = [("crm", "0006_messaging_and_sales_apps"), ("geo", "0007_house_number_indexes")]

    operations = [migrations.RunSQL(CREATE, DROP)]
