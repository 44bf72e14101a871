"""The payload ``events.emit`` sends for another module's row when the caller gives none: the row's
identity and the few fields a receiver needs to decide what to do — never personal data beyond the
name (receivers that need more ask the API with their own credentials)."""

from __future__ import annotations

from .events import register_payload


def customer_payload(customer) -> dict:
    return {
        "id": str(customer.pk),
        "customerNo": customer.customer_no,
        "name": customer.name,
        "customerType": customer.customer_type,
        "status": customer.status,
        "valueTier": customer.value_tier,
    }


register_payload("customers.customer", customer_payload)
