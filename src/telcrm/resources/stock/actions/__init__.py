"""Every write of the stock module (ARCHITECTURE §4). Views, the API, the import job, tasks and the
order module call these; nothing else changes stock rows.

The order module calls, for the counter:
``sim_allocate(actor, iccid, *, reference="")``, ``sim_activate(actor, iccid, *, msisdn, reference="")``,
``sim_release(actor, iccid, *, reference="")``, ``terminal_allocate(actor, imei, *, reference="")``,
``terminal_sell(actor, imei, *, reference="")``, ``terminal_release(actor, imei, *, reference="")``.
"""

from .alerts import low_stock_check
from .batches import batch_finish, batch_receive_rows, stock_batch_start, stock_receive
from .counts import (
    stock_count_cancel,
    stock_count_close,
    stock_count_scan,
    stock_count_start,
    stock_count_unscan,
)
from .items import (
    sim_activate,
    sim_allocate,
    sim_mark_faulty,
    sim_release,
    sim_return,
    terminal_allocate,
    terminal_mark_faulty,
    terminal_release,
    terminal_return,
    terminal_sell,
)
from .transfers import (
    transfer_add_items,
    transfer_cancel,
    transfer_create,
    transfer_receive,
    transfer_remove_items,
    transfer_ship,
)

__all__ = [
    "batch_finish",
    "batch_receive_rows",
    "low_stock_check",
    "sim_activate",
    "sim_allocate",
    "sim_mark_faulty",
    "sim_release",
    "sim_return",
    "stock_batch_start",
    "stock_count_cancel",
    "stock_count_close",
    "stock_count_scan",
    "stock_count_start",
    "stock_count_unscan",
    "stock_receive",
    "terminal_allocate",
    "terminal_mark_faulty",
    "terminal_release",
    "terminal_return",
    "terminal_sell",
    "transfer_add_items",
    "transfer_cancel",
    "transfer_create",
    "transfer_receive",
    "transfer_remove_items",
    "transfer_ship",
]
