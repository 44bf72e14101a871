"""Helpers shared by the customer actions: error collection, scoped locking, numbering, primaries."""

from __future__ import annotations

import contextlib
import hashlib
import random

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.db.models.functions import Length
from django.utils.translation import gettext_lazy as _

from telcrm.platform import crypto
from telcrm.platform.actions import access, require_perm
from telcrm.platform.errors import NotFoundInScope, field_error
from telcrm.platform.models import OrgUnit, Sealed, User

from ..models import Customer, CustomerStatus, CustomerType, MediumKind, Tag

LIVE_STATUSES = (CustomerStatus.ACTIVE, CustomerStatus.SUSPENDED)


class Errors:
    """Collects field errors so one call reports every wrong field at once, then raises them."""

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

    def run(self, fn, *args, **kwargs):
        """``fn(*args, **kwargs)``, or None with its ValidationError recorded."""
        try:
            return fn(*args, **kwargs)
        except ValidationError as exc:
            self.merge(exc)
            return None

    @contextlib.contextmanager
    def collect(self):
        try:
            yield
        except ValidationError as exc:
            self.merge(exc)

    def __contains__(self, field: str) -> bool:
        return field in self.errors

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)


def pk_of(obj) -> int | None:
    return obj.pk if isinstance(obj, models.Model) else obj


def plain(value) -> str:
    """The plaintext of a value handed back unchanged by a form (a Sealed), or the string given."""
    if isinstance(value, Sealed):
        return value.reveal_unaudited()  # re-validated and re-encrypted, never shown
    return value or ""


def save(obj: models.Model, actor, **kwargs) -> None:
    """``obj.save()`` recording ``actor`` in the field history (django-simple-history)."""
    if actor is not None and getattr(actor, "pk", None):
        obj._history_user = actor
    obj.save(**kwargs)


# --- fetching through the data scope ------------------------------------------------------------
def lock_customer(actor, customer, *, perm: str = "customers.change_customer") -> Customer:
    """The customer locked for update (its party read alongside), if ``actor`` holds ``perm`` and the
    row lies within their data scope; else AccessDenied / NotFoundInScope.

    Only the customer row is locked (``access`` locks ``OF self``): every write to the party of an open
    customer runs under this lock (update, real name; the TMF party update goes through them), so the
    customer's lock serialises them, and clerks do not queue on the party row as well."""
    require_perm(actor, perm)
    return access(Customer.objects.select_related("party"), actor, pk_of(customer), for_update=True)


def lock_pair(actor, first, second, *, perm: str) -> tuple[Customer, Customer]:
    """Two customers locked in id order (so two concurrent merges cannot deadlock)."""
    require_perm(actor, perm)
    a, b = pk_of(first), pk_of(second)
    rows = {}
    for pk in sorted({a, b}, key=lambda v: (v is None, v)):
        rows[pk] = access(Customer.objects.select_related("party"), actor, pk, for_update=True)
    return rows[a], rows[b]


def require_open(customer: Customer, field: str = "customer") -> None:
    """Closed and merged customers are history: nothing is added to or changed on them."""
    if customer.status == CustomerStatus.MERGED:
        target = customer.merged_into.customer_no if customer.merged_into_id else ""
        raise field_error(
            field,
            _("This customer was merged into %(no)s; work on that record."),
            "merged",
            no=target,
        )
    if customer.status == CustomerStatus.CLOSED:
        raise field_error(field, _("This customer is closed and cannot be changed."), "closed")


