"""GET /healthz: database, cache, task queue and migrations, as JSON (200 when all ok, else 503)."""

from __future__ import annotations

import re
import time
import uuid
from datetime import timedelta

from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


def _timed(fn):
    start = time.perf_counter()
    try:
        detail = fn() or {}
        status = detail.pop("status", "ok")
    except Exception as exc:  # a health check reports every failure instead of raising
        detail, status = {"error": _redact(f"{type(exc).__name__}: {exc}")[:300]}, "error"
    return {"status": status, "ms": round((time.perf_counter() - start) * 1000, 1), **detail}


def _redact(text: str) -> str:
    """/healthz is public: keep credentials that a driver may echo in its error out of the answer."""
    from django.conf import settings

    db = settings.DATABASES[DEFAULT_DB_ALIAS]
    for secret in (
        settings.CELERY_BROKER_URL,
        getattr(settings, "REDIS_URL", None),
        settings.DATABASE_URL,
        db.get("PASSWORD"),
        settings.SECRET_KEY,
        settings.PII_KEY,
    ):
        if secret and len(str(secret)) >= 4:
            text = text.replace(str(secret), "***")
    return re.sub(r"(\w+://)[^/@\s]*@", r"\1***@", text)  # user:password@ in any other URL


def check_database():
    with connections[DEFAULT_DB_ALIAS].cursor() as cur:
        cur.execute("SELECT 1")
        cur.fetchone()
    return {"vendor": connections[DEFAULT_DB_ALIAS].vendor}


def check_cache():
    key = f"telcrm:healthz:{uuid.uuid4().hex}"
    cache.set(key, "1", 10)
    ok = cache.get(key) == "1"
    cache.delete(key)
    # caches["default"], not the module-level proxy, whose class name is always "ConnectionProxy".
    return {"backend": caches[DEFAULT_CACHE_ALIAS].__class__.__name__, "status": "ok" if ok else "error"}


def check_migrations():
    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return {"pending": len(plan), "status": "ok" if not plan else "error"}


def check_task_queue():
    from django.conf import settings

    from telcrm.celery import app

    from ..models import Job, JobStatus, WorkerHeartbeat

    # Only the scheme of the broker URL: the rest may hold a host name and a password.
    detail = {
        "broker": settings.CELERY_BROKER_URL.split("://", 1)[0],
        "eager": settings.CELERY_TASK_ALWAYS_EAGER,
    }
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    beat = WorkerHeartbeat.objects.filter(name="beat").first()
    detail["last_heartbeat"] = beat.seen_at.isoformat() if beat else None
    stale = beat is None or timezone.now() - beat.seen_at > timedelta(minutes=3)
    detail["worker"] = "eager" if settings.CELERY_TASK_ALWAYS_EAGER else ("stale" if stale else "ok")
    jobs = Job.objects.dangerously_unscoped()
    detail["jobs_queued"] = jobs.filter(status=JobStatus.QUEUED).count()
    detail["jobs_running"] = jobs.filter(status=JobStatus.RUNNING).count()
    detail["jobs_failed_24h"] = jobs.filter(
        status=JobStatus.FAILED, finished_at__gte=timezone.now() - timedelta(days=1)
    ).count()
    # The broker answering is what makes the queue healthy; a stale worker is reported, not fatal,
    # since jobs wait safely in the queue until a worker returns.
    return detail


@never_cache
@require_GET
def healthz(request):
    checks = {
        "database": _timed(check_database),
        "cache": _timed(check_cache),
        "task_queue": _timed(check_task_queue),
        "migrations": _timed(check_migrations),
    }
    healthy = all(c["status"] == "ok" for c in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", "time": timezone.now().isoformat(), "checks": checks},
        status=200 if healthy else 503,
    )
