"""Work orders (工单): what a person does for a process — a user task of a running instance.

A work order sits in a team queue: a role (``queue_role``) at an org unit (``org_unit``, the queue's
unit). The members of the queue are the active users of that role at the unit or below it; they see
the queue's open work orders, claim one, and complete or return it. Supervisors (dispatch permission)
reassign and escalate within their data scope.

Who sees a work order: the data scope applies to the queue's unit and to the unit the business came
from (``origin_unit``: a branch manager sees the work orders of their branch's orders wherever they
are queued); at "own records" scope one sees the work orders of the processes one started (``owner``);
everyone sees the work orders assigned to them and the open ones of the queues they belong to.

The SLA (``sla_minutes`` of working time on a work calendar) gives ``warn_at`` and ``due_at``; the
scheduled SLA check stamps ``warned_at`` and ``overdue_at`` once each and notifies.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from telcrm.platform.models import DataScope, ScopedModel, ScopedQuerySet, scope_q

from ..workorder_states import WorkOrderMove, WorkOrderState


class Priority(models.IntegerChoices):
    URGENT = 1, pgettext_lazy("orders", "Urgent")
    HIGH = 2, pgettext_lazy("orders", "High")
    NORMAL = 3, pgettext_lazy("orders", "Normal")
    LOW = 4, pgettext_lazy("orders", "Low")


PRIORITY_CODES = {
    "urgent": Priority.URGENT,
    "high": Priority.HIGH,
    "normal": Priority.NORMAL,
    "low": Priority.LOW,
}


def ancestor_ids(unit) -> list[int]:
    """Ids of ``unit`` and the units above it, from its materialised path ("000001.000007.")."""
    if unit is None or not unit.path:
        return []
    return [int(p) for p in unit.path.split(".") if p]


def queue_q(user) -> Q:
    """The open work orders of the queues ``user`` belongs to: their role, at their unit or above."""
    if user is None or not user.is_authenticated or not user.is_active or not user.role_id:
        return Q(pk__in=[])
    return Q(
        state=WorkOrderState.OPEN, queue_role_id=user.role_id, org_unit_id__in=ancestor_ids(user.org_unit)
    )


class WorkOrderQuerySet(ScopedQuerySet):
    def restrict(self, user) -> WorkOrderQuerySet:
        if user is None or not user.is_authenticated or not user.is_active:
            qs = self.none()
        elif user.data_scope == DataScope.ALL:
            qs = self.all()  # (an empty Q would vanish from the OR below)
        else:
            q = (
                scope_q(user, org_field="org_unit", owner_field="owner")
                | scope_q(user, org_field="origin_unit", owner_field="owner")
                | Q(assignee_id=user.pk)
                | queue_q(user)
            )
            qs = self.filter(q)
        qs._scoped_for = user
        return qs


class WorkOrder(ScopedModel):
    """A user task of a process instance, in a team queue."""

    instance = models.ForeignKey(
        "orders.ProcessInstance",
        verbose_name=_("process instance"),
        on_delete=models.PROTECT,
        related_name="work_orders",
        db_index=False,
    )
    task_id = models.UUIDField(_("task id"))
    element_id = models.CharField(_("step"), max_length=100)
    title = models.CharField(_("title"), max_length=200)
    category = models.CharField(_("category"), max_length=50)
    business_key = models.CharField(_("business key"), max_length=64, blank=True, db_index=True)
    queue_role = models.ForeignKey(
        "platform.Role", verbose_name=_("queue role"), on_delete=models.PROTECT, related_name="+"
    )
    origin_unit = models.ForeignKey(
        "platform.OrgUnit", verbose_name=_("origin"), on_delete=models.PROTECT, related_name="+"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    state = models.CharField(
        _("state"), max_length=16, choices=WorkOrderState.choices, default=WorkOrderState.OPEN
    )
    state_changed_at = models.DateTimeField(_("state changed at"), null=True, blank=True)
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.NORMAL
    )
    sla_minutes = models.PositiveIntegerField(_("SLA (working minutes)"))
    calendar = models.CharField(_("work calendar"), max_length=32)
    warn_at = models.DateTimeField(_("warning at"))
    due_at = models.DateTimeField(_("due at"))
    warned_at = models.DateTimeField(_("warned at"), null=True, blank=True)
    overdue_at = models.DateTimeField(_("overdue alert at"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("finished by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # what the task asks for, from its BPMN properties: [{code, label}], [{name, type, required, label}]
    outcomes = models.JSONField(_("outcomes"), default=list, blank=True)
    form = models.JSONField(_("form fields"), default=list, blank=True)
    instructions = models.TextField(_("instructions"), blank=True)
    outcome = models.CharField(_("outcome"), max_length=50, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    return_reason = models.CharField(_("return reason"), max_length=200, blank=True)
    escalation_level = models.PositiveSmallIntegerField(_("escalation level"), default=0)

    objects = WorkOrderQuerySet.as_manager()

    class Meta:
        verbose_name = _("work order")
        verbose_name_plural = _("work orders")
        ordering = ["priority", "due_at", "id"]
        default_permissions = ()
        permissions = [
            ("view_workorder", _("Can see work orders")),
            ("handle_workorder", _("Can claim, complete and return work orders")),
            ("dispatch_workorder", _("Can reassign and escalate work orders")),
        ]
        constraints = [
            models.UniqueConstraint(fields=["instance", "task_id"], name="orders_workorder_task_once"),
        ]
        indexes = [
            # a team queue: open work orders of a role at a unit, most urgent and earliest due first
            models.Index(
                fields=["org_unit", "queue_role", "state", "priority", "due_at"], name="orders_wo_queue_idx"
            ),
            models.Index(fields=["assignee", "state", "due_at"], name="orders_wo_assignee_idx"),
            models.Index(fields=["origin_unit", "-id"], name="orders_wo_origin_idx"),
            models.Index(fields=["state", "warn_at"], name="orders_wo_warn_idx"),
            models.Index(fields=["state", "due_at"], name="orders_wo_due_idx"),
            models.Index(fields=["state", "category"], name="orders_wo_category_idx"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        return f"GD{self.pk or 0:010d}"

    @property
    def is_active(self) -> bool:
        return self.state in (WorkOrderState.OPEN, WorkOrderState.CLAIMED)


class WorkOrderEvent(models.Model):
    """One line of a work order's history: who did what, from which state to which."""

    work_order = models.ForeignKey(
        WorkOrder, verbose_name=_("work order"), on_delete=models.CASCADE, related_name="events"
    )
    at = models.DateTimeField(_("time"))
    move = models.CharField(_("what happened"), max_length=16, choices=WorkOrderMove.choices)
    state_from = models.CharField(_("from"), max_length=16, blank=True)
    state_to = models.CharField(_("to"), max_length=16, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    detail = models.CharField(_("detail"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("work order event")
        verbose_name_plural = _("work order events")
        ordering = ["work_order", "at", "id"]
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.work_order_id} {self.move}"
