"""SIM and terminal stock (资源 / 终端库存, RES-2): items held by branches, deliveries, transfers
between branches, stock counts (盘点), low-stock alerts and each item's movement history.

Every item row carries the branch holding it (``org_unit``). The data scope of stock is the branch,
not the person: at "own records" scope a clerk sees the stock of their own unit
(``scope_owner_field = None``), a branch manager their subtree, HQ everything. State changes happen
only in actions.py, through the state machine of states.py.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from telcrm.platform.models import ScopedModel, ScopedQuerySet, scope_q

from .states import ItemState, ItemType, Move


class SimKind(models.TextChoices):
    NORMAL = "normal", _("Standard SIM")
    MICRO = "micro", _("Micro SIM")
    NANO = "nano", _("Nano SIM")
    TRIPLE = "triple", _("Triple-cut SIM")
    ESIM = "esim", _("eSIM")


class BranchScopedQuerySet(ScopedQuerySet):
    """Stock belongs to a unit: "own records" scope means the rows of one's own unit."""

    scope_owner_field = None


class TwoUnitQuerySet(ScopedQuerySet):
    """Rows concerning two units (a transfer's origin and destination): visible from either side."""

    scope_owner_field = None
    second_unit_field = "to_unit"

    def restrict(self, user):
        q = scope_q(user, org_field="org_unit", owner_field=None) | scope_q(
            user, org_field=self.second_unit_field, owner_field=None
        )
        qs = self.filter(q)
        qs._scoped_for = user
        return qs


class MovementQuerySet(TwoUnitQuerySet):
    second_unit_field = "from_unit"


# --- deliveries -------------------------------------------------------------------------------------
class BatchStatus(models.TextChoices):
    IMPORTING = "importing", _("Importing")
    RECEIVED = "received", pgettext_lazy("stock", "Received")
    FAILED = "failed", _("Failed")


class StockBatch(ScopedModel):
    """A delivery received into a unit (入库批次), from an uploaded list of ICCIDs or IMEIs."""

    item_type = models.CharField(_("item type"), max_length=16, choices=ItemType.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=BatchStatus.choices, default=BatchStatus.IMPORTING
    )
    supplier = models.CharField(_("supplier"), max_length=100, blank=True)
    delivery_note = models.CharField(_("delivery note number"), max_length=64, blank=True)
    sim_kind = models.CharField(
        _("default SIM type"), max_length=16, choices=SimKind.choices, blank=True, default=SimKind.NORMAL
    )
    file_name = models.CharField(_("file"), max_length=120, blank=True)
    job = models.ForeignKey(
        "platform.Job", verbose_name=_("background job"), null=True, blank=True, on_delete=models.SET_NULL
    )
    rows = models.PositiveIntegerField(_("rows"), default=0)
    received_count = models.PositiveIntegerField(_("received"), default=0)
    rejected_count = models.PositiveIntegerField(_("rejected"), default=0)
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    objects = BranchScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("stock delivery")
        verbose_name_plural = _("stock deliveries")
        ordering = ["-id"]
        indexes = [models.Index(fields=["org_unit", "-id"], name="stock_batch_org_idx")]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        return f"RK{self.pk or 0:08d}"


