"""SLA control of work orders (工单控制): warnings before the deadline, alerts after it.

The scheduled check (Celery beat → ``orders.check_work_order_sla``, every minute) stamps each open or
claimed work order once when it reaches its warning moment (``warn_at``) and once when it passes its
deadline (``due_at``). Each stamp is a compare-and-set UPDATE (``… WHERE warned_at IS NULL``), so two
overlapping runs never notify twice. A warning goes to the assignee, or to the queue's members while
nobody has claimed it; an overdue alert goes to the assignee (or the queue) and to the supervisors of
the queue's unit.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from telcrm.platform.auditing import audit_write

from ..models import WorkOrder, WorkOrderMove
from ..workorder_states import ACTIVE
from .dispatch import event, queue_members, supervisors, tell

BATCH = 500


def _handlers(wo: WorkOrder) -> list:
    return [wo.assignee] if wo.assignee_id else queue_members(wo)


@transaction.atomic
def work_order_sla_check(*, now=None) -> dict[str, int]:
    """Warn and alert for work orders that reached their moments since the last run."""
    now = now or timezone.now()
    base = WorkOrder.objects.dangerously_unscoped().filter(state__in=ACTIVE)
    warned = overdue = notified = 0
    rows = base.filter(warn_at__lte=now, warned_at__isnull=True, due_at__gt=now).select_related(
        "assignee", "org_unit"
    )
    for wo in rows.order_by("warn_at")[:BATCH]:
        if not WorkOrder.objects.filter(pk=wo.pk, warned_at__isnull=True).update(warned_at=now):
            continue
        warned += 1
        event(wo, WorkOrderMove.WARN, wo.state, at=now)
        notified += tell(
            _handlers(wo),
            _("Work order %(no)s is due soon: %(title)s"),
            _("Order %(key)s."),
            work_order=wo,
            level="warning",
        )
    rows = base.filter(due_at__lte=now, overdue_at__isnull=True).select_related("assignee", "org_unit")
    for wo in rows.order_by("due_at")[:BATCH]:
        if not WorkOrder.objects.filter(pk=wo.pk, overdue_at__isnull=True).update(
            overdue_at=now, warned_at=wo.warned_at or now
        ):
            continue
        overdue += 1
        event(wo, WorkOrderMove.OVERDUE, wo.state, at=now)
        notified += tell(
            [*_handlers(wo), *supervisors(wo.org_unit)],
            _("Work order %(no)s is overdue: %(title)s"),
            _("Order %(key)s."),
            work_order=wo,
            level="danger",
        )
        audit_write(action="work_order.overdue", actor=None, obj=wo, after={"due_at": wo.due_at})
    return {"warned": warned, "overdue": overdue, "notified": notified}
