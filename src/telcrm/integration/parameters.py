"""Parameters of the integration module (系统参数 → integration): the retry schedule of the outbox,
how long a claimed row is held, how long finished rows are kept, and the simulator's fault injection."""

from telcrm.platform.parameters import define

MAX_ATTEMPTS = "integration.max_attempts"
RETRY_BASE = "integration.retry_base_seconds"
RETRY_MAX = "integration.retry_max_seconds"
LEASE = "integration.lease_seconds"
RUN_MAX_ROWS = "integration.dispatch_max_rows"
RETENTION_DAYS = "integration.retention_days"
SIMULATOR_FAULTS = "integration.simulator_faults"

define(
    MAX_ATTEMPTS,
    group="integration",
    type="int",
    default=8,
    min_value=1,
    max_value=100,
    name="接口调用最大尝试次数",
    name_en="Attempts before a call goes to the error queue",
    description="事件推送或计费/网络指令失败后按退避间隔重试，达到该次数仍失败即进入异常队列（死信），等待人工重发。",
    description_en="A failed event delivery or billing/network command is retried with back-off; after "
    "this many attempts it lands in the error queue (dead) until an operator replays it.",
)
define(
    RETRY_BASE,
    group="integration",
    type="int",
    default=30,
    min_value=1,
    max_value=3600,
    name="首次重试间隔（秒）",
    name_en="First retry after (seconds)",
    description="第一次失败后等待该秒数重试，之后每次加倍，直到重试间隔上限。",
    description_en="Wait this long after the first failure; each further failure doubles the wait, "
    "up to the longest wait.",
)
define(
    RETRY_MAX,
    group="integration",
    type="int",
    default=3600,
    min_value=1,
    max_value=86400,
    name="重试间隔上限（秒）",
    name_en="Longest wait between retries (seconds)",
)
define(
    LEASE,
    group="integration",
    type="int",
    default=120,
    min_value=5,
    max_value=3600,
    name="发送占用时长（秒）",
    name_en="Hold a claimed row for (seconds)",
    description="分发进程取走一条待发送记录后占用该时长；进程中途退出时，到期后由其他进程重新发送（须大于对端超时时间）。",
    description_en="A dispatcher holds a row it took for this long; if it dies mid-call another one "
    "sends the row again afterwards (keep it above the adapters' timeouts).",
)
define(
    RUN_MAX_ROWS,
    group="integration",
    type="int",
    default=500,
    min_value=1,
    max_value=100_000,
    name="每次分发最多处理条数",
    name_en="Most rows per dispatcher run",
    description="后台分发任务每次运行最多发送的事件推送和指令数，剩余的由下一次运行处理。",
    description_en="At most this many deliveries and commands per run of the dispatcher task; the "
    "next run takes the rest.",
)
define(
    RETENTION_DAYS,
    group="integration",
    type="int",
    default=30,
    min_value=1,
    max_value=3650,
    name="已完成记录保留天数",
    name_en="Keep finished events and commands for (days)",
    description="超过该天数且已全部送达（或已丢弃）的事件和指令由后台任务清理；异常队列中的记录不清理。",
    description_en="Events whose deliveries all finished, and finished commands, older than this are "
    "purged by a background task; nothing in the error queue is purged.",
)
define(
    SIMULATOR_FAULTS,
    group="integration",
    type="json",
    default={},
    name="模拟器故障注入",
    name_en="Simulator: injected failures",
    description="演示和测试用：内置模拟器对每个幂等键先失败指定次数再成功，"
    '例如 {"network.activate_line": 2}；-1 表示始终失败，"reject" 表示拒绝。',
    description_en="For demos and tests: the built-in simulators fail each idempotency key this many "
    'times before succeeding, e.g. {"network.activate_line": 2}; -1 fails always, "reject" refuses.',
)
