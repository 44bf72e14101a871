"""Customer import pages (CUS-7): the upload form, and the .xlsx template built on request.

One operation per view: the form checks the file (imports.inspect_upload), ``imports.import_start``
stores it and starts the job, and the browser goes to the job page with its live progress bar and,
at the end, the error report to download.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.views.decorators.http import require_GET, require_http_methods

from telcrm.platform.models import Job
from telcrm.platform.parameters import param
from telcrm.web.decorators import scoped_view
from telcrm.web.forms import BootstrapMixin

from . import imports
from .imports import _

RECENT_JOBS = 5


class ImportForm(BootstrapMixin, forms.Form):
    file = forms.FileField(
        label=_("File"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
        error_messages={
            "required": _("Choose an .xlsx or .csv file to import."),
            "empty": _("The file is empty."),
            "invalid": _("No file was received; choose the file again."),
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.layout: imports.Layout | None = None
        self.fields["file"].help_text = _(
            "Excel workbook (.xlsx) or CSV (UTF-8 or GBK), up to %(max)d MB; the first sheet is read."
        ) % {"max": int(param("customers.import_max_mb"))}

    def clean_file(self):
        f = self.cleaned_data["file"]
        self.layout = imports.inspect_upload(f.file, f.name, f.size)
        return f


def _recent_jobs(user):
    return list(
        Job.objects.filter(owner=user, kind=imports.JOB_KIND)
        .order_by("-created_at")
        .only(
            "pk", "title", "status", "created_at", "finished_at", "result", "progress_done", "progress_total"
        )[:RECENT_JOBS]
    )


@scoped_view(perm=imports.IMPORT_PERM)
@require_http_methods(["GET", "POST"])
def customer_import(request):
    form = ImportForm(request.POST, request.FILES) if request.method == "POST" else ImportForm()
    if request.method == "POST" and form.is_valid():
        try:
            job = imports.import_start(
                actor=request.user, uploaded=form.cleaned_data["file"], layout=form.layout
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The import has started; the page shows its progress."))
            if form.layout.ignored:
                messages.warning(
                    request,
                    _("These columns were not recognised and are ignored: %(columns)s")
                    % {"columns": "、".join(form.layout.ignored)},
                )
            return HttpResponseRedirect(reverse("job-detail", args=[job.pk]))
    lang = translation.get_language() or "zh-hans"
    context = {
        "form": form,
        "columns": [
            {"header": s.header(lang), "other": s.en if s.header(lang) == s.zh else s.zh, "spec": s}
            for s in imports.COLUMNS
        ],
        "recent": _recent_jobs(request.user),
        "max_mb": int(param("customers.import_max_mb")),
    }
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "customers/import_form.html", context, status=status)


@scoped_view(perm=imports.IMPORT_PERM)
@require_GET
def customer_import_template(request):
    lang = translation.get_language() or "zh-hans"
    content = imports.template_workbook(lang)
    name = f"customer-import-template-{timezone.localdate():%Y%m%d}.xlsx"
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
