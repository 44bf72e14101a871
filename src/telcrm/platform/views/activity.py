"""Audit log search, background jobs with live progress, and monitoring (PLT-2, PLT-6).

One operation per view: parse the query string or form, call a query or an action, render.
Rows outside the actor's scope are 404 (``NotFoundInScope``), missing permissions 403
(``AccessDenied`` is a ``PermissionDenied``).
"""

from __future__ import annotations

import json
from datetime import timedelta

from django.apps import apps
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F
from django.http import FileResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import capfirst
from django.utils.translation import pgettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from telcrm.web.decorators import paginate, require_any, scoped_view

from .. import actions, queries
from ..forms_activity import AuditFilterForm, JobFilterForm
from ..models import AuditKind, AuditLog, Job, JobStatus
from . import health

# Detail pages of object types, for the "open the object" link of an audit record.
OBJECT_URLS = {
    "platform.user": "user-detail",
    "platform.orgunit": "org-detail",
    "platform.job": "job-detail",
    "platform.dicttype": "dict-detail",
}
# Foreign keys of these models are shown by name in a diff; others only by id, since a name (e.g. a
# customer's) may be personal data the audit viewer has no business seeing.
NAMED_MODELS = {
    "platform.orgunit",
    "platform.role",
    "platform.user",
    "platform.dicttype",
    "platform.dictitem",
    "platform.workcalendar",
}
STALE_HEARTBEAT = timedelta(minutes=3)  # the beat writes one every 30 s (settings.CELERY_BEAT_SCHEDULE)


def _labels(model, *names) -> dict:
    return {n: capfirst(model._meta.get_field(n).verbose_name) for n in names}


def _safe_next(request, default: str) -> str:
    nxt = request.POST.get("next") or ""
    if nxt and url_has_allowed_host_and_scheme(
        nxt, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return nxt
    return default


# --- audit log ----------------------------------------------------------------------------------
@scoped_view
@require_GET
def audit_list(request):
    require_any(request.user, "platform.view_audit")
    bound = any(k in request.GET for k in AuditFilterForm.base_fields)
    form = AuditFilterForm(request.GET if bound else None)
    qs = queries.audit_search(request.user, **form.query_args())
    if form.is_bound and not form.is_valid():
        qs = qs.none()  # a filter that does not parse must not silently widen the search
    page = paginate(request, qs)
    for record in page:  # "viewed <ID number> of <object>": field names from model metadata, no query
        record.field_label = _field_label(_model_of(record.object_type), record.field) if record.field else ""
    context = {
        "form": form,
        "page": page,
        "filtered": bool(form.is_bound and form.query_args()),
        # on a phone the less-used filters fold away unless one of them is in use
        "more_open": any(request.GET.get(k) for k in ("actor", "object_type", "object_id")),
        "labels": _labels(AuditLog, "at", "kind", "action", "actor", "object_repr", "org_unit", "channel"),
    }
    template = "platform/audit_list.html#results" if request.htmx else "platform/audit_list.html"
    return render(request, template, context)


@scoped_view
@require_GET
def audit_detail(request, pk: int):
    record = queries.audit_get(request.user, pk)
    model = _model_of(record.object_type)
    rows, raw = _diff_rows(model, record.before, record.after)
    context = {
        "record": record,
        "rows": rows,
        "raw": raw,
        "field_label": _field_label(model, record.field) if record.field else "",
        "object_url": _object_url(record),
        "labels": _labels(
            AuditLog,
            "at",
            "kind",
            "action",
            "actor",
            "org_unit",
            "object_type",
            "object_id",
            "object_repr",
            "field",
            "ip",
            "user_agent",
            "request_id",
            "channel",
        ),
        "is_reveal": record.kind == AuditKind.REVEAL,
    }
    return render(request, "platform/audit_detail.html", context)


def _model_of(object_type: str):
    if object_type.count(".") != 1:
        return None
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def _field(model, key: str):
    if model is None:
        return None
    for f in model._meta.get_fields():
        if getattr(f, "attname", None) == key or f.name == key:
            return f
    return None


def _field_label(model, key: str) -> str:
    f = _field(model, key)
    return capfirst(f.verbose_name) if f is not None and hasattr(f, "verbose_name") else key


def _object_url(record: AuditLog) -> str:
    name = OBJECT_URLS.get(record.object_type)
    if not name or not record.object_id:
        return ""
    try:
        return reverse(name, args=[record.object_id])
    except NoReverseMatch:
        return ""


def _diff_rows(model, before, after) -> tuple[list[dict], dict | None]:
    """Field-by-field rows {key, label, old, new, changed} of a before/after pair.

    Snapshots are dicts of field → JSON value (foreign keys as ids). Anything else (a list, a scalar)
    is returned as ``raw`` and shown as JSON.
    """
    if before is None and after is None:
        return [], None
    if not isinstance(before or {}, dict) or not isinstance(after or {}, dict):
        return [], {"before": _as_json(before), "after": _as_json(after)}
    before, after = before or {}, after or {}
    keys = list(dict.fromkeys([*before, *after]))
    fields = {k: _field(model, k) for k in keys}
    names = _related_names(fields, [before, after])
    rows = []
    for key in keys:
        f = fields[key]
        old = _display(f, before.get(key), names) if key in before else None
        new = _display(f, after.get(key), names) if key in after else None
        rows.append(
            {
                "key": key,
                "label": capfirst(f.verbose_name) if f is not None and hasattr(f, "verbose_name") else key,
                "old": old,
                "new": new,
                "changed": before.get(key) != after.get(key),
            }
        )
    return rows, None


def _related_names(fields: dict, snapshots: list[dict]) -> dict:
    """{(model, pk): label} for foreign-key values in the snapshots: one query per related model."""
    wanted: dict = {}
    for key, f in fields.items():
        if isinstance(f, models.ForeignKey) and f.related_model._meta.label_lower in NAMED_MODELS:
            for snap in snapshots:
                value = snap.get(key)
                if isinstance(value, int | str) and str(value).isdigit():
                    wanted.setdefault(f.related_model, set()).add(int(value))
    names = {}
    for related, ids in wanted.items():
        manager = related._base_manager
        for pk, obj in manager.in_bulk(list(ids)).items():
            label = getattr(obj, "display_name", None) or str(obj)
            names[(related, pk)] = label
    return names


def _display(f, value, names: dict) -> str | None:
    """Readable text of one snapshot value; None for empty (rendered as a dash)."""
    if value is None or value == "":
        return None
    if isinstance(f, models.ForeignKey) and str(value).isdigit():
        label = names.get((f.related_model, int(value)))
        return f"{label} (#{value})" if label else f"#{value}"
    if f is not None and getattr(f, "choices", None):
        choices = {str(k): v for k, v in f.flatchoices}
        if str(value) in choices:
            return str(choices[str(value)])
    if isinstance(value, bool):
        return pgettext("activity", "Yes") if value else pgettext("activity", "No")
    if isinstance(value, dict | list):
        return _as_json(value)
    return str(value)


def _as_json(value) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, indent=1) if value is not None else ""


