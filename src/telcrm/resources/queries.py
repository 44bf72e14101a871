"""Every read of the number pool, with the regional visibility applied (``Number.objects.restrict``).

Visibility (documented on models.Number): a user sees the numbers of the regions on their line of the
org tree — the city and province their unit lies in, and every region inside their subtree — and
roles with data scope "all" see every region. It is the platform's scope mechanism applied to a
regional resource: the numbers are nobody's own records, so "own" and "subtree" scopes both mean
"my city and province" here.

How :func:`number_search` stays fast on ten million numbers (PostgreSQL; figures in
benchmarks/bench_numbers.py):

- the counter searches *free* numbers, so every search index is partial ``WHERE state = 'free'``
  (smaller, and reservations/assignments leave them as the numbers leave the pool);
- results are ordered by number and paged by LIMIT/OFFSET without a total count (a page asks for one
  row more to know whether there is a next page): the planner walks ``number_free_msisdn_idx`` or
  ``number_free_region_idx`` in order and stops after a page of matches when the filters are common;
- a level filter walks ``number_free_level_idx`` (level, msisdn): rare levels are found at once (the
  level is given to the planner as its id, so it knows how rare it is);
- "ends with" is ``reverse(msisdn) LIKE reverse(digits) || '%'``, a prefix range on the
  ``reverse(msisdn) text_pattern_ops`` index (a trigram index would not make suffixes selective,
  and a plain btree does not serve LIKE under the database's collation), with extended statistics
  on the expression so the planner knows how rare a suffix is (migration 0002);
- "contains" is ``msisdn LIKE '%digits%'`` served by a pg_trgm GIN index for three digits or more
  (shorter fragments match so many numbers that walking the ordered index finds a page at once);
- "no 4" is the stored ``has_four`` column rather than a ``NOT LIKE '%4%'`` scan: a column test on
  the rows the other conditions select, never an index of its own (about half the numbers qualify).
SQLite (the embedded demo, ~100k numbers) uses the same partial btree indexes and scans the rest.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, Q
from django.db.models.functions import Reverse
from django.utils.translation import gettext_lazy as _

from telcrm.platform.errors import NotFoundInScope, field_error
from telcrm.platform.models import DataScope, OrgKind, OrgUnit

from .models import Number, NumberEvent, NumberLevel, NumberLevelRule, NumberRange, NumberState

REGION_KINDS = (OrgKind.PROVINCE, OrgKind.CITY)
MAX_PER_PAGE = 200
MAX_OFFSET = 10_000  # deeper pages: narrow the search instead


# --- visibility ----------------------------------------------------------------------------------
def visible_region_ids(user) -> list[int] | None:
    """Ids of the regions whose numbers ``user`` may see; None = every region (data scope "all").

    A unit's ancestors come from its materialised path (no query); regions below it exist only under
    HQ and provinces (cities), which costs one small query, kept on the user object for the request.
    """
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, "_visible_region_ids", False)
    if cached is not False:
        return cached
    if user.data_scope == DataScope.ALL:
        ids = None
    elif user.org_unit_id is None:
        ids = []
    else:
        unit = user.org_unit
        ids = [int(seg) for seg in unit.path.split(".") if seg]
        if unit.kind in (OrgKind.HQ, OrgKind.PROVINCE):
            ids += list(
                OrgUnit.objects.filter(path__startswith=unit.path, kind__in=REGION_KINDS)
                .exclude(pk=unit.pk)
                .values_list("id", flat=True)
            )
    user._visible_region_ids = ids
    return ids


def region_choices(user) -> list[OrgUnit]:
    """The regions (provinces and cities) the user may see numbers of, in tree order."""
    qs = OrgUnit.objects.filter(kind__in=REGION_KINDS, is_active=True)
    ids = visible_region_ids(user)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return list(qs.order_by("path"))


def regions_under(region: OrgUnit) -> list[int]:
    """A region and the regions inside it (a province and its cities)."""
    if region.kind == OrgKind.CITY:
        return [region.pk]
    return list(
        OrgUnit.objects.filter(path__startswith=region.path, kind__in=REGION_KINDS).values_list(
            "id", flat=True
        )
    )


# --- search ----------------------------------------------------------------------------------------
@dataclass
class NumberPage:
    """One page of search results, without a total (see the module docstring)."""

    rows: list[Number]
    number: int
    per_page: int
    has_next: bool

    def __iter__(self):
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def start_index(self) -> int:
        return (self.number - 1) * self.per_page + 1 if self.rows else 0

    @property
    def end_index(self) -> int:
        return (self.number - 1) * self.per_page + len(self.rows)


def clean_digits(value, field: str) -> str:
    """Digits typed into a pattern box ("88 88" → "8888"); anything else is a field error."""
    text = "".join(str(value or "").split())
    if not text:
        return ""
    if not (text.isascii() and text.isdigit()):
        raise field_error(field, _("Enter digits only."), "invalid")
    if len(text) > 11:
        raise field_error(field, _("A number has 11 digits; enter at most 11."), "max_length")
    return text


def _pk(value):
    return value.pk if hasattr(value, "pk") else value


def number_search(
    user,
    *,
    region=None,
    level=None,
    contains: str = "",
    ends_with: str = "",
    no_four: bool = False,
    state: str | None = "free",
    page: int = 1,
    per_page: int = 50,
) -> NumberPage:
    """Numbers the user may see matching the filters, ordered by number, one page at a time.

    ``region`` (an OrgUnit or id: that region and the regions inside it), ``level`` (a NumberLevel,
    id or code), ``contains``/``ends_with`` (digits), ``no_four`` (no digit 4 anywhere), ``state``
    (default free; None for every state). Bad filters raise a ValidationError naming the field.
    """
    contains = clean_digits(contains, "contains")
    ends_with = clean_digits(ends_with, "ends_with")
    if state is not None and state not in NumberState.values:
        raise field_error("state", _("Choose a valid state."), "invalid_choice")
    try:
        page = max(1, int(page))
        per_page = min(MAX_PER_PAGE, max(1, int(per_page)))
    except (TypeError, ValueError) as exc:
        raise field_error("page", _("Enter a whole number of 1 or more."), "invalid") from exc
    offset = (page - 1) * per_page
    if offset > MAX_OFFSET:
        raise field_error("page", _("Too many pages back; narrow the search instead."), "too_deep")

    if no_four and "4" in contains + ends_with:  # nothing can match: answer without scanning the pool
        return NumberPage([], page, per_page, False)
    qs = Number.objects.restrict(user)
    if state is not None:
        qs = qs.filter(state=state)
    if region not in (None, ""):
        unit = region if isinstance(region, OrgUnit) else OrgUnit.objects.filter(pk=_pk(region)).first()
        if unit is None:
            return NumberPage([], page, per_page, False)
        qs = qs.filter(region_id__in=regions_under(unit))
    if level not in (None, ""):
        if isinstance(level, str) and not level.isdigit():
            # the id itself, not a join or a subquery: the planner then knows which level it is and how
            # rare (a diamond level walks its index, an ordinary one the number order)
            level = NumberLevel.objects.filter(code=level).values_list("id", flat=True).first()
            if level is None:
                return NumberPage([], page, per_page, False)
        qs = qs.filter(level_id=_pk(level))
    if no_four:
        qs = qs.filter(has_four=False)
    if ends_with and connection.vendor == "postgresql":
        qs = qs.alias(reversed_msisdn=Reverse("msisdn")).filter(reversed_msisdn__startswith=ends_with[::-1])
    elif ends_with:  # SQLite: a plain suffix LIKE (its reverse() is a Python function called per row)
        qs = qs.filter(msisdn__endswith=ends_with)
    if contains:
        qs = qs.filter(msisdn__contains=contains)
    qs = qs.select_related("level", "region")
    if state != NumberState.FREE:
        qs = qs.select_related("reserved_by")  # only reservations have a holder
    rows = list(qs.order_by("msisdn")[offset : offset + per_page + 1])
    return NumberPage(rows[:per_page], page, per_page, len(rows) > per_page)


# --- one number ------------------------------------------------------------------------------------
def number_get(user, number, *, related: bool = True) -> Number:
    """The number (a Number, its id or its 11-digit MSISDN) if the user may see it; else NotFoundInScope."""
    qs = Number.objects.restrict(user)
    if related:
        qs = qs.select_related("level", "region", "range", "reserved_by", "customer")
    if isinstance(number, Number):
        number = number.pk
    text = str(number).strip()
    try:
        found = qs.get(msisdn=text) if len(text) == 11 and text.isdigit() else qs.get(pk=int(text))
    except (Number.DoesNotExist, ValueError, OverflowError) as exc:
        raise NotFoundInScope() from exc
    found._scoped_for = user
    return found


def number_events(user, number, *, limit: int = 50) -> list[NumberEvent]:
    """The latest history of a number the user may see (newest first)."""
    if not isinstance(number, Number) or getattr(number, "_scoped_for", None) is not user:
        number = number_get(user, number, related=False)
    return list(NumberEvent.objects.filter(number=number).select_related("actor", "customer")[:limit])


def my_reservations(user, *, limit: int = 50) -> list[Number]:
    """Numbers the user holds reserved, soonest expiry first."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    return list(
        Number.objects.filter(state=NumberState.RESERVED, reserved_by=user)
        .select_related("level", "customer")
        .order_by("reserved_until", "msisdn")[:limit]
    )


