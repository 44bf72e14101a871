"""Audit log, background-job and monitoring pages (PLT-2, PLT-6)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from telcrm.platform import actions, context, exports, jobs
from telcrm.platform.auditing import audit_event
from telcrm.platform.models import AuditKind, AuditLog, Job, JobStatus, Role
from telcrm.platform.testing import count_queries


@jobs.job_handler("test.views.ok")
def _ok(job, progress):
    progress.set(1, 1)
    return {"message": "fine"}


def rows(response, testid="audit-row") -> list[str]:
    return re.findall(rf'data-testid="{testid}" data-id="([^"]+)"', response.content.decode())


def record(carrier, unit, action="test.thing", repr_="Thing", **kw):
    kw.setdefault("kind", AuditKind.WRITE)
    kw.setdefault("actor", carrier["admin"])
    kw.setdefault("object_type", "test.thing")
    kw.setdefault("object_id", "7")
    return audit_event(action=action, object_repr=repr_, org_unit=unit, **kw)


# --- audit log ------------------------------------------------------------------------------------
def test_audit_list_scope(carrier, client_for):
    hangzhou = record(carrier, carrier.branch, repr_="West Lake record")
    ningbo = record(carrier, carrier.other_branch, repr_="Haishu record")
    ningbo_city = record(carrier, carrier.other_city, repr_="Ningbo city record")

    seen = rows(client_for(carrier["branch_manager"]).get(reverse("audit-list")))
    assert str(hangzhou.pk) in seen
    assert str(ningbo.pk) not in seen and str(ningbo_city.pk) not in seen

    seen = rows(client_for(carrier["admin"]).get(reverse("audit-list")))
    assert {str(hangzhou.pk), str(ningbo.pk), str(ningbo_city.pk)} <= set(seen)


def test_audit_list_needs_the_permission(carrier, client_for):
    assert client_for(carrier["clerk"]).get(reverse("audit-list")).status_code == 403
    assert client_for(carrier["clerk"]).get(reverse("audit-detail", args=[1])).status_code == 403


def test_audit_list_requires_sign_in(client, db):
    response = client.get(reverse("audit-list"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "special"}, {"a"}),
        ({"action": "test.other"}, {"b"}),
        ({"kind": "reveal"}, {"r"}),
        ({"actor": "branch_manager"}, {"b", "r"}),
        ({"object_type": "test.widget", "object_id": "99"}, {"b"}),
        ({"object_id": "7"}, {"a"}),
        ({"date_from": "TODAY", "date_to": "TODAY"}, {"a", "b", "r"}),
        ({"date_from": "TOMORROW"}, set()),
    ],
)
def test_audit_list_filters(carrier, client_for, params, expected):
    actions.pii_reveal(actor=carrier["branch_manager"], obj=carrier["clerk"], field="id_number")
    made = {
        "a": record(carrier, carrier.branch, repr_="A special thing"),
        "b": record(
            carrier,
            carrier.branch,
            action="test.other",
            actor=carrier["branch_manager"],
            object_type="test.widget",
            object_id="99",
        ),
        "r": AuditLog.objects.get(kind=AuditKind.REVEAL),
    }
    today = timezone.localdate()
    values = {"TODAY": today.isoformat(), "TOMORROW": (today + timedelta(days=1)).isoformat()}
    query = {k: values.get(v, v) for k, v in params.items()}

    response = client_for(carrier["admin"]).get(reverse("audit-list"), query)

    assert response.status_code == 200
    ids = {pk for pk in rows(response)}
    assert ids & {str(r.pk) for r in made.values()} == {str(made[k].pk) for k in expected}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"date_from": "2024-13-45"}, "date_from"),
        ({"date_to": "yesterday"}, "date_to"),
        ({"date_from": "0001-01-01"}, "date_from"),
        ({"date_from": "2025-02-01", "date_to": "2025-01-01"}, "date_to"),
        ({"kind": "nonsense"}, "kind"),
        ({"q": "x" * 500}, "q"),
    ],
)
def test_audit_list_bad_input_is_a_field_error(carrier, client_for, query, field):
    record(carrier, carrier.branch)

    response = client_for(carrier["admin"]).get(reverse("audit-list"), query)

    assert response.status_code == 200
    assert f'data-field="{field}"' in response.content.decode()
    assert rows(response) == []  # an unparsable filter never widens the search


def test_audit_list_htmx_returns_the_results_partial(carrier, client_for):
    rec = record(carrier, carrier.branch)

    response = client_for(carrier["admin"]).get(
        reverse("audit-list"), {"q": "Thing"}, headers={"HX-Request": "true"}
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body and 'id="audit-results"' in body
    assert rows(response) == [str(rec.pk)]


def test_audit_list_query_count_is_fixed(carrier, client_for):
    client = client_for(carrier["admin"])
    for i in range(3):
        record(
            carrier,
            carrier.branch,
            repr_=f"few {i}",
            kind=AuditKind.REVEAL,
            field="id_number",
            object_type="platform.user",
        )
    client.get(reverse("audit-list"))  # warm caches (parameters, session)
    with count_queries() as few:
        client.get(reverse("audit-list"))
    for i in range(20):
        record(carrier, carrier.other_branch if i % 2 else carrier.branch, repr_=f"many {i}")
    with count_queries() as many:
        response = client.get(reverse("audit-list"))
    assert len(rows(response)) >= 20
    assert len(many) == len(few)


def test_audit_detail_shows_a_field_by_field_diff(carrier, client_for):
    clerk = carrier["clerk"]
    new_role = Role.objects.get(code="account_manager")
    with context.acting(ip="10.1.2.3", user_agent="UA-Test/1.0", channel="ui", request_id="req-123"):
        actions.user_update(
            actor=carrier["admin"], user=clerk, full_name="王小二", mobile="13800000000", role=new_role
        )
    rec = AuditLog.objects.get(action="user.update", object_id=str(clerk.pk))

    response = client_for(carrier["admin"]).get(reverse("audit-detail", args=[rec.pk]))

    assert response.status_code == 200
    body = response.content.decode()
    diff = {row["key"]: row for row in response.context["rows"]}
    assert set(diff) == {"full_name", "mobile", "role_id"}
    assert (diff["full_name"]["old"], diff["full_name"]["new"]) == (clerk.full_name, "王小二")
    assert diff["mobile"]["old"] is None and diff["mobile"]["new"] == "13800000000"
    assert new_role.display_name in diff["role_id"]["new"]  # the foreign key shown by name, not just an id
    assert all(row["changed"] for row in diff.values())
    assert 'data-testid="diff-table"' in body and "王小二" in body
    for shown in ("10.1.2.3", "UA-Test/1.0", "req-123", ">ui<"):
        assert shown in body


def test_audit_detail_of_a_reveal_says_who_looked_at_what(carrier, client_for):
    manager, clerk = carrier["branch_manager"], carrier["clerk"]
    actions.pii_reveal(actor=manager, obj=clerk, field="id_number")
    rec = AuditLog.objects.get(kind=AuditKind.REVEAL)

    response = client_for(manager).get(reverse("audit-detail", args=[rec.pk]))

    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="reveal-summary"' in body and 'data-kind="reveal"' in body
    assert "branch_manager" in body and str(clerk) in body
    assert response.context["rows"] == []
    listing = client_for(manager).get(reverse("audit-list"), {"kind": "reveal"})
    assert rows(listing) == [str(rec.pk)]


def test_audit_detail_outside_scope_is_404(carrier, client_for):
    ningbo = record(carrier, carrier.other_branch)
    client = client_for(carrier["branch_manager"])
    assert client.get(reverse("audit-detail", args=[ningbo.pk])).status_code == 404
    assert client.get(reverse("audit-detail", args=[999999])).status_code == 404


# --- jobs -----------------------------------------------------------------------------------------
def make_job(user, status=JobStatus.QUEUED, **fields):
    job = actions.job_start(actor=user, kind="test.views.ok", title=f"Job of {user.username}")
    Job.objects.filter(pk=job.pk).update(status=status, **fields)
    job.refresh_from_db()
    return job


def test_job_list_shows_own_jobs_and_all_for_view_jobs_all(carrier, client_for):
    mine = make_job(carrier["clerk"])
    theirs = make_job(carrier["other_clerk"], status=JobStatus.FAILED)

    assert rows(client_for(carrier["clerk"]).get(reverse("job-list")), "job-row") == [str(mine.pk)]
    admin = client_for(carrier["admin"])
    assert set(rows(admin.get(reverse("job-list")), "job-row")) == {str(mine.pk), str(theirs.pk)}
    assert rows(admin.get(reverse("job-list"), {"status": "failed"}), "job-row") == [str(theirs.pk)]
    bad = admin.get(reverse("job-list"), {"status": "bogus"})
    assert bad.status_code == 200 and 'data-field="status"' in bad.content.decode()


def test_job_progress_partial_polls_until_finished(carrier, client_for):
    job = make_job(
        carrier["clerk"], status=JobStatus.RUNNING, progress_done=3, progress_total=12, message="Writing rows"
    )
    client = client_for(carrier["clerk"])

    detail = client.get(reverse("job-detail", args=[job.pk]))
    assert detail.status_code == 200 and 'hx-trigger="every 1s"' in detail.content.decode()

    running = client.get(reverse("job-progress", args=[job.pk]), headers={"HX-Request": "true"})
    body = running.content.decode()
    assert running.status_code == 200
    assert 'hx-trigger="every 1s"' in body and "<html" not in body
    assert "Writing rows" in body and 'aria-valuenow="25"' in body and "12" in body
    assert 'data-testid="job-cancel"' in body and 'data-testid="job-retry"' not in body

    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.FAILED, error="ValueError: boom\n\nTraceback (most recent call last): …"
    )
    failed = client.get(reverse("job-progress", args=[job.pk]), headers={"HX-Request": "true"})
    body = failed.content.decode()
    assert failed.status_code == 286  # htmx stops polling
    assert "hx-trigger" not in body
    assert 'data-testid="job-error"' in body and "Traceback" in body and 'id="job-traceback"' in body
    assert 'data-testid="job-retry"' in body and 'data-testid="job-cancel"' not in body


def test_another_users_job_is_404(carrier, client_for, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    job = make_job(carrier["clerk"], status=JobStatus.FAILED)
    for user in ("other_clerk", "branch_manager"):  # branch_manager: same branch, but not their job
        client = client_for(carrier[user])
        for name in ("job-detail", "job-progress", "job-download"):
            assert client.get(reverse(name, args=[job.pk])).status_code == 404, (user, name)
        for name in ("job-retry", "job-cancel"):
            assert client.post(reverse(name, args=[job.pk])).status_code == 404, (user, name)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert client_for(carrier["admin"]).get(reverse("job-detail", args=[job.pk])).status_code == 200


def test_retry_and_cancel_via_post(carrier, client_for, django_capture_on_commit_callbacks):
    clerk = carrier["clerk"]
    client = client_for(clerk)
    failed = make_job(clerk, status=JobStatus.FAILED, error="boom")

    assert client.get(reverse("job-retry", args=[failed.pk])).status_code == 405
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("job-retry", args=[failed.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("job-detail", args=[failed.pk])
    failed.refresh_from_db()
    assert failed.status == JobStatus.SUCCEEDED  # queued again and run by the eager worker

    queued = make_job(clerk)
    response = client.post(reverse("job-cancel", args=[queued.pk]), {"next": "https://evil.example/"})
    assert response["Location"] == reverse("job-detail", args=[queued.pk])
    queued.refresh_from_db()
    assert queued.status == JobStatus.CANCELLED

    # cancelling a finished job is refused with a message, not an error page
    response = client.post(reverse("job-cancel", args=[failed.pk]), follow=True)
    assert response.status_code == 200
    assert [m.level_tag for m in response.context["messages"]][-1] == "error"
    failed.refresh_from_db()
    assert failed.status == JobStatus.SUCCEEDED


@pytest.fixture
def export_job(carrier, settings, tmp_path, django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path
    with django_capture_on_commit_callbacks(execute=True):
        job = exports.export_start(actor=carrier["branch_manager"], code="users", filters={})
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error
    return job


def test_download_only_for_users_who_can_see_the_job(carrier, client_for, export_job):
    url = reverse("job-download", args=[export_job.pk])
    response = client_for(carrier["branch_manager"]).get(url)
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"] and ".xlsx" in response["Content-Disposition"]
    assert b"".join(response.streaming_content).startswith(b"PK")
    assert AuditLog.objects.filter(action="export.download", actor=carrier["branch_manager"]).count() == 1

    for user in ("clerk", "other_branch_manager"):
        assert client_for(carrier[user]).get(url).status_code == 404
    assert client_for(carrier["admin"]).get(url).status_code == 200  # platform.view_jobs_all


def test_download_refuses_paths_outside_the_exports_folder(carrier, client_for, export_job, tmp_path):
    (tmp_path / "secret.txt").write_text("top secret")
    (tmp_path / "exports" / "link.xlsx").symlink_to(tmp_path / "secret.txt")
    client = client_for(carrier["branch_manager"])
    url = reverse("job-download", args=[export_job.pk])
    for bad in (
        "exports/../secret.txt",
        "../secret.txt",
        str(tmp_path / "secret.txt"),
        "/etc/passwd",
        "exports/link.xlsx",
        "exports/missing.xlsx",
        "exports",
    ):
        Job.objects.filter(pk=export_job.pk).update(result_file=bad)
        assert client.get(url).status_code == 404, bad


def test_download_of_an_unfinished_job_is_404(carrier, client_for):
    job = make_job(carrier["clerk"], status=JobStatus.RUNNING, result_file="exports/x.xlsx")
    assert client_for(carrier["clerk"]).get(reverse("job-download", args=[job.pk])).status_code == 404


# --- monitoring -----------------------------------------------------------------------------------
def test_monitoring_for_admin(carrier, client_for):
    failed = make_job(carrier["clerk"], status=JobStatus.FAILED, error="boom", finished_at=timezone.now())
    make_job(carrier["clerk"], status=JobStatus.FAILED, finished_at=timezone.now() - timedelta(days=3))
    make_job(carrier["clerk"], status=JobStatus.RUNNING)
    audit_event(
        kind=AuditKind.AUTH,
        action="auth.login_failed",
        actor=None,
        object_type="platform.user",
        object_repr="mallory",
    )

    response = client_for(carrier["admin"]).get(reverse("monitoring"))

    assert response.status_code == 200
    body = response.content.decode()
    for check in ("database", "cache", "task_queue", "migrations"):
        assert f'data-testid="check-{check}" data-status="ok"' in body
    ctx = response.context
    counts = {c["status"]: c["count"] for c in ctx["job_counts"]}
    assert (counts["failed"], counts["running"], counts["succeeded"]) == (2, 1, 0)
    assert ctx["failed_jobs_24h"] == 1
    assert ctx["failed_sign_ins_24h"] == 1
    assert ctx["recent_failed"][0] == (failed, "boom")
    assert reverse("job-retry", args=[failed.pk]) in body


def test_monitoring_shows_a_failing_check(carrier, client_for, monkeypatch):
    from telcrm.platform.views import health

    monkeypatch.setattr(health, "check_database", lambda: 1 / 0)
    body = client_for(carrier["admin"]).get(reverse("monitoring")).content.decode()
    assert 'data-testid="check-database" data-status="error"' in body
    assert "ZeroDivisionError" in body


def test_monitoring_retry_returns_to_monitoring(carrier, client_for):
    failed = make_job(carrier["clerk"], status=JobStatus.FAILED)
    response = client_for(carrier["admin"]).post(
        reverse("job-retry", args=[failed.pk]), {"next": reverse("monitoring")}
    )
    assert response.status_code == 302 and response["Location"] == reverse("monitoring")
    failed.refresh_from_db()
    assert failed.status == JobStatus.QUEUED


@pytest.mark.parametrize("user", ["clerk", "branch_manager", "analyst"])
def test_monitoring_forbidden_without_manage_platform(carrier, client_for, user):
    assert client_for(carrier[user]).get(reverse("monitoring")).status_code == 403


def test_monitoring_warns_about_a_silent_worker(carrier, client_for, monkeypatch):
    from telcrm.platform.views import health

    monkeypatch.setattr(health, "check_task_queue", lambda: {"broker": "redis", "worker": "stale"})
    body = client_for(carrier["admin"]).get(reverse("monitoring")).content.decode()
    assert 'data-testid="check-task_queue" data-status="ok"' in body
    assert 'data-testid="worker-warning"' in body


def test_job_list_query_count_is_fixed(carrier, client_for):
    admin = carrier["admin"]
    client = client_for(admin)
    make_job(carrier["clerk"])
    client.get(reverse("job-list"))
    with count_queries() as few:
        client.get(reverse("job-list"))
    for user in ("other_clerk", "branch_manager", "marketer") * 4:
        make_job(carrier[user], status=JobStatus.FAILED)
    with count_queries() as many:
        response = client.get(reverse("job-list"))
    assert len(rows(response, "job-row")) == 13
    assert len(many) == len(few)
