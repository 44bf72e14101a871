"""Reading the org tree, users and roles, always through the actor's data scope."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from ..models import OrgUnit, Role, User

USER_SORTS = {"username", "-username", "full_name", "-full_name", "org_unit__path", "-org_unit__path",
              "date_joined", "-date_joined", "role__id", "-role__id"}


def org_unit_list(actor, *, q: str = "", kind: str = "") -> QuerySet[OrgUnit]:
    qs = OrgUnit.objects.restrict(actor).select_related("parent")
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(code__icontains=q) | Q(name_en__icontains=q))
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("path")


def org_unit_choices(actor) -> QuerySet[OrgUnit]:
    return OrgUnit.objects.restrict(actor).filter(is_active=True).order_by("path")


def user_list(actor, *, q: str = "", org_unit: int | None = None, role: str = "", active: str = "",
              sort: str = "username") -> QuerySet[User]:
    qs = User.objects.restrict(actor).select_related("org_unit", "role")
    if q:
        qs = qs.filter(Q(username__icontains=q) | Q(full_name__icontains=q) | Q(employee_no__icontains=q)
                       | Q(mobile__icontains=q))
    if org_unit:
        unit = OrgUnit.objects.filter(pk=org_unit).first()
        qs = qs.filter(org_unit__path__startswith=unit.path) if unit else qs.none()
    if role:
        qs = qs.filter(role__code=role)
    if active in ("1", "0"):
        qs = qs.filter(is_active=active == "1")
    return qs.order_by(sort if sort in USER_SORTS else "username", "pk")


def user_by_id_number(actor, id_number: str) -> QuerySet[User]:
    """Exact lookup by ID number through the blind index (the database holds no plaintext)."""
    from .. import crypto

    bidx = crypto.blind_index(crypto.normalize(id_number), context="platform.User.id_number")
    return User.objects.restrict(actor).filter(id_number_bidx=bidx)


def user_get(actor, pk) -> User:
    from ..actions import access

    return access(User.objects.select_related("org_unit", "role"), actor, pk)


def role_list() -> QuerySet[Role]:
    from django.db.models import Count

    return Role.objects.annotate(user_count=Count("users")).order_by("id")
