"""Demo knowledge base: ``manage.py demo_data`` (after the platform's users, order 40).

A category tree (话费与缴费, 套餐与业务, 宽带与家庭网络, 号码与SIM卡, 投诉与服务规范, with children) and
about thirty articles in Chinese and some in English (demo_articles.py), written by the demo service
user 周敏 (``service``) and approved by the administrator (``admin``) through the actions — so every one
has its versions and audit; one article has an expired validity, one an edit waiting for review and one
a rejected edit. View and helpfulness counts are spread at random (counters, set directly).
Idempotent: nothing is made when the demo categories exist. ``--reset`` deletes them with their articles.
"""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from telcrm.platform.demo import demo_generator

from .demo_articles import ARTICLES, CATEGORIES, EXPIRED_ARTICLES


def _users():
    from telcrm.platform.models import User

    users = {u.username: u for u in User.objects.filter(username__in=["admin", "service"])}
    return users.get("service"), users.get("admin")


def build_knowledge(author, reviewer, rng: random.Random) -> int:
    from . import actions
    from .models import Article, Category

    cats: dict[str, Category] = {}
    for code, name, name_en, parent in CATEGORIES:
        cats[code] = actions.category_save(
            actor=reviewer, code=code, name=name, name_en=name_en, parent=cats.get(parent), sort=len(cats)
        )
    made = []
    for cat, title, keywords, body in ARTICLES:
        a = actions.article_create(
            actor=author, category=cats[cat], title=title, keywords=keywords, body=body, submit=True
        )
        actions.version_approve(actor=reviewer, version=a.versions.get(), note="")
        made.append(a)
    today = timezone.localdate()
    for cat, title, keywords, body in EXPIRED_ARTICLES:
        a = actions.article_create(
            actor=author,
            category=cats[cat],
            title=title,
            keywords=keywords,
            body=body,
            valid_from=dt.date(2025, 1, 20),
            valid_until=today + dt.timedelta(days=1),
            submit=True,
        )
        actions.version_approve(actor=reviewer, version=a.versions.get(), note="")
        # the campaign ended: the validity is moved into the past (demo only; a real edit makes a version)
        Article.objects.filter(pk=a.pk).update(valid_until=dt.date(2025, 2, 28))
        a.versions.update(valid_until=dt.date(2025, 2, 28))
    # an update waiting for review, and a rejected one
    first, second = made[0], made[16]
    actions.article_edit(
        actor=author,
        article=first,
        body=first.versions.get().body + "\n4. 也可以关注官方微信公众号查询余额。",
        change_note="增加微信公众号查询方式",
        submit=True,
    )
    v = actions.article_edit(
        actor=author, article=second, body=second.versions.get().body + "\n（待补充）", submit=True
    )
    actions.version_reject(actor=reviewer, version=v, note="补充内容不完整，请写明具体步骤后再提交。")
    for a in made:
        views = rng.randint(5, 400)
        yes = rng.randint(0, views // 4)
        Article.objects.filter(pk=a.pk).update(
            view_count=views, helpful_yes=yes, helpful_no=rng.randint(0, yes // 3 + 1)
        )
    return len(made) + len(EXPIRED_ARTICLES)


def reset_knowledge(*, stdout) -> None:
    from .models import Article, ArticleFeedback, ArticleVersion, Category

    codes = [c[0] for c in CATEGORIES]
    articles = Article.objects.filter(category__code__in=codes)
    articles.update(published_version=None)
    ArticleFeedback.objects.filter(article__in=articles).delete()
    ArticleVersion.objects.filter(article__in=articles).delete()
    articles.delete()
    for _ in range(3):  # children before parents
        Category.objects.filter(code__in=codes, children__isnull=True).delete()
    stdout.write("  knowledge: demo articles deleted")


@demo_generator(order=40, name="knowledge", reset=reset_knowledge)
def knowledge_demo(*, stdout, customers: int, rng: random.Random) -> None:
    from .models import Category

    author, reviewer = _users()
    if author is None or reviewer is None:
        stdout.write("  knowledge: no demo service user or admin; skipped")
        return
    if Category.objects.filter(code=CATEGORIES[0][0]).exists():
        stdout.write("  knowledge: demo articles exist; nothing to do")
        return
    made = build_knowledge(author, reviewer, rng)
    stdout.write(f"  knowledge: {len(CATEGORIES)} categories, {made} articles")
