"""Number ranges (号段): create, change, delete, and generate their numbers as a background job.

Generation inserts numbers in chunks with :func:`insert_numbers` — PostgreSQL ``COPY … FROM STDIN``,
batched INSERTs on SQLite — never row by row through the ORM: a range of a
million numbers is a minute's work. Each chunk is its own transaction and skips the numbers that
exist already, so an interrupted job is simply run again (retry) and continues.
"""

from __future__ import annotations

import hashlib

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from telcrm.platform.actions import job_start
from telcrm.platform.auditing import audit_event, audit_write, snapshot
from telcrm.platform.bulk import copy_rows
from telcrm.platform.errors import NotFoundInScope, field_error
from telcrm.platform.jobs import job_handler
from telcrm.platform.models import AuditKind, Job, OrgUnit
from telcrm.platform.parameters import param
from telcrm.platform.queries import dictionary

from ..models import MSISDN_LENGTH, Number, NumberRange, NumberState
from ..queries import REGION_KINDS
from ..rules import LevelMatcher, has_four
from ._common import MANAGE, pk_of, require_perm

GENERATE_JOB = "resources.range_generate"
CHUNK = 20_000
NUMBER_COLUMNS = (
    "msisdn",
    "range",
    "region",
    "level",
    "has_four",
    "state",
    "reservation_ref",
    "frozen_reason",
    "updated_at",
)
RANGE_FIELDS = ["start", "end", "region", "brand", "note"]


def _lock_ranges() -> None:
    """Serialise range changes (the overlap check reads, then writes). SQLite serialises writers anyway."""
    if connection.vendor == "postgresql":
        key = int.from_bytes(hashlib.sha256(b"resources.number_ranges").digest()[:8], "big", signed=True)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def _msisdn(value, field: str) -> str:
    text = "".join(str(value or "").split())
    if not text:
        raise field_error(field, _("Enter an 11-digit mobile number."), "required")
    if not (text.isascii() and text.isdigit()) or len(text) != MSISDN_LENGTH or text[0] != "1":
        raise field_error(field, _("Enter an 11-digit mobile number starting with 1."), "invalid")
    return text


def _span(*, start, end, prefix) -> tuple[str, str, str]:
    """(start, end, the field to blame for the span) from a prefix or from both ends."""
    prefix = "".join(str(prefix or "").split())
    if prefix:
        if not (prefix.isascii() and prefix.isdigit()) or prefix[0] != "1" or not 3 <= len(prefix) <= 11:
            raise field_error("prefix", _("Enter 3 to 11 digits starting with 1."), "invalid")
        rest = MSISDN_LENGTH - len(prefix)
        return prefix + "0" * rest, prefix + "9" * rest, "prefix"
    first = _msisdn(start, "start")
    last = _msisdn(end, "end")
    if last < first:
        raise field_error("end", _("The last number is before the first."), "before_start")
    return first, last, "start"


def _region(region) -> OrgUnit:
    unit = region if isinstance(region, OrgUnit) else None
    if unit is None and region not in (None, ""):
        try:
            unit = OrgUnit.objects.filter(pk=pk_of(region)).first()
        except (TypeError, ValueError):
            unit = None
    if unit is None:
        raise field_error("region", _("Choose the city or province the numbers belong to."), "required")
    if unit.kind not in REGION_KINDS:
        raise field_error("region", _("A range belongs to a city or a province."), "invalid_kind")
    if not unit.is_active:
        raise field_error("region", _("This unit is inactive."), "inactive")
    return unit


def _brand(value) -> str:
    text = str(value or "").strip()
    codes = {i["code"] for i in dictionary("number_brand")}
    if text and codes and text not in codes:
        raise field_error("brand", _("Choose a brand from the list."), "invalid_choice")
    if len(text) > 32:
        raise field_error("brand", _("Choose a brand from the list."), "invalid_choice")
    return text


def _note(value) -> str:
    text = " ".join(str(value or "").split())
    if len(text) > 200:
        raise field_error("note", _("Keep the note to %(max)s characters or fewer."), "max_length", max=200)
    return text


