"""Deliveries (入库): the list, receiving a file (upload → job progress → result), the template."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from telcrm.web.decorators import paginate, scoped_view
from telcrm.web.forms import apply_action_errors

from .. import actions, imports, queries
from ..forms import ReceiveForm
from ..models import BatchStatus
from ..permissions import MANAGE, VIEW
from ..states import ItemType
from ._common import perms


@scoped_view(perm=VIEW)
def batch_list(request):
    item_type = request.GET.get("type") or ""
    if item_type not in ItemType.values:
        item_type = ""
    page = paginate(request, queries.batch_list(request.user, item_type=item_type))
    return render(
        request,
        "stock/batch_list.html",
        {"page": page, "item_type": item_type, "item_types": ItemType.choices, "can": perms(request.user)},
    )


@scoped_view(perm=MANAGE)
@require_http_methods(["GET", "POST"])
def batch_receive(request):
    form = ReceiveForm(request.POST or None, request.FILES or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            batch = actions.stock_batch_start(
                actor=request.user,
                org_unit=data["org_unit"],
                item_type=data["item_type"],
                sim_kind=data.get("sim_kind") or "",
                supplier=data.get("supplier", ""),
                delivery_note=data.get("delivery_note", ""),
                uploaded=data["file"],
                layout=form.layout,
            )
        except ValidationError as exc:
            apply_action_errors(form, exc)
        else:
            messages.success(request, _("The delivery is being received; the page shows its progress."))
            if form.layout.ignored:
                messages.warning(
                    request,
                    _("These columns were not recognised and are ignored: %(columns)s")
                    % {"columns": "、".join(form.layout.ignored)},
                )
            return redirect(reverse("stock-batch-detail", args=[batch.pk]))
    lang = translation.get_language() or "zh-hans"
    columns = {
        t: [
            {"header": c.header(lang), "other": c.en if c.header(lang) == c.zh else c.zh, "spec": c}
            for c in cols
        ]
        for t, cols in imports.COLUMNS.items()
    }
    ctx = {
        "form": form,
        "columns": columns,
        "recent": list(queries.batch_list(request.user)[:5]),
        "can": perms(request.user),
    }
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "stock/batch_receive.html", ctx, status=status)


def _batch_context(request, batch) -> dict:
    job = batch.job
    finished = batch.status != BatchStatus.IMPORTING or (job is not None and job.is_finished)
    return {
        "batch": batch,
        "job": job,
        "finished": finished,
        "can_download": job is not None and job.status == "succeeded" and bool(job.result_file),
        "can": perms(request.user),
    }


@scoped_view(perm=VIEW)
def batch_detail(request, pk):
    batch = queries.batch_get(request.user, pk)
    return render(request, "stock/batch_detail.html", _batch_context(request, batch))


@never_cache
@scoped_view(perm=VIEW)
@require_GET
def batch_progress(request, pk):
    """The progress partial; once the delivery is done it comes without the poll trigger and with
    HTTP 286, which tells htmx to stop polling."""
    batch = queries.batch_get(request.user, pk)
    ctx = _batch_context(request, batch)
    return render(request, "stock/batch_detail.html#progress", ctx, status=286 if ctx["finished"] else 200)


@scoped_view(perm=MANAGE)
@require_GET
def batch_template(request, item_type):
    if item_type not in ItemType.values:
        item_type = ItemType.SIM
    content = imports.template_workbook(item_type, translation.get_language())
    name = f"stock-delivery-{item_type}-template-{timezone.localdate():%Y%m%d}.xlsx"
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
