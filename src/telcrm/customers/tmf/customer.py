"""TMF629 Customer Management v4: /tmf-api/customerManagement/v4/customer over ``Customer``.

Writes go through ``customers.actions`` (customer_create / customer_update): the same validation,
customer numbering, default billing account and audit as the counter and the import.

Mapping (TMF → ours):
- ``engagedParty``: ``@referredType`` Individual → individual customer, Organization → enterprise
  (``characteristic`` ``customerType`` = ``group`` for a group customer). A reference to one of our
  parties (TMF632 id) makes that party the customer's party (a party is a live customer once only);
  any other reference (another system's id) is kept as given and shown back as given.
- ``contactMedium``: the first ``phoneNumber`` → primary phone, the first ``emailAddress`` → e-mail,
  the first postal address (``street1``, ``city``, ``stateOrProvince``, ``postCode``) → address.
  Shown masked, as everywhere in the API.
- ``status``: active | suspended | closed | merged (a change needs ``statusReason`` where the
  counter needs a reason).
- ``characteristic``: ours are customerNumber, customerType, valueTier, loyaltyClass, behaviourType,
  relationType, creditLevel (classification changes need ``customers.set_credit``); any other
  name/value pair is kept as given.
"""

from __future__ import annotations

from django.db.models import Prefetch, Q
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ..models import (
    Account,
    Address,
    ContactMedium,
    Customer,
    CustomerStatus,
    CustomerType,
    MediumKind,
    Party,
    PartyKind,
)
from . import actions
from .common import (
    CharacteristicField,
    Filter,
    RefField,
    TmfViewSet,
    bad_request,
    iso,
    parse_body,
    parse_id,
    related_ref,
)

PARTY_TYPES = {"individual": PartyKind.INDIVIDUAL, "organization": PartyKind.ORGANIZATION}
MEDIUM_TYPES = {
    MediumKind.MOBILE: "mobile",
    MediumKind.PHONE: "telephone",
    MediumKind.EMAIL: "email",
    MediumKind.WECHAT: "socialNetwork",
}
# Our characteristics: TMF name → (customer field, settable through customer_update).
OWN_CHARACTERISTICS = {
    "customerNumber": ("customer_no", False),
    "customerType": ("customer_type", True),
    "valueTier": ("value_tier", True),
    "loyaltyClass": ("loyalty_class", True),
    "behaviourType": ("behaviour_type", True),
    "relationType": ("relation_type", True),
    "creditLevel": ("credit_level", False),
}
ADDRESS_KEYS = ("street1", "street2", "city", "stateOrProvince", "postCode")
TEXT_KEYS = (*ADDRESS_KEYS, "phoneNumber", "emailAddress", "country", "contactType", "socialNetworkId")


class ContactMediumField(serializers.Field):
    default_error_messages = {"not_an_object": _("Send an object with mediumType and characteristic.")}

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            self.fail("not_an_object")
        characteristic = data.get("characteristic") or {}
        if not isinstance(characteristic, dict):
            raise serializers.ValidationError({"characteristic": [self.error_messages["not_an_object"]]})
        out = {"mediumType": str(data.get("mediumType") or ""), "characteristic": {}}
        for key in TEXT_KEYS:
            value = characteristic.get(key)
            if value is None:
                continue
            if not isinstance(value, str | int) or isinstance(value, bool) or "\x00" in str(value):
                raise serializers.ValidationError({"characteristic": {key: [_("Enter text.")]}})
            out["characteristic"][key] = str(value).strip()
        return out

    def to_representation(self, value):
        return value


