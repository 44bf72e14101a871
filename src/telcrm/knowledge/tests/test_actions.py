import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from telcrm.knowledge import actions
from telcrm.knowledge.models import Article, ArticleFeedback, VersionStatus
from telcrm.platform.errors import bilingual
from telcrm.platform.models import AuditLog

from ._fixtures import category, published


@pytest.fixture
def kb(carrier):
    return carrier, category(carrier["admin"])


def _codes(exc) -> dict:
    return {e["field"]: e["code"] for e in bilingual(exc.value)}


def test_create_validates_every_field_in_both_languages(kb):
    carrier, _cat = kb
    with pytest.raises(ValidationError) as exc:
        actions.article_create(
            actor=carrier["service"],
            category=None,
            title=" ",
            body="",
            valid_from="2026-02-01",
            valid_until="2026-01-01",
        )
    assert _codes(exc) == {
        "category": "required",
        "title": "required",
        "body": "required",
        "valid_until": "before_start",
    }
    item = next(e for e in bilingual(exc.value) if e["field"] == "body")
    assert item["message_en"] == "Write the article's text."
    assert item["message_zh"] != item["message_en"]
    with pytest.raises(ValidationError) as exc:
        actions.article_create(
            actor=carrier["service"], category=_cat, title="x", body="y", valid_from="soon"
        )
    assert _codes(exc) == {"valid_from": "invalid"}


def test_only_writers_create(kb):
    carrier, cat = kb
    with pytest.raises(PermissionDenied):
        actions.article_create(actor=carrier["agent"], category=cat, title="t", body="b")


def test_version_life_cycle_publish_replaces_live_copy_and_keeps_old(kb):
    carrier, cat = kb
    author, reviewer = carrier["service"], carrier["admin"]
    a = actions.article_create(actor=author, category=cat, title="查询余额", body="发送CXYE到10086")
    v1 = a.versions.get()
    assert v1.status == VersionStatus.DRAFT and a.published_version is None
    actions.version_submit(actor=author, version=v1)
    v1 = actions.version_approve(actor=reviewer, version=v1, note="ok")
    a.refresh_from_db()
    assert (v1.status, a.published_version_id, a.title) == (VersionStatus.PUBLISHED, v1.pk, "查询余额")
    assert a.search_title == " 查询 询余 余额 "

    # an edit is a new version; the live copy stays until it is approved
    v2 = actions.article_edit(actor=author, article=a, body="拨打1008611", change_note="新方式")
    a.refresh_from_db()
    assert v2.number == 2 and v2.title == "查询余额" and a.body == "发送CXYE到10086"
    # saving again supersedes the open draft, kept as a version
    v3 = actions.article_edit(actor=author, article=a, body="拨打1008611或APP", submit=True)
    v2.refresh_from_db()
    assert v2.status == VersionStatus.SUPERSEDED and v3.status == VersionStatus.PENDING
    with pytest.raises(ValidationError) as exc:
        actions.article_edit(actor=author, article=a, body="again")
    assert _codes(exc) == {"status": "pending"}
    actions.version_approve(actor=reviewer, version=v3)
    a.refresh_from_db()
    v1.refresh_from_db()
    assert a.published_version_id == v3.pk and a.body == "拨打1008611或APP"
    assert v1.status == VersionStatus.ARCHIVED
    assert list(a.versions.order_by("number").values_list("status", flat=True)) == [
        "archived",
        "superseded",
        "published",
    ]
    actions_logged = list(
        AuditLog.objects.filter(object_type="knowledge.article", object_id=str(a.pk)).values_list(
            "action", flat=True
        )
    )
    for step in ("article.create", "version.submit", "version.approve", "article.publish", "version.create",
                 "version.supersede", "version.archive"):  # fmt: skip
        assert f"knowledge.{step}" in actions_logged


def test_reject_needs_a_reason_and_a_reviewer_other_than_the_author(kb):
    carrier, cat = kb
    admin = carrier["admin"]
    a = actions.article_create(actor=admin, category=cat, title="t", body="b", submit=True)
    v = a.versions.get()
    with pytest.raises(PermissionDenied):
        actions.version_approve(actor=admin, version=v)  # own version
    with pytest.raises(PermissionDenied):
        actions.version_approve(actor=carrier["service"], version=v)  # no review permission
    reviewer = carrier["branch_manager"]
    with pytest.raises(ValidationError) as exc:
        actions.version_reject(actor=reviewer, version=v, note="  ")
    assert _codes(exc) == {"note": "required"}
    v = actions.version_reject(actor=reviewer, version=v, note="写清楚步骤")
    assert (v.status, v.review_note, v.reviewer) == (VersionStatus.REJECTED, "写清楚步骤", reviewer)
    with pytest.raises(ValidationError) as exc:
        actions.version_approve(actor=reviewer, version=v)
    assert _codes(exc) == {"status": "not_pending"}
    with pytest.raises(ValidationError):
        actions.version_submit(actor=admin, version=v)  # rejected: edit first
    v2 = actions.article_edit(actor=admin, article=a, body="b, step by step", submit=True)
    assert v2.number == 2
    actions.version_approve(actor=reviewer, version=v2)
    assert Article.objects.get(pk=a.pk).body == "b, step by step"


def test_an_already_expired_version_is_not_published(kb):
    carrier, cat = kb
    a = actions.article_create(
        actor=carrier["service"],
        category=cat,
        title="活动",
        body="b",
        valid_until=timezone.localdate() - dt.timedelta(days=1),
        submit=True,
    )
    with pytest.raises(ValidationError) as exc:
        actions.version_approve(actor=carrier["admin"], version=a.versions.get())
    assert _codes(exc) == {"valid_until": "expired"}


def test_feedback_one_answer_per_user_and_counts(kb):
    carrier, cat = kb
    a = published(carrier["service"], carrier["admin"], cat, "t", "b")
    agent = carrier["agent"]
    a = actions.article_feedback(actor=agent, article=a, helpful=True)
    a = actions.article_feedback(actor=agent, article=a, helpful=True)
    assert (a.helpful_yes, a.helpful_no) == (1, 0)
    a = actions.article_feedback(actor=agent, article=a, helpful=False)
    a = actions.article_feedback(actor=carrier["clerk"], article=a, helpful=False)
    assert (a.helpful_yes, a.helpful_no) == (0, 2)
    assert ArticleFeedback.objects.filter(article=a).count() == 2
    with pytest.raises(ValidationError):
        actions.article_feedback(actor=agent, article=a, helpful=None)
    actions.article_viewed(actor=agent, article=a)
    assert Article.objects.get(pk=a.pk).view_count == 1


def test_category_tree_refuses_cycles(kb):
    carrier, root = kb
    admin = carrier["admin"]
    child = category(admin, "kb-child", parent=root)
    with pytest.raises(ValidationError):
        actions.category_save(actor=admin, code=root.code, name=root.name, parent=child)
