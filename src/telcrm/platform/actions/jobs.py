"""Starting, retrying and cancelling background jobs."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from ..auditing import audit_write, snapshot
from ..errors import field_error
from ..jobs import HANDLERS
from ..models import Job, JobStatus
from ._base import access


def _enqueue(job: Job) -> None:
    from ..tasks import run_job

    transaction.on_commit(lambda: run_job.delay(str(job.pk)))


@transaction.atomic
def job_start(*, actor, kind: str, title: str, params: dict | None = None, total: int = 0) -> Job:
    if kind not in HANDLERS:
        raise field_error("kind", _("Unknown kind of job."), "invalid_choice")
    job = Job.objects.create(kind=kind, title=str(title)[:200], params=params or {}, progress_total=total,
                             owner=actor, org_unit=actor.org_unit)
    audit_write(action="job.start", actor=actor, obj=job, after=snapshot(job, ["kind", "title", "params"]))
    _enqueue(job)
    return job


@transaction.atomic
def job_retry(*, actor, job: Job) -> Job:
    job = access(Job.objects, actor, job.pk, for_update=True)
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
    job = access(Job.objects, actor, job.pk, for_update=True)
    if job.is_finished:
        raise field_error("status", _("This job has already finished."), "invalid_state")
    before = snapshot(job, ["status"])
    job.status = JobStatus.CANCELLED
    job.save(update_fields=["status", "updated_at"])
    audit_write(action="job.cancel", actor=actor, obj=job, before=before, after=snapshot(job, ["status"]))
    return job
