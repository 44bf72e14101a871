"""System parameters of the number pool (administrators edit them under System → Parameters)."""

from __future__ import annotations

from telcrm.platform.parameters import define

GROUP = "resources"

define(
    "resources.reservation_minutes",
    group=GROUP,
    type="duration",
    default=30,
    min_value=1,
    max_value=7 * 24 * 60,
    name="号码预占时长（分钟）",
    name_en="Number reservation lasts (minutes)",
    description="营业员预占号码后，超过该时长未开户，号码自动释放回号池。",
    description_en="A reserved number that is not assigned within this time goes back to the pool.",
)
define(
    "resources.reservation_max_minutes",
    group=GROUP,
    type="duration",
    default=3 * 24 * 60,
    min_value=1,
    max_value=30 * 24 * 60,
    name="号码预占最长时长（分钟）",
    name_en="Longest reservation that may be asked for (minutes)",
    description="订单等调用方可指定预占时长，但不超过该值。",
    description_en="Callers such as orders may ask for a longer reservation, up to this many minutes.",
)
define(
    "resources.max_reservations_per_user",
    group=GROUP,
    type="int",
    default=10,
    min_value=1,
    max_value=100_000,
    name="每名员工同时预占号码上限",
    name_en="Numbers one member of staff may hold reserved at a time",
)
define(
    "resources.quarantine_days",
    group=GROUP,
    type="int",
    default=90,
    min_value=0,
    max_value=3650,
    name="销户号码冷冻期（天）",
    name_en="Cooling-off period of a released number (days)",
    description="销户后的号码冷冻该天数后才回到号池，避免新用户收到前用户的来电和短信。",
    description_en="A number given up by its customer rests this many days before it can be chosen again.",
)
define(
    "resources.max_range_size",
    group=GROUP,
    type="int",
    default=1_000_000,
    min_value=1,
    max_value=100_000_000,
    name="单个号段最多号码数",
    name_en="Largest number range (numbers)",
)
define(
    "resources.expiry_batch",
    group=GROUP,
    type="int",
    default=500,
    min_value=1,
    max_value=100_000,
    name="每批释放到期号码数",
    name_en="Numbers released per batch by the scheduled expiry",
    description="定时任务每批释放的到期预占号码和冷冻期满号码数。",
    description_en="Expired reservations and finished cooling periods are processed this many at a time.",
)
define(
    "resources.search_page_size",
    group=GROUP,
    type="int",
    default=24,
    min_value=6,
    max_value=200,
    name="选号每页号码数",
    name_en="Numbers per page when choosing a number",
)
