"""Reading the org tree, users and roles, always through the actor's data scope."""

from __future__ import annotations

from django.contrib.auth.models import Permission
from django.db.models import Count, Q, QuerySet

from ..models import OrgUnit, Role, User

USER_SORTS = {
    "username",
    "-username",
    "full_name",
    "-full_name",
    "org_unit__path",
    "-org_unit__path",
    "date_joined",
    "-date_joined",
    "role__id",
    "-role__id",
}


def org_unit_list(actor, *, q: str = "", kind: str = "") -> QuerySet[OrgUnit]:
    qs = OrgUnit.objects.restrict(actor).select_related("parent")
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(code__icontains=q) | Q(name_en__icontains=q))
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("path")


def org_unit_choices(actor, *, include: int | None = None) -> QuerySet[OrgUnit]:
    """Active units in scope (plus unit ``include``, e.g. a user's current, possibly inactive, unit)."""
    active = Q(is_active=True) | Q(pk=include) if include else Q(is_active=True)
    return OrgUnit.objects.restrict(actor).filter(active).order_by("path")


def org_unit_get(actor, pk) -> OrgUnit:
    from ..actions import access

    return access(OrgUnit.objects.select_related("parent"), actor, pk)


def org_unit_tree(actor) -> QuerySet[OrgUnit]:
    """Units in scope in tree order, each with ``user_count`` (active users placed directly in it)."""
    return (
        OrgUnit.objects.restrict(actor)
        .annotate(user_count=Count("users", filter=Q(users__is_active=True)))
        .order_by("path")
    )


def user_list(
    actor,
    *,
    q: str = "",
    org_unit: int | None = None,
    role: str = "",
    active: str = "",
    sort: str = "username",
    direct: bool = False,
) -> QuerySet[User]:
    """Users in scope; ``org_unit`` selects that unit's subtree (only the unit itself with ``direct``)."""
    qs = User.objects.restrict(actor).select_related("org_unit", "role")
    if q:
        qs = qs.filter(
            Q(username__icontains=q)
            | Q(full_name__icontains=q)
            | Q(employee_no__icontains=q)
            | Q(mobile__icontains=q)
        )
    if org_unit:
        unit = OrgUnit.objects.filter(pk=org_unit).first()
        if unit is None:
            qs = qs.none()
        elif direct:
            qs = qs.filter(org_unit=unit)
        else:
            qs = qs.filter(org_unit__path__startswith=unit.path)
    if role:
        qs = qs.filter(role__code=role)
    if active in ("1", "0"):
        qs = qs.filter(is_active=active == "1")
    return qs.order_by(sort if sort in USER_SORTS else "username", "pk")


def user_by_id_number(actor, id_number: str) -> QuerySet[User]:
    """Exact lookup by ID number through the blind index (the database holds no plaintext)."""
    from .. import crypto

    bidx = crypto.blind_index(crypto.normalize(id_number), context="platform.User.id_number")
    return (
        User.objects.restrict(actor)
        .filter(id_number_bidx=bidx)
        .select_related("org_unit", "role")
        .order_by("username", "pk")
    )


def user_get(actor, pk) -> User:
    from ..actions import access

    return access(User.objects.select_related("org_unit", "role"), actor, pk)


def role_list(actor=None) -> QuerySet[Role]:
    """Roles with ``user_count`` (users in ``actor``'s scope when given) and ``perm_count``."""
    users = Q(users__in=User.objects.restrict(actor).values("pk")) if actor is not None else None
    return Role.objects.annotate(
        user_count=Count("users", filter=users, distinct=True), perm_count=Count("permissions", distinct=True)
    ).order_by("id")


def role_choices() -> QuerySet[Role]:
    return Role.objects.order_by("id")


def role_get(pk) -> Role:
    from ..errors import NotFoundInScope

    role = Role.objects.filter(pk=pk).first() if str(pk).isdigit() else None
    if role is None:
        raise NotFoundInScope()
    return role


# Model permissions offered in the role editor besides every app's custom ones ("app.codename").
ROLE_EXTRA_PERMISSIONS = (
    "platform.view_user",
    "platform.view_orgunit",
    "customers.view_customer",
    "customers.add_customer",
    "customers.change_customer",
)


def role_permission_choices() -> QuerySet[Permission]:
    """Permissions an administrator assigns to roles in the UI: the custom permissions of every
    telcrm app, plus the model permissions in ROLE_EXTRA_PERMISSIONS."""
    from django.apps import apps
    from django.db.models import Q

    wanted = Q(pk__in=[])
    for config in apps.get_app_configs():
        if not config.name.startswith("telcrm."):
            continue
        custom = {code for model in config.get_models() for code, _label in model._meta.permissions}
        extra = {p.split(".", 1)[1] for p in ROLE_EXTRA_PERMISSIONS if p.startswith(f"{config.label}.")}
        if custom | extra:
            wanted |= Q(content_type__app_label=config.label, codename__in=custom | extra)
    return (
        Permission.objects.filter(wanted)
        .select_related("content_type")
        .order_by("content_type__app_label", "codename")
    )


def user_is_locked(user: User) -> bool:
    """Whether sign-in is currently locked after repeated failures (django-axes)."""
    from axes.models import AccessAttempt
    from django.utils import timezone

    from ..auth import lockout_cooloff, lockout_failure_limit

    return AccessAttempt.objects.filter(
        username=user.username,
        failures_since_start__gte=lockout_failure_limit(None, None),
        attempt_time__gte=timezone.now() - lockout_cooloff(),
    ).exists()


def role_permission_names(roles) -> dict[int, list[str]]:
    """{role id: sorted "app_label.codename" permissions} for ``roles``, in one query."""
    out: dict[int, list[str]] = {r.pk: [] for r in roles}
    through = Role.permissions.through.objects.filter(role_id__in=list(out)).values_list(
        "role_id", "permission__content_type__app_label", "permission__codename"
    )
    for role_id, app_label, codename in through.order_by("permission__codename"):
        out[role_id].append(f"{app_label}.{codename}")
    return out
