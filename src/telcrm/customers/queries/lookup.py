"""Finding customers: the one search box, the filtered list, and fetching one customer — in scope."""

from __future__ import annotations

import contextlib
import datetime as dt

from django.db import connection, transaction
from django.db.models import F, Func, Q, QuerySet, TextField
from django.db.models.functions import Collate, Lower
from django.utils import timezone

from telcrm.platform import crypto
from telcrm.platform.errors import NotFoundInScope
from telcrm.platform.models import OrgUnit
from telcrm.platform.models.scoped import subtree_ids

from ..models import Account, ContactMedium, Customer, CustomerStatus, Subscription
from ..search import ParsedQuery, QueryKind, normalize_phone, parse_query, query_tokens

MAX_RESULTS = 5000  # offset + limit of customer_search (a printed list goes up to 5000); refine beyond
MAX_EXACT_IDS = 200  # rows sharing one phone/ID number considered by the exact path
LIST_MAX_MATCHES = 5000  # customer_list(q=...) lists at most the best this many matches

# Blind-index contexts: "<app_label>.<Model>.<field attname>", as EncryptedField computes them.
PRIMARY_PHONE_CONTEXT = "customers.Customer.primary_phone"
CONTACT_VALUE_CONTEXT = "customers.ContactMedium.value"
ID_NUMBER_CONTEXT = "customers.Party.id_number"

# Where a hit came from, best first (Customer.search_match of customer_search results).
MATCH_ORDER = (
    "customer_no",
    "account_no",
    "id_number",
    "phone",
    "contact",
    "msisdn",
    "merged_into",
    "name_exact",
    "name_prefix",
    "token",
    "token_prefix",
    "substring",
)

_NUMBERS = (QueryKind.CUSTOMER_NO, QueryKind.ACCOUNT_NO)

CUSTOMER_SORTS = {
    "id",
    "-id",
    "name",
    "-name",
    "customer_no",
    "-customer_no",
    "created_at",
    "-created_at",
}

# PostgreSQL compares and sorts the lower-cased name byte-wise, as the customer_name_lower_c_idx
# index (migration 0003) does; SQLite's default BINARY collation is already byte-wise.
NAME_COLLATION = {"postgresql": "C"}
MIN_TRIGRAM = 3  # shorter substrings cannot use the trigram index: matched as token prefixes only


def _lower_name():
    coll = NAME_COLLATION.get(connection.vendor)
    return Collate(Lower("name"), coll) if coll else Lower("name")


class Padded(Func):
    """``' ' || search_text || ' '``: every token has a space on both sides, so a whole token is one
    ``LIKE '% t %'`` and a token prefix one ``LIKE '% t%'``, each served by the trigram index built on
    exactly this expression (customer_search_padded_trgm_idx, migration 0004)."""

    template = "(' ' || %(expressions)s || ' ')"
    output_field = TextField()

    def __init__(self):
        super().__init__(F("search_text"))


def _token_exact(t: str) -> Q:
    return Q(padded_c__contains=f" {t} ")


def _token_prefix(t: str) -> Q:
    return Q(padded_c__contains=f" {t}")


def _substring(t: str) -> Q:
    if connection.vendor == "postgresql" and len(t) < MIN_TRIGRAM:
        return _token_prefix(t)
    return Q(padded_c__contains=t)


def _all(conds) -> Q:
    q = Q()
    for c in conds:
        q &= c
    return q


def with_search_text(qs: QuerySet) -> QuerySet:
    """The queryset with the ``padded_c`` annotation the name filters below refer to."""
    return qs.annotate(padded_c=Padded())


def name_filter(text: str) -> Q:
    """Customers whose search tokens contain every word of ``text`` (substring, or token prefix
    for words too short for the trigram index); apply to ``with_search_text(qs)``."""
    tokens = query_tokens(text)
    return _all(_substring(t) for t in tokens) if tokens else Q(pk__in=[])


# --- exact identifiers ----------------------------------------------------------------------------


def _ids(qs) -> list[int]:
    return list(qs.values_list("customer_id", flat=True)[:MAX_EXACT_IDS])


