"""The facts a rule may read: what the catalog knows about the customer and the offering being checked.

The catalog builds one dict with exactly these keys for every offering it checks (see
``telcrm.catalog`` eligibility) and hands it to :func:`telcrm.catalog.rules.engine.evaluate`. An input
column of a decision table is a fact name (``credit_level``) or a small expression over the facts
(``"5G-CX-128" in held``); nothing else is visible to a rule.

Facts with a fixed set of values take them from the models that own them, so a table tests the codes
the rest of the system uses: ``channel`` holds the catalog's sales channels (``SalesChannel``, what an
offering's ``channels`` lists), ``access_technology`` the coverage technologies (``Technology``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from telcrm.catalog.models.common import SalesChannel
from telcrm.resources.coverage.models import Technology


@dataclass(frozen=True)
class Fact:
    name: str
    type: str  # "str", "int", "int?" (may be None), "list" (of offering codes)
    label: object
    values: object  # what the fact holds, for the help panel
    example: str  # a cell (or, for lists, an input expression) using it
    type_ref: str = ""  # the DMN typeRef of an input column that is just this fact
    choices: tuple[str, ...] = ()  # the only values a string fact takes (cells testing others never match)


FACTS: tuple[Fact, ...] = (
    Fact(
        "customer_type",
        "str",
        _("Customer type"),
        _("individual, enterprise or group"),
        '"individual"',
        "string",
        ("individual", "enterprise", "group"),
    ),
    Fact(
        "value_tier",
        "str",
        _("Value tier"),
        _("vip, important, ordinary or empty"),
        '"vip","important"',
        "string",
        ("vip", "important", "ordinary", ""),
    ),
    Fact("credit_level", "int", _("Credit level"), _("1 (lowest) to 5 (highest)"), "< 2", "number"),
    Fact(
        "age",
        "int?",
        _("Age"),
        _("whole years; null for enterprises and when unknown"),
        "[18..25]",
        "number",
    ),
    Fact(
        "region",
        "str",
        _("Region"),
        _("org unit code of the customer's city, e.g. ZJ-HZ"),
        '"ZJ-HZ"',
        "string",
    ),
    Fact("live_lines", "int", _("Live lines"), _("lines in use under the customer's ID"), ">= 5", "number"),
    Fact(
        "tenure_months", "int", _("Tenure (months)"), _("months since the customer joined"), "< 6", "number"
    ),
    Fact("offering", "str", _("Offering"), _("code of the offering being checked"), '"5G-CX-128"', "string"),
    Fact(
        "offering_kind",
        "str",
        _("Offering kind"),
        _("plan, add_on, broadband, device or bundle"),
        '"plan"',
        "string",
        ("plan", "add_on", "broadband", "device", "bundle"),
    ),
    Fact("held", "list", _("Held offerings"), _("codes the customer already holds"), '"5G-CX-128" in held'),
    Fact("cart", "list", _("Cart"), _("other codes in the same order"), "len(cart) > 0"),
    Fact(
        "channel",
        "str",
        _("Channel"),
        _("sales channel of the order: counter, self_service, agent or telesales"),
        'not("self_service")',
        "string",
        tuple(SalesChannel.values),
    ),
    Fact(
        "access_technology",
        "str",
        _("Access technology"),
        _(
            "best way to install broadband at the installation address: fibre, fwa_5g or copper; "
            "empty when no address is given or it is not covered"
        ),
        '"copper"',
        "string",
        (*Technology.values, ""),
    ),
)

FACT_NAMES: frozenset[str] = frozenset(f.name for f in FACTS)
BY_NAME: dict[str, Fact] = {f.name: f for f in FACTS}

DEFAULTS: dict[str, object] = {
    "customer_type": "individual",
    "value_tier": "",
    "credit_level": 3,
    "age": None,
    "region": "",
    "live_lines": 0,
    "tenure_months": 0,
    "offering": "",
    "offering_kind": "plan",
    "held": [],
    "cart": [],
    "channel": "counter",
    "access_technology": "",
}

CUSTOMER_TYPES = ("individual", "enterprise", "group")
VALUE_TIERS = ("vip", "important", "ordinary", "")
OFFERING_KINDS = ("plan", "add_on", "broadband", "device", "bundle")
CHANNELS = tuple(SalesChannel.values)  # counter, self_service, agent, telesales
TECHNOLOGIES = tuple(Technology.values)  # fibre, copper, fwa_5g

# Fact sets every table is evaluated against before it is saved or published: each type a fact can
# take (an age of None, empty lists, every customer type …), so a cell that would fail on real
# orders — a comparison of text with a number, a test on a missing age — fails here first.
SAMPLES: tuple[dict, ...] = (
    {
        "customer_type": "individual",
        "value_tier": "ordinary",
        "credit_level": 3,
        "age": 35,
        "region": "ZJ-HZ",
        "live_lines": 1,
        "tenure_months": 40,
        "offering": "5G-CX-128",
        "offering_kind": "plan",
        "held": ["4G-FX-58"],
        "cart": [],
        "channel": "counter",
        "access_technology": "fibre",
    },
    {
        "customer_type": "enterprise",
        "value_tier": "",
        "credit_level": 5,
        "age": None,
        "region": "ZJ-NB",
        "live_lines": 30,
        "tenure_months": 0,
        "offering": "ENT-5G-158",
        "offering_kind": "bundle",
        "held": [],
        "cart": ["ENT-VNET-10", "ENT-IOT-5"],
        "channel": "agent",
        "access_technology": "",
    },
    {
        "customer_type": "individual",
        "value_tier": "vip",
        "credit_level": 1,
        "age": 16,
        "region": "",
        "live_lines": 5,
        "tenure_months": 2,
        "offering": "ADD-5G-FLOW-20G",
        "offering_kind": "add_on",
        "held": ["5G-CX-198", "QQH-18"],
        "cart": ["DEV-CONTRACT-5G"],
        "channel": "self_service",
        "access_technology": "copper",
    },
    {
        "customer_type": "group",
        "value_tier": "important",
        "credit_level": 2,
        "age": None,
        "region": "ZJ-HZ",
        "live_lines": 0,
        "tenure_months": 120,
        "offering": "BB-1000M",
        "offering_kind": "broadband",
        "held": [],
        "cart": [],
        "channel": "counter",
        "access_technology": "fwa_5g",
    },
    {
        "customer_type": "individual",
        "value_tier": "important",
        "credit_level": 4,
        "age": 17,
        "region": "ZJ-WZ",
        "live_lines": 2,
        "tenure_months": 12,
        "offering": "DEV-CONTRACT-5G",
        "offering_kind": "device",
        "held": ["HOME-169"],
        "cart": ["5G-ZX-88"],
        "channel": "telesales",
        "access_technology": "",
    },
)


def normalize(facts: dict) -> dict:
    """The facts with every key present (defaults for missing ones) and the code lists as lists."""
    out = dict(DEFAULTS)
    for key, value in facts.items():
        if key in out:
            out[key] = value
    for key in ("held", "cart"):
        value = out[key]
        out[key] = [] if value is None else [str(v) for v in value] if not isinstance(value, list) else value
    return out
