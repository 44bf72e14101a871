"""The outbox (INT-2, INT-3): events, their deliveries to subscribers, and adapter commands.

An :class:`Event` is written by ``events.emit`` in the transaction of the change it announces, with
one :class:`Delivery` per matching subscriber; a :class:`Command` (a billing or network call) is
written by ``commands.request`` the same way. Nothing leaves the database before that transaction
commits, and nothing committed is lost: the dispatcher (dispatch.py) sends every due row, at least
once, with the row's idempotency key, until it succeeds or lands in the error queue.

A delivery's and a command's life (``State``)::

    pending ──claim──▶ in_flight ──success──▶ done
       ▲                  │  └──failure──▶ failed ──(back-off due)──▶ claimed again
       │                  └── lease over (worker died) ──▶ claimed again
       └──replay── dead ◀──(attempts used up, or a permanent error)
                   dead / failed / pending ──discard──▶ discarded

``next_attempt_at`` is when the row is due: for ``pending`` and ``failed`` the next try, for
``in_flight`` the end of the claim's lease. The dispatcher's query reads one partial index.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils import timezone

from telcrm.platform.models.fields import EncryptedField
from telcrm.platform.models.scoped import ScopedQuerySet

from ..i18n import _

KEY_MAX = 100
TOPIC_MAX = 64
ERROR_MAX = 2000


class State(models.TextChoices):
    PENDING = "pending", _("Pending")
    IN_FLIGHT = "in_flight", _("Sending")
    DONE = "done", _("Done")
    FAILED = "failed", _("Retrying")
    DEAD = "dead", _("Dead (error queue)")
    DISCARDED = "discarded", _("Discarded")


DUE_STATES = (State.PENDING, State.FAILED, State.IN_FLIGHT)
OPEN_STATES = (State.PENDING, State.IN_FLIGHT, State.FAILED, State.DEAD)
FINISHED_STATES = (State.DONE, State.DISCARDED)


class Adapter(models.TextChoices):
    BILLING = "billing", _("Billing (BOSS)")
    NETWORK = "network", _("Network provisioning")


class SubscriptionKind(models.TextChoices):
    WEBHOOK = "webhook", _("Webhook")
    TMF_HUB = "tmf_hub", _("TMF event hub")


class OutboxQuerySet(ScopedQuerySet):
    """Outbox rows are scoped by the org unit of the change (no owner): a subtree user sees what
    happened in their subtree, an "own" user their own unit, "all" everything (also rows of no unit)."""

    scope_owner_field = None


class Event(models.Model):
    """One business change, announced: ``topic`` (``customer.created``), the changed row
    (``aggregate_type`` + ``aggregate_id``) and a JSON ``payload``. ``event_id`` is the idempotency
    key every receiver gets with each delivery of it."""

    event_id = models.UUIDField(_("event id"), default=uuid.uuid4, unique=True, editable=False)
    topic = models.CharField(_("topic"), max_length=TOPIC_MAX)
    aggregate_type = models.CharField(_("object type"), max_length=64)
    aggregate_id = models.CharField(_("object id"), max_length=64)
    payload = models.JSONField(_("payload"), default=dict, encoder=DjangoJSONEncoder)
    org_unit = models.ForeignKey(
        "platform.OrgUnit",
        verbose_name=_("organisation unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("caused by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    request_id = models.CharField(_("request id"), max_length=36, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = OutboxQuerySet.as_manager()

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["-created_at", "-id"]
        default_permissions = ()
        permissions = [
            ("view_outbox", _("Can see the outbox and the error queue")),
            ("manage_outbox", _("Can replay and discard deliveries and commands")),
            ("manage_subscriptions", _("Can manage webhook and TMF hub subscriptions")),
        ]
        indexes = [
            models.Index(
                fields=["aggregate_type", "aggregate_id", "created_at"], name="integ_event_aggregate_idx"
            ),
            models.Index(fields=["topic", "created_at"], name="integ_event_topic_idx"),
            models.Index(fields=["created_at"], name="integ_event_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.topic} {self.aggregate_type}#{self.aggregate_id}"


class Subscription(models.Model):
    """A receiver of events outside telcrm: a webhook (our JSON body, HMAC-signed when it has a
    secret) or a TMF hub listener (the TMF event body, registered through ``POST …/hub``).

    ``topics`` are patterns: ``customer.created``, ``customer.*`` or ``*``. ``org_unit`` limits the
    events to that subtree (the registering user's, unless their data scope is everything); events
    of no unit (carrier-wide changes) reach every subscription. Deleting keeps the row (``deleted_at``)
    so its deliveries keep their history.
    """

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(
        _("kind"), max_length=16, choices=SubscriptionKind.choices, default=SubscriptionKind.WEBHOOK
    )
    callback = models.URLField(_("callback URL"), max_length=500)
    topics = models.JSONField(_("topics"), default=list)
    secret = EncryptedField(_("signing secret"), mask="generic", blank=True)
    active = models.BooleanField(_("active"), default=True)
    org_unit = models.ForeignKey(
        "platform.OrgUnit",
        verbose_name=_("events of"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # TMF hub registrations: the API (TMF629), its base URL (for hrefs) and the query as given
    tmf_api = models.CharField(_("TMF API"), max_length=16, blank=True)
    tmf_base_url = models.CharField(_("TMF base URL"), max_length=500, blank=True)
    tmf_query = models.CharField(_("TMF query"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True)

    objects = OutboxQuerySet.as_manager()

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        ordering = ["name", "id"]
        default_permissions = ()
        indexes = [models.Index(fields=["active", "deleted_at"], name="integ_subscription_live_idx")]

    def __str__(self) -> str:
        return self.name


class OutboxRow(models.Model):
    """What a delivery and a command share: state, attempts, when due, the last error."""

    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    replays = models.PositiveIntegerField(_("replays"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    error_code = models.CharField(_("error code"), max_length=40, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    org_unit = models.ForeignKey(
        "platform.OrgUnit",
        verbose_name=_("organisation unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = OutboxQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def can_replay(self) -> bool:
        return self.state in (State.DEAD, State.FAILED)

    @property
    def can_discard(self) -> bool:
        return self.state in (State.DEAD, State.FAILED, State.PENDING)


def _due_index(name: str) -> models.Index:
    return models.Index(fields=["next_attempt_at"], condition=Q(state__in=DUE_STATES), name=name)


class Delivery(OutboxRow):
    """One event to one subscriber: a :class:`Subscription` (webhook / TMF hub) or an in-process
    ``handler`` registered with ``events.subscribe``. ``topic`` and ``org_unit`` repeat the event's,
    so the error queue filters and scopes without a join."""

    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="deliveries"
    )
    subscription = models.ForeignKey(
        Subscription,
        verbose_name=_("subscription"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deliveries",
    )
    handler = models.CharField(_("handler"), max_length=100, blank=True)
    topic = models.CharField(_("topic"), max_length=TOPIC_MAX)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-created_at", "-id"]
        default_permissions = ()
        indexes = [
            _due_index("integ_delivery_due_idx"),
            models.Index(fields=["state", "updated_at"], name="integ_delivery_state_idx"),
            models.Index(fields=["state", "topic", "updated_at"], name="integ_delivery_topic_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(subscription__isnull=False) & Q(handler=""))
                | (Q(subscription__isnull=True) & ~Q(handler="")),
                name="integ_delivery_one_receiver",
            ),
            models.UniqueConstraint(
                fields=["event", "subscription"], name="integ_delivery_once_per_subscription"
            ),
            models.UniqueConstraint(
                fields=["event", "handler"], condition=~Q(handler=""), name="integ_delivery_once_per_handler"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.topic} → {self.receiver}"

    @property
    def receiver(self) -> str:
        return self.handler or (self.subscription.name if self.subscription_id else "")


class Command(OutboxRow):
    """One call of an adapter (``billing.open_account``…) with its ``payload`` (the call's keyword
    arguments) and ``key``, the idempotency key the adapter receives: one key, one effect. On success
    the adapter's ``result`` is stored and the ``on_done`` handler (commands.completion_handler)
    runs in the same transaction."""

    command_id = models.UUIDField(_("command id"), default=uuid.uuid4, unique=True, editable=False)
    adapter = models.CharField(_("adapter"), max_length=16, choices=Adapter.choices)
    operation = models.CharField(_("operation"), max_length=40)
    key = models.CharField(_("idempotency key"), max_length=KEY_MAX)
    payload = models.JSONField(_("payload"), default=dict, encoder=DjangoJSONEncoder)
    result = models.JSONField(_("result"), null=True, blank=True, encoder=DjangoJSONEncoder)
    on_done = models.CharField(_("completion handler"), max_length=100, blank=True)
    aggregate_type = models.CharField(_("object type"), max_length=64, blank=True)
    aggregate_id = models.CharField(_("object id"), max_length=64, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("command")
        verbose_name_plural = _("commands")
        ordering = ["-created_at", "-id"]
        default_permissions = ()
        indexes = [
            _due_index("integ_command_due_idx"),
            models.Index(fields=["state", "updated_at"], name="integ_command_state_idx"),
            models.Index(fields=["state", "adapter", "updated_at"], name="integ_command_adapter_idx"),
            models.Index(fields=["aggregate_type", "aggregate_id"], name="integ_command_aggregate_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["adapter", "key"], name="integ_command_key_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.adapter}.{self.operation} [{self.key}]"

    @property
    def name(self) -> str:
        return f"{self.adapter}.{self.operation}"
