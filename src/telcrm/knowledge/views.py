"""Knowledge-base pages: search (agents), article, editor (authors), review queue (reviewers)."""

from __future__ import annotations

import difflib

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from telcrm.web.decorators import paginate, scoped_view
from telcrm.web.forms import apply_action_errors

from . import actions, queries
from .forms import ArticleForm, CategoryForm, DecisionForm, SearchForm
from .models import OPEN_STATUSES, VersionStatus
from .permissions import REVIEW, VIEW, WRITE
from .text import highlight, query_terms, snippet

SUGGEST_LIMIT = 5


def _can(user) -> dict:
    return {"view": user.has_perm(VIEW), "write": user.has_perm(WRITE), "review": user.has_perm(REVIEW)}


def _first_error(exc: ValidationError) -> str:
    if hasattr(exc, "message_dict"):
        for errors in exc.message_dict.values():
            if errors:
                return errors[0]
    return "; ".join(exc.messages)


@scoped_view(perm=VIEW)
def search(request):
    form = SearchForm(request.GET or None)
    q, category = "", None
    if form.is_valid():
        q, category = form.cleaned_data["q"] or "", form.cleaned_data["category"]
    qs, terms = queries.article_search(request.user, q, category=category)
    page = paginate(request, qs, per_page=20)
    results = [
        {"a": a, "title": highlight(a.title, terms), "snippet": snippet(a.body, terms)}
        for a in page.object_list
    ]
    ctx = {"form": form, "q": q, "page": page, "results": results, "can": _can(request.user)}
    template = (
        "knowledge/search.html#results"
        if request.htmx and not request.htmx.boosted
        else "knowledge/search.html"
    )
    return render(request, template, ctx)


@scoped_view(perm=VIEW)
def suggest_panel(request):
    """Suggested articles for a text (``?text=``): the panel the ticket page embeds with HTMX."""
    text = (request.GET.get("text") or "")[:2000]
    terms = query_terms(text, limit=queries.SUGGEST_TERMS)
    items = [{"a": a, "title": highlight(a.title, terms)} for a in queries.suggest(text, SUGGEST_LIMIT)]
    return render(request, "knowledge/_suggest.html", {"items": items})


@scoped_view(perm=VIEW)
def article_detail(request, pk):
    article = queries.article_get(request.user, pk)
    terms = query_terms(request.GET.get("q", ""))
    live = article.published_version
    can = _can(request.user)
    if live is not None:
        actions.article_viewed(actor=request.user, article=article)
    versions = list(queries.versions(article)) if can["write"] or can["review"] else []
    open_version = next((v for v in versions if v.status in OPEN_STATUSES), None)
    ctx = {
        "article": article,
        "live": live,
        "title": highlight(article.title, terms),
        "body": highlight(article.body, terms),
        "expired": live is not None and not queries.live_articles(None).filter(pk=article.pk).exists(),
        "versions": versions,
        "open_version": open_version,
        "can": can,
        "q": request.GET.get("q", ""),
    }
    return render(request, "knowledge/article.html", ctx)


@require_POST
@scoped_view(perm=VIEW)
def article_feedback(request, pk):
    article = queries.article_get(request.user, pk)
    answer = request.POST.get("helpful")
    try:
        actions.article_feedback(
            actor=request.user, article=article, helpful={"yes": True, "no": False}.get(answer)
        )
    except ValidationError as exc:
        messages.error(request, _first_error(exc))
    else:
        messages.success(request, _("Thank you for your feedback."))
    return redirect("kb-article", pk=article.pk)


@scoped_view(perm=WRITE)
def article_create(request):
    form = ArticleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            article = actions.article_create(
                actor=request.user, submit=request.POST.get("save") == "submit", **form.action_data()
            )
        except ValidationError as exc:
            apply_action_errors(form, exc)
        else:
            messages.success(request, _("Article saved."))
            return redirect("kb-version", pk=article.pk, number=1)
    return render(
        request, "knowledge/editor.html", {"form": form, "article": None, "can": _can(request.user)}
    )


