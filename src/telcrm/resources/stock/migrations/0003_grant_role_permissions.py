"""Grant the built-in roles their stock permissions (permissions.STOCK_PERMISSIONS) on databases whose
roles already exist; new databases get them when sync_roles creates the roles."""

from django.db import migrations

from telcrm.platform.roles import grant_app_permissions


class Migration(migrations.Migration):
    dependencies = [("stock", "0002_movement_append_only"), ("platform", "0003_parameter_description_en")]

    operations = [migrations.RunPython(grant_app_permissions("stock"), migrations.RunPython.noop)]
