"""Parameters (系统参数), dictionaries (码表) and work calendars / holidays (PLT-3).

One operation per view: parse the form, call the action, render a page or an HTMX partial. Every view
needs platform.manage_parameters; a row that does not exist is a 404.
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext, pgettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from telcrm.web.decorators import scoped_view
from telcrm.web.forms import apply_action_errors

from .. import actions, calendar, parameters, queries
from ..forms_config import (
    CalendarForm,
    DeadlineForm,
    DictItemForm,
    DictTypeForm,
    HolidayForm,
    ParameterForm,
    dict_item_form,
    weekly_rows,
)
from ..models import ParamType
from ..models.base import english_ui

PERM = "platform.manage_parameters"
PARAMS_PER_PAGE = 100
ROWS_PER_PAGE = 50

# Labels of the platform's parameter groups; other groups show their code until named here.
GROUP_LABELS = {
    "auth": pgettext_lazy("config", "Sign-in and sessions"),
    "jobs": pgettext_lazy("config", "Background jobs"),
    "ui": pgettext_lazy("config", "User interface"),
    "export": pgettext_lazy("config", "Exports"),
    "sla": pgettext_lazy("config", "Service levels (SLA)"),
    "customers": pgettext_lazy("config", "Customers"),
    "catalog": pgettext_lazy("config", "Product catalog"),
    "resources": pgettext_lazy("config", "Numbers and network"),
    "stock": pgettext_lazy("config", "SIM and terminal stock"),
    "coverage": pgettext_lazy("config", "Network coverage"),
    "orders": pgettext_lazy("config", "Processes and work orders"),
    "integration": pgettext_lazy("config", "Interfaces and outbox"),
}


admin_view = scoped_view(perm=PERM)


def _en() -> bool:
    return english_ui()


def _localized(obj, field: str = "name") -> str:
    english = getattr(obj, f"{field}_en", "")
    return english if english and _en() else getattr(obj, field)


def _int(value, default: int, lo: int, hi: int) -> int:
    try:
        n = int(value)
    except (TypeError, ValueError):
        return default
    return n if lo <= n <= hi else default


# --- parameters -----------------------------------------------------------------------------
def display_value(type_: str, value) -> str:
    if type_ == ParamType.BOOL:
        return pgettext("config", "Yes") if value is True else pgettext("config", "No")
    if type_ == ParamType.JSON:
        return json.dumps(value, ensure_ascii=False)
    if type_ == ParamType.DURATION:
        return _("%(n)s min") % {"n": value}
    if type_ == ParamType.INT and isinstance(value, int):
        return f"{value:,}"  # 1,000,000 reads faster than 1000000
    return "" if value is None else str(value)


def _decorate(p) -> None:
    p.display_value = display_value(p.type, p.value)
    p.display_default = display_value(p.type, p.default)
    p.is_default = p.value == p.default
    p.defined = p.key in parameters.REGISTRY
    p.group_label = group_label(p.group)


def group_label(code: str) -> str:
    return str(GROUP_LABELS.get(code, code))


@admin_view
def parameter_list(request):
    q = request.GET.get("q", "").strip()[:100]
    group = request.GET.get("group", "").strip()[:50]
    page = Paginator(queries.parameter_list(group=group or None, q=q), PARAMS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    for p in page:
        _decorate(p)
    groups = [(g, group_label(g)) for g in queries.parameter_groups()]
    ctx = {"page": page, "q": q, "group": group, "groups": groups, "group_labels": dict(groups)}
    template = "platform/parameter_list.html#results" if request.htmx else "platform/parameter_list.html"
    return render(request, template, ctx)


@admin_view
@require_http_methods(["GET", "POST"])
def parameter_edit(request, pk):
    p = queries.parameter_get(pk)
    form = ParameterForm(request.POST or None, parameter=p)
    if request.method == "POST" and form.is_valid():
        try:
            saved = actions.parameter_update(
                actor=request.user,
                parameter=p,
                value=form.cleaned_data["value"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            apply_action_errors(form, exc)
        else:
            # Committed: parameter_update bumped the cache version on commit, so param() in every
            # process (servers, workers) returns this value from now on.
            messages.success(
                request,
                _("%(name)s saved. In effect now: %(value)s")
                % {"name": _localized(saved), "value": display_value(saved.type, saved.value)},
            )
            return redirect(f"{reverse('parameter-list')}?group={saved.group}#param-{saved.pk}")
    _decorate(p)
    recent = list(queries.parameter_history(p)[:6])
    ctx = {
        "p": p,
        "form": form,
        "group_label": group_label(p.group),
        "recent": _history_entries(recent[:5], (recent[5] if len(recent) > 5 else None), p.type),
    }
    return render(request, "platform/parameter_edit.html", ctx)


def _who(user) -> str:
    if user is None:
        return pgettext("config", "System")
    return user.full_name or user.username


def _history_entries(rows, older, type_) -> list[dict]:
    """Each history row with the value before it (the next older row), newest first."""
    entries = []
    for i, h in enumerate(rows):
        prev = rows[i + 1] if i + 1 < len(rows) else older
        entries.append(
            {
                "at": h.history_date,
                "who": _who(h.history_user or h.updated_by),
                "type": h.history_type,
                "old": display_value(type_, prev.value) if prev is not None else None,
                "new": display_value(type_, h.value),
                "value_changed": prev is None or prev.value != h.value,
                "reason": h.history_change_reason or "",
            }
        )
    return entries


@admin_view
def parameter_history(request, pk):
    p = queries.parameter_get(pk)
    _decorate(p)
    qs = queries.parameter_history(p)
    page = Paginator(qs, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    older = qs.filter(history_id__lt=rows[-1].history_id).first() if rows else None
    return render(
        request,
        "platform/parameter_history.html",
        {
            "p": p,
            "page": page,
            "entries": _history_entries(rows, older, p.type),
            "group_label": group_label(p.group),
        },
    )


# --- dictionaries ---------------------------------------------------------------------------
@admin_view
def dict_list(request):
    q = request.GET.get("q", "").strip()[:100]
    page = Paginator(queries.dict_type_list(q=q), ROWS_PER_PAGE).get_page(request.GET.get("page"))
    template = "platform/dict_list.html#results" if request.htmx else "platform/dict_list.html"
    return render(request, template, {"page": page, "q": q})


@admin_view
@require_http_methods(["GET", "POST"])
def dict_create(request):
    form = DictTypeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            d = actions.dict_type_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_action_errors(form, exc)
        else:
            messages.success(
                request, _("Dictionary %(code)s created. Add its items below.") % {"code": d.code}
            )
            return redirect("dict-detail", pk=d.pk)
    return render(request, "platform/dict_create.html", {"form": form})


def _dict_context(request, dt, form, *, item=None) -> dict:
    q = request.GET.get("q", "").strip()[:100]
    page = Paginator(queries.dict_item_list(dt, q=q), ROWS_PER_PAGE).get_page(request.GET.get("page"))
    return {"dt": dt, "page": page, "q": q, "form": form, "item": item, "list_query": request.GET.urlencode()}


@admin_view
def dict_detail(request, pk):
    dt = queries.dict_type_get(pk)
    ctx = _dict_context(request, dt, DictItemForm(dict_type=dt))
    template = "platform/dict_detail.html#items" if request.htmx else "platform/dict_detail.html"
    return render(request, template, ctx)


def _item_save(request, dt, item=None):
    """Shared by create and edit: a full page without HTMX, the editor partial (+ the table) with it."""
    form = dict_item_form(request.POST or None, dict_type=dt, item=item)
    saved = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = actions.dict_item_save(
                actor=request.user,
                dict_type=dt,
                item=item,
                code=item.code if item else data["code"],
                label=data["label"],
                label_en=data["label_en"],
                sort_order=data["sort_order"],
                is_active=data["is_active"],
                parent=data["parent"],
            )
        except ValidationError as exc:
            apply_action_errors(form, exc)
    if saved is not None:
        text = _("Item %(code)s saved.") % {"code": saved.code}
        if not request.htmx:
            messages.success(request, text)
            query = request.GET.urlencode()
            return redirect(reverse("dict-detail", args=[dt.pk]) + (f"?{query}" if query else ""))
        ctx = _dict_context(request, dt, DictItemForm(dict_type=dt))
        ctx.update(saved_message=text, refresh_items=True, highlight=saved.pk)
        return render(request, "platform/dict_detail.html#editor", ctx)
    ctx = _dict_context(request, dt, form, item=item)
    if request.htmx:
        return render(request, "platform/dict_detail.html#editor", ctx)
    return render(request, "platform/dict_item_form.html", ctx)


@admin_view
@require_http_methods(["GET", "POST"])
def dict_item_create(request, pk):
    return _item_save(request, queries.dict_type_get(pk))


@admin_view
@require_http_methods(["GET", "POST"])
def dict_item_edit(request, pk, item_pk):
    dt = queries.dict_type_get(pk)
    return _item_save(request, dt, queries.dict_item_get(dt, item_pk))


# --- calendars and holidays -----------------------------------------------------------------
def _year(request) -> int:
    return _int(request.GET.get("year") or request.POST.get("year"), timezone.localdate().year, 1900, 2999)


def _holiday_context(year: int, form=None) -> dict:
    holidays = list(queries.holiday_list(year=year).order_by("date"))
    return {
        "year": year,
        "holidays": holidays,
        "holiday_form": form or HolidayForm(),
        "holiday_count": sum(1 for h in holidays if h.kind == "holiday"),
        "workday_count": sum(1 for h in holidays if h.kind == "workday"),
    }


@admin_view
def calendar_list(request):
    calendars = list(queries.calendar_list())
    default_code = parameters.param("sla.default_calendar")
    for cal in calendars:
        cal.rows = weekly_rows(cal)
        cal.weekly_total = sum(r["hours"] for r in cal.rows)
        cal.is_default = cal.code == default_code
    calendars.sort(key=lambda cal: (not cal.is_default, cal.code))  # the SLA default first
    ctx = {
        "calendars": calendars,
        "deadline_form": DeadlineForm(initial=DeadlineForm.default_initial(default_code)),
        **_holiday_context(_year(request)),
    }
    template = "platform/calendar_list.html#holidays" if request.htmx else "platform/calendar_list.html"
    return render(request, template, ctx)


@admin_view
@require_http_methods(["GET", "POST"])
def calendar_edit(request, pk):
    cal = queries.calendar_get(pk)
    form = CalendarForm(request.POST or None, calendar=cal)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.work_calendar_update(
                actor=request.user,
                calendar=cal,
                weekly_hours=data["weekly_hours"],
                name=data["name"],
                name_en=data["name_en"],
                observe_holidays=data["observe_holidays"],
            )
        except ValidationError as exc:
            apply_action_errors(form, exc)
        else:
            messages.success(
                request,
                _("Working hours of %(name)s saved; new deadlines use them at once.")
                % {"name": data["name"]},
            )
            return redirect("calendar-list")
    return render(request, "platform/calendar_edit.html", {"cal": cal, "form": form})


@admin_view
@require_http_methods(["GET", "POST"])
def holiday_create(request):
    form = HolidayForm(request.POST or None, initial={"date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        replaced = queries.holiday_list().filter(date=data["date"]).exists()
        try:
            h = actions.holiday_save(
                actor=request.user, date=data["date"], name=data["name"], kind=data["kind"]
            )
        except ValidationError as exc:
            apply_action_errors(form, exc)
        else:
            text = (
                _("%(date)s %(name)s saved (it replaced the earlier entry of that day).")
                if replaced
                else _("%(date)s %(name)s saved.")
            ) % {"date": h.date.isoformat(), "name": h.name}
            if request.htmx:
                ctx = _holiday_context(h.date.year)
                ctx.update(holiday_message=text, highlight=h.pk)
                return render(request, "platform/calendar_list.html#holidays", ctx)
            messages.success(request, text)
            return redirect(f"{reverse('calendar-list')}?year={h.date.year}#holidays")
    if request.htmx:
        return render(request, "platform/calendar_list.html#holidays", _holiday_context(_year(request), form))
    return render(request, "platform/holiday_form.html", {"holiday_form": form, "year": _year(request)})


@admin_view
@require_POST
def holiday_delete(request, pk):
    h = queries.holiday_get(pk)
    year, text = h.date.year, _("%(date)s %(name)s deleted.") % {"date": h.date.isoformat(), "name": h.name}
    actions.holiday_delete(actor=request.user, holiday=h)
    if request.htmx:
        ctx = _holiday_context(year)
        ctx["holiday_message"] = text
        return render(request, "platform/calendar_list.html#holidays", ctx)
    messages.success(request, text)
    return redirect(f"{reverse('calendar-list')}?year={year}#holidays")


@admin_view
def deadline_calculator(request):
    default_code = parameters.param("sla.default_calendar")
    bound = any(k in request.GET for k in ("calendar", "start", "minutes"))
    form = DeadlineForm(request.GET if bound else None, initial=DeadlineForm.default_initial(default_code))
    result = None
    if bound and form.is_valid():
        data = form.cleaned_data
        try:
            spec = calendar.load(data["calendar"].code)
            start = timezone.localtime(data["start"])
            deadline = calendar.add_working_time(spec, start, data["minutes"])
            clock_start = calendar.add_working_time(spec, start, 0)
        except ValueError:
            form.add_error(
                "calendar",
                _("This calendar has no working time in the next ten years; check its weekly hours."),
            )
        else:
            elapsed = deadline - start
            result = {
                "calendar": _localized(data["calendar"]),
                "start": start,
                "minutes": data["minutes"],
                "deadline": timezone.localtime(deadline),
                "clock_start": timezone.localtime(clock_start),
                "starts_later": clock_start > start,
                "elapsed_days": elapsed.days,
                "elapsed_hours": round(elapsed.seconds / 3600, 1),
                "working_hours": round(data["minutes"] / 60, 2),
            }
    ctx = {"deadline_form": form, "result": result}
    template = "platform/calendar_deadline.html#result" if request.htmx else "platform/calendar_deadline.html"
    return render(request, template, ctx)