def child_of(model, obj, customer: Customer):
    """A row of ``customer`` (contact medium, address, …) locked for update; NotFoundInScope if the row
    does not belong to that customer."""
    try:
        return model.objects.select_for_update().get(pk=pk_of(obj), customer=customer)
    except (model.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFoundInScope() from exc


def parent_customer(model, obj) -> int:
    """The customer id of a child row, or NotFoundInScope."""
    try:
        return model.objects.values_list("customer_id", flat=True).get(pk=pk_of(obj))
    except (model.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFoundInScope() from exc


# --- references chosen by the actor ---------------------------------------------------------------
def _first(queryset, obj):
    """The row of ``queryset`` with the primary key of ``obj`` (a row or a key), None when there is
    none or the key is malformed."""
    try:
        return queryset.filter(pk=pk_of(obj)).first()
    except (ValueError, TypeError, ValidationError):
        return None


def resolve_org_unit(actor, org_unit, field: str = "org_unit") -> OrgUnit:
    unit = org_unit if org_unit is not None else getattr(actor, "org_unit", None)
    if unit is None:
        raise field_error(field, _("Choose the organisation unit that owns the customer."), "required")
    found = _first(OrgUnit.objects.restrict(actor), unit)
    if found is None:
        raise field_error(field, _("This unit is outside your data scope."), "out_of_scope")
    if not found.is_active:
        raise field_error(field, _("This unit is inactive."), "inactive")
    return found


def resolve_user(actor, user, field: str) -> User | None:
    """An active user the actor may see (account manager, owner), None when ``user`` is None."""
    if user is None or user == "":
        return None
    if actor is not None and pk_of(user) == actor.pk:
        return actor
    found = _first(User.objects.restrict(actor).filter(is_active=True), user)
    if found is None:
        raise field_error(field, _("Choose an active user within your data scope."), "invalid")
    return found


def resolve_parent(actor, parent, *, customer: Customer | None = None, field: str = "parent"):
    """A live group customer in the actor's scope, not ``customer`` itself nor one of its members."""
    if parent is None or parent == "":
        return None
    found = _first(Customer.objects.restrict(actor), parent)
    if found is None:
        raise field_error(field, _("Choose a group customer within your data scope."), "invalid")
    if found.customer_type != CustomerType.GROUP:
        raise field_error(field, _("The parent must be a group customer (集团客户)."), "not_group")
    if found.status not in LIVE_STATUSES:
        raise field_error(field, _("The parent group customer is closed or merged."), "inactive")
    if customer is not None:
        seen, node = set(), found
        while node is not None and node.pk not in seen:
            if node.pk == customer.pk:
                raise field_error(
                    field, _("A customer cannot belong to itself or to one of its members."), "cycle"
                )
            seen.add(node.pk)
            node = Customer.objects.filter(pk=node.parent_id).only("pk", "parent_id").first()
    return found


def resolve_tags(tags, field: str = "tags") -> list[Tag]:
    """Tags given as Tag rows, ids or codes; an unknown one is an error naming it."""
    if isinstance(tags, str | Tag | int):
        tags = [tags]
    try:
        items = list(tags or ())
    except TypeError as exc:
        raise field_error(field, _("Choose tags from the list."), "invalid") from exc
    rows = [t for t in items if isinstance(t, Tag)]
    codes = [t.strip() for t in items if isinstance(t, str)]
    ids = [t for t in items if isinstance(t, int) and not isinstance(t, bool)]
    if len(rows) + len(codes) + len(ids) != len(items):
        raise field_error(field, _("Choose tags from the list."), "invalid")
    found = {t.code: t for t in Tag.objects.filter(code__in=codes)} if codes else {}
    missing = [c for c in codes if c not in found]
    if missing:
        raise field_error(field, _("Unknown tag: %(tag)s."), "invalid_choice", tag=", ".join(missing))
    by_id = {t.pk: t for t in Tag.objects.filter(pk__in=ids)} if ids else {}
    if len(by_id) != len(set(ids)):
        raise field_error(field, _("Choose tags from the list."), "invalid_choice")
    out = {t.pk: t for t in [*rows, *found.values(), *by_id.values()]}
    return list(out.values())


# --- numbering ----------------------------------------------------------------------------------
NUMBER_DIGITS = 11


def _last_number(model, field: str, prefix: str, digits: int) -> int:
    width = len(prefix) + digits
    last = (
        model.objects.filter(
            **{f"{field}__gte": prefix + "0" * digits, f"{field}__lte": prefix + "9" * digits}
        )
        .annotate(_len=Length(field))
        .filter(_len=width)
        .order_by(f"-{field}")
        .values_list(field, flat=True)
        .first()
    )
    if last and last[len(prefix) :].isdigit():
        return int(last[len(prefix) :])
    return 0


def insert_numbered(
    obj: models.Model, field: str, prefix: str, *, actor=None, prepare=None, attempts: int = 30
) -> None:
    """Save a new ``obj`` under the next free number ``prefix`` + 11 digits.

    The unique constraint on ``field`` is the guarantee: the next number is read from the index, the
    insert runs in a savepoint, and when a concurrent transaction took that number first (the insert
    fails on the constraint — on PostgreSQL after waiting for the other transaction to commit) the
    number is read again and the insert retried. No number is ever given to two rows.
    ``prepare(obj)`` runs after the number is set, before each insert (values derived from it).
    """
    model = type(obj)
    for attempt in range(attempts):
        number = _last_number(model, field, prefix, NUMBER_DIGITS) + 1
        if attempt:
            number += random.randrange(attempt * 2)  # noqa: S311 - spreads concurrent retries, not security
        if number >= 10**NUMBER_DIGITS:
            raise RuntimeError(f"{model._meta.label}.{field}: numbers with prefix {prefix!r} are exhausted")
        setattr(obj, field, f"{prefix}{number:0{NUMBER_DIGITS}d}")
        if prepare is not None:
            prepare(obj)
        try:
            with transaction.atomic():
                save(obj, actor)
            return
        except IntegrityError:
            obj.pk = None
            obj._state.adding = True
            if not model.objects.filter(**{field: getattr(obj, field)}).exists():
                raise  # another constraint failed: not a numbering race
    raise RuntimeError(f"{model._meta.label}.{field}: no free number after {attempts} attempts")


def _lock_id(key: str) -> int:
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big", signed=True)


def next_numbers(model: type[models.Model], field: str, prefix: str, count: int) -> list[str]:
    """``count`` consecutive numbers ``prefix`` + 11 digits after the highest one committed, for rows
    inserted in bulk, read without a lock: the writer takes the numbering lock (``lock_key``) and checks
    the block is still free before it writes (see ``bulk.customers_write_prepared``); a single insert
    racing for the same number makes the bulk insert fail on the unique constraint, and the batch is
    numbered again."""
    first = _last_number(model, field, prefix, NUMBER_DIGITS) + 1
    if first + count > 10**NUMBER_DIGITS:
        raise RuntimeError(f"{model._meta.label}.{field}: numbers with prefix {prefix!r} are exhausted")
    return [f"{prefix}{n:0{NUMBER_DIGITS}d}" for n in range(first, first + count)]


def lock_key(key: str) -> None:
    """Serialise transactions that work on the same natural key (e.g. an ID number) until commit.

    PostgreSQL: a transaction-scoped advisory lock. SQLite serialises writing transactions anyway.
    """
    lock_keys([key])


def lock_keys(keys) -> None:
    """:func:`lock_key` for many keys in one statement, always in the same order (no deadlock between
    two transactions locking overlapping sets)."""
    if connection.vendor != "postgresql":
        return
    ids = sorted({_lock_id(k) for k in keys})
    if not ids:
        return
    with connection.cursor() as cursor:
        if len(ids) == 1:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", ids)
        else:  # unnest keeps the array's (sorted) order
            cursor.execute("SELECT count(pg_advisory_xact_lock(k)) FROM unnest(%s::bigint[]) AS k", [ids])


# --- derived values -------------------------------------------------------------------------------
def field_context(model, name: str) -> str:
    return model._meta.get_field(name).context


def blind_index(model, name: str, value: str) -> str:
    return crypto.blind_index(value, context=field_context(model, name))


def refresh_search_text(customer: Customer) -> None:
    """Recompute ``customer.search_text`` from the name, number and other names of the party."""
    from ..search import build_search_text

    party = customer.party
    extra = []
    for value in (party.trading_name, party.family_name + party.given_name if party.family_name else ""):
        if value and value != customer.name and value not in extra:
            extra.append(value)
    customer.search_text = build_search_text(
        name=customer.name, customer_no=customer.customer_no, extra=extra
    )


def mirror_primary_phone(customer: Customer, actor=None) -> None:
    """Copy the primary mobile into ``Customer.primary_phone`` (what lists and search show)."""
    primary = customer.contact_media.filter(kind=MediumKind.MOBILE, is_primary=True).order_by("id").first()
    value = plain(primary.value) if primary else ""
    wanted = blind_index(Customer, "primary_phone", value) if value else ""
    if wanted == (customer.primary_phone_bidx or ""):
        return
    customer.primary_phone = value
    save(customer, actor, update_fields=["primary_phone", "primary_phone_bidx", "updated_at"])


def repair_primaries(model, customer: Customer, *, kinds=None, prefer=None) -> None:
    """At most one primary row per kind (contact media) or per customer (addresses), and one as soon as
    any row exists. When several are primary, one of ``prefer`` (an id or a set of ids) wins, else the
    oldest."""
    preferred = {prefer} if isinstance(prefer, int) else set(prefer or ())
    rows = list(model.objects.filter(customer=customer).order_by("id").values("id", "kind", "is_primary"))
    per_kind = model._meta.model_name == "contactmedium"
    groups: dict[str, list[dict]] = {}
    for r in rows:
        groups.setdefault(r["kind"] if per_kind else "", []).append(r)
    for kind, items in groups.items():
        if kinds is not None and per_kind and kind not in kinds:
            continue
        primaries = [r["id"] for r in items if r["is_primary"]]
        if len(primaries) == 1:
            continue
        keep = next(
            (pk for pk in primaries if pk in preferred), primaries[0] if primaries else items[0]["id"]
        )
        ids = [r["id"] for r in items]
        model.objects.filter(pk__in=ids, is_primary=True).exclude(pk=keep).update(is_primary=False)
        model.objects.filter(pk=keep).update(is_primary=True)
