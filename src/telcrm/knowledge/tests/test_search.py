import datetime as dt

import pytest
from django.utils import timezone

from telcrm.knowledge import queries
from telcrm.knowledge.models import Article
from telcrm.knowledge.queries import article_search, suggest

from ._fixtures import category, published


@pytest.fixture
def articles(carrier):
    author, reviewer = carrier["service"], carrier["admin"]
    cat = category(reviewer)
    other = category(reviewer, "kb-other")
    return {
        "body": published(author, reviewer, cat, "光猫指示灯说明", "宽带无法上网时先看光猫的LOS灯。"),
        "title": published(author, reviewer, cat, "宽带无法上网怎么办", "重启光猫和路由器，再直连测试。"),
        "roam": published(author, reviewer, other, "International roaming", "Turn on data roaming abroad."),
        "expired": published(
            author,
            reviewer,
            other,
            "宽带春节活动",
            "宽带优惠",
            valid_until=timezone.localdate() + dt.timedelta(days=3),
        ),
    }


def _expire(a: Article) -> None:
    Article.objects.filter(pk=a.pk).update(valid_until=timezone.localdate() - dt.timedelta(days=1))


def test_title_matches_rank_above_body_matches(carrier, articles):
    qs, terms = article_search(carrier["agent"], "宽带无法上网")
    found = list(qs)
    assert found[0] == articles["title"]
    assert found[1] == articles["body"]
    assert found[0].score > found[1].score
    assert [t.text for t in terms][:2] == ["宽带", "带无"]


def test_english_prefix_search_and_category_filter(carrier, articles):
    qs, _ = article_search(carrier["agent"], "roam")
    assert list(qs) == [articles["roam"]]
    qs, _ = article_search(carrier["agent"], "宽带", category=articles["roam"].category)
    assert list(qs) == [articles["expired"]]


def test_expired_articles_are_hidden_from_agents_not_from_writers(carrier, articles):
    _expire(articles["expired"])
    assert articles["expired"] not in article_search(carrier["agent"], "宽带")[0]
    assert articles["expired"] in article_search(carrier["service"], "宽带")[0]
    not_yet = articles["roam"]
    Article.objects.filter(pk=not_yet.pk).update(valid_from=timezone.localdate() + dt.timedelta(days=1))
    assert list(article_search(carrier["agent"], "roaming")[0]) == []


def test_unpublished_articles_are_not_found(carrier, articles):
    from telcrm.knowledge import actions

    actions.article_create(
        actor=carrier["service"], category=articles["roam"].category, title="roaming draft", body="roaming"
    )
    assert list(article_search(carrier["service"], "roaming")[0]) == [articles["roam"]]


def test_no_permission_no_results(carrier, articles):
    from telcrm.platform.testing import make_user

    nobody = make_user("nobody", None, carrier.branch)
    assert list(article_search(nobody, "宽带")[0]) == []


def test_suggest_for_a_ticket_text(carrier, articles):
    _expire(articles["expired"])
    text = "客户反映家里宽带从昨晚开始无法上网，光猫灯正常，要求上门"
    got = suggest(text, 2)
    assert got[0] == articles["title"]
    assert articles["expired"] not in suggest(text, 10)
    assert suggest("", 5) == [] and suggest("如何", 5) == [] and suggest("客户", 5) == []
    assert suggest("重启一下", 5) == []  # one body match (1 point) is below the threshold


def test_category_tree_depths(carrier):
    admin = carrier["admin"]
    root = category(admin, "a")
    child = category(admin, "a1", parent=root)
    category(admin, "b")
    assert [(c.code, d) for c, d in queries.category_tree()] == [("a", 0), ("a1", 1), ("b", 0)]
    assert queries.category_descendants(root.pk) == {root.pk, child.pk}
