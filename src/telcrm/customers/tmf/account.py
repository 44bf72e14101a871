"""TMF666 Account Management v4 under /tmf-api/accountManagement/v4/.

- ``billingAccount``: a customer's billing account (``Account``, id = its row id) when the related
  party is one of our customers; a billing account for a party we cannot resolve (another system's
  id) is kept as given in ``PartyAccount`` and has the id ``ext-<n>``. Lists show the customers'
  accounts first, then the kept ones. Balance, arrears and state of a customer's account are mirrored
  from billing and read-only here.
- ``partyAccount``, ``settlementAccount``, ``financialAccount``: ``PartyAccount`` rows by kind.
- ``billFormat``, ``billingCycleSpecification``, ``billPresentationMedia``: carrier-wide reference
  data (reads: ``customers.view_customer``; writes: ``platform.manage_parameters``).
"""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from telcrm.platform.errors import NotFoundInScope

from ..models import (
    Account,
    BillFormat,
    BillingCycleSpecification,
    BillPresentationMedia,
    PartyAccount,
    PartyAccountKind,
)
from . import actions
from .common import (
    Filter,
    RefField,
    TmfViewSet,
    bad_request,
    filter_q,
    iso,
    money,
    page_bounds,
    parse_body,
    parse_id,
    parse_when,
    related_ref,
)

EXTERNAL_PREFIX = "ext-"


class MoneyField(serializers.Field):
    default_error_messages = {"invalid": _("Send an object with a value and a unit such as CNY.")}

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            self.fail("invalid")
        value, unit = data.get("value"), data.get("unit", "CNY")
        if isinstance(value, bool) or not isinstance(value, int | float | str) or not isinstance(unit, str):
            self.fail("invalid")
        return {"value": value, "unit": unit.strip() or "CNY"}

    def to_representation(self, value):
        return value


class AccountInput(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=500, required=False, allow_blank=True)
    accountType = serializers.CharField(max_length=60, required=False, allow_blank=True)
    state = serializers.CharField(max_length=30, required=False, allow_blank=True)
    paymentStatus = serializers.CharField(max_length=30, required=False, allow_blank=True)
    creditLimit = MoneyField(required=False, allow_null=True)
    relatedParty = serializers.ListField(child=RefField(), max_length=20)


class FinancialAccountInput(AccountInput):
    relatedParty = serializers.ListField(child=RefField(), max_length=20, required=False)


ACCOUNT_FIELDS = {
    "name": "name",
    "description": "description",
    "accountType": "account_type",
    "state": "state",
    "paymentStatus": "payment_status",
    "relatedParty": "related_party",
}


def account_changes(data: dict) -> dict:
    out = {ours: data[tmf] for tmf, ours in ACCOUNT_FIELDS.items() if tmf in data}
    if "creditLimit" in data:
        limit = data["creditLimit"]
        out["credit_limit"] = None if limit is None else limit["value"]
        if limit is not None:
            out["currency"] = limit["unit"]
    return out


ACCOUNT_ERRORS = {
    "account_type": "accountType",
    "payment_status": "paymentStatus",
    "credit_limit": "creditLimit.value",
    "currency": "creditLimit.unit",
    "related_party": "relatedParty",
}
ACCOUNT_FILTERS = {
    "id": Filter("pk", "id"),
    "name": Filter("name"),
    "state": Filter("state", "choice"),
    "accountType": Filter("account_type"),
    "paymentStatus": Filter("payment_status"),
    "lastModified": Filter("updated_at", "datetime"),
}


