"""Tickets in the UI (报事): the queue with filters, taking a ticket (from the customer 360 too), one
ticket with what I may do to it and its history.

Every page needs service.view_ticket; each action checks its own permission (an AccessDenied becomes a
403, a row outside the scope a 404). One operation per view: parse the form, call the action, redirect
(HTMX: ``HX-Redirect``) or show the page again with the errors on the form.
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

from telcrm.customers.models import Customer, Subscription
from telcrm.platform.errors import NotFoundInScope
from telcrm.platform.models import User
from telcrm.web.decorators import paginate, scoped_view
from telcrm.web.forms import apply_action_errors

from . import actions, queries
from .actions._common import is_member
from .forms import (
    AssignForm,
    CloseForm,
    MassUpdateForm,
    MessageForm,
    NoteForm,
    QuestionForm,
    ReasonForm,
    ResolveForm,
    TicketCreateForm,
    TicketFilterForm,
    TicketRefForm,
)
from .models import Ticket, TicketState
from .permissions import ADD_TICKET, DISPATCH_TICKET, HANDLE_TICKET, VIEW_TICKET
from .states import OPEN, moves_from

DETAIL = "service/ticket_detail.html"


def view_ticket(fn):
    return scoped_view(fn, perm=VIEW_TICKET)


# --- lists --------------------------------------------------------------------------------------------------
@view_ticket
def ticket_list(request, mode: str = "all"):
    form = TicketFilterForm(request.GET or None, teams=queries.team_choices(request.user))
    f = form.cleaned_data if form.is_valid() else {}
    qs = queries.ticket_list(
        request.user,
        state=f.get("state") or ("open" if mode != "all" else ""),
        team=f.get("team"),
        priority=f.get("priority"),
        overdue=bool(f.get("overdue")),
        mine=mode == "mine",
        queue=mode == "queue",
        q=f.get("q") or "",
    )
    page = paginate(request, qs)
    ctx = {
        "page": page,
        "form": form,
        "mode": mode,
        "now": timezone.now(),
        "can_add": request.user.has_perm(ADD_TICKET),
    }
    template = (
        "service/ticket_list.html#rows"
        if request.htmx and request.GET.get("page")
        else "service/ticket_list.html"
    )
    return render(request, template, ctx)


# --- create -------------------------------------------------------------------------------------------------
def _customer(request, raw):
    try:
        return Customer.objects.restrict(request.user).get(pk=int(raw))
    except (Customer.DoesNotExist, TypeError, ValueError) as exc:
        raise NotFoundInScope() from exc


@scoped_view(perm=ADD_TICKET)
def ticket_new(request):
    customer = _customer(request, request.POST.get("customer") or request.GET.get("customer"))
    lines = [(s.pk, s.msisdn) for s in Subscription.objects.filter(customer=customer).order_by("msisdn")[:50]]
    kw = {"categories": queries.category_choices(), "lines": lines}
    if request.method == "POST":
        form = TicketCreateForm(request.POST, **kw)
        if form.is_valid():
            try:
                ticket = actions.ticket_create(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                apply_action_errors(form, exc)
            else:
                messages.success(request, _("Ticket %(no)s taken.") % {"no": ticket.ticket_no})
                return _go(request, ticket)
        status = 400
    else:
        form = TicketCreateForm(initial={"customer": customer.pk}, **kw)
        status = 200
    return render(request, "service/ticket_form.html", {"form": form, "customer": customer}, status=status)


# --- one ticket ---------------------------------------------------------------------------------------------
def _can(user, t: Ticket) -> dict:
    handle = user.has_perm(HANDLE_TICKET)
    leader = user.has_perm(DISPATCH_TICKET)
    handler = handle and (t.assignee_id == user.pk or is_member(user, t) or leader)
    moves = set(moves_from(t.state))
    return {
        "claim": handle and "claim" in moves and t.assignee_id is None and is_member(user, t),
        "assign": leader and "assign" in moves,
        "start": handler and "start" in moves,
        "respond": handler and "respond" in moves,
        "pending": handler and "pending" in moves,
        "resume": handler and "resume" in moves,
        "resolve": handler and "resolve" in moves,
        "close": handler and "close" in moves,
        "reopen": handler and "reopen" in moves and not t.merged_into_id,
        "merge": leader and t.state in OPEN,
        "link": handler and t.state in OPEN and t.parent_id is None,
        "mass": handler and t.ticket_type == "fault" and t.state in OPEN and t.parent_id is None,
        "work_order": handler and t.ticket_type == "fault" and "work_order" in moves,
    }


def _assignees(t: Ticket) -> list[tuple[int, str]]:
    users = User.objects.filter(
        is_active=True, role_id=t.queue_role_id, org_unit__path__startswith=t.team.path
    ).order_by("full_name")[:100]
    return [(u.pk, u.full_name or u.username) for u in users]


def _detail(request, t: Ticket, *, status: int = 200, **forms):
    ctx = {
        "t": t,
        "events": list(queries.ticket_events(t)),
        "children": list(queries.ticket_children(request.user, t)[:50]),
        "can": _can(request.user, t),
        "now": timezone.now(),
        "forms": {
            "assign": AssignForm(users=_assignees(t)),
            "respond": MessageForm(),
            "pending": QuestionForm(),
            "resume": NoteForm(),
            "resolve": ResolveForm(),
            "close": CloseForm(),
            "reopen": ReasonForm(),
            "merge": TicketRefForm(),
            "link": TicketRefForm(),
            "mass": MassUpdateForm(),
            "work_order": NoteForm(),
            **forms,
        },
        "open_panel": next(iter(forms), ""),
    }
    return render(request, DETAIL, ctx, status=status)


@view_ticket
def ticket_detail(request, pk):
    return _detail(request, queries.ticket_get(request.user, pk))


def _go(request, t: Ticket):
    url = reverse("ticket-detail", args=[t.pk])
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


def _other(request, form) -> int | None:
    no = form.cleaned_data["target"].strip().upper()
    return Ticket.objects.restrict(request.user).filter(ticket_no=no).values_list("pk", flat=True).first()


# name: (form class, call(request, ticket, cleaned) → action result, message)
def _call(name):
    def assign(r, t, d):
        return actions.ticket_assign(actor=r.user, ticket=t, assignee=d["assignee"], note=d["note"])

    def merge(r, t, d):
        return actions.ticket_merge(actor=r.user, ticket=t, into=d["target_pk"], note=d["note"])

    table = {
        "claim": (
            None,
            lambda r, t, d: actions.ticket_claim(actor=r.user, ticket=t),
            _("Ticket %(no)s is yours now."),
        ),
        "start": (
            None,
            lambda r, t, d: actions.ticket_start(actor=r.user, ticket=t),
            _("Work on %(no)s started."),
        ),
        "assign": (AssignForm, assign, _("Ticket %(no)s assigned.")),
        "respond": (
            MessageForm,
            lambda r, t, d: actions.ticket_respond(
                actor=r.user, ticket=t, message=d["message"], channel=d["channel"]
            ),
            _("Answer recorded on %(no)s."),
        ),
        "pending": (
            QuestionForm,
            lambda r, t, d: actions.ticket_pending_customer(actor=r.user, ticket=t, question=d["question"]),
            _("Ticket %(no)s waits for the customer; its clock is stopped."),
        ),
        "resume": (
            NoteForm,
            lambda r, t, d: actions.ticket_resume(actor=r.user, ticket=t, note=d["note"]),
            _("Ticket %(no)s is being worked on again."),
        ),
        "resolve": (
            ResolveForm,
            lambda r, t, d: actions.ticket_resolve(actor=r.user, ticket=t, resolution=d["resolution"]),
            _("Ticket %(no)s resolved; ask the customer to confirm."),
        ),
        "close": (
            CloseForm,
            lambda r, t, d: actions.ticket_close(
                actor=r.user, ticket=t, confirmed=d["confirmed"], note=d["note"]
            ),
            _("Ticket %(no)s closed."),
        ),
        "reopen": (
            ReasonForm,
            lambda r, t, d: actions.ticket_reopen(actor=r.user, ticket=t, reason=d["reason"]),
            _("Ticket %(no)s reopened."),
        ),
        "merge": (TicketRefForm, merge, _("Ticket %(no)s merged.")),
        "link": (
            TicketRefForm,
            lambda r, t, d: actions.ticket_link_parent(actor=r.user, ticket=t, parent=d["target_pk"]),
            _("Ticket %(no)s linked to the mass fault."),
        ),
        "work_order": (
            NoteForm,
            lambda r, t, d: actions.ticket_start_work_order(actor=r.user, ticket=t, note=d["note"]),
            _("Repair work order started for %(no)s."),
        ),
        "mass": (
            MassUpdateForm,
            lambda r, t, d: actions.ticket_parent_update(
                actor=r.user, ticket=t, message=d["message"], resolve=d["resolve"]
            ),
            _("Update sent to the tickets linked to %(no)s."),
        ),
    }
    return table[name]


@view_ticket
@require_POST
def ticket_move(request, pk, move: str):
    t = queries.ticket_get(request.user, pk)
    form_class, call, message = _call(move)
    form = (
        form_class(request.POST, **({"users": _assignees(t)} if form_class is AssignForm else {}))
        if form_class
        else None
    )
    if form is not None and not form.is_valid():
        return _detail(request, t, status=400, **{move: form})
    data = dict(form.cleaned_data) if form is not None else {}
    if form_class is TicketRefForm:
        data["target_pk"] = _other(request, form)
        if data["target_pk"] is None:
            form.add_error("target", _("There is no such ticket in your scope."))
            return _detail(request, t, status=400, **{move: form})
    try:
        call(request, t, data)
    except ValidationError as exc:
        if form is None:
            for text in exc.messages[:3]:
                messages.error(request, text)
            return redirect(reverse("ticket-detail", args=[t.pk]))
        if hasattr(exc, "error_dict") and "parent" in exc.error_dict:
            exc = ValidationError({"target": exc.error_dict["parent"]})
        apply_action_errors(form, exc)
        return _detail(request, t, status=400, **{move: form})
    messages.success(request, message % {"no": t.ticket_no})
    return _go(request, t)


MOVES = (
    "claim",
    "start",
    "assign",
    "respond",
    "pending",
    "resume",
    "resolve",
    "close",
    "reopen",
    "merge",
    "link",
    "mass",
    "work_order",
)
__all__ = ["MOVES", "TicketState", "ticket_detail", "ticket_list", "ticket_move", "ticket_new"]
