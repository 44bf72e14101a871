"""The ticket categories and their SLA targets (service.manage_service): the tree with each category's
routing and targets, a form to create or change a category, the targets per priority."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from telcrm.web.decorators import scoped_view
from telcrm.web.forms import apply_action_errors

from . import actions
from .forms_config import CategoryForm, TargetsForm
from .models import SlaTarget, TicketCategory
from .permissions import MANAGE_SERVICE


@scoped_view(perm=MANAGE_SERVICE)
def category_list(request):
    rows = list(
        TicketCategory.objects.select_related("parent", "default_team", "queue_role").order_by("sort", "code")
    )
    targets: dict[int, dict[int, SlaTarget]] = {}
    for t in SlaTarget.objects.all():
        targets.setdefault(t.category_id, {})[t.priority] = t
    for c in rows:
        c.targets = [targets.get(c.pk, {}).get(p) for p in (1, 2, 3, 4)]
    return render(request, "service/category_list.html", {"rows": rows})


def _initial(c: TicketCategory) -> dict:
    return {
        "code": c.code,
        "name": c.name,
        "name_en": c.name_en,
        "parent": c.parent_id,
        "default_team": c.default_team_id,
        "queue_role": c.queue_role_id,
        "calendar": c.calendar,
        "sort": c.sort,
        "is_active": c.is_active,
    }


@scoped_view(perm=MANAGE_SERVICE)
def category_edit(request, pk=None):
    category = get_object_or_404(TicketCategory, pk=pk) if pk else None
    status = 200
    if request.method == "POST":
        form = CategoryForm(request.POST)
        if form.is_valid():
            try:
                saved = actions.ticket_category_save(
                    actor=request.user, category=category, **form.cleaned_data
                )
            except ValidationError as exc:
                apply_action_errors(form, exc)
            else:
                messages.success(request, _("Category %(code)s saved.") % {"code": saved.code})
                return redirect(reverse("ticket-category-edit", args=[saved.pk]))
        status = 400
    else:
        form = CategoryForm(initial=_initial(category) if category else None)
    targets = None
    if category is not None:
        have = {t.priority: t for t in category.sla_targets.all()}
        initial = {}
        for p, t in have.items():
            initial[f"p{p}_response"], initial[f"p{p}_resolution"] = t.response_minutes, t.resolution_minutes
        targets = TargetsForm(initial=initial)
    return render(
        request,
        "service/category_form.html",
        {"form": form, "category": category, "targets": targets},
        status=status,
    )


@scoped_view(perm=MANAGE_SERVICE)
def category_targets(request, pk):
    category = get_object_or_404(TicketCategory, pk=pk)
    form = TargetsForm(request.POST)
    if form.is_valid():
        try:
            actions.sla_targets_set(actor=request.user, category=category, targets=form.targets())
        except ValidationError as exc:
            for field, errors in exc.error_dict.items():
                form.add_error(f"{field}_response" if f"{field}_response" in form.fields else None, errors)
        else:
            messages.success(request, _("SLA targets of %(code)s saved.") % {"code": category.code})
            return redirect(reverse("ticket-category-edit", args=[category.pk]))
    return render(
        request,
        "service/category_form.html",
        {"form": CategoryForm(initial=_initial(category)), "category": category, "targets": form},
        status=400,
    )