class AccountKindViewSet(TmfViewSet):
    """partyAccount / settlementAccount / financialAccount: ``PartyAccount`` rows of one kind."""

    kind = PartyAccountKind.PARTY
    input_class = AccountInput
    tmf_filters = ACCOUNT_FILTERS
    field_names = ACCOUNT_ERRORS

    def scoped_queryset(self, user):
        return PartyAccount.objects.restrict(user).filter(kind=self.kind)

    def tmf_id(self, account: PartyAccount):
        return account.pk

    def to_tmf(self, account: PartyAccount) -> dict:
        out = {
            "id": str(self.tmf_id(account)),
            "href": self.href(self.tmf_id(account)),
            "@type": self.resource_type,
            "name": account.name,
            "state": account.state,
            "relatedParty": list(account.related_party or ()),
            "lastModified": iso(account.updated_at),
        }
        for attr, field in (("description", "description"), ("accountType", "account_type")):
            if getattr(account, field):
                out[attr] = getattr(account, field)
        if account.kind != PartyAccountKind.FINANCIAL and account.payment_status:
            out["paymentStatus"] = account.payment_status
        if account.credit_limit is not None:
            out["creditLimit"] = money(account.credit_limit, account.currency)
        return out

    def create_resource(self, data):
        parsed = parse_body(self.input_class, data)
        return actions.party_account_create(
            actor=self.request.user, kind=self.kind, **account_changes(parsed)
        )

    def update_resource(self, account, data):
        parsed = parse_body(self.input_class, data, partial=True)
        changes = account_changes(parsed)
        if not changes:
            return account
        return actions.party_account_update(actor=self.request.user, account=account, **changes)


class PartyAccountViewSet(AccountKindViewSet):
    kind = PartyAccountKind.PARTY
    resource_type = "PartyAccount"
    url_name = "tmf-party-account-detail"


class SettlementAccountViewSet(AccountKindViewSet):
    kind = PartyAccountKind.SETTLEMENT
    resource_type = "SettlementAccount"
    url_name = "tmf-settlement-account-detail"


class FinancialAccountViewSet(AccountKindViewSet):
    kind = PartyAccountKind.FINANCIAL
    resource_type = "FinancialAccount"
    url_name = "tmf-financial-account-detail"
    input_class = FinancialAccountInput


# --- billing accounts ----------------------------------------------------------------------------------
def _external_pk(raw) -> int | None:
    text = str(raw).strip()
    return parse_id(text[len(EXTERNAL_PREFIX) :]) if text.startswith(EXTERNAL_PREFIX) else None


def _ids(parse):
    return lambda values, op: Q(pk__in=[pk for pk in (parse(v) for v in values) if pk is not None])


def _payment_status(values, op) -> Q:
    q = Q(pk__in=[])
    if "inArrears" in values:
        q |= Q(arrears__gt=0)
    if "paidUp" in values:
        q |= Q(arrears__lte=0)
    return q


