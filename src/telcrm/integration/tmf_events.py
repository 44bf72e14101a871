"""TM Forum event hubs (TMF630 part 2): which TMF event types an API's ``/hub`` offers, the topics
they stand for, and the TMF event body a listener receives.

A TMF API module registers its hub once (:func:`register_hub_api`) and mounts ``hub.hub_urls(code)``
at its basePath; TMF629 (customer management) is registered here as the first. The listener gets::

    {"eventId": "<event id>", "eventTime": "2026-01-31T08:00:00.000Z",
     "eventType": "CustomerCreateEvent", "event": {"customer": {"id", "href", "@type", …}}}

POSTed to the ``callback`` given at registration (the same headers as a webhook; see webhooks.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from .models import Event, Subscription


def iso(value) -> str | None:
    """UTC ISO 8601 with milliseconds and Z, as the TMF samples write dates."""
    if value is None:
        return None
    return value.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class HubApi:
    """One TMF API's hub: ``code`` (TMF629), the resource in the event body (``customer``, typed
    ``Customer``), TMF event type → our topic, the permission to read the API, and how a payload
    becomes the TMF resource (``to_resource(payload, href) -> dict``)."""

    code: str
    resource: str
    resource_type: str
    event_types: dict[str, str]
    read_permission: str
    to_resource: Callable[[dict, str], dict] | None = None
    topics_to_types: dict[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "topics_to_types", {t: e for e, t in self.event_types.items()})


HUB_APIS: dict[str, HubApi] = {}


def register_hub_api(api: HubApi) -> HubApi:
    HUB_APIS[api.code] = api
    return api


def tmf_body(subscription: Subscription, event: Event) -> dict:
    api = HUB_APIS.get(subscription.tmf_api)
    if api is None:
        raise LookupError(f"no TMF hub {subscription.tmf_api!r} is registered")
    payload = dict(event.payload or {})
    resource_id = str(payload.get("id") or event.aggregate_id)
    href = f"{subscription.tmf_base_url.rstrip('/')}/{api.resource}/{resource_id}"
    if api.to_resource is not None:
        resource = api.to_resource(payload, href)
    else:
        resource = {**payload, "id": resource_id, "href": href, "@type": api.resource_type}
    return {
        "eventId": str(event.event_id),
        "eventTime": iso(event.created_at),
        "eventType": api.topics_to_types.get(event.topic, event.topic),
        "event": {api.resource: resource},
    }


def _tmf629_customer(payload: dict, href: str) -> dict:
    """The customer as TMF629 shows it (customers/tmf/customer.py), from the event's payload."""
    characteristic = [
        {"name": name, "value": payload[key], "valueType": "string"}
        for name, key in (
            ("customerNumber", "customerNo"),
            ("customerType", "customerType"),
            ("valueTier", "valueTier"),
        )
        if payload.get(key)
    ]
    out = {"id": str(payload.get("id", "")), "href": href, "@type": "Customer"}
    for key in ("name", "status"):
        if key in payload:
            out[key] = payload[key]
    if characteristic:
        out["characteristic"] = characteristic
    return out


TMF629 = register_hub_api(
    HubApi(
        code="TMF629",
        resource="customer",
        resource_type="Customer",
        event_types={
            "CustomerCreateEvent": "customer.created",
            "CustomerAttributeValueChangeEvent": "customer.updated",
            "CustomerStateChangeEvent": "customer.status_changed",
            "CustomerDeleteEvent": "customer.deleted",
        },
        read_permission="customers.view_customer",
        to_resource=_tmf629_customer,
    )
)
