import io
import random

from telcrm.knowledge.demo import knowledge_demo, reset_knowledge
from telcrm.knowledge.demo_articles import ARTICLES
from telcrm.knowledge.models import Article, ArticleVersion, VersionStatus
from telcrm.knowledge.queries import article_search, suggest


def test_demo_articles_are_searchable_and_the_generator_is_idempotent(carrier):
    out = io.StringIO()
    knowledge_demo(stdout=out, customers=0, rng=random.Random(1))
    knowledge_demo(stdout=out, customers=0, rng=random.Random(1))
    assert Article.objects.count() == len(ARTICLES) + 1
    assert ArticleVersion.objects.filter(status=VersionStatus.PENDING).count() == 1
    assert ArticleVersion.objects.filter(status=VersionStatus.REJECTED).count() == 1
    agent = carrier["agent"]
    assert next(iter(article_search(agent, "携号转网")[0])).title == "携号转网办理条件"
    assert next(iter(article_search(agent, "roaming")[0])).title.startswith("International roaming")
    found = [a.title for a in article_search(agent, "春节流量包")[0]]
    assert found and "2025年春节流量包优惠活动说明" not in found  # expired
    assert article_search(carrier["service"], "春节流量包")[0].first().title.startswith("2025年春节")
    assert suggest("客户宽带断网了，光猫红灯闪", 3)
    reset_knowledge(stdout=out)
    assert Article.objects.count() == 0
