"""Customer (客户) and what hangs off it: contact media, addresses, contacts, accounts, subscriptions."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from telcrm.platform.models import EncryptedField, ScopedModel, ScopedQuerySet


class CustomerType(models.TextChoices):
    INDIVIDUAL = "individual", _("Individual")
    ENTERPRISE = "enterprise", _("Enterprise")
    GROUP = "group", _("Group (集团)")


class CustomerStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    CLOSED = "closed", _("Closed")
    MERGED = "merged", _("Merged into another")


class ValueTier(models.TextChoices):
    VIP = "vip", _("VIP (贵宾)")
    IMPORTANT = "important", _("Important (重要)")
    ORDINARY = "ordinary", _("Ordinary (普通)")


class LoyaltyClass(models.TextChoices):
    LOYAL = "loyal", _("Loyal (忠诚)")
    OLD = "old", _("Long-standing (老)")
    NEW = "new", _("New (新)")
    POTENTIAL = "potential", _("Potential (潜在)")


class BehaviourType(models.TextChoices):
    LIGHTHOUSE = "lighthouse", _("Lighthouse (灯塔)")
    FOLLOWER = "follower", _("Follower (跟随)")
    RATIONAL = "rational", _("Rational (理性)")
    PROFIT = "profit", _("Deal-seeker (逐利)")


class RelationType(models.TextChoices):
    CONSUMER = "consumer", _("Consumer")
    B2B = "b2b", _("Business (B2B)")
    CHANNEL = "channel", _("Channel partner")
    INTERNAL = "internal", _("Internal")


class CustomerQuerySet(ScopedQuerySet):
    def live(self):
        return self.exclude(status=CustomerStatus.MERGED)


class Customer(ScopedModel):
    """The customer role of a party; ``org_unit`` is the owning branch, ``owner`` the account manager
    or the clerk who registered it. ``search_text`` holds the name tokens search matches against."""

    customer_no = models.CharField(_("customer number"), max_length=20, unique=True)
    party = models.ForeignKey(
        "customers.Party", verbose_name=_("party"), on_delete=models.PROTECT, related_name="customers"
    )
    customer_type = models.CharField(_("customer type"), max_length=16, choices=CustomerType.choices)
    name = models.CharField(
        _("name"), max_length=200, db_index=True
    )  # the party's name, denormalised for lists
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=CustomerStatus.choices,
        default=CustomerStatus.ACTIVE,
        db_index=True,
    )
    value_tier = models.CharField(
        _("value tier"), max_length=16, choices=ValueTier.choices, default=ValueTier.ORDINARY, db_index=True
    )
    loyalty_class = models.CharField(
        _("loyalty class"), max_length=16, choices=LoyaltyClass.choices, default=LoyaltyClass.NEW
    )
    behaviour_type = models.CharField(
        _("behaviour type"), max_length=16, choices=BehaviourType.choices, blank=True
    )
    relation_type = models.CharField(
        _("relation type"), max_length=16, choices=RelationType.choices, default=RelationType.CONSUMER
    )
    credit_level = models.PositiveSmallIntegerField(
        _("credit level"), default=3, help_text=_("1 (lowest) to 5 (highest)")
    )
    account_manager = models.ForeignKey(
        "platform.User",
        verbose_name=_("account manager"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent group customer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_from",
    )
    primary_phone = EncryptedField(
        _("primary phone"), blank=True, index_field="primary_phone_bidx", mask="phone"
    )
    primary_phone_bidx = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    search_text = models.TextField(_("search tokens"), blank=True, editable=False)
    tenure_start = models.DateField(_("customer since"), null=True, blank=True)
    classified_at = models.DateTimeField(_("classified at"), null=True, blank=True)
    # Classes set by hand ("value_tier", …): the automatic classification leaves them alone until
    # they are released (classification.classification_release).
    classification_manual = models.JSONField(_("classes set by hand"), default=list, blank=True)
    tags = models.ManyToManyField(
        "customers.Tag", verbose_name=_("tags"), blank=True, related_name="customers"
    )
    history = HistoricalRecords(excluded_fields=["updated_at", "search_text"], m2m_fields=[tags])

    objects = CustomerQuerySet.as_manager()

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["org_unit", "status", "-id"], name="customer_org_status_idx"),
            models.Index(fields=["owner", "-id"], name="customer_owner_idx"),
        ]
        permissions = [
            ("merge_customer", _("Can merge duplicate customers")),
            ("manage_blacklist", _("Can add and lift blacklist entries")),
            ("set_credit", _("Can change credit ratings")),
            ("import_customer", _("Can import customers")),
            ("review_update_request", _("Can review customers' update requests")),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.customer_no})"


class Tag(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60)
    name_en = models.CharField(_("English name"), max_length=60, blank=True)
    color = models.CharField(_("colour"), max_length=16, default="secondary")

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class MediumKind(models.TextChoices):
    MOBILE = "mobile", _("Mobile")
    PHONE = "phone", _("Fixed phone")
    EMAIL = "email", _("Email")
    WECHAT = "wechat", _("WeChat")


class ContactMedium(models.Model):
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="contact_media"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=MediumKind.choices)
    value = EncryptedField(_("value"), index_field="value_bidx", mask="phone")
    value_bidx = models.CharField(max_length=64, db_index=True, editable=False)
    is_primary = models.BooleanField(_("primary"), default=False)
    marketing_consent = models.BooleanField(_("marketing consent"), default=False)
    do_not_disturb = models.BooleanField(_("do not disturb"), default=False)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("contact medium")
        verbose_name_plural = _("contact media")
        ordering = ["-is_primary", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.value}"


class AddressKind(models.TextChoices):
    HOME = "home", _("Home address")
    BILLING = "billing", _("Billing")
    INSTALL = "install", _("Installation")
    OFFICE = "office", _("Office")


class Address(models.Model):
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="addresses"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=AddressKind.choices, default=AddressKind.HOME)
    province = models.CharField(_("province"), max_length=40)
    city = models.CharField(_("city"), max_length=40)
    district = models.CharField(_("district"), max_length=40, blank=True)
    street = models.CharField(_("street"), max_length=200)
    postcode = models.CharField(_("postcode"), max_length=6, blank=True)
    is_primary = models.BooleanField(_("primary"), default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("address")
        verbose_name_plural = _("addresses")
        ordering = ["-is_primary", "id"]

    def __str__(self) -> str:
        return f"{self.province}{self.city}{self.district}{self.street}"


class ContactPerson(models.Model):
    """A key person of an enterprise or group customer (关键人)."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="contact_people"
    )
    name = models.CharField(_("name"), max_length=100)
    title = models.CharField(_("title"), max_length=100, blank=True)
    phone = EncryptedField(_("phone"), blank=True, mask="phone")
    email = models.EmailField(_("email"), blank=True)
    is_decision_maker = models.BooleanField(_("decision maker"), default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("contact person")
        verbose_name_plural = _("contact people")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class AccountStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    CLOSED = "closed", _("Closed")


class Account(ScopedModel):
    """A billing account (TMF666 BillingAccount). Balance and arrears are mirrored from billing."""

    account_no = models.CharField(_("account number"), max_length=20, unique=True)
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="accounts"
    )
    name = models.CharField(_("name"), max_length=200)
    status = models.CharField(
        _("status"), max_length=16, choices=AccountStatus.choices, default=AccountStatus.ACTIVE
    )
    balance = models.DecimalField(_("balance"), max_digits=14, decimal_places=2, default=Decimal("0"))
    arrears = models.DecimalField(_("arrears"), max_digits=14, decimal_places=2, default=Decimal("0"))
    credit_limit = models.DecimalField(
        _("credit limit"), max_digits=14, decimal_places=2, default=Decimal("0")
    )
    bill_cycle_day = models.PositiveSmallIntegerField(_("bill cycle day"), default=1)
    synced_at = models.DateTimeField(_("synchronised from billing"), null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["updated_at", "synced_at"])

    class Meta:
        verbose_name = _("billing account")
        verbose_name_plural = _("billing accounts")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.account_no} {self.name}"


class SubscriptionStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    TERMINATED = "terminated", _("Terminated")
    PENDING = "pending", _("Pending")


class Subscription(ScopedModel):
    """A product the customer holds (product inventory): a line with its number, SIM and offer."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="subscriptions"
    )
    account = models.ForeignKey(
        Account, verbose_name=_("billing account"), on_delete=models.PROTECT, related_name="subscriptions"
    )
    msisdn = models.CharField(_("number"), max_length=20, db_index=True)
    iccid = models.CharField(_("ICCID"), max_length=22, blank=True)
    offer_code = models.CharField(_("offer code"), max_length=40)
    offer_name = models.CharField(_("offer"), max_length=100)
    monthly_fee = models.DecimalField(_("monthly fee"), max_digits=10, decimal_places=2, default=Decimal("0"))
    status = models.CharField(
        _("status"), max_length=16, choices=SubscriptionStatus.choices, default=SubscriptionStatus.ACTIVE
    )
    activated_at = models.DateTimeField(_("activated at"), null=True, blank=True)
    commitment_end = models.DateField(_("commitment ends"), null=True, blank=True)
    # the premium number's terms (靓号): its level, the monthly minimum spend it commits the line to and
    # the deposit held for it; empty/zero for an ordinary number
    # (database defaults too: the demo loader and other bulk writers COPY lines without these columns)
    number_level = models.CharField(_("number level"), max_length=60, blank=True, default="", db_default="")
    min_spend = models.DecimalField(
        _("monthly minimum spend"),
        max_digits=10,
        decimal_places=2,
        default=Decimal("0"),
        db_default=Decimal("0"),
    )
    deposit = models.DecimalField(
        _("deposit"), max_digits=10, decimal_places=2, default=Decimal("0"), db_default=Decimal("0")
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.msisdn} {self.offer_name}"


class AddOnStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    ENDED = "ended", _("Ended")


class SubscriptionAddOn(models.Model):
    """An add-on (附加包: a data pack 流量包, a video membership…) on a line: the product inventory
    below the Subscription. Started by a completed order, ended when the line is terminated (or the
    add-on is cancelled); an add-on is active at most once per line. Like the Subscription it keeps
    the offering's code and name, not a key into the catalog."""

    subscription = models.ForeignKey(
        Subscription, verbose_name=_("line"), on_delete=models.CASCADE, related_name="addons"
    )
    offer_code = models.CharField(_("offer code"), max_length=40)
    offer_name = models.CharField(_("offer"), max_length=100)
    monthly_fee = models.DecimalField(_("monthly fee"), max_digits=10, decimal_places=2, default=Decimal("0"))
    status = models.CharField(
        _("status"), max_length=16, choices=AddOnStatus.choices, default=AddOnStatus.ACTIVE
    )
    started_at = models.DateTimeField(_("started at"))
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    order_no = models.CharField(_("order number"), max_length=20, blank=True)
    end_reason = models.CharField(_("reason for ending"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("add-on of a line")
        verbose_name_plural = _("add-ons of lines")
        ordering = ["subscription", "started_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "offer_code"],
                condition=models.Q(status="active"),
                name="subscription_addon_active_once",
            ),
            models.CheckConstraint(
                condition=models.Q(status="active", ended_at__isnull=True)
                | models.Q(status="ended", ended_at__isnull=False),
                name="subscription_addon_end_matches_status",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subscription_id} {self.offer_code}"
