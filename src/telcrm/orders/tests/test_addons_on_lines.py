# ruff: noqa: F811  (the shop fixture is imported from acceptance_fixtures)
"""Add-ons on the line (附加包, 流量包): a completed add-on order puts the add-on on the customer's
line (the product inventory, customers.SubscriptionAddOn) and on the 360; the line cannot take it twice;
the catalog's rules see the add-ons a line holds; terminating the line ends them."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from telcrm.catalog.tests._fixtures import line, offering
from telcrm.customers.actions import subscription_addon_start
from telcrm.customers.models import AddOnStatus, SubscriptionAddOn
from telcrm.integration.models import SimulatedCall
from telcrm.orders import actions
from telcrm.orders.models import OrderState

from .acceptance_fixtures import shop  # noqa: F401
from .test_acceptance import _drive, code_of

pytestmark = pytest.mark.django_db

FLOW = "FLOW-20G"


@pytest.fixture
def flow(shop):
    """A 20 yuan data pack that goes with 5G-128, and a line of the shop's customer on that plan."""
    admin = shop.carrier["admin"]
    shop.flow = offering(
        admin, FLOW, kind="add_on", monthly=2000, name="20G流量包", applies_to_codes=["5G-128"]
    )
    shop.line = line(shop.customer, "5G-128")
    return shop


def add_on_order(shop, code=FLOW):
    order = actions.order_create(
        actor=shop.clerk, customer=shop.customer, order_type="add_on", subscription=shop.line
    )
    actions.order_item_add(actor=shop.clerk, order=order, offering=code)
    return order


def completed(shop, run, order):
    order = actions.order_submit(actor=shop.clerk, order=order)
    _drive(shop, run, order.process)
    order.refresh_from_db()
    assert order.state == OrderState.COMPLETED, (order.process.state, order.process.error_message)
    return order


def test_an_add_on_order_puts_the_add_on_on_the_line(flow, run, client_for):
    order = completed(flow, run, add_on_order(flow))
    addon = SubscriptionAddOn.objects.get(subscription=flow.line)
    assert (addon.offer_code, addon.offer_name, addon.status, addon.monthly_fee, addon.order_no) == (
        FLOW,
        "20G流量包",
        AddOnStatus.ACTIVE,
        Decimal("20.00"),
        order.order_no,
    )
    # billing and the network each got the add-on once, under a key derived from the step's
    calls = SimulatedCall.objects.filter(operation="add_addon").order_by("adapter")
    assert [(c.adapter, c.request["addon"], c.applied) for c in calls] == [
        ("billing", FLOW, True),
        ("network", FLOW, True),
    ]
    assert all(c.key.startswith(f"{order.process.uuid}:") and c.key.endswith(f":{FLOW}") for c in calls)

    page = client_for(flow.clerk).get(reverse("customer-detail", args=[flow.customer.pk])).content.decode()
    assert page.count('data-testid="addon-row"') == 1 and "20G流量包" in page

    with pytest.raises(ValidationError) as exc:  # the line has it already
        add_on_order(flow)
    assert code_of(exc, "offering") == "on_line"


def test_completing_again_records_the_add_on_once(flow, run):
    order = completed(flow, run, add_on_order(flow))
    from telcrm.orders.actions.inventory import order_inventory_extras

    order_inventory_extras(order, flow.line)  # the archive step ran again after a crash
    assert SubscriptionAddOn.objects.filter(subscription=flow.line).count() == 1


def test_terminating_the_line_ends_its_add_ons(flow, run, client_for):
    completed(flow, run, add_on_order(flow))
    order = actions.order_create(
        actor=flow.clerk, customer=flow.customer, order_type="termination", subscription=flow.line
    )
    completed(flow, run, order)
    addon = SubscriptionAddOn.objects.get(subscription=flow.line)
    assert addon.status == AddOnStatus.ENDED and addon.ended_at is not None and addon.end_reason
    page = client_for(flow.clerk).get(reverse("customer-detail", args=[flow.customer.pk])).content.decode()
    assert 'data-testid="addon-row"' not in page


def test_an_add_on_bought_with_a_new_line_is_on_the_new_line(flow, run):
    from .test_acceptance import NUMBER, ready_new_line

    order = ready_new_line(flow, pay=False)
    actions.order_item_add(actor=flow.clerk, order=order, offering=FLOW)
    order.refresh_from_db()
    actions.payment_record(actor=flow.clerk, order=order, method="cash", amount_fen=order.one_off_fen)
    order = completed(flow, run, order)
    assert list(order.subscription.addons.values_list("offer_code", flat=True)) == [FLOW]
    assert order.subscription.msisdn == NUMBER


@pytest.fixture
def rules(flow, django_capture_on_commit_callbacks):
    """A compatibility table: the 40G pack excludes the 20G one; the booster requires it."""
    from telcrm.catalog.rules import engine
    from telcrm.catalog.rules.tests._helpers import grid, make_published

    admin = flow.carrier["admin"]
    for code in ("FLOW-40G", "FLOW-BOOST"):
        offering(admin, code, kind="add_on", monthly=1000, applies_to_codes=["5G-128"])
    table = grid(
        ["offering", ("holds 20G", f'"{FLOW}" in held')],
        [
            ("excludes_20g", ['"FLOW-40G"', "true"], "deny"),
            ("needs_20g", ['"FLOW-BOOST"', "-"], "require", [FLOW]),
        ],
        code="ADDON-RULES",
    )
    engine.reset_local()
    with django_capture_on_commit_callbacks(execute=True):
        make_published(admin, "ADDON-RULES", table, kind="compatibility")
    yield flow
    engine.reset_local()


def test_the_catalog_rules_see_the_add_ons_a_line_holds(rules):
    shop = rules
    assert add_on_order(shop, "FLOW-40G")  # the line holds no 20G pack yet
    with pytest.raises(ValidationError) as exc:
        add_on_order(shop, "FLOW-BOOST")
    assert code_of(exc, "offering") == "ineligible"

    subscription_addon_start(subscription=shop.line, offer_code=FLOW, offer_name="20G流量包")
    assert add_on_order(shop, "FLOW-BOOST")  # required add-on held now
    with pytest.raises(ValidationError) as exc:
        add_on_order(shop, "FLOW-40G")
    assert code_of(exc, "offering") == "ineligible"
