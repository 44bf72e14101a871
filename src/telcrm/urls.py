from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from telcrm.customers.views_selfservice import SelfServiceRequestView
from telcrm.integration.hub import hub_urls
from telcrm.orders.tmf import urls as tmf_orders
from telcrm.orders.urls import order_urls, process_urls, workorder_urls
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
    # each module's REST API, ahead of the platform API's catch-all 404
    path("api/v1/catalog/rules/", include("telcrm.catalog.rules.api.urls")),
    path("api/v1/catalog/", include("telcrm.catalog.api.urls")),
    path("api/v1/numbers/", include("telcrm.resources.api.urls")),
    path("api/v1/stock/", include("telcrm.resources.stock.api.urls")),
    path("api/v1/coverage/", include("telcrm.resources.coverage.api.urls")),
    path("api/v1/integration/", include("telcrm.integration.api.urls")),
    path("api/v1/", include("telcrm.orders.api.urls")),  # workorders/, processes/
    path("api/v1/", include("telcrm.platform.api.urls")),
    # TM Forum APIs: TMF620/622/637 here, the customer module's (with the /tmf-api/ catch-all 404) last
    path("tmf-api/productCatalogManagement/v4/", include("telcrm.catalog.tmf.urls")),
    path("tmf-api/productOrderingManagement/v4/", include(tmf_orders.ordering)),  # TMF622
    path("tmf-api/productInventory/v4/", include(tmf_orders.inventory)),  # TMF637
    path("tmf-api/customerManagement/v4/", include(hub_urls("TMF629"))),  # TMF629's event hub
    path("tmf-api/", include("telcrm.customers.tmf.urls")),
    path("customers/", include("telcrm.customers.urls")),
    path("catalog/rules/", include("telcrm.catalog.rules.urls")),
    path("catalog/", include("telcrm.catalog.urls")),
    path("resources/numbers/", include("telcrm.resources.urls")),
    path("resources/stock/", include("telcrm.resources.stock.urls")),
    path("resources/coverage/", include("telcrm.resources.coverage.urls")),
    path("integration/", include("telcrm.integration.urls")),
    path("orders/", include(order_urls)),
    path("workorders/", include(workorder_urls)),
    path("processes/", include(process_urls)),
    path("knowledge/", include("telcrm.knowledge.urls")),
    path("", include("telcrm.platform.urls")),
    path("", include("telcrm.web.urls")),
]
