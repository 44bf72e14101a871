"""Registering receivers of events: webhooks (the screens) and TMF hub listeners (``POST …/hub``).

A subscription sees the events of the registering user's data scope: everything for a user whose
scope is "all", their org subtree otherwise (``Subscription.org_unit``). Pausing (``active`` off)
stops new deliveries and holds the open ones; switching it on again sends them. Deleting discards
what is still open and keeps the row for the deliveries' history.
"""

from __future__ import annotations

import ipaddress
import secrets
import urllib.parse

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from telcrm.platform.actions import access, require_perm
from telcrm.platform.auditing import audit_write, snapshot
from telcrm.platform.errors import NotFoundInScope, field_error
from telcrm.platform.models.users import DataScope

from .. import kick
from ..events import PATTERN_RE
from ..i18n import _
from ..models import OPEN_STATES, State, Subscription, SubscriptionKind
from ..permissions import SUBSCRIPTIONS
from ..tmf_events import HUB_APIS

NAME_MAX = 100
URL_MAX = 500
SECRET_MIN, SECRET_MAX = 16, 200
TOPICS_MAX = 20
AUDITED = [
    "name",
    "kind",
    "callback",
    "topics",
    "secret",
    "active",
    "org_unit",
    "tmf_api",
    "tmf_query",
    "deleted_at",
]


def _pk(obj):
    return obj.pk if isinstance(obj, Model) else obj


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def clean_name(value) -> str:
    text = " ".join(str(value or "").split())
    if not text:
        raise field_error("name", _("Give the subscription a name."), "required")
    if len(text) > NAME_MAX:
        raise field_error(
            "name", _("Keep the name to %(max)s characters or fewer."), "max_length", max=NAME_MAX
        )
    return text


def clean_callback(value, field: str = "callback") -> str:
    """An http(s) URL without credentials; a literal private or loopback address or ``localhost`` is
    refused unless TELCRM_WEBHOOK_ALLOW_PRIVATE is set (the name's addresses are checked again at
    every delivery)."""
    url = str(value or "").strip()
    if not url:
        raise field_error(field, _("Enter the callback URL."), "required")
    if len(url) > URL_MAX:
        raise field_error(field, _("Keep the URL to %(max)s characters or fewer."), "max_length", max=URL_MAX)
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        parts = None
    if (
        parts is None
        or parts.scheme not in ("http", "https")
        or not parts.hostname
        or any(c.isspace() for c in url)
    ):
        raise field_error(field, _("Enter an http:// or https:// URL."), "invalid")
    if parts.username or parts.password:
        raise field_error(field, _("Do not put a user name or password into the URL."), "credentials")
    if not getattr(settings, "INTEGRATION_WEBHOOK_ALLOW_PRIVATE", False):
        host = parts.hostname
        try:
            ip = ipaddress.ip_address(host)
        except ValueError:
            private = host == "localhost" or host.endswith((".localhost", ".local", ".internal"))
        else:
            private = not ip.is_global
        if private:
            raise field_error(
                field,
                _("The URL points into a private network, which is not allowed here."),
                "private_address",
            )
    return url


def clean_topics(value, field: str = "topics") -> list[str]:
    """Topic patterns from a list or from text (comma, space or newline separated)."""
    items = value.replace(",", " ").split() if isinstance(value, str) else list(value or [])
    topics = []
    for item in items:
        text = str(item).strip()
        if not PATTERN_RE.match(text) or len(text) > 64:
            raise field_error(
                field,
                _("“%(topic)s” is not a topic: write customer.created, customer.* or *."),
                "invalid",
                topic=text[:64],
            )
        if text not in topics:
            topics.append(text)
    if not topics:
        raise field_error(field, _("Choose at least one topic."), "required")
    if len(topics) > TOPICS_MAX:
        raise field_error(field, _("Choose at most %(max)s topics."), "max_length", max=TOPICS_MAX)
    return topics


def clean_secret(value) -> str:
    text = str(value or "").strip()
    if text and not SECRET_MIN <= len(text) <= SECRET_MAX:
        raise field_error(
            "secret",
            _("A signing secret has %(min)s to %(max)s characters."),
            "length",
            min=SECRET_MIN,
            max=SECRET_MAX,
        )
    return text


def _scope_unit(actor):
    return None if actor.data_scope == DataScope.ALL else actor.org_unit


def _collect(*checks):
    """Run each ``(fn, args)`` and raise one ValidationError naming every bad field."""
    errors, values = {}, []
    for fn, *args in checks:
        try:
            values.append(fn(*args))
        except ValidationError as exc:
            errors.update(exc.error_dict)
            values.append(None)
    if errors:
        raise ValidationError(errors)
    return values


@transaction.atomic
def subscription_create(*, actor, name, callback, topics, secret=None, active: bool = True) -> Subscription:
    """A webhook. ``secret`` None generates one (read it from the returned row's ``new_secret``
    attribute, shown once); "" sends unsigned deliveries."""
    require_perm(actor, SUBSCRIPTIONS)
    name, callback, topics, secret_text = _collect(
        (clean_name, name), (clean_callback, callback), (clean_topics, topics), (clean_secret, secret)
    )
    if secret is None:
        secret_text = new_secret()
    sub = Subscription(
        name=name,
        kind=SubscriptionKind.WEBHOOK,
        callback=callback,
        topics=topics,
        active=bool(active),
        org_unit=_scope_unit(actor),
        owner=actor,
    )
    sub.secret = secret_text
    sub.save()
    sub.new_secret = secret_text if secret is None else ""
    audit_write(action="subscription.create", actor=actor, obj=sub, after=snapshot(sub, AUDITED))
    return sub


