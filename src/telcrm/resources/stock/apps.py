from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StockConfig(AppConfig):
    name = "telcrm.resources.stock"
    label = "stock"
    verbose_name = _("SIM and terminal stock")

    def ready(self):
        pass
