"""Self-service update requests (CUS-8): the customer asks, staff review, approval applies the change.

The requested phone and e-mail are personal data: they are kept encrypted inside the request's JSON
(bound to the request column like every other ciphertext), shown masked by
:func:`update_request_preview`, and decrypted only to apply an approved request.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from telcrm.platform import crypto
from telcrm.platform.actions import access, require_perm
from telcrm.platform.auditing import audit_write, snapshot
from telcrm.platform.errors import field_error

from .. import validation
from ..models import ContactMedium, Customer, MediumKind, RequestStatus, UpdateRequest
from ._common import LIVE_STATUSES, Errors, blind_index, pk_of, require_open, save
from .contacts import address_save, contact_medium_delete, contact_medium_save
from .customer import channel_codes, clean_address, record_interaction

REQUEST_FIELDS = ("email", "phone", "address", "marketing_consent", "do_not_disturb")
SEALED = ("email", "phone")
_CONTEXT = "customers.UpdateRequest.changes"


def _seal(key: str, value: str) -> str:
    return crypto.encrypt(value, context=f"{_CONTEXT}.{key}") if value else ""


def _unseal(key: str, value: str) -> str:
    return crypto.decrypt(value, context=f"{_CONTEXT}.{key}") if value else ""


def _mask_email(value: str) -> str:
    local, _at, domain = value.partition("@")
    return f"{local[:1]}***@{domain}" if domain else crypto.mask_generic(value)


def update_request_preview(request: UpdateRequest) -> dict:
    """The requested changes for display: phone and e-mail masked, the rest as requested."""
    out = dict(request.changes)
    if out.get("phone"):
        out["phone"] = crypto.mask_phone(_unseal("phone", out["phone"]))
    if out.get("email"):
        out["email"] = _mask_email(_unseal("email", out["email"]))
    return out


def _clean_changes(changes) -> dict:
    """The requested changes validated and normalised (plaintext), or errors naming each field."""
    errs = Errors()
    if not isinstance(changes, dict) or not changes:
        raise field_error("__all__", _("Tell us at least one thing to change."), "empty")
    for key in sorted(set(changes) - set(REQUEST_FIELDS)):
        errs.add(key, _("This cannot be changed by a request; please contact our staff."), "read_only")
    out: dict = {}
    if "email" in changes:
        email = str(changes["email"] or "").strip()
        out["email"] = errs.run(validation.validate_email, email) if email else ""
    if "phone" in changes:
        out["phone"] = errs.run(validation.validate_phone, str(changes["phone"] or ""), "phone")
    if "address" in changes:
        value = changes["address"]
        if not isinstance(value, dict) or not value:
            errs.add("address", _("Enter the new address."), "invalid")
        else:
            data = clean_address(
                errs, {k: v for k, v in value.items() if k != "is_primary"}, prefix="address."
            )
            out["address"] = {k: v for k, v in data.items() if k != "is_primary"}
    for key in ("marketing_consent", "do_not_disturb"):
        if key in changes:
            if not isinstance(changes[key], bool):
                errs.add(key, _("Answer yes or no."), "invalid")
            else:
                out[key] = changes[key]
    if out.get("marketing_consent") and out.get("do_not_disturb"):
        errs.add(
            "do_not_disturb", _("Do-not-disturb and consent to marketing exclude each other."), "conflict"
        )
    errs.raise_if_any()
    return out


@transaction.atomic
def update_request_submit(*, customer, changes: dict, source: str = "web") -> UpdateRequest:
    """File a customer's own request to change their contact data (no staff actor: the customer,
    authenticated by the self-service channel). Only e-mail, phone, address, marketing consent and
    do-not-disturb may be requested; the values are validated as staff input would be."""
    try:
        row = Customer.objects.dangerously_unscoped().select_for_update().get(pk=pk_of(customer))
    except (Customer.DoesNotExist, ValueError, TypeError) as exc:
        raise field_error("customer", _("Not found."), "not_found") from exc
    if row.status not in LIVE_STATUSES:
        raise field_error("customer", _("This customer record is no longer in use."), "inactive")
    cleaned = _clean_changes(changes)
    if source not in channel_codes():
        raise field_error("source", _("Choose a valid contact channel."), "invalid_choice")
    stored = {k: (_seal(k, v) if k in SEALED else v) for k, v in cleaned.items()}
    request = UpdateRequest.objects.create(
        customer=row, changes=stored, source=source, org_unit_id=row.org_unit_id, owner_id=row.owner_id
    )
    record_interaction(
        row,
        actor=None,
        channel=source,
        kind="update_request",
        summary=gettext("Asked to change contact data"),
        ref_type="customers.updaterequest",
        ref_id=str(request.pk),
    )
    audit_write(action="customer.update_request_submit", actor=None, obj=request, after=snapshot(request))
    return request


@transaction.atomic
def update_request_review(*, actor, request, approve: bool, note: str = "") -> UpdateRequest:
    """Approve (apply the changes through the same actions staff use) or reject (with a note)."""
    require_perm(actor, "customers.review_update_request")
    row = access(UpdateRequest.objects, actor, pk_of(request), for_update=True)
    errs = Errors()
    if row.status != RequestStatus.PENDING:
        errs.add("status", _("This request was already reviewed."), "reviewed")
    note = errs.run(validation.validate_text, note, "note", max_length=300)
    if not approve and not note and "note" not in errs:
        errs.add("note", _("Tell the customer why the request is rejected."), "required")
    errs.raise_if_any()
    before = snapshot(row)
    if approve:
        require_open(row.customer)
        plain_changes = {k: (_unseal(k, v) if k in SEALED else v) for k, v in row.changes.items()}
        _apply(actor, row.customer, plain_changes)
    row.status = RequestStatus.APPROVED if approve else RequestStatus.REJECTED
    row.reviewed_by = actor
    row.reviewed_at = timezone.now()
    row.review_note = note or ""
    row.save()
    record_interaction(
        row.customer,
        actor=actor,
        channel=row.source if row.source in channel_codes() else "system",
        kind="update_request_reviewed",
        direction="out",
        summary=gettext("Change of contact data approved")
        if approve
        else gettext("Change of contact data rejected"),
        ref_type="customers.updaterequest",
        ref_id=str(row.pk),
    )
    audit_write(
        action="customer.update_request_approve" if approve else "customer.update_request_reject",
        actor=actor,
        obj=row,
        before=before,
        after=snapshot(row),
    )
    return row


def _renamed(exc: ValidationError, field: str) -> ValidationError:
    """Errors of an applied action, put on the requested field they came from."""
    messages = [e for errs in getattr(exc, "error_dict", {"": exc.error_list}).values() for e in errs]
    return ValidationError({field: messages})


def _apply(actor, customer: Customer, changes: dict) -> None:
    _clean_changes(changes)  # still valid today (rules may have changed since the request)
    media = list(customer.contact_media.all())
    if "phone" in changes:
        number, kind = validation.parse_phone(changes["phone"])
        try:
            _set_primary(actor, customer, media, kind, number)
        except ValidationError as exc:
            raise _renamed(exc, "phone") from exc
    if "email" in changes:
        try:
            _set_primary(actor, customer, media, MediumKind.EMAIL, changes["email"])
        except ValidationError as exc:
            raise _renamed(exc, "email") from exc
    if "address" in changes:
        primary = customer.addresses.filter(is_primary=True).first()
        try:
            address_save(
                actor=actor, customer=customer, address=primary, is_primary=True, **changes["address"]
            )
        except ValidationError as exc:
            raise _renamed(exc, "address") from exc
    consent, dnd = changes.get("marketing_consent"), changes.get("do_not_disturb")
    if consent is not None or dnd is not None:
        _set_preferences(actor, customer, consent, dnd)


def _set_preferences(actor, customer: Customer, consent: bool | None, dnd: bool | None) -> None:
    """Marketing consent / do-not-disturb of every contact of the customer (the customer's wish is not
    per number). Opting in ends do-not-disturb; do-not-disturb withdraws consent."""
    before, after = {}, {}
    for medium in customer.contact_media.select_for_update().order_by("id"):
        new_consent = medium.marketing_consent if consent is None else consent
        new_dnd = medium.do_not_disturb if dnd is None else dnd
        if consent:
            new_dnd = False
        if dnd:
            new_consent = False
        if (new_consent, new_dnd) == (medium.marketing_consent, medium.do_not_disturb):
            continue
        key = f"contact_medium[{medium.pk}]"
        before[key] = {"marketing_consent": medium.marketing_consent, "do_not_disturb": medium.do_not_disturb}
        medium.marketing_consent, medium.do_not_disturb = new_consent, new_dnd
        save(medium, actor)
        after[key] = {"marketing_consent": new_consent, "do_not_disturb": new_dnd}
    if after:
        audit_write(
            action="customer.contact_preferences", actor=actor, obj=customer, before=before, after=after
        )


def _set_primary(actor, customer, media, kind: str, value: str) -> None:
    """Make ``value`` the primary contact of ``kind``: the customer's row with that value if there is
    one, else the current primary row changed, else a new row. An empty e-mail removes the primary."""
    same_kind = [m for m in media if m.kind == kind]
    primary = next((m for m in same_kind if m.is_primary), None)
    if not value:
        if primary is not None:
            contact_medium_delete(actor=actor, medium=primary)
        return
    bidx = blind_index(ContactMedium, "value", value)
    target = next((m for m in same_kind if m.value_bidx == bidx), None) or primary
    contact_medium_save(
        actor=actor,
        customer=customer,
        medium=target,
        kind=kind,
        value=value,
        is_primary=True,
        marketing_consent=target.marketing_consent if target else False,
        do_not_disturb=target.do_not_disturb if target else False,
    )
