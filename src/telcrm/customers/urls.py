"""Customer UI routes (views/ owns them; imports add theirs at the end)."""

from django.urls import path

from . import views

urlpatterns = [
    # the list: search, filters, export, print (views/lists.py)
    path("", views.customer_list, name="customer-list"),
    path("print/", views.customer_print, name="customer-print"),
    path("export/", views.customer_export, name="customer-export"),
    path("classify/", views.customer_classify_all, name="customer-classify-all"),
    path("new/", views.customer_create, name="customer-create"),
    # one customer: the 360 page and its operations (views/profile.py)
    path("<int:pk>/", views.customer_detail, name="customer-detail"),
    path("<int:pk>/edit/", views.customer_edit, name="customer-edit"),
    path("<int:pk>/reveal/<str:field>/", views.customer_reveal, name="customer-reveal"),
    path("<int:pk>/verify/", views.customer_verify, name="customer-verify"),
    path("<int:pk>/credit/", views.customer_credit, name="customer-credit"),
    path("<int:pk>/blacklist/new/", views.blacklist_add, name="customer-blacklist-add"),
    path("<int:pk>/blacklist/<int:entry_pk>/lift/", views.blacklist_lift, name="customer-blacklist-lift"),
    path("<int:pk>/interactions/new/", views.interaction_create, name="customer-interaction-create"),
    path("<int:pk>/tags/", views.customer_tags, name="customer-tags"),
    path("<int:pk>/classify/", views.customer_classify, name="customer-classify"),
    path(
        "<int:pk>/classify/release/",
        views.customer_classification_release,
        name="customer-classification-release",
    ),
    path("<int:pk>/history/", views.customer_history, name="customer-history"),
    path("<int:pk>/duplicates/", views.customer_duplicates, name="customer-duplicates-box"),
    path("<int:pk>/merge/", views.customer_merge, name="customer-merge"),
    path("merges/<int:merge_pk>/undo/", views.customer_unmerge, name="customer-unmerge"),
    # contact media, addresses, key persons edited in place (views/parts.py)
    *[
        p
        for part in ("media", "addresses", "contacts")
        for p in (
            path(f"<int:pk>/{part}/", views.part_list, {"part": part}, name=f"customer-{part}"),
            path(f"<int:pk>/{part}/new/", views.part_create, {"part": part}, name=f"customer-{part}-create"),
            path(
                f"<int:pk>/{part}/<int:item>/edit/",
                views.part_edit,
                {"part": part},
                name=f"customer-{part}-edit",
            ),
            path(
                f"<int:pk>/{part}/<int:item>/delete/",
                views.part_delete,
                {"part": part},
                name=f"customer-{part}-delete",
            ),
            path(
                f"<int:pk>/{part}/<int:item>/reveal/",
                views.part_reveal,
                {"part": part},
                name=f"customer-{part}-reveal",
            ),
        )
    ],
    # back office: update requests, duplicates and merges (views/reviews.py)
    path("requests/", views.update_request_list, name="update-request-list"),
    path("requests/<int:pk>/review/", views.update_request_review, name="update-request-review"),
    path("duplicates/", views.duplicates, name="customer-duplicates"),
]

# --- import (views_import.py) and self-service update requests (views_selfservice.py) ---
from . import views_import, views_selfservice  # noqa: E402

urlpatterns += [
    path("import/", views_import.customer_import, name="customer-import"),
    path("import/template.xlsx", views_import.customer_import_template, name="customer-import-template"),
    path(
        "<int:pk>/self-service-link/",
        views_selfservice.selfservice_link_issue,
        name="customer-selfservice-link",
    ),
    path("self-service/<str:token>/", views_selfservice.selfservice_form, name="customer-selfservice"),
]
