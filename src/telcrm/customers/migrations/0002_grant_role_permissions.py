"""Grant the built-in roles their customer permissions (platform.roles.CUSTOMER_PERMISSIONS) on
databases whose roles already exist. New databases get them when sync_roles creates the roles."""

from django.db import migrations

GRANTS = {
    "admin": "view add change merge manage_blacklist set_credit import review_update_request",
    "analyst": "view",
    "branch_manager": "view add change merge manage_blacklist set_credit import review_update_request",
    "clerk": "view add change",
    "backoffice": "view",
    "installer": "view",
    "agent": "view change",
    "service": "view change review_update_request",
    "account_manager": "view add change",
    "marketer": "view",
}
CODENAMES = {"view": "view_customer", "add": "add_customer", "change": "change_customer",
             "merge": "merge_customer", "import": "import_customer"}


def grant(apps, schema_editor):
    from django.apps import apps as global_apps
    from django.contrib.auth.management import create_permissions

    create_permissions(global_apps.get_app_config("customers"), verbosity=0, using=schema_editor.connection.alias)
    Role = apps.get_model("platform", "Role")
    Permission = apps.get_model("auth", "Permission")
    for code, names in GRANTS.items():
        role = Role.objects.filter(code=code).first()
        if role is None:
            continue  # a fresh database: sync_roles grants them when it creates the role
        codenames = [CODENAMES.get(n, n) for n in names.split()]
        role.permissions.add(*Permission.objects.filter(content_type__app_label="customers", codename__in=codenames))


class Migration(migrations.Migration):
    dependencies = [("customers", "0001_initial"), ("platform", "0003_parameter_description_en")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
