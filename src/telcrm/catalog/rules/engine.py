"""Evaluating the rules: the one function the catalog and the order module call.

:func:`evaluate` runs every active table's published version (hit policy COLLECT: every matching row)
through SpiffWorkflow's DMN engine and returns one :class:`RuleOutcome` per matching row.

Speed and freshness: each process keeps the compiled tables in memory, keyed by version id (a
published version never changes). A shared cache holds a stamp that every publish and every
(de)activation bumps after commit; a call reads that stamp (a cache get, no query) and reloads the
list of published versions only when it changed — so a publish takes effect at once in every process
(servers, workers) without a deploy, and a warm call runs no query at all.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

from telcrm.platform.models.base import english_ui

from . import dmn
from .expressions import scope_for
from .facts import normalize

logger = logging.getLogger(__name__)

STAMP_KEY = "telcrm:catalog_rules:stamp"
EFFECTS = dmn.EFFECTS


@dataclass(frozen=True)
class RuleOutcome:
    """One matching row: ``table`` code, ``rule`` (row id), ``effect`` deny / require / warn, the row's
    message in the active language, and for a require row the offering codes of which one is needed."""

    table: str
    rule: str
    effect: str
    message: str
    requires: tuple[str, ...] = ()


@dataclass(frozen=True)
class LiveTable:
    code: str
    kind: str
    version_id: int
    compiled: dmn.CompiledTable | None


# --- the stamp ------------------------------------------------------------------------------------
def _fresh_stamp() -> int:
    # from the clock, so a stamp lost from the cache never comes back as a value a process still holds
    return time.time_ns() // 1000


def _stamp() -> int:
    value = cache.get(STAMP_KEY)
    if value is None:
        cache.add(STAMP_KEY, _fresh_stamp(), None)
        value = cache.get(STAMP_KEY) or _fresh_stamp()
    return value


def invalidate() -> None:
    """Make every process reload the published tables on its next call (run after commit)."""
    try:
        cache.incr(STAMP_KEY)
    except ValueError:
        cache.set(STAMP_KEY, _fresh_stamp(), None)
    with _lock:
        _local.update(stamp=None)  # this process reloads the list at once; compiled versions are kept


# --- the per-process state --------------------------------------------------------------------------
_lock = threading.Lock()
_local: dict = {"stamp": None, "tables": ()}
_compiled: dict[tuple, dmn.CompiledTable | None] = {}  # (version id, published at) → compiled


def reset_local() -> None:
    with _lock:
        _local.update(stamp=None, tables=())
        _compiled.clear()


def _load() -> tuple[LiveTable, ...]:
    from .models import DecisionTableVersion, VersionStatus

    published = DecisionTableVersion.objects.filter(status=VersionStatus.PUBLISHED, table__is_active=True)
    rows = list(
        published.order_by("table__kind", "table__code").values_list(
            "id", "published_at", "table__code", "table__kind"
        )
    )
    # keyed by id and publish time: a version id that comes back (a restored or recreated database)
    # with other rules is compiled again
    keys = {vid: (vid, at) for vid, at, _code, _kind in rows}
    missing = [vid for vid, key in keys.items() if key not in _compiled]
    if missing:
        for vid, xml in DecisionTableVersion.objects.filter(pk__in=missing).values_list("id", "dmn_xml"):
            try:
                _compiled[keys[vid]] = dmn.compile_xml(xml)
            except Exception:  # checked when published; only a changed fact or library could break it
                logger.exception("catalog rules: published version %s does not compile", vid)
                _compiled[keys[vid]] = None
    live = set(keys.values())
    for key in [k for k in _compiled if k not in live]:
        del _compiled[key]
    return tuple(LiveTable(code, kind, vid, _compiled[keys[vid]]) for vid, _at, code, kind in rows)


def live_tables() -> tuple[LiveTable, ...]:
    """The active tables' published versions, compiled; reloaded when the shared stamp moved."""
    stamp = _stamp()
    if _local["stamp"] == stamp:
        return _local["tables"]
    with _lock:
        if _local["stamp"] != stamp:
            _local["tables"] = _load()
            _local["stamp"] = stamp
        return _local["tables"]


# --- evaluating -------------------------------------------------------------------------------------
def _message(rule: dmn.CompiledRule) -> str:
    if english_ui():
        return rule.message_en or rule.message_zh
    return rule.message_zh or rule.message_en


BROKEN_MESSAGE = _("Rule table %(table)s could not be evaluated; the offering is refused until it is fixed.")


def outcomes_of(code: str, compiled: dmn.CompiledTable | None, scope: dict) -> list[RuleOutcome]:
    """The outcomes of one table for facts already turned into a scope.

    A require row whose offerings (one of them) the customer holds or has in the cart is met and
    gives no outcome. A table that fails to evaluate refuses (effect deny) rather than let an order
    through unchecked, and is logged.
    """
    try:
        if compiled is None:
            raise RuntimeError("not compiled")
        matched = compiled.match(scope)
    except Exception:
        logger.exception("catalog rules: table %s failed to evaluate", code)
        return [RuleOutcome(code, "", "deny", str(BROKEN_MESSAGE) % {"table": code})]
    out = []
    have = None
    for rule in matched:
        if rule.effect == "require":
            if have is None:
                have = set(scope.get("held") or ()) | set(scope.get("cart") or ())
            if have.intersection(rule.requires):
                continue
        out.append(RuleOutcome(code, rule.id, rule.effect, _message(rule), rule.requires))
    return out


def evaluate(facts: dict, *, kind: str | None = None) -> list[RuleOutcome]:
    """Every matching row of the active tables' published versions (of ``kind`` when given:
    "eligibility" or "compatibility"), tables in (kind, code) order, rows in table order.

    ``facts``: the keys of :data:`telcrm.catalog.rules.facts.FACTS` (missing ones take their
    defaults). Runs no database query while no table was published or (de)activated since the
    last call.
    """
    scope = scope_for(normalize(facts))
    out: list[RuleOutcome] = []
    for table in live_tables():
        if kind is not None and table.kind != kind:
            continue
        out.extend(outcomes_of(table.code, table.compiled, scope))
    return out


def evaluate_compiled(code: str, compiled: dmn.CompiledTable, facts: dict) -> list[RuleOutcome]:
    """The outcomes of one compiled table (a draft or an old version) for ``facts`` — the test panel."""
    return outcomes_of(code, compiled, scope_for(normalize(facts)))


def matched_rows(compiled: dmn.CompiledTable, facts: dict) -> list[str]:
    """Ids of the rows of ``compiled`` whose cells all hold for ``facts`` (require rows included)."""
    return [r.id for r in compiled.match(scope_for(normalize(facts)))]


def denied(outcomes: list[RuleOutcome]) -> bool:
    return any(o.effect == "deny" for o in outcomes)
