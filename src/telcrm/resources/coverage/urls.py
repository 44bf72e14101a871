"""UI routes, mounted at /resources/coverage/."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.coverage_list, name="coverage-list"),
    path("check/", views.coverage_check, name="coverage-check"),
    path("elements/", views.element_list, name="coverage-element-list"),
    path("elements/new/", views.element_create, name="coverage-element-create"),
    path("elements/<int:pk>/", views.element_detail, name="coverage-element-detail"),
    path("elements/<int:pk>/edit/", views.element_edit, name="coverage-element-edit"),
    path("elements/<int:pk>/retire/", views.element_retire, name="coverage-element-retire"),
    path("addresses/new/", views.address_create, name="coverage-address-create"),
    path("addresses/<int:pk>/edit/", views.address_edit, name="coverage-address-edit"),
    path("addresses/<int:pk>/retire/", views.address_retire, name="coverage-address-retire"),
    path("import/", views.import_form, name="coverage-import"),
    path("import/template.csv", views.import_template, name="coverage-import-template"),
    path("import/<uuid:pk>/", views.import_detail, name="coverage-import-detail"),
]
