"""Every write of process definitions, and the operators' and the order module's process actions.

Definitions (``orders.manage_process``): create, rename, save a draft (uploaded or edited in the
modeler), publish it (it becomes the active version: new instances start on it; the version it
replaces is retired, and its running instances finish on it), discard a draft, retire the active
version (no new instances), copy an old version into a new draft. A draft is checked completely
(:func:`telcrm.orders.processes.bpmn.compile_xml`) when saved and again when published.

Instances: :func:`process_start` (the order module, inside its own transaction),
:func:`process_cancel`, :func:`process_retry` (operators) — thin wrappers of the engine.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from telcrm.platform.actions import require_perm
from telcrm.platform.auditing import audit_write, snapshot
from telcrm.platform.errors import NotFoundInScope, field_error

from ..models import ProcessDefinition, ProcessInstance, ProcessVersion, VersionState
from ..models.process import KEY_VALIDATOR
from ..permissions import MANAGE_PROCESS
from ..processes import bpmn, engine

DEFINITION_FIELDS = ["key", "name", "name_en", "description"]
VERSION_FIELDS = ["number", "state", "comment", "process_id", "published_at", "published_by", "retired_at"]


class Errors:
    def __init__(self) -> None:
        self.errors: dict[str, list[ValidationError]] = {}

    def add(self, field: str, message, code: str, **params) -> None:
        for name, errs in field_error(field, message, code, **params).error_dict.items():
            self.errors.setdefault(name, []).extend(errs)

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


def _lock_definition(definition) -> ProcessDefinition:
    try:
        return ProcessDefinition.objects.select_for_update().get(pk=_pk(definition))
    except (ProcessDefinition.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFoundInScope() from exc


def _touch(definition: ProcessDefinition, actor) -> None:
    definition.changed_at = timezone.now()
    definition.changed_by = actor if getattr(actor, "pk", None) else None
    definition.save(update_fields=["changed_at", "changed_by"])


def _elements(compiled: bpmn.CompiledProcess) -> list[dict]:
    return [e.as_dict() for e in compiled.elements]


# --- definitions ------------------------------------------------------------------------------------------
@transaction.atomic
def process_definition_create(
    *, actor, key: str, name: str, name_en: str = "", description: str = "", bpmn_xml: str, comment: str = ""
) -> ProcessDefinition:
    """A new definition with ``bpmn_xml`` as its first draft."""
    require_perm(actor, MANAGE_PROCESS)
    errs = Errors()
    key = _text(errs, key, "key", max_length=100, required=True)
    if key and "key" not in errs.errors:
        try:
            KEY_VALIDATOR(key)
        except ValidationError:
            errs.add("key", _("Use lower-case words joined by dots, e.g. order.new_line."), "invalid")
        else:
            if ProcessDefinition.objects.filter(key=key).exists():
                errs.add("key", _("A process with key %(value)s exists already."), "unique", value=key)
    name = _text(errs, name, "name", max_length=100, required=True)
    name_en = _text(errs, name_en, "name_en", max_length=100)
    description = _text(errs, description, "description", max_length=2000)
    comment = _text(errs, comment, "comment", max_length=200)
    errs.raise_if_any()
    compiled = bpmn.compile_xml(bpmn_xml)
    now = timezone.now()
    definition = ProcessDefinition.objects.create(
        key=key,
        name=name,
        name_en=name_en,
        description=description,
        last_number=1,
        changed_at=now,
        changed_by=actor,
    )
    version = ProcessVersion.objects.create(
        definition=definition,
        number=1,
        state=VersionState.DRAFT,
        bpmn_xml=bpmn_xml,
        process_id=compiled.process_id,
        elements=_elements(compiled),
        comment=comment,
        created_by=actor,
        saved_at=now,
    )
    audit_write(
        action="process_definition.create",
        actor=actor,
        obj=definition,
        after={**snapshot(definition, DEFINITION_FIELDS), "draft": version.number},
    )
    return definition


@transaction.atomic
def process_definition_update(
    *, actor, definition, name: str, name_en: str = "", description: str = ""
) -> ProcessDefinition:
    require_perm(actor, MANAGE_PROCESS)
    definition = _lock_definition(definition)
    errs = Errors()
    name = _text(errs, name, "name", max_length=100, required=True)
    name_en = _text(errs, name_en, "name_en", max_length=100)
    description = _text(errs, description, "description", max_length=2000)
    errs.raise_if_any()
    before = snapshot(definition, DEFINITION_FIELDS)
    definition.name, definition.name_en, definition.description = name, name_en, description
    definition.changed_at, definition.changed_by = timezone.now(), actor
    definition.save()
    audit_write(
        action="process_definition.update",
        actor=actor,
        obj=definition,
        before=before,
        after=snapshot(definition, DEFINITION_FIELDS),
    )
    return definition


# --- versions -----------------------------------------------------------------------------------------------
def draft_token(version: ProcessVersion | None) -> str:
    """What an editor remembers of the draft it opened, to notice a save by someone else meanwhile."""
    if version is None:
        return ""
    return f"{version.pk}:{version.saved_at.isoformat() if version.saved_at else ''}"


@transaction.atomic
def process_draft_save(
    *, actor, definition, bpmn_xml: str, comment: str = "", expected: str | None = None
) -> ProcessVersion:
    """Save ``bpmn_xml`` as the definition's draft (the one in progress, or a new version number).
    ``expected``: the :func:`draft_token` the editor started from; another save meanwhile refuses."""
    require_perm(actor, MANAGE_PROCESS)
    definition = _lock_definition(definition)
    errs = Errors()
    comment = _text(errs, comment, "comment", max_length=200)
    errs.raise_if_any()
    compiled = bpmn.compile_xml(bpmn_xml)
    draft = (
        ProcessVersion.objects.select_for_update()
        .filter(definition=definition, state=VersionState.DRAFT)
        .first()
    )
    if expected is not None and expected != draft_token(draft):
        raise field_error(
            bpmn.FIELD,
            _("Someone else saved this process since you opened it; reload the page to see their draft."),
            "conflict",
        )
    before = snapshot(draft, VERSION_FIELDS) if draft else None
    if draft is None:  # a new number, never one of a discarded draft
        definition.last_number += 1
        definition.save(update_fields=["last_number"])
        draft = ProcessVersion(
            definition=definition, number=definition.last_number, state=VersionState.DRAFT, created_by=actor
        )
    draft.bpmn_xml = bpmn_xml
    draft.process_id = compiled.process_id
    draft.elements = _elements(compiled)
    draft.comment = comment
    draft.saved_at = timezone.now()
    draft.save()
    _touch(definition, actor)
    audit_write(
        action="process_version.draft_save",
        actor=actor,
        obj=draft,
        before=before,
        after=snapshot(draft, VERSION_FIELDS),
    )
    return draft


def _version(definition: ProcessDefinition, version) -> ProcessVersion:
    try:
        return ProcessVersion.objects.select_for_update().get(pk=_pk(version), definition=definition)
    except (ProcessVersion.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFoundInScope() from exc


def _definition_id(version) -> int:
    if isinstance(version, ProcessVersion):
        return version.definition_id
    try:
        return ProcessVersion.objects.values_list("definition_id", flat=True).get(pk=version)
    except (ProcessVersion.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFoundInScope() from exc


@transaction.atomic
def process_version_publish(*, actor, version, comment: str = "") -> ProcessVersion:
    """Make a draft the active version: new instances start on it from the next commit on; the
    version it replaces is retired, its running instances finish on it. Checked again first."""
    require_perm(actor, MANAGE_PROCESS)
    definition = _lock_definition(_definition_id(version))
    version = _version(definition, version)
    errs = Errors()
    comment = _text(errs, comment, "comment", max_length=200)
    if version.state != VersionState.DRAFT:
        errs.add(
            "version",
            _("Only a draft can be published; version %(number)s is %(state)s."),
            "not_draft",
            number=version.number,
            state=VersionState(version.state).label,
        )
    errs.raise_if_any()
    compiled = bpmn.compile_xml(version.bpmn_xml)
    now = timezone.now()
    previous = (
        ProcessVersion.objects.select_for_update()
        .filter(definition=definition, state=VersionState.ACTIVE)
        .first()
    )
    if previous is not None:
        before = snapshot(previous, VERSION_FIELDS)
        previous.state, previous.retired_at = VersionState.RETIRED, now
        previous.save(update_fields=["state", "retired_at"])
        audit_write(
            action="process_version.retire",
            actor=actor,
            obj=previous,
            before=before,
            after=snapshot(previous, VERSION_FIELDS),
        )
    before = snapshot(version, VERSION_FIELDS)
    version.state = VersionState.ACTIVE
    version.process_id = compiled.process_id
    version.elements = _elements(compiled)
    version.published_at, version.published_by = now, actor
    if comment:
        version.comment = comment
    version.save()
    _touch(definition, actor)
    audit_write(
        action="process_version.publish",
        actor=actor,
        obj=version,
        before=before,
        after={**snapshot(version, VERSION_FIELDS), "replaces": previous.number if previous else None},
    )
    return version


@transaction.atomic
def process_version_retire(*, actor, version) -> ProcessVersion:
    """Stop new instances on the active version (running ones finish on it)."""
    require_perm(actor, MANAGE_PROCESS)
    definition = _lock_definition(_definition_id(version))
    version = _version(definition, version)
    if version.state != VersionState.ACTIVE:
        raise field_error("version", _("Only the active version can be retired."), "not_active")
    before = snapshot(version, VERSION_FIELDS)
    version.state, version.retired_at = VersionState.RETIRED, timezone.now()
    version.save(update_fields=["state", "retired_at"])
    _touch(definition, actor)
    audit_write(
        action="process_version.retire",
        actor=actor,
        obj=version,
        before=before,
        after=snapshot(version, VERSION_FIELDS),
    )
    return version


@transaction.atomic
def process_draft_discard(*, actor, version) -> None:
    require_perm(actor, MANAGE_PROCESS)
    definition = _lock_definition(_definition_id(version))
    version = _version(definition, version)
    if version.state != VersionState.DRAFT:
        raise field_error("version", _("Only a draft can be discarded."), "not_draft")
    audit_write(
        action="process_version.draft_discard",
        actor=actor,
        obj=version,
        before=snapshot(version, VERSION_FIELDS),
        after=None,
    )
    version.delete()
    _touch(definition, actor)


@transaction.atomic
def process_version_restore(*, actor, version) -> ProcessVersion:
    """A new draft with the flow of an earlier version."""
    require_perm(actor, MANAGE_PROCESS)
    definition = _lock_definition(_definition_id(version))
    version = _version(definition, version)
    if version.state == VersionState.DRAFT:
        raise field_error("version", _("This version is the draft already."), "is_draft")
    if ProcessVersion.objects.filter(definition=definition, state=VersionState.DRAFT).exists():
        raise field_error(
            "version",
            _("Publish or discard the current draft before restoring an older version."),
            "has_draft",
        )
    return process_draft_save(
        actor=actor,
        definition=definition,
        bpmn_xml=version.bpmn_xml,
        comment=str(_("Restored from version %(number)s")) % {"number": version.number},
    )


# --- instances ----------------------------------------------------------------------------------------------
def process_start(
    *,
    key: str,
    actor,
    subject=None,
    data: dict | None = None,
    org_unit=None,
    business_key: str = "",
    schedule: bool = True,
) -> ProcessInstance:
    """Start process ``key`` (its active version) for ``subject`` inside the caller's transaction; it
    runs in a worker after commit (``schedule=False``: the caller advances it with
    ``processes.engine.advance``). ``data`` (plain JSON) is the process data its steps see."""
    return engine.start(
        key,
        subject=subject,
        data=data,
        actor=actor,
        org_unit=org_unit,
        business_key=business_key,
        schedule=schedule,
    )


def _instance(actor, instance) -> ProcessInstance:
    try:
        return ProcessInstance.objects.restrict(actor).get(pk=_pk(instance))
    except (ProcessInstance.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFoundInScope() from exc


def process_cancel(*, actor, instance, reason: str = "", check_permission: bool = True) -> ProcessInstance:
    """Stop an instance and cancel its open work orders. Operators need orders.manage_process; the
    order module cancels the process of an order it cancels (``check_permission=False``)."""
    if check_permission:
        require_perm(actor, MANAGE_PROCESS)
        instance = _instance(actor, instance)
    errs = Errors()
    reason = _text(errs, reason, "reason", max_length=200)
    errs.raise_if_any()
    return engine.cancel(instance, actor=actor, reason=reason)


def process_retry(*, actor, instance) -> ProcessInstance:
    """Run a failed instance again from its last committed step (after the cause was fixed)."""
    require_perm(actor, MANAGE_PROCESS)
    return engine.retry(_instance(actor, instance), actor=actor)
