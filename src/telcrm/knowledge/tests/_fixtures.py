"""Helpers of the knowledge tests: categories and published articles made through the actions."""

from __future__ import annotations

from telcrm.knowledge import actions
from telcrm.knowledge.models import Article, Category


def category(admin, code: str = "kb-t", parent=None) -> Category:
    return actions.category_save(actor=admin, code=code, name=f"类别{code}", parent=parent)


def published(author, reviewer, cat, title: str, body: str, **kw) -> Article:
    a = actions.article_create(actor=author, category=cat, title=title, body=body, submit=True, **kw)
    actions.version_approve(actor=reviewer, version=a.versions.get())
    a.refresh_from_db()
    return a
