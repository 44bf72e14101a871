"""Parameters of the stock module (系统参数 → stock): thresholds and limits administrators edit."""

from telcrm.platform.parameters import define

define(
    "stock.low_sim_threshold",
    group="stock",
    type="int",
    default=200,
    min_value=0,
    max_value=1_000_000,
    name="SIM卡库存预警线",
    name_en="Low stock: SIM cards",
    description="营业厅在库（可用）SIM卡少于该数量时，向营业厅经理发出库存预警。",
    description_en="A branch with fewer SIM cards in stock (available) than this alerts its managers.",
)
define(
    "stock.low_terminal_threshold",
    group="stock",
    type="int",
    default=10,
    min_value=0,
    max_value=1_000_000,
    name="终端库存预警线",
    name_en="Low stock: terminals",
    description="营业厅在库（可用）终端少于该数量时，向营业厅经理发出库存预警。",
    description_en="A branch with fewer terminals in stock (available) than this alerts its managers.",
)
define(
    "stock.low_stock_overrides",
    group="stock",
    type="json",
    default={},
    name="各营业厅库存预警线",
    name_en="Low stock: thresholds per unit",
    description='按机构编码覆盖预警线，例如 {"ZJ-HZ-B01": {"sim": 500, "terminal": 20}}。',
    description_en="Thresholds per unit code instead of the defaults, "
    'e.g. {"ZJ-HZ-B01": {"sim": 500, "terminal": 20}}.',
)
define(
    "stock.import_max_mb",
    group="stock",
    type="int",
    default=50,
    min_value=1,
    max_value=1024,
    name="入库文件大小上限（MB）",
    name_en="Delivery import: largest file (MB)",
    description="上传的入库清单（.xlsx 或 .csv）超过该大小即被拒绝。",
    description_en="An uploaded delivery list (.xlsx or .csv) larger than this is refused.",
)
define(
    "stock.transfer_max_items",
    group="stock",
    type="int",
    default=5000,
    min_value=1,
    max_value=1_000_000,
    name="单次调拨最大数量",
    name_en="Most items per transfer",
    description="一张调拨单最多包含的SIM卡和终端数量（号段一次添加也受此限制）。",
    description_en="At most this many SIM cards and terminals in one transfer (a range added at once too).",
)
define(
    "stock.count_max_items",
    group="stock",
    type="int",
    default=50000,
    min_value=1,
    max_value=5_000_000,
    name="单次盘点最大扫描数",
    name_en="Most items scanned in one stock count",
    description="一次盘点最多可扫描录入的卡号/串号数量。",
    description_en="At most this many ICCIDs/IMEIs can be scanned into one stock count.",
)