def _check_span(first: str, last: str, blame: str, *, exclude=None) -> None:
    size = int(last) - int(first) + 1
    limit = int(param("resources.max_range_size"))
    if size > limit:
        raise field_error(
            blame,
            _("A range may hold at most %(max)s numbers; this one has %(size)s."),
            "too_large",
            max=f"{limit:,}",
            size=f"{size:,}",
        )
    clash = NumberRange.objects.filter(start__lte=last, end__gte=first)
    if exclude is not None:
        clash = clash.exclude(pk=exclude.pk)
    other = clash.order_by("start").first()
    if other is not None:
        raise field_error(
            blame,
            _("This range overlaps the range %(start)s–%(end)s."),
            "overlap",
            start=other.start,
            end=other.end,
        )


def _locked(number_range) -> NumberRange:
    try:
        return NumberRange.objects.select_for_update().get(pk=pk_of(number_range))
    except (NumberRange.DoesNotExist, TypeError, ValueError) as exc:
        raise NotFoundInScope() from exc


def _save(rng: NumberRange, blame: str) -> None:
    try:
        with transaction.atomic():
            rng.save()
    except IntegrityError as exc:  # PostgreSQL's exclusion constraint: a concurrent overlapping range
        raise field_error(blame, _("This range overlaps another range."), "overlap") from exc


@transaction.atomic
def range_create(actor, *, region, start="", end="", prefix="", brand="", note="") -> NumberRange:
    """A new range from ``prefix`` (1380571 → 13805710000–13805719999) or ``start``/``end``; an
    overlap with an existing range is a field error on ``prefix`` (or ``start``)."""
    require_perm(actor, MANAGE)
    first, last, blame = _span(start=start, end=end, prefix=prefix)
    rng = NumberRange(start=first, end=last, region=_region(region), brand=_brand(brand), note=_note(note))
    _lock_ranges()
    _check_span(first, last, blame)
    _save(rng, blame)
    audit_write(action="number_range.create", actor=actor, obj=rng, after=snapshot(rng, RANGE_FIELDS))
    return rng


@transaction.atomic
def range_update(actor, number_range, **fields) -> NumberRange:
    """Change region, brand and note; the span (start/end/prefix) only while no number exists in it.
    A new region moves the range's numbers with it."""
    require_perm(actor, MANAGE)
    rng = _locked(number_range)
    unknown = set(fields) - {"region", "brand", "note", "start", "end", "prefix"}
    if unknown:
        raise field_error(sorted(unknown)[0], _("This field cannot be changed here."), "read_only")
    before = snapshot(rng, RANGE_FIELDS)
    if {"start", "end", "prefix"} & {k for k, v in fields.items() if v not in (None, "")}:
        first, last, blame = _span(
            start=fields.get("start"), end=fields.get("end"), prefix=fields.get("prefix")
        )
        if (first, last) != (rng.start, rng.end):
            if rng.number_count or Number.objects.filter(range=rng).exists():
                raise field_error(
                    blame, _("Numbers were generated in this range; its span cannot change."), "has_numbers"
                )
            _lock_ranges()
            _check_span(first, last, blame, exclude=rng)
            rng.start, rng.end = first, last
    if "region" in fields:
        rng.region = _region(fields["region"])
    if "brand" in fields:
        rng.brand = _brand(fields["brand"])
    if "note" in fields:
        rng.note = _note(fields["note"])
    _save(rng, "start")
    if rng.region_id != before["region_id"]:
        Number.objects.filter(range=rng).update(region_id=rng.region_id, updated_at=timezone.now())
    audit_write(
        action="number_range.update", actor=actor, obj=rng, before=before, after=snapshot(rng, RANGE_FIELDS)
    )
    return rng


