"""Knowledge-base reads: what a user may see, ranked search, suggestions, the review queue.

Knowledge is shared by the whole carrier (no org data scope): every holder of ``view_article`` reads
the live articles that are valid today; writers and reviewers also see expired or not-yet-valid
ones and every version. Ranking (decision 0018): per query term 3 points for a match in the title or
keywords and 1 in the body, 5 more when the title holds the whole query; ties go to the more helpful
and more viewed article.
"""

from __future__ import annotations

from django.db.models import Case, ExpressionWrapper, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from telcrm.platform.errors import NotFoundInScope

from .models import Article, ArticleVersion, Category, VersionStatus
from .permissions import REVIEW, VIEW, WRITE
from .text import Term, query_terms

SUGGEST_TERMS = 24
SUGGEST_MIN_SCORE = 3  # a title match or three body matches: one common word is no suggestion
TITLE_POINTS, BODY_POINTS, PHRASE_POINTS = 3, 1, 5


def is_editor(user) -> bool:
    return user.has_perm(WRITE) or user.has_perm(REVIEW)


def valid_q(today=None) -> Q:
    today = today or timezone.localdate()
    return (Q(valid_from__isnull=True) | Q(valid_from__lte=today)) & (
        Q(valid_until__isnull=True) | Q(valid_until__gte=today)
    )


def live_articles(user=None, *, today=None) -> QuerySet[Article]:
    """Published articles; for a user who is no writer/reviewer (or no user) only those valid today."""
    qs = Article.objects.filter(published_version__isnull=False)
    if user is None or not is_editor(user):
        qs = qs.filter(valid_q(today))
    return qs


def _term_q(field: str, term: Term) -> Q:
    return Q(**{f"{field}__contains": term.like})


def _ranked(qs: QuerySet, terms: list[Term], phrase: str = "") -> QuerySet:
    match = Q()
    score = Value(0)
    for t in terms:
        in_title, in_body = _term_q("search_title", t), _term_q("search_text", t)
        match |= in_title | in_body
        score = score + Case(When(in_title, then=Value(TITLE_POINTS)), default=Value(0))
        score = score + Case(When(in_body, then=Value(BODY_POINTS)), default=Value(0))
    if phrase:
        score = score + Case(When(title__icontains=phrase, then=Value(PHRASE_POINTS)), default=Value(0))
    return (
        qs.filter(match)
        .annotate(score=ExpressionWrapper(score, output_field=IntegerField()))
        .order_by("-score", "-helpful_yes", "-view_count", "-id")
    )


def article_search(
    user, q: str = "", *, category: Category | int | None = None
) -> tuple[QuerySet, list[Term]]:
    """(ranked live articles matching ``q``, the terms to highlight); no terms → most used first."""
    if not user.has_perm(VIEW):
        return Article.objects.none(), []
    qs = live_articles(user).select_related("category")
    if category:
        ids = category_descendants(category if isinstance(category, int) else category.pk)
        qs = qs.filter(category_id__in=ids)
    terms = query_terms(q or "")
    if not terms:
        return qs.order_by("-view_count", "-helpful_yes", "-id"), []
    phrase = " ".join((q or "").split())[:100]
    return _ranked(qs, terms, phrase), terms


def suggest(text: str, limit: int = 5) -> list[Article]:
    """Live articles valid today that best match a free text (a ticket's subject and description).

    For the ticket page: every staff member who sees a ticket may read the knowledge base.
    """
    terms = query_terms(text or "", limit=SUGGEST_TERMS)
    if not terms:
        return []
    qs = live_articles(None).select_related("category")
    return list(_ranked(qs, terms).filter(score__gte=SUGGEST_MIN_SCORE)[: max(0, int(limit))])


def article_get(user, pk) -> Article:
    """A live article the user may read (writers/reviewers: any article, unpublished too)."""
    if not user.has_perm(VIEW):
        raise NotFoundInScope()
    qs = Article.objects.all() if is_editor(user) else live_articles(user)
    row = qs.select_related("category", "published_version", "author").filter(pk=pk).first()
    if row is None:
        raise NotFoundInScope()
    return row


def versions(article: Article) -> QuerySet[ArticleVersion]:
    return (
        ArticleVersion.objects.filter(article=article)
        .select_related("author", "reviewer")
        .order_by("-number")
    )


def version_get(user, article: Article, number) -> ArticleVersion:
    if not is_editor(user):
        raise NotFoundInScope()
    row = versions(article).select_related("category").filter(number=number).first()
    if row is None:
        raise NotFoundInScope()
    return row


def review_queue(user) -> QuerySet[ArticleVersion]:
    if not user.has_perm(REVIEW):
        return ArticleVersion.objects.none()
    return (
        ArticleVersion.objects.filter(status=VersionStatus.PENDING)
        .select_related("article", "author", "category")
        .order_by("submitted_at", "id")
    )


def my_articles(user) -> QuerySet[ArticleVersion]:
    """The latest version of each article the user has written a version of."""
    if not user.has_perm(WRITE):
        return ArticleVersion.objects.none()
    from django.db.models import Max, OuterRef, Subquery

    latest = (
        ArticleVersion.objects.filter(article=OuterRef("article"))
        .order_by()
        .values("article")
        .annotate(m=Max("number"))
        .values("m")
    )
    return (
        ArticleVersion.objects.filter(article__versions__author=user)
        .filter(number=Subquery(latest))
        .distinct()
        .select_related("article", "category")
        .order_by("-created_at", "-id")
    )


def category_descendants(pk: int) -> set[int]:
    parents = dict(Category.objects.values_list("id", "parent_id"))
    out = {pk}
    changed = True
    while changed:
        changed = False
        for cid, parent in parents.items():
            if parent in out and cid not in out:
                out.add(cid)
                changed = True
    return out


def category_tree() -> list[tuple[Category, int]]:
    """Every category with its depth, parents before children (one query)."""
    rows = list(Category.objects.all())
    children: dict[int | None, list[Category]] = {}
    for c in rows:
        children.setdefault(c.parent_id, []).append(c)
    out: list[tuple[Category, int]] = []

    def walk(parent, depth):
        for c in children.get(parent, []):
            out.append((c, depth))
            walk(c.pk, depth + 1)

    walk(None, 0)
    return out