class BillingAccountViewSet(AccountKindViewSet):
    """Customers' ``Account`` rows, then billing accounts kept for parties we cannot resolve."""

    kind = PartyAccountKind.BILLING
    resource_type = "BillingAccount"
    url_name = "tmf-billing-account-detail"
    # The same attributes on both tables: the customers' accounts, and the ones kept as given.
    account_filters = {
        "id": Filter(_ids(parse_id), "choice"),
        "name": Filter("name"),
        "description": Filter("account_no"),
        "state": Filter("status", "choice"),
        "accountType": Filter("customer__customer_type", "choice"),
        "paymentStatus": Filter(_payment_status, "choice"),
        "lastModified": Filter("updated_at", "datetime"),
    }
    tmf_filters = {
        **ACCOUNT_FILTERS,
        "id": Filter(_ids(_external_pk), "choice"),
        "description": Filter("description"),
        "paymentStatus": Filter("payment_status", "choice"),
    }

    def scoped_queryset(self, user):
        return Account.objects.restrict(user).select_related("customer")

    def external_queryset(self):
        return PartyAccount.objects.restrict(self.request.user).filter(kind=self.kind).order_by("id")

    def tmf_id(self, account):
        return f"{EXTERNAL_PREFIX}{account.pk}" if isinstance(account, PartyAccount) else account.pk

    def list(self, request, *args, **kwargs):
        offset, limit = page_bounds(request.query_params)
        accounts = self.get_queryset().filter(filter_q(request.query_params, self.account_filters))
        external = self.external_queryset().filter(filter_q(request.query_params, self.tmf_filters))
        first = accounts.count()
        total = first + external.count()
        rows = list(accounts[offset : offset + limit]) if limit and offset < first else []
        if limit and len(rows) < limit and offset + len(rows) < total:
            start = max(0, offset - first)
            rows += list(external[start : start + limit - len(rows)])
        return self.render_page(rows, total)

    def get_object(self):
        raw = self.kwargs["pk"]
        pk, external = parse_id(raw), _external_pk(raw)
        found = None
        if pk is not None:
            found = self.get_queryset().filter(pk=pk).first()
        elif external is not None:
            found = self.external_queryset().filter(pk=external).first()
        if found is None:
            raise NotFoundInScope()
        return found

    def reload(self, obj):
        return self.get_queryset().get(pk=obj.pk) if isinstance(obj, Account) else obj

    def to_tmf(self, account) -> dict:
        if isinstance(account, PartyAccount):
            return super().to_tmf(account)
        customer = account.customer
        as_of = {"startDateTime": iso(account.synced_at or account.updated_at)}
        return {
            "id": str(account.pk),
            "href": self.href(account.pk),
            "@type": "BillingAccount",
            "name": account.name,
            "description": account.account_no,
            "accountType": customer.customer_type,
            "state": account.status,
            "paymentStatus": "inArrears" if account.arrears > 0 else "paidUp",
            "creditLimit": money(account.credit_limit),
            "accountBalance": [
                {"balanceType": "balance", "amount": money(account.balance), "validFor": as_of},
                {"balanceType": "arrears", "amount": money(account.arrears), "validFor": as_of},
            ],
            "billStructure": {
                "cycleSpecification": {
                    "name": str(_("Bill cycle day %(day)s")) % {"day": account.bill_cycle_day},
                    "billingDateShift": account.bill_cycle_day - 1,
                    "frequency": "monthly",
                    "isRef": False,
                }
            },
            "relatedParty": [
                related_ref(
                    self.request,
                    "tmf-customer-detail",
                    customer.pk,
                    name=customer.name,
                    referred_type="Customer",
                    role="owner",
                )
            ],
            "lastModified": iso(account.updated_at),
        }

    def create_resource(self, data):
        changes = account_changes(parse_body(self.input_class, data))
        return actions.billing_account_create(
            actor=self.request.user,
            name=changes.pop("name"),
            related_party=changes.pop("related_party"),
            credit_limit=changes.pop("credit_limit", None),
            **changes,
        )

    def update_resource(self, account, data):
        if isinstance(account, PartyAccount):
            return super().update_resource(account, data)
        parsed = parse_body(self.input_class, data, partial=True)
        for attr in ("state", "paymentStatus", "accountType", "description", "relatedParty"):
            if attr in parsed and parsed[attr] != self.to_tmf(account).get(attr):
                raise bad_request(
                    attr,
                    _(
                        "A customer's billing account keeps this from the CRM and billing; "
                        "it cannot be changed here."
                    ),
                    "read_only",
                )
        changes = {}
        if "name" in parsed and parsed["name"] != account.name:
            changes["name"] = parsed["name"]
        if parsed.get("creditLimit"):
            changes["credit_limit"] = parsed["creditLimit"]["value"]
            changes["currency"] = parsed["creditLimit"]["unit"]
        if not changes:
            return account
        return actions.billing_account_update(actor=self.request.user, account=account, **changes)


