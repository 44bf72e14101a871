"""Routes of the integration API, mounted at /api/v1/integration/."""

from django.urls import path, re_path
from rest_framework.routers import SimpleRouter

from telcrm.platform.api.base import not_found

from . import views

router = SimpleRouter()
router.trailing_slash = "/?"
router.register("deliveries", views.DeliveryViewSet, basename="api-integration-delivery")
router.register("commands", views.CommandViewSet, basename="api-integration-command")

urlpatterns = [
    path("counts", views.CountsView.as_view(), name="api-integration-counts"),
    *router.urls,
    re_path(r"^(?P<rest>.*)$", not_found, name="api-integration-not-found"),
]
