"""Revealing masked personal data: permission check, audit record, then the plaintext."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from ..auditing import audit_reveal
from ..errors import AccessDenied, field_error
from ..models import EncryptedField


@transaction.atomic
def pii_reveal(*, actor, obj, field: str) -> str:
    """The plaintext of ``obj.<field>``. The caller must have fetched ``obj`` through its scope."""
    if actor is None or not actor.has_perm("platform.reveal_pii"):
        raise AccessDenied(_("Your role may not reveal personal data."))
    try:
        model_field = obj._meta.get_field(field)
    except Exception as exc:
        raise field_error("field", _("Unknown field."), "invalid") from exc
    if not isinstance(model_field, EncryptedField):
        raise field_error("field", _("This field is not protected personal data."), "invalid")
    audit_reveal(actor=actor, obj=obj, field=field)
    sealed = getattr(obj, field)
    return sealed.reveal_unaudited() if sealed else ""
