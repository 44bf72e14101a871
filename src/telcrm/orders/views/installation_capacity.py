"""The capacity of installer teams (装维能力): how many installations a team takes per appointment slot,
set per team, time window and day by an administrator (orders.manage_install_capacity), with the team's
slot grid of the coming days to check the result."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from telcrm.platform.models import OrgUnit
from telcrm.platform.parameters import param
from telcrm.web.decorators import scoped_view
from telcrm.web.forms import apply_action_errors

from .. import installation_slots as slots
from ..actions import installations as actions
from ..installation_forms import CapacityForm
from ..installation_permissions import MANAGE_INSTALL_CAPACITY
from ..models import InstallCapacity

PREVIEW_DAYS = 7


def _teams(user):
    return slots.installer_teams().filter(pk__in=OrgUnit.objects.restrict(user).values("pk"))


def _page(request, *, form=None, status: int = 200):
    teams = _teams(request.user)
    team_id = request.POST.get("team") or request.GET.get("team") or ""
    team = teams.filter(pk=team_id).first() if str(team_id).isdigit() else teams.first()
    form = form or CapacityForm(initial={"team": team.pk if team else None}, teams=teams)
    labels = {w.code: w.display for w in slots.windows()}
    rows = (
        list(InstallCapacity.objects.filter(team=team).select_related("updated_by").order_by("day", "window"))
        if team
        else []
    )
    for row in rows:
        row.window_label = labels.get(row.window, row.window) if row.window else _("Every window")
    days = slots.open_days()[:PREVIEW_DAYS]
    return render(
        request,
        "orders/installations/capacity.html",
        {
            "teams": teams,
            "team": team,
            "rows": rows,
            "form": form,
            "grid": slots.team_slots(team, now=timezone.now(), days=days) if team else [],
            "default": param("orders.install_slot_capacity"),
        },
        status=status,
    )


@scoped_view(perm=MANAGE_INSTALL_CAPACITY)
def capacity(request):
    return _page(request)


@scoped_view(perm=MANAGE_INSTALL_CAPACITY)
@require_POST
def capacity_set(request):
    form = CapacityForm(request.POST, teams=_teams(request.user))
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.install_capacity_set(
                actor=request.user,
                team=data["team"],
                window=data["window"],
                day=data["day"],
                capacity=data["capacity"],
            )
        except ValidationError as exc:
            apply_action_errors(form, exc)
        else:
            messages.success(request, _("Capacity saved."))
            return redirect(f"{reverse('installation-capacity')}?team={data['team'].pk}")
    return _page(request, form=form, status=400)


@scoped_view(perm=MANAGE_INSTALL_CAPACITY)
@require_POST
def capacity_delete(request, pk):
    row = InstallCapacity.objects.filter(pk=pk).first()
    team = row.team_id if row else ""
    try:
        actions.install_capacity_delete(actor=request.user, capacity=pk)
    except ValidationError as exc:
        for text in exc.messages[:3]:
            messages.error(request, text)
    else:
        messages.success(request, _("Capacity removed; the team's default applies again."))
    return redirect(f"{reverse('installation-capacity')}?team={team}")
