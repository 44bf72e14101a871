"""Number pool pages: choosing a number at the counter (选号) and administering ranges, levels and holds.

One operation per view: parse the input, call a query or an action, render the page or an HTMX
partial. Routes: urls.py (mounted at /resources/numbers/).
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from telcrm.platform.parameters import param
from telcrm.web.decorators import paginate, scoped_view
from telcrm.web.forms import apply_action_errors

from . import actions, queries
from .actions._common import MANAGE, RESERVE, VIEW
from .forms import (
    LEVEL_ERROR_FIELDS,
    FreezeForm,
    LevelForm,
    NumberFilterForm,
    RangeEditForm,
    RangeForm,
    RuleForm,
)
from .models import NumberState

FILTER_KEYS = ("region", "level", "contains", "ends_with", "no_four")


def _can(user) -> dict:
    return {
        "view": user.has_perm(VIEW),
        "reserve": user.has_perm(RESERVE),
        "manage": user.has_perm(MANAGE),
    }


def _page_number(request) -> int:
    try:
        return max(1, int(request.GET.get("page", 1)))
    except (TypeError, ValueError):
        return 1


def _first_message(exc: ValidationError) -> str:
    return exc.messages[0] if exc.messages else str(exc)


def _is_partial(request) -> bool:
    return bool(request.htmx) and not request.htmx.boosted


# --- the counter: choosing a number -------------------------------------------------------------------
@scoped_view(perm=VIEW)
def number_search(request):
    form = NumberFilterForm(request.GET, user=request.user)
    filters = form.filters()
    error = None
    try:
        page = queries.number_search(
            request.user,
            **filters,
            page=_page_number(request),
            per_page=int(param("resources.search_page_size")),
        )
    except ValidationError as exc:
        page, error = queries.NumberPage([], 1, 1, False), _first_message(exc)
    can = _can(request.user)
    ctx = {
        "form": form,
        "page": page,
        "error": error,
        "can": can,
        "filtered": bool(filters),
        "highlight": filters.get("ends_with") or filters.get("contains") or "",
        "mine": queries.my_reservations(request.user) if can["reserve"] else [],
        "query": urlencode({k: v for k, v in request.GET.items() if k in FILTER_KEYS}),
    }
    template = "resources/number_search.html"
    return render(request, f"{template}#results" if _is_partial(request) else template, ctx)


@scoped_view(perm=RESERVE)
def my_reservations(request):
    ctx = {"mine": queries.my_reservations(request.user), "can": _can(request.user)}
    return render(request, "resources/number_search.html#mine", ctx)


def _tile(request, number, *, error: str | None = None, trigger: str = "") -> HttpResponse:
    response = render(
        request,
        "resources/parts/tile.html",
        {"n": number, "error": error, "can": _can(request.user), "highlight_digits": ""},
    )
    if trigger:
        response["HX-Trigger"] = trigger
    return response


@require_POST
@scoped_view(perm=RESERVE)
def number_reserve(request, msisdn):
    try:
        number = actions.number_reserve(request.user, msisdn, reference=request.POST.get("reference", ""))
    except ValidationError as exc:
        current = queries.number_get(request.user, msisdn)
        if request.htmx:
            return _tile(request, current, error=_first_message(exc))
        messages.error(request, _first_message(exc))
        return redirect(reverse("number-detail", args=[msisdn]))
    if request.htmx:
        return _tile(request, number, trigger="reservations-changed")
    messages.success(
        request,
        _("Number %(number)s is reserved for you until %(time)s.")
        % {"number": number.grouped, "time": _local_time(number.reserved_until)},
    )
    return redirect(reverse("number-detail", args=[msisdn]))


def _local_time(value) -> str:
    from django.utils import timezone

    return timezone.localtime(value).strftime("%H:%M") if value else ""


@require_POST
@scoped_view(perm=RESERVE)
def number_release(request, msisdn):
    source = request.POST.get("from", "")
    try:
        number = actions.number_release(request.user, msisdn, reference=request.POST.get("reference", ""))
    except ValidationError as exc:
        if request.htmx and source == "tile":
            return _tile(request, queries.number_get(request.user, msisdn), error=_first_message(exc))
        if request.htmx:
            response = my_reservations(request)
            response["HX-Trigger"] = "reservations-changed"
            return response
        messages.error(request, _first_message(exc))
        return redirect(reverse("number-detail", args=[msisdn]))
    if request.htmx and source == "tile":
        return _tile(request, number, trigger="reservations-changed")
    if request.htmx:
        response = render(
            request,
            "resources/number_search.html#mine",
            {"mine": queries.my_reservations(request.user), "can": _can(request.user)},
        )
        response["HX-Trigger"] = "pool-changed"
        return response
    messages.success(request, _("Number %(number)s is free again.") % {"number": number.grouped})
    return redirect(reverse("number-detail", args=[msisdn]))


# --- one number ------------------------------------------------------------------------------------
@scoped_view(perm=VIEW)
def number_detail(request, msisdn):
    number = queries.number_get(request.user, msisdn)
    return _detail(request, number)


def _detail(request, number, *, freeze_form=None, status: int = 200):
    from telcrm.customers.models import Customer

    can = _can(request.user)
    customer_visible = bool(
        number.customer_id
        and request.user.has_perm("customers.view_customer")
        and Customer.objects.restrict(request.user).filter(pk=number.customer_id).exists()
    )
    ctx = {
        "n": number,
        "events": queries.number_events(request.user, number),
        "can": can,
        "customer_visible": customer_visible,
        "freeze_form": freeze_form or FreezeForm(),
        "mine": number.state == NumberState.RESERVED and number.reserved_by_id == request.user.pk,
    }
    return render(request, "resources/number_detail.html", ctx, status=status)


@require_POST
@scoped_view(perm=MANAGE)
def number_freeze(request, msisdn):
    number = queries.number_get(request.user, msisdn)
    form = FreezeForm(request.POST)
    if form.is_valid():
        try:
            actions.number_freeze(request.user, number, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            apply_action_errors(form, exc)
        else:
            messages.success(request, _("Number %(number)s is frozen.") % {"number": number.grouped})
            return redirect(reverse("number-detail", args=[msisdn]))
    return _detail(request, queries.number_get(request.user, msisdn), freeze_form=form, status=400)


@require_POST
@scoped_view(perm=MANAGE)
def number_unfreeze(request, msisdn):
    try:
        number = actions.number_unfreeze(request.user, msisdn)
    except ValidationError as exc:
        messages.error(request, _first_message(exc))
    else:
        messages.success(request, _("Number %(number)s is free again.") % {"number": number.grouped})
    return redirect(reverse("number-detail", args=[msisdn]))


# --- administration --------------------------------------------------------------------------------
TABS = ("ranges", "levels")


@scoped_view(perm=MANAGE)
def number_admin(request, *, range_form=None, status: int = 200):
    tab = request.GET.get("tab") if request.GET.get("tab") in TABS else "ranges"
    if range_form is not None:
        tab = "ranges"
    ctx = {
        "tab": tab,
        "can": _can(request.user),
        "held": queries.held_counts(),
    }
    if tab == "ranges":
        ctx["ranges"] = paginate(request, queries.range_list())
        ctx["range_form"] = range_form or RangeForm(user=request.user)
        ctx["show_form"] = range_form is not None
    else:
        levels = list(queries.level_list())
        rules = list(queries.rule_list())
        for level in levels:
            level.rule_rows = [r for r in rules if r.level_id == level.pk]
        ctx["levels"] = levels
    return render(request, "resources/number_admin.html", ctx, status=status)


@scoped_view(perm=MANAGE)
def number_lookup(request):
    text = "".join(request.GET.get("msisdn", "").split())
    if len(text) == 11 and text.isdigit():
        try:
            queries.number_get(request.user, text, related=False)
        except queries.NotFoundInScope:
            pass
        else:
            return redirect(reverse("number-detail", args=[text]))
    messages.error(request, _("Number %(number)s is not in the pool.") % {"number": text or "—"})
    return redirect(reverse("number-admin"))


def _job_redirect(job):
    return redirect(reverse("job-detail", args=[job.pk]))


@require_POST
@scoped_view(perm=MANAGE)
def range_create(request):
    form = RangeForm(request.POST, user=request.user)
    if form.is_valid():
        d = form.cleaned_data
        try:
            rng = actions.range_create(
                request.user,
                region=d["region"],
                prefix=d["prefix"],
                start=d["start"],
                end=d["end"],
                brand=d["brand"],
                note=d["note"],
            )
        except ValidationError as exc:
            apply_action_errors(form, exc)
        else:
            if d["generate"]:
                return _job_redirect(actions.range_generate(request.user, rng))
            messages.success(request, _("Range %(range)s created.") % {"range": str(rng)})
            return redirect(reverse("number-admin"))
    return number_admin(request, range_form=form, status=400)


def _form_page(request, *, form, title, icon, submit, back, status=200, extra=None):
    ctx = {"form": form, "title": title, "icon": icon, "submit": submit, "back": back, **(extra or {})}
    return render(request, "resources/form_page.html", ctx, status=status)


@scoped_view(perm=MANAGE)
def range_edit(request, pk):
    rng = queries.range_get(pk)
    back = reverse("number-admin")
    if request.method == "POST":
        form = RangeEditForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                actions.range_update(request.user, rng, **form.cleaned_data)
            except ValidationError as exc:
                apply_action_errors(form, exc)
            else:
                messages.success(request, _("Range %(range)s saved.") % {"range": str(rng)})
                return redirect(back)
        status = 400
    else:
        form = RangeEditForm(
            initial={"region": str(rng.region_id), "brand": rng.brand, "note": rng.note}, user=request.user
        )
        status = 200
    return _form_page(
        request,
        form=form,
        title=_("Range %(range)s") % {"range": str(rng)},
        icon="list-ol",
        submit=_("Save"),
        back=back,
        status=status,
    )


@require_POST
@scoped_view(perm=MANAGE)
def range_delete(request, pk):
    rng = queries.range_get(pk)
    try:
        actions.range_delete(request.user, rng)
    except ValidationError as exc:
        messages.error(request, _first_message(exc))
    else:
        messages.success(request, _("Range %(range)s deleted.") % {"range": str(rng)})
    return redirect(reverse("number-admin"))


@require_POST
@scoped_view(perm=MANAGE)
def range_generate(request, pk):
    return _job_redirect(actions.range_generate(request.user, queries.range_get(pk)))


@require_POST
@scoped_view(perm=MANAGE)
def levels_recompute(request):
    return _job_redirect(actions.levels_recompute(request.user))


def _levels_tab() -> str:
    return reverse("number-admin") + "?tab=levels"


@scoped_view(perm=MANAGE)
def level_edit(request, pk=None):
    level = queries.level_get(pk) if pk is not None else None
    if request.method == "POST":
        form = LevelForm(request.POST)
        if form.is_valid():
            try:
                if level is None:
                    actions.level_create(request.user, **form.action_kwargs())
                else:
                    actions.level_update(request.user, level, **form.action_kwargs())
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    exc = ValidationError(
                        {LEVEL_ERROR_FIELDS.get(k, k): v for k, v in exc.error_dict.items()}
                    )
                apply_action_errors(form, exc)
            else:
                messages.success(request, _("Level saved. Recompute the levels for free numbers to follow."))
                return redirect(_levels_tab())
        status = 400
    else:
        form = LevelForm(initial=LevelForm.initial_for(level) if level else {"colour": "secondary"})
        status = 200
    return _form_page(
        request,
        form=form,
        title=level.display_name if level else _("New level"),
        icon="gem",
        submit=_("Save"),
        back=_levels_tab(),
        status=status,
    )


@require_POST
@scoped_view(perm=MANAGE)
def level_delete(request, pk):
    try:
        actions.level_delete(request.user, queries.level_get(pk))
    except ValidationError as exc:
        messages.error(request, _first_message(exc))
    else:
        messages.success(request, _("Level deleted."))
    return redirect(_levels_tab())


@scoped_view(perm=MANAGE)
def rule_edit(request, pk=None):
    rule = queries.rule_get(pk) if pk is not None else None
    if request.method == "POST":
        form = RuleForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            kwargs = {
                "level": d["level"],
                "kind": d["kind"],
                "pattern": d["pattern"],
                "count": d["count"],
                "is_active": d["is_active"],
                "note": d["note"],
            }
            try:
                if rule is None:
                    actions.rule_create(request.user, **kwargs)
                else:
                    actions.rule_update(request.user, rule, **kwargs)
            except ValidationError as exc:
                apply_action_errors(form, exc)
            else:
                messages.success(
                    request, _("Rule saved. Recompute the levels so that free numbers follow the new rules.")
                )
                return redirect(_levels_tab())
        status = 400
    else:
        initial = (
            RuleForm.initial_for(rule) if rule else {"level": request.GET.get("level", ""), "is_active": True}
        )
        form = RuleForm(initial=initial)
        status = 200
    return _form_page(
        request,
        form=form,
        title=_("Level rule") if rule is None else str(rule),
        icon="funnel",
        submit=_("Save"),
        back=_levels_tab(),
        status=status,
        extra={"rule_help": True},
    )


@require_POST
@scoped_view(perm=MANAGE)
def rule_delete(request, pk):
    actions.rule_delete(request.user, queries.rule_get(pk))
    messages.success(request, _("Rule deleted. Recompute the levels so that free numbers follow."))
    return redirect(_levels_tab())
