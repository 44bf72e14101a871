"""Every write of the rule tables: validate, change, audit — one transaction each.

Only holders of ``catalog.manage_catalog`` write. A draft is checked completely (the XML, every
column and cell, an evaluation against the sample facts) when it is saved and again when it is
published; what the engine evaluates can therefore always be parsed and evaluated. A publish or
(de)activation bumps the engine's stamp after commit, so every process evaluates the new rules from
its next call on.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from telcrm.platform.actions import require_perm
from telcrm.platform.auditing import audit_write, snapshot
from telcrm.platform.errors import NotFoundInScope, field_error

from . import dmn, engine
from .models import CODE_VALIDATOR, DecisionTable, DecisionTableVersion, RuleKind, VersionStatus

MANAGE = "catalog.manage_catalog"
VIEW = "catalog.view_catalog"
TABLE_FIELDS = ["code", "name", "name_en", "kind", "description", "is_active"]
VERSION_FIELDS = ["number", "status", "comment", "dmn_xml", "row_count", "published_at", "published_by"]


class Errors:
    """Collects field errors so one call reports every wrong field at once."""

    def __init__(self) -> None:
        self.errors: dict[str, list[ValidationError]] = {}

    def add(self, field: str, message, code: str, **params) -> None:
        self.merge(field_error(field, message, code, **params))

    def merge(self, exc: ValidationError) -> None:
        if hasattr(exc, "error_dict"):
            for name, errs in exc.error_dict.items():
                self.errors.setdefault(name, []).extend(errs)
        else:
            self.errors.setdefault("__all__", []).extend(exc.error_list)

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)


def _pk(obj):
    return getattr(obj, "pk", obj)


def _text(errs: Errors, value, field: str, *, max_length: int, required: bool = False) -> str:
    text = "" if value is None else str(value).strip()
    if required and not text:
        errs.add(field, _("This field is required."), "required")
    elif len(text) > max_length:
        errs.add(field, _("At most %(n)s characters."), "max_length", n=max_length)
    return text


def _lock_table(table) -> DecisionTable:
    try:
        return DecisionTable.objects.select_for_update().get(pk=_pk(table))
    except (DecisionTable.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFoundInScope() from exc


def _touch(table: DecisionTable, actor) -> None:
    table.changed_at = timezone.now()
    table.changed_by = actor if getattr(actor, "pk", None) else None
    table.save(update_fields=["changed_at", "changed_by"])


def _check_kind(errs: Errors, kind) -> str:
    if kind not in RuleKind.values:
        errs.add("kind", _("Choose eligibility or compatibility."), "invalid_choice")
    return kind


# --- tables ---------------------------------------------------------------------------------------
@transaction.atomic
def rule_table_create(
    *,
    actor,
    code: str,
    name: str,
    kind: str,
    name_en: str = "",
    description: str = "",
    dmn_xml: str | None = None,
    comment: str = "",
) -> DecisionTable:
    """A new table with a first draft: ``dmn_xml`` when given (uploaded), else an empty grid."""
    require_perm(actor, MANAGE)
    errs = Errors()
    code = _text(errs, code, "code", max_length=50, required=True)
    if code and "code" not in errs.errors:
        try:
            CODE_VALIDATOR(code)
        except ValidationError:
            errs.add("code", _("Use letters, digits, - and _, starting with a letter."), "invalid")
        else:
            if DecisionTable.objects.filter(code__iexact=code).exists():
                errs.add(
                    "code", _("A decision table with code %(value)s exists already."), "unique", value=code
                )
    name = _text(errs, name, "name", max_length=100, required=True)
    name_en = _text(errs, name_en, "name_en", max_length=100)
    description = _text(errs, description, "description", max_length=2000)
    comment = _text(errs, comment, "comment", max_length=200)
    _check_kind(errs, kind)
    errs.raise_if_any()
    if dmn_xml is None:
        grid = dmn.starter_grid(name)
        grid.decision_id = dmn.decision_id_for(code)
        dmn_xml = dmn.to_xml(grid)
    compiled = dmn.compile_xml(dmn_xml)
    now = timezone.now()
    table = DecisionTable.objects.create(
        code=code,
        name=name,
        name_en=name_en,
        kind=kind,
        description=description,
        last_number=1,
        changed_at=now,
        changed_by=actor,
    )
    version = DecisionTableVersion.objects.create(
        table=table,
        number=1,
        dmn_xml=dmn_xml,
        status=VersionStatus.DRAFT,
        comment=comment,
        row_count=len(compiled.grid.rows),
        created_by=actor,
        saved_at=now,
    )
    audit_write(
        action="catalog_rule.table_create",
        actor=actor,
        obj=table,
        after={**snapshot(table, TABLE_FIELDS), "draft": version.number},
    )
    return table


@transaction.atomic
def rule_table_update(
    *, actor, table, name: str, kind: str, is_active: bool, name_en: str = "", description: str = ""
) -> DecisionTable:
    """Name, kind, description and the active flag (an inactive table is not evaluated)."""
    require_perm(actor, MANAGE)
    table = _lock_table(table)
    errs = Errors()
    name = _text(errs, name, "name", max_length=100, required=True)
    name_en = _text(errs, name_en, "name_en", max_length=100)
    description = _text(errs, description, "description", max_length=2000)
    _check_kind(errs, kind)
    if not isinstance(is_active, bool):
        errs.add("is_active", _("Say whether the table is active."), "invalid")
    errs.raise_if_any()
    before = snapshot(table, TABLE_FIELDS)
    evaluated_before = (table.kind, table.is_active)
    table.name, table.name_en, table.description = name, name_en, description
    table.kind, table.is_active = kind, is_active
    table.changed_at, table.changed_by = timezone.now(), actor
    table.save()
    audit_write(
        action="catalog_rule.table_update",
        actor=actor,
        obj=table,
        before=before,
        after=snapshot(table, TABLE_FIELDS),
    )
    if (table.kind, table.is_active) != evaluated_before:
        transaction.on_commit(engine.invalidate)
    return table


# --- versions -------------------------------------------------------------------------------------
def _draft_token(version: DecisionTableVersion | None) -> str:
    """What a form remembers of the draft it edits, to notice a save by someone else meanwhile."""
    if version is None:
        return ""
    return f"{version.pk}:{version.saved_at.isoformat() if version.saved_at else ''}"


draft_token = _draft_token


@transaction.atomic
def rule_draft_save(
    *, actor, table, dmn_xml: str, comment: str = "", expected: str | None = None
) -> DecisionTableVersion:
    """Save ``dmn_xml`` as the table's draft (the draft in progress, or a new version number).

    ``expected``: the :func:`draft_token` the editor started from; a different current draft means
    someone else saved in between, and the save is refused rather than overwrite their work.
    """
    require_perm(actor, MANAGE)
    table = _lock_table(table)
    errs = Errors()
    comment = _text(errs, comment, "comment", max_length=200)
    errs.raise_if_any()
    compiled = dmn.compile_xml(dmn_xml)
    draft = (
        DecisionTableVersion.objects.select_for_update()
        .filter(table=table, status=VersionStatus.DRAFT)
        .first()
    )
    if expected is not None and expected != _draft_token(draft):
        raise field_error(
            "dmn_xml",
            _("Someone else saved this table since you opened it; reload the page to see their draft."),
            "conflict",
        )
    before = snapshot(draft, VERSION_FIELDS) if draft else None
    if draft is None:  # a new number, never one of a discarded draft
        table.last_number += 1
        table.save(update_fields=["last_number"])
        draft = DecisionTableVersion(
            table=table, number=table.last_number, status=VersionStatus.DRAFT, created_by=actor
        )
    draft.dmn_xml = dmn_xml
    draft.comment = comment
    draft.row_count = len(compiled.grid.rows)
    draft.saved_at = timezone.now()
    draft.save()
    _touch(table, actor)
    audit_write(
        action="catalog_rule.draft_save",
        actor=actor,
        obj=draft,
        before=before,
        after=snapshot(draft, VERSION_FIELDS),
    )
    return draft


def _version_of(table: DecisionTable, version) -> DecisionTableVersion:
    try:
        return DecisionTableVersion.objects.select_for_update().get(pk=_pk(version), table=table)
    except (DecisionTableVersion.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFoundInScope() from exc


def _table_id(version) -> int:
    if isinstance(version, DecisionTableVersion):
        return version.table_id
    try:
        return DecisionTableVersion.objects.values_list("table_id", flat=True).get(pk=version)
    except (DecisionTableVersion.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFoundInScope() from exc


@transaction.atomic
def rule_version_publish(*, actor, version, comment: str = "") -> DecisionTableVersion:
    """Put a draft in force: it becomes the published version, the one it replaces is archived.
    The draft is checked again (parsed, every cell evaluated against the sample facts) first."""
    require_perm(actor, MANAGE)
    table = _lock_table(_table_id(version))
    version = _version_of(table, version)
    errs = Errors()
    comment = _text(errs, comment, "comment", max_length=200)
    if version.status != VersionStatus.DRAFT:
        errs.add(
            "version",
            _("Only a draft can be published; version %(number)s is %(status)s."),
            "not_draft",
            number=version.number,
            status=VersionStatus(version.status).label,
        )
    errs.raise_if_any()
    dmn.compile_xml(version.dmn_xml)
    now = timezone.now()
    previous = (
        DecisionTableVersion.objects.select_for_update()
        .filter(table=table, status=VersionStatus.PUBLISHED)
        .first()
    )
    if previous is not None:
        before = snapshot(previous, VERSION_FIELDS)
        previous.status = VersionStatus.ARCHIVED
        previous.archived_at = now
        previous.save(update_fields=["status", "archived_at"])
        audit_write(
            action="catalog_rule.archive",
            actor=actor,
            obj=previous,
            before=before,
            after=snapshot(previous, VERSION_FIELDS),
        )
    before = snapshot(version, VERSION_FIELDS)
    version.status = VersionStatus.PUBLISHED
    version.published_at = now
    version.published_by = actor
    if comment:
        version.comment = comment
    version.save()
    _touch(table, actor)
    audit_write(
        action="catalog_rule.publish",
        actor=actor,
        obj=version,
        before=before,
        after={**snapshot(version, VERSION_FIELDS), "replaces": previous.number if previous else None},
    )
    transaction.on_commit(engine.invalidate)
    return version


@transaction.atomic
def rule_draft_discard(*, actor, version) -> None:
    """Throw the draft away (the published version, if any, stays in force)."""
    require_perm(actor, MANAGE)
    table = _lock_table(_table_id(version))
    version = _version_of(table, version)
    if version.status != VersionStatus.DRAFT:
        raise field_error("version", _("Only a draft can be discarded."), "not_draft")
    audit_write(
        action="catalog_rule.draft_discard",
        actor=actor,
        obj=version,
        before=snapshot(version, VERSION_FIELDS),
        after=None,
    )
    version.delete()
    _touch(table, actor)


@transaction.atomic
def rule_version_restore(*, actor, version) -> DecisionTableVersion:
    """A new draft with the rules of an earlier (published or archived) version."""
    require_perm(actor, MANAGE)
    table = _lock_table(_table_id(version))
    version = _version_of(table, version)
    if version.status == VersionStatus.DRAFT:
        raise field_error("version", _("This version is the draft already."), "is_draft")
    if DecisionTableVersion.objects.filter(table=table, status=VersionStatus.DRAFT).exists():
        raise field_error(
            "version",
            _("Publish or discard the current draft before restoring an older version."),
            "has_draft",
        )
    draft = rule_draft_save(
        actor=actor,
        table=table,
        dmn_xml=version.dmn_xml,
        comment=str(_("Restored from version %(number)s")) % {"number": version.number},
    )
    audit_write(
        action="catalog_rule.restore",
        actor=actor,
        obj=draft,
        after={"restored_from": version.number, "draft": draft.number},
    )
    return draft
