"""Orders: processes (BPMN, SpiffWorkflow) and work orders (工单)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "telcrm.orders"
    label = "orders"
    verbose_name = _("Orders and work orders")

    def ready(self):
        from telcrm.platform.roles import register_role_permissions

        from .permissions import ORDERS_PERMISSIONS

        register_role_permissions(ORDERS_PERMISSIONS)
        # parameters: orders.* parameters; processes.handlers: the registered service-task handlers
        # (recording stand-ins until the order module and the integration provide the real ones);
        # ui: audit labels, the work-order category dictionary seed, the home panel; demo: @demo_generator
        from . import demo, parameters, ui  # noqa: F401
        from .processes import handlers  # noqa: F401
