"""Routes of the order API (/api/v1/orders/), the work-order API (/api/v1/workorders/) and the process
API (/api/v1/processes/),
mounted at /api/v1/ ahead of the platform API (whose catch-all answers unknown paths with a 404)."""

from rest_framework.routers import SimpleRouter

from . import order_views, views

router = SimpleRouter()
router.trailing_slash = "/?"
router.register("orders", order_views.OrderViewSet, basename="api-order")
router.register("workorders", views.WorkOrderViewSet, basename="api-workorder")
router.register("processes/definitions", views.DefinitionViewSet, basename="api-process-definition")
router.register("processes/instances", views.InstanceViewSet, basename="api-process-instance")

urlpatterns = router.urls
