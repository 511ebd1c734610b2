"""The CRM: three Django apps, crm.people (label "crm"), crm.messaging and crm.sales."""
