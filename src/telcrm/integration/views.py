"""Integration pages: the outbox's progress, the error queue (dead deliveries and commands, with
replay and discard), webhooks, and what the simulators applied. One operation per view: parse the
form, call a query or an action, render (a template-partials fragment for HTMX polling)."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import capfirst
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from telcrm.customers.views._common import paginate_capped
from telcrm.web.decorators import scoped_view
from telcrm.web.forms import apply_action_errors

from . import actions, queries
from .adapters import configured
from .forms import CommandFilterForm, DeliveryFilterForm, DiscardForm, SimulatorFilterForm, SubscriptionForm
from .i18n import gettext
from .models import OPEN_STATES, Adapter, Command, Delivery, State, Subscription, SubscriptionKind
from .permissions import MANAGE, SUBSCRIPTIONS, VIEW


def _labels(model, *names) -> dict:
    return {n: capfirst(model._meta.get_field(n).verbose_name) for n in names}


def _pretty(value) -> str:
    return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2, sort_keys=True)


def _can(user) -> dict:
    return {"manage": user.has_perm(MANAGE), "subscriptions": user.has_perm(SUBSCRIPTIONS)}


def _state_rows(counts: dict) -> list[dict]:
    return [{"state": s, "label": label, "count": counts.get(s, 0)} for s, label in State.choices]


# --- overview -----------------------------------------------------------------------------------------
@scoped_view(perm=VIEW)
@require_GET
def overview(request):
    """The outbox's progress: rows per state (polled), where open rows pile up, the adapters in use."""
    counts = queries.state_counts(request.user)
    ctx = {
        "tab": "overview",
        "can": _can(request.user),
        "delivery_states": _state_rows(counts["deliveries"]),
        "command_states": _state_rows(counts["commands"]),
        "open_states": [(s, State(s).label) for s in OPEN_STATES],
    }
    if request.htmx and not request.htmx.boosted:
        return render(request, "integration/overview.html#counts", ctx)
    ctx.update(
        by_topic=queries.open_by(request.user, Delivery, "topic"),
        by_adapter=[
            (Adapter(a).label if a in Adapter.values else a, a, c)
            for a, c in queries.open_by(request.user, Command, "adapter")
        ],
        adapters=[
            {"system": s, "label": Adapter(s).label, "kind": c["kind"], "url": c["url"]}
            for s in Adapter.values
            for c in [configured(s)]
        ],
        subscription_count=queries.subscription_list(request.user).count(),
    )
    return render(request, "integration/overview.html", ctx)


# --- the error queue ----------------------------------------------------------------------------------
def _queue(request, *, tab: str, form, rows, template: str, labels: dict):
    page = paginate_capped(request, rows)
    ctx = {"tab": tab, "form": form, "page": page, "can": _can(request.user), "labels": labels}
    return render(request, template, ctx)


@scoped_view(perm=VIEW)
@require_GET
def delivery_list(request):
    form = DeliveryFilterForm(request.GET)
    rows = queries.delivery_list(request.user, state=form.states(), **form.filters())
    labels = _labels(Delivery, "topic", "state", "attempts", "updated_at", "last_error")
    return _queue(
        request,
        tab="deliveries",
        form=form,
        rows=rows,
        template="integration/delivery_list.html",
        labels=labels,
    )


@scoped_view(perm=VIEW)
@require_GET
def command_list(request):
    form = CommandFilterForm(request.GET)
    rows = queries.command_list(request.user, state=form.states(), **form.filters())
    labels = _labels(Command, "adapter", "operation", "key", "state", "attempts", "updated_at", "last_error")
    return _queue(
        request, tab="commands", form=form, rows=rows, template="integration/command_list.html", labels=labels
    )


def _detail(request, row, *, template: str, extra: dict, discard_form=None, status: int = 200):
    ctx = {
        "row": row,
        "tab": "deliveries" if isinstance(row, Delivery) else "commands",
        "can": _can(request.user),
        "discard_form": discard_form or DiscardForm(),
        "labels": _labels(
            type(row),
            "state",
            "attempts",
            "replays",
            "next_attempt_at",
            "last_attempt_at",
            "finished_at",
            "error_code",
            "last_error",
            "org_unit",
            "created_at",
        ),
        **extra,
    }
    return render(request, template, ctx, status=status)


def _delivery_detail(request, row, **kw):
    extra = {"event": row.event, "payload": _pretty(row.event.payload)}
    return _detail(request, row, template="integration/delivery_detail.html", extra=extra, **kw)


def _command_detail(request, row, **kw):
    extra = {
        "payload": _pretty(row.payload),
        "result": _pretty(row.result) if row.result is not None else "",
        "command_labels": _labels(
            Command, "adapter", "operation", "key", "on_done", "aggregate_type", "actor"
        ),
    }
    return _detail(request, row, template="integration/command_detail.html", extra=extra, **kw)


@scoped_view(perm=VIEW)
@require_GET
def delivery_detail(request, pk):
    return _delivery_detail(request, queries.delivery_get(request.user, pk))


@scoped_view(perm=VIEW)
@require_GET
def command_detail(request, pk):
    return _command_detail(request, queries.command_get(request.user, pk))


def _replay(request, row, action, url: str):
    try:
        action(actor=request.user, **{"delivery" if isinstance(row, Delivery) else "command": row})
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, gettext("Sent back to the queue: it goes out again in a moment."))
    return redirect(url)


def _discard(request, row, action, render_detail, url: str):
    form = DiscardForm(request.POST)
    if form.is_valid():
        try:
            kw = {"delivery" if isinstance(row, Delivery) else "command": row}
            action(actor=request.user, reason=form.cleaned_data["reason"], **kw)
        except ValidationError as exc:
            apply_action_errors(form, exc)
        else:
            messages.success(request, gettext("Discarded: it will not be sent again."))
            return redirect(url)
    return render_detail(request, row, discard_form=form, status=400)


