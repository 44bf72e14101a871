"""Knowledge-base writes (SRV-2): every one a transaction that validates, changes, audits.

Life of a version: an author saves an edit (``article_create`` / ``article_edit`` — each save is a new
version, the previous open draft is kept as *superseded*), submits it (``version_submit``: draft →
pending), and a reviewer who is not its author approves it (→ published: it replaces the live copy,
the previous published version is archived) or rejects it with a reason (→ rejected; the author
edits again, which makes a new version). Only one version per article is waiting for review.
Usage counts (views, helpfulness) are counters, not audited.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext_lazy as _

from telcrm.customers.actions._common import Errors, pk_of
from telcrm.customers.validation import validate_text
from telcrm.platform.actions import require_perm
from telcrm.platform.auditing import audit_write, snapshot
from telcrm.platform.errors import AccessDenied, NotFoundInScope, field_error

from .models import Article, ArticleFeedback, ArticleVersion, Category, VersionStatus
from .permissions import REVIEW, VIEW, WRITE
from .text import search_tokens

BODY_MAX = 20000
CONTENT_FIELDS = ("category", "title", "body", "keywords", "valid_from", "valid_until")


# --- input ------------------------------------------------------------------------------------------
def _date(errs: Errors, value, field: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    parsed = None
    if isinstance(value, str):
        try:
            parsed = parse_date(value.strip())
        except ValueError:
            parsed = None
    if parsed is None:
        errs.add(field, _("Enter a date as YYYY-MM-DD."), "invalid")
    return parsed


def _category(errs: Errors, value) -> Category | None:
    if value in (None, ""):
        errs.add("category", _("Choose a category."), "required")
        return None
    if isinstance(value, Category):
        return value
    try:
        return Category.objects.get(pk=int(value))
    except (Category.DoesNotExist, TypeError, ValueError):
        errs.add("category", _("Choose a category from the list."), "invalid")
        return None


def _clean(data: dict, base: ArticleVersion | None) -> dict:
    """The content of a new version: ``data`` over ``base`` (the latest version), validated."""
    errs = Errors()
    unknown = set(data) - set(CONTENT_FIELDS) - {"change_note"}
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    merged = {f: getattr(base, f) for f in CONTENT_FIELDS} if base else {}
    merged.update({k: v for k, v in data.items() if k != "change_note"})
    out = {
        "category": _category(errs, merged.get("category")),
        "title": errs.run(validate_text, merged.get("title"), "title", max_length=200, required=True) or "",
        "keywords": errs.run(validate_text, merged.get("keywords"), "keywords", max_length=300) or "",
        "change_note": errs.run(validate_text, data.get("change_note"), "change_note", max_length=300) or "",
        "valid_from": _date(errs, merged.get("valid_from"), "valid_from"),
        "valid_until": _date(errs, merged.get("valid_until"), "valid_until"),
    }
    body = merged.get("body")
    if body is not None and not isinstance(body, str):
        errs.add("body", _("Enter text."), "invalid")
        body = ""
    body = (body or "").replace("\r\n", "\n").strip()
    if not body:
        errs.add("body", _("Write the article's text."), "required")
    elif len(body) > BODY_MAX:
        errs.add(
            "body",
            _("Enter at most %(max)s characters (it has %(length)s)."),
            "max_length",
            max=BODY_MAX,
            length=len(body),
        )
    out["body"] = body
    if out["valid_from"] and out["valid_until"] and out["valid_until"] < out["valid_from"]:
        errs.add("valid_until", _("The end of validity must not be before its start."), "before_start")
    errs.raise_if_any()
    return out


# --- access -----------------------------------------------------------------------------------------
def _lock_article(article) -> Article:
    try:
        return Article.objects.select_for_update().get(pk=pk_of(article))
    except Article.DoesNotExist as exc:
        raise NotFoundInScope() from exc


def _lock_version(version) -> ArticleVersion:
    try:
        return ArticleVersion.objects.select_for_update().select_related("article").get(pk=pk_of(version))
    except ArticleVersion.DoesNotExist as exc:
        raise NotFoundInScope() from exc


def _latest(article: Article) -> ArticleVersion | None:
    return ArticleVersion.objects.filter(article=article).order_by("-number").first()


def _audit(action: str, actor, version: ArticleVersion, before: dict | None = None, **extra) -> None:
    after = snapshot(version, ["status", "number", "title", "review_note", *extra.pop("fields", [])])
    audit_write(
        action=f"knowledge.{action}", actor=actor, obj=version.article, before=before, after=after, **extra
    )


# --- authoring --------------------------------------------------------------------------------------
@transaction.atomic
def article_create(*, actor, submit: bool = False, **data) -> Article:
    """A new article with its first version (a draft, or pending review when ``submit``)."""
    require_perm(actor, WRITE)
    content = _clean(data, None)
    article = Article.objects.create(
        category=content["category"], author=actor, org_unit=getattr(actor, "org_unit", None)
    )
    version = ArticleVersion.objects.create(article=article, number=1, author=actor, **content)
    _audit("article.create", actor, version, fields=["category", "valid_from", "valid_until"])
    if submit:
        _submit(actor, version)
    return article


@transaction.atomic
def article_edit(*, actor, article, submit: bool = False, **data) -> ArticleVersion:
    """Save an edit as a new version (unchanged fields copied from the latest version)."""
    require_perm(actor, WRITE)
    row = _lock_article(article)
    latest = _latest(row)
    if latest and latest.status == VersionStatus.PENDING:
        raise field_error(
            "status",
            _("Version %(number)s is waiting for review; wait for the decision before editing again."),
            "pending",
            number=latest.number,
        )
    content = _clean(data, latest)
    if latest and latest.status == VersionStatus.DRAFT:
        before = snapshot(latest, ["status"])
        latest.status = VersionStatus.SUPERSEDED
        latest.save(update_fields=["status"])
        _audit("version.supersede", actor, latest, before)
    version = ArticleVersion.objects.create(
        article=row, number=(latest.number + 1 if latest else 1), author=actor, **content
    )
    _audit("version.create", actor, version, fields=["category", "valid_from", "valid_until", "change_note"])
    if submit:
        _submit(actor, version)
    return version


def _submit(actor, version: ArticleVersion) -> None:
    before = snapshot(version, ["status"])
    version.status = VersionStatus.PENDING
    version.submitted_at = timezone.now()
    version.save(update_fields=["status", "submitted_at"])
    _audit("version.submit", actor, version, before)


@transaction.atomic
def version_submit(*, actor, version) -> ArticleVersion:
    """Send a draft for review (draft → pending)."""
    require_perm(actor, WRITE)
    row = _lock_version(version)
    _lock_article(row.article_id)
    if row.status != VersionStatus.DRAFT:
        raise field_error(
            "status",
            _("Only a draft can be submitted (this version is %(status)s)."),
            "not_draft",
            status=row.get_status_display(),
        )
    if ArticleVersion.objects.filter(article_id=row.article_id, number__gt=row.number).exists():
        raise field_error("status", _("A newer version of this article exists."), "not_latest")
    _submit(actor, row)
    return row


def _pending(actor, version) -> ArticleVersion:
    require_perm(actor, REVIEW)
    row = _lock_version(version)
    if row.status != VersionStatus.PENDING:
        raise field_error(
            "status",
            _("Only a version waiting for review can be decided (this one is %(status)s)."),
            "not_pending",
            status=row.get_status_display(),
        )
    if row.author_id == actor.pk:
        raise AccessDenied(_("You wrote this version; another reviewer must decide on it."))
    return row


@transaction.atomic
def version_approve(*, actor, version, note: str = "") -> ArticleVersion:
    """Publish a pending version: it becomes the live copy, the previous live version is archived."""
    row = _pending(actor, version)
    errs = Errors()
    note = errs.run(validate_text, note, "note", max_length=2000) or ""
    if row.valid_until and row.valid_until < timezone.localdate():
        errs.add("valid_until", _("The validity period has ended already; edit the dates first."), "expired")
    errs.raise_if_any()
    article = _lock_article(row.article_id)
    now = timezone.now()
    if article.published_version_id:
        old = ArticleVersion.objects.select_for_update().get(pk=article.published_version_id)
        before = snapshot(old, ["status"])
        old.status = VersionStatus.ARCHIVED
        old.save(update_fields=["status"])
        _audit("version.archive", actor, old, before)
    before = snapshot(row, ["status", "review_note"])
    row.status = VersionStatus.PUBLISHED
    row.reviewer = actor
    row.reviewed_at = now
    row.review_note = note
    row.published_at = now
    row.save(update_fields=["status", "reviewer", "reviewed_at", "review_note", "published_at"])
    article_before = snapshot(article, ["published_version", "title", "valid_from", "valid_until"])
    article.published_version = row
    for f in CONTENT_FIELDS:
        setattr(article, f, getattr(row, f))
    article.search_title = search_tokens(row.title, row.keywords)
    article.search_text = search_tokens(row.body)
    article.published_at = now
    article.save()
    _audit("version.approve", actor, row, before)
    audit_write(
        action="knowledge.article.publish",
        actor=actor,
        obj=article,
        before=article_before,
        after=snapshot(article, ["published_version", "title", "valid_from", "valid_until"]),
    )
    return row


@transaction.atomic
def version_reject(*, actor, version, note: str = "") -> ArticleVersion:
    """Send a pending version back to its author with the reason (required)."""
    row = _pending(actor, version)
    errs = Errors()
    note = errs.run(validate_text, note, "note", max_length=2000) or ""
    if not note and "note" not in errs:
        errs.add("note", _("Say why the version is rejected."), "required")
    errs.raise_if_any()
    before = snapshot(row, ["status", "review_note"])
    row.status = VersionStatus.REJECTED
    row.reviewer = actor
    row.reviewed_at = timezone.now()
    row.review_note = note
    row.save(update_fields=["status", "reviewer", "reviewed_at", "review_note"])
    _audit("version.reject", actor, row, before)
    return row


# --- usage ------------------------------------------------------------------------------------------
def article_viewed(*, actor, article) -> None:
    """Count one view of the live article (a counter, not audited)."""
    require_perm(actor, VIEW)
    Article.objects.filter(pk=pk_of(article)).update(view_count=F("view_count") + 1)


@transaction.atomic
def article_feedback(*, actor, article, helpful) -> Article:
    """Record the actor's "was this helpful?" answer (one per user; a changed answer moves the count)."""
    require_perm(actor, VIEW)
    if not isinstance(helpful, bool):
        raise field_error("helpful", _("Answer yes or no."), "invalid")
    row = _lock_article(article)
    if row.published_version_id is None:
        raise NotFoundInScope()
    previous = ArticleFeedback.objects.filter(article=row, user=actor).first()
    if previous is not None and previous.helpful == helpful:
        return row
    delta = {"helpful_yes": 0, "helpful_no": 0}
    delta["helpful_yes" if helpful else "helpful_no"] += 1
    if previous is not None:
        delta["helpful_no" if helpful else "helpful_yes"] -= 1
        previous.helpful = helpful
        previous.save(update_fields=["helpful", "at"])
    else:
        ArticleFeedback.objects.create(article=row, user=actor, helpful=helpful)
    Article.objects.filter(pk=row.pk).update(
        helpful_yes=F("helpful_yes") + delta["helpful_yes"], helpful_no=F("helpful_no") + delta["helpful_no"]
    )
    row.refresh_from_db(fields=["helpful_yes", "helpful_no"])
    return row


