"""Knowledge base."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KnowledgeConfig(AppConfig):
    name = "telcrm.knowledge"
    label = "knowledge"
    verbose_name = _("Knowledge base")

    def ready(self):
        from telcrm.platform.roles import register_role_permissions

        from .permissions import KNOWLEDGE_PERMISSIONS

        register_role_permissions(KNOWLEDGE_PERMISSIONS)
        from . import demo  # noqa: F401  (the demo articles generator)
