"""Pending installations (待装, ORD-5): the installation of a broadband order, its appointments
(预约) and its history.

An :class:`Installation` is the 待装记录 of one process instance. It enters when the instance reaches
an *installation dispatch* step (a ``dispatch`` work order whose form asks ``install_team``) or an
``installation`` work order, and then follows the instance's work orders: the dispatcher books an
appointment slot of an installer team (:class:`InstallAppointment`, capacity per team and slot from
:class:`InstallCapacity` or the parameter ``orders.install_slot_capacity``) and assigns an installer;
the installer records arrival and the result from the field page; completing or returning the
installation work order moves the process on (or back to dispatch). Every change is a line of
:class:`InstallationEvent` — the state history shown on the work-order and order pages.

Who sees an installation: the data scope over the unit the order came from (``org_unit``, ``owner``
the clerk), plus everyone who sees one of the instance's work orders (the back office at the dispatch
step, the installer team's queue, the assigned installer).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from telcrm.platform.models import DataScope, ScopedModel, ScopedQuerySet, scope_q


class InstallState(models.TextChoices):
    AWAITING_DISPATCH = "dispatch", pgettext_lazy("installation", "Awaiting dispatch")
    AWAITING_APPOINTMENT = "unbooked", pgettext_lazy("installation", "Awaiting appointment")
    BOOKED = "booked", pgettext_lazy("installation", "Booked")
    ON_SITE = "on_site", pgettext_lazy("installation", "On site")
    INSTALLED = "installed", pgettext_lazy("installation", "Installed")
    FAILED = "failed", pgettext_lazy("installation", "Failed")
    CANCELLED = "cancelled", pgettext_lazy("installation", "Cancelled")


# the installation work order is open or claimed: the field work can be booked, assigned and reported
FIELD_STATES = (InstallState.AWAITING_APPOINTMENT, InstallState.BOOKED, InstallState.ON_SITE)
ACTIVE_INSTALL_STATES = (InstallState.AWAITING_DISPATCH, *FIELD_STATES)


class InstallResult(models.TextChoices):
    INSTALLED = "installed", pgettext_lazy("installation", "Installed")
    FAILED = "failed", pgettext_lazy("installation", "Could not install")


class AppointmentState(models.TextChoices):
    BOOKED = "booked", pgettext_lazy("appointment", "Booked")
    REPLACED = "replaced", pgettext_lazy("appointment", "Rebooked")
    CANCELLED = "cancelled", pgettext_lazy("appointment", "Cancelled")
    KEPT = "kept", pgettext_lazy("appointment", "Kept")
    MISSED = "missed", pgettext_lazy("appointment", "Not completed")


# appointments that take a place of their slot (a visit that happened took it, whatever its result)
COUNTED_APPOINTMENTS = (AppointmentState.BOOKED, AppointmentState.KEPT, AppointmentState.MISSED)


class InstallMove(models.TextChoices):
    ENTERED = "entered", pgettext_lazy("installation", "Waiting for dispatch")
    DISPATCHED = "dispatched", pgettext_lazy("installation", "Dispatched")
    QUEUED = "queued", pgettext_lazy("installation", "Queued at the installer team")
    BOOKED = "booked", pgettext_lazy("installation", "Appointment booked")
    REBOOKED = "rebooked", pgettext_lazy("installation", "Appointment rebooked")
    ASSIGNED = "assigned", pgettext_lazy("installation", "Installer assigned")
    RELEASED = "released", pgettext_lazy("installation", "Back in the team queue")
    MOVED = "moved", pgettext_lazy("installation", "Moved to another team")
    ESCALATED = "escalated", pgettext_lazy("installation", "Escalated")
    ARRIVED = "arrived", pgettext_lazy("installation", "Installer arrived")
    INSTALLED = "installed", pgettext_lazy("installation", "Installed")
    FAILED = "failed", pgettext_lazy("installation", "Installation failed")
    CANCELLED = "cancelled", pgettext_lazy("installation", "Cancelled")
    SLA_WARNING = "sla_warning", pgettext_lazy("installation", "SLA warning")
    SLA_OVERDUE = "sla_overdue", pgettext_lazy("installation", "SLA overdue")
    APPOINTMENT_OVERDUE = "appt_overdue", pgettext_lazy("installation", "Appointment passed without feedback")


class InstallationQuerySet(ScopedQuerySet):
    def restrict(self, user) -> InstallationQuerySet:
        from .workorder import WorkOrder

        if user is None or not user.is_authenticated or not user.is_active:
            qs = self.none()
        elif user.data_scope == DataScope.ALL:
            qs = self.all()
        else:
            seen = WorkOrder.objects.restrict(user).values("instance_id")
            qs = self.filter(
                scope_q(user, org_field="org_unit", owner_field="owner") | Q(instance_id__in=seen)
            )
        qs._scoped_for = user
        return qs


class Installation(ScopedModel):
    """The 待装记录 of one order's process instance. ``org_unit``: where the order was taken."""

    instance = models.OneToOneField(
        "orders.ProcessInstance",
        verbose_name=_("process instance"),
        on_delete=models.CASCADE,
        related_name="installation",
    )
    order = models.ForeignKey(
        "orders.Order",
        verbose_name=_("order"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    business_key = models.CharField(_("business key"), max_length=64, blank=True, db_index=True)
    address = models.CharField(_("installation address"), max_length=300, blank=True)
    state = models.CharField(
        _("state"), max_length=16, choices=InstallState.choices, default=InstallState.AWAITING_DISPATCH
    )
    state_changed_at = models.DateTimeField(_("state changed at"), null=True, blank=True)
    work_order = models.ForeignKey(
        "orders.WorkOrder",
        verbose_name=_("current work order"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    team = models.ForeignKey(
        "platform.OrgUnit",
        verbose_name=_("installer team"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    appointment = models.ForeignKey(
        "orders.InstallAppointment",
        verbose_name=_("appointment"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    dispatcher = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("dispatcher"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Who dispatched, booked or assigned it last; told when it runs late."),
    )
    result = models.CharField(_("result"), max_length=16, choices=InstallResult.choices, blank=True)
    failure_reason = models.CharField(_("failure reason"), max_length=50, blank=True)
    notes = models.CharField(_("field notes"), max_length=500, blank=True)
    ont_serial = models.CharField(_("ONT serial"), max_length=40, blank=True)
    other_serials = models.JSONField(_("other equipment serials"), default=list, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    finished_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("finished by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = InstallationQuerySet.as_manager()

    class Meta:
        verbose_name = _("installation")
        verbose_name_plural = _("installations")
        ordering = ["-id"]
        default_permissions = ()
        permissions = [
            ("view_installation", _("Can see pending installations")),
            ("book_installation", _("Can book installation appointments and assign installers")),
            ("report_installation", _("Can report field feedback of their installations")),
            ("manage_install_capacity", _("Can set the capacity of installer teams")),
        ]
        indexes = [
            models.Index(fields=["state", "team"], name="orders_inst_state_team_idx"),
            models.Index(fields=["org_unit", "-id"], name="orders_inst_org_idx"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        return f"AZ{self.pk or 0:010d}"

    @property
    def is_active(self) -> bool:
        return self.state in ACTIVE_INSTALL_STATES

    @property
    def in_field(self) -> bool:
        return self.state in FIELD_STATES


class InstallAppointment(models.Model):
    """One appointment (预约) of an installation: a day and a time window of an installer team."""

    installation = models.ForeignKey(
        Installation, verbose_name=_("installation"), on_delete=models.CASCADE, related_name="appointments"
    )
    team = models.ForeignKey(
        "platform.OrgUnit", verbose_name=_("installer team"), on_delete=models.PROTECT, related_name="+"
    )
    day = models.DateField(_("day"))
    window = models.CharField(_("time window"), max_length=50)
    window_label = models.CharField(_("time window label"), max_length=100, blank=True)
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    state = models.CharField(
        _("state"), max_length=16, choices=AppointmentState.choices, default=AppointmentState.BOOKED
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("booked by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    booked_at = models.DateTimeField(_("booked at"))
    arrived_at = models.DateTimeField(_("arrived at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    overdue_alerted_at = models.DateTimeField(_("overdue alert at"), null=True, blank=True)

    class Meta:
        verbose_name = _("installation appointment")
        verbose_name_plural = _("installation appointments")
        ordering = ["installation", "booked_at", "id"]
        default_permissions = ()
        indexes = [
            # the places taken in a team's slots
            models.Index(fields=["team", "day", "window", "state"], name="orders_appt_slot_idx"),
            # the scheduled check: booked appointments whose window has passed
            models.Index(fields=["state", "ends_at"], name="orders_appt_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.window_label or self.window}"


class InstallCapacity(models.Model):
    """How many installations a team takes in a slot: for one window (or every window, ``window`` empty)
    on one day (or every day, ``day`` empty). The most specific row wins; without any row the parameter
    ``orders.install_slot_capacity`` applies."""

    team = models.ForeignKey(
        "platform.OrgUnit", verbose_name=_("installer team"), on_delete=models.CASCADE, related_name="+"
    )
    window = models.CharField(_("time window"), max_length=50, blank=True)
    day = models.DateField(_("day"), null=True, blank=True)
    capacity = models.PositiveSmallIntegerField(_("installations per slot"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("changed at"), auto_now=True)

    class Meta:
        verbose_name = _("installer team capacity")
        verbose_name_plural = _("installer team capacities")
        ordering = ["team", "day", "window"]
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(
                fields=["team", "window", "day"],
                condition=Q(day__isnull=False),
                name="orders_capacity_day_once",
            ),
            models.UniqueConstraint(
                fields=["team", "window"], condition=Q(day__isnull=True), name="orders_capacity_default_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.team_id} {self.day or '*'} {self.window or '*'}: {self.capacity}"


class InstallationEvent(models.Model):
    """One line of an installation's state history."""

    installation = models.ForeignKey(
        Installation, verbose_name=_("installation"), on_delete=models.CASCADE, related_name="events"
    )
    at = models.DateTimeField(_("time"))
    move = models.CharField(_("what happened"), max_length=16, choices=InstallMove.choices)
    state = models.CharField(_("state"), max_length=16, choices=InstallState.choices)
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
        verbose_name=_("installer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    work_order = models.ForeignKey(
        "orders.WorkOrder",
        verbose_name=_("work order"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    detail = models.CharField(_("detail"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("installation event")
        verbose_name_plural = _("installation events")
        ordering = ["installation", "at", "id"]
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.installation_id} {self.move}"
