"""What processes and work orders plug into the shared UI at start-up (imported by apps.ready()): audit
action names, the work-order category dictionary (码表 ``work_order_category``, seeded after migrate,
with each category's default SLA in its extra attributes) and the handler's home panel."""

from __future__ import annotations

from django.db.models.signals import post_migrate
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from telcrm.platform.models.audit import ACTION_LABELS
from telcrm.web import home_panels

from .permissions import VIEW_WORKORDER

ACTION_LABELS.update(
    {
        "process_definition.create": _("Created process"),
        "process_definition.update": _("Changed process"),
        "process_version.draft_save": _("Saved process draft"),
        "process_version.draft_discard": _("Discarded process draft"),
        "process_version.publish": _("Published process version"),
        "process_version.retire": _("Retired process version"),
        "process.start": _("Started process"),
        "process.complete": _("Process completed"),
        "process.fail": _("Process failed"),
        "process.retry": _("Retried process"),
        "process.cancel": _("Cancelled process"),
        "work_order.create": _("Created work order"),
        "work_order.claim": _("Claimed work order"),
        "work_order.release": _("Released work order"),
        "work_order.complete": _("Completed work order"),
        "work_order.return": _("Returned work order"),
        "work_order.reassign": _("Reassigned work order"),
        "work_order.escalate": _("Escalated work order"),
        "work_order.cancel": _("Cancelled work order"),
        "work_order.overdue": _("Work order overdue"),
    }
)

# (code, label, English label, default SLA in working minutes)
CATEGORIES = (
    ("verification", "订单核定", "Order verification", 120),
    ("dispatch", "分类派单", "Dispatch", 60),
    ("installation", "装机施工", "Installation", 1350),
    ("provisioning", "人工开通", "Manual provisioning", 240),
    ("porting", "携号转网", "Number porting", 480),
    ("billing", "计费入帐", "Billing entry", 240),
    ("archive", "销单入库", "Closing and archiving", 480),
    ("general", "其他", "Other", 480),
)


@receiver(post_migrate)
def seed_categories(sender, app_config=None, **kwargs):
    if app_config is None or app_config.label != "orders":
        return
    from telcrm.platform.models import DictItem, DictType

    dt, _created = DictType.objects.get_or_create(
        code="work_order_category",
        defaults={"name": "工单类别", "name_en": "Work order category", "is_system": True},
    )
    have = set(dt.items.values_list("code", flat=True))
    DictItem.objects.bulk_create(
        [
            DictItem(
                dict_type=dt,
                code=code,
                label=label,
                label_en=en,
                sort_order=i * 10,
                extra={"sla_minutes": sla},
            )
            for i, (code, label, en, sla) in enumerate(CATEGORIES)
            if code not in have
        ]
    )


# --- home: my work orders ------------------------------------------------------------------------------
def _my_work_orders(user) -> dict | None:
    from . import queries

    return queries.home_summary(user)


home_panels.register(
    home_panels.HomePanel(
        code="orders.my_work_orders",
        template="orders/home/work_orders.html",
        loader=_my_work_orders,
        roles=("backoffice", "installer", "branch_manager"),
        perm=VIEW_WORKORDER,
        order=15,
    )
)
