"""REST API routes of the number pool (mounted at /api/v1/numbers/)."""

from django.urls import re_path
from rest_framework.routers import SimpleRouter

from .views import NumberViewSet


class _Router(SimpleRouter):
    """Routes at the mount point itself (empty prefix) with an optional trailing slash, so both
    /numbers/138…/reserve and …/reserve/ work (a POST cannot follow a redirect)."""

    def get_urls(self):
        urls = []
        for url in super().get_urls():
            if str(url.pattern) == "^?$":  # the list route once the empty prefix is stripped
                url = re_path(r"^$", url.callback, name=url.name)
            urls.append(url)
        return urls


router = _Router()
router.trailing_slash = "/?"
router.register("", NumberViewSet, basename="api-number")

urlpatterns = router.urls
