"""Integration: event outbox, adapter commands, adapters, webhooks and TMF hubs, error queue."""

from django.apps import AppConfig

from .i18n import _


class IntegrationConfig(AppConfig):
    name = "telcrm.integration"
    label = "integration"
    verbose_name = _("Integration")

    def ready(self):
        from telcrm.platform.roles import register_role_permissions

        from .permissions import INTEGRATION_PERMISSIONS

        register_role_permissions(INTEGRATION_PERMISSIONS)
        # parameters: integration.* parameters; payloads: event payloads of other modules' rows;
        # ui: audit labels and the home panel; checks: the adapters' configuration
        from telcrm.platform.events import register_outbox

        from . import checks, parameters, payloads, ui  # noqa: F401
        from .events import emit_many

        register_outbox(emit_many)  # business modules announce through telcrm.platform.events
