# ruff: noqa: F811  (the shop fixture is imported from acceptance_fixtures)
"""Acceptance at the counter: each rule of the order actions and a new line run to completion."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from telcrm.catalog.tests._fixtures import offering
from telcrm.customers.models import BlacklistEntry, CustomerStatus, Subscription
from telcrm.orders import actions
from telcrm.orders.models import InstanceState, Order, OrderItem, OrderState, WorkOrder
from telcrm.platform.errors import AccessDenied
from telcrm.platform.models import AuditLog
from telcrm.resources.models import Number, NumberState
from telcrm.resources.stock.models import SimCard

from .acceptance_fixtures import shop, verified_customer  # noqa: F401

pytestmark = pytest.mark.django_db

NUMBER = "13805710001"
OTHER = "13805710002"


def code_of(exc_info, field: str) -> str:
    err = exc_info.value
    assert field in err.error_dict, err
    return err.error_dict[field][0].code


def message_of(exc_info, field: str) -> str:
    e = exc_info.value.error_dict[field][0]
    return str(e.message) % (e.params or {})


def draft(shop, order_type="new_line", **kw):
    return actions.order_create(actor=shop.clerk, customer=shop.customer, order_type=order_type, **kw)


def ready_new_line(shop, *, number=NUMBER, pay=True):
    order = draft(shop)
    actions.order_item_add(actor=shop.clerk, order=order, offering="5G-128")
    actions.order_number_choose(actor=shop.clerk, order=order, number=number)
    actions.order_sim_choose(actor=shop.clerk, order=order, iccid=shop.sims[0])
    order.refresh_from_db()
    if pay and order.one_off_fen:
        actions.payment_record(actor=shop.clerk, order=order, method="cash", amount_fen=order.one_off_fen)
    return order


# --- create -----------------------------------------------------------------------------------------
def test_create_numbers_the_draft_at_the_clerks_branch(shop):
    order = draft(shop)
    assert order.order_no.startswith("OD") and len(order.order_no) == 13
    assert (order.state, order.org_unit, order.created_by) == (
        OrderState.DRAFT,
        shop.carrier.branch,
        shop.clerk,
    )
    assert AuditLog.objects.filter(action="order.create", object_id=str(order.pk)).exists()
    second = draft(shop)
    assert int(second.order_no[2:]) == int(order.order_no[2:]) + 1


def test_create_refuses_a_blacklisted_customer_with_the_reason(shop):
    BlacklistEntry.objects.create(
        customer=shop.customer,
        reason_code="fraud",
        effect="block_all",
        valid_from=timezone.localdate(),
        org_unit=shop.carrier.branch,
    )
    with pytest.raises(ValidationError) as exc:
        draft(shop)
    assert code_of(exc, "customer") == "blacklisted"
    assert not Order.objects.exists()


def test_create_refuses_a_closed_customer(shop):
    shop.customer.status = CustomerStatus.CLOSED
    shop.customer.save()
    with pytest.raises(ValidationError) as exc:
        draft(shop)
    assert code_of(exc, "customer") == "closed"


def test_create_needs_the_permission_and_a_line_for_line_orders(shop):
    with pytest.raises(AccessDenied):
        actions.order_create(actor=shop.carrier["installer"], customer=shop.customer, order_type="new_line")
    with pytest.raises(ValidationError) as exc:
        draft(shop, "plan_change")
    assert code_of(exc, "subscription") == "required"


# --- items --------------------------------------------------------------------------------------------
def test_item_priced_from_the_quote(shop):
    order = draft(shop)
    item = actions.order_item_add(actor=shop.clerk, order=order, offering="5G-128")
    order.refresh_from_db()
    assert (item.offering, item.one_off_fen, item.recurring_fen) == (shop.plan, 5000, 12800)
    assert (order.one_off_fen, order.recurring_fen) == (5000, 12800)
    actions.order_item_remove(actor=shop.clerk, order=order, item=item)
    order.refresh_from_db()
    assert (order.one_off_fen, order.recurring_fen) == (0, 0)


def test_item_refused_by_eligibility_lists_the_reasons(shop):
    offering(shop.carrier["admin"], "OLD-PLAN", activate=False)
    order = draft(shop)
    with pytest.raises(ValidationError) as exc:
        actions.order_item_add(actor=shop.clerk, order=order, offering="OLD-PLAN")
    assert code_of(exc, "offering") == "ineligible"
    assert "OLD-PLAN" in message_of(exc, "offering")
    assert not order.items.exists()


# --- numbers --------------------------------------------------------------------------------------------
def test_choosing_reserves_and_changing_releases_the_old_number(shop):
    order = draft(shop)
    actions.order_number_choose(actor=shop.clerk, order=order, number=NUMBER)
    first = Number.objects.get(msisdn=NUMBER)
    assert (first.state, first.reservation_ref) == (NumberState.RESERVED, order.order_no)
    actions.order_number_choose(actor=shop.clerk, order=order, number=OTHER)
    assert Number.objects.get(msisdn=NUMBER).state == NumberState.FREE
    assert Number.objects.get(msisdn=OTHER).state == NumberState.RESERVED
    assert list(order.items.values_list("msisdn", flat=True)) == [OTHER]


def test_abandon_releases_the_reserved_number(shop):
    order = draft(shop)
    actions.order_number_choose(actor=shop.clerk, order=order, number=NUMBER)
    actions.order_abandon(actor=shop.clerk, order=order, reason="客户改主意")
    order.refresh_from_db()
    assert order.state == OrderState.CANCELLED and order.cancelled_at
    assert Number.objects.get(msisdn=NUMBER).state == NumberState.FREE
    assert not order.items.filter(holds_number=True).exists()
    with pytest.raises(ValidationError) as exc:
        actions.order_item_add(actor=shop.clerk, order=order, offering="5G-128")
    assert code_of(exc, "order") == "not_draft"


def test_two_drafts_cannot_hold_the_same_number(shop):
    first, second = draft(shop), draft(shop)
    actions.order_number_choose(actor=shop.clerk, order=first, number=NUMBER)
    with pytest.raises(ValidationError) as exc:
        actions.order_number_choose(actor=shop.clerk, order=second, number=NUMBER)
    assert (
        code_of(exc, "number") in ("taken", "not_free", "invalid_state") or "number" in exc.value.error_dict
    )
    assert message_of(exc, "number")
    assert not second.items.exists()


def test_the_database_refuses_a_second_live_holder(shop):
    first, second = draft(shop), draft(shop)
    item = actions.order_number_choose(actor=shop.clerk, order=first, number=NUMBER)
    with pytest.raises(IntegrityError), transaction.atomic():
        OrderItem.objects.create(order=second, number=item.number, holds_number=True, msisdn=NUMBER)


# --- payment and submit ----------------------------------------------------------------------------------
def test_payment_short_is_refused(shop):
    order = ready_new_line(shop, pay=False)
    actions.payment_record(actor=shop.clerk, order=order, method="cash", amount_fen=100)
    with pytest.raises(ValidationError) as exc:
        actions.order_submit(actor=shop.clerk, order=order)
    assert code_of(exc, "payment") == "short"
    order.refresh_from_db()
    assert order.state == OrderState.DRAFT
    assert Number.objects.get(msisdn=NUMBER).state == NumberState.RESERVED  # nothing half-written


def test_payment_must_be_positive_and_card_needs_a_reference(shop):
    order = draft(shop)
    with pytest.raises(ValidationError) as exc:
        actions.payment_record(actor=shop.clerk, order=order, method="cash", amount_fen=0)
    assert code_of(exc, "amount") == "invalid"
    with pytest.raises(ValidationError) as exc:
        actions.payment_record(actor=shop.clerk, order=order, method="card", amount_fen=100)
    assert code_of(exc, "reference") == "required"


def test_charging_the_account_lets_an_unpaid_order_through(shop):
    order = ready_new_line(shop, pay=False)
    actions.payment_record(actor=shop.clerk, order=order, method="account", amount_fen=1)
    assert actions.order_submit(actor=shop.clerk, order=order).state == OrderState.SUBMITTED


def test_submit_needs_a_number_and_a_sim(shop):
    order = draft(shop)
    actions.order_item_add(actor=shop.clerk, order=order, offering="5G-198")
    with pytest.raises(ValidationError) as exc:
        actions.order_submit(actor=shop.clerk, order=order)
    assert code_of(exc, "number") == "required"


def test_submit_rechecks_eligibility(shop):
    order = ready_new_line(shop)
    from telcrm.catalog import actions as catalog_actions

    catalog_actions.offering_retire(actor=shop.carrier["admin"], offering=shop.plan)
    with pytest.raises(ValidationError) as exc:
        actions.order_submit(actor=shop.clerk, order=order)
    assert code_of(exc, "offering") == "ineligible"


def test_new_line_runs_to_completion_and_the_line_appears(shop, run):
    order = ready_new_line(shop)
    order = actions.order_submit(actor=shop.clerk, order=order)
    assert order.state == OrderState.SUBMITTED and order.process is not None
    number = Number.objects.get(msisdn=NUMBER)
    assert (number.state, number.customer_id) == (NumberState.ASSIGNED, shop.customer.pk)
    assert SimCard.objects.get(iccid=shop.sims[0]).state == "allocated"

    instance = order.process
    run(instance)
    wo = WorkOrder.objects.get(instance=instance)
    handler = shop.carrier["bo_handler"]
    actions.work_order_claim(actor=handler, work_order=wo)
    actions.work_order_complete(actor=handler, work_order=wo)
    run(instance)
    assert instance.state == InstanceState.COMPLETED
    order.refresh_from_db()
    assert order.state == OrderState.COMPLETED and order.completed_at
    sub = Subscription.objects.get(customer=shop.customer, msisdn=NUMBER)
    assert (sub.iccid, sub.offer_code, sub.status) == (shop.sims[0], "5G-128", "active")
    assert order.subscription == sub
    assert SimCard.objects.get(iccid=shop.sims[0]).state == "activated"
    assert not order.items.filter(holds_number=True).exists()


def test_plan_change_updates_the_line(shop, run):
    from telcrm.catalog.tests._fixtures import line

    sub = line(shop.customer, "5G-128")
    order = actions.order_create(
        actor=shop.clerk, customer=shop.customer, order_type="plan_change", subscription=sub
    )
    actions.order_item_add(actor=shop.clerk, order=order, offering="5G-198")
    order = actions.order_submit(actor=shop.clerk, order=order)
    run(order.process)
    for wo in WorkOrder.objects.filter(instance=order.process, state="open"):
        actions.work_order_claim(actor=shop.carrier["bo_handler"], work_order=wo)
        actions.work_order_complete(actor=shop.carrier["bo_handler"], work_order=wo)
        run(order.process)
    order.refresh_from_db()
    sub.refresh_from_db()
    assert order.state == OrderState.COMPLETED, order.process.state
    assert sub.offer_code == "5G-198"


def test_adapter_outage_is_a_transient_error(monkeypatch):
    from telcrm.integration import adapters
    from telcrm.orders import handlers
    from telcrm.orders.processes.registry import TransientError

    class Down:
        def call(self, operation, payload, *, key):
            raise adapters.RetryableError("timeout", code="timeout")

    monkeypatch.setattr(adapters, "get_adapter", lambda system: Down())

    class Step:
        idempotency_key = "k1"

    with pytest.raises(TransientError):
        handlers._call(Step(), "network", "activate_line", {"msisdn": "1", "iccid": "2"})


def _drive(shop, run, instance, rounds: int = 6) -> None:
    """Run the process, answering its work orders as the back office, until it stops waiting."""
    from telcrm.orders.models import WorkOrderState

    handler = shop.carrier["bo_handler"]
    for _ in range(rounds):
        run(instance)
        open_ = WorkOrder.objects.filter(instance=instance, state=WorkOrderState.OPEN)
        if not open_.exists():
            return
        for wo in open_:
            actions.work_order_claim(actor=handler, work_order=wo)
            actions.work_order_complete(actor=handler, work_order=wo)


@pytest.mark.parametrize(
    ("order_type", "status"),
    [("suspend", "suspended"), ("termination", "terminated"), ("sim_swap", "active")],
)
def test_line_orders_update_the_inventory(shop, run, order_type, status):
    from telcrm.catalog.tests._fixtures import line

    sub = line(shop.customer, "5G-128")
    order = actions.order_create(
        actor=shop.clerk, customer=shop.customer, order_type=order_type, subscription=sub
    )
    if order_type == "sim_swap":
        actions.order_sim_choose(actor=shop.clerk, order=order, iccid=shop.sims[1])
    order = actions.order_submit(actor=shop.clerk, order=order)
    _drive(shop, run, order.process)
    order.refresh_from_db()
    sub.refresh_from_db()
    assert order.state == OrderState.COMPLETED, (order.process.state, order.process.error_message)
    assert sub.status == status
    if order_type == "sim_swap":
        assert sub.iccid == shop.sims[1]


def test_archive_running_again_changes_nothing(shop):
    order = actions.order_submit(actor=shop.clerk, order=ready_new_line(shop))
    actions.order_complete(order)
    actions.order_complete(order)  # the step ran again after a crash
    assert Subscription.objects.filter(customer=shop.customer, msisdn=NUMBER).count() == 1


def test_broadband_needs_an_address_and_starts_its_process(shop):
    offering(shop.carrier["admin"], "BB-300", kind="broadband", monthly=9900, one_off=0)
    order = draft(shop, "broadband")
    actions.order_item_add(actor=shop.clerk, order=order, offering="BB-300")
    with pytest.raises(ValidationError) as exc:
        actions.order_submit(actor=shop.clerk, order=order)
    assert code_of(exc, "address") == "required"
    with pytest.raises(ValidationError) as exc:
        actions.order_details_set(actor=shop.clerk, order=order, street="文三路1号")
    assert code_of(exc, "street") == "required"
    actions.order_details_set(
        actor=shop.clerk, order=order, province="浙江省", city="杭州市", district="西湖区", street="文三路1号"
    )
    order.refresh_from_db()
    assert order.data["address"] == "浙江省杭州市西湖区文三路1号"
    order = actions.order_submit(actor=shop.clerk, order=order)
    assert order.state == OrderState.SUBMITTED and order.process.definition.key == "order.broadband"


def test_a_returned_order_fails_and_gives_back_sim_and_number(shop, run):
    order = actions.order_submit(actor=shop.clerk, order=ready_new_line(shop))
    run(order.process)
    wo = WorkOrder.objects.get(instance=order.process)
    handler = shop.carrier["bo_handler"]
    actions.work_order_claim(actor=handler, work_order=wo)
    actions.work_order_return(actor=handler, work_order=wo, reason="证件照片不清晰")
    run(order.process)
    order.refresh_from_db()
    assert order.state == OrderState.FAILED and order.reason == "证件照片不清晰"
    assert SimCard.objects.get(iccid=shop.sims[0]).state == "in_stock"
    assert Number.objects.get(msisdn=NUMBER).state == NumberState.QUARANTINED
    assert not Subscription.objects.filter(msisdn=NUMBER).exists()


def test_transfer_moves_the_line_to_the_new_owner(shop, run):
    from telcrm.catalog.tests._fixtures import line

    sub = line(shop.customer, "5G-128")
    heir = verified_customer(shop.carrier, name="王五", id_number="330106199202021234")
    order = actions.order_create(
        actor=shop.clerk, customer=shop.customer, order_type="transfer", subscription=sub
    )
    with pytest.raises(ValidationError) as exc:
        actions.order_submit(actor=shop.clerk, order=order)
    assert code_of(exc, "new_customer") == "required"
    with pytest.raises(ValidationError) as exc:
        actions.order_details_set(actor=shop.clerk, order=order, new_customer=shop.customer.customer_no)
    assert code_of(exc, "new_customer") == "invalid"  # not to the same customer
    actions.order_details_set(actor=shop.clerk, order=order, new_customer=heir.customer_no)
    order = actions.order_submit(actor=shop.clerk, order=order)
    _drive(shop, run, order.process)
    order.refresh_from_db()
    sub.refresh_from_db()
    assert order.state == OrderState.COMPLETED, (order.process.state, order.process.error_message)
    assert sub.customer == heir


def test_the_real_handlers_replace_the_stand_ins():
    from telcrm.orders.processes.registry import handler_for

    for name in ("order.archive", "billing.open_account", "network.activate_line", "order.return_to_counter"):
        assert not handler_for(name).stub, name
