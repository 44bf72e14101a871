"""Reading the audit log, jobs and notifications."""

from __future__ import annotations

from datetime import date, datetime, time

from django.db.models import Q, QuerySet
from django.utils import timezone

from ..errors import AccessDenied
from ..models import AuditLog, Job, Notification, subtree_ids


def audit_search(
    actor,
    *,
    q: str = "",
    action: str = "",
    kind: str = "",
    actor_username: str = "",
    object_type: str = "",
    object_id: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[AuditLog]:
    """Audit records the actor may see: everything for HQ scope, their subtree for branch managers."""
    if not actor.has_perm("platform.view_audit"):
        raise AccessDenied()
    qs = AuditLog.objects.select_related("org_unit")
    if actor.data_scope != "all":
        qs = qs.filter(org_unit_id__in=subtree_ids(actor.org_unit))
    if q:
        qs = qs.filter(Q(object_repr__icontains=q) | Q(action__icontains=q) | Q(actor_username__icontains=q))
    if action:
        qs = qs.filter(action=action)
    if kind:
        qs = qs.filter(kind=kind)
    if actor_username:
        qs = qs.filter(actor_username=actor_username)
    if object_type:
        qs = qs.filter(object_type=object_type)
    if object_id:
        qs = qs.filter(object_id=object_id)
    tz = timezone.get_current_timezone()
    if date_from:
        qs = qs.filter(at__gte=datetime.combine(date_from, time.min, tzinfo=tz))
    if date_to:
        qs = qs.filter(at__lte=datetime.combine(date_to, time.max, tzinfo=tz))
    return qs.order_by("-at", "-id")


def job_list(actor, *, status: str = "") -> QuerySet[Job]:
    """Own jobs; every job in scope for holders of platform.view_jobs_all."""
    if actor.has_perm("platform.view_jobs_all"):
        qs = Job.objects.restrict(actor)
    else:
        qs = Job.objects.filter(owner=actor)
    if status:
        qs = qs.filter(status=status)
    return qs.select_related("owner").order_by("-created_at")


def job_get(actor, pk) -> Job:
    from ..errors import NotFoundInScope

    job = job_list(actor).filter(pk=pk).first() if _is_uuid(pk) else None
    if job is None:
        raise NotFoundInScope()
    return job


def _is_uuid(value) -> bool:
    import uuid

    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


def notifications_for(actor, *, unread_only: bool = False, limit: int | None = None):
    qs = Notification.objects.filter(recipient=actor)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs[:limit] if limit else qs


def unread_count(actor) -> int:
    return Notification.objects.filter(recipient=actor, read_at__isnull=True).count()


def audit_get(actor, pk) -> AuditLog:
    """One audit record within the actor's audit scope, else NotFoundInScope."""
    from ..errors import NotFoundInScope

    record = audit_search(actor).select_related("actor").filter(pk=pk).first() if str(pk).isdigit() else None
    if record is None:
        raise NotFoundInScope()
    return record


def job_status_counts(actor) -> dict[str, int]:
    """{status: number of jobs} over the jobs the actor may see (one grouped query)."""
    from django.db.models import Count

    rows = job_list(actor).order_by().values_list("status").annotate(n=Count("pk"))
    return dict(rows)


def auth_failure_count(actor, *, since: datetime) -> int:
    """Failed sign-ins since ``since``, across the installation (monitoring; platform.manage_platform)."""
    if not actor.has_perm("platform.manage_platform"):
        raise AccessDenied()
    return AuditLog.objects.filter(action="auth.login_failed", at__gte=since).count()


def worker_heartbeats() -> list:
    from ..models import WorkerHeartbeat

    return list(WorkerHeartbeat.objects.order_by("name"))
