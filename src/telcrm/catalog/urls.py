"""Catalog UI routes under /catalog/ (the decision tables live under /catalog/rules/)."""

from django.urls import path

from . import views

urlpatterns = [
    # clerks: what can this customer buy (views/browse.py)
    path("", views.catalog_browse, name="catalog-browse"),
    path("customers/pick/", views.customer_pick, name="catalog-customer-pick"),
    # product managers (views/offerings.py)
    path("offerings/", views.offering_list, name="catalog-offering-list"),
    path("offerings/new/", views.offering_create, name="catalog-offering-create"),
    path("offerings/<int:pk>/", views.offering_detail, name="catalog-offering-detail"),
    path("offerings/<int:pk>/edit/", views.offering_edit, name="catalog-offering-edit"),
    path(
        "offerings/<int:pk>/<str:step>/",
        views.offering_lifecycle,
        name="catalog-offering-lifecycle",
    ),
    path("offerings/<int:pk>/prices/new/", views.price_create, name="catalog-price-create"),
    path("offerings/<int:pk>/prices/<int:price_pk>/edit/", views.price_edit, name="catalog-price-edit"),
    path("offerings/<int:pk>/prices/<int:price_pk>/delete/", views.price_delete, name="catalog-price-delete"),
    path("offerings/<int:pk>/members/new/", views.member_add, name="catalog-member-add"),
    path(
        "offerings/<int:pk>/members/<int:member_pk>/delete/",
        views.member_remove,
        name="catalog-member-remove",
    ),
    path("specifications/", views.specification_list, name="catalog-specification-list"),
    path("specifications/new/", views.specification_form, name="catalog-specification-create"),
    path("specifications/<int:pk>/edit/", views.specification_form, name="catalog-specification-edit"),
    path("specifications/<int:pk>/delete/", views.specification_delete, name="catalog-specification-delete"),
    path("categories/", views.category_list, name="catalog-category-list"),
    path("categories/new/", views.category_form, name="catalog-category-create"),
    path("categories/<int:pk>/edit/", views.category_form, name="catalog-category-edit"),
    path("categories/<int:pk>/delete/", views.category_delete, name="catalog-category-delete"),
    # group tariffs (views/discounts.py)
    path("discounts/", views.discount_list, name="catalog-discount-list"),
    path("discounts/new/", views.discount_create, name="catalog-discount-create"),
    path("discounts/<int:pk>/", views.discount_detail, name="catalog-discount-detail"),
    path("discounts/<int:pk>/edit/", views.discount_edit, name="catalog-discount-edit"),
    path("discounts/<int:pk>/submit/", views.discount_submit, name="catalog-discount-submit"),
    path("discounts/<int:pk>/<str:decision>/", views.discount_decide, name="catalog-discount-decide"),
]
