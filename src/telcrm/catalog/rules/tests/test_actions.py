"""Writes of the rule tables: drafts, publishing (one published version per table, the previous one
archived), restore and discard, validation before anything is stored, permissions, audit rows."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from telcrm.catalog.rules import actions, dmn
from telcrm.catalog.rules.models import DecisionTable, DecisionTableVersion, VersionStatus
from telcrm.platform.errors import AccessDenied
from telcrm.platform.models import AuditLog

from ._helpers import grid, make_table, problems

CREDIT = grid(["offering", "credit_level"], [("credit_5g", ['"5G-CX-128"', "< 2"], "deny")])
CREDIT_V2 = grid(
    ["offering", "credit_level"],
    [("credit_5g", ['"5G-CX-128", "5G-CX-198"', "< 2"], "deny"), ("low_warn", ["-", "2"], "warn")],
)


def audit(action: str):
    return AuditLog.objects.filter(action=action).order_by("id")


def test_a_new_table_starts_with_an_empty_draft(admin):
    table = actions.rule_table_create(actor=admin, code="ELIG-X", name="测试", kind="eligibility")
    [draft] = table.versions.all()
    assert (draft.number, draft.status, draft.row_count) == (1, VersionStatus.DRAFT, 0)
    assert dmn.read_xml(draft.dmn_xml).columns[0].expression == "offering"
    log = audit("catalog_rule.table_create").get()
    assert log.actor == admin and log.after["code"] == "ELIG-X" and log.after["draft"] == 1


def test_table_fields_are_checked(admin):
    actions.rule_table_create(actor=admin, code="ELIG-X", name="测试", kind="eligibility")
    with pytest.raises(ValidationError) as exc:
        actions.rule_table_create(actor=admin, code="elig-x", name="", kind="pricing")
    assert set(exc.value.error_dict) == {"code", "name", "kind"}
    with pytest.raises(ValidationError) as exc:
        actions.rule_table_create(actor=admin, code="9 bad", name="x", kind="eligibility")
    assert set(exc.value.error_dict) == {"code"}


def test_a_table_can_start_from_an_uploaded_document(admin):
    table = actions.rule_table_create(
        actor=admin, code="UP", name="上传", kind="compatibility", dmn_xml=dmn.to_xml(CREDIT_V2)
    )
    assert table.versions.get().row_count == 2
    with pytest.raises(ValidationError) as exc:
        actions.rule_table_create(actor=admin, code="UP2", name="上传", kind="compatibility", dmn_xml="<x")
    assert "dmn_xml" in exc.value.error_dict
    assert not DecisionTable.objects.filter(code="UP2").exists()


def test_saving_keeps_one_draft_and_audits_the_change(admin):
    table, draft = make_table(admin, "ELIG-C", CREDIT)
    again = actions.rule_draft_save(actor=admin, table=table, dmn_xml=dmn.to_xml(CREDIT_V2), comment="两行")
    assert again.pk == draft.pk and again.number == 1 and again.row_count == 2
    log = audit("catalog_rule.draft_save").last()
    assert set(log.before) >= {"dmn_xml", "row_count"} and log.after["row_count"] == 2
    assert "low_warn" in log.after["dmn_xml"] and "low_warn" not in log.before["dmn_xml"]


def test_a_bad_draft_is_not_saved(admin):
    table, draft = make_table(admin, "ELIG-C", CREDIT)
    bad = grid(["credit_levl"], [("r1", ["< 2"], "deny")])
    with pytest.raises(ValidationError) as exc:
        actions.rule_draft_save(actor=admin, table=table, dmn_xml=dmn.to_xml(bad))
    assert problems(exc.value)[0].startswith("Column credit_levl: unknown fact name")
    draft.refresh_from_db()
    assert "credit_5g" in draft.dmn_xml


def test_a_save_over_someone_elses_newer_draft_is_refused(admin):
    table, draft = make_table(admin, "ELIG-C", CREDIT)
    token = actions.draft_token(draft)
    actions.rule_draft_save(actor=admin, table=table, dmn_xml=dmn.to_xml(CREDIT_V2), expected=token)
    with pytest.raises(ValidationError) as exc:
        actions.rule_draft_save(actor=admin, table=table, dmn_xml=dmn.to_xml(CREDIT), expected=token)
    assert exc.value.error_dict["dmn_xml"][0].code == "conflict"


def test_publishing_archives_the_previous_version_and_keeps_it(admin):
    table, v1 = make_table(admin, "ELIG-C", CREDIT)
    actions.rule_version_publish(actor=admin, version=v1, comment="首版")
    v2 = actions.rule_draft_save(actor=admin, table=table, dmn_xml=dmn.to_xml(CREDIT_V2))
    assert v2.number == 2
    actions.rule_version_publish(actor=admin, version=v2)
    v1.refresh_from_db()
    v2.refresh_from_db()
    assert (v1.status, v2.status) == (VersionStatus.ARCHIVED, VersionStatus.PUBLISHED)
    assert v1.archived_at and v2.published_by == admin and v1.comment == "首版"
    assert "credit_5g" in v1.dmn_xml and v1.row_count == 1  # the old rules are still there
    assert table.versions.filter(status=VersionStatus.PUBLISHED).count() == 1
    publish = audit("catalog_rule.publish").last()
    assert publish.before["status"] == "draft" and publish.after["status"] == "published"
    assert publish.after["replaces"] == 1
    assert audit("catalog_rule.archive").get().after["status"] == "archived"


def test_only_a_draft_is_published(admin):
    _table, v1 = make_table(admin, "ELIG-C", CREDIT)
    actions.rule_version_publish(actor=admin, version=v1)
    with pytest.raises(ValidationError) as exc:
        actions.rule_version_publish(actor=admin, version=v1)
    assert exc.value.error_dict["version"][0].code == "not_draft"


def test_the_database_allows_one_published_and_one_draft_version_per_table(admin):
    table, v1 = make_table(admin, "ELIG-C", CREDIT)
    with pytest.raises(IntegrityError), transaction.atomic():
        DecisionTableVersion.objects.create(table=table, number=2, dmn_xml="x", status=VersionStatus.DRAFT)
    actions.rule_version_publish(actor=admin, version=v1)
    with pytest.raises(IntegrityError), transaction.atomic():
        DecisionTableVersion.objects.create(
            table=table, number=3, dmn_xml="x", status=VersionStatus.PUBLISHED
        )


def test_restore_copies_an_old_version_into_a_new_draft(admin):
    table, v1 = make_table(admin, "ELIG-C", CREDIT)
    actions.rule_version_publish(actor=admin, version=v1)
    v2 = actions.rule_draft_save(actor=admin, table=table, dmn_xml=dmn.to_xml(CREDIT_V2))
    with pytest.raises(ValidationError) as exc:
        actions.rule_version_restore(actor=admin, version=v1)  # a draft is in progress
    assert exc.value.error_dict["version"][0].code == "has_draft"
    actions.rule_version_publish(actor=admin, version=v2)
    v3 = actions.rule_version_restore(actor=admin, version=v1)
    assert (v3.number, v3.status, v3.dmn_xml) == (3, VersionStatus.DRAFT, v1.dmn_xml)
    assert audit("catalog_rule.restore").get().after == {"restored_from": 1, "draft": 3}


def test_discarding_a_draft_keeps_the_published_version(admin):
    table, v1 = make_table(admin, "ELIG-C", CREDIT)
    actions.rule_version_publish(actor=admin, version=v1)
    v2 = actions.rule_draft_save(actor=admin, table=table, dmn_xml=dmn.to_xml(CREDIT_V2))
    actions.rule_draft_discard(actor=admin, version=v2)
    assert list(table.versions.values_list("number", "status")) == [(1, "published")]
    assert audit("catalog_rule.draft_discard").get().before["number"] == 2
    with pytest.raises(ValidationError):
        actions.rule_draft_discard(actor=admin, version=v1)


def test_update_changes_the_active_flag_with_audit(admin):
    table, _v = make_table(admin, "ELIG-C", CREDIT)
    actions.rule_table_update(
        actor=admin, table=table, name="新名称", name_en="New", kind="compatibility", is_active=False
    )
    table.refresh_from_db()
    assert (table.name, table.kind, table.is_active) == ("新名称", "compatibility", False)
    log = audit("catalog_rule.table_update").get()
    assert log.before == {"name": "表ELIG-C", "name_en": "", "kind": "eligibility", "is_active": True}
    assert log.after["is_active"] is False


@pytest.mark.parametrize("role", ["clerk", "branch_manager", "analyst", "marketer"])
def test_only_catalog_managers_write(carrier, admin, role):
    table, v1 = make_table(admin, "ELIG-C", CREDIT)
    user = carrier[role]
    assert not user.has_perm("catalog.manage_catalog")
    calls = [
        lambda: actions.rule_table_create(actor=user, code="X", name="x", kind="eligibility"),
        lambda: actions.rule_draft_save(actor=user, table=table, dmn_xml=dmn.to_xml(CREDIT)),
        lambda: actions.rule_version_publish(actor=user, version=v1),
        lambda: actions.rule_draft_discard(actor=user, version=v1),
        lambda: actions.rule_table_update(
            actor=user, table=table, name="x", kind="eligibility", is_active=False
        ),
    ]
    for call in calls:
        with pytest.raises(AccessDenied):
            call()
    assert not audit("catalog_rule.publish").exists()
