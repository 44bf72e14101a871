"""The decision table as the grid an administrator edits, its DMN 1.3 document, and version diffs.

A :class:`Grid` has input columns (a fact or an expression over the facts) and rows whose cells are
FEEL unary tests; each row gives the four outputs (:data:`OUTPUTS`). :func:`to_xml` writes the grid as
one decision with one COLLECT decision table; reading, checking and compiling a document is
:mod:`.dmn`, which re-exports everything here.
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass, field

from lxml import etree

from . import facts as facts_module
from .feel import is_any

DMN13 = "https://www.omg.org/spec/DMN/20191111/MODEL/"
NAMESPACE = "urn:telcrm:catalog-rules"
OUTPUTS = ("effect", "message_zh", "message_en", "requires")


# --- the grid -------------------------------------------------------------------------------------
@dataclass
class Column:
    id: str
    label: str
    expression: str

    @property
    def name(self) -> str:
        return self.label or self.expression


@dataclass
class Row:
    id: str
    cells: list[str]
    effect: str = "deny"
    message_zh: str = ""
    message_en: str = ""
    requires: list[str] = field(default_factory=list)
    note: str = ""


@dataclass
class Grid:
    columns: list[Column]
    rows: list[Row]
    decision_id: str = "decision"
    name: str = ""

    def new_column_id(self) -> str:
        used = {c.id for c in self.columns}
        n = len(self.columns) + 1
        while f"input_{n}" in used:
            n += 1
        return f"input_{n}"

    def new_row_id(self) -> str:
        used = {r.id for r in self.rows}
        n = len(self.rows) + 1
        while f"rule_{n}" in used:
            n += 1
        return f"rule_{n}"

    def lines(self) -> list[str]:
        """One line per column and per row: what a version diff compares."""
        out = [f"column {c.name}: {c.expression}" for c in self.columns]
        for r in self.rows:
            cells = " | ".join(c.strip() or "-" for c in r.cells)
            requires = ", ".join(r.requires)
            out.append(
                f"{r.id}: {cells} → {r.effect} · {r.message_zh} · {r.message_en}"
                + (f" · requires {requires}" if requires else "")
                + (f" · {r.note}" if r.note else "")
            )
        return out


def starter_grid(name: str = "") -> Grid:
    """What a new table starts with: an offering column and no rows."""
    return Grid(columns=[Column("input_1", "offering", "offering")], rows=[], name=name)


def split_codes(text: str) -> list[str]:
    return [c for c in re.split(r"[\s,，;；]+", text or "") if c]


# --- writing XML ----------------------------------------------------------------------------------
def _el(parent, tag: str, **attrs):
    node = etree.SubElement(parent, f"{{{DMN13}}}{tag}")
    for k, v in attrs.items():
        if v not in (None, ""):
            node.set(k, str(v))
    return node


def _text(parent, value: str | None) -> None:
    t = etree.SubElement(parent, f"{{{DMN13}}}text")
    t.text = value if value else None


def _string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def decision_id_for(code: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9_]", "_", code or "table")
    return f"decision_{slug}"[:64]


def to_xml(grid: Grid) -> str:
    """The DMN 1.3 document of ``grid`` (one decision, one COLLECT decision table)."""
    root = etree.Element(f"{{{DMN13}}}definitions", nsmap={None: DMN13})
    root.set("id", f"definitions_{grid.decision_id}"[:64])
    root.set("name", grid.name or grid.decision_id)
    root.set("namespace", NAMESPACE)
    decision = _el(root, "decision", id=grid.decision_id, name=grid.name or grid.decision_id)
    table = _el(decision, "decisionTable", id=f"table_{grid.decision_id}"[:64], hitPolicy="COLLECT")
    for col in grid.columns:
        node = _el(table, "input", id=col.id, label=col.label or col.expression)
        fact = facts_module.BY_NAME.get(col.expression.strip())
        expr = _el(node, "inputExpression", id=f"{col.id}_expression", typeRef=fact.type_ref if fact else "")
        _text(expr, col.expression.strip())
    for name in OUTPUTS:
        _el(
            table,
            "output",
            id=f"output_{name}",
            name=name,
            label=name,
            typeRef="" if name == "requires" else "string",
        )
    for row in grid.rows:
        rule = _el(table, "rule", id=row.id)
        if row.note:
            d = etree.SubElement(rule, f"{{{DMN13}}}description")
            d.text = row.note
        for i, cell in enumerate(row.cells):
            entry = _el(rule, "inputEntry", id=f"{row.id}_in_{i + 1}")
            _text(entry, "-" if is_any(cell) else cell.strip())
        values = (
            _string(row.effect),
            _string(row.message_zh),
            _string(row.message_en),
            json.dumps(row.requires, ensure_ascii=False) if row.requires else "",
        )
        for name, value in zip(OUTPUTS, values, strict=True):
            entry = _el(rule, "outputEntry", id=f"{row.id}_{name}")
            _text(entry, value)
    return etree.tostring(root, pretty_print=True, xml_declaration=True, encoding="UTF-8").decode("utf-8")


# --- comparing versions -----------------------------------------------------------------------------
@dataclass(frozen=True)
class DiffLine:
    kind: str  # "same", "added", "removed"
    text: str


def diff(old: Grid | None, new: Grid) -> list[DiffLine]:
    """Line diff of two grids (one line per column and row), unchanged lines included."""
    a = old.lines() if old is not None else []
    b = new.lines()
    out = []
    for line in difflib.ndiff(a, b):
        tag, text = line[:2], line[2:]
        if tag == "? ":
            continue
        out.append(DiffLine({"  ": "same", "+ ": "added", "- ": "removed"}[tag], text))
    return out
