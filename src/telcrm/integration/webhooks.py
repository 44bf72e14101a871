"""Delivering an event to a webhook or TMF hub listener: one signed JSON POST.

Headers of every delivery::

    Content-Type: application/json; charset=utf-8
    Idempotency-Key: <event id>          the same for every attempt and every replay: dedupe by it
    X-Telcrm-Event-Id: <event id>
    X-Telcrm-Topic: customer.created
    X-Telcrm-Delivery: <delivery id>, X-Telcrm-Attempt: <n>
    X-Telcrm-Signature: sha256=<hex>     HMAC-SHA256 of the exact body with the subscription's secret
                                         (only when it has one)

Body: ``{"id", "topic", "occurredAt", "aggregate": {"type", "id"}, "data": <payload>}``, or for a TMF
hub listener the TMF event (``{"eventId", "eventTime", "eventType", "event": {<resource>: …}}``).

A 2xx answer is success; 408, 409, 425, 429 and 5xx are retried, like timeouts and refused
connections; any other answer (3xx included: redirects are not followed) is permanent. A callback
whose host resolves to a private, loopback or link-local address is refused unless
``TELCRM_WEBHOOK_ALLOW_PRIVATE`` is set (no requests into the carrier's own network by accident).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import socket

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder

from .adapters import transport
from .adapters.base import PermanentError, RetryableError
from .models import Delivery, Event, Subscription, SubscriptionKind
from .tmf_events import iso, tmf_body

RETRY_STATUSES = {408, 409, 425, 429}


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def body_of(subscription: Subscription, event: Event) -> dict:
    if subscription.kind == SubscriptionKind.TMF_HUB:
        return tmf_body(subscription, event)
    return {
        "id": str(event.event_id),
        "topic": event.topic,
        "occurredAt": iso(event.created_at),
        "aggregate": {"type": event.aggregate_type, "id": event.aggregate_id},
        "data": event.payload,
    }


def is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def check_destination(url: str) -> None:
    """Refuse a callback that resolves to a non-public address (unless allowed by settings)."""
    if getattr(settings, "INTEGRATION_WEBHOOK_ALLOW_PRIVATE", False):
        return
    parts = transport.split_url(url)
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80))
    except socket.gaierror as exc:
        raise RetryableError(f"cannot resolve {parts.hostname}: {exc}", code="dns") from exc
    private = sorted({info[4][0] for info in infos if not is_public(info[4][0])})
    if private:
        raise PermanentError(
            f"{parts.hostname} resolves to a non-public address ({', '.join(private)}); "
            "set TELCRM_WEBHOOK_ALLOW_PRIVATE=1 to allow it",
            code="private_address",
        )


def send(delivery: Delivery) -> int:
    """POST ``delivery``'s event to its subscription; returns the HTTP status or raises AdapterError."""
    subscription, event = delivery.subscription, delivery.event
    check_destination(subscription.callback)
    body = json.dumps(
        body_of(subscription, event), cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":")
    ).encode()
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "telcrm-webhook",
        "Idempotency-Key": str(event.event_id),
        "X-Telcrm-Event-Id": str(event.event_id),
        "X-Telcrm-Topic": event.topic,
        "X-Telcrm-Delivery": str(delivery.pk),
        "X-Telcrm-Attempt": str(delivery.attempts),
    }
    secret = subscription.secret.reveal_unaudited() if subscription.secret else ""
    if secret:
        headers["X-Telcrm-Signature"] = signature(secret, body)
    timeouts = getattr(settings, "INTEGRATION_WEBHOOK_TIMEOUTS", (5.0, 10.0))
    reply = transport.post(
        subscription.callback, body, headers, connect_timeout=timeouts[0], read_timeout=timeouts[1]
    )
    if 200 <= reply.status < 300:
        return reply.status
    snippet = reply.body[:200].decode("utf-8", "replace")
    message = f"HTTP {reply.status} from {subscription.callback}" + (f": {snippet}" if snippet else "")
    if reply.status in RETRY_STATUSES or reply.status >= 500:
        raise RetryableError(message, code=f"http_{reply.status}")
    raise PermanentError(message, code=f"http_{reply.status}")
