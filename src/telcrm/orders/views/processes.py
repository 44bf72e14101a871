"""Processes in the UI (流程配置): definitions, their versions as diagrams (bpmn-js), the draft edited
in the modeler or as XML, upload and download, publish; running instances with their steps.

Reading needs orders.view_process; every change needs orders.manage_process. One operation per view:
parse the form, call the action or query, render the page or redirect.
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from telcrm.web.decorators import paginate, scoped_view
from telcrm.web.forms import apply_action_errors

from .. import actions, queries
from ..forms import DefinitionCreateForm, DefinitionEditForm, DraftForm, PublishForm, UploadForm
from ..models import InstanceState, ProcessDefinition, VersionState
from ..permissions import MANAGE_PROCESS, VIEW_PROCESS
from ..processes import bpmn, engine, registry, usertasks
from ..processes.starter import starter_xml

DETAIL = "orders/process_detail.html"


def view_process(fn):
    return scoped_view(fn, perm=VIEW_PROCESS)


def manage_process(fn):
    return scoped_view(fn, perm=MANAGE_PROCESS)


def _detail_url(definition, anchor: str = "") -> str:
    url = reverse("process-detail", args=[definition.pk])
    return f"{url}#{anchor}" if anchor else url


def error_items(exc: ValidationError) -> list[dict]:
    """The messages of a BPMN ValidationError with the element each names (to mark the diagram)."""
    items = []
    errors = exc.error_dict.get(bpmn.FIELD, []) if hasattr(exc, "error_dict") else exc.error_list
    if hasattr(exc, "error_dict"):
        for field, errs in exc.error_dict.items():
            if field != bpmn.FIELD:
                errors = [*errors, *errs]
    for e in errors:
        params = e.params or {}
        text = str(e.message) % {k: str(v) for k, v in params.items()} if params else str(e.message)
        items.append({"message": text, "element": params.get("element_id") or "", "code": e.code})
    return items


# --- definitions -----------------------------------------------------------------------------------------
@view_process
def definition_list(request):
    q = request.GET.get("q", "").strip()[:100]
    page = paginate(request, queries.definition_list(request.user, q=q))
    return render(
        request,
        "orders/process_list.html",
        {"page": page, "q": q, "can_manage": request.user.has_perm(MANAGE_PROCESS)},
    )


@manage_process
@require_http_methods(["GET", "POST"])
def definition_create(request):
    form = DefinitionCreateForm(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        xml = data["bpmn_file"] or starter_xml(data["key"], data["name"])
        try:
            definition = actions.process_definition_create(
                actor=request.user,
                key=data["key"],
                name=data["name"],
                name_en=data["name_en"],
                description=data["description"],
                bpmn_xml=xml,
            )
        except ValidationError as exc:
            errors = error_items(exc) if hasattr(exc, "error_dict") and bpmn.FIELD in exc.error_dict else []
            if not errors:
                apply_action_errors(form, exc)
        else:
            messages.success(
                request,
                _("Process %(key)s created with a draft. Edit it, then publish it.")
                % {"key": definition.key},
            )
            return redirect(_detail_url(definition))
    return render(
        request, "orders/process_form.html", {"form": form, "definition": None, "bpmn_errors": errors}
    )


@manage_process
@require_http_methods(["GET", "POST"])
def definition_edit(request, pk):
    definition = queries.definition_get(request.user, pk)
    initial = {"name": definition.name, "name_en": definition.name_en, "description": definition.description}
    form = DefinitionEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.process_definition_update(actor=request.user, definition=definition, **form.cleaned_data)
        except ValidationError as exc:
            apply_action_errors(form, exc)
        else:
            messages.success(request, _("Process %(key)s saved.") % {"key": definition.key})
            return redirect(_detail_url(definition))
    return render(
        request, "orders/process_form.html", {"form": form, "definition": definition, "bpmn_errors": []}
    )


def _handler_reference() -> list[dict]:
    from telcrm.platform.models.base import english_ui

    en = english_ui()
    return [
        {"name": h.name, "label": (h.label_en or h.label) if en else (h.label or h.label_en), "stub": h.stub}
        for h in registry.handlers()
    ]


def _detail_context(
    request, definition: ProcessDefinition, *, xml=None, errors=None, upload_form=None, draft_form=None
) -> dict:
    version = queries.working_version(definition)
    versions = list(queries.version_list(request.user, definition)[:50])
    draft = next((v for v in versions if v.state == VersionState.DRAFT), None)
    active = next((v for v in versions if v.state == VersionState.ACTIVE), None)
    can_manage = request.user.has_perm(MANAGE_PROCESS)
    return {
        "definition": definition,
        "version": version,
        "versions": versions,
        "draft": draft,
        "active": active,
        "xml": xml if xml is not None else (version.bpmn_xml if version else ""),
        "bpmn_errors": errors or [],
        "marks": {"error": sorted({e["element"] for e in errors or [] if e["element"]})},
        "draft_token": actions.draft_token(draft),
        "can_manage": can_manage,
        "editing": can_manage,
        "upload_form": upload_form or UploadForm(),
        "draft_form": draft_form or DraftForm(),
        "publish_form": PublishForm(),
        "handlers": _handler_reference() if can_manage else [],
        "categories": queries.category_choices(),
        "field_types": usertasks.FIELD_TYPES,
    }


@view_process
def definition_detail(request, pk):
    definition = queries.definition_get(request.user, pk)
    return render(request, DETAIL, _detail_context(request, definition))


@manage_process
@require_POST
def draft_save(request, pk):
    """The draft from the modeler (its XML) or the XML editor."""
    definition = queries.definition_get(request.user, pk)
    form = DraftForm(request.POST)
    if not form.is_valid():
        ctx = _detail_context(
            request,
            definition,
            draft_form=form,
            errors=[{"message": m, "element": ""} for m in form.errors.get("bpmn_xml", [])],
        )
        return render(request, DETAIL, ctx, status=400)
    data = form.cleaned_data
    try:
        draft = actions.process_draft_save(
            actor=request.user,
            definition=definition,
            bpmn_xml=data["bpmn_xml"],
            comment=data["comment"],
            expected=data["draft_token"] or "",
        )
    except ValidationError as exc:
        ctx = _detail_context(
            request, definition, xml=data["bpmn_xml"], errors=error_items(exc), draft_form=form
        )
        return render(request, DETAIL, ctx, status=400)
    messages.success(
        request,
        _("Draft version %(number)s saved. Publish it to put it in force.") % {"number": draft.number},
    )
    return redirect(_detail_url(definition))


@manage_process
@require_POST
def upload(request, pk):
    definition = queries.definition_get(request.user, pk)
    form = UploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            draft = actions.process_draft_save(
                actor=request.user,
                definition=definition,
                bpmn_xml=form.cleaned_data["bpmn_file"],
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as exc:
            ctx = _detail_context(
                request,
                definition,
                xml=form.cleaned_data["bpmn_file"],
                errors=error_items(exc),
                upload_form=form,
            )
            return render(request, DETAIL, ctx, status=400)
        messages.success(request, _("The file is now draft version %(number)s.") % {"number": draft.number})
        return redirect(_detail_url(definition))
    return render(request, DETAIL, _detail_context(request, definition, upload_form=form), status=400)


@manage_process
@require_POST
def validate(request):
    """Check XML from the modeler without saving it (the editor's Check button)."""
    xml = request.POST.get("bpmn_xml", "")
    try:
        compiled = bpmn.compile_xml(xml)
    except ValidationError as exc:
        errors = error_items(exc)
        return render(request, "orders/_bpmn_check.html", {"bpmn_errors": errors, "valid": False})
    return render(
        request,
        "orders/_bpmn_check.html",
        {"valid": True, "elements": [e.as_dict() for e in compiled.elements]},
    )


@manage_process
@require_POST
def publish(request, pk):
    definition = queries.definition_get(request.user, pk)
    version = queries.working_version(definition)
    form = PublishForm(request.POST)
    if version is None or version.state != VersionState.DRAFT:
        messages.error(request, _("There is no draft to publish."))
        return redirect(_detail_url(definition))
    if form.is_valid():
        try:
            actions.process_version_publish(
                actor=request.user, version=version, comment=form.cleaned_data["comment"]
            )
        except ValidationError as exc:
            for item in error_items(exc)[:5]:
                messages.error(request, item["message"])
        else:
            messages.success(
                request,
                _("Version %(number)s is active: new orders follow it; running ones finish on their version.")
                % {"number": version.number},
            )
    return redirect(_detail_url(definition))


@manage_process
@require_POST
def discard(request, pk):
    definition = queries.definition_get(request.user, pk)
    version = queries.working_version(definition)
    if version is not None and version.state == VersionState.DRAFT:
        actions.process_draft_discard(actor=request.user, version=version)
        messages.success(request, _("Draft version %(number)s discarded.") % {"number": version.number})
    return redirect(_detail_url(definition))


# --- versions -----------------------------------------------------------------------------------------------
@view_process
def version_detail(request, pk, number):
    definition = queries.definition_get(request.user, pk)
    version = queries.version_get(request.user, definition, number)
    counts = dict(
        queries.instance_list(request.user, definition=definition)
        .filter(version=version)
        .order_by()
        .values_list("state")
        .annotate(n=Count("id"))
    )
    ctx = {
        "definition": definition,
        "version": version,
        "xml": version.bpmn_xml,
        "counts": [(InstanceState(k).label, v) for k, v in counts.items()],
        "can_manage": request.user.has_perm(MANAGE_PROCESS),
        "has_draft": definition.has_draft,
    }
    return render(request, "orders/process_version.html", ctx)


@view_process
def version_download(request, pk, number):
    definition = queries.definition_get(request.user, pk)
    version = queries.version_get(request.user, definition, number)
    response = HttpResponse(version.bpmn_xml, content_type="application/xml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{definition.key}-v{version.number}.bpmn"'
    return response


@manage_process
@require_POST
def version_restore(request, pk, number):
    definition = queries.definition_get(request.user, pk)
    version = queries.version_get(request.user, definition, number)
    try:
        draft = actions.process_version_restore(actor=request.user, version=version)
    except ValidationError as exc:
        for item in error_items(exc)[:5]:
            messages.error(request, item["message"])
        return redirect(reverse("process-version", args=[definition.pk, version.number]))
    messages.success(
        request,
        _("Version %(old)s copied into draft version %(number)s.")
        % {"old": version.number, "number": draft.number},
    )
    return redirect(_detail_url(definition))


@manage_process
@require_POST
def version_retire(request, pk, number):
    definition = queries.definition_get(request.user, pk)
    version = queries.version_get(request.user, definition, number)
    try:
        actions.process_version_retire(actor=request.user, version=version)
    except ValidationError as exc:
        for item in error_items(exc)[:5]:
            messages.error(request, item["message"])
    else:
        messages.success(
            request, _("Version %(number)s retired: no new orders start on it.") % {"number": version.number}
        )
    return redirect(_detail_url(definition))


# --- instances ----------------------------------------------------------------------------------------------
@view_process
def instance_list(request):
    state = request.GET.get("state", "")
    state = state if state in InstanceState.values else ""
    definition = request.GET.get("definition", "")
    definition = int(definition) if definition.isdigit() and len(definition) < 10 else None
    q = request.GET.get("q", "").strip()[:64]
    page = paginate(request, queries.instance_list(request.user, definition=definition, state=state, q=q))
    ctx = {
        "page": page,
        "state": state,
        "states": InstanceState.choices,
        "definition": definition,
        "definitions": list(queries.definition_list(request.user).values_list("pk", "key")),
        "q": q,
    }
    return render(request, "orders/instance_list.html", ctx)


@view_process
def instance_detail(request, pk):
    instance = queries.instance_get(request.user, pk)
    marks = engine.waiting_tasks(instance)
    ctx = {
        "instance": instance,
        "xml": instance.version.bpmn_xml,
        "marks": {
            "done": marks["done"],
            "active": marks["active"],
            "error": [instance.error_task]
            if instance.state == InstanceState.FAILED and instance.error_task
            else [],
        },
        "data": json.dumps(marks["data"], ensure_ascii=False, indent=2, default=str)[:20000],
        "steps": list(queries.instance_steps(instance)[:500]),
        "work_orders": list(queries.instance_work_orders(request.user, instance)),
        "can_manage": request.user.has_perm(MANAGE_PROCESS),
    }
    return render(request, "orders/instance_detail.html", ctx)


@manage_process
@require_POST
def instance_retry(request, pk):
    instance = queries.instance_get(request.user, pk)
    try:
        actions.process_retry(actor=request.user, instance=instance)
    except ValidationError as exc:
        for text in exc.messages[:3]:
            messages.error(request, text)
    else:
        messages.success(
            request, _("Process %(no)s runs again from its last completed step.") % {"no": instance.number}
        )
    return redirect(reverse("process-instance-detail", args=[instance.pk]))


@manage_process
@require_POST
def instance_cancel(request, pk):
    instance = queries.instance_get(request.user, pk)
    try:
        actions.process_cancel(actor=request.user, instance=instance, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        for text in exc.messages[:3]:
            messages.error(request, text)
    else:
        messages.success(request, _("Process %(no)s cancelled.") % {"no": instance.number})
    return redirect(reverse("process-instance-detail", args=[instance.pk]))