# --- background jobs ----------------------------------------------------------------------------
@scoped_view
@require_GET
def job_list(request):
    form = JobFilterForm(request.GET if "status" in request.GET else None)
    status = form.cleaned_data["status"] if form.is_bound and form.is_valid() else ""
    qs = queries.job_list(request.user, status=status)
    context = {
        "form": form,
        "page": paginate(request, qs),
        "show_owner": request.user.has_perm("platform.view_jobs_all"),
        "labels": _labels(Job, "title", "status", "owner", "created_at", "finished_at"),
    }
    template = "platform/job_list.html#results" if request.htmx else "platform/job_list.html"
    return render(request, template, context)


def _job_context(job: Job) -> dict:
    return {
        "job": job,
        "labels": _labels(
            Job,
            "kind",
            "status",
            "owner",
            "created_at",
            "started_at",
            "finished_at",
            "heartbeat_at",
            "attempts",
            "message",
            "error",
        ),
        "error_summary": job.error.split("\n\n", 1)[0][:300],
        "can_download": job.status == JobStatus.SUCCEEDED and bool(job.result_file),
        "can_retry": job.status in (JobStatus.FAILED, JobStatus.CANCELLED),
        "can_cancel": not job.is_finished,
    }


@scoped_view
@require_GET
def job_detail(request, pk):
    job = queries.job_get(request.user, pk)
    return render(request, "platform/job_detail.html", _job_context(job))


@never_cache
@scoped_view
@require_GET
def job_progress(request, pk):
    """The progress partial. While the job runs it carries hx-trigger="every 1s"; once finished it
    is returned without the trigger and with HTTP 286, which tells htmx to stop polling."""
    job = queries.job_get(request.user, pk)
    return render(
        request,
        "platform/job_detail.html#progress",
        _job_context(job),
        status=286 if job.is_finished else 200,
    )


