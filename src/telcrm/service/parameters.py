"""Parameters of tickets (系统参数 → service). SLA targets per category × priority are rows an
administrator edits (SlaTarget); these are the fallbacks and the escalation rules."""

from telcrm.platform.parameters import define

DEFAULT_RESPONSE = {1: 30, 2: 60, 3: 240, 4: 480}
DEFAULT_RESOLUTION = {1: 240, 2: 480, 3: 1440, 4: 2880}

for _p in (1, 2, 3, 4):
    define(
        f"service.response_minutes_p{_p}",
        group="service",
        type="int",
        default=DEFAULT_RESPONSE[_p],
        min_value=1,
        max_value=525_600,
        name=f"报事P{_p}首次响应时限（工作分钟）",
        name_en=f"Ticket P{_p}: first response within (working minutes)",
        description="报事分类未设定该优先级的时限时使用。",
        description_en="Used when the ticket's category sets no target for this priority.",
    )
    define(
        f"service.resolution_minutes_p{_p}",
        group="service",
        type="int",
        default=DEFAULT_RESOLUTION[_p],
        min_value=1,
        max_value=525_600,
        name=f"报事P{_p}解决时限（工作分钟）",
        name_en=f"Ticket P{_p}: resolve within (working minutes)",
        description="报事分类未设定该优先级的时限时使用。",
        description_en="Used when the ticket's category sets no target for this priority.",
    )
define(
    "service.sla_warn_percent",
    group="service",
    type="int",
    default=80,
    min_value=1,
    max_value=99,
    name="报事预警点（解决时限百分比）",
    name_en="Ticket: warn at (% of the resolution SLA)",
    description="报事用去该比例的解决时限后提醒处理人。",
    description_en="A ticket that has used this share of its resolution SLA warns its handler.",
)
define(
    "service.vip_priority_raise",
    group="service",
    type="int",
    default=1,
    min_value=0,
    max_value=3,
    name="VIP客户报事优先级提升级数",
    name_en="Ticket: priority levels raised for VIP customers",
    description="VIP客户的报事按该级数提高优先级（最高P1）。",
    description_en="Tickets of VIP customers are raised by this many priority levels (up to P1).",
)
define(
    "service.escalate_next_minutes",
    group="service",
    type="int",
    default=240,
    min_value=1,
    max_value=525_600,
    name="报事再次升级间隔（工作分钟）",
    name_en="Ticket: escalate to the next level after (working minutes)",
    description="超时报事先升级到班组负责人；超过该工作时长仍未解决，再升级到上一级机构。",
    description_en="An overdue ticket goes to its team leader first; still open this much working time "
    "later, it goes to the next level of the organisation.",
)
define(
    "service.max_escalation_level",
    group="service",
    type="int",
    default=2,
    min_value=1,
    max_value=5,
    name="报事最高升级级数",
    name_en="Ticket: highest escalation level",
    description="超时报事逐级升级，到该级数为止。",
    description_en="An overdue ticket is escalated level by level up to this one.",
)
define(
    "service.auto_close_days",
    group="service",
    type="int",
    default=7,
    min_value=1,
    max_value=365,
    name="已解决报事自动关闭（天）",
    name_en="Ticket: close resolved tickets unconfirmed after (days)",
    description="客户在该天数内未确认也未要求重新处理的已解决报事，由定时任务关闭。",
    description_en="A resolved ticket the customer neither confirms nor reopens within this many days is "
    "closed by the scheduled task.",
)
define(
    "service.fault_process",
    group="service",
    type="str",
    default="service.fault_repair",
    name="故障报事维修流程",
    name_en="Ticket: repair process of fault tickets",
    description="故障报事“派维修工单”时启动的流程（流程管理中的流程编码）。",
    description_en="The process (its key under Processes) a fault ticket starts for a repair work order.",
)
