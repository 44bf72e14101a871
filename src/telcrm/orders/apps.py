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
        from .acceptance_permissions import ACCEPTANCE_PERMISSIONS

        register_role_permissions(ACCEPTANCE_PERMISSIONS)
        from .installation_permissions import INSTALLATION_PERMISSIONS

        register_role_permissions(INSTALLATION_PERMISSIONS)
        # parameters: orders.* parameters; processes.handlers: the registered service-task handlers
        # (recording stand-ins, replaced by the real ones of handlers — a stand-in never replaces a real
        # handler, so the order of these imports does not matter); ui: audit labels, the work-order
        # category dictionary seed, the home panel; demo: @demo_generator; panels: the orders panel of
        # the customer 360
        # installation_config, installation_demo: pending installations (待装) — parameters, dictionaries,
        # audit labels, demo installations
        from . import (  # noqa: F401
            demo,
            handlers,
            installation_config,
            installation_demo,
            panels,
            parameters,
            ui,
        )

        # the order follows its process when it fails, runs again or is cancelled
        from .actions import lifecycle  # noqa: F401
        from .processes import handlers as standard_handlers  # noqa: F401
