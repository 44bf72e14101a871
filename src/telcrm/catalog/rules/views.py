"""Rule tables in the UI (资格与兼容规则): the list, a table's grid editor, test panel, versions with
their diff, publish, upload and download of the DMN XML.

Reading needs catalog.view_catalog (or manage_catalog); every change, the test panel included,
needs catalog.manage_catalog. One operation per view: parse the form, call the action or query,
render a page or an HTMX partial.
"""

from __future__ import annotations

import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from telcrm.platform.errors import NotFoundInScope
from telcrm.web.decorators import paginate
from telcrm.web.forms import apply_action_errors

from . import actions, dmn, engine, queries
from .facts import FACTS, SAMPLES
from .forms import (
    FactsForm,
    PublishForm,
    TableCreateForm,
    TableEditForm,
    UploadForm,
    apply_op,
    grid_from_post,
    grid_view,
)
from .models import RuleKind, VersionStatus

MANAGE = actions.MANAGE
DETAIL = "catalog_rules/table_detail.html"


def _guard(fn, *, manage: bool):
    @functools.wraps(fn)
    def wrapper(request, *args, **kwargs):
        allowed = request.user.has_perm(MANAGE) if manage else queries.can_read(request.user)
        if not allowed:
            raise PermissionDenied
        try:
            return fn(request, *args, **kwargs)
        except NotFoundInScope as exc:
            raise Http404(str(exc.message)) from exc

    return login_required(wrapper)


def read_view(fn):
    return _guard(fn, manage=False)


def manage_view(fn):
    return _guard(fn, manage=True)


def _detail_url(table, anchor: str = "") -> str:
    url = reverse("catalog-rule-detail", args=[table.pk])
    return f"{url}#{anchor}" if anchor else url


def _go(request, url: str):
    """After a write: HTMX reloads the page it came from, a plain form is redirected."""
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


def _boolean(value: str) -> bool | None:
    return {"1": True, "0": False}.get(value)


# --- list ------------------------------------------------------------------------------------------
@read_view
def rule_list(request):
    q = request.GET.get("q", "").strip()[:100]
    kind = request.GET.get("kind", "")
    kind = kind if kind in RuleKind.values else ""
    active = request.GET.get("active", "")
    page = paginate(request, queries.table_list(request.user, q=q, kind=kind, active=_boolean(active)))
    ctx = {
        "page": page,
        "q": q,
        "kind": kind,
        "active": active if _boolean(active) is not None else "",
        "kinds": RuleKind.choices,
        "can_manage": request.user.has_perm(MANAGE),
        "filtered": bool(q or kind or _boolean(active) is not None),
    }
    template = "catalog_rules/table_list.html#results" if request.htmx else "catalog_rules/table_list.html"
    return render(request, template, ctx)


