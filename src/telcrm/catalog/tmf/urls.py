"""TMF620 Product Catalog Management v4, mounted at /tmf-api/productCatalogManagement/v4/ (the spec's
basePath): catalog, category, productSpecification, productOffering, productOfferingPrice.

Conventions: customers/tmf/common.py; mapping: docs/decisions/0008-tmf-apis.md (TMF620 section).
A path under the base path that matches nothing falls through to the TMF catch-all 404.
"""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from .category import CatalogViewSet, CategoryViewSet
from .offering import ProductOfferingViewSet
from .price import ProductOfferingPriceViewSet
from .specification import ProductSpecificationViewSet

router = SimpleRouter()
router.trailing_slash = "/?"
router.register("catalog", CatalogViewSet, basename="tmf-catalog")
router.register("category", CategoryViewSet, basename="tmf-category")
router.register("productSpecification", ProductSpecificationViewSet, basename="tmf-product-specification")
router.register("productOffering", ProductOfferingViewSet, basename="tmf-product-offering")
router.register("productOfferingPrice", ProductOfferingPriceViewSet, basename="tmf-product-offering-price")

urlpatterns = [path("", include(router.urls))]