def _exact_phases(p: ParsedQuery) -> list[tuple[str, Q]]:
    """(match, condition on Customer) for an identifier, strongest first. Side tables are read
    unscoped for customer ids only; the scope applies to the customer query they feed."""
    v = p.value
    if p.kind == QueryKind.CUSTOMER_NO:
        # C12345678 may also be a permit/passport number (港澳通行证, 护照): try the ID index too.
        return [
            ("customer_no", Q(customer_no=v)),
            ("id_number", Q(party__id_number_bidx=crypto.blind_index(v, context=ID_NUMBER_CONTEXT))),
        ]
    if p.kind == QueryKind.ACCOUNT_NO:
        return [
            ("account_no", Q(pk__in=_ids(Account.objects.filter(account_no=v)))),
            ("customer_no", Q(customer_no=v)),
        ]
    if p.kind == QueryKind.ID_NUMBER:
        bidx = crypto.blind_index(v, context=ID_NUMBER_CONTEXT)
        return [("id_number", Q(party__id_number_bidx=bidx))]
    if p.kind == QueryKind.PHONE:
        return [
            ("phone", Q(primary_phone_bidx=crypto.blind_index(v, context=PRIMARY_PHONE_CONTEXT))),
            ("contact", Q(pk__in=_ids(_contact_media(v)))),
            ("msisdn", Q(pk__in=_ids(Subscription.objects.filter(msisdn=v)))),
        ]
    if p.kind == QueryKind.MSISDN:
        return [("msisdn", Q(pk__in=_ids(Subscription.objects.filter(msisdn=v))))]
    if p.kind == QueryKind.EMAIL:
        return [("contact", Q(pk__in=_ids(_contact_media(v))))]
    return []


def _number_prefix_phases(p: ParsedQuery) -> list[tuple[str, tuple, Q]]:
    if p.kind == QueryKind.ACCOUNT_NO:
        accounts = Account.objects.filter(account_no__startswith=p.value).order_by("account_no")
        return [("account_no", ("-id",), Q(pk__in=_ids(accounts)))]
    return [("customer_no", ("customer_no",), Q(customer_no__startswith=p.value))]


def _contact_media(value: str):
    return ContactMedium.objects.filter(value_bidx=crypto.blind_index(value, context=CONTACT_VALUE_CONTEXT))


# --- the name path --------------------------------------------------------------------------------


def _name_phases(text: str) -> list[tuple[str, tuple | None, Q]]:
    tokens = query_tokens(text)
    if not tokens:
        return []
    phases: list = [
        # (match, ordering, condition): ordered phases walk an index in order and stop at the limit;
        # unordered ones take the first rows the trigram index yields.
        ("name_exact", ("-id",), Q(lname_c=text)),
        ("name_prefix", ("lname_c", "id"), Q(lname_c__startswith=text)),
        ("token", None, _all(_token_exact(t) for t in tokens)),
        ("token_prefix", None, _all(_token_prefix(t) for t in tokens)),
    ]
    if connection.vendor != "postgresql" or any(len(t) >= MIN_TRIGRAM for t in tokens):
        phases.append(("substring", None, _all(_substring(t) for t in tokens)))
    return phases


@contextlib.contextmanager
def _prefer_indexes():
    """On PostgreSQL, no sequential scans for the phases. With LIMIT and an estimate that many rows
    match, the planner likes to read the table until it has found enough — which reads all of it
    when the actor's scope holds few of the matches. Every phase has an index to use instead (trigram,
    lower(name), customer_no, the scope's org unit or owner), so its cost stays bounded."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT set_config('enable_seqscan', 'off', true), current_setting('enable_seqscan')")
        yield
        cursor.execute("SELECT set_config('enable_seqscan', 'on', true)")


def _collect(base: QuerySet, phases, need: int, found: dict[int, str]) -> None:
    """Add the ids of each phase's matches to ``found`` (in order) until there are ``need``."""
    for match, ordering, cond in phases:
        if len(found) >= need:
            return
        qs = base.filter(cond)
        if found:
            qs = qs.exclude(pk__in=list(found))
        qs = qs.order_by(*ordering) if ordering else qs.order_by()
        for pk in qs.values_list("pk", flat=True)[: need - len(found)]:
            found.setdefault(pk, match)


def _ranked_ids(base: QuerySet, parsed: ParsedQuery, need: int, *, follow_merged: bool) -> dict[int, str]:
    """{customer id: match} of the best ``need`` matches of ``parsed`` in ``base`` (a scoped queryset),
    best first. ``follow_merged``: an exact hit on a merged customer stands for its survivor."""
    found: dict[int, str] = {}
    live = base.live() if follow_merged else base
    with _prefer_indexes():
        exact = _exact_phases(parsed)
        if exact:
            hits: dict[int, str] = {}
            _collect(base, [(m, ("-id",), c) for m, c in exact], need, hits)
            merged = {}
            if follow_merged and hits:
                merged = dict(
                    base.filter(pk__in=list(hits), status=CustomerStatus.MERGED)
                    .exclude(merged_into=None)
                    .values_list("pk", "merged_into_id")
                )
            for pk, match in hits.items():
                found.setdefault(merged.get(pk, pk), "merged_into" if pk in merged else match)
        if not found and parsed.kind in _NUMBERS:
            # Part of a number: customers whose number (or account's) starts with it (btree index).
            _collect(live, _number_prefix_phases(parsed), need, found)
        if parsed.kind == QueryKind.NAME:
            _collect(
                with_search_text(live.annotate(lname_c=_lower_name())),
                _name_phases(parsed.value),
                need,
                found,
            )
    return found


