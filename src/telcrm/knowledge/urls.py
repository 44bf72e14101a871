from django.urls import path

from . import views

urlpatterns = [
    path("", views.search, name="kb-search"),
    path("suggest/", views.suggest_panel, name="kb-suggest"),
    path("new/", views.article_create, name="kb-article-create"),
    path("mine/", views.my_articles, name="kb-mine"),
    path("review/", views.review_queue, name="kb-review-queue"),
    path("categories/", views.categories, name="kb-categories"),
    path("<int:pk>/", views.article_detail, name="kb-article"),
    path("<int:pk>/edit/", views.article_edit, name="kb-article-edit"),
    path("<int:pk>/feedback/", views.article_feedback, name="kb-article-feedback"),
    path("<int:pk>/v/<int:number>/", views.version_detail, name="kb-version"),
    path("<int:pk>/v/<int:number>/submit/", views.version_submit, name="kb-version-submit"),
    path("<int:pk>/v/<int:number>/<str:decision>/", views.version_decide, name="kb-version-decide"),
]
