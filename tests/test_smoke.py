import pytest
from django.contrib.auth.models import Group
from django.db import connection

from core.roles import Role


@pytest.mark.django_db
def test_postgis_is_available():
    with connection.cursor() as cursor:
        cursor.execute("SELECT postgis_lib_version()")
        assert cursor.fetchone()[0].startswith("3.")


@pytest.mark.django_db
def test_every_role_has_a_group_with_permissions():
    for role in Role:
        assert Group.objects.get(name=role.value).permissions.exists()
