"""Process definitions (流程定义), their versions, running instances and the steps they completed.

A definition is one order type's flow, known by its key ("order.new_line"). Its flow is a BPMN 2.0
document stored per version: at most one draft (edited), at most one active (new instances start on it),
any number retired. Publishing a draft makes it the active version and retires the one before; an
instance keeps the version it started on to the end (``ProcessInstance.version``).

An instance holds the SpiffWorkflow state serialised as JSON (without the flow itself, which the engine
reads from the version) and is locked row by row while the engine moves it on, one committed step at a
time. Every step that did something — a service task's handler, a rule task, a completed user task, a
fired timer — is a ``ProcessStep`` keyed by (instance, SpiffWorkflow task id): a step already recorded
is never run again.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from telcrm.platform.models import ScopedModel, ScopedQuerySet
from telcrm.platform.models.base import BilingualNameMixin

KEY_VALIDATOR = RegexValidator(
    r"^[a-z][a-z0-9_]{0,30}(\.[a-z][a-z0-9_]{0,30}){1,3}$",
    _("Use lower-case words joined by dots, e.g. order.new_line."),
    "invalid",
)


class VersionState(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("orders", "Draft")
    ACTIVE = "active", pgettext_lazy("orders", "Active")
    RETIRED = "retired", pgettext_lazy("orders", "Retired")


class ProcessDefinition(BilingualNameMixin, models.Model):
    """One order type's flow (e.g. 新装 order.new_line), with its versions."""

    key = models.CharField(_("key"), max_length=100, unique=True, validators=[KEY_VALIDATOR])
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_number = models.PositiveIntegerField(_("last version number"), default=0, editable=False)
    changed_at = models.DateTimeField(_("last change"), null=True, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("process definition")
        verbose_name_plural = _("process definitions")
        ordering = ["key"]
        default_permissions = ()
        permissions = [
            ("view_process", _("Can see process definitions and instances")),
            ("manage_process", _("Can change, publish and operate processes")),
        ]

    def __str__(self) -> str:
        return self.key


class ProcessVersion(models.Model):
    """One version of a definition's BPMN document."""

    definition = models.ForeignKey(
        ProcessDefinition,
        verbose_name=_("process definition"),
        on_delete=models.CASCADE,
        related_name="versions",
    )
    number = models.PositiveIntegerField(_("version"))
    state = models.CharField(_("state"), max_length=16, choices=VersionState.choices, db_index=True)
    bpmn_xml = models.TextField(_("BPMN XML"))
    process_id = models.CharField(_("process id"), max_length=100, help_text=_("The executable process"))
    # what the version does, read when it was checked: [{id, kind, name, detail}] for the pages
    elements = models.JSONField(_("elements"), default=list, blank=True)
    comment = models.CharField(_("comment"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    saved_at = models.DateTimeField(_("saved at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True)

    class Meta:
        verbose_name = _("process version")
        verbose_name_plural = _("process versions")
        ordering = ["definition", "-number"]
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(fields=["definition", "number"], name="orders_process_version_number"),
            models.UniqueConstraint(
                fields=["definition"], condition=Q(state="active"), name="orders_process_one_active"
            ),
            models.UniqueConstraint(
                fields=["definition"], condition=Q(state="draft"), name="orders_process_one_draft"
            ),
        ]

    def __str__(self) -> str:
        definition = self._state.fields_cache.get("definition")
        return f"{definition.key if definition else self.definition_id} v{self.number}"


class InstanceState(models.TextChoices):
    RUNNING = "running", pgettext_lazy("orders", "Running")
    WAITING = "waiting", pgettext_lazy("orders", "Waiting")
    COMPLETED = "completed", pgettext_lazy("orders", "Completed")
    FAILED = "failed", pgettext_lazy("orders", "Failed")
    CANCELLED = "cancelled", pgettext_lazy("orders", "Cancelled")


OPEN_INSTANCE_STATES = (InstanceState.RUNNING, InstanceState.WAITING)


class ProcessInstance(ScopedModel):
    """One run of a process: for an order (its subject), on the version it started with.

    ``org_unit`` is where the business was taken (the branch), ``owner`` who started it; ``subject``
    points at the business row (an order) by content type and id, ``business_key`` is its number.
    """

    uuid = models.UUIDField(_("UUID"), default=uuid.uuid4, unique=True, editable=False)
    definition = models.ForeignKey(
        ProcessDefinition, verbose_name=_("process definition"), on_delete=models.PROTECT, related_name="+"
    )
    version = models.ForeignKey(
        ProcessVersion, verbose_name=_("version"), on_delete=models.PROTECT, related_name="instances"
    )
    business_key = models.CharField(_("business key"), max_length=64, blank=True, db_index=True)
    subject_type = models.ForeignKey(
        ContentType,
        verbose_name=_("subject type"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    subject_id = models.CharField(_("subject id"), max_length=64, blank=True)
    subject = GenericForeignKey("subject_type", "subject_id")
    state = models.CharField(
        _("state"), max_length=16, choices=InstanceState.choices, default=InstanceState.RUNNING
    )
    state_changed_at = models.DateTimeField(_("state changed at"), null=True, blank=True)
    workflow_json = models.TextField(_("workflow state"), blank=True)
    current = models.CharField(_("current steps"), max_length=200, blank=True)
    wake_at = models.DateTimeField(_("next timer or retry"), null=True, blank=True)
    steps = models.PositiveIntegerField(_("steps run"), default=0)
    attempts = models.PositiveSmallIntegerField(_("failed attempts"), default=0)
    error_task = models.CharField(_("failed step"), max_length=100, blank=True)
    error_message = models.TextField(_("error"), blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("process instance")
        verbose_name_plural = _("process instances")
        ordering = ["-id"]
        default_permissions = ()
        indexes = [
            models.Index(fields=["state", "wake_at"], name="orders_instance_wake_idx"),
            models.Index(fields=["subject_type", "subject_id"], name="orders_instance_subject_idx"),
            models.Index(fields=["org_unit", "-id"], name="orders_instance_org_idx"),
            models.Index(fields=["definition", "state"], name="orders_instance_def_idx"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        return f"LC{self.pk or 0:010d}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_INSTANCE_STATES


class StepKind(models.TextChoices):
    SERVICE = "service", pgettext_lazy("orders", "Service task")
    RULE = "rule", pgettext_lazy("orders", "Business rule")
    USER = "user", pgettext_lazy("orders", "Work order")
    TIMER = "timer", pgettext_lazy("orders", "Timer")
    MESSAGE = "message", pgettext_lazy("orders", "Message")
    END = "end", pgettext_lazy("orders", "End")


class ProcessStep(models.Model):
    """A step an instance completed, once: the idempotency record of its handler call."""

    instance = models.ForeignKey(
        ProcessInstance, verbose_name=_("process instance"), on_delete=models.CASCADE, related_name="+"
    )
    task_id = models.UUIDField(_("task id"))
    element_id = models.CharField(_("element"), max_length=100)
    name = models.CharField(_("name"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=StepKind.choices)
    handler = models.CharField(_("handler"), max_length=100, blank=True)
    idempotency_key = models.CharField(_("idempotency key"), max_length=100, blank=True)
    result = models.JSONField(_("result"), null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("time"))
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)

    class Meta:
        verbose_name = _("process step")
        verbose_name_plural = _("process steps")
        ordering = ["instance", "at", "id"]
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(fields=["instance", "task_id"], name="orders_step_once"),
        ]

    def __str__(self) -> str:
        return f"{self.instance_id}:{self.element_id}"
