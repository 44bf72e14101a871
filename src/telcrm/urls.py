from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from telcrm.customers.views_selfservice import SelfServiceRequestView
from telcrm.platform.views.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    # a customer's own endpoint (no staff login), ahead of the platform API's catch-all 404
    re_path(
        r"^api/v1/customers/self-service/(?P<token>[^/]+)/requests/?$",
        SelfServiceRequestView.as_view(),
        name="api-customer-selfservice-request",
    ),
    path("api/v1/", include("telcrm.platform.api.urls")),
    path("tmf-api/", include("telcrm.customers.tmf.urls")),
    path("customers/", include("telcrm.customers.urls")),
    path("", include("telcrm.platform.urls")),
    path("", include("telcrm.web.urls")),
]
