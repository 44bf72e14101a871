from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "telcrm.customers"
    label = "customers"
    verbose_name = _("Customers")

    def ready(self):
        # ui: search provider, export, home and 360 panels; parameters: customers.* system parameters;
        # demo: the demo customer generator (@demo_generator); imports: the import job and its parameter;
        # selfservice: the self-service link parameters
        # classification: tier/class parameters and the customers.classify job; billing: sync parameters
        from . import billing, classification, demo, imports, parameters, selfservice, ui  # noqa: F401
