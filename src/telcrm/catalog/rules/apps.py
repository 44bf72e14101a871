from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogRulesConfig(AppConfig):
    name = "telcrm.catalog.rules"
    label = "catalog_rules"
    verbose_name = _("Catalog rules")

    def ready(self):
        pass
