"""Running long work as jobs: handlers registered by kind, progress written to the Job row.

A module registers ``@job_handler("customers.import")`` on ``fn(job, progress)``; the action
``job_start`` creates the row and queues ``platform.run_job`` after commit. The handler calls
``progress.step(n)`` / ``progress.set(done, total, message)``; writes are throttled so a loop over
a million rows costs a few hundred UPDATEs. An exception marks the job failed with its error and
notifies the owner; ``job_retry`` queues it again.
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from .models import Job, JobStatus

HANDLERS: dict[str, Callable] = {}


def job_handler(kind: str):
    def register(fn):
        HANDLERS[kind] = fn
        return fn

    return register


class JobCancelled(Exception):
    pass


class Progress:
    MIN_INTERVAL = 0.5  # seconds between progress writes

    def __init__(self, job: Job):
        self.job = job
        self.done = job.progress_done
        self.total = job.progress_total
        self._last_write = 0.0

    def set(self, done: int | None = None, total: int | None = None, message: str | None = None, force=False):
        if done is not None:
            self.done = done
        if total is not None:
            self.total = total
        now = time.monotonic()
        # With an unknown total (0) only the interval throttles; the final count is written on success.
        reached_end = bool(self.total) and self.done >= self.total
        if force or message is not None or now - self._last_write >= self.MIN_INTERVAL or reached_end:
            self._flush(message)
            self._last_write = now

    def step(self, n: int = 1, message: str | None = None):
        self.set(self.done + n, message=message)

    def _flush(self, message: str | None):
        fields = {"progress_done": self.done, "progress_total": self.total, "heartbeat_at": timezone.now()}
        if message is not None:
            fields["message"] = str(message)[:255]
        # One conditional UPDATE: it matches only while this run still owns the job. A cancel, a reap
        # or a retry (which starts another attempt) makes it match nothing, and this run stops.
        if not _this_run(self.job).update(**fields):
            raise JobCancelled()


def _this_run(job: Job):
    return Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING, attempts=job.attempts)


def execute(job_id) -> None:
    """Run one job (called by the Celery task). Safe to call twice: finished jobs are skipped."""
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.is_finished:
            return
        job.status = JobStatus.RUNNING
        job.started_at = timezone.now()
        job.heartbeat_at = job.started_at
        job.attempts += 1
        job.error = ""
        job.save(update_fields=["status", "started_at", "heartbeat_at", "attempts", "error"])
    handler = HANDLERS.get(job.kind)
    progress = Progress(job)
    try:
        if handler is None:
            raise LookupError(f"no handler for job kind {job.kind!r}")
        result = handler(job, progress) or {}
    except JobCancelled:
        Job.objects.filter(pk=job.pk, status=JobStatus.CANCELLED).update(finished_at=timezone.now())
        return
    except Exception as exc:
        if not _this_run(job).update(
            status=JobStatus.FAILED,
            finished_at=timezone.now(),
            error=f"{type(exc).__name__}: {exc}\n\n{traceback.format_exc()}"[:20000],
        ):
            return  # cancelled or taken over meanwhile: that state stands
        notify_owner(job, "danger", _("Job failed: %(title)s"), body=str(exc)[:500])
        return
    if not _this_run(job).update(
        status=JobStatus.SUCCEEDED,
        finished_at=timezone.now(),
        result=result.get("result", {}),
        result_file=result.get("file", ""),
        progress_done=max(progress.done, progress.total),
        message=str(result.get("message", ""))[:255],
    ):
        return
    notify_owner(job, "success", _("Job finished: %(title)s"))


def notify_owner(job: Job, level: str, title, body: str = "") -> None:
    """Tell the owner, in the owner's own language, how their job ended."""
    from django.urls import reverse

    from .actions.notifications import notify

    if not job.owner_id:
        return
    owner = job.owner
    with translation.override(owner.language or None):
        notify(
            recipient=owner,
            level=level,
            title=str(title) % {"title": job.title},
            body=body,
            link=reverse("job-detail", args=[job.pk]),
        )