# --- items --------------------------------------------------------------------------------------------
class StockItem(ScopedModel):
    """What SIM cards and terminals share: the holding unit, state, delivery and order reference.

    Millions of rows: only the indexes the lists and levels use (the unit is the first column of the
    composite indexes, so it needs none of its own; items have no owner).
    """

    org_unit = models.ForeignKey(
        "platform.OrgUnit",
        verbose_name=_("organisation unit"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        db_index=False,
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    state = models.CharField(_("state"), max_length=16, choices=ItemState.choices, default=ItemState.IN_STOCK)
    batch = models.ForeignKey(
        StockBatch,
        verbose_name=_("delivery"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # the transfer carrying the item while it is in transit
    transfer = models.ForeignKey(
        "stock.Transfer",
        verbose_name=_("transfer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reference = models.CharField(_("order reference"), max_length=64, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    state_changed_at = models.DateTimeField(_("state changed at"), default=timezone.now)
    allocated_at = models.DateTimeField(_("allocated at"), null=True, blank=True)

    objects = BranchScopedQuerySet.as_manager()

    item_type: str = ""
    key_field: str = ""

    class Meta:
        abstract = True

    @property
    def code(self) -> str:
        return getattr(self, self.key_field)


class SimCard(StockItem):
    """A SIM card (or eSIM profile) in stock: ICCID printed on the card, IMSI written on it."""

    iccid = models.CharField(_("ICCID"), max_length=20, unique=True)
    imsi = models.CharField(_("IMSI"), max_length=15, unique=True)
    kind = models.CharField(_("SIM type"), max_length=16, choices=SimKind.choices, default=SimKind.NORMAL)
    msisdn = models.CharField(_("number"), max_length=20, blank=True, db_index=True)
    activated_at = models.DateTimeField(_("activated at"), null=True, blank=True)

    item_type = ItemType.SIM
    key_field = "iccid"

    class Meta:
        verbose_name = _("SIM card")
        verbose_name_plural = _("SIM cards")
        ordering = ["iccid"]
        indexes = [
            models.Index(fields=["org_unit", "state", "kind"], name="stock_sim_level_idx"),
            models.Index(fields=["org_unit", "state", "iccid"], name="stock_sim_list_idx"),
            # whole-carrier figures (HQ's scope): counts by state, available stock per unit
            models.Index(fields=["state", "org_unit"], name="stock_sim_state_idx"),
        ]
        permissions = [
            ("view_stock", _("Can see SIM and terminal stock")),
            ("manage_stock", _("Can receive, transfer and count stock")),
            ("allocate_stock", _("Can allocate stock to orders")),
        ]

    def __str__(self) -> str:
        return self.iccid


class Terminal(StockItem):
    """A device for sale (终端): phone, router, set-top box, identified by its IMEI."""

    imei = models.CharField(_("IMEI"), max_length=15, unique=True)
    brand = models.CharField(_("brand"), max_length=40)
    model = models.CharField(_("model"), max_length=60)
    colour = models.CharField(_("colour"), max_length=30, blank=True)
    price_fen = models.PositiveBigIntegerField(_("price (fen)"), default=0)
    sold_at = models.DateTimeField(_("sold at"), null=True, blank=True)

    item_type = ItemType.TERMINAL
    key_field = "imei"

    class Meta:
        verbose_name = _("terminal")
        verbose_name_plural = _("terminals")
        ordering = ["imei"]
        indexes = [
            models.Index(fields=["org_unit", "state", "brand", "model"], name="stock_term_level_idx"),
            models.Index(fields=["org_unit", "state", "imei"], name="stock_term_list_idx"),
            models.Index(fields=["state", "org_unit"], name="stock_term_state_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.brand} {self.model} {self.imei}"


ITEM_MODELS: dict[str, type[StockItem]] = {ItemType.SIM: SimCard, ItemType.TERMINAL: Terminal}


# --- transfers ----------------------------------------------------------------------------------------
class TransferStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SHIPPED = "shipped", _("Shipped")
    RECEIVED = "received", pgettext_lazy("stock", "Received")
    CANCELLED = "cancelled", _("Cancelled")


class Transfer(ScopedModel):
    """Stock sent from one unit (``org_unit``) to another (调拨). Visible to both ends."""

    to_unit = models.ForeignKey(
        "platform.OrgUnit", verbose_name=_("destination"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=TransferStatus.choices, default=TransferStatus.DRAFT
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    item_count = models.PositiveIntegerField(_("items"), default=0)
    received_count = models.PositiveIntegerField(_("received"), default=0)
    missing_count = models.PositiveIntegerField(_("missing"), default=0)
    shipped_at = models.DateTimeField(_("shipped at"), null=True, blank=True)
    shipped_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("shipped by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("received by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=200, blank=True)

    objects = TwoUnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("stock transfer")
        verbose_name_plural = _("stock transfers")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["org_unit", "status", "-id"], name="stock_transfer_from_idx"),
            models.Index(fields=["to_unit", "status", "-id"], name="stock_transfer_to_idx"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        return f"DB{self.pk or 0:08d}"


class TransferOutcome(models.TextChoices):
    PENDING = "pending", pgettext_lazy("stock", "Pending")
    RECEIVED = "received", pgettext_lazy("stock", "Received")
    MISSING = "missing", _("Missing")


class TransferItem(models.Model):
    transfer = models.ForeignKey(
        Transfer, verbose_name=_("transfer"), on_delete=models.CASCADE, related_name="items"
    )
    sim = models.ForeignKey(SimCard, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    terminal = models.ForeignKey(Terminal, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    code = models.CharField(_("ICCID / IMEI"), max_length=20)
    item_type = models.CharField(_("item type"), max_length=16, choices=ItemType.choices)
    outcome = models.CharField(
        _("outcome"), max_length=16, choices=TransferOutcome.choices, default=TransferOutcome.PENDING
    )

    class Meta:
        verbose_name = _("transferred item")
        verbose_name_plural = _("transferred items")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["transfer", "code"], name="stock_transfer_item_once"),
            models.CheckConstraint(
                condition=Q(sim__isnull=False, terminal__isnull=True)
                | Q(sim__isnull=True, terminal__isnull=False),
                name="stock_transfer_item_one_kind",
            ),
        ]

    def __str__(self) -> str:
        return self.code


# --- stock counts -------------------------------------------------------------------------------------
class CountStatus(models.TextChoices):
    OPEN = "open", _("Counting")
    CLOSED = "closed", pgettext_lazy("stock", "Closed")
    CANCELLED = "cancelled", _("Cancelled")


class StockCount(ScopedModel):
    """A stock count (盘点) of one item type at one unit: what is physically there, scanned."""

    item_type = models.CharField(_("item type"), max_length=16, choices=ItemType.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=CountStatus.choices, default=CountStatus.OPEN
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    expected_count = models.PositiveIntegerField(_("expected"), default=0)
    counted_count = models.PositiveIntegerField(_("counted"), default=0)
    missing_count = models.PositiveIntegerField(_("missing"), default=0)
    unexpected_count = models.PositiveIntegerField(_("unexpected"), default=0)
    found_count = models.PositiveIntegerField(_("found again"), default=0)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = BranchScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("stock count")
        verbose_name_plural = _("stock counts")
        ordering = ["-id"]
        indexes = [models.Index(fields=["org_unit", "status", "-id"], name="stock_count_org_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["org_unit", "item_type"],
                condition=Q(status="open"),
                name="stock_count_one_open",
            )
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        return f"PD{self.pk or 0:08d}"


class CountScan(models.Model):
    """One code scanned in a count (each code once)."""

    stock_count = models.ForeignKey(StockCount, on_delete=models.CASCADE, related_name="scans")
    code = models.CharField(_("ICCID / IMEI"), max_length=20)
    scanned_at = models.DateTimeField(_("scanned at"), default=timezone.now)
    scanned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("scanned item")
        verbose_name_plural = _("scanned items")
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["stock_count", "code"], name="stock_count_scan_once")]

    def __str__(self) -> str:
        return self.code


class DiscrepancyKind(models.TextChoices):
    MISSING = "missing", _("Missing (in the books, not found)")
    UNEXPECTED = "unexpected", _("Unexpected (found, not in the books)")
    FOUND = "found", _("Found again (was missing)")


class CountDiscrepancy(models.Model):
    """A difference recorded when a count is closed."""

    stock_count = models.ForeignKey(StockCount, on_delete=models.CASCADE, related_name="discrepancies")
    kind = models.CharField(_("kind"), max_length=16, choices=DiscrepancyKind.choices)
    code = models.CharField(_("ICCID / IMEI"), max_length=20)
    sim = models.ForeignKey(SimCard, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    terminal = models.ForeignKey(Terminal, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    detail = models.CharField(_("detail"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("count discrepancy")
        verbose_name_plural = _("count discrepancies")
        ordering = ["kind", "code"]

    def __str__(self) -> str:
        return f"{self.kind} {self.code}"


# --- low stock ----------------------------------------------------------------------------------------
class LowStockAlert(models.Model):
    """One breach of a unit's low-stock threshold, open until the level is back (notified once)."""

    org_unit = models.ForeignKey(
        "platform.OrgUnit", verbose_name=_("organisation unit"), on_delete=models.PROTECT, related_name="+"
    )
    item_type = models.CharField(_("item type"), max_length=16, choices=ItemType.choices)
    level = models.PositiveIntegerField(_("stock level"))
    threshold = models.PositiveIntegerField(_("threshold"))
    opened_at = models.DateTimeField(_("since"), default=timezone.now)
    closed_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_level = models.PositiveIntegerField(_("level when resolved"), null=True, blank=True)

    objects = BranchScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("low-stock alert")
        verbose_name_plural = _("low-stock alerts")
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["org_unit", "item_type"],
                condition=Q(closed_at__isnull=True),
                name="stock_alert_one_open",
            )
        ]

    def __str__(self) -> str:
        return f"{self.org_unit_id} {self.item_type} {self.level}/{self.threshold}"


# --- movement history -----------------------------------------------------------------------------------
class Movement(models.Model):
    """One change of an item (出入库流水). Append-only: never updated (model guard and database
    trigger, migration 0002); ``org_unit`` is where the item is afterwards, ``from_unit`` where it was
    when the move took it elsewhere."""

    sim = models.ForeignKey(
        SimCard, null=True, blank=True, on_delete=models.PROTECT, related_name="movements"
    )
    terminal = models.ForeignKey(
        Terminal, null=True, blank=True, on_delete=models.PROTECT, related_name="movements"
    )
    move = models.CharField(_("movement"), max_length=16, choices=Move.choices)
    state_from = models.CharField(_("from state"), max_length=16, choices=ItemState.choices, blank=True)
    state_to = models.CharField(_("to state"), max_length=16, choices=ItemState.choices)
    org_unit = models.ForeignKey(
        "platform.OrgUnit",
        verbose_name=_("organisation unit"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    from_unit = models.ForeignKey(
        "platform.OrgUnit",
        verbose_name=_("from unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    reference = models.CharField(_("order reference"), max_length=64, blank=True)
    batch = models.ForeignKey(
        StockBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    transfer = models.ForeignKey(
        Transfer, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    stock_count = models.ForeignKey(
        StockCount, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now)

    objects = MovementQuerySet.as_manager()

    class Meta:
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["sim", "-at"], name="stock_move_sim_idx"),
            models.Index(fields=["terminal", "-at"], name="stock_move_term_idx"),
            models.Index(fields=["org_unit", "-at"], name="stock_move_org_idx"),
            models.Index(fields=["-at", "-id"], name="stock_move_at_idx"),  # the newest first, all units
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(sim__isnull=False, terminal__isnull=True)
                | Q(sim__isnull=True, terminal__isnull=False),
                name="stock_move_one_item",
            )
        ]

    def __str__(self) -> str:
        return f"{self.move} {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise ValueError("stock movements are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("stock movements are append-only")

    @property
    def item(self):
        return self.sim if self.sim_id else self.terminal
