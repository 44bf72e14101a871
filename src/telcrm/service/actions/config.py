"""What an administrator edits (service.manage_service): the ticket category tree, each category's
routing (default team, queue role, work calendar) and its SLA targets per priority."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from telcrm.customers.actions._common import Errors
from telcrm.platform.actions import require_perm
from telcrm.platform.auditing import audit_write, snapshot
from telcrm.platform.models import OrgUnit, Role, WorkCalendar

from ..models import Priority, SlaTarget, TicketCategory
from ..permissions import MANAGE_SERVICE
from .routing import category_chain

CODE_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789._-")


@transaction.atomic
def ticket_category_save(
    *,
    actor,
    category=None,
    code: str,
    name: str,
    name_en: str = "",
    parent=None,
    default_team=None,
    queue_role=None,
    calendar: str = "",
    is_active: bool = True,
    sort: int = 0,
) -> TicketCategory:
    """Create a category (``category`` None) or change one."""
    require_perm(actor, MANAGE_SERVICE)
    errs = Errors()
    row = TicketCategory.objects.select_for_update().get(pk=category.pk) if category is not None else None
    code = (code or "").strip().lower()
    if not code or len(code) > 32 or not set(code) <= CODE_CHARS:
        errs.add("code", _("Use 1–32 lower-case letters, digits, dots, dashes or underscores."), "invalid")
    elif TicketCategory.objects.filter(code=code).exclude(pk=getattr(row, "pk", None)).exists():
        errs.add("code", _("Another category has this code."), "unique")
    name = (name or "").strip()
    if not name or len(name) > 100:
        errs.add("name", _("Give a name of at most 100 characters."), "required")
    name_en = (name_en or "").strip()[:100]
    if parent is not None and row is not None and any(c.pk == row.pk for c in category_chain(parent)):
        errs.add("parent", _("A category cannot sit under itself or one of its own sub-categories."), "cycle")
    if default_team is not None and not OrgUnit.objects.filter(pk=default_team.pk, is_active=True).exists():
        errs.add("default_team", _("Choose an active organisation unit."), "invalid")
    if queue_role is not None and not Role.objects.filter(pk=queue_role.pk).exists():
        errs.add("queue_role", _("Choose a role."), "invalid")
    calendar = (calendar or "").strip()
    if calendar and not WorkCalendar.objects.filter(code=calendar).exists():
        errs.add("calendar", _("There is no work calendar “%(value)s”."), "invalid", value=calendar)
    errs.raise_if_any()
    before = snapshot(row) if row is not None else None
    row = row or TicketCategory()
    row.code, row.name, row.name_en, row.parent = code, name, name_en, parent
    row.default_team, row.queue_role, row.calendar = default_team, queue_role, calendar
    row.is_active, row.sort = bool(is_active), int(sort or 0)
    row.save()
    audit_write(action="ticket_category.save", actor=actor, obj=row, before=before, after=snapshot(row))
    return row


@transaction.atomic
def sla_targets_set(*, actor, category, targets: dict[int, tuple[int | None, int | None]]) -> list[SlaTarget]:
    """Set the category's targets: ``{priority: (first response, resolution)}`` in working minutes;
    ``(None, None)`` removes the priority's row (the parent's or the parameters apply)."""
    require_perm(actor, MANAGE_SERVICE)
    row = TicketCategory.objects.select_for_update().get(pk=category.pk)
    errs = Errors()
    for priority, (response, resolution) in targets.items():
        field = f"p{priority}"
        if priority not in Priority.values:
            errs.add(field, _("Choose a priority from P1 to P4."), "invalid_choice")
        elif (response is None) != (resolution is None):
            errs.add(
                field, _("Give both the first response and the resolution time, or neither."), "incomplete"
            )
        elif response is not None and not (0 < response <= resolution <= 525_600):
            errs.add(
                field,
                _("Times are working minutes above 0; the first response cannot come after the resolution."),
                "invalid",
            )
    errs.raise_if_any()
    before = {t.priority: (t.response_minutes, t.resolution_minutes) for t in row.sla_targets.all()}
    for priority, (response, resolution) in targets.items():
        if response is None:
            SlaTarget.objects.filter(category=row, priority=priority).delete()
        else:
            SlaTarget.objects.update_or_create(
                category=row,
                priority=priority,
                defaults={"response_minutes": response, "resolution_minutes": resolution},
            )
    out = list(row.sla_targets.order_by("priority"))
    audit_write(
        action="ticket_category.sla",
        actor=actor,
        obj=row,
        before={str(k): list(v) for k, v in before.items()},
        after={str(t.priority): [t.response_minutes, t.resolution_minutes] for t in out},
    )
    return out
