"""Parameters (系统参数) of the customers module: order eligibility limits (CUS-6, ORD-1).

Imported from ``CustomersConfig.ready()`` so they are registered before ``sync_parameters`` runs
after migrate; read them with ``telcrm.platform.parameters.param(key)``.
"""

from __future__ import annotations

from telcrm.platform.parameters import define

GROUP = "customers"

MIN_CREDIT_FOR_NEW_LINE = "customers.min_credit_for_new_line"
MAX_ARREARS_FOR_ORDER = "customers.max_arrears_for_order"
MAX_LINES_PER_ID = "customers.max_lines_per_id"
BLOCK_NEW_ORDER_TYPES = "customers.blacklist_block_new_order_types"
REAL_NAME_ORDER_TYPES = "customers.real_name_order_types"
LINE_LIMIT_ORDER_TYPES = "customers.line_limit_order_types"

define(
    MIN_CREDIT_FOR_NEW_LINE,
    group=GROUP,
    type="int",
    default=2,
    min_value=1,
    max_value=5,
    name="开新户最低信誉度",
    name_en="Lowest credit level for a new line",
    description="信誉度（1–5）低于该值的客户不能办理新装号码。",
    description_en="Customers whose credit level (1–5) is below this value cannot open a new line.",
)
define(
    MAX_ARREARS_FOR_ORDER,
    group=GROUP,
    type="decimal",
    default="0",
    min_value=0,
    max_value=1_000_000,
    name="受理业务允许的最高欠费（元）",
    name_en="Highest arrears that still allow an order (CNY)",
    description="客户全部账户欠费合计超过该金额时，不能受理任何业务，须先缴清欠费。",
    description_en="When the arrears of all the customer's accounts together exceed this amount, "
    "no order is accepted until they are paid.",
)
define(
    MAX_LINES_PER_ID,
    group=GROUP,
    type="int",
    default=5,
    min_value=1,
    max_value=100,
    name="每个证件号码最多号码数",
    name_en="Most lines per ID number",
    description="同一证件号码名下（所有客户合计）在用、停机和待开通的号码数上限（实名制规定为 5 个）。",
    description_en="Highest number of active, suspended and pending lines held under one ID number across "
    "all its customers (the real-name regulation allows 5).",
)
define(
    BLOCK_NEW_ORDER_TYPES,
    group=GROUP,
    type="json",
    default=["new_line", "add_on", "number_port", "broadband"],
    name="“拒绝新业务”黑名单拒绝的业务类型",
    name_en="Order types refused by a “refuse new services” blacklist entry",
    description="黑名单影响为“拒绝新装和新业务”时被拒绝的业务类型代码（JSON 列表）；其他业务仅提示。",
    description_en="Codes of the order types (a JSON list) refused while a blacklist entry with the effect "
    "“refuse new lines and services” is active; other orders only warn.",
)
define(
    REAL_NAME_ORDER_TYPES,
    group=GROUP,
    type="json",
    default=["new_line"],
    name="须实名认证的业务类型",
    name_en="Order types that require a verified real name",
    description="客户未完成实名认证时不能办理的业务类型代码（JSON 列表）。",
    description_en="Codes of the order types (a JSON list) refused until the customer's real name "
    "is verified.",
)
define(
    LINE_LIMIT_ORDER_TYPES,
    group=GROUP,
    type="json",
    default=["new_line", "number_port"],
    name="受证件号码数上限约束的业务类型",
    name_en="Order types limited by the lines per ID number",
    description="会给证件名下增加号码、因此受“每个证件号码最多号码数”约束的业务类型代码（JSON 列表）。",
    description_en="Codes of the order types (a JSON list) that add a line under the ID number and are "
    "therefore limited by “most lines per ID number”.",
)
