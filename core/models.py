"""core has no tables; this module exists so Django sends post_migrate for it (see apps.py)."""
