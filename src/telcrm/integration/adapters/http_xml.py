"""The HTTP+XML adapters: the interface style of the carrier's BOSS and provisioning gateway.

One operation, one request::

    POST <base URL>/<operation>                    e.g. https://boss.example/crm/open_account
    Content-Type: application/xml; charset=utf-8
    Idempotency-Key: <key>                         the same key is applied once by the other side
    Authorization: Bearer <token>                  when TELCRM_<SYSTEM>_TOKEN is set

    <?xml version="1.0" encoding="UTF-8"?>
    <request system="billing" operation="open_account">
      <key>order:O123:open_account</key>
      <args><account_no>A0001</account_no><name>张三</name>…</args>
    </request>

and the answer::

    <response>
      <code>0</code>                               0 = done; anything else is a refusal
      <message>OK</message>
      <retryable>false</retryable>                 optional: true = busy, try the same key later
      <result><account_no>A0001</account_no><billing_id>…</billing_id></result>
    </response>

Arguments become child elements (a list repeats ``<item>``; a dict nests); the result is read back
the same way, every value as text. How each outcome is taken:

- no connection / no answer within the timeouts / connection broken → retry (same key);
- HTTP 408, 409, 425, 429 and 5xx → retry; any other 4xx → permanent; 3xx → permanent (no redirects);
- 2xx with a body that is not well-formed XML or not a ``<response>`` → retry (the answer was lost
  on the way, the key makes the next try safe); a DTD or entity declaration → permanent (refused);
- ``<code>`` other than 0 → permanent, unless ``<retryable>true</retryable>``.
"""

from __future__ import annotations

import decimal
import uuid
from xml.etree import ElementTree

from telcrm.platform import context

from . import transport
from .base import (
    AdapterError,
    BillingAdapter,
    NetworkAdapter,
    PermanentError,
    RetryableError,
)

RETRY_STATUSES = {408, 409, 425, 429}
SNIPPET = 300


# --- XML ----------------------------------------------------------------------------------------------
def _add(parent: ElementTree.Element, name: str, value) -> None:
    if value is None:
        return
    child = ElementTree.SubElement(parent, name)
    if isinstance(value, dict):
        for k, v in value.items():
            _add(child, str(k), v)
    elif isinstance(value, list | tuple):
        for v in value:
            _add(child, "item", v)
    elif isinstance(value, bool):
        child.text = "true" if value else "false"
    elif isinstance(value, int | float | decimal.Decimal | uuid.UUID | str):
        child.text = str(value)
    else:
        raise TypeError(f"{name}: {type(value).__name__} cannot be sent as XML")


def request_xml(system: str, operation: str, key: str, args: dict) -> bytes:
    root = ElementTree.Element("request", {"system": system, "operation": operation})
    ElementTree.SubElement(root, "key").text = key
    _add(root, "args", args)
    return ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)


def element_value(el: ElementTree.Element):
    """An element as data: text for a leaf, a list for ``<item>`` children, else a dict (a repeated
    tag becomes a list)."""
    children = list(el)
    if not children:
        return (el.text or "").strip()
    if all(c.tag == "item" for c in children):
        return [element_value(c) for c in children]
    out: dict = {}
    for c in children:
        value = element_value(c)
        if c.tag in out:
            out[c.tag] = [*out[c.tag], value] if isinstance(out[c.tag], list) else [out[c.tag], value]
        else:
            out[c.tag] = value
    return out


def parse_response(body: bytes) -> dict:
    """The ``<result>`` of a ``<response>`` whose code is 0; else the AdapterError it stands for."""
    head = body[:4096].upper()
    if b"<!DOCTYPE" in head or b"<!ENTITY" in body.upper():
        raise PermanentError("the answer declares a DTD or entities, which are refused", code="dtd_refused")
    try:
        root = ElementTree.fromstring(body)  # noqa: S314 - no DTDs (checked above), expat resolves no entities
    except ElementTree.ParseError as exc:
        raise RetryableError(f"unreadable XML answer ({exc}): {_snippet(body)}", code="bad_xml") from exc
    if root.tag != "response" or root.find("code") is None:
        raise RetryableError(
            f"the answer is not a <response> with a <code>: {_snippet(body)}", code="bad_xml"
        )
    code = (root.findtext("code") or "").strip()
    message = (root.findtext("message") or "").strip()
    if code != "0":
        retry = (root.findtext("retryable") or "").strip().lower() == "true"
        cls = RetryableError if retry else PermanentError
        raise cls(f"refused with code {code}: {message}"[:SNIPPET], code=f"code_{code}"[:40])
    result = root.find("result")
    value = element_value(result) if result is not None else {}
    return value if isinstance(value, dict) else {"value": value}


def _snippet(body: bytes) -> str:
    return body[:SNIPPET].decode("utf-8", "replace")


