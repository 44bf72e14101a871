"""Parameters (系统参数) of network coverage, read with ``telcrm.platform.parameters.param(key)``."""

from __future__ import annotations

from telcrm.platform.parameters import define

GROUP = "resources"

CAPACITY_WARN_PERCENT = "coverage.capacity_warn_percent"
IMPORT_MAX_MB = "coverage.import_max_mb"

define(
    CAPACITY_WARN_PERCENT,
    group=GROUP,
    type="int",
    default=85,
    min_value=1,
    max_value=100,
    name="网元端口占用预警比例（%）",
    name_en="Network element: port use that counts as nearly full (%)",
    description="端口占用达到该比例的网元在列表中标为“即将满载”，供扩容规划参考。",
    description_en="Elements with at least this share of their ports in use are flagged “nearly full” "
    "in the lists, for capacity planning.",
)
define(
    IMPORT_MAX_MB,
    group=GROUP,
    type="int",
    default=50,
    min_value=1,
    max_value=2048,
    name="覆盖地址导入文件大小上限（MB）",
    name_en="Coverage import: largest file (MB)",
    description="上传的覆盖地址导入文件（.xlsx 或 .csv）超过该大小即被拒绝。",
    description_en="An uploaded coverage import file (.xlsx or .csv) larger than this is refused.",
)
