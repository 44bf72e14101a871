"""Stock UI views (one operation per view). Routes: urls.py."""

from .batches import batch_detail, batch_list, batch_progress, batch_receive, batch_template
from .counts import (
    count_cancel,
    count_close,
    count_create,
    count_detail,
    count_list,
    count_scan,
    count_unscan,
)
from .items import item_action, item_list, movement_list, sim_detail, terminal_detail
from .levels import stock_list, stock_unit
from .transfers import (
    transfer_add,
    transfer_cancel,
    transfer_create,
    transfer_detail,
    transfer_list,
    transfer_receive,
    transfer_remove,
    transfer_ship,
)

__all__ = [
    "batch_detail",
    "batch_list",
    "batch_progress",
    "batch_receive",
    "batch_template",
    "count_cancel",
    "count_close",
    "count_create",
    "count_detail",
    "count_list",
    "count_scan",
    "count_unscan",
    "item_action",
    "item_list",
    "movement_list",
    "sim_detail",
    "stock_list",
    "stock_unit",
    "terminal_detail",
    "transfer_add",
    "transfer_cancel",
    "transfer_create",
    "transfer_detail",
    "transfer_list",
    "transfer_receive",
    "transfer_remove",
    "transfer_ship",
]
