"""Number levels (靓号等级) and the rules that assign them; recomputing the levels of free numbers.

Money is integer fen. A rule is validated by rules.check_rule (a bad regular expression is a field
error on ``pattern``). Rule changes apply to numbers generated afterwards at once; the free numbers
already in the pool get their new level from ``levels_recompute`` (a background job with progress).
"""

from __future__ import annotations

from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from telcrm.platform.actions import job_start
from telcrm.platform.auditing import audit_event, audit_write, snapshot
from telcrm.platform.errors import NotFoundInScope, field_error
from telcrm.platform.jobs import job_handler
from telcrm.platform.models import AuditKind, Job

from ..models import LevelColour, Number, NumberLevel, NumberLevelRule, NumberState
from ..rules import LevelMatcher, check_rule
from ._common import MANAGE, pk_of, require_perm

RECOMPUTE_JOB = "resources.levels_recompute"
BATCH = 10_000
LEVEL_FIELDS = [
    "code",
    "name",
    "name_en",
    "rank",
    "price_fen",
    "min_spend_fen",
    "deposit_fen",
    "colour",
    "is_default",
]
RULE_FIELDS = ["level", "kind", "pattern", "count", "is_active", "note"]
MAX_FEN = 10**12  # ten billion yuan: anything above is a typing error


class _Errors:
    """Collects field errors so one call reports every wrong field at once."""

    def __init__(self):
        self.items: dict = {}

    def run(self, fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except ValidationError as exc:
            for name, errs in exc.error_dict.items():
                self.items.setdefault(name, []).extend(errs)
            return None

    def add(self, field: str, message, code: str, **params) -> None:
        self.items.setdefault(field, []).extend(field_error(field, message, code, **params).error_dict[field])

    def raise_if_any(self):
        if self.items:
            raise ValidationError(self.items)


def _text(value, field: str, *, limit: int, required: bool = False) -> str:
    text = " ".join(str(value or "").split())
    if required and not text:
        raise field_error(field, _("This field is required."), "required")
    if len(text) > limit:
        raise field_error(field, _("Keep this to %(max)s characters or fewer."), "max_length", max=limit)
    return text


def _whole(value, field: str, *, low: int = 0, high: int = MAX_FEN) -> int:
    if isinstance(value, bool):
        raise field_error(field, _("Enter a whole number."), "invalid")
    try:
        number = int(str(value).strip()) if value not in (None, "") else None
    except (TypeError, ValueError) as exc:
        raise field_error(field, _("Enter a whole number."), "invalid") from exc
    if number is None:
        raise field_error(field, _("This field is required."), "required")
    if not low <= number <= high:
        raise field_error(
            field, _("Enter a value from %(min)s to %(max)s."), "out_of_range", min=low, max=f"{high:,}"
        )
    return number


def _code(value) -> str:
    import re

    text = str(value or "").strip().lower()
    if not re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,31}", text):
        raise field_error("code", _("Use 1 to 32 lower-case letters, digits, - or _."), "invalid")
    return text


def _clean_level(errs: _Errors, data: dict, level: NumberLevel | None) -> dict:
    out = {}
    if "code" in data or level is None:
        out["code"] = errs.run(_code, data.get("code"))
    if "name" in data or level is None:
        out["name"] = errs.run(_text, data.get("name"), "name", limit=60, required=True)
    if "name_en" in data:
        out["name_en"] = errs.run(_text, data.get("name_en"), "name_en", limit=60)
    if "rank" in data or level is None:
        out["rank"] = errs.run(_whole, data.get("rank"), "rank", low=0, high=1000)
    for money in ("price_fen", "min_spend_fen", "deposit_fen"):
        if money in data:
            out[money] = errs.run(_whole, data.get(money), money)
    if "colour" in data:
        if data["colour"] not in LevelColour.values:
            errs.add("colour", _("Choose a colour."), "invalid_choice")
        else:
            out["colour"] = data["colour"]
    if "is_default" in data:
        out["is_default"] = bool(data["is_default"])
    errs.raise_if_any()
    dupes = NumberLevel.objects.exclude(pk=level.pk if level else None)
    if "code" in out and dupes.filter(code=out["code"]).exists():
        errs.add("code", _("Another level has this code."), "duplicate")
    if "rank" in out and dupes.filter(rank=out["rank"]).exists():
        errs.add("rank", _("Another level has this rank; each level needs its own."), "duplicate")
    errs.raise_if_any()
    return out


