"""Reads of the rule tables. Tables are installation-wide (no org scope): reading needs
``catalog.view_catalog`` (or ``catalog.manage_catalog``)."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery

from telcrm.platform.errors import AccessDenied, NotFoundInScope

from . import dmn
from .models import DecisionTable, DecisionTableVersion, VersionStatus

VIEW = "catalog.view_catalog"
MANAGE = "catalog.manage_catalog"
MAX_Q = 100


def can_read(actor) -> bool:
    return bool(
        actor is not None and actor.is_authenticated and (actor.has_perm(VIEW) or actor.has_perm(MANAGE))
    )


def require_read(actor) -> None:
    if not can_read(actor):
        raise AccessDenied()


def _annotated(qs: QuerySet) -> QuerySet:
    published = DecisionTableVersion.objects.filter(table=OuterRef("pk"), status=VersionStatus.PUBLISHED)
    draft = DecisionTableVersion.objects.filter(table=OuterRef("pk"), status=VersionStatus.DRAFT)
    return qs.select_related("changed_by").annotate(
        published_number=Subquery(published.values("number")[:1]),
        published_rows=Subquery(published.values("row_count")[:1]),
        published_at=Subquery(published.values("published_at")[:1]),
        draft_number=Subquery(draft.values("number")[:1]),
        has_draft=Exists(draft),
    )


def table_list(actor, *, q: str = "", kind: str = "", active: bool | None = None) -> QuerySet:
    """The tables with their published version, draft and last change, ordered by kind and code."""
    require_read(actor)
    qs = DecisionTable.objects.all()
    q = (q or "").strip()[:MAX_Q]
    if q:
        qs = qs.filter(Q(code__icontains=q) | Q(name__icontains=q) | Q(name_en__icontains=q))
    if kind:
        qs = qs.filter(kind=kind)
    if active is not None:
        qs = qs.filter(is_active=active)
    return _annotated(qs).order_by("kind", "code")


def table_get(actor, *, pk=None, code: str | None = None) -> DecisionTable:
    require_read(actor)
    qs = _annotated(DecisionTable.objects.all())
    try:
        return qs.get(pk=pk) if code is None else qs.get(code=code)
    except (DecisionTable.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFoundInScope() from exc


def version_list(actor, table: DecisionTable) -> QuerySet:
    require_read(actor)
    return (
        DecisionTableVersion.objects.filter(table=table)
        .select_related("created_by", "published_by")
        .order_by("-number")
    )


def version_get(actor, table: DecisionTable, number) -> DecisionTableVersion:
    require_read(actor)
    try:
        version = DecisionTableVersion.objects.select_related("created_by", "published_by").get(
            table=table, number=number
        )
    except (DecisionTableVersion.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFoundInScope() from exc
    version.table = table
    return version


def working_version(table: DecisionTable) -> DecisionTableVersion | None:
    """The version the editor opens: the draft, else the published version, else the latest."""
    versions = DecisionTableVersion.objects.filter(table=table).select_related("created_by", "published_by")
    order = {VersionStatus.DRAFT: 0, VersionStatus.PUBLISHED: 1}
    found = sorted(
        versions.filter(status__in=[VersionStatus.DRAFT, VersionStatus.PUBLISHED]),
        key=lambda v: order[v.status],
    )
    version = found[0] if found else versions.order_by("-number").first()
    if version is not None:
        version.table = table
    return version


def previous_version(version: DecisionTableVersion) -> DecisionTableVersion | None:
    return (
        DecisionTableVersion.objects.filter(table_id=version.table_id, number__lt=version.number)
        .order_by("-number")
        .first()
    )


def grid_of(version: DecisionTableVersion | None) -> dmn.Grid | None:
    """The grid of a stored version (every stored version was checked when it was saved)."""
    if version is None:
        return None
    return dmn.read_xml(version.dmn_xml)


def version_diff(version: DecisionTableVersion) -> tuple[DecisionTableVersion | None, list[dmn.DiffLine]]:
    """The version before ``version`` and the line diff of their grids."""
    previous = previous_version(version)
    return previous, dmn.diff(grid_of(previous), grid_of(version))
