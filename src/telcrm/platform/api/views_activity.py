"""Jobs, the audit log and notifications: /api/v1/jobs/, /api/v1/audit/, /api/v1/notifications/."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.decorators import action

from .. import actions, queries
from ..models import AuditLog, Job, Notification
from .base import ScopedViewSet
from .serializers import (
    AuditFilter,
    AuditOutput,
    ErrorOutput,
    JobFilter,
    JobOutput,
    MarkedOutput,
    NotificationFilter,
    NotificationMarkReadInput,
    NotificationOutput,
)

LIST_ERRORS = {400: ErrorOutput, 401: ErrorOutput}
WRITE_ERRORS = {400: ErrorOutput, 401: ErrorOutput, 403: ErrorOutput, 404: ErrorOutput}


@extend_schema_view(
    list=extend_schema(
        summary="My background jobs (every job in scope with platform.view_jobs_all)",
        parameters=[JobFilter],
        responses={200: JobOutput(many=True), **LIST_ERRORS},
    ),
    retrieve=extend_schema(
        summary="One job, with its progress", responses={200: JobOutput, 401: ErrorOutput, 404: ErrorOutput}
    ),
    retry=extend_schema(
        summary="Queue a failed or cancelled job again",
        request=None,
        responses={200: JobOutput, **WRITE_ERRORS},
    ),
    cancel=extend_schema(
        summary="Cancel a queued or running job", request=None, responses={200: JobOutput, **WRITE_ERRORS}
    ),
)
@extend_schema(tags=["jobs"])
class JobViewSet(ScopedViewSet):
    """Background jobs (imports, exports, …) with their progress."""

    model = Job
    filter_class = JobFilter
    lookup_value_regex = r"[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}"

    def scoped_queryset(self, user):
        return queries.job_list(user, **self.filters)

    def list(self, request):
        return self.paginated(self.get_queryset(), JobOutput)

    def retrieve(self, request, pk=None):
        return self.render(JobOutput, self.get_object())

    @action(detail=True, methods=["post"])
    def retry(self, request, pk=None):
        job = actions.job_retry(actor=request.user, job=self.get_object())
        return self.render(JobOutput, job)

    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        job = actions.job_cancel(actor=request.user, job=self.get_object())
        return self.render(JobOutput, job)


@extend_schema_view(
    list=extend_schema(
        summary="Search the audit log (platform.view_audit; HQ sees all, others their subtree)",
        parameters=[AuditFilter],
        responses={200: AuditOutput(many=True), **LIST_ERRORS, 403: ErrorOutput},
    ),
    retrieve=extend_schema(
        summary="One audit record",
        responses={200: AuditOutput, 401: ErrorOutput, 403: ErrorOutput, 404: ErrorOutput},
    ),
)
@extend_schema(tags=["audit"])
class AuditViewSet(ScopedViewSet):
    """The audit log: every change, PII reveal, sign-in and export."""

    model = AuditLog
    filter_class = AuditFilter

    def scoped_queryset(self, user):
        return queries.audit_search(user, **self.filters)

    def list(self, request):
        return self.paginated(self.get_queryset(), AuditOutput)

    def retrieve(self, request, pk=None):
        return self.render(AuditOutput, self.get_object())


@extend_schema_view(
    list=extend_schema(
        summary="My notifications",
        parameters=[NotificationFilter],
        responses={200: NotificationOutput(many=True), **LIST_ERRORS},
    ),
    mark_read=extend_schema(
        summary="Mark my notifications read (all unread ones without ids)",
        request=NotificationMarkReadInput,
        responses={200: MarkedOutput, **LIST_ERRORS},
    ),
)
@extend_schema(tags=["notifications"])
class NotificationViewSet(ScopedViewSet):
    """The signed-in user's own notifications."""

    model = Notification
    filter_class = NotificationFilter

    def scoped_queryset(self, user):
        return queries.notifications_for(user, **self.filters)  # only ever the user's own

    def list(self, request):
        return self.paginated(self.get_queryset(), NotificationOutput)

    @action(detail=False, methods=["post"], url_path="mark-read")
    def mark_read(self, request):
        data = self.parse(NotificationMarkReadInput)
        marked = actions.notification_mark_read(actor=request.user, notification_ids=data.get("ids"))
        return self.render(MarkedOutput, {"marked": marked})
