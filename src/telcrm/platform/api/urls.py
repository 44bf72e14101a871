"""Routes of the REST API under /api/v1/ (the OpenAPI schema is at /api/schema/, docs at /api/docs/)."""

from django.urls import re_path
from rest_framework.routers import SimpleRouter

from . import views_activity, views_auth, views_config, views_directory
from .base import not_found

router = SimpleRouter()
router.trailing_slash = "/?"  # both /users/1 and /users/1/ (a POST cannot follow a redirect)
router.register("org-units", views_directory.OrgUnitViewSet, basename="api-org-unit")
router.register("users", views_directory.UserViewSet, basename="api-user")
router.register("roles", views_directory.RoleViewSet, basename="api-role")
router.register("parameters", views_config.ParameterViewSet, basename="api-parameter")
router.register("dictionaries", views_config.DictionaryViewSet, basename="api-dictionary")
router.register("holidays", views_config.HolidayViewSet, basename="api-holiday")
router.register("jobs", views_activity.JobViewSet, basename="api-job")
router.register("audit", views_activity.AuditViewSet, basename="api-audit")
router.register("notifications", views_activity.NotificationViewSet, basename="api-notification")

urlpatterns = [
    re_path(r"^auth/token/?$", views_auth.TokenView.as_view(), name="api-token"),
    re_path(r"^me/?$", views_auth.MeView.as_view(), name="api-me"),
    *router.urls,
    re_path(r"^(?P<rest>.*)$", not_found, name="api-not-found"),
]
