"""REST API routes under /api/v1/catalog/rules/."""

from django.urls import re_path
from rest_framework.routers import SimpleRouter

from .views import DecisionTableViewSet, EvaluateView

router = SimpleRouter()
router.trailing_slash = "/?"
router.register("tables", DecisionTableViewSet, basename="api-catalog-rule-table")

urlpatterns = [
    re_path(r"^evaluate/?$", EvaluateView.as_view(), name="api-catalog-rule-evaluate"),
    *router.urls,
]