def _get(actor, subscription) -> Subscription:
    sub = access(Subscription.objects.select_related("org_unit"), actor, _pk(subscription), for_update=True)
    if sub.deleted_at is not None:
        raise field_error("subscription", _("This subscription was deleted."), "deleted")
    return sub


@transaction.atomic
def subscription_update(*, actor, subscription, **changes) -> Subscription:
    """Change ``name``, ``callback``, ``topics``, ``secret`` (a new one; None keeps it, "" removes it)
    or ``active`` (off: pause; on: open deliveries go out at once)."""
    require_perm(actor, SUBSCRIPTIONS)
    sub = _get(actor, subscription)
    unknown = set(changes) - {"name", "callback", "topics", "secret", "active"}
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    before = snapshot(sub, AUDITED)
    fields = [("name", clean_name), ("callback", clean_callback), ("topics", clean_topics)]
    if changes.get("secret") is not None:
        fields.append(("secret", clean_secret))
    present = [(f, fn) for f, fn in fields if f in changes]
    values = dict(
        zip([f for f, _fn in present], _collect(*[(fn, changes[f]) for f, fn in present]), strict=True)
    )
    if sub.kind == SubscriptionKind.TMF_HUB and {"callback", "topics"} & set(values):
        raise field_error("callback", _("A TMF hub listener is changed by registering it again."), "tmf_hub")
    for field, value in values.items():
        setattr(sub, field, value)
    resumed = "active" in changes and bool(changes["active"]) and not sub.active
    if "active" in changes:
        sub.active = bool(changes["active"])
    sub.save()
    if resumed:
        now = timezone.now()
        sub.deliveries.filter(state__in=(State.PENDING, State.FAILED)).update(
            next_attempt_at=now, updated_at=now
        )
        kick.on_commit()
    audit_write(
        action="subscription.update", actor=actor, obj=sub, before=before, after=snapshot(sub, AUDITED)
    )
    return sub


@transaction.atomic
def subscription_delete(*, actor, subscription) -> Subscription:
    """Stop a subscription for good: open deliveries are discarded, the row stays for their history."""
    require_perm(actor, SUBSCRIPTIONS)
    sub = _get(actor, subscription)
    before = snapshot(sub, AUDITED)
    now = timezone.now()
    sub.active, sub.deleted_at = False, now
    sub.save(update_fields=["active", "deleted_at", "updated_at"])
    discarded = sub.deliveries.filter(state__in=[s for s in OPEN_STATES if s != State.IN_FLIGHT]).update(
        state=State.DISCARDED,
        finished_at=now,
        error_code="deleted",
        last_error="the subscription was deleted",
        updated_at=now,
    )
    after = {**snapshot(sub, AUDITED), "discarded_deliveries": discarded}
    audit_write(action="subscription.delete", actor=actor, obj=sub, before=before, after=after)
    return sub


# --- TMF hub (TMF630 part 2) ---------------------------------------------------------------------------
def hub_topics(api_code: str, query) -> list[str]:
    """Our topics for a TMF hub ``query``: empty = every event type of the API; else
    ``eventType=A`` or ``eventType=A,B`` (the only filter offered)."""
    api = HUB_APIS[api_code]
    text = str(query or "").strip()
    if not text:
        return sorted(set(api.event_types.values()))
    try:
        pairs = urllib.parse.parse_qsl(text, keep_blank_values=True, strict_parsing=True)
    except ValueError:
        pairs = None
    if not pairs or any(k.strip() != "eventType" for k, _v in pairs):
        raise field_error(
            "query",
            _("Only eventType can be filtered on, e.g. eventType=%(example)s."),
            "unsupported_query",
            example=next(iter(api.event_types)),
        )
    names = [n.strip() for _k, v in pairs for n in v.split(",") if n.strip()]
    unknown = [n for n in names if n not in api.event_types]
    if unknown or not names:
        raise field_error(
            "query",
            _("Unknown event type %(name)s; this API offers: %(known)s."),
            "unknown_event_type",
            name=", ".join(unknown) or "—",
            known=", ".join(api.event_types),
        )
    return sorted({api.event_types[n] for n in names})


@transaction.atomic
def hub_subscribe(*, actor, api: str, callback, query="", base_url: str) -> Subscription:
    """Register a TMF hub listener for ``api`` (TMF629…): ``callback`` receives the API's events
    (``query`` chooses the event types); ``base_url`` is the API's basePath as the client reached it
    (for the resources' hrefs). The caller needs manage_subscriptions and the API's read permission."""
    require_perm(actor, SUBSCRIPTIONS)
    hub = HUB_APIS[api]
    require_perm(actor, hub.read_permission)
    callback, topics = _collect((clean_callback, callback), (hub_topics, api, query))
    sub = Subscription(
        name=f"{api} hub: {callback}"[:NAME_MAX],
        kind=SubscriptionKind.TMF_HUB,
        callback=callback,
        topics=topics,
        org_unit=_scope_unit(actor),
        owner=actor,
        tmf_api=api,
        tmf_base_url=base_url[:URL_MAX],
        tmf_query=str(query or "")[:URL_MAX],
    )
    sub.save()
    audit_write(action="subscription.create", actor=actor, obj=sub, after=snapshot(sub, AUDITED))
    return sub


def hub_unsubscribe(*, actor, api: str, subscription) -> Subscription:
    """``DELETE …/hub/{id}``: only a listener registered at this API's hub."""
    require_perm(actor, SUBSCRIPTIONS)
    sub = access(Subscription.objects.all(), actor, _pk(subscription))
    if sub.tmf_api != api or sub.kind != SubscriptionKind.TMF_HUB or sub.deleted_at is not None:
        raise NotFoundInScope()
    return subscription_delete(actor=actor, subscription=sub)