def _job_action(request, pk, action, done_message: str):
    job = queries.job_get(request.user, pk)
    try:
        action(actor=request.user, job=job)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, done_message)
    return HttpResponseRedirect(_safe_next(request, reverse("job-detail", args=[job.pk])))


@scoped_view
@require_POST
def job_retry(request, pk):
    return _job_action(request, pk, actions.job_retry, pgettext("activity", "The job was queued again."))


@scoped_view
@require_POST
def job_cancel(request, pk):
    return _job_action(request, pk, actions.job_cancel, pgettext("activity", "The job was cancelled."))


@scoped_view
@require_GET
def job_download(request, pk):
    job = queries.job_get(request.user, pk)
    path = actions.job_result_open(actor=request.user, job=job)  # checks the file lies in MEDIA_ROOT/exports
    return FileResponse(path.open("rb"), as_attachment=True, filename=path.name)


# --- monitoring ---------------------------------------------------------------------------------
CHECKS = (
    ("database", "database"),
    ("cache", "lightning-charge"),
    ("task_queue", "hourglass-split"),
    ("migrations", "layers"),
)  # each runs health.check_<code>, the very function /healthz runs


def _check_titles() -> dict:
    return {
        "database": pgettext("activity", "Database"),
        "cache": pgettext("activity", "Cache"),
        "task_queue": pgettext("activity", "Task queue"),
        "migrations": pgettext("activity", "Migrations"),
    }


def _detail_labels() -> dict:
    return {
        "vendor": pgettext("activity", "Engine"),
        "backend": pgettext("activity", "Backend"),
        "pending": pgettext("activity", "Pending migrations"),
        "broker": pgettext("activity", "Broker"),
        "eager": pgettext("activity", "Tasks run inline (eager)"),
        "last_heartbeat": pgettext("activity", "Last worker heartbeat"),
        "worker": pgettext("activity", "Worker"),
        "jobs_queued": pgettext("activity", "Jobs queued"),
        "jobs_running": pgettext("activity", "Jobs running"),
        "jobs_failed_24h": pgettext("activity", "Jobs failed (24 h)"),
        "error": pgettext("activity", "Error"),
    }


@never_cache
@scoped_view
@require_GET
def monitoring(request):
    require_any(request.user, "platform.manage_platform")
    titles, detail_labels = _check_titles(), _detail_labels()
    worker_states = {
        "ok": pgettext("activity", "Reporting"),
        "stale": pgettext("activity", "Not reporting"),
        "eager": pgettext("activity", "Inline (eager)"),
    }
    checks = []
    for code, icon in CHECKS:
        result = health._timed(getattr(health, f"check_{code}"))
        details = [
            (k, detail_labels.get(k, k), worker_states.get(v, v) if k == "worker" else v)
            for k, v in result.items()
            if k not in ("status", "ms")
        ]
        checks.append(
            {
                "code": code,
                "icon": icon,
                "title": titles[code],
                "status": result["status"],
                "ms": result["ms"],
                "details": details,
                # the queue is healthy while the broker answers, but a silent worker needs a look
                "warning": result.get("worker") == "stale",
            }
        )
    now = timezone.now()
    since = now - timedelta(days=1)
    counts = queries.job_status_counts(request.user)
    failed = queries.job_list(request.user, status=JobStatus.FAILED)
    heartbeats = [
        {"name": h.name, "seen_at": h.seen_at, "stale": now - h.seen_at > STALE_HEARTBEAT}
        for h in queries.worker_heartbeats()
    ]
    context = {
        "checks": checks,
        "healthy": all(c["status"] == "ok" for c in checks),
        "job_counts": [
            {"status": s, "label": label, "count": counts.get(s, 0)} for s, label in JobStatus.choices
        ],
        "heartbeats": heartbeats,
        "recent_failed": [
            (job, job.error.split("\n\n", 1)[0][:200])
            for job in failed.order_by(F("finished_at").desc(nulls_last=True), "-created_at")[:10]
        ],
        "failed_jobs_24h": failed.filter(finished_at__gte=since).count(),
        "failed_sign_ins_24h": queries.auth_failure_count(request.user, since=since),
        "now": now,
        "job_labels": _labels(Job, "title", "owner", "finished_at", "error"),
    }
    return render(request, "platform/monitoring.html", context)