# --- bill structure reference data ---------------------------------------------------------------------
class ReferenceInput(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    description = serializers.CharField(max_length=500, required=False, allow_blank=True)


class TimePeriodField(serializers.Field):
    default_error_messages = {"invalid": _("Send an object with startDateTime and endDateTime.")}

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            self.fail("invalid")
        out = {}
        for key in ("startDateTime", "endDateTime"):
            value = data.get(key)
            if value in (None, ""):
                out[key] = None
                continue
            when = parse_when(value) if isinstance(value, str) else None
            if when is None:
                raise serializers.ValidationError({key: [_("Enter an ISO 8601 date-time.")]})
            out[key] = when
        return out

    def to_representation(self, value):
        return value


class CycleInput(ReferenceInput):
    frequency = serializers.CharField(max_length=30, required=False, allow_blank=True)
    billingPeriod = serializers.CharField(max_length=30, required=False, allow_blank=True)
    billingDateShift = serializers.IntegerField(
        required=False, allow_null=True, min_value=-366, max_value=366
    )
    chargeDateOffset = serializers.IntegerField(
        required=False, allow_null=True, min_value=-366, max_value=366
    )
    creditDateOffset = serializers.IntegerField(
        required=False, allow_null=True, min_value=-366, max_value=366
    )
    mailingDateOffset = serializers.IntegerField(
        required=False, allow_null=True, min_value=-366, max_value=366
    )
    paymentDueDateOffset = serializers.IntegerField(
        required=False, allow_null=True, min_value=-366, max_value=366
    )
    validFor = TimePeriodField(required=False)


CYCLE_ATTRS = {
    "frequency": "frequency",
    "billingPeriod": "billing_period",
    "billingDateShift": "billing_date_shift",
    "chargeDateOffset": "charge_date_offset",
    "creditDateOffset": "credit_date_offset",
    "mailingDateOffset": "mailing_date_offset",
    "paymentDueDateOffset": "payment_due_date_offset",
}


class ReferenceViewSet(TmfViewSet):
    model = BillFormat
    input_class = ReferenceInput
    create_permission = actions.REFERENCE_DATA
    change_permission = actions.REFERENCE_DATA
    tmf_filters = {
        "id": Filter("pk", "id"),
        "name": Filter("name"),
        "description": Filter("description"),
    }

    def scoped_queryset(self, user):
        return self.model.objects.all()  # carrier-wide reference data: every reader sees all of it

    def to_tmf(self, obj) -> dict:
        out = {"id": str(obj.pk), "href": self.href(obj.pk), "@type": self.resource_type, "name": obj.name}
        if obj.description:
            out["description"] = obj.description
        return out

    def changes(self, parsed: dict) -> dict:
        return {k: parsed[k] for k in ("name", "description") if k in parsed}

    def create_resource(self, data):
        parsed = parse_body(self.input_class, data)
        return self.create_action(actor=self.request.user, **self.changes(parsed))

    def update_resource(self, obj, data):
        parsed = parse_body(self.input_class, data, partial=True)
        changes = self.changes(parsed)
        return self.update_action(obj, changes) if changes else obj


class BillFormatViewSet(ReferenceViewSet):
    model = BillFormat
    resource_type = "BillFormat"
    url_name = "tmf-bill-format-detail"

    def create_action(self, **kw):
        return actions.bill_format_create(**kw)

    def update_action(self, obj, changes):
        return actions.bill_format_update(actor=self.request.user, bill_format=obj, **changes)


class BillPresentationMediaViewSet(ReferenceViewSet):
    model = BillPresentationMedia
    resource_type = "BillPresentationMedia"
    url_name = "tmf-bill-presentation-media-detail"

    def create_action(self, **kw):
        return actions.bill_presentation_media_create(**kw)

    def update_action(self, obj, changes):
        return actions.bill_presentation_media_update(actor=self.request.user, media=obj, **changes)


class BillingCycleSpecificationViewSet(ReferenceViewSet):
    model = BillingCycleSpecification
    resource_type = "BillingCycleSpecification"
    url_name = "tmf-billing-cycle-specification-detail"
    input_class = CycleInput
    tmf_filters = {
        **ReferenceViewSet.tmf_filters,
        "frequency": Filter("frequency"),
        "billingPeriod": Filter("billing_period"),
    }
    field_names = {
        **{ours: tmf for tmf, ours in CYCLE_ATTRS.items()},
        "valid_from": "validFor.startDateTime",
        "valid_to": "validFor.endDateTime",
    }

    def to_tmf(self, cycle) -> dict:
        out = super().to_tmf(cycle)
        for tmf, ours in CYCLE_ATTRS.items():
            value = getattr(cycle, ours)
            if value not in ("", None):
                out[tmf] = value
        if cycle.valid_from or cycle.valid_to:
            out["validFor"] = {
                k: v
                for k, v in (("startDateTime", iso(cycle.valid_from)), ("endDateTime", iso(cycle.valid_to)))
                if v
            }
        return out

    def changes(self, parsed: dict) -> dict:
        out = super().changes(parsed)
        out.update({ours: parsed[tmf] for tmf, ours in CYCLE_ATTRS.items() if tmf in parsed})
        if "validFor" in parsed:
            out["valid_from"] = parsed["validFor"]["startDateTime"]
            out["valid_to"] = parsed["validFor"]["endDateTime"]
        return {k: ("" if v is None and k in ("frequency", "billing_period") else v) for k, v in out.items()}

    def create_action(self, **kw):
        return actions.billing_cycle_specification_create(**kw)

    def update_action(self, obj, changes):
        return actions.billing_cycle_specification_update(actor=self.request.user, cycle=obj, **changes)
