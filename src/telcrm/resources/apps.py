from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResourcesConfig(AppConfig):
    name = "telcrm.resources"
    label = "resources"
    verbose_name = _("Number pool")

    def ready(self):
        pass
