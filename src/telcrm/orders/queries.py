"""Every read of processes and work orders, with the data scope applied.

Process definitions are installation-wide: reading them needs ``orders.view_process``. Instances are
scoped by the unit the business came from (``org_unit``) and, at "own records" scope, by who started
them. Work orders follow :meth:`WorkOrderQuerySet.restrict`: the scope over the queue's unit and the
origin unit, plus one's own assignments and the open work orders of one's team queues.
"""

from __future__ import annotations

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from telcrm.platform.errors import AccessDenied, NotFoundInScope
from telcrm.platform.queries.config import dictionary_choices

from .models import (
    InstanceState,
    ProcessDefinition,
    ProcessInstance,
    ProcessStep,
    ProcessVersion,
    VersionState,
    WorkOrder,
    WorkOrderEvent,
    WorkOrderState,
)
from .models.workorder import queue_q
from .permissions import MANAGE_PROCESS, VIEW_PROCESS, VIEW_WORKORDER
from .processes.usertasks import CATEGORY_DICT
from .workorder_states import ACTIVE

MAX_Q = 100


def _get(qs, pk):
    try:
        return qs.get(pk=pk)
    except (qs.model.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFoundInScope() from exc


def can_view_process(actor) -> bool:
    return bool(
        actor is not None
        and actor.is_authenticated
        and (actor.has_perm(VIEW_PROCESS) or actor.has_perm(MANAGE_PROCESS))
    )


def require_view_process(actor) -> None:
    if not can_view_process(actor):
        raise AccessDenied()


def require_view_workorder(actor) -> None:
    if actor is None or not actor.is_authenticated or not actor.has_perm(VIEW_WORKORDER):
        raise AccessDenied()


# --- definitions and versions ----------------------------------------------------------------------------
def _annotated(qs: QuerySet) -> QuerySet:
    active = ProcessVersion.objects.filter(definition=OuterRef("pk"), state=VersionState.ACTIVE)
    draft = ProcessVersion.objects.filter(definition=OuterRef("pk"), state=VersionState.DRAFT)
    return qs.select_related("changed_by").annotate(
        active_number=Subquery(active.values("number")[:1]),
        active_published_at=Subquery(active.values("published_at")[:1]),
        draft_number=Subquery(draft.values("number")[:1]),
        has_draft=Exists(draft),
    )


def definition_list(actor, *, q: str = "") -> QuerySet:
    require_view_process(actor)
    qs = ProcessDefinition.objects.all()
    q = (q or "").strip()[:MAX_Q]
    if q:
        qs = qs.filter(Q(key__icontains=q) | Q(name__icontains=q) | Q(name_en__icontains=q))
    return _annotated(qs).order_by("key")


def definition_get(actor, pk) -> ProcessDefinition:
    require_view_process(actor)
    return _get(_annotated(ProcessDefinition.objects.all()), pk)


def version_list(actor, definition) -> QuerySet:
    require_view_process(actor)
    running = ProcessInstance.objects.filter(
        version=OuterRef("pk"), state__in=(InstanceState.RUNNING, InstanceState.WAITING, InstanceState.FAILED)
    )
    return (
        ProcessVersion.objects.filter(definition=definition)
        .select_related("created_by", "published_by")
        .annotate(
            open_instances=Subquery(
                running.order_by().values("version").annotate(n=Count("pk")).values("n")[:1]
            )
        )
        .order_by("-number")
    )


def version_get(actor, definition, number) -> ProcessVersion:
    require_view_process(actor)
    try:
        version = ProcessVersion.objects.select_related("created_by", "published_by").get(
            definition=definition, number=number
        )
    except (ProcessVersion.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFoundInScope() from exc
    version.definition = definition
    return version


def working_version(definition) -> ProcessVersion | None:
    """The version the editor opens: the draft, else the active version, else the latest."""
    versions = ProcessVersion.objects.filter(definition=definition).select_related(
        "created_by", "published_by"
    )
    version = (
        versions.filter(state=VersionState.DRAFT).first()
        or versions.filter(state=VersionState.ACTIVE).first()
        or versions.order_by("-number").first()
    )
    if version is not None:
        version.definition = definition
    return version


# --- instances ----------------------------------------------------------------------------------------------
def instance_list(actor, *, definition=None, state: str = "", q: str = "") -> QuerySet:
    require_view_process(actor)
    qs = ProcessInstance.objects.restrict(actor)
    if definition:
        qs = qs.filter(definition_id=getattr(definition, "pk", definition))
    if state:
        qs = qs.filter(state=state)
    q = (q or "").strip()[:64]
    if q:
        qs = qs.filter(business_key=q) if not q.upper().startswith("LC") else qs.filter(pk=_number(q, "LC"))
    return qs.select_related("definition", "version", "org_unit", "owner").order_by("-id")


def _number(text: str, prefix: str) -> int:
    digits = text.upper().removeprefix(prefix)
    return int(digits) if digits.isdigit() and len(digits) <= 12 else 0


def instance_get(actor, pk) -> ProcessInstance:
    require_view_process(actor)
    return _get(
        ProcessInstance.objects.restrict(actor).select_related("definition", "version", "org_unit", "owner"),
        pk,
    )


def instances_for_subject(subject) -> QuerySet:
    """The instances started for a business row (an order), newest first — for the module that owns the
    row, which has checked its own access to it (no data scope here)."""
    from django.contrib.contenttypes.models import ContentType

    return (
        ProcessInstance.objects.dangerously_unscoped()
        .filter(subject_type=ContentType.objects.get_for_model(subject), subject_id=str(subject.pk))
        .select_related("definition", "version")
        .order_by("-id")
    )


def instance_steps(instance) -> QuerySet:
    return ProcessStep.objects.filter(instance=instance).select_related("actor").order_by("at", "id")


def instance_work_orders(actor, instance) -> QuerySet:
    return (
        WorkOrder.objects.restrict(actor)
        .filter(instance=instance)
        .select_related("assignee", "org_unit", "queue_role")
        .order_by("id")
    )


# --- work orders --------------------------------------------------------------------------------------------
def _wo_related(qs: QuerySet) -> QuerySet:
    return qs.select_related("org_unit", "origin_unit", "queue_role", "assignee")


def team_queue(actor, *, category: str = "", overdue: bool = False) -> QuerySet:
    """The open work orders of the queues ``actor`` belongs to, most urgent and earliest due first."""
    require_view_workorder(actor)
    qs = WorkOrder.objects.filter(queue_q(actor))
    if category:
        qs = qs.filter(category=category)
    if overdue:
        qs = qs.filter(due_at__lte=timezone.now())
    return _wo_related(qs).order_by("priority", "due_at", "id")


def my_work_orders(actor, *, active: bool = True) -> QuerySet:
    """The work orders assigned to ``actor``: the claimed ones (or, ``active=False``, finished ones)."""
    require_view_workorder(actor)
    qs = WorkOrder.objects.filter(assignee_id=actor.pk)
    if active:
        return _wo_related(qs.filter(state=WorkOrderState.CLAIMED)).order_by("priority", "due_at", "id")
    return _wo_related(qs.exclude(state__in=ACTIVE)).order_by("-completed_at", "-id")


def work_order_list(
    actor,
    *,
    state: str = "",
    category: str = "",
    org_unit=None,
    overdue: bool = False,
    q: str = "",
) -> QuerySet:
    """Work orders in scope, with filters; ``q`` is a work-order number (GD…) or a business key."""
    require_view_workorder(actor)
    qs = WorkOrder.objects.restrict(actor)
    if state == "active":
        qs = qs.filter(state__in=ACTIVE)
    elif state:
        qs = qs.filter(state=state)
    if category:
        qs = qs.filter(category=category)
    if org_unit:
        qs = qs.filter(org_unit_id=getattr(org_unit, "pk", org_unit))
    if overdue:
        qs = qs.filter(state__in=ACTIVE, due_at__lte=timezone.now())
    q = (q or "").strip()[:64]
    if q:
        qs = qs.filter(pk=_number(q, "GD")) if q.upper().startswith("GD") else qs.filter(business_key=q)
    return _wo_related(qs).order_by("-id")


def work_order_get(actor, pk) -> WorkOrder:
    require_view_workorder(actor)
    return _get(
        _wo_related(WorkOrder.objects.restrict(actor)).select_related(
            "instance", "instance__definition", "completed_by"
        ),
        pk,
    )


def work_order_events(work_order) -> QuerySet:
    return (
        WorkOrderEvent.objects.filter(work_order=work_order)
        .select_related("actor", "assignee")
        .order_by("at", "id")
    )


def category_choices() -> list[tuple[str, str]]:
    return dictionary_choices(CATEGORY_DICT)


def category_labels() -> dict[str, str]:
    return dict(category_choices())


def statistics(actor, *, since=None) -> dict:
    """Counts in scope: by state, by category and state, by queue unit; open, overdue, due soon; the
    average handling time of the work orders finished since ``since`` (default: 30 days)."""
    require_view_workorder(actor)
    now = timezone.now()
    since = since or now - timezone.timedelta(days=30)
    qs = WorkOrder.objects.restrict(actor)
    by_state = dict(qs.order_by().values_list("state").annotate(n=Count("id")))
    active = qs.filter(state__in=ACTIVE)
    overdue = active.filter(due_at__lte=now).count()
    warning = active.filter(warn_at__lte=now, due_at__gt=now).count()
    categories: dict[str, dict[str, int]] = {}
    for category, state, n in qs.order_by().values_list("category", "state").annotate(n=Count("id")):
        categories.setdefault(category, {})[state] = n
    overdue_by_category = dict(
        active.filter(due_at__lte=now).order_by().values_list("category").annotate(n=Count("id"))
    )
    units = list(
        active.order_by()
        .values(
            "org_unit_id", "org_unit__name", "org_unit__name_en", "queue_role__name", "queue_role__name_en"
        )
        .annotate(
            open=Count("id", filter=Q(state=WorkOrderState.OPEN)),
            claimed=Count("id", filter=Q(state=WorkOrderState.CLAIMED)),
            overdue=Count("id", filter=Q(due_at__lte=now)),
        )
        .order_by("-overdue", "-open")[:50]
    )
    finished = qs.filter(state=WorkOrderState.COMPLETED, completed_at__gte=since)
    done = finished.count()
    late = finished.filter(completed_at__gt=F("due_at")).count()
    durations = [
        (c - s).total_seconds() / 60
        for s, c in finished.order_by("-completed_at").values_list("created_at", "completed_at")[:2000]
    ]
    return {
        "by_state": by_state,
        "total": sum(by_state.values()),
        "active": by_state.get(WorkOrderState.OPEN, 0) + by_state.get(WorkOrderState.CLAIMED, 0),
        "overdue": overdue,
        "warning": warning,
        "categories": categories,
        "overdue_by_category": overdue_by_category,
        "units": units,
        "finished": done,
        "finished_late": late,
        "on_time_rate": round(100 * (done - late) / done, 1) if done else None,
        "avg_minutes": round(sum(durations) / len(durations)) if durations else None,
        "since": since,
    }


def home_summary(user) -> dict | None:
    """The home panel: my claimed work orders, and the size of my team queues."""
    if not user.has_perm(VIEW_WORKORDER):
        return None
    mine = list(my_work_orders(user)[:8])
    queue = team_queue(user)
    now = timezone.now()
    return {
        "mine": mine,
        "queue_count": queue.count(),
        "queue_overdue": queue.filter(due_at__lte=now).count(),
        "now": now,
    }
