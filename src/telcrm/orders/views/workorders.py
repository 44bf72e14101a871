"""Work orders in the UI (工单): my team's queue, my work orders, every work order in scope, one work
order with what I may do to it, statistics.

Every page needs orders.view_workorder; each action's own permission is checked by the action (an
AccessDenied becomes a 403, a row outside the scope a 404). One operation per view.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from telcrm.web.decorators import paginate, scoped_view
from telcrm.web.forms import apply_action_errors

from .. import actions, queries
from ..actions.dispatch import is_member
from ..forms import CompleteForm, EscalateForm, NoteForm, ReasonForm, ReassignForm, WorkOrderFilterForm
from ..models import WorkOrderState
from ..permissions import DISPATCH_WORKORDER, HANDLE_WORKORDER, VIEW_PROCESS, VIEW_WORKORDER

DETAIL = "orders/workorder_detail.html"


def view_workorder(fn):
    return scoped_view(fn, perm=VIEW_WORKORDER)


def _list(request, qs, *, mode: str, extra: dict | None = None):
    page = paginate(request, qs)
    ctx = {
        "page": page,
        "mode": mode,
        "now": timezone.now(),
        "categories": queries.category_labels(),
        "can_handle": request.user.has_perm(HANDLE_WORKORDER),
        **(extra or {}),
    }
    template = (
        "orders/workorder_list.html#rows"
        if request.htmx and request.GET.get("page")
        else "orders/workorder_list.html"
    )
    return render(request, template, ctx)


@view_workorder
def queue(request):
    category = request.GET.get("category", "")[:50]
    overdue = request.GET.get("overdue") == "1"
    qs = queries.team_queue(request.user, category=category, overdue=overdue)
    return _list(
        request,
        qs,
        mode="queue",
        extra={"category": category, "overdue": overdue, "category_choices": queries.category_choices()},
    )


@view_workorder
def mine(request):
    finished = request.GET.get("finished") == "1"
    return _list(
        request,
        queries.my_work_orders(request.user, active=not finished),
        mode="mine",
        extra={"finished": finished},
    )


@view_workorder
def work_order_list(request):
    form = WorkOrderFilterForm(request.GET or None, categories=queries.category_choices())
    filters = form.cleaned_data if form.is_valid() else {}
    qs = queries.work_order_list(
        request.user,
        state=filters.get("state") or "",
        category=filters.get("category") or "",
        overdue=bool(filters.get("overdue")),
        q=filters.get("q") or "",
    )
    return _list(
        request, qs, mode="all", extra={"form": form, "filtered": any(filters.values()) if filters else False}
    )


@view_workorder
def stats(request):
    data = queries.statistics(request.user)
    labels = queries.category_labels()
    categories = [
        {
            "code": code,
            "label": labels.get(code, code),
            "states": states,
            "total": sum(states.values()),
            "overdue": data["overdue_by_category"].get(code, 0),
        }
        for code, states in sorted(data["categories"].items())
    ]
    return render(
        request,
        "orders/workorder_stats.html",
        {"stats": data, "categories": categories, "states": WorkOrderState.choices, "mode": "stats"},
    )


# --- one work order -----------------------------------------------------------------------------------------
def _can(user, wo) -> dict:
    handle = user.has_perm(HANDLE_WORKORDER)
    dispatch = user.has_perm(DISPATCH_WORKORDER)
    mine = wo.assignee_id == user.pk
    member = is_member(user, wo)
    open_, claimed = wo.state == WorkOrderState.OPEN, wo.state == WorkOrderState.CLAIMED
    return {
        "claim": handle and open_ and member,
        "release": claimed and ((handle and mine) or dispatch),
        "complete": handle and ((claimed and mine) or (open_ and member)),
        "reassign": dispatch and wo.is_active,
        "escalate": wo.is_active and (dispatch or (handle and (mine or member))),
        "process": user.has_perm(VIEW_PROCESS),
    }


def _detail(request, wo, *, status: int = 200, **forms):
    ctx = {
        "wo": wo,
        "events": list(queries.work_order_events(wo)),
        "can": _can(request.user, wo),
        "now": timezone.now(),
        "category": queries.category_labels().get(wo.category, wo.category),
        "complete_form": forms.get("complete_form") or CompleteForm(work_order=wo),
        "return_form": forms.get("return_form") or ReasonForm(),
        "release_form": NoteForm(),
        "reassign_form": forms.get("reassign_form") or ReassignForm(work_order=wo, actor=request.user),
        "escalate_form": forms.get("escalate_form") or EscalateForm(work_order=wo, actor=request.user),
        "open_panel": forms.get("open_panel", ""),
    }
    return render(request, DETAIL, ctx, status=status)


@view_workorder
def detail(request, pk):
    return _detail(request, queries.work_order_get(request.user, pk))


def _done(request, wo, message: str):
    messages.success(request, message % {"no": wo.number})
    url = reverse("workorder-detail", args=[wo.pk])
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


def _refused(request, wo, exc: ValidationError):
    for text in exc.messages[:3]:
        messages.error(request, text)
    return redirect(reverse("workorder-detail", args=[wo.pk]))


@view_workorder
@require_POST
def claim(request, pk):
    wo = queries.work_order_get(request.user, pk)
    try:
        actions.work_order_claim(actor=request.user, work_order=wo)
    except ValidationError as exc:
        return _refused(request, wo, exc)
    return _done(request, wo, _("Work order %(no)s is yours now."))


@view_workorder
@require_POST
def release(request, pk):
    wo = queries.work_order_get(request.user, pk)
    form = NoteForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        actions.work_order_release(actor=request.user, work_order=wo, note=note)
    except ValidationError as exc:
        return _refused(request, wo, exc)
    return _done(request, wo, _("Work order %(no)s is back in its queue."))


@view_workorder
@require_POST
def complete(request, pk):
    wo = queries.work_order_get(request.user, pk)
    form = CompleteForm(request.POST, work_order=wo)
    if form.is_valid():
        values = form.field_values()
        try:
            actions.work_order_complete(
                actor=request.user,
                work_order=wo,
                outcome=form.cleaned_data.get("outcome", ""),
                data=values,
                note=form.cleaned_data.get("note", ""),
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                exc = ValidationError(
                    {
                        (k if k in ("outcome", "note", "state") else f"f_{k}"): v
                        for k, v in exc.error_dict.items()
                    }
                )
            apply_action_errors(form, exc)
        else:
            return _done(request, wo, _("Work order %(no)s completed; the order moves on."))
    return _detail(request, wo, status=400, complete_form=form, open_panel="complete")


@view_workorder
@require_POST
def return_(request, pk):
    wo = queries.work_order_get(request.user, pk)
    form = ReasonForm(request.POST)
    if form.is_valid():
        try:
            actions.work_order_return(actor=request.user, work_order=wo, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            apply_action_errors(form, exc)
        else:
            return _done(request, wo, _("Work order %(no)s returned."))
    return _detail(request, wo, status=400, return_form=form, open_panel="return")


@view_workorder
@require_POST
def reassign(request, pk):
    wo = queries.work_order_get(request.user, pk)
    form = ReassignForm(request.POST, work_order=wo, actor=request.user)
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.work_order_reassign(
                actor=request.user,
                work_order=wo,
                assignee=data["assignee"],
                queue_unit=data["queue_unit"],
                note=data["note"],
            )
        except ValidationError as exc:
            apply_action_errors(form, exc)
        else:
            return _done(request, wo, _("Work order %(no)s reassigned."))
    return _detail(request, wo, status=400, reassign_form=form, open_panel="reassign")


@view_workorder
@require_POST
def escalate(request, pk):
    wo = queries.work_order_get(request.user, pk)
    form = EscalateForm(request.POST, work_order=wo, actor=request.user)
    if form.is_valid():
        try:
            actions.work_order_escalate(
                actor=request.user,
                work_order=wo,
                reason=form.cleaned_data["reason"],
                to_unit=form.cleaned_data["to_unit"],
            )
        except ValidationError as exc:
            apply_action_errors(form, exc)
        else:
            return _done(request, wo, _("Work order %(no)s escalated."))
    return _detail(request, wo, status=400, escalate_form=form, open_panel="escalate")
