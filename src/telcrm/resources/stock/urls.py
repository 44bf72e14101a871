"""Stock UI routes, mounted at /resources/stock/."""

from django.urls import path

from . import views

urlpatterns = [
    # levels (views/levels.py)
    path("", views.stock_list, name="stock-list"),
    path("units/<int:pk>/", views.stock_unit, name="stock-branch"),
    # items and their history (views/items.py)
    path("items/", views.item_list, name="stock-item-list"),
    path("sims/<int:pk>/", views.sim_detail, name="stock-sim-detail"),
    path("terminals/<int:pk>/", views.terminal_detail, name="stock-terminal-detail"),
    path("<str:item_type>/<int:pk>/do/<str:move>/", views.item_action, name="stock-item-action"),
    path("movements/", views.movement_list, name="stock-movement-list"),
    # deliveries (views/batches.py)
    path("deliveries/", views.batch_list, name="stock-batch-list"),
    path("deliveries/receive/", views.batch_receive, name="stock-batch-receive"),
    path("deliveries/template/<str:item_type>.xlsx", views.batch_template, name="stock-batch-template"),
    path("deliveries/<int:pk>/", views.batch_detail, name="stock-batch-detail"),
    path("deliveries/<int:pk>/progress/", views.batch_progress, name="stock-batch-progress"),
    # transfers (views/transfers.py)
    path("transfers/", views.transfer_list, name="stock-transfer-list"),
    path("transfers/new/", views.transfer_create, name="stock-transfer-create"),
    path("transfers/<int:pk>/", views.transfer_detail, name="stock-transfer-detail"),
    path("transfers/<int:pk>/items/", views.transfer_add, name="stock-transfer-add"),
    path("transfers/<int:pk>/items/remove/", views.transfer_remove, name="stock-transfer-remove"),
    path("transfers/<int:pk>/ship/", views.transfer_ship, name="stock-transfer-ship"),
    path("transfers/<int:pk>/receive/", views.transfer_receive, name="stock-transfer-receive"),
    path("transfers/<int:pk>/cancel/", views.transfer_cancel, name="stock-transfer-cancel"),
    # stock counts (views/counts.py)
    path("counts/", views.count_list, name="stock-count-list"),
    path("counts/new/", views.count_create, name="stock-count-create"),
    path("counts/<int:pk>/", views.count_detail, name="stock-count-detail"),
    path("counts/<int:pk>/scan/", views.count_scan, name="stock-count-scan"),
    path("counts/<int:pk>/unscan/", views.count_unscan, name="stock-count-unscan"),
    path("counts/<int:pk>/close/", views.count_close, name="stock-count-close"),
    path("counts/<int:pk>/cancel/", views.count_cancel, name="stock-count-cancel"),
]