@require_POST
@scoped_view(perm=MANAGE)
def delivery_replay(request, pk):
    row = queries.delivery_get(request.user, pk)
    return _replay(request, row, actions.delivery_replay, reverse("integration-delivery-detail", args=[pk]))


@require_POST
@scoped_view(perm=MANAGE)
def command_replay(request, pk):
    row = queries.command_get(request.user, pk)
    return _replay(request, row, actions.command_replay, reverse("integration-command-detail", args=[pk]))


@require_POST
@scoped_view(perm=MANAGE)
def delivery_discard(request, pk):
    row = queries.delivery_get(request.user, pk)
    url = reverse("integration-delivery-detail", args=[pk])
    return _discard(request, row, actions.delivery_discard, _delivery_detail, url)


@require_POST
@scoped_view(perm=MANAGE)
def command_discard(request, pk):
    row = queries.command_get(request.user, pk)
    url = reverse("integration-command-detail", args=[pk])
    return _discard(request, row, actions.command_discard, _command_detail, url)


@require_POST
@scoped_view(perm=MANAGE)
def replay_selected(request, kind: str):
    """Replay the rows ticked on a list page."""
    url = reverse("integration-delivery-list" if kind == "delivery" else "integration-command-list")
    back = request.POST.get("next", "")
    if back.startswith("?"):
        url += back
    try:
        done, skipped = actions.replay_many(actor=request.user, kind=kind, ids=request.POST.getlist("ids"))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        text = gettext("%(done)s sent back to the queue.") % {"done": done}
        if skipped:
            text += " " + gettext("%(skipped)s could not be replayed.") % {"skipped": skipped}
        (messages.success if done else messages.warning)(request, text)
    return redirect(url)


# --- webhooks -----------------------------------------------------------------------------------------
@scoped_view(perm=SUBSCRIPTIONS)
@require_GET
def subscription_list(request):
    rows = list(queries.subscription_list(request.user))
    open_counts = queries.open_per_subscription(request.user, [s.pk for s in rows])
    ctx = {
        "tab": "subscriptions",
        "can": _can(request.user),
        "rows": rows,
        "open_counts": open_counts,
        "labels": _labels(
            Subscription, "name", "kind", "callback", "topics", "active", "owner", "created_at"
        ),
    }
    return render(request, "integration/subscription_list.html", ctx)


def _form_page(request, form, *, sub=None, status: int = 200):
    ctx = {"tab": "subscriptions", "can": _can(request.user), "form": form, "sub": sub}
    return render(request, "integration/subscription_form.html", ctx, status=status)


@scoped_view(perm=SUBSCRIPTIONS)
@require_http_methods(["GET", "POST"])
def subscription_create(request):
    form = SubscriptionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            sub = actions.subscription_create(
                actor=request.user,
                name=data["name"],
                callback=data["callback"],
                topics=data["topics"],
                secret=data["secret"] or None,
                active=data["active"],
            )
        except ValidationError as exc:
            apply_action_errors(form, exc)
        else:
            messages.success(request, gettext("Webhook %(name)s registered.") % {"name": sub.name})
            if sub.new_secret:
                messages.info(
                    request,
                    gettext("Its signing secret (shown only now): %(secret)s") % {"secret": sub.new_secret},
                )
            return redirect("integration-subscription-list")
    return _form_page(request, form, status=400 if request.method == "POST" else 200)


@scoped_view(perm=SUBSCRIPTIONS)
@require_http_methods(["GET", "POST"])
def subscription_edit(request, pk):
    sub = queries.subscription_get(request.user, pk)
    initial = {
        "name": sub.name,
        "callback": sub.callback,
        "topics": " ".join(sub.topics),
        "active": sub.active,
    }
    form = SubscriptionForm(request.POST or None, initial=initial, editing=True)
    if sub.kind == SubscriptionKind.TMF_HUB:  # its client owns callback and event types (re-register)
        for name in ("callback", "topics", "secret"):
            del form.fields[name]
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        changes = {"name": data["name"], "active": data["active"]}
        if sub.kind == SubscriptionKind.WEBHOOK:
            changes.update(callback=data["callback"], topics=data["topics"], secret=data["secret"] or None)
        try:
            actions.subscription_update(actor=request.user, subscription=sub, **changes)
        except ValidationError as exc:
            apply_action_errors(form, exc)
        else:
            messages.success(request, gettext("Subscription %(name)s saved.") % {"name": data["name"]})
            return redirect("integration-subscription-list")
    return _form_page(request, form, sub=sub, status=400 if request.method == "POST" else 200)


@require_POST
@scoped_view(perm=SUBSCRIPTIONS)
def subscription_delete(request, pk):
    sub = queries.subscription_get(request.user, pk)
    try:
        actions.subscription_delete(actor=request.user, subscription=sub)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, gettext("Subscription %(name)s deleted.") % {"name": sub.name})
    return redirect("integration-subscription-list")


# --- what the simulators applied ----------------------------------------------------------------------
@scoped_view(perm=VIEW)
@require_GET
def simulator(request):
    form = SimulatorFilterForm(request.GET)
    adapter = form.cleaned_data.get("adapter", "") if form.is_valid() else ""
    ctx = {
        "tab": "simulator",
        "can": _can(request.user),
        "form": form,
        "page": paginate_capped(request, queries.simulated_calls(adapter=adapter)),
        "adapters": {s: configured(s)["kind"] for s in Adapter.values},
    }
    return render(request, "integration/simulator.html", ctx)
