"""Coverage pages (RES-4): the installability check with the covered addresses, the network
elements with their capacity, and the import. One operation per view: parse the form, call a query
or an action, render (a template-partials fragment for HTMX requests)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import capfirst
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from telcrm.customers.views._common import paginate_capped
from telcrm.platform import queries as platform_queries
from telcrm.platform.models import AuditLog, Job, JobStatus
from telcrm.platform.parameters import param
from telcrm.web.decorators import scoped_view
from telcrm.web.forms import apply_action_errors

from . import actions, imports, queries
from .forms import (
    AddressFilterForm,
    AddressForm,
    CheckForm,
    ElementEditForm,
    ElementFilterForm,
    ElementForm,
    ImportForm,
)
from .i18n import gettext as _
from .models import CoveredAddress, ElementStatus, NetworkElement
from .parameters import CAPACITY_WARN_PERCENT, IMPORT_MAX_MB

VIEW = "coverage.view_coverage"
MANAGE = "coverage.manage_coverage"
ELEMENT_ADDRESSES = 25  # covered addresses shown on an element's page (the list has them all)
RECENT_IMPORTS = 5
HISTORY = 10  # audit entries on an element's page


def _partial(request, template: str, name: str) -> str:
    return f"{template}#{name}" if request.htmx and not request.htmx.boosted else template


def _labels(model, *names) -> dict:
    return {n: capfirst(model._meta.get_field(n).verbose_name) for n in names}


def _common(request, tab: str) -> dict:
    return {
        "tab": tab,
        "can_manage": request.user.has_perm(MANAGE),
        "warn_percent": int(param(CAPACITY_WARN_PERCENT)),
    }


# --- check and covered addresses ----------------------------------------------------------------------
def _check(request, form: CheckForm) -> dict:
    result = queries.installability(form.address())
    visible = queries.element_visible_codes(request.user, [m.element_code for m in result.matches])
    urls = {
        m.element_code: reverse("coverage-element-detail", args=[m.element_id])
        for m in result.matches
        if m.element_code in visible
    }
    return {
        "result": result,
        "option_rows": [(o, urls.get(o.element_code)) for o in result.options],
        "match_rows": [(m, urls.get(m.element_code)) for m in result.matches],
    }


@scoped_view(perm=VIEW)
@require_GET
def coverage_list(request):
    """可装查询: the check form (prefilled from ``?check-…``, e.g. from a customer's page) and the
    covered addresses in scope with filters."""
    bound = any(k.startswith("check-") for k in request.GET)
    check_form = CheckForm(request.GET if bound else None, prefix="check")
    ctx = _common(request, "addresses")
    if bound and check_form.is_valid():
        ctx.update(_check(request, check_form))
    filter_form = AddressFilterForm(request.GET)
    filters = filter_form.filters()
    page = paginate_capped(request, queries.address_list(request.user, **filters))
    ctx.update(
        check_form=check_form,
        checked=bound,
        filter_form=filter_form,
        filtered=bool(filters),
        page=page,
        labels=_labels(
            CoveredAddress, "street", "building", "element", "technology", "max_bandwidth_mbps", "org_unit"
        ),
    )
    return render(request, _partial(request, "coverage/coverage_list.html", "results"), ctx)


@scoped_view(perm=VIEW)
@require_GET
def coverage_check(request):
    """The result card of a check (HTMX); a plain request goes to the page with the form filled."""
    if not request.htmx:
        return redirect(f"{reverse('coverage-list')}?{request.GET.urlencode()}")
    form = CheckForm(request.GET, prefix="check")
    ctx = {"check_form": form, "checked": True}
    if form.is_valid():
        ctx.update(_check(request, form))
    # 200 also for a form with errors: htmx swaps only successful responses, and the errors show under
    # the fields of the swapped form
    return render(request, "coverage/coverage_list.html#check-result", ctx)


# --- network elements ---------------------------------------------------------------------------------
@scoped_view(perm=VIEW)
@require_GET
def element_list(request):
    form = ElementFilterForm(request.GET)
    filters = form.filters()
    ctx = _common(request, "elements")
    page = paginate_capped(request, queries.element_list(request.user, **filters))
    ctx.update(
        form=form,
        page=page,
        sort=filters["sort"],
        filtered=any(k != "sort" for k in filters),
        summary=queries.element_summary(request.user),
        free_ports_label=_("Free ports"),
        labels=_labels(
            NetworkElement,
            "code",
            "kind",
            "technology",
            "status",
            "org_unit",
            "ports_used",
            "max_bandwidth_mbps",
        ),
    )
    return render(request, _partial(request, "coverage/element_list.html", "results"), ctx)


@scoped_view(perm=VIEW)
@require_GET
def element_detail(request, pk):
    element = queries.element_get(request.user, pk)
    addresses = queries.address_list(request.user, element=element)
    ctx = _common(request, "elements")
    history = []
    if request.user.has_perm("platform.view_audit"):
        history = list(
            AuditLog.objects.filter(
                object_type="coverage.networkelement", object_id=str(element.pk)
            ).order_by("-id")[:HISTORY]
        )
    ctx.update(
        element=element,
        addresses=list(addresses[:ELEMENT_ADDRESSES]),
        address_count=addresses.count(),
        history=history,
        labels=_labels(
            NetworkElement,
            "code",
            "name",
            "kind",
            "technology",
            "org_unit",
            "location",
            "ports_total",
            "ports_used",
            "max_bandwidth_mbps",
            "status",
            "created_at",
            "updated_at",
        ),
        address_labels=_labels(CoveredAddress, "street", "building", "technology", "max_bandwidth_mbps"),
    )
    return render(request, "coverage/element_detail.html", ctx)


@scoped_view(perm=MANAGE)
@require_http_methods(["GET", "POST"])
def element_create(request):
    form = ElementForm(request.POST or None, actor=request.user, initial={"status": ElementStatus.PLANNED})
    if request.method == "POST" and form.is_valid():
        try:
            element = actions.element_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_action_errors(form, exc)
        else:
            messages.success(request, _("Network element %(code)s registered.") % {"code": element.code})
            return redirect("coverage-element-detail", pk=element.pk)
    ctx = {**_common(request, "elements"), "form": form, "element": None}
    return render(request, "coverage/element_form.html", ctx, status=400 if form.errors else 200)


@scoped_view(perm=MANAGE)
@require_http_methods(["GET", "POST"])
def element_edit(request, pk):
    element = queries.element_get(request.user, pk)
    initial = {
        "name": element.name,
        "kind": element.kind,
        "org_unit": element.org_unit_id,
        "location": element.location,
        "ports_total": element.ports_total,
        "max_bandwidth_mbps": element.max_bandwidth_mbps,
        "status": element.status,
    }
    form = ElementEditForm(request.POST or None, actor=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        changes = {k: v for k, v in form.cleaned_data.items() if k in form.changed_data}
        try:
            if changes:
                actions.element_update(actor=request.user, element=element, **changes)
        except ValidationError as exc:
            apply_action_errors(form, exc)
        else:
            messages.success(request, _("Network element %(code)s saved.") % {"code": element.code})
            return redirect("coverage-element-detail", pk=element.pk)
    ctx = {**_common(request, "elements"), "form": form, "element": element}
    return render(request, "coverage/element_form.html", ctx, status=400 if form.errors else 200)


@scoped_view(perm=MANAGE)
@require_POST
def element_retire(request, pk):
    element = queries.element_get(request.user, pk)
    try:
        actions.element_retire(actor=request.user, element=element)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Network element %(code)s retired.") % {"code": element.code})
    return redirect("coverage-element-detail", pk=element.pk)


# --- covered addresses --------------------------------------------------------------------------------
def _address_back(address_or_element) -> str:
    element_id = getattr(address_or_element, "element_id", None) or getattr(address_or_element, "pk", None)
    return reverse("coverage-element-detail", args=[element_id]) if element_id else reverse("coverage-list")


@scoped_view(perm=MANAGE)
@require_http_methods(["GET", "POST"])
def address_create(request):
    element = None
    code = request.GET.get("element", "")
    if code:
        element = queries.element_by_code(request.user, code)
    initial = {"element": element.code if element else ""}
    form = AddressForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            row = actions.covered_address_create(actor=request.user, **form.values())
        except ValidationError as exc:
            apply_action_errors(form, exc)
        else:
            messages.success(request, _("Covered address saved: %(address)s.") % {"address": str(row)})
            return redirect("coverage-element-detail", pk=row.element_id)
    ctx = {**_common(request, "addresses"), "form": form, "address": None, "element": element}
    return render(request, "coverage/address_form.html", ctx, status=400 if form.errors else 200)


@scoped_view(perm=MANAGE)
@require_http_methods(["GET", "POST"])
def address_edit(request, pk):
    row = queries.address_get(request.user, pk)
    initial = {
        "element": row.element.code,
        "province": row.province,
        "city": row.city,
        "district": row.district,
        "street": row.street,
        "building": row.building,
        "technology": row.technology,
        "max_bandwidth_mbps": row.max_bandwidth_mbps,
    }
    form = AddressForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        changes = {k: v for k, v in form.values().items() if k in form.changed_data}
        try:
            if changes:
                row = actions.covered_address_update(actor=request.user, address=row, **changes)
        except ValidationError as exc:
            apply_action_errors(form, exc)
        else:
            messages.success(request, _("Covered address saved: %(address)s.") % {"address": str(row)})
            return redirect("coverage-element-detail", pk=row.element_id)
    ctx = {**_common(request, "addresses"), "form": form, "address": row, "element": row.element}
    return render(request, "coverage/address_form.html", ctx, status=400 if form.errors else 200)


@scoped_view(perm=MANAGE)
@require_POST
def address_retire(request, pk):
    row = queries.address_get(request.user, pk)
    try:
        actions.covered_address_retire(actor=request.user, address=row)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Covered address retired: %(address)s.") % {"address": str(row)})
    return HttpResponseRedirect(request.POST.get("next") or _address_back(row))


# --- import -------------------------------------------------------------------------------------------
def _recent_imports(user):
    return list(
        Job.objects.filter(owner=user, kind=imports.JOB_KIND)
        .order_by("-created_at")
        .only(
            "pk", "title", "status", "created_at", "finished_at", "result", "progress_done", "progress_total"
        )[:RECENT_IMPORTS]
    )


@scoped_view(perm=MANAGE)
@require_http_methods(["GET", "POST"])
def import_form(request):
    form = ImportForm(request.POST, request.FILES) if request.method == "POST" else ImportForm()
    if request.method == "POST" and form.is_valid():
        try:
            job = imports.import_start(
                actor=request.user, uploaded=form.cleaned_data["file"], layout=form.layout
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if form.layout.ignored:
                messages.warning(
                    request,
                    _("These columns were not recognised and are ignored: %(columns)s")
                    % {"columns": "、".join(form.layout.ignored)},
                )
            return redirect("coverage-import-detail", pk=job.pk)
    lang = translation.get_language() or "zh-hans"
    ctx = {
        **_common(request, "import"),
        "form": form,
        "columns": [
            {"header": c.header(lang), "other": c.en if c.header(lang) == c.zh else c.zh, "spec": c}
            for c in imports.COLUMNS
        ],
        "recent": _recent_imports(request.user),
        "max_mb": int(param(IMPORT_MAX_MB)),
    }
    return render(
        request, "coverage/import_form.html", ctx, status=400 if form.is_bound and form.errors else 200
    )


def _import_job(request, pk) -> Job:
    job = platform_queries.job_get(request.user, pk)
    if job.kind != imports.JOB_KIND:
        from telcrm.platform.errors import NotFoundInScope

        raise NotFoundInScope()
    return job


@never_cache
@scoped_view(perm=MANAGE)
@require_GET
def import_detail(request, pk):
    """The import's progress bar (polled by HTMX every second while it runs; 286 stops the polling),
    then its result: rows imported, rows with errors and the error report to download."""
    job = _import_job(request, pk)
    ctx = {
        **_common(request, "import"),
        "job": job,
        "result": job.result or {},
        "can_download": job.status == JobStatus.SUCCEEDED and bool(job.result_file),
        "can_retry": job.status in (JobStatus.FAILED, JobStatus.CANCELLED),
        "error_summary": job.error.split("\n\n", 1)[0][:300],
    }
    if request.htmx and not request.htmx.boosted:
        return render(
            request, "coverage/import_detail.html#progress", ctx, status=286 if job.is_finished else 200
        )
    return render(request, "coverage/import_detail.html", ctx)


@scoped_view(perm=MANAGE)
@require_GET
def import_template(request):
    lang = translation.get_language() or "zh-hans"
    response = HttpResponse(imports.template_csv(lang), content_type="text/csv; charset=utf-8")
    name = f"coverage-import-template-{timezone.localdate():%Y%m%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def check_url(address) -> str:
    """The check page for an address (a dict or a row with province/city/district/street), prefilled."""
    from .normalize import address_parts

    parts = address_parts(address)
    query = {f"check-{k}": v for k, v in parts.items() if v}
    return f"{reverse('coverage-list')}?{urlencode(query)}#check"
