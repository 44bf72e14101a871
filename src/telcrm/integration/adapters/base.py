"""The interfaces of the other systems telcrm drives (INT-3): billing/BOSS and network provisioning.

Each operation is a method taking keyword arguments only, first the idempotency ``key``: the other
system applies one key once, however often it is sent (the dispatcher sends at least once). Every
implementation answers a dict of strings (nested dicts and lists allowed) — the shape an XML reply
has — so a caller reads the same result from the simulator and from the real system.

Failures are raised as :class:`RetryableError` (down, timeout, unreadable reply: the same key is
sent again later) or :class:`PermanentError` (the other system refused: sending again cannot help;
the command goes to the error queue at once).
"""

from __future__ import annotations

import inspect
from abc import ABC, abstractmethod
from typing import ClassVar


class AdapterError(Exception):
    """A call that did not succeed. ``code`` is short and stable (``timeout``, ``http_503``, a
    BOSS result code…); the message is for the operator reading the error queue."""

    retryable = True

    def __init__(self, message: str, *, code: str = "error"):
        super().__init__(message)
        self.code = code


class RetryableError(AdapterError):
    """Try again later with the same key (the effect may or may not have happened)."""

    retryable = True


class PermanentError(AdapterError):
    """The other system refused the call; it goes to the error queue without further retries."""

    retryable = False


class AdapterInterface:
    """What every adapter has: its ``system`` ("billing" / "network"), the operation names, and
    :meth:`call`, which the dispatcher uses to run a stored command."""

    system: ClassVar[str] = ""
    OPERATIONS: ClassVar[tuple[str, ...]] = ()

    def call(self, operation: str, payload: dict, *, key: str) -> dict:
        if operation not in self.OPERATIONS:
            raise PermanentError(f"{self.system} has no operation {operation!r}", code="unknown_operation")
        result = getattr(self, operation)(key=key, **payload)
        if not isinstance(result, dict):
            raise PermanentError(f"{self.system}.{operation} answered no result", code="bad_result")
        return result

    @classmethod
    def check_arguments(cls, operation: str, payload: dict, *, key: str) -> None:
        """Raise ValueError unless ``operation`` exists and ``payload`` fits its signature: a mistake
        in the calling code shows when the command is requested, not as a dead command later."""
        if operation not in cls.OPERATIONS:
            raise ValueError(
                f"{cls.system} has no operation {operation!r}; known: {', '.join(cls.OPERATIONS)}"
            )
        try:
            inspect.signature(getattr(cls, operation)).bind(None, key=key, **payload)
        except TypeError as exc:
            raise ValueError(f"{cls.system}.{operation}: {exc}") from exc


class BillingAdapter(AdapterInterface, ABC):
    """Billing / BOSS (计费): accounts, plans and add-ons, balances. Money is in yuan as text ("12.30")."""

    system = "billing"
    OPERATIONS = (
        "open_account",
        "change_plan",
        "add_addon",
        "remove_addon",
        "close_account",
        "query_balance",
        "order_entry",
        "transfer_owner",
        "suspend_line",
        "resume_line",
    )

    @abstractmethod
    def open_account(
        self, *, key: str, account_no: str, customer_no: str, name: str, plan: str = "", org_unit: str = ""
    ) -> dict:
        """Open billing account ``account_no`` → ``{"account_no", "billing_id", "status": "open"}``."""

    @abstractmethod
    def change_plan(
        self, *, key: str, account_no: str, msisdn: str, plan: str, effective: str = "now"
    ) -> dict:
        """Put line ``msisdn`` on ``plan`` (``effective``: ``now`` or ``next_cycle``)
        → ``{"account_no", "msisdn", "plan", "effective"}``."""

    @abstractmethod
    def add_addon(self, *, key: str, account_no: str, msisdn: str, addon: str) -> dict:
        """Add an add-on (增值业务) to a line → ``{"account_no", "msisdn", "addons": [...]}``."""

    @abstractmethod
    def remove_addon(self, *, key: str, account_no: str, msisdn: str, addon: str) -> dict:
        """Remove an add-on from a line → ``{"account_no", "msisdn", "addons": [...]}``."""

    @abstractmethod
    def close_account(self, *, key: str, account_no: str, reason: str = "") -> dict:
        """Close the account (销户) → ``{"account_no", "status": "closed", "balance", "arrears"}``."""

    @abstractmethod
    def query_balance(self, *, key: str, account_no: str) -> dict:
        """→ ``{"account_no", "balance", "arrears"}`` (yuan, two decimals, as text)."""

    @abstractmethod
    def order_entry(
        self,
        *,
        key: str,
        account_no: str,
        order_no: str,
        msisdn: str = "",
        one_off: str = "0.00",
        deposit: str = "0.00",
        monthly: str = "0.00",
        min_spend: str = "0.00",
        paid: str = "0.00",
    ) -> dict:
        """计费入帐, the last billing step of an order: its one-off fees (the number's price included),
        the deposit held, the monthly fee and the number's monthly minimum spend go on the account; an
        order is entered once, whatever the key → ``{"account_no", "order_no", "entry_id",
        "status": "entered"}``."""

    @abstractmethod
    def transfer_owner(
        self, *, key: str, account_no: str, msisdn: str, new_account_no: str, new_customer_no: str = ""
    ) -> dict:
        """过户: move line ``msisdn`` (its plan and add-ons) from ``account_no`` to the new owner's
        ``new_account_no`` → ``{"msisdn", "account_no", "previous_account_no", "status": "transferred"}``."""

    @abstractmethod
    def suspend_line(self, *, key: str, account_no: str, msisdn: str, reason: str = "") -> dict:
        """停机 in billing (no monthly fee while suspended) → ``{"account_no", "msisdn",
        "status": "suspended"}``."""

    @abstractmethod
    def resume_line(self, *, key: str, account_no: str, msisdn: str) -> dict:
        """复机 in billing → ``{"account_no", "msisdn", "status": "active"}``."""


