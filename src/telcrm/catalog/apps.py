"""Product catalog."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "telcrm.catalog"
    label = "catalog"
    verbose_name = _("Product catalog")

    def ready(self):
        from telcrm.platform.roles import register_role_permissions

        from .permissions import CATALOG_PERMISSIONS

        register_role_permissions(CATALOG_PERMISSIONS)
        # parameters: catalog.* parameters; demo: the demo catalog generator; ui: search and panels
        from . import demo, parameters, ui  # noqa: F401
