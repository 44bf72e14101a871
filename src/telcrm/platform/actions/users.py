"""User administration and self-service actions."""

from __future__ import annotations

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from ..auditing import audit_write, snapshot
from ..errors import AccessDenied, field_error
from ..models import Language, OrgUnit, Role, User
from ._base import access, require_perm, validate

EDITABLE = (
    "full_name",
    "employee_no",
    "email",
    "mobile",
    "id_number",
    "org_unit",
    "role",
    "language",
    "is_active",
)


def _check_org_and_role(actor, org_unit: OrgUnit | None, role: Role | None) -> None:
    if org_unit is None:
        raise field_error("org_unit", _("Choose the user's organisation unit."), "required")
    if not OrgUnit.objects.restrict(actor).filter(pk=org_unit.pk).exists():
        raise field_error("org_unit", _("This unit is outside your data scope."), "out_of_scope")
    if not org_unit.is_active:
        raise field_error("org_unit", _("This unit is inactive."), "inactive")
    if role is not None and role.code == "admin" and not actor.is_superuser and actor.data_scope != "all":
        raise field_error(
            "role", _("Only a headquarters administrator can grant the administrator role."), "forbidden"
        )


def _check_password(password: str, user: User) -> None:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.error_list}) from exc


@transaction.atomic
def user_create(
    *,
    actor,
    username: str,
    full_name: str,
    org_unit: OrgUnit,
    role: Role | None,
    password: str,
    email: str = "",
    mobile: str = "",
    employee_no: str = "",
    id_number: str = "",
    language: str = Language.ZH_HANS,
) -> User:
    if actor is not None:
        require_perm(actor, "platform.manage_platform")
        _check_org_and_role(actor, org_unit, role)
    user = User(
        username=username.strip(),
        full_name=full_name.strip(),
        org_unit=org_unit,
        role=role,
        email=email.strip(),
        mobile=mobile.strip(),
        employee_no=employee_no.strip(),
        language=language,
    )
    user.id_number = id_number
    validate(user, exclude=["password", "id_number"])
    _check_password(password, user)
    user.set_password(password)
    user.save()
    audit_write(action="user.create", actor=actor, obj=user, after=snapshot(user))
    return user


@transaction.atomic
def user_update(*, actor, user: User, **changes) -> User:
    require_perm(actor, "platform.manage_platform")
    user = access(User.objects, actor, user.pk, for_update=True)
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise field_error(sorted(unknown)[0], _("This field cannot be changed here."), "read_only")
    if user.pk == actor.pk and changes.get("is_active") is False:
        raise field_error("is_active", _("You cannot deactivate your own account."), "self")
    before = snapshot(user)
    for k, v in changes.items():
        setattr(user, k, v.strip() if isinstance(v, str) and k != "id_number" else v)
    if "org_unit" in changes or "role" in changes:
        _check_org_and_role(actor, user.org_unit, user.role)
    validate(user, exclude=["password", "id_number"])
    user.save()
    audit_write(action="user.update", actor=actor, obj=user, before=before, after=snapshot(user))
    return user


@transaction.atomic
def user_set_password(*, actor, user: User, password: str, current_password: str | None = None) -> User:
    """An administrator resets a password, or a user changes their own (with the current one)."""
    if actor.pk == user.pk:
        if current_password is None or not user.check_password(current_password):
            raise field_error("current_password", _("The current password is not correct."), "invalid")
    else:
        require_perm(actor, "platform.manage_platform")
        user = access(User.objects, actor, user.pk, for_update=True)
    _check_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password", "updated_at"])
    audit_write(
        action="user.set_password",
        actor=actor,
        obj=user,
        before={"password": "***"},
        after={"password": "*** (changed)"},
    )
    return user


@transaction.atomic
def user_set_language(*, actor, language: str) -> User:
    if language not in Language.values:
        raise field_error("language", _("Choose a supported language."), "invalid_choice")
    user = User.objects.select_for_update().get(pk=actor.pk)
    before = snapshot(user, ["language"])
    user.language = language
    user.save(update_fields=["language", "updated_at"])
    audit_write(
        action="user.set_language", actor=actor, obj=user, before=before, after=snapshot(user, ["language"])
    )
    return user


@transaction.atomic
def user_unlock(*, actor, user: User) -> None:
    """Clear a lockout from repeated failed sign-ins."""
    from axes.utils import reset

    require_perm(actor, "platform.manage_platform")
    user = access(User.objects, actor, user.pk)
    reset(username=user.username)
    audit_write(action="user.unlock", actor=actor, obj=user, before={"locked": True}, after={"locked": False})


@transaction.atomic
def role_update(
    *,
    actor,
    role: Role,
    data_scope: str | None = None,
    permissions=None,
    name: str | None = None,
    name_en: str | None = None,
) -> Role:
    require_perm(actor, "platform.manage_platform")
    if actor.data_scope != "all" and not actor.is_superuser:
        raise AccessDenied(_("Only a headquarters administrator can change roles."))
    role = Role.objects.select_for_update().get(pk=role.pk)
    before = snapshot(role) | {"permissions": sorted(role.permissions.values_list("codename", flat=True))}
    if data_scope is not None:
        role.data_scope = data_scope
    if name is not None:
        role.name = name.strip()
    if name_en is not None:
        role.name_en = name_en.strip()
    validate(role)
    role.save()
    if permissions is not None:
        permissions = list(permissions)
        keeps_admin = any(
            p.codename == "manage_platform" and p.content_type.app_label == "platform" for p in permissions
        )
        if role.pk == actor.role_id and not actor.is_superuser and not keeps_admin:
            raise field_error(
                "permissions",
                _("You cannot remove the administration permission from your own role."),
                "self",
            )
        role.permissions.set(permissions)
    after = snapshot(role) | {"permissions": sorted(role.permissions.values_list("codename", flat=True))}
    audit_write(action="role.update", actor=actor, obj=role, before=before, after=after)
    return role