# --- the adapters -------------------------------------------------------------------------------------
class HttpXmlClient:
    def __init__(
        self,
        system: str,
        base_url: str,
        *,
        token: str = "",
        connect_timeout: float = 5.0,
        read_timeout: float = 30.0,
    ):
        transport.split_url(base_url)  # refuses anything but http(s)
        self.system = system
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout

    def post(self, operation: str, args: dict, *, key: str) -> dict:
        headers = {
            "Content-Type": "application/xml; charset=utf-8",
            "Accept": "application/xml",
            "Idempotency-Key": key,
            "User-Agent": "telcrm",
        }
        request_id = context.current().request_id
        if request_id:
            headers["X-Request-Id"] = request_id
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        reply = transport.post(
            f"{self.base_url}/{operation}",
            request_xml(self.system, operation, key, args),
            headers,
            connect_timeout=self.connect_timeout,
            read_timeout=self.read_timeout,
        )
        status = reply.status
        if 200 <= status < 300:
            return parse_response(reply.body)
        detail = self._refusal(reply.body)
        if status in RETRY_STATUSES or status >= 500:
            raise RetryableError(f"HTTP {status} from {self.system}{detail}", code=f"http_{status}")
        raise PermanentError(f"HTTP {status} from {self.system}{detail}", code=f"http_{status}")

    @staticmethod
    def _refusal(body: bytes) -> str:
        """What an error answer says: its <code> and <message> when it is a <response>, else its start."""
        if not body:
            return ""
        try:
            parse_response(body)
        except AdapterError as exc:
            if exc.code.startswith("code_"):
                return f": {exc}"
        return f": {_snippet(body)}"


class _HttpAdapter:
    def __init__(self, client: HttpXmlClient):
        self.client = client

    def _post(self, operation: str, key: str, **args) -> dict:
        return self.client.post(operation, args, key=key)


class HttpBilling(_HttpAdapter, BillingAdapter):
    def open_account(self, *, key, account_no, customer_no, name, plan="", org_unit=""):
        return self._post(
            "open_account",
            key,
            account_no=account_no,
            customer_no=customer_no,
            name=name,
            plan=plan,
            org_unit=org_unit,
        )

    def change_plan(self, *, key, account_no, msisdn, plan, effective="now"):
        return self._post(
            "change_plan", key, account_no=account_no, msisdn=msisdn, plan=plan, effective=effective
        )

    def add_addon(self, *, key, account_no, msisdn, addon):
        return self._post("add_addon", key, account_no=account_no, msisdn=msisdn, addon=addon)

    def remove_addon(self, *, key, account_no, msisdn, addon):
        return self._post("remove_addon", key, account_no=account_no, msisdn=msisdn, addon=addon)

    def close_account(self, *, key, account_no, reason=""):
        return self._post("close_account", key, account_no=account_no, reason=reason)

    def query_balance(self, *, key, account_no):
        return self._post("query_balance", key, account_no=account_no)

    def order_entry(
        self,
        *,
        key,
        account_no,
        order_no,
        msisdn="",
        one_off="0.00",
        deposit="0.00",
        monthly="0.00",
        min_spend="0.00",
        paid="0.00",
    ):
        return self._post(
            "order_entry",
            key,
            account_no=account_no,
            order_no=order_no,
            msisdn=msisdn,
            one_off=one_off,
            deposit=deposit,
            monthly=monthly,
            min_spend=min_spend,
            paid=paid,
        )

    def transfer_owner(self, *, key, account_no, msisdn, new_account_no, new_customer_no=""):
        return self._post(
            "transfer_owner",
            key,
            account_no=account_no,
            msisdn=msisdn,
            new_account_no=new_account_no,
            new_customer_no=new_customer_no,
        )

    def suspend_line(self, *, key, account_no, msisdn, reason=""):
        return self._post("suspend_line", key, account_no=account_no, msisdn=msisdn, reason=reason)

    def resume_line(self, *, key, account_no, msisdn):
        return self._post("resume_line", key, account_no=account_no, msisdn=msisdn)


class HttpNetwork(_HttpAdapter, NetworkAdapter):
    def activate_line(self, *, key, msisdn, iccid, plan=""):
        return self._post("activate_line", key, msisdn=msisdn, iccid=iccid, plan=plan)

    def suspend_line(self, *, key, msisdn, reason=""):
        return self._post("suspend_line", key, msisdn=msisdn, reason=reason)

    def resume_line(self, *, key, msisdn):
        return self._post("resume_line", key, msisdn=msisdn)

    def deactivate_line(self, *, key, msisdn):
        return self._post("deactivate_line", key, msisdn=msisdn)

    def swap_sim(self, *, key, msisdn, iccid):
        return self._post("swap_sim", key, msisdn=msisdn, iccid=iccid)

    def activate_port(self, *, key, element, address, bandwidth_mbps, account_no="", port=""):
        return self._post(
            "activate_port",
            key,
            element=element,
            address=address,
            bandwidth_mbps=bandwidth_mbps,
            account_no=account_no,
            port=port or None,  # left out when no port was reserved (the request of before)
        )

    def deactivate_port(self, *, key, port):
        return self._post("deactivate_port", key, port=port)

    def change_plan(self, *, key, msisdn, plan):
        return self._post("change_plan", key, msisdn=msisdn, plan=plan)

    def add_addon(self, *, key, msisdn, addon):
        return self._post("add_addon", key, msisdn=msisdn, addon=addon)

    def reserve_port(self, *, key, element, address, bandwidth_mbps, account_no="", reference=""):
        return self._post(
            "reserve_port",
            key,
            element=element,
            address=address,
            bandwidth_mbps=bandwidth_mbps,
            account_no=account_no,
            reference=reference,
        )