# --- administration ---------------------------------------------------------------------------------
def range_list():
    return NumberRange.objects.select_related("region").order_by("start")


def range_get(pk) -> NumberRange:
    try:
        return NumberRange.objects.select_related("region").get(pk=int(pk))
    except (NumberRange.DoesNotExist, TypeError, ValueError) as exc:
        raise NotFoundInScope() from exc


def level_list():
    return NumberLevel.objects.annotate(rule_count=Count("rules")).order_by("-rank")


def level_get(pk) -> NumberLevel:
    try:
        return NumberLevel.objects.get(pk=int(pk))
    except (NumberLevel.DoesNotExist, TypeError, ValueError) as exc:
        raise NotFoundInScope() from exc


def level_choices() -> list[NumberLevel]:
    return list(NumberLevel.objects.order_by("-rank"))


def rule_list():
    return NumberLevelRule.objects.select_related("level").order_by("-level__rank", "id")


def rule_get(pk) -> NumberLevelRule:
    try:
        return NumberLevelRule.objects.select_related("level").get(pk=int(pk))
    except (NumberLevelRule.DoesNotExist, TypeError, ValueError) as exc:
        raise NotFoundInScope() from exc


def held_counts(user=None) -> dict[str, int]:
    """How many numbers are reserved, cooling off and frozen (each counted on its partial index)."""
    base = Number.objects.restrict(user) if user is not None else Number.objects.dangerously_unscoped()
    return {
        state: base.filter(state=state).count()
        for state in (NumberState.RESERVED, NumberState.QUARANTINED, NumberState.FROZEN)
    }


def range_state_counts(rng: NumberRange) -> dict[str, int]:
    """Numbers of one range per state (the (range, state) index)."""
    rows = Number.objects.filter(range=rng).order_by().values("state").annotate(n=Count("id"))
    return {r["state"]: r["n"] for r in rows}


def numbers_of_customer(user, customer) -> list[Number]:
    """The numbers assigned to (or cooling off from) a customer, for the customer's pages."""
    return list(
        Number.objects.restrict(user)
        .filter(customer_id=_pk(customer))
        .filter(Q(state=NumberState.ASSIGNED) | Q(state=NumberState.QUARANTINED))
        .select_related("level")
        .order_by("msisdn")[:100]
    )
