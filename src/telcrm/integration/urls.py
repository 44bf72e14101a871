"""Integration UI routes, mounted at /integration/."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.overview, name="integration-overview"),
    path("deliveries/", views.delivery_list, name="integration-delivery-list"),
    path("deliveries/<int:pk>/", views.delivery_detail, name="integration-delivery-detail"),
    path("deliveries/<int:pk>/replay/", views.delivery_replay, name="integration-delivery-replay"),
    path("deliveries/<int:pk>/discard/", views.delivery_discard, name="integration-delivery-discard"),
    path(
        "deliveries/replay/",
        views.replay_selected,
        {"kind": "delivery"},
        name="integration-delivery-replay-many",
    ),
    path("commands/", views.command_list, name="integration-command-list"),
    path("commands/<int:pk>/", views.command_detail, name="integration-command-detail"),
    path("commands/<int:pk>/replay/", views.command_replay, name="integration-command-replay"),
    path("commands/<int:pk>/discard/", views.command_discard, name="integration-command-discard"),
    path(
        "commands/replay/", views.replay_selected, {"kind": "command"}, name="integration-command-replay-many"
    ),
    path("subscriptions/", views.subscription_list, name="integration-subscription-list"),
    path("subscriptions/new/", views.subscription_create, name="integration-subscription-create"),
    path("subscriptions/<int:pk>/", views.subscription_edit, name="integration-subscription-edit"),
    path("subscriptions/<int:pk>/delete/", views.subscription_delete, name="integration-subscription-delete"),
    path("simulator/", views.simulator, name="integration-simulator"),
]
