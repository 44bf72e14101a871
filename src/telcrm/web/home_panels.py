"""Data for the home page of each role: the figures and lists that role starts its day with.

Every figure is read through the platform queries, so it honours the user's data scope. Modules
add panels for their roles as they land (the clerk's queue, the installer's appointments…) with
:func:`register`: a template, a loader ``loader(user) -> dict | None`` (None hides the panel) and
the roles (codes) whose home page shows it; the default home template renders them in order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Count
from django.utils import timezone

from telcrm.platform import calendar, queries
from telcrm.platform.models import Job, JobStatus, OrgKind, OrgUnit, User


def _today(user) -> dict:
    try:
        cal = calendar.load()
    except Exception:  # no calendar configured yet
        return {"working_day": None}
    now = timezone.localtime()
    spans = cal.intervals(now.date())
    return {
        "working_day": bool(spans),
        "hours": [f"{a:%H:%M}–{b:%H:%M}" if b.hour or b.minute else f"{a:%H:%M}–24:00" for a, b in spans],
        "now_working": calendar.is_working_time(cal, now),
    }


def _common(user) -> dict:
    return {
        "today": _today(user),
        "recent_notifications": list(queries.notifications_for(user, limit=5)),
        "recent_jobs": list(queries.job_list(user)[:5]),
    }


def _directory_figures(user) -> dict:
    users = User.objects.restrict(user)
    units = OrgUnit.objects.restrict(user)
    by_kind = dict(units.values_list("kind").annotate(n=Count("id")))
    return {
        "figures": [
            {"label": OrgKind(k).label, "value": by_kind.get(k, 0)} for k in OrgKind.values if by_kind.get(k)
        ],
        "user_count": users.filter(is_active=True).count(),
    }


@dataclass(frozen=True)
class HomePanel:
    code: str
    template: str  # rendered inside the home page's row of cards; sees ``panel`` (the loader's dict)
    loader: Callable[[object], dict | None]
    roles: tuple[str, ...] = ()  # role codes whose home shows it; empty = every role
    perm: str | None = None  # and only when the user holds this permission
    order: int = 100


PANELS: dict[str, HomePanel] = {}


def register(panel: HomePanel) -> HomePanel:
    """Add a module's panel to the home pages of ``panel.roles`` (same code replaces)."""
    PANELS[panel.code] = panel
    return panel


def module_panels(user) -> list[dict]:
    code = user.role.code if user.role_id else ""
    out = []
    for p in sorted(PANELS.values(), key=lambda p: (p.order, p.code)):
        if (p.roles and code not in p.roles) or (p.perm and not user.has_perm(p.perm)):
            continue
        data = p.loader(user)
        if data is not None:
            out.append({"code": p.code, "template": p.template, "data": data})
    return out


def context_for(user) -> dict:
    ctx = _common(user)
    ctx["module_panels"] = module_panels(user)
    code = user.role.code if user.role_id else ""
    if user.has_perm("platform.view_user") or user.has_perm("platform.manage_platform"):
        ctx.update(_directory_figures(user))
    if user.has_perm("platform.view_audit"):
        ctx["recent_audit"] = list(queries.audit_search(user)[:8])
    if code == "admin":
        ctx["failed_jobs"] = Job.objects.restrict(user).filter(status=JobStatus.FAILED).count()
        ctx["roles"] = list(queries.role_list())
    if code in ("analyst", "branch_manager"):
        ctx["staff_by_role"] = list(
            User.objects.restrict(user)
            .filter(is_active=True)
            .values("role__name", "role__name_en")
            .annotate(n=Count("id"))
            .order_by("-n")
        )
    return ctx