def _level(level, *, lock: bool = False) -> NumberLevel:
    qs = NumberLevel.objects.select_for_update() if lock else NumberLevel.objects
    try:
        return qs.get(pk=pk_of(level))
    except (NumberLevel.DoesNotExist, TypeError, ValueError) as exc:
        raise NotFoundInScope() from exc


def _store_level(level: NumberLevel) -> None:
    if level.is_default:  # one default level: the others give it up
        NumberLevel.objects.filter(is_default=True).exclude(pk=level.pk).update(is_default=False)
    try:
        with transaction.atomic():
            level.save()
    except IntegrityError as exc:  # a concurrent change took the code or rank
        raise field_error(
            "rank", _("Another level has this rank; each level needs its own."), "duplicate"
        ) from exc


@transaction.atomic
def level_create(
    actor,
    *,
    code: str,
    name: str,
    rank: int,
    name_en: str = "",
    price_fen: int = 0,
    min_spend_fen: int = 0,
    deposit_fen: int = 0,
    colour: str = "secondary",
    is_default: bool = False,
) -> NumberLevel:
    require_perm(actor, MANAGE)
    data = {
        "code": code,
        "name": name,
        "name_en": name_en,
        "rank": rank,
        "price_fen": price_fen,
        "min_spend_fen": min_spend_fen,
        "deposit_fen": deposit_fen,
        "colour": colour,
        "is_default": is_default,
    }
    level = NumberLevel(**_clean_level(_Errors(), data, None))
    _store_level(level)
    audit_write(action="number_level.create", actor=actor, obj=level, after=snapshot(level, LEVEL_FIELDS))
    return level


@transaction.atomic
def level_update(actor, level, **fields) -> NumberLevel:
    require_perm(actor, MANAGE)
    level = _level(level, lock=True)
    unknown = set(fields) - set(LEVEL_FIELDS)
    if unknown:
        raise field_error(sorted(unknown)[0], _("This field cannot be changed here."), "read_only")
    before = snapshot(level, LEVEL_FIELDS)
    for name, value in _clean_level(_Errors(), fields, level).items():
        setattr(level, name, value)
    _store_level(level)
    audit_write(
        action="number_level.update",
        actor=actor,
        obj=level,
        before=before,
        after=snapshot(level, LEVEL_FIELDS),
    )
    return level


@transaction.atomic
def level_delete(actor, level) -> None:
    """Delete a level no number carries (recompute the levels first after moving its rules)."""
    require_perm(actor, MANAGE)
    level = _level(level, lock=True)
    if Number.objects.filter(level=level).exists():
        raise field_error(
            "level",
            _("Numbers still carry this level; change its rules and recompute the levels first."),
            "in_use",
        )
    audit_write(action="number_level.delete", actor=actor, obj=level, before=snapshot(level, LEVEL_FIELDS))
    level.delete()


# --- rules ----------------------------------------------------------------------------------------
def _clean_rule(data: dict, rule: NumberLevelRule | None) -> dict:
    errs = _Errors()
    out = {}
    level = data.get("level", rule.level if rule else None)
    if level in (None, ""):
        errs.add("level", _("Choose a level."), "required")
    else:
        try:
            out["level"] = _level(level)
        except NotFoundInScope:
            errs.add("level", _("Choose a level."), "invalid")
    kind = data.get("kind", rule.kind if rule else "")
    pattern = data.get("pattern", rule.pattern if rule else "")
    count = data.get("count", rule.count if rule else None)
    cleaned = errs.run(check_rule, kind, pattern, count)
    if cleaned is not None:
        out["kind"] = kind
        out["pattern"], out["count"] = cleaned
    if "is_active" in data:
        out["is_active"] = bool(data["is_active"])
    if "note" in data:
        out["note"] = errs.run(_text, data.get("note"), "note", limit=200)
    errs.raise_if_any()
    return out