# --- categories -------------------------------------------------------------------------------------
@transaction.atomic
def category_save(*, actor, code: str, name: str, name_en: str = "", parent=None, sort: int = 0) -> Category:
    """Create or update the category ``code`` (writers and reviewers maintain the tree)."""
    if not (actor and (actor.has_perm(WRITE) or actor.has_perm(REVIEW))):
        raise AccessDenied()
    errs = Errors()
    code = errs.run(validate_text, code, "code", max_length=40, required=True) or ""
    name = errs.run(validate_text, name, "name", max_length=80, required=True) or ""
    name_en = errs.run(validate_text, name_en, "name_en", max_length=80) or ""
    parent_row = None
    if parent not in (None, ""):
        parent_row = Category.objects.filter(pk=pk_of(parent)).first()
        if parent_row is None:
            errs.add("parent", _("Choose a category from the list."), "invalid")
    errs.raise_if_any()
    row = Category.objects.select_for_update().filter(code=code).first()
    if row is not None and parent_row is not None:
        walk = parent_row
        while walk is not None:
            if walk.pk == row.pk:
                raise field_error("parent", _("A category cannot sit under itself."), "cycle")
            walk = walk.parent
    before = snapshot(row) if row else None
    row = row or Category(code=code)
    row.name, row.name_en, row.parent, row.sort = name, name_en, parent_row, sort
    row.save()
    audit_write(
        action="knowledge.category.update" if before else "knowledge.category.create",
        actor=actor,
        obj=row,
        before=before,
        after=snapshot(row),
    )
    return row
