from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoverageConfig(AppConfig):
    name = "telcrm.resources.coverage"
    label = "coverage"
    verbose_name = _("Network coverage")

    def ready(self):
        pass
