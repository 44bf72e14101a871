"""Helpers shared by the stock actions: item types, unit checks, code lists, movements."""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from telcrm.platform.errors import NotFoundInScope, field_error
from telcrm.platform.models import OrgKind, OrgUnit

from .. import validation
from ..models import Movement, SimCard, Terminal
from ..states import ItemType

# units that hold stock: branches (营业厅) and the city companies' warehouses
STOCK_UNIT_KINDS = (OrgKind.BRANCH, OrgKind.CITY)
MAX_LISTED = 10  # codes named in one error message


@dataclass(frozen=True)
class Kind:
    """What differs between SIM cards and terminals."""

    code: str
    model: type
    key: str  # the number printed on the item: iccid / imei

    def clean(self, value, field: str | None = None) -> str:
        field = field or self.key
        if self.code == ItemType.SIM:
            return validation.clean_iccid(value, field)
        return validation.clean_imei(value, field)

    @property
    def label(self):
        return ItemType(self.code).label


SIM = Kind(ItemType.SIM, SimCard, "iccid")
TERMINAL = Kind(ItemType.TERMINAL, Terminal, "imei")
KINDS = {ItemType.SIM: SIM, ItemType.TERMINAL: TERMINAL}


def kind_of(item_type: str, field: str = "item_type") -> Kind:
    kind = KINDS.get(item_type)
    if kind is None:
        raise field_error(field, _("Choose SIM cards or terminals."), "invalid_choice")
    return kind


def kind_for_code(code: str) -> Kind | None:
    """SIM for an ICCID-shaped code (19–20 digits), terminal for 15 digits."""
    n = len(code)
    if n in validation.ICCID_LENGTHS:
        return SIM
    if n == validation.IMEI_LENGTH:
        return TERMINAL
    return None


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

    def run(self, fn, *args, **kwargs):
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


def pk_of(obj):
    return obj.pk if isinstance(obj, models.Model) else obj


def listed(codes) -> str:
    """ "a、b、c 等 12 个" — the first few codes of a list, for an error message."""
    codes = list(codes)
    shown = "、".join(codes[:MAX_LISTED])
    if len(codes) > MAX_LISTED:
        shown += str(_(" … (%(n)d in all)") % {"n": len(codes)})
    return shown


# --- units --------------------------------------------------------------------------------------------
def stock_unit(actor, unit, field: str, *, in_scope: bool = True) -> OrgUnit:
    """An active branch or city unit (by row or id); within ``actor``'s scope when ``in_scope``."""
    if unit is None or unit == "":
        raise field_error(field, _("Choose the organisation unit."), "required")
    qs = OrgUnit.objects.restrict(actor) if in_scope else OrgUnit.objects.dangerously_unscoped()
    try:
        found = qs.filter(pk=pk_of(unit)).first()
    except (ValueError, TypeError, ValidationError):
        found = None
    if found is None:
        raise field_error(field, _("This unit is outside your data scope."), "out_of_scope")
    if not found.is_active:
        raise field_error(field, _("This unit is inactive."), "inactive")
    if found.kind not in STOCK_UNIT_KINDS:
        raise field_error(field, _("Stock is held by branches and city companies only."), "not_stock_unit")
    return found


def lock_in_scope(queryset, actor, pk):
    """The row ``pk`` if it lies in ``actor``'s scope, locked FOR UPDATE — only the row itself.

    platform's ``access(..., for_update=True)`` locks every table of the query, and on PostgreSQL that
    includes the org units of the scope's sub-select: every allocation at the branch (its movement's
    and audit record's foreign keys to the unit, checked at commit) would then wait for the lock
    holder, and deadlock with it. ``OF self`` keeps the lock on the one row.
    """
    try:
        return queryset.restrict(actor).select_for_update(of=("self",)).get(pk=pk_of(pk))
    except (queryset.model.DoesNotExist, ValueError, TypeError, ValidationError) as exc:
        raise NotFoundInScope() from exc


def scoped_unit_ids(actor) -> set[int]:
    return set(OrgUnit.objects.restrict(actor).values_list("pk", flat=True))


def require_in_scope(actor, unit_id: int) -> None:
    if unit_id not in scoped_unit_ids(actor):
        raise NotFoundInScope()


# --- lists of codes (scanned, pasted, ranges) ---------------------------------------------------------------
_SPLIT = re.compile(r"[\s,;，；、]+")
_RANGE = re.compile(r"^(\d{15,20})(?:-|~|～|—|至|\.\.)(\d{15,20})$")


@dataclass
class CodeList:
    codes: list[str]  # single codes, in input order, without repeats
    ranges: list[tuple[str, str]]  # (first, last) as given


def parse_codes(text, field: str = "codes") -> CodeList:
    """Codes from what a scanner or a paste produces: one per line or separated by commas/spaces;
    ``FIRST-LAST`` (or ``FIRST~LAST``) is a range. Each code is checked (Luhn); every bad one is named."""
    if isinstance(text, list | tuple):
        text = "\n".join(str(t) for t in text)
    raw = validation.digits_keep_separators(text)
    codes: list[str] = []
    seen: set[str] = set()
    ranges: list[tuple[str, str]] = []
    bad: list[str] = []
    for token in _SPLIT.split(raw):
        if not token:
            continue
        m = _RANGE.match(token)
        if m:
            first, last = m.group(1), m.group(2)
            kind = kind_for_code(first)
            if kind is None or len(first) != len(last) or first > last:
                bad.append(token)
                continue
            try:
                kind.clean(first, field)
                kind.clean(last, field)
            except ValidationError:
                bad.append(token)
                continue
            ranges.append((first, last))
            continue
        code = validation.digits(token)
        kind = kind_for_code(code) if code.isdigit() else None
        if kind is None:
            bad.append(token)
            continue
        try:
            kind.clean(code, field)
        except ValidationError:
            bad.append(token)
            continue
        if code not in seen:
            seen.add(code)
            codes.append(code)
    if bad:
        raise field_error(
            field,
            _("Not a valid ICCID or IMEI (length or check digit): %(codes)s"),
            "invalid",
            codes=listed(bad),
        )
    if not codes and not ranges:
        raise field_error(field, _("Scan or paste at least one ICCID or IMEI."), "required")
    return CodeList(codes, ranges)


# --- movements --------------------------------------------------------------------------------------------
def movement(item, *, move: str, state_from: str, state_to: str, actor=None, at=None, **kw) -> Movement:
    """An (unsaved) movement row of ``item``."""
    fk = {"sim_id": item.pk} if isinstance(item, SimCard) else {"terminal_id": item.pk}
    return Movement(
        **fk,
        move=move,
        state_from=state_from,
        state_to=state_to,
        actor=actor if actor is not None and getattr(actor, "pk", None) else None,
        at=at or timezone.now(),
        **kw,
    )


def actor_or_none(actor):
    return actor if actor is not None and getattr(actor, "pk", None) else None
