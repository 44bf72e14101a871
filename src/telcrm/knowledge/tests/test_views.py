import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from telcrm.knowledge.models import Article, ArticleVersion, VersionStatus
from telcrm.platform.testing import count_queries
from telcrm.web.navigation import menu_for

from ._fixtures import category, published


@pytest.fixture
def kb(carrier):
    cat = category(carrier["admin"])
    a = published(carrier["service"], carrier["admin"], cat, "宽带无法上网怎么办", "重启<光猫>再试。")
    return carrier, cat, a


def _urls(menu) -> set[str]:
    return {e["url_name"] for s in menu for e in s["entries"]}


def test_menu_entries_follow_permissions(carrier):
    assert {"kb-search"} <= _urls(menu_for(carrier["agent"]))
    assert "kb-mine" not in _urls(menu_for(carrier["agent"]))
    assert {"kb-search", "kb-mine"} <= _urls(menu_for(carrier["service"]))
    assert "kb-review-queue" not in _urls(menu_for(carrier["service"]))
    assert {"kb-search", "kb-mine", "kb-review-queue"} <= _urls(menu_for(carrier["admin"]))


def test_agent_searches_and_sees_highlighted_escaped_results(kb, client_for):
    carrier, _cat, a = kb
    c = client_for(carrier["agent"])
    r = c.get(reverse("kb-search"), {"q": "光猫 上网"})
    assert r.status_code == 200
    html = r.content.decode()
    assert "<mark>上网</mark>" in html
    assert "&lt;<mark>光猫</mark>&gt;" in html  # the body's markup is escaped, the mark is ours
    assert reverse("kb-article", args=[a.pk]) in html
    # HTMX gets only the results partial
    r = c.get(reverse("kb-search"), {"q": "光猫"}, headers={"HX-Request": "true"})
    assert 'id="kb-results"' in r.content.decode() and "<h1" not in r.content.decode()


def test_search_page_query_count_does_not_grow_with_results(kb, client_for):
    carrier, _cat, _a = kb
    c = client_for(carrier["agent"])
    url = reverse("kb-search")
    c.get(url, {"q": "宽带"})
    with count_queries() as q1:
        assert c.get(url, {"q": "宽带"}).status_code == 200
    for i in range(6):
        published(
            carrier["service"], carrier["admin"], category(carrier["admin"], f"c{i}"), f"宽带 {i}", "宽带正文"
        )
    with count_queries() as q2:
        r = c.get(url, {"q": "宽带"})
    assert r.content.decode().count('data-testid="kb-result"') == 7
    assert len(q2) == len(q1) <= 10  # session user and permissions, categories, count, page, menu


def test_article_page_counts_views_and_takes_feedback(kb, client_for):
    carrier, _cat, a = kb
    c = client_for(carrier["agent"])
    r = c.get(reverse("kb-article", args=[a.pk]), {"q": "光猫"})
    assert r.status_code == 200 and "<mark>光猫</mark>" in r.content.decode()
    assert 'data-testid="kb-version-row"' not in r.content.decode()  # agents see no versions
    r = c.post(reverse("kb-article-feedback", args=[a.pk]), {"helpful": "yes"})
    assert r.status_code == 302
    a.refresh_from_db()
    assert (a.view_count, a.helpful_yes) == (1, 1)


def test_expired_article_is_404_for_agents_and_flagged_for_writers(kb, client_for):
    carrier, _cat, a = kb
    Article.objects.filter(pk=a.pk).update(valid_until=timezone.localdate() - dt.timedelta(days=1))
    assert client_for(carrier["agent"]).get(reverse("kb-article", args=[a.pk])).status_code == 404
    r = client_for(carrier["service"]).get(reverse("kb-article", args=[a.pk]))
    assert r.status_code == 200 and 'data-testid="kb-expired"' in r.content.decode()


def test_permissions_of_editor_and_review_pages(kb, client_for):
    carrier, _cat, a = kb
    agent = client_for(carrier["agent"])
    assert agent.get(reverse("kb-article-create")).status_code == 403
    assert agent.get(reverse("kb-review-queue")).status_code == 403
    assert agent.get(reverse("kb-version", args=[a.pk, 1])).status_code == 404
    assert agent.post(reverse("kb-version-decide", args=[a.pk, 1, "approve"])).status_code == 403
    client_for(carrier["service"])
    assert agent.get(reverse("kb-review-queue")).status_code == 403  # service: writer, not reviewer