class CustomerInput(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    engagedParty = RefField(referred_type_required=True)
    status = serializers.ChoiceField(choices=CustomerStatus.values, required=False)
    statusReason = serializers.CharField(max_length=200, required=False, allow_blank=True)
    contactMedium = serializers.ListField(child=ContactMediumField(), required=False, max_length=20)
    characteristic = serializers.ListField(child=CharacteristicField(), required=False, max_length=50)
    relatedParty = serializers.ListField(child=RefField(), required=False, max_length=20)

    def validate_engagedParty(self, ref):
        if ref["@referredType"].lower() not in PARTY_TYPES:
            raise serializers.ValidationError(
                {"@referredType": [_("Choose Individual or Organization.")]}, code="invalid_choice"
            )
        return ref


def _masked_values(customer: Customer) -> set[str]:
    return {str(m.value) for m in getattr(customer, "media", ())} | (
        {str(customer.primary_phone)} if customer.primary_phone else set()
    )


class CustomerViewSet(TmfViewSet):
    resource_type = "Customer"
    url_name = "tmf-customer-detail"

    tmf_filters = {
        "id": Filter("pk", "id"),
        "name": Filter("name"),
        "status": Filter("status", "choice"),
        "lastUpdate": Filter("updated_at", "datetime"),
        "engagedParty.id": Filter(
            lambda values, op: (
                Q(party_id__in=[v for v in (parse_id(x) for x in values) if v])
                | Q(tmf__engaged_party__id__in=values)
            ),
            "choice",
        ),
    }

    def scoped_queryset(self, user):
        return (
            Customer.objects.restrict(user)
            .select_related("party", "tmf")
            .prefetch_related(
                Prefetch(
                    "contact_media",
                    queryset=ContactMedium.objects.order_by("-is_primary", "id"),
                    to_attr="media",
                ),
                Prefetch(
                    "addresses", queryset=Address.objects.filter(is_primary=True), to_attr="primary_addresses"
                ),
                Prefetch(
                    "accounts",
                    queryset=Account.objects.only("id", "name", "customer_id"),
                    to_attr="tmf_accounts",
                ),
            )
        )

    # -- output ------------------------------------------------------------------------------------
    def to_tmf(self, customer: Customer) -> dict:
        tmf = getattr(customer, "tmf", None)  # CustomerTmfData, when a TMF client gave references
        party = customer.party
        if tmf is not None and tmf.engaged_party:
            engaged = dict(tmf.engaged_party)
        else:
            is_person = party.kind == PartyKind.INDIVIDUAL
            engaged = related_ref(
                self.request,
                "tmf-individual-detail" if is_person else "tmf-organization-detail",
                party.pk,
                name=party.name,
                referred_type="Individual" if is_person else "Organization",
            )
        out = {
            "id": str(customer.pk),
            "href": self.href(customer.pk),
            "@type": "Customer",
            "name": customer.name,
            "status": customer.status,
            "engagedParty": engaged,
            "contactMedium": self.contact_media(customer),
            "characteristic": self.characteristics(customer, tmf),
            "account": [
                related_ref(
                    self.request,
                    "tmf-billing-account-detail",
                    a.pk,
                    name=a.name,
                    referred_type="BillingAccount",
                )
                for a in getattr(customer, "tmf_accounts", ())
            ],
            "relatedParty": list(tmf.related_party) if tmf is not None else [],
            "validFor": {"startDateTime": iso(customer.created_at)},
            "lastUpdate": iso(customer.updated_at),
        }
        return out

    def contact_media(self, customer: Customer) -> list[dict]:
        out = []
        for medium in getattr(customer, "media", ()):
            key = {MediumKind.EMAIL: "emailAddress", MediumKind.WECHAT: "socialNetworkId"}.get(
                medium.kind, "phoneNumber"
            )
            out.append(
                {
                    "mediumType": MEDIUM_TYPES.get(medium.kind, medium.kind),
                    "preferred": medium.is_primary,
                    "characteristic": {key: str(medium.value), "contactType": medium.kind},
                }
            )
        for address in getattr(customer, "primary_addresses", ()):
            characteristic = {
                "street1": address.street,
                "city": address.city,
                "stateOrProvince": address.province,
                "country": "CN",
                "contactType": address.kind,
            }
            if address.district:
                characteristic["street2"] = address.district
            if address.postcode:
                characteristic["postCode"] = address.postcode
            out.append({"mediumType": "postalAddress", "preferred": True, "characteristic": characteristic})
        return out

    def characteristics(self, customer: Customer, tmf) -> list[dict]:
        out = []
        for name, (field, _settable) in OWN_CHARACTERISTICS.items():
            value = getattr(customer, field)
            if value not in ("", None):
                out.append(
                    {
                        "name": name,
                        "value": value,
                        "valueType": "integer" if field == "credit_level" else "string",
                    }
                )
        if tmf is not None:
            out.extend(tmf.characteristic or ())
        return out

    # -- input -------------------------------------------------------------------------------------
    def contact_fields(self, media: list[dict], customer: Customer | None = None) -> dict:
        """phone / email / address from contactMedium; names the attribute of each in error messages."""
        out: dict = {}
        unchanged = _masked_values(customer) if customer is not None else set()
        for i, medium in enumerate(media):
            c = medium["characteristic"]
            path = f"contactMedium[{i}].characteristic"
            if c.get("phoneNumber") and "phone" not in out and c["phoneNumber"] not in unchanged:
                out["phone"] = c["phoneNumber"]
                self.field_names["phone"] = f"{path}.phoneNumber"
            if c.get("emailAddress") and "email" not in out and c["emailAddress"] not in unchanged:
                out["email"] = c["emailAddress"]
                self.field_names["email"] = f"{path}.emailAddress"
            if any(c.get(k) for k in ADDRESS_KEYS) and "address" not in out:
                out["address"] = {
                    "province": c.get("stateOrProvince", ""),
                    "city": c.get("city", ""),
                    "district": c.get("street2", ""),
                    "street": c.get("street1", ""),
                    "postcode": c.get("postCode", ""),
                }
                for ours, tmf in (
                    ("province", "stateOrProvince"),
                    ("city", "city"),
                    ("district", "street2"),
                    ("street", "street1"),
                    ("postcode", "postCode"),
                ):
                    self.field_names[f"address.{ours}"] = f"{path}.{tmf}"
        return out

    def split_characteristics(self, items: list[dict]) -> tuple[dict, list[dict]]:
        ours, given = {}, []
        for i, item in enumerate(items):
            spec = OWN_CHARACTERISTICS.get(item["name"])
            if spec is None:
                given.append(item)
                continue
            field, settable = spec
            self.field_names[field] = f"characteristic[{i}].value"
            ours[field] = (item["value"], settable, i)
        return ours, given

    def create_resource(self, data):
        self.field_names = {"name": "name", "customer_type": "engagedParty.@referredType"}
        parsed = parse_body(CustomerInput, data)
        if parsed.get("status", CustomerStatus.ACTIVE) != CustomerStatus.ACTIVE:
            raise bad_request("status", _("A new customer is active."))
        ref = parsed["engagedParty"]
        kind = PARTY_TYPES[ref["@referredType"].lower()]
        fields = {
            "customer_type": CustomerType.INDIVIDUAL
            if kind == PartyKind.INDIVIDUAL
            else CustomerType.ENTERPRISE,
            "name": parsed["name"],
            "source": "system",
        }
        ours, given = self.split_characteristics(parsed.get("characteristic", []))
        if "customer_type" in ours:
            fields["customer_type"] = str(ours["customer_type"][0])
        for field, (_value, _settable, i) in ours.items():
            if field not in ("customer_type", "customer_no", "credit_level"):
                raise bad_request(
                    f"characteristic[{i}]", _("This is set by the CRM's classification, not on registration.")
                )
        party = self.engaged_party(ref, kind)
        if party is not None:  # one of our parties: it becomes this customer's party
            fields["party"] = party
            self.field_names["party"] = "engagedParty.id"
        fields.update(self.contact_fields(parsed.get("contactMedium", [])))
        return actions.tmf_customer_create(
            actor=self.request.user,
            engaged_party=ref,
            related_party=parsed.get("relatedParty", []),
            characteristic=given,
            **fields,
        )

    def engaged_party(self, ref: dict, kind: str) -> Party | None:
        pk = parse_id(ref["id"])
        if pk is None:
            return None
        return Party.objects.restrict(self.request.user).filter(pk=pk, kind=kind).first()

    def update_resource(self, customer, data):
        self.field_names = {"name": "name", "reason": "statusReason", "status": "status"}
        parsed = parse_body(CustomerInput, data, partial=True)
        changes: dict = {}
        contacts: dict = {}
        tmf: dict = {}
        if "name" in parsed and parsed["name"] != customer.name:
            changes["name"] = parsed["name"]
        if "status" in parsed and parsed["status"] != customer.status:
            changes["status"] = parsed["status"]
            changes["reason"] = parsed.get("statusReason", "")
        if "contactMedium" in parsed:
            contact = self.contact_fields(parsed["contactMedium"], customer)
            if "phone" in contact:  # a new primary phone (contact_medium_save names it "value")
                contacts["phone"] = contact["phone"]
                self.field_names["value"] = self.field_names["phone"]
            if "address" in contact and not self.same_address(customer, contact["address"]):
                contacts["address"] = contact["address"]  # a new primary address (address_save)
                for ours in ("province", "city", "district", "street", "postcode"):
                    self.field_names[ours] = self.field_names[f"address.{ours}"]
            if "email" in contact:
                changes["email"] = contact["email"]
        if "characteristic" in parsed:
            ours, given = self.split_characteristics(parsed["characteristic"])
            for field, (value, settable, i) in ours.items():
                if value == getattr(customer, field) or str(value) == str(getattr(customer, field)):
                    continue
                if not settable:
                    raise bad_request(
                        f"characteristic[{i}].value", _("This value cannot be changed."), "read_only"
                    )
                changes[field] = value
            tmf["characteristic"] = given
        if "engagedParty" in parsed:
            tmf["engaged_party"] = parsed["engagedParty"]
        if "relatedParty" in parsed:
            tmf["related_party"] = parsed["relatedParty"]
        if not changes and not contacts and not tmf:
            return customer
        return actions.tmf_customer_update(
            actor=self.request.user, customer=customer, tmf=tmf or None, **contacts, **changes
        )

    @staticmethod
    def same_address(customer: Customer, address: dict) -> bool:
        for current in getattr(customer, "primary_addresses", ()):
            if (
                current.province,
                current.city,
                current.district or "",
                current.street,
                current.postcode or "",
            ) == (
                address["province"],
                address["city"],
                address["district"],
                address["street"],
                address["postcode"],
            ):
                return True
        return False
