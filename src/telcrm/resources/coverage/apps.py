from django.apps import AppConfig

from .i18n import _

# What each built-in role may do with network coverage (granted to existing databases by
# migration 0002; sync_roles grants them when it creates a role).
ROLE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    "admin": ("coverage.view_coverage", "coverage.manage_coverage"),
    **{
        code: ("coverage.view_coverage",)
        for code in (
            "analyst",
            "branch_manager",
            "clerk",
            "backoffice",
            "installer",
            "agent",
            "service",
            "account_manager",
        )
    },
}


class CoverageConfig(AppConfig):
    name = "telcrm.resources.coverage"
    label = "coverage"
    verbose_name = _("Network coverage")

    def ready(self):
        from telcrm.platform.roles import register_role_permissions

        register_role_permissions(ROLE_PERMISSIONS)
        # parameters: coverage.* parameters; imports: the coverage.import job; ui: search, 360 panel,
        # audit labels; demo: the demo network (@demo_generator)
        from . import demo, imports, parameters, ui  # noqa: F401
