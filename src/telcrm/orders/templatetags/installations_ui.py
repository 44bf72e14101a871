"""Template helpers of the pending-installation pages, and the installation panel the work-order and order
pages include (``{% installation_panel instance_id %}``)."""

from __future__ import annotations

from django import template

from telcrm.platform import crypto
from telcrm.platform.queries.config import dictionary_label

register = template.Library()


@register.filter
def mask_name(value) -> str:
    """A customer's name masked as the customer pages mask it (张*三)."""
    return crypto.mask_name(str(value or "")) if value else ""


@register.filter
def failure_label(code) -> str:
    from ..installation_config import FAILURE_DICT

    return dictionary_label(FAILURE_DICT, code) if code else ""


@register.inclusion_tag("orders/installations/_panel.html", takes_context=True)
def installation_panel(context, instance_id):
    """The installation (待装) of a process instance, for whoever may see it: state, appointment, team,
    installer and its history."""
    from .. import installation_queries as queries
    from ..installation_permissions import BOOK_INSTALLATION, REPORT_INSTALLATION

    request = context.get("request")
    user = getattr(request, "user", None)
    inst = queries.for_instance(user, instance_id)
    if inst is None:
        return {"inst": None}
    wo = inst.work_order
    return {
        "inst": inst,
        "events": list(queries.history(inst)),
        "book": user.has_perm(BOOK_INSTALLATION) and inst.is_active,
        "field": bool(
            inst.in_field
            and wo is not None
            and wo.assignee_id == user.pk
            and user.has_perm(REPORT_INSTALLATION)
        ),
    }
