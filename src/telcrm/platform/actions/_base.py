"""Shared helpers of platform actions: permission checks and scoped fetches (Zulip's access_*)."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from ..errors import AccessDenied, NotFoundInScope


def require_perm(actor, perm: str) -> None:
    if actor is None or not actor.is_authenticated or not actor.has_perm(perm):
        raise AccessDenied()


def access(queryset, actor, pk, *, for_update: bool = False):
    """The row ``pk`` if it lies within ``actor``'s data scope; else NotFoundInScope.

    ``for_update`` locks that one row only (``FOR UPDATE OF`` its own table): rows the query joins
    (``select_related``, the scope's filters) are read, not locked. Locking them too would make clerks
    working on different rows wait for, and deadlock over, the customer or unit they share, and
    PostgreSQL refuses FOR UPDATE on the nullable side of an outer join (a ``select_related`` over a
    nullable foreign key). A caller that writes a joined row locks it itself.
    """
    qs = queryset.restrict(actor)
    if for_update:
        qs = qs.select_for_update(of=("self",))
    try:
        return qs.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, ValidationError) as exc:
        raise NotFoundInScope() from exc


def validate(obj, *, exclude=None) -> None:
    """Model validation (field rules, unique constraints) as a ValidationError naming the fields."""
    obj.full_clean(exclude=exclude)
