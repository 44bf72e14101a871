"""Global search (the box in the top bar): every module registers a provider; each scopes itself."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Hit:
    kind: str
    title: str
    subtitle: str
    url: str


PROVIDERS: list[tuple[str, Callable]] = []
_ORDER: dict[Callable, int] = {}


def provider(label, *, order: int = 100):
    """Register ``fn(user, q, limit) -> list[Hit]``; groups are shown by ``order`` (lower first)."""

    def register(fn):
        _ORDER[fn] = order
        PROVIDERS.append((label, fn))
        PROVIDERS.sort(key=lambda item: _ORDER.get(item[1], 100))  # stable: equal orders keep theirs
        return fn

    return register


@provider(_("Users"))
def _users(user, q: str, limit: int) -> list[Hit]:
    from telcrm.platform.queries import user_list

    if not (user.has_perm("platform.view_user") or user.has_perm("platform.manage_platform")):
        return []
    return [
        Hit(
            "user",
            f"{u.full_name} ({u.username})",
            f"{u.org_unit.display_name} · {u.role or ''}",
            reverse("user-detail", args=[u.pk]),
        )
        for u in user_list(user, q=q)[:limit]
    ]


@provider(_("Organisation units"))
def _orgs(user, q: str, limit: int) -> list[Hit]:
    from telcrm.platform.queries import org_unit_list

    if not (user.has_perm("platform.view_orgunit") or user.has_perm("platform.manage_platform")):
        return []
    return [
        Hit("org", o.display_name, f"{o.code} · {o.get_kind_display()}", reverse("org-detail", args=[o.pk]))
        for o in org_unit_list(user, q=q)[:limit]
    ]


def search(user, q: str, limit: int = 8) -> list[tuple[str, list[Hit]]]:
    q = (q or "").strip()
    if len(q) < 1:
        return []
    groups = []
    for label, fn in PROVIDERS:
        hits = fn(user, q, limit)
        if hits:
            groups.append((label, hits))
    return groups
