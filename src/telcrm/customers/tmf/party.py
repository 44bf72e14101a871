"""TMF632 Party Management v4: /tmf-api/party/v4/individual and /organization over ``Party``.

A party is the person or organisation; its customer roles (TMF629) are listed in ``relatedParty``
with role ``customer``. ID numbers are shown masked (``110***********1234``); the plaintext is only
revealed, audited, in the CRM itself. ``status`` is ``validated`` once the real-name check is done,
else ``initialized``; clients cannot set it.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Prefetch, Q
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ..models import Customer, Gender, Party, PartyKind
from . import actions
from .common import (
    CharacteristicField,
    Filter,
    TmfViewSet,
    iso,
    parse_body,
    parse_when,
    related_ref,
)

GENDERS = {Gender.MALE: "male", Gender.FEMALE: "female", Gender.UNKNOWN: "unknown"}
GENDER_CODES = {v: k for k, v in GENDERS.items()}
DOC_TYPE_ALIASES = {
    "nationalid": "id_card",
    "identitycard": "id_card",
    "idcard": "id_card",
    "residentid": "id_card",
    "passport": "passport",
    "businesslicense": "business_license",
    "unifiedsocialcreditcode": "business_license",
    "uscc": "business_license",
    "organizationcode": "org_code",
}


def doc_type_code(value: str) -> str:
    """Our dictionary code for a TMF identificationType (our codes pass through)."""
    key = (value or "").strip()
    return DOC_TYPE_ALIASES.get(key.replace("_", "").replace("-", "").lower(), key)


def _status_q(values, op) -> Q:
    q = Q(pk__in=[])
    if "validated" in values:
        q |= Q(id_verified_at__isnull=False)
    if "initialized" in values:
        q |= Q(id_verified_at__isnull=True)
    return q


def _party_date(value):
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise serializers.ValidationError(_("Enter a date such as 1990-01-31."))
    when = parse_when(value)
    if when is None:
        raise serializers.ValidationError(_("Enter a date such as 1990-01-31."))
    # A date of birth written as a date-time (the TMF samples do) keeps the calendar date written.
    return dt.date.fromisoformat(value.strip()[:10]) if len(value.strip()) >= 10 else when.date()


class IdentificationField(serializers.Field):
    default_error_messages = {
        "not_an_object": _("Send an object with identificationType and identificationId.")
    }

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            self.fail("not_an_object")
        out = {}
        for key in ("identificationType", "identificationId"):
            value = data.get(key, "")
            if not isinstance(value, str) or "\x00" in value:
                raise serializers.ValidationError({key: [_("Enter text.")]})
            out[key] = value.strip()
        return out

    def to_representation(self, value):
        return value


class PartyInput(serializers.Serializer):
    status = serializers.CharField(required=False, allow_blank=True)
    partyCharacteristic = serializers.ListField(child=CharacteristicField(), required=False)

    def validate_status(self, value):
        current = self.context.get("status", "initialized")
        if value and value != current:
            raise serializers.ValidationError(_("The status follows the real-name check; it cannot be set."))
        return value


class IndividualInput(PartyInput):
    familyName = serializers.CharField(max_length=100)
    givenName = serializers.CharField(max_length=100)
    fullName = serializers.CharField(max_length=200, required=False, allow_blank=True)
    formattedName = serializers.CharField(max_length=200, required=False, allow_blank=True)
    gender = serializers.ChoiceField(choices=sorted(GENDER_CODES), required=False, allow_blank=True)
    birthDate = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    nationality = serializers.CharField(max_length=3, required=False, allow_blank=True)
    individualIdentification = serializers.ListField(
        child=IdentificationField(), required=False, max_length=1
    )

    def validate_birthDate(self, value):
        return _party_date(value)


class OrganizationInput(PartyInput):
    tradingName = serializers.CharField(max_length=200)
    name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    organizationType = serializers.CharField(max_length=50, required=False, allow_blank=True)
    organizationIdentification = serializers.ListField(
        child=IdentificationField(), required=False, max_length=1
    )


CHARACTERISTICS = {"legalRepresentative": "legal_representative", "industry": "industry"}


def party_changes(data: dict, kind: str) -> dict:
    """Keyword arguments of the party actions from parsed TMF input."""
    out = {}
    if kind == PartyKind.INDIVIDUAL:
        simple = {"familyName": "family_name", "givenName": "given_name", "nationality": "nationality"}
        for tmf, ours in simple.items():
            if tmf in data:
                out[ours] = data[tmf]
        for tmf in ("fullName", "formattedName"):
            if data.get(tmf):
                out["name"] = data[tmf]
        if "gender" in data:
            out["gender"] = GENDER_CODES.get(data["gender"], "")
        if "birthDate" in data:
            out["birth_date"] = data["birthDate"]
        identification = data.get("individualIdentification")
        default_type = "id_card"
    else:
        if "tradingName" in data:
            out["trading_name"] = data["tradingName"]
        if data.get("name"):
            out["name"] = data["name"]
        if "organizationType" in data:
            out["industry"] = data["organizationType"]
        identification = data.get("organizationIdentification")
        default_type = "business_license"
    for item in data.get("partyCharacteristic") or ():
        ours = CHARACTERISTICS.get(item["name"])
        if ours is not None:
            out[ours] = "" if item["value"] is None else str(item["value"])
    if identification is not None:
        first = identification[0] if identification else {}
        out["id_number"] = first.get("identificationId", "")
        out["id_doc_type"] = doc_type_code(first.get("identificationType") or default_type) if first else ""
    return out


class PartyViewSet(TmfViewSet):
    kind = ""
    input_class: type[PartyInput] = PartyInput
    identification_attr = ""
    tmf_filters = {
        "id": Filter("pk", "id"),
        "status": Filter(_status_q, "choice"),
        "lastUpdate": Filter("updated_at", "datetime"),
    }

    def scoped_queryset(self, user):
        # The party's customer roles the caller may see (relatedParty, role "customer").
        live = Customer.objects.restrict(user).live().only("id", "name", "party_id")
        return (
            Party.objects.restrict(user)
            .filter(kind=self.kind)
            .prefetch_related(Prefetch("customers", queryset=live, to_attr="live_customers"))
        )

    def identification(self, party: Party) -> list[dict]:
        if not party.id_number:
            return []
        item = {"identificationType": party.id_doc_type, "identificationId": str(party.id_number)}
        if party.id_verified_at:
            item["validFor"] = {"startDateTime": iso(party.id_verified_at)}
        return [item]

    def customer_refs(self, party: Party) -> list[dict]:
        return [
            related_ref(
                self.request,
                "tmf-customer-detail",
                c.pk,
                name=c.name,
                referred_type="Customer",
                role="customer",
            )
            for c in getattr(party, "live_customers", ())
        ]

    def characteristics(self, party: Party) -> list[dict]:
        out = []
        for tmf, ours in CHARACTERISTICS.items():
            value = getattr(party, ours)
            if value:
                out.append({"name": tmf, "value": value, "valueType": "string"})
        return out

    def create_resource(self, data):
        parsed = parse_body(self.input_class, data, context={"status": "initialized"})
        return actions.party_create(
            actor=self.request.user, kind=self.kind, **party_changes(parsed, self.kind)
        )

    def update_resource(self, party, data):
        status = "validated" if party.id_verified_at else "initialized"
        parsed = parse_body(self.input_class, data, partial=True, context={"status": status})
        changes = party_changes(parsed, self.kind)
        if not changes:
            return party
        return actions.party_update(actor=self.request.user, party=party, **changes)


class IndividualViewSet(PartyViewSet):
    kind = PartyKind.INDIVIDUAL
    resource_type = "Individual"
    url_name = "tmf-individual-detail"
    input_class = IndividualInput
    tmf_filters = {
        **PartyViewSet.tmf_filters,
        "familyName": Filter("family_name"),
        "givenName": Filter("given_name"),
        "fullName": Filter("name"),
        "formattedName": Filter("name"),
        "gender": Filter("gender", "choice", GENDER_CODES.get),
        "nationality": Filter("nationality"),
    }
    field_names = {
        "family_name": "familyName",
        "given_name": "givenName",
        "name": "fullName",
        "birth_date": "birthDate",
        "id_number": "individualIdentification.identificationId",
        "id_doc_type": "individualIdentification.identificationType",
    }

    def to_tmf(self, party: Party) -> dict:
        out = {
            "id": str(party.pk),
            "href": self.href(party.pk),
            "@type": "Individual",
            "familyName": party.family_name,
            "givenName": party.given_name,
            "fullName": party.name,
            "formattedName": party.name,
            "status": "validated" if party.id_verified_at else "initialized",
            "lastUpdate": iso(party.updated_at),
        }
        if party.gender:
            out["gender"] = GENDERS.get(party.gender, "unknown")
        if party.birth_date:
            out["birthDate"] = iso(party.birth_date)
        if party.nationality:
            out["nationality"] = party.nationality
        out["individualIdentification"] = self.identification(party)
        out["partyCharacteristic"] = self.characteristics(party)
        out["relatedParty"] = self.customer_refs(party)
        return out


class OrganizationViewSet(PartyViewSet):
    kind = PartyKind.ORGANIZATION
    resource_type = "Organization"
    url_name = "tmf-organization-detail"
    input_class = OrganizationInput
    tmf_filters = {
        **PartyViewSet.tmf_filters,
        "name": Filter("name"),
        "tradingName": Filter("trading_name"),
        "organizationType": Filter("industry"),
    }
    field_names = {
        "trading_name": "tradingName",
        "industry": "organizationType",
        "legal_representative": "partyCharacteristic.legalRepresentative",
        "id_number": "organizationIdentification.identificationId",
        "id_doc_type": "organizationIdentification.identificationType",
    }

    def to_tmf(self, party: Party) -> dict:
        out = {
            "id": str(party.pk),
            "href": self.href(party.pk),
            "@type": "Organization",
            "name": party.name,
            "tradingName": party.trading_name or party.name,
            "isLegalEntity": True,
            "status": "validated" if party.id_verified_at else "initialized",
            "lastUpdate": iso(party.updated_at),
        }
        if party.industry:
            out["organizationType"] = party.industry
        out["organizationIdentification"] = self.identification(party)
        out["partyCharacteristic"] = self.characteristics(party)
        out["relatedParty"] = self.customer_refs(party)
        return out
