"""TM Forum Open APIs (v4) under /tmf-api/: TMF629 customer, TMF632 party, TMF666 account.

Paths and resource names are the specs' (shared/tmf/<API>/spec); a trailing slash is optional.
Conventions: customers/tmf/common.py; decisions: docs/decisions/0008-tmf-apis.md.
"""

from django.urls import include, path, re_path
from rest_framework.routers import SimpleRouter

from . import account, customer, party
from .common import not_found


def _router(*routes) -> SimpleRouter:
    router = SimpleRouter()
    router.trailing_slash = "/?"
    for prefix, viewset, basename in routes:
        router.register(prefix, viewset, basename=basename)
    return router


customer_management = _router(("customer", customer.CustomerViewSet, "tmf-customer"))
party_management = _router(
    ("individual", party.IndividualViewSet, "tmf-individual"),
    ("organization", party.OrganizationViewSet, "tmf-organization"),
)
account_management = _router(
    ("billingAccount", account.BillingAccountViewSet, "tmf-billing-account"),
    ("partyAccount", account.PartyAccountViewSet, "tmf-party-account"),
    ("settlementAccount", account.SettlementAccountViewSet, "tmf-settlement-account"),
    ("financialAccount", account.FinancialAccountViewSet, "tmf-financial-account"),
    ("billFormat", account.BillFormatViewSet, "tmf-bill-format"),
    (
        "billingCycleSpecification",
        account.BillingCycleSpecificationViewSet,
        "tmf-billing-cycle-specification",
    ),
    ("billPresentationMedia", account.BillPresentationMediaViewSet, "tmf-bill-presentation-media"),
)

urlpatterns = [
    path("customerManagement/v4/", include(customer_management.urls)),
    path("party/v4/", include(party_management.urls)),
    path("accountManagement/v4/", include(account_management.urls)),
    re_path(r"^(?P<rest>.*)$", not_found, name="tmf-not-found"),
]
