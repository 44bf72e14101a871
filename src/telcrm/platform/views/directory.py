"""Organisation tree, users and roles (PLT-1): one operation per view.

Every view reads through ``platform.queries`` (data scope applied) and writes through
``platform.actions``. Rows outside the actor's scope are 404 (``NotFoundInScope``), missing
permissions 403 (``AccessDenied``). For a single user the row is fetched through the scope first,
so whether a user exists outside one's scope is never revealed, not even by a 403.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from telcrm.web.decorators import paginate, require_any, scoped_view
from telcrm.web.forms import apply_action_errors

from .. import actions, exports, queries
from ..errors import AccessDenied, NotFoundInScope
from ..forms_directory import (
    ChangeOwnPasswordForm,
    LanguageForm,
    OrgSearchForm,
    OrgUnitCreateForm,
    OrgUnitEditForm,
    RoleForm,
    SetPasswordForm,
    UserCreateForm,
    UserEditForm,
    UserFilterForm,
    label,
)
from ..models import ALLOWED_CHILDREN, DataScope, User

MANAGE = "platform.manage_platform"
VIEW_ORG = ("platform.view_orgunit", MANAGE)
VIEW_USERS = ("platform.view_user", MANAGE)


def _user_labels() -> dict:
    names = (
        "username",
        "full_name",
        "employee_no",
        "org_unit",
        "role",
        "mobile",
        "email",
        "is_active",
        "date_joined",
        "id_number",
        "language",
    )
    return {n: label(User, n) for n in names}


# --- organisation tree ------------------------------------------------------------------------
@scoped_view
def org_tree(request):
    require_any(request.user, *VIEW_ORG)
    search = OrgSearchForm(request.GET)
    q = search.cleaned_data["q"] if search.is_valid() else ""
    ctx = {"q": q, "can_manage": request.user.has_perm(MANAGE)}
    if q:
        ctx["page"] = paginate(request, queries.org_unit_list(request.user, q=q))
        return render(request, "platform/org_tree.html", ctx)
    units = list(queries.org_unit_tree(request.user))
    by_id = {u.pk: u for u in units}
    for u in units:
        u.children_nodes = []
        u.total_users = u.user_count
    roots = []
    for u in units:
        (by_id[u.parent_id].children_nodes if u.parent_id in by_id else roots).append(u)
    for u in reversed(units):  # descendants come after their ancestors in path order
        if u.parent_id in by_id:
            by_id[u.parent_id].total_users += u.total_users
    base_depth = min((u.depth for u in roots), default=0)
    for u in units:
        u.open_by_default = u.depth - base_depth < 2
    ctx.update(roots=roots, unit_count=len(units))
    return render(request, "platform/org_tree.html", ctx)


@scoped_view
def org_detail(request, pk):
    require_any(request.user, *VIEW_ORG)
    unit = queries.org_unit_get(request.user, pk)
    ancestor_ids = [int(seg) for seg in unit.path.split(".") if seg][:-1]
    ctx = {
        "unit": unit,
        "ancestors": list(queries.org_unit_list(request.user).filter(pk__in=ancestor_ids)),
        "children": list(queries.org_unit_tree(request.user).filter(parent=unit)),
        "can_manage": request.user.has_perm(MANAGE),
        "can_add_child": request.user.has_perm(MANAGE) and bool(ALLOWED_CHILDREN[unit.kind]),
        "can_view_users": any(request.user.has_perm(p) for p in VIEW_USERS),
        "labels": _user_labels(),
    }
    if ctx["can_view_users"]:
        ctx["page"] = paginate(request, queries.user_list(request.user, org_unit=unit.pk, direct=True))
        ctx["subtree_users"] = queries.user_list(request.user, org_unit=unit.pk, active="1").count()
    return render(request, "platform/org_detail.html", ctx)


@scoped_view
def org_create(request):
    require_any(request.user, MANAGE)
    if request.method == "POST":
        form = OrgUnitCreateForm(request.POST, actor=request.user)
        if form.is_valid():
            try:
                unit = actions.org_unit_create(actor=request.user, **form.cleaned_data)
            except NotFoundInScope:
                form.add_error("parent", _("This unit is outside your data scope."))
            except ValidationError as exc:
                apply_action_errors(form, exc)
            else:
                messages.success(request, _("Unit “%(name)s” created.") % {"name": unit.display_name})
                return redirect("org-detail", unit.pk)
    else:
        initial = {}
        parent_id = request.GET.get("parent", "")
        if parent_id.isdigit():
            parent = queries.org_unit_choices(request.user).filter(pk=parent_id).first()
            if parent is not None:
                initial["parent"] = parent
                allowed = ALLOWED_CHILDREN[parent.kind]
                initial["kind"] = next(
                    (k for k in ("province", "city", "branch", "team") if k in allowed), None
                )
        form = OrgUnitCreateForm(initial=initial, actor=request.user)
    return render(request, "platform/org_form.html", {"form": form, "unit": None})


@scoped_view
def org_edit(request, pk):
    require_any(request.user, MANAGE)
    unit = queries.org_unit_get(request.user, pk)
    if request.method == "POST":
        form = OrgUnitEditForm(request.POST)
        if form.is_valid():
            changes = {k: v for k, v in form.cleaned_data.items() if getattr(unit, k) != v}
            if not changes:
                messages.info(request, _("Nothing was changed."))
                return redirect("org-detail", unit.pk)
            try:
                actions.org_unit_update(actor=request.user, unit=unit, **changes)
            except ValidationError as exc:
                apply_action_errors(form, exc)
            else:
                messages.success(request, _("Changes saved."))
                return redirect("org-detail", unit.pk)
    else:
        form = OrgUnitEditForm(initial=OrgUnitEditForm.initial_for(unit))
    return render(request, "platform/org_form.html", {"form": form, "unit": unit})


# --- users ------------------------------------------------------------------------------------
@scoped_view
def user_list(request):
    require_any(request.user, *VIEW_USERS)
    form = UserFilterForm(request.GET, actor=request.user)
    filters = form.filters()
    page = paginate(request, queries.user_list(request.user, **filters))
    ctx = {
        "form": form,
        "page": page,
        "sort": filters["sort"],
        "export_filters": {k: v for k, v in filters.items() if k != "sort" or v != "username"},
        "filtered": any(k != "sort" for k in filters),
        "can_manage": request.user.has_perm(MANAGE),
        "can_export": request.user.has_perm("platform.export_data"),
        "labels": _user_labels(),
    }
    template = (
        "platform/user_list.html#results"
        if request.htmx and not request.htmx.boosted
        else "platform/user_list.html"
    )
    return render(request, template, ctx)


@require_POST
@scoped_view
def user_export(request):
    form = UserFilterForm(request.POST, actor=request.user)
    filters = form.filters()
    try:
        job = exports.export_start(actor=request.user, code="users", filters=filters)
    except ValidationError as exc:
        for item in exc.messages:
            messages.error(request, item)
        return HttpResponseRedirect(f"{reverse('user-list')}?{urlencode(filters)}")
    return redirect(reverse("job-detail", args=[job.pk]))


@scoped_view
def user_detail(request, pk):
    target = queries.user_get(request.user, pk)
    require_any(request.user, *VIEW_USERS)
    can_manage = request.user.has_perm(MANAGE)
    ctx = {
        "u": target,
        "labels": _user_labels(),
        "can_manage": can_manage,
        "can_reveal": request.user.has_perm("platform.reveal_pii"),
        "can_audit": request.user.has_perm("platform.view_audit"),
        "locked": queries.user_is_locked(target) if can_manage else False,
        "is_self": target.pk == request.user.pk,
    }
    return render(request, "platform/user_detail.html", ctx)


@never_cache
@require_POST
@scoped_view
def user_reveal(request, pk, field):
    target = queries.user_get(request.user, pk)
    require_any(request.user, *VIEW_USERS)
    try:
        value = actions.pii_reveal(actor=request.user, obj=target, field=field)
    except ValidationError as exc:
        return HttpResponse("; ".join(exc.messages), status=400, content_type="text/plain; charset=utf-8")
    return render(request, "platform/user_detail.html#revealed", {"value": value, "field": field})


@scoped_view
def user_create(request):
    require_any(request.user, MANAGE)
    if request.method == "POST":
        form = UserCreateForm(request.POST, actor=request.user)
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k != "password_confirm"}
            try:
                user = actions.user_create(actor=request.user, **data)
            except ValidationError as exc:
                apply_action_errors(form, exc)
            else:
                messages.success(request, _("User %(username)s created.") % {"username": user.username})
                return redirect("user-detail", user.pk)
    else:
        initial = {}
        unit_id = request.GET.get("org_unit", "")
        if unit_id.isdigit():
            initial["org_unit"] = queries.org_unit_choices(request.user).filter(pk=unit_id).first()
        form = UserCreateForm(initial=initial, actor=request.user)
    return render(request, "platform/user_form.html", {"form": form, "u": None})


@scoped_view
def user_edit(request, pk):
    target = queries.user_get(request.user, pk)
    require_any(request.user, MANAGE)
    kwargs = {"actor": request.user, "include_unit": target.org_unit_id}
    if request.method == "POST":
        form = UserEditForm(request.POST, **kwargs)
        if form.is_valid():
            changes = form.changes(target)
            if not changes:
                messages.info(request, _("Nothing was changed."))
                return redirect("user-detail", target.pk)
            try:
                actions.user_update(actor=request.user, user=target, **changes)
            except ValidationError as exc:
                apply_action_errors(form, exc)
            else:
                messages.success(request, _("Changes saved."))
                return redirect("user-detail", target.pk)
    else:
        form = UserEditForm(initial=UserEditForm.initial_for(target), **kwargs)
    return render(request, "platform/user_form.html", {"form": form, "u": target})


@scoped_view
def user_password(request, pk):
    target = queries.user_get(request.user, pk)
    require_any(request.user, MANAGE)
    if target.pk == request.user.pk:
        messages.info(request, _("Change your own password on your profile page."))
        return redirect("profile")
    if request.method == "POST":
        form = SetPasswordForm(request.POST)
        if form.is_valid():
            try:
                actions.user_set_password(
                    actor=request.user, user=target, password=form.cleaned_data["password"]
                )
            except ValidationError as exc:
                apply_action_errors(form, exc)
            else:
                messages.success(
                    request, _("The password of %(username)s was reset.") % {"username": target.username}
                )
                return redirect("user-detail", target.pk)
    else:
        form = SetPasswordForm()
    return render(request, "platform/user_password.html", {"form": form, "u": target})


@require_POST
@scoped_view
def user_unlock(request, pk):
    target = queries.user_get(request.user, pk)
    require_any(request.user, MANAGE)
    actions.user_unlock(actor=request.user, user=target)
    messages.success(request, _("Sign-in for %(username)s is unlocked.") % {"username": target.username})
    return redirect("user-detail", target.pk)


# --- roles ------------------------------------------------------------------------------------
def _can_edit_roles(user) -> bool:
    return user.has_perm(MANAGE) and (user.is_superuser or user.data_scope == DataScope.ALL)


@scoped_view
def role_list(request):
    require_any(request.user, MANAGE)
    return render(
        request,
        "platform/role_list.html",
        {
            "roles": queries.role_list(request.user),
            "can_edit": _can_edit_roles(request.user),
        },
    )


@scoped_view
def role_edit(request, pk):
    if not _can_edit_roles(request.user):
        raise AccessDenied(_("Only a headquarters administrator can change roles."))
    role = queries.role_get(pk)
    if request.method == "POST":
        form = RoleForm(request.POST)
        if form.is_valid():
            editable = form.fields["permissions"].queryset
            kept = list(role.permissions.exclude(pk__in=editable.values("pk")).select_related("content_type"))
            try:
                actions.role_update(
                    actor=request.user,
                    role=role,
                    data_scope=form.cleaned_data["data_scope"],
                    permissions=kept + list(form.cleaned_data["permissions"]),
                    name=form.cleaned_data["name"],
                    name_en=form.cleaned_data["name_en"],
                )
            except ValidationError as exc:
                apply_action_errors(form, exc)
            else:
                messages.success(request, _("Role “%(name)s” saved.") % {"name": role.name})
                return redirect("role-list")
    else:
        form = RoleForm(
            initial={
                "name": role.name,
                "name_en": role.name_en,
                "data_scope": role.data_scope,
                "permissions": list(role.permissions.all()),
            }
        )
    return render(request, "platform/role_form.html", {"form": form, "role": role})


# --- own profile ------------------------------------------------------------------------------
@scoped_view
def profile(request):
    me = request.user
    language_form = LanguageForm(initial={"language": me.language})
    password_form = ChangeOwnPasswordForm()
    if request.method == "POST" and request.POST.get("form") == "language":
        language_form = LanguageForm(request.POST)
        if language_form.is_valid():
            lang = language_form.cleaned_data["language"]
            try:
                actions.user_set_language(actor=me, language=lang)
            except ValidationError as exc:
                apply_action_errors(language_form, exc)
            else:
                with translation.override(lang):
                    messages.success(request, _("Language changed."))
                response = redirect("profile")
                response.set_cookie(
                    settings.LANGUAGE_COOKIE_NAME,
                    lang,
                    max_age=365 * 24 * 3600,
                    samesite="Lax",
                    secure=request.is_secure(),
                )
                return response
    elif request.method == "POST" and request.POST.get("form") == "password":
        password_form = ChangeOwnPasswordForm(request.POST)
        if password_form.is_valid():
            try:
                data = password_form.cleaned_data
                user = actions.user_set_password(
                    actor=me, user=me, password=data["password"], current_password=data["current_password"]
                )
            except ValidationError as exc:
                apply_action_errors(password_form, exc)
            else:
                update_session_auth_hash(request, user)  # stay signed in on this device
                messages.success(request, _("Your password was changed."))
                return redirect("profile")
    return render(
        request,
        "platform/profile.html",
        {
            "me": me,
            "labels": _user_labels(),
            "language_form": language_form,
            "password_form": password_form,
        },
    )


__all__ = [
    "org_create",
    "org_detail",
    "org_edit",
    "org_tree",
    "profile",
    "role_edit",
    "role_list",
    "user_create",
    "user_detail",
    "user_edit",
    "user_export",
    "user_list",
    "user_password",
    "user_reveal",
    "user_unlock",
]
