"""Stock counts (盘点): start one, scan what is on the shelves (the differences update live), close."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from telcrm.web.decorators import paginate, scoped_view
from telcrm.web.forms import apply_action_errors

from .. import actions, queries
from ..forms import CountCreateForm, CountFilterForm, ReasonForm, ScanForm
from ..models import CountStatus
from ..permissions import MANAGE, VIEW
from ._common import go, perms

SCANS_SHOWN = 15


@scoped_view(perm=VIEW)
def count_list(request):
    form = CountFilterForm(request.GET)
    form.is_valid()
    status = getattr(form, "cleaned_data", {}).get("status", "")
    page = paginate(request, queries.count_list(request.user, status=status))
    return render(request, "stock/count_list.html", {"form": form, "page": page, "can": perms(request.user)})


@scoped_view(perm=MANAGE)
@require_http_methods(["GET", "POST"])
def count_create(request):
    form = CountCreateForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            c = actions.stock_count_start(
                actor=request.user,
                org_unit=data["org_unit"],
                item_type=data["item_type"],
                note=data.get("note", ""),
            )
        except ValidationError as exc:
            apply_action_errors(form, exc)
        else:
            messages.success(
                request, _("Stock count %(no)s started; scan the items on the shelves.") % {"no": c.number}
            )
            return redirect(reverse("stock-count-detail", args=[c.pk]))
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "stock/count_form.html", {"form": form, "can": perms(request.user)}, status=status)


def _context(request, c, *, scan_form=None, added: int | None = None) -> dict:
    is_open = c.status == CountStatus.OPEN
    ctx = {
        "c": c,
        "is_open": is_open,
        "can_edit": is_open and request.user.has_perm(MANAGE),
        "scan_form": scan_form or ScanForm(),
        "close_form": ReasonForm(),
        "added": added,
        "can": perms(request.user),
    }
    if is_open:
        ctx["diff"] = queries.count_differences(c)
        ctx["scans"] = list(queries.count_scans(c)[:SCANS_SHOWN])
    else:
        ctx["page"] = paginate(request, queries.count_discrepancies(c), 100)
    return ctx


@scoped_view(perm=VIEW)
def count_detail(request, pk):
    c = queries.count_get(request.user, pk)
    return render(request, "stock/count_detail.html", _context(request, c))


@require_POST
@scoped_view(perm=MANAGE)
def count_scan(request, pk):
    """Add scanned numbers; HTMX gets the live part of the page back (scan box, differences)."""
    c = queries.count_get(request.user, pk)
    form = ScanForm(request.POST)
    added = None
    status = 200
    if form.is_valid():
        try:
            c, added = actions.stock_count_scan(
                actor=request.user, stock_count=c, codes=form.cleaned_data["codes"]
            )
        except ValidationError as exc:
            apply_action_errors(form, exc)
            status = 400 if not request.htmx else 200
        else:
            form = ScanForm()
    else:
        status = 400 if not request.htmx else 200
    template = "stock/count_detail.html#live" if request.htmx else "stock/count_detail.html"
    return render(request, template, _context(request, c, scan_form=form, added=added), status=status)


@require_POST
@scoped_view(perm=MANAGE)
def count_unscan(request, pk):
    c = queries.count_get(request.user, pk)
    try:
        c = actions.stock_count_unscan(actor=request.user, stock_count=c, code=request.POST.get("code", ""))
    except ValidationError as exc:
        for m in exc.messages:
            messages.error(request, m)
    if request.htmx:
        return render(request, "stock/count_detail.html#live", _context(request, c))
    return redirect(reverse("stock-count-detail", args=[c.pk]))


@require_POST
@scoped_view(perm=MANAGE)
def count_close(request, pk):
    c = queries.count_get(request.user, pk)
    form = ReasonForm(request.POST)
    form.is_valid()
    try:
        c = actions.stock_count_close(
            actor=request.user, stock_count=c, note=getattr(form, "cleaned_data", {}).get("reason", "")
        )
    except ValidationError as exc:
        for m in exc.messages:
            messages.error(request, m)
    else:
        if c.missing_count or c.unexpected_count or c.found_count:
            messages.warning(
                request,
                _(
                    "Count %(no)s closed with differences: %(missing)d missing, "
                    "%(unexpected)d unexpected, %(found)d found."
                )
                % {
                    "no": c.number,
                    "missing": c.missing_count,
                    "unexpected": c.unexpected_count,
                    "found": c.found_count,
                },
            )
        else:
            messages.success(
                request, _("Count %(no)s closed: the shelves match the books.") % {"no": c.number}
            )
    return go(request, reverse("stock-count-detail", args=[c.pk]))


@require_POST
@scoped_view(perm=MANAGE)
def count_cancel(request, pk):
    c = queries.count_get(request.user, pk)
    try:
        c = actions.stock_count_cancel(actor=request.user, stock_count=c)
    except ValidationError as exc:
        for m in exc.messages:
            messages.error(request, m)
    else:
        messages.info(request, _("Count %(no)s cancelled.") % {"no": c.number})
    return go(request, reverse("stock-count-detail", args=[c.pk]))
