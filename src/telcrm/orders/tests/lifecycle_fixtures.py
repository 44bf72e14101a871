"""Helpers of the tests of an order after the counter (failure, retry, cancellation): a new-line order
taken and submitted, and the back office's verification answered."""

from __future__ import annotations

from telcrm.orders import actions
from telcrm.orders.models import Order, WorkOrder, WorkOrderState

NUMBER = "13805710001"


def new_line(shop, *, number: str = NUMBER, sim: int = 0, customer=None, clerk=None) -> Order:
    """A paid new-line draft of 5G-128 with ``number`` and SIM ``shop.sims[sim]``."""
    clerk = clerk or shop.clerk
    order = actions.order_create(actor=clerk, customer=customer or shop.customer, order_type="new_line")
    actions.order_item_add(actor=clerk, order=order, offering="5G-128")
    actions.order_number_choose(actor=clerk, order=order, number=number)
    actions.order_sim_choose(actor=clerk, order=order, iccid=shop.sims[sim])
    order.refresh_from_db()
    actions.payment_record(actor=clerk, order=order, method="cash", amount_fen=order.one_off_fen or 100)
    return order


def submitted(shop, **kw) -> Order:
    return actions.order_submit(actor=kw.get("clerk") or shop.clerk, order=new_line(shop, **kw))


def verify(shop, run, order: Order, rounds: int = 4) -> None:
    """Run the order's process, completing its open work orders as the back office, until it stops
    waiting for them."""
    handler = shop.carrier["bo_handler"]
    for _ in range(rounds):
        run(order.process)
        open_ = list(WorkOrder.objects.filter(instance=order.process, state=WorkOrderState.OPEN))
        if not open_:
            return
        for wo in open_:
            actions.work_order_claim(actor=handler, work_order=wo)
            actions.work_order_complete(actor=handler, work_order=wo)
