"""Grant the built-in roles their catalog permissions (catalog.permissions.CATALOG_PERMISSIONS) on
databases whose roles already exist. New databases get them when sync_roles creates the roles."""

from django.db import migrations

from telcrm.platform.roles import grant_app_permissions


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial"), ("platform", "0003_parameter_description_en")]

    operations = [migrations.RunPython(grant_app_permissions("catalog"), migrations.RunPython.noop)]
