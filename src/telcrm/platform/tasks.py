"""Celery tasks of the platform. Thin: take an id, call the code that does the work."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from . import context


@shared_task(name="platform.run_job", acks_late=True)
def run_job(job_id: str) -> None:
    from .jobs import execute

    with context.acting(channel="task"):
        execute(job_id)


@shared_task(name="platform.heartbeat")
def heartbeat() -> str:
    from .models import WorkerHeartbeat

    now = timezone.now()
    WorkerHeartbeat.objects.update_or_create(name="beat", defaults={"seen_at": now})
    return now.isoformat()


@shared_task(name="platform.expire_api_tokens")
def expire_api_tokens() -> int:
    from .models import ApiToken

    deleted, _ = ApiToken.objects.filter(expires_at__lt=timezone.now()).delete()
    return deleted


@shared_task(name="platform.reap_stale_jobs")
def reap_stale_jobs() -> int:
    """Fail running jobs whose worker died (no progress for jobs.stale_minutes) so they can be retried."""
    from django.db.models import Q

    from .jobs import notify_owner
    from .models import Job, JobStatus
    from .parameters import param

    now = timezone.now()
    cutoff = now - timedelta(minutes=int(param("jobs.stale_minutes")))
    stale = (
        Job.objects.dangerously_unscoped()
        .filter(status=JobStatus.RUNNING)
        .filter(Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, started_at__lt=cutoff))
    )
    reaped = stale.update(
        status=JobStatus.FAILED,
        finished_at=now,
        error="The worker stopped reporting progress (worker lost); retry the job.",
    )
    if reaped:
        from django.utils.translation import gettext_lazy as _

        for job in (
            Job.objects.dangerously_unscoped()
            .filter(status=JobStatus.FAILED, finished_at=now)
            .select_related("owner")
        ):
            notify_owner(job, "danger", _("Job failed: %(title)s"), body=job.error)
    return reaped
