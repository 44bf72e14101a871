"""UI routes of the number pool (mounted at /resources/numbers/)."""

from django.urls import path, re_path

from . import views

MSISDN = r"(?P<msisdn>1\d{10})"

urlpatterns = [
    path("", views.number_search, name="number-search"),
    path("mine/", views.my_reservations, name="number-mine"),
    path("admin/", views.number_admin, name="number-admin"),
    path("admin/lookup/", views.number_lookup, name="number-lookup"),
    path("admin/ranges/new/", views.range_create, name="number-range-create"),
    path("admin/ranges/<int:pk>/edit/", views.range_edit, name="number-range-edit"),
    path("admin/ranges/<int:pk>/delete/", views.range_delete, name="number-range-delete"),
    path("admin/ranges/<int:pk>/generate/", views.range_generate, name="number-range-generate"),
    path("admin/levels/new/", views.level_edit, name="number-level-create"),
    path("admin/levels/<int:pk>/edit/", views.level_edit, name="number-level-edit"),
    path("admin/levels/<int:pk>/delete/", views.level_delete, name="number-level-delete"),
    path("admin/levels/recompute/", views.levels_recompute, name="number-levels-recompute"),
    path("admin/rules/new/", views.rule_edit, name="number-rule-create"),
    path("admin/rules/<int:pk>/edit/", views.rule_edit, name="number-rule-edit"),
    path("admin/rules/<int:pk>/delete/", views.rule_delete, name="number-rule-delete"),
    re_path(rf"^{MSISDN}/$", views.number_detail, name="number-detail"),
    re_path(rf"^{MSISDN}/reserve/$", views.number_reserve, name="number-reserve"),
    re_path(rf"^{MSISDN}/release/$", views.number_release, name="number-release"),
    re_path(rf"^{MSISDN}/freeze/$", views.number_freeze, name="number-freeze"),
    re_path(rf"^{MSISDN}/unfreeze/$", views.number_unfreeze, name="number-unfreeze"),
]