@scoped_view(perm=WRITE)
def article_edit(request, pk):
    article = queries.article_get(request.user, pk)
    latest = queries.versions(article).select_related("category").first()
    form = ArticleForm(request.POST or None, version=latest)
    if request.method == "POST" and form.is_valid():
        try:
            version = actions.article_edit(
                actor=request.user,
                article=article,
                submit=request.POST.get("save") == "submit",
                **form.action_data(),
            )
        except ValidationError as exc:
            apply_action_errors(form, exc)
        else:
            messages.success(request, _("Saved as version %(number)s.") % {"number": version.number})
            return redirect("kb-version", pk=article.pk, number=version.number)
    ctx = {"form": form, "article": article, "latest": latest, "can": _can(request.user)}
    return render(request, "knowledge/editor.html", ctx)


def _diff(old: str, new: str) -> list[tuple[str, str]]:
    out = []
    for line in difflib.ndiff((old or "").splitlines(), (new or "").splitlines()):
        if line.startswith("? "):
            continue
        out.append((line[:1].strip() or "=", line[2:]))
    return out


@scoped_view(perm=VIEW)
def version_detail(request, pk, number):
    article = queries.article_get(request.user, pk)
    version = queries.version_get(request.user, article, number)
    can = _can(request.user)
    live = article.published_version
    ctx = {
        "article": article,
        "v": version,
        "live": live,
        "diff": _diff(live.body, version.body) if live and live.pk != version.pk else None,
        "decision_form": DecisionForm(),
        "may_decide": can["review"]
        and version.status == VersionStatus.PENDING
        and version.author_id != request.user.pk,
        "may_submit": can["write"] and version.status == VersionStatus.DRAFT,
        "can": can,
    }
    return render(request, "knowledge/version.html", ctx)


@require_POST
@scoped_view(perm=WRITE)
def version_submit(request, pk, number):
    article = queries.article_get(request.user, pk)
    version = queries.version_get(request.user, article, number)
    try:
        actions.version_submit(actor=request.user, version=version)
    except ValidationError as exc:
        messages.error(request, _first_error(exc))
    else:
        messages.success(request, _("Submitted for review."))
    return redirect("kb-version", pk=pk, number=number)


DECISIONS = {"approve": actions.version_approve, "reject": actions.version_reject}


@require_POST
@scoped_view(perm=REVIEW)
def version_decide(request, pk, number, decision):
    fn = DECISIONS.get(decision)
    if fn is None:
        raise Http404
    article = queries.article_get(request.user, pk)
    version = queries.version_get(request.user, article, number)
    form = DecisionForm(request.POST)
    form.is_valid()
    try:
        fn(actor=request.user, version=version, note=form.cleaned_data.get("note", ""))
    except ValidationError as exc:
        messages.error(request, _first_error(exc))
        return redirect("kb-version", pk=pk, number=number)
    if decision == "approve":
        messages.success(request, _("Version published."))
    else:
        messages.success(request, _("Version sent back to its author."))
    return redirect(reverse("kb-review-queue"))


@scoped_view(perm=REVIEW)
def review_queue(request):
    page = paginate(request, queries.review_queue(request.user))
    return render(request, "knowledge/review_queue.html", {"page": page, "can": _can(request.user)})


@scoped_view(perm=WRITE)
def my_articles(request):
    page = paginate(request, queries.my_articles(request.user))
    return render(request, "knowledge/mine.html", {"page": page, "can": _can(request.user)})


@scoped_view
def categories(request):
    """The category tree; writers and reviewers add categories or change one (by its code)."""
    can = _can(request.user)
    if not (can["write"] or can["review"]):
        raise PermissionDenied
    form = CategoryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            row = actions.category_save(actor=request.user, **form.action_data())
        except ValidationError as exc:
            apply_action_errors(form, exc)
        else:
            messages.success(request, _("Category %(name)s saved.") % {"name": row.name})
            return redirect("kb-categories")
    ctx = {"form": form, "tree": queries.category_tree(), "can": can}
    return render(request, "knowledge/categories.html", ctx)
