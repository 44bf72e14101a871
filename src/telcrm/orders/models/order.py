"""Orders taken at the counter (营业受理, ORD-1/ORD-2): the order, its items, payments and receipt prints.

An order is written as a draft by the clerk (items, a chosen number, payments), submitted (the number
assigned, the SIM allocated, its process started) and then moved on by the process: in progress when
the back office accepts it, completed when it is archived (销单入库), or failed / cancelled. Amounts are
integers in fen. Writes go through ``orders.actions.acceptance``.

Invariants held by the database: amounts are never negative, a payment is positive, an order number
is unique, and a number (Number row) is held by at most one live order item (``holds_number``), so
two drafts can never both own the same number.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from telcrm.platform.models import ScopedModel, ScopedQuerySet


class OrderType(models.TextChoices):
    NEW_LINE = "new_line", _("New line (新装入网)")
    PLAN_CHANGE = "plan_change", _("Plan change (套餐变更)")
    ADD_ON = "add_on", _("Add-on (订购附加包)")
    SIM_SWAP = "sim_swap", _("SIM swap (补换卡)")
    SUSPEND = "suspend", _("Suspend (停机)")
    RESUME = "resume", _("Resume (复机)")
    TRANSFER = "transfer", _("Ownership transfer (过户)")
    PORT_IN = "port_in", _("Number port-in (携号转入)")
    TERMINATION = "termination", _("Termination (销户)")
    BROADBAND = "broadband", _("Broadband installation (宽带装机)")


class OrderState(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("order state", "Draft")
    SUBMITTED = "submitted", pgettext_lazy("order state", "Submitted")
    IN_PROGRESS = "in_progress", pgettext_lazy("order state", "In progress")
    COMPLETED = "completed", pgettext_lazy("order state", "Completed")
    CANCELLED = "cancelled", pgettext_lazy("order state", "Cancelled")
    FAILED = "failed", pgettext_lazy("order state", "Failed")


LIVE_ORDER_STATES = (OrderState.DRAFT, OrderState.SUBMITTED, OrderState.IN_PROGRESS)


class ItemAction(models.TextChoices):
    ADD = "add", _("Add")
    MODIFY = "modify", _("Modify")
    REMOVE = "remove", _("Remove")


class PaymentMethod(models.TextChoices):
    CASH = "cash", _("Cash")
    CARD = "card", _("Bank card")
    MOBILE_PAY = "mobile_pay", _("Mobile pay")
    ACCOUNT = "account", _("Charge to the account")


class Order(ScopedModel):
    """One customer's order. ``org_unit`` is the clerk's branch, ``owner`` the clerk (data scope)."""

    order_no = models.CharField(_("order number"), max_length=20, unique=True)
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="orders"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("taken by"), on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField(_("channel"), max_length=16, default="counter")
    order_type = models.CharField(_("order type"), max_length=16, choices=OrderType.choices, db_index=True)
    state = models.CharField(
        _("state"), max_length=16, choices=OrderState.choices, default=OrderState.DRAFT, db_index=True
    )
    subscription = models.ForeignKey(
        "customers.Subscription",
        verbose_name=_("line"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="orders",
    )
    one_off_fen = models.BigIntegerField(_("one-off due (fen)"), default=0)
    recurring_fen = models.BigIntegerField(_("monthly (fen)"), default=0)
    discount_fen = models.BigIntegerField(_("discount (fen)"), default=0)
    paid_fen = models.BigIntegerField(_("paid (fen)"), default=0)
    process = models.ForeignKey(
        "orders.ProcessInstance",
        verbose_name=_("process"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    data = models.JSONField(_("details"), default=dict, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["org_unit", "created_at"], name="order_unit_day_idx"),
            models.Index(fields=["customer", "-id"], name="order_customer_idx"),
            models.Index(fields=["owner", "-id"], name="order_owner_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(one_off_fen__gte=0, recurring_fen__gte=0, discount_fen__gte=0, paid_fen__gte=0),
                name="order_amounts_not_negative",
            ),
        ]
        permissions = [
            ("take_order", _("Can take orders at the counter")),
            ("reprint_receipt", _("Can reprint receipts")),
        ]

    def __str__(self) -> str:
        return self.order_no

    @property
    def is_draft(self) -> bool:
        return self.state == OrderState.DRAFT

    @property
    def balance_due_fen(self) -> int:
        return max(0, self.one_off_fen - self.paid_fen)


class OrderItem(models.Model):
    """One line of an order: an offering added/modified/removed, a number and SIM for a line."""

    order = models.ForeignKey(Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="items")
    action = models.CharField(_("action"), max_length=8, choices=ItemAction.choices, default=ItemAction.ADD)
    offering = models.ForeignKey(
        "catalog.ProductOffering",
        verbose_name=_("offering"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    offering_code = models.CharField(_("offering code"), max_length=40, blank=True)
    name = models.CharField(_("name"), max_length=100, blank=True)
    subscription = models.ForeignKey(
        "customers.Subscription",
        verbose_name=_("line"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    number = models.ForeignKey(
        "resources.Number",
        verbose_name=_("number"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    holds_number = models.BooleanField(_("holds the number"), default=False)
    msisdn = models.CharField(_("number"), max_length=20, blank=True)
    iccid = models.CharField(_("ICCID"), max_length=22, blank=True)
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    one_off_fen = models.BigIntegerField(_("one-off (fen)"), default=0)
    recurring_fen = models.BigIntegerField(_("monthly (fen)"), default=0)
    discount_fen = models.BigIntegerField(_("discount (fen)"), default=0)
    tariff = models.ForeignKey(
        "catalog.GroupTariff",
        verbose_name=_("tariff"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    why = models.CharField(_("discount reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("order item")
        verbose_name_plural = _("order items")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(one_off_fen__gte=0, recurring_fen__gte=0, discount_fen__gte=0),
                name="order_item_amounts_not_negative",
            ),
            models.UniqueConstraint(
                fields=["number"], condition=Q(holds_number=True), name="order_item_one_live_holder"
            ),
            models.CheckConstraint(
                condition=Q(holds_number=False) | Q(number__isnull=False), name="order_item_holder_has_number"
            ),
        ]

    def __str__(self) -> str:
        return self.name or self.offering_code or self.msisdn


class Payment(models.Model):
    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.PROTECT, related_name="payments"
    )
    method = models.CharField(_("payment method"), max_length=16, choices=PaymentMethod.choices)
    amount_fen = models.BigIntegerField(_("amount (fen)"))
    reference = models.CharField(_("reference"), max_length=64, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("received by"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("paid at"), default=timezone.now)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=Q(amount_fen__gt=0), name="payment_amount_positive")]

    def __str__(self) -> str:
        return f"{self.order_id} {self.method} {self.amount_fen}"


class ReceiptPrint(models.Model):
    """Each print of an order's receipt (受理单): the first is the original, the others reprints."""

    order = models.ForeignKey(Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="prints")
    copy_no = models.PositiveIntegerField(_("copy"))
    printed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("printed by"), on_delete=models.PROTECT, related_name="+"
    )
    printed_at = models.DateTimeField(_("printed at"), default=timezone.now)

    class Meta:
        verbose_name = _("receipt print")
        verbose_name_plural = _("receipt prints")
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["order", "copy_no"], name="receipt_print_copy_unique")]

    def __str__(self) -> str:
        return f"{self.order_id}#{self.copy_no}"
