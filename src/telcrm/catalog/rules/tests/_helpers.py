"""Building grids and tables in tests."""

from __future__ import annotations

from telcrm.catalog.rules import actions, dmn


def grid(columns, rows, *, code: str = "T") -> dmn.Grid:
    """``columns``: fact names or (label, expression); ``rows``: (id, cells, effect[, requires])."""
    cols = []
    for i, c in enumerate(columns, start=1):
        label, expr = (c, c) if isinstance(c, str) else c
        cols.append(dmn.Column(f"input_{i}", label, expr))
    out = []
    for r in rows:
        rid, cells, effect = r[0], list(r[1]), r[2]
        requires = list(r[3]) if len(r) > 3 else []
        out.append(dmn.Row(rid, cells, effect, f"消息{rid}", f"message {rid}", requires))
    return dmn.Grid(cols, out, decision_id=dmn.decision_id_for(code), name=code)


def compiled(columns, rows) -> dmn.CompiledTable:
    return dmn.compile_grid(grid(columns, rows))


def make_table(actor, code, g, *, kind="eligibility"):
    table = actions.rule_table_create(actor=actor, code=code, name=f"表{code}", kind=kind)
    version = actions.rule_draft_save(actor=actor, table=table, dmn_xml=dmn.to_xml(g))
    return table, version


def make_published(actor, code, g, *, kind="eligibility"):
    _table, version = make_table(actor, code, g, kind=kind)
    return actions.rule_version_publish(actor=actor, version=version)


def problems(exc) -> list[str]:
    """The English messages of a ValidationError raised by the rules."""
    from telcrm.platform.errors import bilingual

    return [i["message_en"] for i in bilingual(exc)]
