"""UI routes of tickets under /service/ (mounted in telcrm/urls.py)."""

from django.urls import path

from . import views, views_config

urlpatterns = [
    path("tickets/", views.ticket_list, {"mode": "queue"}, name="ticket-queue"),
    path("tickets/mine/", views.ticket_list, {"mode": "mine"}, name="ticket-mine"),
    path("tickets/all/", views.ticket_list, {"mode": "all"}, name="ticket-list"),
    path("tickets/new/", views.ticket_new, name="ticket-new"),
    path("tickets/<int:pk>/", views.ticket_detail, name="ticket-detail"),
    path("categories/", views_config.category_list, name="ticket-category-list"),
    path("categories/new/", views_config.category_edit, name="ticket-category-new"),
    path("categories/<int:pk>/", views_config.category_edit, name="ticket-category-edit"),
    path("categories/<int:pk>/targets/", views_config.category_targets, name="ticket-category-targets"),
    *[
        path(f"tickets/<int:pk>/{move}/", views.ticket_move, {"move": move}, name=f"ticket-{move}")
        for move in views.MOVES
    ],
]
