"""Catalog REST API under /api/v1/catalog/ (decision tables under /api/v1/catalog/rules/)."""

from django.urls import re_path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.trailing_slash = "/?"
router.register("offerings", views.OfferingViewSet, basename="api-catalog-offering")
router.register("group-tariffs", views.GroupTariffViewSet, basename="api-catalog-tariff")

urlpatterns = [
    re_path(r"^quote/?$", views.QuoteView.as_view(), name="api-catalog-quote"),
    re_path(r"^eligibility/?$", views.EligibilityView.as_view(), name="api-catalog-eligibility"),
    *router.urls,
]
