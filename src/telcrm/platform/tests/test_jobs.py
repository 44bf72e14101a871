"""Background jobs (PLT-6): execution, progress, failure, retry, cancel, reaping, and the users export."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from telcrm.platform import actions, exports, jobs, tasks
from telcrm.platform.models import AuditKind, AuditLog, Job, JobStatus, Notification

CALLS: list[tuple[str, int]] = []  # (kind, attempt) of every handler run


@jobs.job_handler("test.count")
def _count(job, progress):
    CALLS.append((job.kind, job.attempts))
    n = job.params["n"]
    if job.params.get("known_total", True):
        progress.set(0, n)
    for _ in range(n):
        progress.step()
    # What the row says right now, before execute() writes the final state itself.
    seen = Job.objects.values_list("progress_done", flat=True).get(pk=job.pk)
    return {"result": {"seen_done": seen, "n": n}, "message": "counted"}


@jobs.job_handler("test.fail")
def _fail(job, progress):
    CALLS.append((job.kind, job.attempts))
    raise ValueError("boom 42")


@jobs.job_handler("test.flaky")
def _flaky(job, progress):
    CALLS.append((job.kind, job.attempts))
    if job.attempts == 1:
        raise ConnectionError("billing system unavailable")
    progress.set(1, 1)
    return {"message": "second time lucky"}


@jobs.job_handler("test.cancel_midway")
def _cancel_midway(job, progress):
    CALLS.append((job.kind, job.attempts))
    progress.set(1, 10)
    actions.job_cancel(actor=job.owner, job=job)  # the owner presses Cancel while the job runs
    progress.step()  # the next progress write notices
    CALLS.append(("test.cancel_midway:after", job.attempts))
    return {}


@jobs.job_handler("test.taken_over")
def _taken_over(job, progress):
    CALLS.append((job.kind, job.attempts))
    # The reaper failed this run meanwhile and the owner retried it: this (old) run must stop.
    Job.objects.filter(pk=job.pk).update(status=JobStatus.FAILED)
    actions.job_retry(actor=job.owner, job=job)
    progress.step(message="still going")
    CALLS.append(("test.taken_over:after", job.attempts))
    return {}


@pytest.fixture(autouse=True)
def _reset_calls():
    CALLS.clear()
    yield
    CALLS.clear()


@pytest.fixture
def steady_clock(monkeypatch):
    """A clock that never moves: only the first write, messages and the final state pass the throttle."""
    monkeypatch.setattr(jobs.time, "monotonic", lambda: 1_000_000.0)


@pytest.fixture
def flushes(monkeypatch):
    calls = []
    original = jobs.Progress._flush

    def counting(self, message):
        calls.append((self.done, self.total))
        return original(self, message)

    monkeypatch.setattr(jobs.Progress, "_flush", counting)
    return calls


def start(user, kind, **params):
    return actions.job_start(actor=user, kind=kind, title=f"Test {kind}", params=params)


def test_success_writes_progress_and_notifies_owner(carrier, steady_clock, flushes):
    clerk = carrier["clerk"]
    job = start(clerk, "test.count", n=50)

    jobs.execute(job.pk)

    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert (job.progress_done, job.progress_total, job.percent) == (50, 50, 100)
    assert job.result == {"seen_done": 50, "n": 50}  # Progress itself wrote the final count
    assert job.message == "counted"
    assert job.attempts == 1 and job.started_at and job.finished_at and job.error == ""
    # Throttled: the first write and the final one, not one per row.
    assert flushes == [(0, 50), (50, 50)]
    note = Notification.objects.get(recipient=clerk)
    assert note.level == "success"
    assert job.title in note.title
    assert note.link == reverse("job-detail", args=[job.pk])


def test_unknown_total_is_throttled_and_final_count_kept(carrier, steady_clock, flushes):
    job = start(carrier["clerk"], "test.count", n=30, known_total=False)

    jobs.execute(job.pk)

    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert len(flushes) == 1  # only the first step; not 30 UPDATEs
    assert job.progress_done == 30


def test_progress_writes_every_step_when_the_interval_has_passed(carrier, monkeypatch, flushes):
    monkeypatch.setattr(jobs.Progress, "MIN_INTERVAL", 0)
    job = start(carrier["clerk"], "test.count", n=5)

    jobs.execute(job.pk)

    assert [done for done, _total in flushes] == [0, 1, 2, 3, 4, 5]


def test_handler_exception_fails_the_job_and_notifies_owner(carrier):
    clerk = carrier["clerk"]
    job = start(clerk, "test.fail")

    jobs.execute(job.pk)

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error.startswith("ValueError: boom 42")
    assert "Traceback" in job.error
    assert job.finished_at is not None
    note = Notification.objects.get(recipient=clerk)
    assert note.level == "danger"
    assert note.body == "boom 42"
    assert job.title in note.title


def test_notification_is_in_the_owners_language(carrier):
    clerk = carrier["clerk"]
    clerk.language = "en"
    clerk.save(update_fields=["language"])
    job = start(clerk, "test.fail")

    jobs.execute(job.pk)

    assert Notification.objects.get(recipient=clerk).title == f"Job failed: {job.title}"


def test_retry_runs_the_job_again(carrier, django_capture_on_commit_callbacks):
    clerk = carrier["clerk"]
    with django_capture_on_commit_callbacks(execute=True):
        job = start(clerk, "test.flaky")  # queued after commit and run by the (eager) worker
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "ConnectionError" in job.error

    with django_capture_on_commit_callbacks(execute=True):
        actions.job_retry(actor=clerk, job=job)

    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert job.attempts == 2
    assert job.error == ""
    assert job.message == "second time lucky"
    assert CALLS == [("test.flaky", 1), ("test.flaky", 2)]
    assert AuditLog.objects.filter(action="job.retry", object_id=str(job.pk)).exists()


def test_only_failed_or_cancelled_jobs_can_be_retried(carrier):
    clerk = carrier["clerk"]
    job = start(clerk, "test.count", n=1)
    jobs.execute(job.pk)

    with pytest.raises(ValidationError) as exc:
        actions.job_retry(actor=clerk, job=job)
    assert "status" in exc.value.error_dict


def test_cancel_stops_a_running_job_at_the_next_progress_write(carrier, monkeypatch):
    monkeypatch.setattr(jobs.Progress, "MIN_INTERVAL", 0)  # every step is a write
    clerk = carrier["clerk"]
    job = start(clerk, "test.cancel_midway")

    jobs.execute(job.pk)

    job.refresh_from_db()
    assert job.status == JobStatus.CANCELLED
    assert job.finished_at is not None
    assert job.progress_done == 1  # the write that noticed the cancel did not go through
    assert CALLS == [("test.cancel_midway", 1)]  # the code after the progress write never ran
    assert not Notification.objects.filter(recipient=clerk).exists()


def test_cancel_a_queued_job_then_the_worker_skips_it(carrier):
    clerk = carrier["clerk"]
    job = start(clerk, "test.count", n=3)
    actions.job_cancel(actor=clerk, job=job)

    jobs.execute(job.pk)

    job.refresh_from_db()
    assert job.status == JobStatus.CANCELLED
    assert job.finished_at is not None
    assert CALLS == []
    with pytest.raises(ValidationError):
        actions.job_cancel(actor=clerk, job=job)  # already finished


def test_a_superseded_run_stops_and_leaves_the_new_attempt_alone(carrier):
    clerk = carrier["clerk"]
    job = start(clerk, "test.taken_over")

    jobs.execute(job.pk)

    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED  # waiting for the retried attempt, not overwritten
    assert CALLS == [("test.taken_over", 1)]


def test_execute_on_a_finished_job_is_a_no_op(carrier):
    clerk = carrier["clerk"]
    job = start(clerk, "test.count", n=2)
    jobs.execute(job.pk)
    job.refresh_from_db()
    finished_at = job.finished_at

    jobs.execute(job.pk)  # the broker redelivers the message
    jobs.execute("00000000-0000-0000-0000-000000000000")  # and a job that no longer exists

    job.refresh_from_db()
    assert CALLS == [("test.count", 1)]
    assert (job.status, job.attempts, job.finished_at) == (JobStatus.SUCCEEDED, 1, finished_at)
    assert Notification.objects.filter(recipient=clerk).count() == 1


def test_unknown_kind_is_refused(carrier):
    with pytest.raises(ValidationError) as exc:
        actions.job_start(actor=carrier["clerk"], kind="no.such.kind", title="x")
    assert "kind" in exc.value.error_dict


def test_reaper_fails_running_jobs_without_recent_progress(carrier):
    clerk = carrier["clerk"]
    now = timezone.now()
    stale = start(clerk, "test.count", n=1)
    fresh = start(clerk, "test.count", n=1)
    running = {"status": JobStatus.RUNNING, "attempts": 1}
    Job.objects.filter(pk=stale.pk).update(**running, heartbeat_at=now - timedelta(hours=1))
    Job.objects.filter(pk=fresh.pk).update(**running, heartbeat_at=now)

    assert tasks.reap_stale_jobs() == 1

    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert stale.status == JobStatus.FAILED
    assert "worker" in stale.error
    assert stale.finished_at is not None
    assert fresh.status == JobStatus.RUNNING
    assert Notification.objects.filter(recipient=clerk, level="danger").count() == 1
    # and the reaped job can be retried
    actions.job_retry(actor=clerk, job=stale)
    stale.refresh_from_db()
    assert stale.status == JobStatus.QUEUED


# --- the real users export -------------------------------------------------------------------------
PLAINTEXT_ID = "110101199001011234"


def _xlsx_text(path) -> str:
    with zipfile.ZipFile(path) as z:
        return "".join(z.read(name).decode("utf-8", "replace") for name in z.namelist())


def test_users_export_holds_only_rows_in_scope_with_masked_id_numbers(
    carrier, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    clerk = carrier["clerk"]
    actions.user_update(actor=carrier["admin"], user=clerk, id_number=PLAINTEXT_ID)
    manager = carrier["branch_manager"]  # subtree scope: the West Lake branch only

    with django_capture_on_commit_callbacks(execute=True):
        job = exports.export_start(actor=manager, code="users", filters={})

    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert job.result_file.startswith("exports/") and job.result_file.endswith(".xlsx")
    path = tmp_path / job.result_file
    sheet = load_workbook(io.BytesIO(path.read_bytes()), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    usernames = {r[0] for r in body}
    expected = {u.username for u in carrier.users.values() if u.org_unit_id == carrier.branch.pk}
    assert usernames == expected
    assert "other_clerk" not in usernames and "admin" not in usernames
    assert job.result == {"rows": len(expected)}
    assert (job.progress_done, job.progress_total) == (len(expected), len(expected))
    id_col = len(header) - 3  # ID number, Active, Date joined are the last three columns
    clerk_row = next(r for r in body if r[0] == "clerk")
    assert clerk_row[id_col] == "110***********1234"
    assert PLAINTEXT_ID not in _xlsx_text(path)
    audit = AuditLog.objects.get(kind=AuditKind.EXPORT, action="export.users")
    assert audit.actor == manager and audit.after["rows"] == len(expected)
    assert Notification.objects.filter(recipient=manager, level="success").exists()


def test_export_needs_the_permission(carrier):
    from telcrm.platform.errors import AccessDenied

    with pytest.raises(AccessDenied):
        exports.export_start(actor=carrier["clerk"], code="users", filters={})
    with pytest.raises(ValidationError):
        exports.export_start(actor=carrier["admin"], code="nope", filters={})
