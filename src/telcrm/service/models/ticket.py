"""Tickets (报事, SRV-1): one model for every service request, and its history.

A ticket belongs to a customer (``org_unit`` is the customer's unit: the data scope follows the
customer) and sits in a team queue: a role (``queue_role``) at an org unit (``team``). Who sees a
ticket: the data scope on the customer's unit or on the team; at "own records" scope the tickets one
took (``owner``); everyone the tickets assigned to them and those of the queues they belong to.

SLA: ``response_due_at`` and ``resolution_due_at`` are moments on the working calendar (``calendar``)
from the category × priority targets. While the ticket waits for the customer the resolution clock
stops: ``paused_at`` marks the pause, and on resume the remaining working time is carried forward and
the paused working minutes added to ``paused_minutes``. The scheduled check stamps ``warned_at``,
``breached_at`` and raises ``escalation_level`` once each (compare-and-set), so it is idempotent.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from telcrm.platform.models import DataScope, ScopedModel, ScopedQuerySet, scope_q

from ..states import OPEN, TicketMove, TicketState
from .category import Priority


class TicketType(models.TextChoices):
    COMPLAINT = "complaint", _("Complaint (投诉)")
    CONSULTATION = "consultation", _("Consultation (咨询)")
    SUGGESTION = "suggestion", _("Suggestion (建议)")
    FAULT = "fault", _("Fault (故障)")
    BILLING_DISPUTE = "billing_dispute", _("Billing dispute (账务争议)")
    PORT_REQUEST = "port_request", _("Number portability request (携号转网)")


class TicketChannel(models.TextChoices):
    COUNTER = "counter", _("Counter")
    PHONE = "phone", _("Phone")
    SMS = "sms", _("SMS")
    EMAIL = "email", _("Email")
    WEB = "web", _("Web form")
    SOCIAL = "social", _("Social media")


# The contact channel (dictionary contact_channel) of the timeline interaction for a ticket channel.
INTERACTION_CHANNEL = {"social": "wechat"}


def ancestor_ids(unit) -> list[int]:
    if unit is None or not unit.path:
        return []
    return [int(p) for p in unit.path.split(".") if p]


def queue_q(user) -> Q:
    """The unassigned tickets of the queues ``user`` belongs to: their role, at their unit or above."""
    if user is None or not user.is_authenticated or not user.is_active or not user.role_id:
        return Q(pk__in=[])
    return Q(
        state__in=(TicketState.NEW, TicketState.REOPENED),
        assignee__isnull=True,
        queue_role_id=user.role_id,
        team_id__in=ancestor_ids(user.org_unit),
    )


class TicketQuerySet(ScopedQuerySet):
    def restrict(self, user) -> TicketQuerySet:
        if user is None or not user.is_authenticated or not user.is_active:
            qs = self.none()
        elif user.data_scope == DataScope.ALL:
            qs = self.all()
        else:
            qs = self.filter(
                scope_q(user, org_field="org_unit", owner_field="owner")
                | scope_q(user, org_field="team", owner_field="owner")
                | Q(assignee_id=user.pk)
                | queue_q(user)
            )
        qs._scoped_for = user
        return qs


class Ticket(ScopedModel):
    ticket_no = models.CharField(_("ticket number"), max_length=20, unique=True)
    ticket_type = models.CharField(_("type"), max_length=16, choices=TicketType.choices)
    category = models.ForeignKey(
        "service.TicketCategory", verbose_name=_("category"), on_delete=models.PROTECT, related_name="tickets"
    )
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices, default=Priority.P3)
    channel = models.CharField(_("channel"), max_length=16, choices=TicketChannel.choices)
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="tickets"
    )
    subscription = models.ForeignKey(
        "customers.Subscription",
        verbose_name=_("line"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tickets",
    )
    order = models.ForeignKey(
        "orders.Order",
        verbose_name=_("order"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    subject = models.CharField(_("subject"), max_length=200)
    description = models.TextField(_("description"), max_length=4000, blank=True)
    state = models.CharField(_("state"), max_length=16, choices=TicketState.choices, default=TicketState.NEW)
    state_changed_at = models.DateTimeField(_("state changed at"), null=True, blank=True)
    team = models.ForeignKey(
        "platform.OrgUnit", verbose_name=_("team"), on_delete=models.PROTECT, related_name="+"
    )
    queue_role = models.ForeignKey(
        "platform.Role", verbose_name=_("queue role"), on_delete=models.PROTECT, related_name="+"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # SLA
    calendar = models.CharField(_("work calendar"), max_length=32)
    response_minutes = models.PositiveIntegerField(_("first response (working minutes)"))
    resolution_minutes = models.PositiveIntegerField(_("resolution (working minutes)"))
    response_due_at = models.DateTimeField(_("first response due"))
    resolution_due_at = models.DateTimeField(_("resolution due"))
    warn_at = models.DateTimeField(_("warning at"))
    responded_at = models.DateTimeField(_("first response at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    paused_at = models.DateTimeField(_("waiting for the customer since"), null=True, blank=True)
    paused_minutes = models.PositiveIntegerField(_("paused (working minutes)"), default=0)
    warned_at = models.DateTimeField(_("warned at"), null=True, blank=True)
    breached_at = models.DateTimeField(_("SLA breached at"), null=True, blank=True)
    response_breached_at = models.DateTimeField(_("first response overdue at"), null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(_("escalation level"), default=0)
    escalate_at = models.DateTimeField(_("next escalation at"))
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    escalated_to = models.ForeignKey(
        "platform.OrgUnit",
        verbose_name=_("escalated to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # relations between tickets
    parent = models.ForeignKey(
        "self",
        verbose_name=_("mass-fault ticket"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    process = models.ForeignKey(
        "orders.ProcessInstance",
        verbose_name=_("repair process"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    resolution = models.TextField(_("resolution"), max_length=2000, blank=True)
    confirmed_by_customer = models.BooleanField(_("confirmed by the customer"), default=False)
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)

    objects = TicketQuerySet.as_manager()

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["team", "state", "priority", "resolution_due_at"], name="ticket_queue_idx"),
            models.Index(fields=["assignee", "state"], name="ticket_assignee_idx"),
            models.Index(fields=["customer", "-id"], name="ticket_customer_idx"),
            models.Index(fields=["org_unit", "-id"], name="ticket_unit_idx"),
            models.Index(fields=["state", "escalate_at"], name="ticket_escalate_idx"),
            models.Index(fields=["state", "warn_at"], name="ticket_warn_idx"),
        ]
        permissions = [
            ("handle_ticket", _("Can work on tickets of their queues")),
            ("dispatch_ticket", _("Can assign, merge and escalate tickets (team leader)")),
            ("manage_service", _("Can manage ticket categories and SLA targets")),
        ]

    def __str__(self) -> str:
        return self.ticket_no

    @property
    def is_open(self) -> bool:
        return self.state in OPEN

    @property
    def is_paused(self) -> bool:
        return self.paused_at is not None


class TicketEvent(models.Model):
    """One line of a ticket's history: who moved it, from which state to which, with what note."""

    ticket = models.ForeignKey(
        Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="events"
    )
    at = models.DateTimeField(_("at"))
    move = models.CharField(_("move"), max_length=16, choices=TicketMove.choices)
    state_from = models.CharField(_("from"), max_length=16, blank=True)
    state_to = models.CharField(_("to"), max_length=16)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.CharField(_("note"), max_length=1000, blank=True)

    class Meta:
        verbose_name = _("ticket event")
        verbose_name_plural = _("ticket events")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["ticket", "at"], name="ticket_event_idx")]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.move}"
