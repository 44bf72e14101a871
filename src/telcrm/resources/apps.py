from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# Who may do what with numbers; granted to existing databases by migration 0003.
VIEW_NUMBERS = ("resources.view_numbers",)
RESERVE_NUMBERS = ("resources.view_numbers", "resources.reserve_number")
ROLE_PERMISSIONS = {
    "admin": (*RESERVE_NUMBERS, "resources.manage_numbers"),
    "analyst": VIEW_NUMBERS,
    "branch_manager": RESERVE_NUMBERS,
    "clerk": RESERVE_NUMBERS,
    "backoffice": VIEW_NUMBERS,
    "agent": VIEW_NUMBERS,
    "account_manager": RESERVE_NUMBERS,
}


class ResourcesConfig(AppConfig):
    name = "telcrm.resources"
    label = "resources"
    verbose_name = _("Number pool")

    def ready(self):
        from telcrm.platform.roles import register_role_permissions

        register_role_permissions(ROLE_PERMISSIONS)
        # parameters: resources.* system parameters; actions: the generation and recompute job handlers;
        # ui: audit labels, global search, home panel, brand dictionary seed; demo: @demo_generator
        from . import actions, demo, parameters, ui  # noqa: F401
