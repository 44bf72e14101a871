"""Adapters to the other systems (INT-3). ``get_adapter("billing")`` / ``get_adapter("network")``
answers the configured implementation, chosen by environment (settings.INTEGRATION_ADAPTERS):

    TELCRM_BILLING_ADAPTER=simulator|http     default: http when TELCRM_BILLING_URL is set, else simulator
    TELCRM_BILLING_URL=https://boss.example/crm
    TELCRM_BILLING_TOKEN=…                    sent as a bearer token (optional)
    TELCRM_BILLING_CONNECT_TIMEOUT=5          seconds
    TELCRM_BILLING_READ_TIMEOUT=30            seconds (TELCRM_BILLING_TIMEOUT when that is set)

and the same with ``NETWORK`` for network provisioning. Interfaces: base.py; the simulators:
simulator.py; the HTTP+XML adapters: http_xml.py.
"""

from __future__ import annotations

from django.conf import settings

from .base import (
    INTERFACES,
    AdapterError,
    AdapterInterface,
    BillingAdapter,
    NetworkAdapter,
    PermanentError,
    RetryableError,
)

KINDS = ("simulator", "http")

__all__ = [
    "INTERFACES",
    "KINDS",
    "AdapterError",
    "AdapterInterface",
    "BillingAdapter",
    "NetworkAdapter",
    "PermanentError",
    "RetryableError",
    "configured",
    "get_adapter",
]


def configured(system: str) -> dict:
    """The settings of ``system``'s adapter: kind, url, token, connect_timeout, read_timeout."""
    config = getattr(settings, "INTEGRATION_ADAPTERS", {}).get(system) or {}
    return {
        "kind": config.get("kind") or ("http" if config.get("url") else "simulator"),
        "url": config.get("url") or "",
        "token": config.get("token") or "",
        "connect_timeout": float(config.get("connect_timeout") or 5),
        "read_timeout": float(config.get("read_timeout") or 30),
    }


def get_adapter(system: str) -> AdapterInterface:
    """The adapter to ``system`` ("billing" or "network") as configured; ValueError for an unknown
    system or kind, or an http adapter without a URL."""
    if system not in INTERFACES:
        raise ValueError(f"unknown adapter {system!r}; known: {', '.join(INTERFACES)}")
    config = configured(system)
    if config["kind"] == "simulator":
        from .simulator import SimulatedBilling, SimulatedNetwork

        return {"billing": SimulatedBilling, "network": SimulatedNetwork}[system]()
    if config["kind"] == "http":
        from .http_xml import HttpBilling, HttpNetwork, HttpXmlClient

        if not config["url"]:
            raise ValueError(f"TELCRM_{system.upper()}_URL is required for the http adapter")
        client = HttpXmlClient(
            system,
            config["url"],
            token=config["token"],
            connect_timeout=config["connect_timeout"],
            read_timeout=config["read_timeout"],
        )
        return {"billing": HttpBilling, "network": HttpNetwork}[system](client)
    raise ValueError(
        f"TELCRM_{system.upper()}_ADAPTER must be one of {', '.join(KINDS)}, not {config['kind']!r}"
    )
