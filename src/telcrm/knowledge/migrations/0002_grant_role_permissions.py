"""Grant the built-in roles their knowledge-base permissions (permissions.KNOWLEDGE_PERMISSIONS) on
databases whose roles already exist; new databases get them when sync_roles creates the roles."""

from django.db import migrations

from telcrm.platform.roles import grant_app_permissions


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0001_initial"), ("platform", "0003_parameter_description_en")]

    operations = [migrations.RunPython(grant_app_permissions("knowledge"), migrations.RunPython.noop)]
