"""Platform UI routes. Views: views/directory.py, views/config.py, views/activity.py."""

from django.urls import path

from .views import activity, config, directory

urlpatterns = [
    # organisation, users, roles (views/directory.py)
    path("org/", directory.org_tree, name="org-tree"),
    path("org/new/", directory.org_create, name="org-create"),
    path("org/<int:pk>/", directory.org_detail, name="org-detail"),
    path("org/<int:pk>/edit/", directory.org_edit, name="org-edit"),
    path("users/", directory.user_list, name="user-list"),
    path("users/new/", directory.user_create, name="user-create"),
    path("users/export/", directory.user_export, name="user-export"),
    path("users/<int:pk>/", directory.user_detail, name="user-detail"),
    path("users/<int:pk>/edit/", directory.user_edit, name="user-edit"),
    path("users/<int:pk>/password/", directory.user_password, name="user-password"),
    path("users/<int:pk>/unlock/", directory.user_unlock, name="user-unlock"),
    path("users/<int:pk>/reveal/<str:field>/", directory.user_reveal, name="user-reveal"),
    path("roles/", directory.role_list, name="role-list"),
    path("roles/<int:pk>/edit/", directory.role_edit, name="role-edit"),
    path("profile/", directory.profile, name="profile"),
    # parameters, dictionaries, calendars (views/config.py)
    path("parameters/", config.parameter_list, name="parameter-list"),
    path("parameters/<int:pk>/edit/", config.parameter_edit, name="parameter-edit"),
    path("parameters/<int:pk>/history/", config.parameter_history, name="parameter-history"),
    path("dictionaries/", config.dict_list, name="dict-list"),
    path("dictionaries/new/", config.dict_create, name="dict-create"),
    path("dictionaries/<int:pk>/", config.dict_detail, name="dict-detail"),
    path("dictionaries/<int:pk>/items/new/", config.dict_item_create, name="dict-item-create"),
    path("dictionaries/<int:pk>/items/<int:item_pk>/edit/", config.dict_item_edit, name="dict-item-edit"),
    path("calendars/", config.calendar_list, name="calendar-list"),
    path("calendars/<int:pk>/edit/", config.calendar_edit, name="calendar-edit"),
    path("calendars/holidays/new/", config.holiday_create, name="holiday-create"),
    path("calendars/holidays/<int:pk>/delete/", config.holiday_delete, name="holiday-delete"),
    path("calendars/deadline/", config.deadline_calculator, name="deadline-calculator"),
    # audit, jobs, monitoring (views/activity.py)
    path("audit/", activity.audit_list, name="audit-list"),
    path("audit/<int:pk>/", activity.audit_detail, name="audit-detail"),
    path("jobs/", activity.job_list, name="job-list"),
    path("jobs/<uuid:pk>/", activity.job_detail, name="job-detail"),
    path("jobs/<uuid:pk>/progress/", activity.job_progress, name="job-progress"),
    path("jobs/<uuid:pk>/retry/", activity.job_retry, name="job-retry"),
    path("jobs/<uuid:pk>/cancel/", activity.job_cancel, name="job-cancel"),
    path("jobs/<uuid:pk>/download/", activity.job_download, name="job-download"),
    path("monitoring/", activity.monitoring, name="monitoring"),
]