class NetworkAdapter(AdapterInterface, ABC):
    """Network provisioning (开通): mobile lines on the HLR/HSS and broadband ports."""

    system = "network"
    OPERATIONS = (
        "activate_line",
        "suspend_line",
        "resume_line",
        "deactivate_line",
        "swap_sim",
        "activate_port",
        "deactivate_port",
        "change_plan",
        "add_addon",
        "reserve_port",
    )

    @abstractmethod
    def activate_line(self, *, key: str, msisdn: str, iccid: str, plan: str = "") -> dict:
        """Open ``msisdn`` on SIM ``iccid`` → ``{"msisdn", "iccid", "imsi", "status": "active"}``."""

    @abstractmethod
    def suspend_line(self, *, key: str, msisdn: str, reason: str = "") -> dict:
        """Stop service (停机) → ``{"msisdn", "status": "suspended"}``."""

    @abstractmethod
    def resume_line(self, *, key: str, msisdn: str) -> dict:
        """Restore service (复机) → ``{"msisdn", "status": "active"}``."""

    @abstractmethod
    def deactivate_line(self, *, key: str, msisdn: str) -> dict:
        """Remove the line from the network (拆机) → ``{"msisdn", "status": "deactivated"}``."""

    @abstractmethod
    def swap_sim(self, *, key: str, msisdn: str, iccid: str) -> dict:
        """Move the line to SIM ``iccid`` (补换卡) → ``{"msisdn", "iccid", "imsi", "status"}``."""

    @abstractmethod
    def activate_port(
        self,
        *,
        key: str,
        element: str,
        address: str,
        bandwidth_mbps: int,
        account_no: str = "",
        port: str = "",
    ) -> dict:
        """Open a broadband port on network element ``element`` for ``address`` — the ``port``
        reserved for it when given, else the next free one
        → ``{"port", "element", "bandwidth_mbps", "status": "active"}``."""

    @abstractmethod
    def deactivate_port(self, *, key: str, port: str) -> dict:
        """Release broadband port ``port`` → ``{"port", "status": "inactive"}``."""

    @abstractmethod
    def change_plan(self, *, key: str, msisdn: str, plan: str) -> dict:
        """Put the line's network profile (speed, services) on ``plan``
        → ``{"msisdn", "plan", "status"}``."""

    @abstractmethod
    def add_addon(self, *, key: str, msisdn: str, addon: str) -> dict:
        """Open an add-on's service (a data pack 流量包…) on the line → ``{"msisdn", "addons": [...],
        "status"}``."""

    @abstractmethod
    def reserve_port(
        self,
        *,
        key: str,
        element: str,
        address: str,
        bandwidth_mbps: int,
        account_no: str = "",
        reference: str = "",
    ) -> dict:
        """预占: hold a free broadband port on ``element`` for the installation of ``reference`` (an order
        number; reserving again for the same reference answers the same port)
        → ``{"port", "element", "bandwidth_mbps", "status": "reserved"}``."""


INTERFACES: dict[str, type[AdapterInterface]] = {"billing": BillingAdapter, "network": NetworkAdapter}
