"""Grant the built-in roles their number-pool permissions (apps.ROLE_PERMISSIONS) on databases whose
roles already exist; new databases get them when sync_roles creates the roles."""

from django.db import migrations

from telcrm.platform.roles import grant_app_permissions


class Migration(migrations.Migration):
    dependencies = [("resources", "0002_search_indexes_and_guards"), ("platform", "0003_parameter_description_en")]

    operations = [migrations.RunPython(grant_app_permissions("resources"), migrations.RunPython.noop)]
