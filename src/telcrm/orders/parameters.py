"""Parameters of processes and work orders (系统参数 → orders). Per-category SLAs live in the
work-order category dictionary (码表 ``work_order_category``, extra attribute ``sla_minutes``)."""

from telcrm.platform.parameters import define

define(
    "orders.default_sla_minutes",
    group="orders",
    type="int",
    default=480,
    min_value=1,
    max_value=525_600,
    name="工单默认时限（工作分钟）",
    name_en="Work order: default SLA (working minutes)",
    description="流程环节和工单类别都未规定时限时，工单按该工作时长计算到期时间。",
    description_en="Working minutes allowed for a work order when neither its step nor its category "
    "sets one.",
)
define(
    "orders.sla_warn_percent",
    group="orders",
    type="int",
    default=80,
    min_value=1,
    max_value=99,
    name="工单预警点（时限百分比）",
    name_en="Work order: warn at (% of the SLA)",
    description="工单用去该比例的时限后向处理人发出预警，到期后告警。",
    description_en="A work order that has used this share of its SLA warns its handler; when due it alerts.",
)
define(
    "orders.retry_max_attempts",
    group="orders",
    type="int",
    default=5,
    min_value=1,
    max_value=100,
    name="流程步骤重试次数",
    name_en="Process step: attempts before failing",
    description="外部系统暂时不可用时，流程步骤按退避间隔重试，达到该次数后流程转为失败，等待人工处理。",
    description_en="A step whose external system is temporarily unavailable is retried with backoff; after "
    "this many attempts the process fails and waits for an operator.",
)
define(
    "orders.retry_backoff_seconds",
    group="orders",
    type="int",
    default=30,
    min_value=1,
    max_value=86_400,
    name="流程步骤重试间隔（秒）",
    name_en="Process step: first retry after (seconds)",
    description="每次重试的间隔翻倍。",
    description_en="Each further retry waits twice as long.",
)
define(
    "orders.stuck_minutes",
    group="orders",
    type="int",
    default=5,
    min_value=1,
    max_value=1440,
    name="流程停滞判定（分钟）",
    name_en="Process: restart a running process idle for (minutes)",
    description="运行中的流程超过该时长没有进展（例如处理它的进程被终止），定时任务会让它从最后提交的步骤继续。",
    description_en="A running process without progress for this long (its worker was killed, say) is resumed "
    "from its last committed step by the scheduled sweep.",
)