def test_author_writes_reviewer_rejects_then_approves(kb, client, client_for):
    carrier, cat, _a = kb
    c = client_for(carrier["service"])
    r = c.post(
        reverse("kb-article-create"),
        {
            "category": cat.pk,
            "title": "",
            "body": "",
            "valid_from": "2026-03-01",
            "valid_until": "2026-02-01",
        },
    )
    assert r.status_code == 200
    assert 'data-field="title"' in r.content.decode()
    assert 'data-field="valid_until"' in r.content.decode()
    r = c.post(
        reverse("kb-article-create"),
        {"category": cat.pk, "title": "携号转网条件", "body": "在网满120天", "save": "submit"},
    )
    article = Article.objects.get(versions__title="携号转网条件")
    assert r.status_code == 302 and r.url == reverse("kb-version", args=[article.pk, 1])
    assert (
        c.get(reverse("kb-mine")).content.decode().count('data-testid="kb-mine-row"') == 2
    )  # with the fixture's article

    reviewer = client_for(carrier["admin"])
    r = reviewer.get(reverse("kb-review-queue"))
    assert "携号转网条件" in r.content.decode()
    r = reviewer.post(reverse("kb-version-decide", args=[article.pk, 1, "reject"]), {"note": ""}, follow=True)
    assert ArticleVersion.objects.get(article=article).status == VersionStatus.PENDING
    r = reviewer.post(reverse("kb-version-decide", args=[article.pk, 1, "reject"]), {"note": "补充授权码"})
    assert ArticleVersion.objects.get(article=article).status == VersionStatus.REJECTED

    c = client_for(carrier["service"])
    r = c.get(reverse("kb-article-edit", args=[article.pk]))
    assert "补充授权码" in r.content.decode()
    r = c.post(
        reverse("kb-article-edit", args=[article.pk]),
        {
            "category": cat.pk,
            "title": "携号转网条件",
            "body": "在网满120天，发送SQXZ获取授权码",
            "save": "submit",
        },
    )
    assert r.status_code == 302
    reviewer = client_for(carrier["admin"])
    r = reviewer.get(reverse("kb-version", args=[article.pk, 2]))
    assert 'data-testid="kb-decision"' in r.content.decode()
    reviewer.post(reverse("kb-version-decide", args=[article.pk, 2, "approve"]), {"note": ""})
    article.refresh_from_db()
    assert article.published_version.number == 2 and "SQXZ" in article.body
    # the old version stays viewable
    r = reviewer.get(reverse("kb-version", args=[article.pk, 1]))
    assert r.status_code == 200 and "补充授权码" in r.content.decode()


def test_suggest_panel(kb, client_for):
    carrier, _cat, a = kb
    r = client_for(carrier["agent"]).get(reverse("kb-suggest"), {"text": "客户家里宽带无法上网"})
    assert r.status_code == 200 and reverse("kb-article", args=[a.pk]) in r.content.decode()


def test_category_page_for_writers(kb, client_for):
    carrier, cat, _a = kb
    assert client_for(carrier["agent"]).get(reverse("kb-categories")).status_code == 403
    c = client_for(carrier["service"])
    r = c.post(reverse("kb-categories"), {"code": "", "name": "", "parent": cat.pk})
    assert r.status_code == 200 and 'data-field="code"' in r.content.decode()
    r = c.post(reverse("kb-categories"), {"code": "kb-sub", "name": "子类", "parent": cat.pk})
    assert r.status_code == 302
    html = c.get(reverse("kb-categories")).content.decode()
    assert html.count('data-testid="kb-category-row"') == 2 and "子类" in html


def test_review_queue_query_count_does_not_grow(kb, client_for):
    from telcrm.knowledge import actions

    carrier, cat, _a = kb
    c = client_for(carrier["admin"])
    actions.article_create(actor=carrier["service"], category=cat, title="t0", body="b", submit=True)
    c.get(reverse("kb-review-queue"))
    with count_queries() as q1:
        c.get(reverse("kb-review-queue"))
    for i in range(5):
        actions.article_create(
            actor=carrier["service"], category=cat, title=f"t{i + 1}", body="b", submit=True
        )
    with count_queries() as q2:
        r = c.get(reverse("kb-review-queue"))
    assert r.content.decode().count('data-testid="kb-queue-row"') == 6
    assert len(q2) == len(q1)
