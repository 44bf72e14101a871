"""Authentication glue: role permissions, lockout parameters for django-axes, lockout response."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.backends import ModelBackend
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from .parameters import param


class RoleBackend(ModelBackend):
    """ModelBackend plus the permissions of the user's role."""

    def _get_role_permissions(self, user_obj):
        if user_obj.role_id is None:
            from django.contrib.auth.models import Permission

            return Permission.objects.none()
        return user_obj.role.permissions.all()

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_telcrm_perm_cache"):
            perms = set(super().get_all_permissions(user_obj))
            perms |= {
                f"{ct}.{name}"
                for ct, name in self._get_role_permissions(user_obj).values_list(
                    "content_type__app_label", "codename"
                )
            }
            user_obj._telcrm_perm_cache = perms
        return user_obj._telcrm_perm_cache


def lockout_failure_limit(request, credentials) -> int:
    return int(param("auth.lockout_threshold"))


def lockout_cooloff(request=None) -> timedelta:
    return timedelta(minutes=int(param("auth.lockout_minutes")))


def lockout_response(request, response=None, credentials=None, *args, **kwargs):
    minutes = int(param("auth.lockout_minutes"))
    message = _(
        "This account is locked after too many failed sign-ins. Try again in %(minutes)d minutes "
        "or ask an administrator to unlock it."
    ) % {"minutes": minutes}
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"errors": [{"field": "username", "code": "locked", "message": message}]}, status=403
        )
    from .forms import LoginForm

    form = LoginForm(request, data=None)
    return render(request, "registration/login.html", {"form": form, "locked_message": message}, status=403)
