"""Routes of the stock API, mounted at /api/v1/stock/."""

from django.urls import re_path
from rest_framework.routers import SimpleRouter

from telcrm.platform.api.base import not_found

from . import views

router = SimpleRouter()
router.trailing_slash = "/?"
router.register("sims", views.SimViewSet, basename="api-stock-sim")
router.register("terminals", views.TerminalViewSet, basename="api-stock-terminal")
router.register("levels", views.LevelViewSet, basename="api-stock-level")
router.register("transfers", views.TransferViewSet, basename="api-stock-transfer")
router.register("deliveries", views.BatchViewSet, basename="api-stock-delivery")

urlpatterns = [
    *router.urls,
    re_path(r"^(?P<rest>.*)$", not_found, name="api-stock-not-found"),
]
