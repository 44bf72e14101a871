"""What pending installations plug in at start-up (imported by apps.ready()): their parameters (系统参数 →
orders), the two dictionaries they read (码表 ``install_window``: the appointment windows with their
hours; ``install_failure_reason``: why an installation could not be done), seeded after migrate when
missing, and the audit action names."""

from __future__ import annotations

from django.db.models.signals import post_migrate
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from telcrm.platform.models.audit import ACTION_LABELS
from telcrm.platform.parameters import define

WINDOW_DICT = "install_window"
FAILURE_DICT = "install_failure_reason"

define(
    "orders.install_slot_capacity",
    group="orders",
    type="int",
    default=4,
    min_value=0,
    max_value=500,
    name="装维班组每时段装机能力（单）",
    name_en="Installer team: installations per slot",
    description="每个装维班组在每个预约时段可接的装机单数；可在“装维能力”页按班组、时段或日期另行设置。",
    description_en="How many installations an installer team takes in each appointment slot, unless the "
    "Installation capacity page sets another figure for the team, window or day.",
)
define(
    "orders.install_booking_days",
    group="orders",
    type="int",
    default=14,
    min_value=1,
    max_value=90,
    name="装机可预约天数",
    name_en="Installation: days bookable ahead",
    description="可预约今天起多少天内的上门时段。",
    description_en="Appointment slots can be booked this many days ahead, from today.",
)
define(
    "orders.install_calendar",
    group="orders",
    type="str",
    default="branch",
    name="装维工作日历",
    name_en="Installation: work calendar",
    description="该日历上有工作时间的日子才提供上门预约时段（默认营业厅营业时间，每天）。",
    description_en="Appointment slots are offered on the days this work calendar has working hours "
    "(default: branch opening hours, every day).",
)
define(
    "orders.install_feedback_grace_minutes",
    group="orders",
    type="int",
    default=30,
    min_value=0,
    max_value=1440,
    name="预约超时未反馈判定（分钟）",
    name_en="Installation: feedback due after the window (minutes)",
    description="预约时段结束后超过该时长仍无上门或结果反馈，即向装维人员和调度员告警。",
    description_en="An appointment whose window ended this long ago with neither arrival nor result "
    "alerts the installer and the dispatcher.",
)

ACTION_LABELS.update(
    {
        "installation.book": _("Booked installation appointment"),
        "installation.rebook": _("Rebooked installation appointment"),
        "installation.dispatch": _("Dispatched installation"),
        "installation.assign": _("Assigned installer"),
        "installation.arrive": _("Installer arrived"),
        "installation.finish": _("Reported installation result"),
        "installation.overdue": _("Installation appointment overdue"),
        "install_capacity.set": _("Set installer team capacity"),
        "install_capacity.delete": _("Removed installer team capacity"),
    }
)

# (code, label, English label, extra)
WINDOWS = (
    ("am1", "09:00–11:00", "09:00–11:00", {"start": "09:00", "end": "11:00"}),
    ("am2", "11:00–13:00", "11:00–13:00", {"start": "11:00", "end": "13:00"}),
    ("pm1", "14:00–16:00", "14:00–16:00", {"start": "14:00", "end": "16:00"}),
    ("pm2", "16:00–18:00", "16:00–18:00", {"start": "16:00", "end": "18:00"}),
)
FAILURE_REASONS = (
    ("customer_absent", "客户不在家", "Customer not at home"),
    ("no_coverage", "无网络资源覆盖", "No network coverage"),
    ("no_port", "无空闲端口", "No free port"),
    ("wiring_problem", "入户线路问题", "Wiring problem"),
    ("customer_refused", "客户拒绝安装", "Customer refused"),
    ("equipment_fault", "终端设备故障", "Equipment fault"),
    ("wrong_address", "地址有误", "Wrong address"),
    ("other", "其他", "Other"),
)
DICTIONARIES = {
    WINDOW_DICT: ("上门预约时段", "Installation time window", [(c, z, e, x) for c, z, e, x in WINDOWS]),
    FAILURE_DICT: (
        "装机失败原因",
        "Installation failure reason",
        [(c, z, e, {}) for c, z, e in FAILURE_REASONS],
    ),
}


@receiver(post_migrate)
def seed_installation_dictionaries(sender, app_config=None, **kwargs):
    if app_config is None or app_config.label != "orders":
        return
    from telcrm.platform.models import DictItem, DictType

    for code, (name, name_en, items) in DICTIONARIES.items():
        dt, _created = DictType.objects.get_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "is_system": True}
        )
        have = set(dt.items.values_list("code", flat=True))
        DictItem.objects.bulk_create(
            [
                DictItem(dict_type=dt, code=c, label=z, label_en=e, sort_order=i * 10, extra=x)
                for i, (c, z, e, x) in enumerate(items)
                if c not in have
            ]
        )