def customer_search(actor, q: str, *, limit: int = 20, offset: int = 0) -> list[Customer]:
    """One search box (CUS-3): exact identifiers first (customer/account number, ID number by blind
    index, phone by blind index of the primary phone and contact media, subscription MSISDN), then
    name matches ranked exact name > name prefix > whole token (张, zs, zhangsan) > token prefix >
    substring. Only customers in the actor's scope, never merged ones (an exact hit on a merged
    customer gives the customer it was merged into). Each result carries ``search_match``, the
    reason it was found (see MATCH_ORDER). ``offset`` pages through at most MAX_RESULTS results.
    """
    limit = max(0, int(limit))
    offset = max(0, int(offset))
    need = min(offset + limit, MAX_RESULTS)
    parsed = parse_query(q)
    if parsed.kind == QueryKind.EMPTY or need <= offset:
        return []
    scoped = Customer.objects.restrict(actor)
    found = _ranked_ids(scoped, parsed, need, follow_merged=True)
    page = list(found)[offset:need]
    if not page:
        return []
    rows = {c.pk: c for c in scoped.live().filter(pk__in=page).select_related("org_unit", "party")}
    out = []
    for pk in page:
        c = rows.get(pk)
        if c is not None:
            c.search_match = found[pk]
            out.append(c)
    return out


# --- list and one customer ------------------------------------------------------------------------


def _day_start(d) -> dt.datetime:
    if isinstance(d, dt.datetime):
        return d if timezone.is_aware(d) else timezone.make_aware(d)
    return timezone.make_aware(dt.datetime.combine(d, dt.time.min))


def customer_list(
    actor,
    *,
    q: str = "",
    org_unit=None,
    status: str = "",
    customer_type: str = "",
    value_tier: str = "",
    loyalty_class: str = "",
    tag: str = "",
    created_from=None,
    created_to=None,
    sort: str = "-id",
) -> QuerySet[Customer]:
    """Customers in scope with the list's filters (validated by the caller's form). Merged customers
    only when ``status="merged"`` is asked for. ``org_unit`` (unit or id) selects its subtree.
    ``created_from``/``created_to`` are dates, both inclusive. A page costs a fixed number of queries.

    ``q`` matches like the search box, among the customers the other filters leave: the best
    LIST_MAX_MATCHES matches are listed (in the requested sort), so a common fragment such as "张"
    over ten million rows never sorts hundreds of thousands of rows; the list says to refine then.
    Resolving ``q`` runs its queries when the list is built, not when it is read.
    """
    qs = Customer.objects.restrict(actor).select_related("org_unit", "owner", "account_manager")
    qs = qs.filter(status=status) if status else qs.live()
    if org_unit:
        unit = org_unit if isinstance(org_unit, OrgUnit) else OrgUnit.objects.filter(pk=org_unit).first()
        qs = qs.filter(org_unit_id__in=subtree_ids(unit)) if unit is not None else qs.none()
    if customer_type:
        qs = qs.filter(customer_type=customer_type)
    if value_tier:
        qs = qs.filter(value_tier=value_tier)
    if loyalty_class:
        qs = qs.filter(loyalty_class=loyalty_class)
    if tag:
        qs = qs.filter(tags__code=tag)
    if created_from:
        qs = qs.filter(created_at__gte=_day_start(created_from))
    if created_to:
        end = created_to + dt.timedelta(days=1) if not isinstance(created_to, dt.datetime) else created_to
        qs = qs.filter(created_at__lt=_day_start(end))
    q = (q or "").strip()
    if q:
        parsed = parse_query(q)
        if parsed.kind != QueryKind.EMPTY:
            qs = qs.filter(pk__in=list(_ranked_ids(qs, parsed, LIST_MAX_MATCHES, follow_merged=False)))
    if sort not in CUSTOMER_SORTS:
        sort = "-id"
    tiebreak = "-id" if sort.startswith("-") else "id"
    return qs.order_by(sort, tiebreak) if sort.lstrip("-") != "id" else qs.order_by(sort)


def customer_get(actor, pk) -> Customer:
    """One customer in the actor's scope (merged ones included), else NotFoundInScope."""
    try:
        return (
            Customer.objects.restrict(actor)
            .select_related("party", "org_unit", "owner", "account_manager", "parent", "merged_into")
            .get(pk=pk)
        )
    except (Customer.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFoundInScope() from exc


def customers_by_phone(actor, phone: str) -> QuerySet[Customer]:
    """Live customers in scope whose primary phone or a contact medium is ``phone`` (any format)."""
    v = normalize_phone(phone)
    if not v:
        return Customer.objects.none()
    ids = _ids(_contact_media(v))
    bidx = crypto.blind_index(v, context=PRIMARY_PHONE_CONTEXT)
    return Customer.objects.restrict(actor).live().filter(Q(primary_phone_bidx=bidx) | Q(pk__in=ids))
