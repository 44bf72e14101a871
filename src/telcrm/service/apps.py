"""Service: tickets (报事) — categories, routing to team queues, SLA on the working calendar, escalation."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceConfig(AppConfig):
    name = "telcrm.service"
    label = "service"
    verbose_name = _("Service")

    def ready(self):
        from telcrm.platform.roles import register_role_permissions

        from .permissions import SERVICE_PERMISSIONS

        register_role_permissions(SERVICE_PERMISSIONS)
        # parameters: service.* parameters; panels: the service panel of the customer 360 and the audit
        # labels; demo: @demo_generator
        from . import demo, panels, parameters  # noqa: F401