@manage_view
@require_http_methods(["GET", "POST"])
def rule_table_create(request):
    form = TableCreateForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            table = actions.rule_table_create(
                actor=request.user,
                code=data["code"],
                name=data["name"],
                name_en=data["name_en"],
                kind=data["kind"],
                description=data["description"],
                dmn_xml=data["dmn_file"],
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict") and dmn.FIELD in exc.error_dict:
                exc.error_dict["dmn_file"] = exc.error_dict.pop(dmn.FIELD)
            apply_action_errors(form, exc)
        else:
            messages.success(
                request,
                _("Table %(code)s created with a draft. Add its rows, then publish it.")
                % {"code": table.code},
            )
            return redirect(_detail_url(table))
    return render(request, "catalog_rules/table_form.html", {"form": form, "table": None})


@manage_view
@require_http_methods(["GET", "POST"])
def rule_table_edit(request, pk):
    table = queries.table_get(request.user, pk=pk)
    initial = {
        "name": table.name,
        "name_en": table.name_en,
        "kind": table.kind,
        "description": table.description,
        "is_active": table.is_active,
    }
    form = TableEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.rule_table_update(actor=request.user, table=table, **form.cleaned_data)
        except ValidationError as exc:
            apply_action_errors(form, exc)
        else:
            messages.success(request, _("Table %(code)s saved.") % {"code": table.code})
            return redirect(_detail_url(table))
    return render(request, "catalog_rules/table_form.html", {"form": form, "table": table})


# --- one table -------------------------------------------------------------------------------------
def _detail_context(request, table, *, grid=None, errors=None, facts_form=None, upload_form=None) -> dict:
    version = queries.working_version(table)
    if grid is None:
        grid = queries.grid_of(version) or dmn.starter_grid(table.name)
    versions = list(queries.version_list(request.user, table)[:50])
    draft = next((v for v in versions if v.status == VersionStatus.DRAFT), None)
    published = next((v for v in versions if v.status == VersionStatus.PUBLISHED), None)
    can_manage = request.user.has_perm(MANAGE)
    return {
        "table": table,
        "version": version,
        "draft": draft,
        "published": published,
        "versions": versions,
        "grid": grid_view(grid, errors),
        "decision_id": grid.decision_id,
        "draft_token": actions.draft_token(draft),
        "editing_published": can_manage and draft is None and published is not None,
        "next_number": (versions[0].number + 1) if versions else 1,
        "can_manage": can_manage,
        "facts": FACTS,
        "fact_choices": [f.name for f in FACTS],
        "facts_form": facts_form or FactsForm(),
        "upload_form": upload_form or UploadForm(),
        "publish_form": PublishForm(),
        "sample_count": len(SAMPLES),
        "test_sources": _test_sources(version),
    }


def _test_sources(version) -> list[tuple[str, str]]:
    out = []
    if version is not None:
        label = _("Version %(number)s (%(status)s)") % {
            "number": version.number,
            "status": VersionStatus(version.status).label,
        }
        out.append((f"v{version.number}", label))
    out.append(("live", _("All tables in force (what orders see)")))
    return out


@read_view
def rule_table_detail(request, pk):
    table = queries.table_get(request.user, pk=pk)
    return render(request, DETAIL, _detail_context(request, table))


@manage_view
@require_POST
def rule_grid(request, pk):
    """Every button of the grid editor: add/remove/move rows and columns, validate, save the draft.

    Structural buttons only change the posted grid (nothing is stored until "Save draft"); with HTMX
    the grid is swapped in place, without it the whole page is rendered again.
    """
    table = queries.table_get(request.user, pk=pk)
    decision_id = request.POST.get("decision_id", "")
    if not dmn.ID_RE.match(decision_id):
        decision_id = dmn.decision_id_for(table.code)
    grid = grid_from_post(request.POST, name=table.name, decision_id=decision_id)
    op = request.POST.get("op", "")
    errors = None
    notice = None
    valid = False
    if op in ("save", "validate"):
        try:
            dmn.raise_errors(dmn.check_grid(grid))  # the grid's own problems name the cell first
            if op == "save":
                draft = actions.rule_draft_save(
                    actor=request.user,
                    table=table,
                    dmn_xml=dmn.to_xml(grid),
                    comment=request.POST.get("comment", ""),
                    expected=request.POST.get("draft_token", ""),
                )
                messages.success(
                    request,
                    _("Draft version %(number)s saved. Test it below, then publish it to put it in force.")
                    % {"number": draft.number},
                )
                return _go(request, _detail_url(table))
            dmn.compile_grid(grid)
            valid = True
        except ValidationError as exc:
            errors = exc
    else:
        notice = apply_op(grid, op, new_column=request.POST.get("new_column", ""))
    ctx = _detail_context(request, table, grid=grid, errors=errors)
    ctx.update(
        valid=valid,
        notice=notice,
        comment=request.POST.get("comment", ""),
        draft_token=request.POST.get("draft_token", ctx["draft_token"]),
        unsaved=True,
    )
    template = f"{DETAIL}#grid" if request.htmx else DETAIL
    return render(request, template, ctx)


@manage_view
@require_POST
def rule_test(request, pk):
    """The test panel: outcomes of sample facts against a version of this table, or against every
    table in force."""
    table = queries.table_get(request.user, pk=pk)
    form = FactsForm(request.POST)
    ctx = {"table": table, "facts_form": form, "tested": False}
    if form.is_valid():
        facts = form.facts()
        source = form.cleaned_data.get("source") or ""
        if source == "live":
            outcomes = engine.evaluate(facts)
            ctx.update(source_label=_("All tables in force"), matched=None)
        else:
            number = source[1:] if source.startswith("v") else None
            version = (
                queries.version_get(request.user, table, number) if number else queries.working_version(table)
            )
            if version is None:
                raise Http404
            compiled = dmn.compile_xml(version.dmn_xml)
            outcomes = engine.evaluate_compiled(table.code, compiled, facts)
            matched = engine.matched_rows(compiled, facts)
            ctx.update(
                source_label=_("Version %(number)s") % {"number": version.number},
                matched=matched,
                met=[m for m in matched if m not in {o.rule for o in outcomes}],
            )
        ctx.update(tested=True, outcomes=outcomes, denied=engine.denied(outcomes))
    template = "catalog_rules/test_results.html"
    if not request.htmx:
        full = _detail_context(request, table, facts_form=form)
        full.update(ctx)
        full["test_open"] = True
        return render(request, DETAIL, full)
    return render(request, template, ctx)


@manage_view
@require_POST
def rule_publish(request, pk):
    table = queries.table_get(request.user, pk=pk)
    version = queries.working_version(table)
    form = PublishForm(request.POST)
    if version is None or version.status != VersionStatus.DRAFT:
        messages.error(request, _("There is no draft to publish."))
        return _go(request, _detail_url(table))
    if form.is_valid():
        try:
            actions.rule_version_publish(
                actor=request.user, version=version, comment=form.cleaned_data["comment"]
            )
        except ValidationError as exc:
            for text in exc.messages[:5]:
                messages.error(request, text)
        else:
            messages.success(
                request,
                _("Version %(number)s is in force now, in every process; the previous version is archived.")
                % {"number": version.number},
            )
    return _go(request, _detail_url(table))


@manage_view
@require_POST
def rule_discard(request, pk):
    table = queries.table_get(request.user, pk=pk)
    version = queries.working_version(table)
    if version is not None and version.status == VersionStatus.DRAFT:
        actions.rule_draft_discard(actor=request.user, version=version)
        messages.success(request, _("Draft version %(number)s discarded.") % {"number": version.number})
    return _go(request, _detail_url(table))


@manage_view
@require_POST
def rule_upload(request, pk):
    """A DMN file (from another DMN tool, or downloaded and edited) becomes the draft."""
    table = queries.table_get(request.user, pk=pk)
    form = UploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            draft = actions.rule_draft_save(
                actor=request.user,
                table=table,
                dmn_xml=form.cleaned_data["dmn_file"],
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict") and dmn.FIELD in exc.error_dict:
                exc.error_dict["dmn_file"] = exc.error_dict.pop(dmn.FIELD)
            apply_action_errors(form, exc)
        else:
            messages.success(
                request, _("The file is now draft version %(number)s.") % {"number": draft.number}
            )
            return redirect(_detail_url(table))
    ctx = _detail_context(request, table, upload_form=form)
    ctx["upload_open"] = True
    return render(request, DETAIL, ctx, status=200)


# --- versions --------------------------------------------------------------------------------------
@read_view
def rule_version_detail(request, pk, number):
    table = queries.table_get(request.user, pk=pk)
    version = queries.version_get(request.user, table, number)
    previous, lines = queries.version_diff(version)
    changes = [line for line in lines if line.kind != "same"]
    ctx = {
        "table": table,
        "version": version,
        "previous": previous,
        "diff": lines,
        "change_count": len(changes),
        "grid": grid_view(queries.grid_of(version)),
        "can_manage": request.user.has_perm(MANAGE),
        "has_draft": table.has_draft,
    }
    return render(request, "catalog_rules/version_detail.html", ctx)


@read_view
def rule_version_download(request, pk, number):
    table = queries.table_get(request.user, pk=pk)
    version = queries.version_get(request.user, table, number)
    response = HttpResponse(version.dmn_xml, content_type="application/xml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{table.code}-v{version.number}.dmn"'
    return response


@manage_view
@require_POST
def rule_version_restore(request, pk, number):
    table = queries.table_get(request.user, pk=pk)
    version = queries.version_get(request.user, table, number)
    try:
        draft = actions.rule_version_restore(actor=request.user, version=version)
    except ValidationError as exc:
        for text in exc.messages[:5]:
            messages.error(request, text)
        return redirect(reverse("catalog-rule-version", args=[table.pk, version.number]))
    messages.success(
        request,
        _("Version %(old)s copied into draft version %(number)s.")
        % {"old": version.number, "number": draft.number},
    )
    return redirect(_detail_url(table))
