"""Starting, retrying and cancelling background jobs."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..auditing import audit_event, audit_write, snapshot
from ..errors import NotFoundInScope, field_error
from ..jobs import HANDLERS
from ..models import AuditKind, Job, JobStatus
from ._base import access


def _access_job(actor, pk, *, for_update: bool = False) -> Job:
    """The job if the actor may see it: their own, or any in scope with platform.view_jobs_all
    (the same rule as queries.job_list, so nobody acts on a job they cannot see)."""
    qs = Job.objects if actor.has_perm("platform.view_jobs_all") else Job.objects.filter(owner=actor)
    return access(qs, actor, pk, for_update=for_update)


def _enqueue(job: Job) -> None:
    from ..tasks import run_job

    transaction.on_commit(lambda: run_job.delay(str(job.pk)))


@transaction.atomic
def job_start(*, actor, kind: str, title: str, params: dict | None = None, total: int = 0) -> Job:
    if kind not in HANDLERS:
        raise field_error("kind", _("Unknown kind of job."), "invalid_choice")
    job = Job.objects.create(
        kind=kind,
        title=str(title)[:200],
        params=params or {},
        progress_total=total,
        owner=actor,
        org_unit=actor.org_unit,
    )
    audit_write(action="job.start", actor=actor, obj=job, after=snapshot(job, ["kind", "title", "params"]))
    _enqueue(job)
    return job


@transaction.atomic
def job_retry(*, actor, job: Job) -> Job:
    job = _access_job(actor, job.pk, for_update=True)
    if job.status not in (JobStatus.FAILED, JobStatus.CANCELLED):
        raise field_error("status", _("Only a failed or cancelled job can be retried."), "invalid_state")
    before = snapshot(job, ["status"])
    job.status = JobStatus.QUEUED
    job.progress_done = 0
    job.error = ""
    job.message = ""
    job.finished_at = None
    job.save()
    audit_write(action="job.retry", actor=actor, obj=job, before=before, after=snapshot(job, ["status"]))
    _enqueue(job)
    return job


@transaction.atomic
def job_cancel(*, actor, job: Job) -> Job:
    job = _access_job(actor, job.pk, for_update=True)
    if job.is_finished:
        raise field_error("status", _("This job has already finished."), "invalid_state")
    before = snapshot(job, ["status"])
    job.status = JobStatus.CANCELLED
    job.finished_at = timezone.now()  # a running job's worker overwrites it when it actually stops
    job.save(update_fields=["status", "finished_at", "updated_at"])
    audit_write(action="job.cancel", actor=actor, obj=job, before=before, after=snapshot(job, ["status"]))
    return job


@transaction.atomic
def job_result_open(*, actor, job: Job) -> Path:
    """The result file of a succeeded job, for download; audited (who took which export file).

    The path stored on the job is resolved and must lie inside MEDIA_ROOT/exports, so a tampered
    ``result_file`` ("../../secret_key", an absolute path, a symlink out) is never served.
    """
    job = _access_job(actor, job.pk)
    if job.status != JobStatus.SUCCEEDED or not job.result_file:
        raise NotFoundInScope()
    root = (Path(settings.MEDIA_ROOT) / "exports").resolve()
    path = (Path(settings.MEDIA_ROOT) / job.result_file).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        raise NotFoundInScope()
    audit_event(
        kind=AuditKind.EXPORT, action="export.download", actor=actor, obj=job, after={"file": path.name}
    )
    return path
