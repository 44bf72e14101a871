"""Self-service update requests (CUS-8): a customer asks, without a staff login, to change their
e-mail, phone, address, marketing consent or do-not-disturb; staff review the request.

The customer reaches the form through a signed, expiring link that staff hand out
(:func:`selfservice_link`; ``TimestampSigner`` over the customer id, valid for parameter
``customers.selfservice_link_days``). Nothing the link carries is secret, but nobody can make or
alter one without the server's key. Submitting calls the domain action ``update_request_submit``:
the request lands as *pending* and changes the customer only when staff approve it. Each customer
may submit at most ``customers.selfservice_max_requests`` requests per hour (a cache counter), so
a leaked link cannot flood the review queue.
"""

from __future__ import annotations

from datetime import timedelta

from django.core import signing
from django.core.cache import cache
from django.urls import reverse
from django.utils.translation import pgettext_lazy

from telcrm.platform.auditing import audit_event
from telcrm.platform.errors import field_error
from telcrm.platform.models import AuditKind
from telcrm.platform.models.audit import ACTION_LABELS
from telcrm.platform.parameters import define, param

CTX = "customers-selfservice"


def _(message: str):
    """Self-service messages carry their own context, so import.po never collides with another area."""
    return pgettext_lazy(CTX, message)


SALT = "telcrm.customers.selfservice"
RATE_WINDOW = 3600  # seconds
FIELDS = ("email", "phone", "address", "marketing_consent", "do_not_disturb")
ADDRESS_KEYS = ("province", "city", "district", "street", "postcode")
LINK_ISSUED = "customer.selfservice_link"

ACTION_LABELS.update({LINK_ISSUED: _("Self-service link issued")})

define(
    "customers.selfservice_link_days",
    group="customers",
    type="int",
    default=7,
    min_value=1,
    max_value=90,
    name="客户自助更新链接有效期（天）",
    name_en="Self-service update link valid for (days)",
    description="工作人员生成的客户自助更新资料链接在该天数后失效。",
    description_en="A self-service update link handed to a customer stops working after this many days.",
)
define(
    "customers.selfservice_max_requests",
    group="customers",
    type="int",
    default=5,
    min_value=1,
    max_value=100,
    name="客户每小时最多自助更新申请数",
    name_en="Self-service update requests per customer per hour",
    description="同一客户一小时内通过自助链接最多可提交的资料更新申请数。",
    description_en="How many update requests one customer may submit through self-service links in an hour.",
)
define(
    "customers.selfservice_base_url",
    group="customers",
    type="str",
    default="",
    name="客户自助页面的访问地址",
    name_en="Public address of the self-service pages",
    description="生成给客户的链接使用的地址前缀，如 https://crm.example.cn ；留空则使用工作人员访问的地址。",
    description_en="Prefix of the links handed to customers, e.g. https://crm.example.cn; empty: the "
    "address staff use.",
)


class LinkError(Exception):
    """The link cannot be used: ``code`` is "invalid", "expired" or "throttled"; ``status`` the HTTP
    status a page or the API answers with."""

    STATUS = {"invalid": 400, "expired": 410, "throttled": 429}

    def __init__(self, code: str, message):
        self.code = code
        self.message = message
        self.status = self.STATUS[code]
        super().__init__(str(message))


def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=SALT)


def selfservice_token(customer) -> str:
    return _signer().sign(str(customer.pk))


def selfservice_link(customer, *, request=None) -> str:
    """The link to hand to ``customer``: absolute when parameter customers.selfservice_base_url is set
    (or a request gives the host staff use), else the site-relative path."""
    path = reverse("customer-selfservice", args=[selfservice_token(customer)])
    base = str(param("customers.selfservice_base_url") or "").strip().rstrip("/")
    if base:
        return base + path
    return request.build_absolute_uri(path) if request is not None else path


def link_valid_days() -> int:
    return int(param("customers.selfservice_link_days"))


def customer_for_token(token: str):
    """The customer a link is for; LinkError if it was altered, has expired or the customer is gone."""
    from .models import Customer, CustomerStatus

    try:
        pk = _signer().unsign(token or "", max_age=timedelta(days=link_valid_days()))
    except signing.SignatureExpired as exc:
        raise LinkError(
            "expired", _("This link has expired. Ask our staff or the service hotline for a new one.")
        ) from exc
    except signing.BadSignature as exc:
        raise LinkError(
            "invalid", _("This link is not valid. Check that you copied all of it, or ask for a new one.")
        ) from exc
    customer = None
    if pk.isdigit():
        # A customer-facing page acts for no staff user: the signed id is the authority.
        customer = (
            Customer.objects.dangerously_unscoped()
            .exclude(status__in=[CustomerStatus.CLOSED, CustomerStatus.MERGED])
            .filter(pk=int(pk))
            .first()
        )
    if customer is None:
        raise LinkError("invalid", _("This link is no longer valid. Ask our staff for a new one."))
    return customer


def _rate_key(customer) -> str:
    return f"telcrm:selfservice:requests:{customer.pk}"


def check_rate(customer) -> None:
    if int(cache.get(_rate_key(customer), 0)) >= int(param("customers.selfservice_max_requests")):
        raise LinkError(
            "throttled", _("You have sent several requests in the last hour. Please try again later.")
        )


def _count(customer) -> None:
    key = _rate_key(customer)
    cache.add(key, 0, RATE_WINDOW)
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, RATE_WINDOW)


def clean_changes(changes: dict) -> dict:
    """Only the fields a customer may ask to change, without empty values."""
    out = {}
    for key in FIELDS:
        if key not in changes:
            continue
        value = changes[key]
        if key == "address":
            address = {k: str(value.get(k) or "").strip() for k in ADDRESS_KEYS} if value else {}
            address = {k: v for k, v in address.items() if v}
            if address:
                out[key] = address
        elif isinstance(value, bool):
            out[key] = value
        elif value is not None and str(value).strip():
            out[key] = str(value).strip()
    return out


def selfservice_submit(*, token: str, changes: dict, source: str = "web"):
    """Check the link and the rate, then file the request through the domain action (pending)."""
    from .actions import update_request_submit

    customer = customer_for_token(token)
    check_rate(customer)
    changes = clean_changes(changes)
    if not changes:
        raise field_error("__all__", _("Tell us at least one thing to change."), "empty")
    request = update_request_submit(customer=customer, changes=changes, source=source)
    _count(customer)
    return request


def link_issue(*, actor, customer, request=None) -> str:
    """A link for ``customer`` (already fetched within the actor's scope), audited."""
    link = selfservice_link(customer, request=request)
    audit_event(
        kind=AuditKind.AUTH,
        action=LINK_ISSUED,
        actor=actor,
        obj=customer,
        after={"valid_days": link_valid_days()},
    )
    return link
