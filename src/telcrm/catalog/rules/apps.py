"""Catalog rules: eligibility and compatibility decision tables (DMN, evaluated by SpiffWorkflow)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogRulesConfig(AppConfig):
    name = "telcrm.catalog.rules"
    label = "catalog_rules"
    verbose_name = _("Catalog rules")

    def ready(self):
        # demo: the demo rule tables (@demo_generator). Access uses the catalog app's permissions
        # (catalog.view_catalog / catalog.manage_catalog), granted to roles by that app.
        from . import demo  # noqa: F401