def _rule(rule, *, lock: bool = False) -> NumberLevelRule:
    # the rule alone: its level (joined for reading) stays free for whoever edits the level
    qs = NumberLevelRule.objects.select_for_update(of=("self",)) if lock else NumberLevelRule.objects
    try:
        return qs.select_related("level").get(pk=pk_of(rule))
    except (NumberLevelRule.DoesNotExist, TypeError, ValueError) as exc:
        raise NotFoundInScope() from exc


@transaction.atomic
def rule_create(
    actor, *, level, kind: str, pattern: str = "", count=None, is_active: bool = True, note: str = ""
) -> NumberLevelRule:
    require_perm(actor, MANAGE)
    data = {
        "level": level,
        "kind": kind,
        "pattern": pattern,
        "count": count,
        "is_active": is_active,
        "note": note,
    }
    rule = NumberLevelRule.objects.create(**_clean_rule(data, None))
    audit_write(action="number_rule.create", actor=actor, obj=rule, after=snapshot(rule, RULE_FIELDS))
    return rule


@transaction.atomic
def rule_update(actor, rule, **fields) -> NumberLevelRule:
    require_perm(actor, MANAGE)
    rule = _rule(rule, lock=True)
    unknown = set(fields) - set(RULE_FIELDS)
    if unknown:
        raise field_error(sorted(unknown)[0], _("This field cannot be changed here."), "read_only")
    before = snapshot(rule, RULE_FIELDS)
    for name, value in _clean_rule(fields, rule).items():
        setattr(rule, name, value)
    rule.save()
    audit_write(
        action="number_rule.update", actor=actor, obj=rule, before=before, after=snapshot(rule, RULE_FIELDS)
    )
    return rule


@transaction.atomic
def rule_delete(actor, rule) -> None:
    require_perm(actor, MANAGE)
    rule = _rule(rule, lock=True)
    audit_write(action="number_rule.delete", actor=actor, obj=rule, before=snapshot(rule, RULE_FIELDS))
    rule.delete()


# --- recomputing the levels of the free numbers -----------------------------------------------------
def levels_recompute(actor) -> Job:
    """Queue the recomputation of the level of every free number by the current rules (a background
    job with progress); returns the job."""
    require_perm(actor, MANAGE)
    return job_start(actor=actor, kind=RECOMPUTE_JOB, title=_("Recompute the levels of free numbers"))


def recompute_free_levels(*, matcher: LevelMatcher | None = None, progress=None) -> dict:
    """Give every free number the level the rules give it now; returns {checked, changed}.

    Batches by id; each batch one transaction with one UPDATE per target level that repeats
    ``state = 'free'`` (a number reserved meanwhile keeps its level).
    """
    matcher = matcher or LevelMatcher.current()
    free = Number.objects.filter(state=NumberState.FREE)
    if progress is not None:
        progress.set(0, free.count())
    checked = changed = 0
    last = 0
    while True:
        batch = list(free.filter(pk__gt=last).order_by("pk").values_list("pk", "msisdn", "level_id")[:BATCH])
        if not batch:
            break
        last = batch[-1][0]
        moves: dict = defaultdict(list)
        for pk, msisdn, current in batch:
            wanted = matcher.level_for(msisdn)
            if wanted != current:
                moves[wanted].append(pk)
        if moves:
            now = timezone.now()
            with transaction.atomic():
                for level_id, ids in moves.items():
                    changed += free.filter(pk__in=ids).update(level_id=level_id, updated_at=now)
        checked += len(batch)
        if progress is not None:
            progress.step(len(batch))
    return {"checked": checked, "changed": changed}


@job_handler(RECOMPUTE_JOB)
def run_levels_recompute(job, progress):
    result = recompute_free_levels(progress=progress)
    audit_event(
        kind=AuditKind.WRITE,
        action="number_level.recompute",
        actor=job.owner,
        object_type="platform.job",
        object_id=str(job.pk),
        object_repr=job.title,
        after=result,
    )
    return {
        "result": result,
        "message": _("%(checked)s free numbers checked, %(changed)s moved to another level.")
        % {"checked": f"{result['checked']:,}", "changed": f"{result['changed']:,}"},
    }
