"""UI routes under /catalog/rules/."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.rule_list, name="catalog-rule-list"),
    path("new/", views.rule_table_create, name="catalog-rule-create"),
    path("<int:pk>/", views.rule_table_detail, name="catalog-rule-detail"),
    path("<int:pk>/edit/", views.rule_table_edit, name="catalog-rule-edit"),
    path("<int:pk>/grid/", views.rule_grid, name="catalog-rule-grid"),
    path("<int:pk>/test/", views.rule_test, name="catalog-rule-test"),
    path("<int:pk>/publish/", views.rule_publish, name="catalog-rule-publish"),
    path("<int:pk>/discard/", views.rule_discard, name="catalog-rule-discard"),
    path("<int:pk>/upload/", views.rule_upload, name="catalog-rule-upload"),
    path("<int:pk>/versions/<int:number>/", views.rule_version_detail, name="catalog-rule-version"),
    path(
        "<int:pk>/versions/<int:number>/download/",
        views.rule_version_download,
        name="catalog-rule-version-download",
    ),
    path(
        "<int:pk>/versions/<int:number>/restore/",
        views.rule_version_restore,
        name="catalog-rule-version-restore",
    ),
]
