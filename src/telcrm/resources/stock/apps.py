"""SIM and terminal stock."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StockConfig(AppConfig):
    name = "telcrm.resources.stock"
    label = "stock"
    verbose_name = _("SIM and terminal stock")

    def ready(self):
        from telcrm.platform.roles import register_role_permissions

        from .permissions import STOCK_PERMISSIONS

        register_role_permissions(STOCK_PERMISSIONS)
        # parameters: stock.* parameters; imports: the delivery import job; ui: global search provider and
        # the branch manager's home panel; demo: the demo stock generator (@demo_generator)
        from . import demo, imports, parameters, ui  # noqa: F401