@transaction.atomic
def range_delete(actor, number_range) -> None:
    """Delete a range and its numbers — only while none of them was ever used (all free, no history)."""
    require_perm(actor, MANAGE)
    rng = _locked(number_range)
    numbers = Number.objects.filter(range=rng)
    if numbers.exclude(state=NumberState.FREE).exists() or numbers.filter(events__isnull=False).exists():
        raise field_error(
            "range",
            _("Numbers of this range are or were in use; freeze them instead of deleting the range."),
            "in_use",
        )
    before = snapshot(rng, RANGE_FIELDS)
    with connection.cursor() as cursor:  # plain DELETE: the ORM would load every number to cascade
        cursor.execute(f"DELETE FROM {Number._meta.db_table} WHERE range_id = %s", [rng.pk])  # noqa: S608
        count = cursor.rowcount
    audit_write(
        action="number_range.delete",
        actor=actor,
        obj=rng,
        before={**before, "numbers": count},
        after={},
    )
    rng.delete()


# --- generating the numbers --------------------------------------------------------------------
def range_generate(actor, number_range) -> Job:
    """Queue the generation of the range's numbers (background job with progress); returns the job."""
    require_perm(actor, MANAGE)
    try:
        rng = NumberRange.objects.get(pk=pk_of(number_range))
    except (NumberRange.DoesNotExist, TypeError, ValueError) as exc:
        raise NotFoundInScope() from exc
    return job_start(
        actor=actor,
        kind=GENERATE_JOB,
        title=_("Generate the numbers of range %(start)s–%(end)s") % {"start": rng.start, "end": rng.end},
        params={"range": rng.pk},
        total=rng.size,
    )


def _db_value(field: str, value):
    return Number._meta.get_field(field).get_db_prep_save(value, connection)


def insert_numbers(rows, columns=NUMBER_COLUMNS) -> int:
    """Bulk insert of number rows whose values are in database form already (strings, ints, bools and
    a prepared timestamp): PostgreSQL COPY, batched executemany on SQLite."""
    return copy_rows(Number, columns, rows, batch_size=5000, prepared=True)


def generate_numbers(rng: NumberRange, *, matcher: LevelMatcher | None = None, progress=None) -> int:
    """Create the missing numbers of ``rng`` (free, level by the rules); returns how many were made.

    Numbers that exist already in the span (e.g. loaded from subscriptions before the range was
    defined) are kept and join the range if they had none.
    """
    matcher = matcher or LevelMatcher.current()
    first, last = int(rng.start), int(rng.end)
    made = 0
    for lo in range(first, last + 1, CHUNK):
        hi = min(lo + CHUNK - 1, last)
        low, high = f"{lo:011d}", f"{hi:011d}"
        with transaction.atomic():
            in_span = Number.objects.filter(msisdn__gte=low, msisdn__lte=high)
            existing = set(in_span.values_list("msisdn", flat=True))
            if existing:
                in_span.filter(range__isnull=True).update(range=rng)
            now = _db_value("updated_at", timezone.now())
            rows = (
                (m, rng.pk, rng.region_id, matcher.level_for(m), has_four(m), NumberState.FREE, "", "", now)
                for m in (f"{n:011d}" for n in range(lo, hi + 1))
                if m not in existing
            )
            made += insert_numbers(rows)
        if progress is not None:
            progress.step(hi - lo + 1)
    NumberRange.objects.filter(pk=rng.pk).update(
        number_count=Number.objects.filter(range=rng).count(), generated_at=timezone.now()
    )
    return made


@job_handler(GENERATE_JOB)
def run_range_generate(job, progress):
    rng = NumberRange.objects.get(pk=job.params["range"])
    progress.set(0, rng.size)
    made = generate_numbers(rng, progress=progress)
    audit_event(
        kind=AuditKind.WRITE,
        action="number_range.generate",
        actor=job.owner,
        object_type="resources.numberrange",
        object_id=str(rng.pk),
        object_repr=str(rng),
        org_unit=rng.region,
        after={"created": made},
    )
    return {
        "result": {"range": rng.pk, "created": made},
        "message": _("%(made)s numbers created in range %(start)s–%(end)s.")
        % {"made": f"{made:,}", "start": rng.start, "end": rng.end},
    }
