"""Pending installations in the UI (待装): the dispatcher's list and page (dispatch to a team's slot,
book and rebook, assign the installer), the installer's phone pages (my installations, the field page:
arrival, result, serials, the customer's contact on request).

Pages need orders.view_installation, the installer's pages orders.report_installation; each action
checks its own rule (an AccessDenied is a 403, a row outside the scope a 404). One operation per view.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from telcrm.web.decorators import paginate, scoped_view
from telcrm.web.forms import apply_action_errors

from .. import installation_queries as queries
from .. import installation_slots as slots
from ..actions import installations as actions
from ..actions.dispatch import is_member
from ..actions.installation_flow import is_dispatch
from ..installation_forms import AssignForm, BookForm, DispatchForm, FinishForm, InstallationFilterForm
from ..installation_permissions import BOOK_INSTALLATION, REPORT_INSTALLATION, VIEW_INSTALLATION
from ..models import InstallResult, InstallState, WorkOrderState
from ..permissions import HANDLE_WORKORDER, VIEW_PROCESS

DETAIL = "orders/installations/detail.html"
FIELD = "orders/installations/field.html"


def view_installation(fn):
    return scoped_view(fn, perm=VIEW_INSTALLATION)


def field_view(fn):
    return scoped_view(fn, perm=REPORT_INSTALLATION)


# --- lists --------------------------------------------------------------------------------------------------
@view_installation
def installation_list(request):
    teams = slots.installer_teams()
    form = InstallationFilterForm(request.GET or None, teams=teams)
    filters = form.cleaned_data if form.is_valid() else {}
    now = timezone.now()
    qs = queries.installation_list(
        request.user,
        state=filters.get("state") or "",
        team=filters.get("team"),
        overdue=bool(filters.get("overdue")),
        q=filters.get("q") or "",
        now=now,
    )
    page = paginate(request, qs)
    page.object_list = queries.mark_late(page.object_list, now)
    ctx = {"page": page, "form": form, "now": now, "counts": queries.counts(request.user, now=now)}
    template = (
        "orders/installations/list.html#rows"
        if request.htmx and request.GET.get("page")
        else "orders/installations/list.html"
    )
    return render(request, template, ctx)


@field_view
def mine(request):
    now = timezone.now()
    return render(
        request,
        "orders/installations/mine.html",
        {
            "mine": queries.mark_late(queries.my_installations(request.user)[:100], now),
            "team": queries.mark_late(queries.team_open_installations(request.user)[:50], now),
            "now": now,
            "today": slots.today(now),
        },
    )


# --- the dispatcher's page ----------------------------------------------------------------------------------
def _can(user, inst) -> dict:
    wo = inst.work_order
    book = user.has_perm(BOOK_INSTALLATION)
    field = inst.in_field and wo is not None and wo.is_active
    mine = field and wo.assignee_id == user.pk
    dispatch = (
        inst.state == InstallState.AWAITING_DISPATCH
        and wo is not None
        and is_dispatch(wo)
        and wo.is_active
        and book
        and user.has_perm(HANDLE_WORKORDER)
        and (wo.assignee_id == user.pk or (wo.state == WorkOrderState.OPEN and is_member(user, wo)))
    )
    return {
        "dispatch": dispatch,
        "book": field and inst.state != InstallState.ON_SITE and (book or mine),
        "assign": field and book,
        "field": mine and user.has_perm(REPORT_INSTALLATION),
        "process": user.has_perm(VIEW_PROCESS),
    }


def _grid(team, now):
    return slots.team_slots(team, now=now) if team is not None else []


def _detail(request, inst, *, status: int = 200, **forms):
    now = timezone.now()
    can = _can(request.user, inst)
    ctx = {
        "inst": inst,
        "wo": inst.work_order,
        "can": can,
        "now": now,
        "events": list(queries.history(inst)),
        "appointments": list(queries.appointments(inst)),
        "open_panel": forms.get("open_panel", ""),
    }
    if can["dispatch"]:
        form = forms.get("dispatch_form") or DispatchForm(installation=inst)
        ctx.update(dispatch_form=form, grid=_grid(form.team, now), slot_field=form["slot"])
    if can["book"]:
        form = forms.get("book_form") or BookForm()
        ctx.update(book_form=form, book_grid=_grid(inst.work_order.org_unit, now), book_slot=form["slot"])
    if can["assign"]:
        ctx["assign_form"] = forms.get("assign_form") or AssignForm(work_order=inst.work_order)
    return render(request, DETAIL, ctx, status=status)


@view_installation
def detail(request, pk):
    return _detail(request, queries.installation_get(request.user, pk))


@view_installation
def slot_grid(request, pk):
    """The slot grid and the installers of the team chosen in the dispatch form (HTMX)."""
    inst = queries.installation_get(request.user, pk)
    if not request.user.has_perm(BOOK_INSTALLATION):
        raise PermissionDenied
    form = DispatchForm(request.GET, installation=inst)
    return render(
        request,
        "orders/installations/_dispatch_team.html",
        {
            "inst": inst,
            "dispatch_form": form,
            "grid": _grid(form.team, timezone.now()),
            "slot_field": form["slot"],
        },
    )


def _done(request, url: str, message: str):
    messages.success(request, message)
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


def _detail_url(inst) -> str:
    return reverse("installation-detail", args=[inst.pk])


@view_installation
@require_POST
def dispatch(request, pk):
    inst = queries.installation_get(request.user, pk)
    form = DispatchForm(request.POST, installation=inst)
    if form.is_valid():
        data = form.cleaned_data
        day, window = data["slot"]
        try:
            actions.installation_dispatch(
                actor=request.user,
                installation=inst,
                team=data["team"],
                day=day,
                window=window,
                installer=data["installer"],
                reason=data["reason"],
                note=data["note"],
            )
        except ValidationError as exc:
            apply_action_errors(form, exc)
        else:
            return _done(request, _detail_url(inst), _("Dispatched to %(team)s.") % {"team": data["team"]})
    return _detail(request, inst, status=400, dispatch_form=form, open_panel="dispatch")


@view_installation
@require_POST
def book(request, pk):
    inst = queries.installation_get(request.user, pk)
    form = BookForm(request.POST)
    if form.is_valid():
        day, window = form.cleaned_data["slot"]
        try:
            appt = actions.installation_book(
                actor=request.user,
                installation=inst,
                day=day,
                window=window,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            apply_action_errors(form, exc)
        else:
            url = request.POST.get("next") == "field" and reverse("installation-field", args=[inst.pk])
            text = _("Booked for %(day)s %(window)s.") % {
                "day": appt.day.isoformat(),
                "window": appt.window_label,
            }
            return _done(request, url or _detail_url(inst), text)
    if request.POST.get("next") == "field":
        return _field(request, inst, status=400, book_form=form, open_panel="rebook")
    return _detail(request, inst, status=400, book_form=form, open_panel="book")


@view_installation
@require_POST
def assign(request, pk):
    inst = queries.installation_get(request.user, pk)
    form = AssignForm(request.POST, work_order=inst.work_order) if inst.work_order_id else None
    if form is not None and form.is_valid():
        try:
            actions.installation_assign(
                actor=request.user,
                installation=inst,
                installer=form.cleaned_data["installer"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            apply_action_errors(form, exc)
        else:
            name = form.cleaned_data["installer"]
            return _done(request, _detail_url(inst), _("Given to %(name)s.") % {"name": name})
    if form is None:
        messages.error(request, _("This is not possible now."))
        return redirect(_detail_url(inst))
    return _detail(request, inst, status=400, assign_form=form, open_panel="assign")


# --- the installer's field page -----------------------------------------------------------------------------
def _field(request, inst, *, status: int = 200, **forms):
    now = timezone.now()
    wo = inst.work_order
    field = inst.in_field and wo is not None and wo.is_active
    mine = field and wo.assignee_id == request.user.pk
    can = {
        "claim": field and wo.state == WorkOrderState.OPEN and is_member(request.user, wo),
        "arrive": mine and inst.state in (InstallState.AWAITING_APPOINTMENT, InstallState.BOOKED),
        "finish": mine,
        "rebook": mine and inst.state != InstallState.ON_SITE,
    }
    ctx = {
        "inst": inst,
        "wo": wo,
        "can": can,
        "now": now,
        "events": list(queries.history(inst)),
        "revealed": forms.get("revealed"),
        "open_panel": forms.get("open_panel", ""),
    }
    if can["finish"]:
        ctx["finish_form"] = forms.get("finish_form") or FinishForm(
            initial={"result": InstallResult.INSTALLED}, work_order=wo
        )
    if can["rebook"]:
        form = forms.get("book_form") or BookForm()
        ctx.update(book_form=form, book_grid=_grid(wo.org_unit, now), book_slot=form["slot"])
    return render(request, FIELD, ctx, status=status)


@field_view
def field(request, pk):
    return _field(request, queries.installation_get(request.user, pk))


def _field_url(inst) -> str:
    return reverse("installation-field", args=[inst.pk])


def _refused(request, url: str, exc: ValidationError):
    for text in exc.messages[:3]:
        messages.error(request, text)
    return redirect(url)


@field_view
@require_POST
def claim(request, pk):
    inst = queries.installation_get(request.user, pk)
    try:
        actions.installation_claim(actor=request.user, installation=inst)
    except ValidationError as exc:
        return _refused(request, _field_url(inst), exc)
    return _done(request, _field_url(inst), _("The installation is yours now."))


@field_view
@require_POST
def arrive(request, pk):
    inst = queries.installation_get(request.user, pk)
    try:
        actions.installation_arrive(actor=request.user, installation=inst)
    except ValidationError as exc:
        return _refused(request, _field_url(inst), exc)
    return _done(request, _field_url(inst), _("Arrival recorded."))


@field_view
@require_POST
def finish(request, pk):
    inst = queries.installation_get(request.user, pk)
    if inst.work_order_id is None:
        raise PermissionDenied
    form = FinishForm(request.POST, work_order=inst.work_order)
    if form.is_valid():
        data = form.cleaned_data
        try:
            done = actions.installation_finish(
                actor=request.user,
                installation=inst,
                result=data["result"],
                failure_reason=data["failure_reason"],
                notes=data["notes"],
                ont_serial=data["ont_serial"],
                other_serials=data["other_serials"],
                answers=form.answers(),
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                exc = ValidationError(
                    {(k if k in form.fields else f"f_{k}"): v for k, v in exc.error_dict.items()}
                )
            apply_action_errors(form, exc)
        else:
            text = (
                _("Installed; the order moves on.")
                if done.result == InstallResult.INSTALLED
                else _("Reported as not installed; it goes back to the dispatcher.")
            )
            return _done(request, reverse("installation-mine"), text)
    return _field(request, inst, status=400, finish_form=form, open_panel="finish")


@never_cache
@view_installation
@require_POST
def reveal(request, pk):
    """The customer's name and phone in clear (audited): a fragment for HTMX, else the field page."""
    inst = queries.installation_get(request.user, pk)
    try:
        contact = actions.installation_contact_reveal(actor=request.user, installation=inst)
    except ValidationError as exc:
        if request.htmx:
            return HttpResponse("; ".join(exc.messages), status=400, content_type="text/plain; charset=utf-8")
        return _refused(request, _field_url(inst), exc)
    if request.htmx:
        return render(request, "orders/installations/_contact.html", {"inst": inst, "revealed": contact})
    return _field(request, inst, revealed=contact)
