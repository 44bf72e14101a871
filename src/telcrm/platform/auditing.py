"""Writing audit records. Actions call :func:`audit_write`; PII reveals call :func:`audit_reveal`."""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import uuid
from typing import Any

from django.db import models

from . import context
from .models import AuditKind, AuditLog, Sealed

_PLAIN = frozenset((str, int, bool, float, type(None)))


def _jsonable(value: Any) -> Any:
    if type(value) in _PLAIN:  # most values: nothing to convert (checked first, it is the hot path)
        return value
    if isinstance(value, Sealed):
        # Only a fingerprint of the ciphertext reaches the audit log, never plaintext or the mask.
        return f"[encrypted {hashlib.sha256(value.ciphertext.encode()).hexdigest()[:8]}]" if value else ""
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    return value


def snapshot(obj: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """Concrete field values of ``obj`` (foreign keys as ids), JSON-safe, for before/after."""
    out = {}
    for f in obj._meta.concrete_fields:
        if fields is not None and f.name not in fields:
            continue
        if f.name in ("password",) or f.attname.endswith("_bidx") or getattr(f, "auto_now", False):
            continue
        out[f.attname] = _jsonable(getattr(obj, f.attname))
    return out


def diff(before: dict | None, after: dict | None) -> tuple[dict | None, dict | None]:
    """Reduce two snapshots to the keys that changed."""
    if not before or not after:
        return before, after
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


def _entry(
    *,
    kind: str,
    action: str,
    actor,
    obj=None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    field: str = "",
    before=None,
    after=None,
    org_unit=None,
) -> AuditLog:
    ctx = context.current()
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)
        org_unit_id = getattr(obj, "org_unit_id", None) if org_unit is None else org_unit.pk
    else:
        org_unit_id = org_unit.pk if org_unit is not None else None
    if org_unit_id is None and actor is not None:
        org_unit_id = getattr(actor, "org_unit_id", None)
    return AuditLog(
        kind=kind,
        action=action,
        actor=actor if actor is not None and actor.pk else None,
        actor_username=getattr(actor, "username", "") or "",
        org_unit_id=org_unit_id,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr[:200],
        field=field,
        before=_jsonable(before),
        after=_jsonable(after),
        ip=ctx.ip,
        user_agent=(ctx.user_agent or "")[:255],
        request_id=ctx.request_id,
        channel=ctx.channel,
    )


def _record(**kw) -> AuditLog:
    entry = _entry(**kw)
    entry.save()
    return entry


def audit_prepare_many(entries):
    """The rows of many write records (``entries``: the keyword arguments of :func:`audit_write`, one
    dict per record), prepared for ``bulk.write_prepared`` — to be written in a later statement."""
    from .bulk import prepare_many

    rows = []
    for kw in entries:
        kw = dict(kw)
        kw["before"], kw["after"] = diff(kw.pop("before", None), kw.pop("after", None))
        rows.append(_entry(kind=AuditKind.WRITE, **kw))
    return prepare_many(rows, history=False)


def audit_write_many(entries) -> int:
    """Many write records in one statement: ``entries`` are the keyword arguments of
    :func:`audit_write` (action, actor, obj, before, after, …), one dict per record."""
    from .bulk import write_prepared

    return write_prepared(audit_prepare_many(entries))


def audit_write(*, action: str, actor, obj=None, before=None, after=None, **kw) -> AuditLog:
    before, after = diff(before, after)
    return _record(
        kind=AuditKind.WRITE, action=action, actor=actor, obj=obj, before=before, after=after, **kw
    )


def audit_reveal(*, actor, obj, field: str) -> AuditLog:
    return _record(kind=AuditKind.REVEAL, action="pii.reveal", actor=actor, obj=obj, field=field)


def audit_event(*, kind: str, action: str, actor, **kw) -> AuditLog:
    return _record(kind=kind, action=action, actor=actor, **kw)
