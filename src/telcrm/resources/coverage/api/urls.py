"""REST API routes under /api/v1/coverage/ (unmatched paths fall through to the platform's JSON 404)."""

from django.urls import re_path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.trailing_slash = "/?"
router.register("elements", views.ElementViewSet, basename="api-coverage-element")
router.register("addresses", views.AddressViewSet, basename="api-coverage-address")

urlpatterns = [
    re_path(r"^check/?$", views.CheckView.as_view(), name="api-coverage-check"),
    *router.urls,
]
