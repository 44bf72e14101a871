"""TMF622 Product Ordering v4 and TMF637 Product Inventory v4, mounted by telcrm/urls.py at the specs'
basePaths: /tmf-api/productOrderingManagement/v4/ (``ordering``) and /tmf-api/productInventory/v4/
(``inventory``). A path under them that matches nothing falls through to the TMF catch-all 404.

Conventions: customers/tmf/common.py; mapping: docs/decisions/0008-tmf-apis.md (TMF622/TMF637 section).
"""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from .inventory import ProductViewSet
from .ordering import CancelProductOrderViewSet, ProductOrderViewSet


def _router(*routes) -> SimpleRouter:
    router = SimpleRouter()
    router.trailing_slash = "/?"
    for prefix, viewset, basename in routes:
        router.register(prefix, viewset, basename=basename)
    return router


ordering = [
    path(
        "",
        include(
            _router(
                ("productOrder", ProductOrderViewSet, "tmf-product-order"),
                ("cancelProductOrder", CancelProductOrderViewSet, "tmf-cancel-product-order"),
            ).urls
        ),
    )
]
inventory = [path("", include(_router(("product", ProductViewSet, "tmf-product")).urls))]
