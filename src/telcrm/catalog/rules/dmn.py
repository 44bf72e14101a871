"""Decision tables as DMN 1.3 XML: reading the XML, checking every column and cell, and compiling a
table into SpiffWorkflow's DMN engine.

A table (hit policy COLLECT) has input columns — a fact or an expression over the facts — and four
output columns: ``effect`` (deny / require / warn), ``message_zh``, ``message_en`` and ``requires``
(offering codes, for a require row). :func:`compile_xml` is the one gate: it reads the XML safely,
checks it against the DMN schema, lets SpiffWorkflow parse it, checks every expression
(:mod:`.expressions`) and cell (:mod:`.feel`), evaluates every cell against the sample facts, and
returns a :class:`CompiledTable` — or raises a ValidationError on ``dmn_xml`` whose messages name the
row and column ("Row 3, column credit_level: …"), in both UI languages.

The grid an administrator edits, writing it as XML and diffing versions are :mod:`.grid`; its names
are re-exported here (``dmn.Grid``, ``dmn.to_xml`` …), which is how the rest of the app uses them.
"""

from __future__ import annotations

import ast
import re
import threading
from dataclasses import dataclass
from types import SimpleNamespace

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from lxml import etree
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnValidator
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.dmn.engine.DMNEngine import DMNEngine
from SpiffWorkflow.dmn.parser.BpmnDmnParser import SCHEMAS, BpmnDmnParser
from SpiffWorkflow.exceptions import SpiffWorkflowException

from . import facts as facts_module
from .expressions import ENGINE, INPUT_NAME, ExpressionError, UnsafeExpression, check, scope_for
from .feel import effective, is_any
from .grid import (
    DMN13,
    NAMESPACE,
    OUTPUTS,
    Column,
    DiffLine,
    Grid,
    Row,
    decision_id_for,
    diff,
    split_codes,
    starter_grid,
    to_xml,
)

EFFECTS = ("deny", "require", "warn")
MAX_XML = 1_000_000
MAX_COLUMNS = 20
MAX_ROWS = 500
MAX_CELL = 500
MAX_MESSAGE = 200
ID_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]{0,63}$")
OFFERING_CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")
FIELD = "dmn_xml"


# --- messages -----------------------------------------------------------------------------------
class Lazy:
    """A translated message with its parameters, rendered in the language active when it is shown
    (so one ValidationError renders in Chinese and in English)."""

    def __init__(self, message, **params):
        self.message = message
        self.params = params

    def __str__(self) -> str:
        text = str(self.message)
        return text % {k: str(v) for k, v in self.params.items()} if self.params else text

    def __repr__(self) -> str:
        return f"Lazy({self.message!r}, {self.params!r})"


def _problem_of(exc: UnsafeExpression) -> Lazy:
    messages = {
        "syntax": _("the expression does not parse (%(detail)s)"),
        "too_long": _("too long (at most %(detail)s characters)"),
        "unknown_name": _("unknown fact name “%(detail)s”; use one of the facts listed with the table"),
        "not_allowed": _("“%(detail)s” is not allowed in a rule"),
        "attribute": _(
            "only the text methods startswith, endswith, lower, upper and strip may be called "
            "(not “%(detail)s”)"
        ),
        "private": _("names starting with an underscore are not allowed (“%(detail)s”)"),
    }
    return Lazy(messages.get(exc.code, messages["not_allowed"]), detail=exc.detail)


def cell_error(row: int, column: str, problem, code: str, col: int | None = None) -> ValidationError:
    """A problem of one cell: row number (1-based) and column name in the message; ``row``/``col``
    (0-based column index; outputs by name) in the params for the grid editor."""
    return ValidationError(
        _("Row %(row)s, column %(column)s: %(problem)s"),
        code=code,
        params={"row": row, "column": column, "problem": problem, "col": col},
    )


def column_error(column: str, problem, code: str, col: int | None = None) -> ValidationError:
    return ValidationError(
        _("Column %(column)s: %(problem)s"),
        code=code,
        params={"column": column, "problem": problem, "col": col, "row": None},
    )


def document_error(message, code: str, **params) -> ValidationError:
    return ValidationError(message, code=code, params=params or None)


def raise_errors(errors: list[ValidationError]) -> None:
    if errors:
        raise ValidationError({FIELD: errors})


# --- reading XML ----------------------------------------------------------------------------------
_PARSER_OPTIONS = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "dtd_validation": False,
    "huge_tree": False,
    "remove_blank_text": True,
}


def _parse_document(text: str):
    """The root element of the XML text, read without DTDs, entities or network access."""
    if not isinstance(text, str) or not text.strip():
        raise_errors([document_error(_("Give the DMN XML of the table."), "required")])
    if len(text) > MAX_XML:
        raise_errors(
            [
                document_error(
                    _("The DMN document is too large (at most %(n)s characters)."), "too_long", n=MAX_XML
                )
            ]
        )
    parser = etree.XMLParser(**_PARSER_OPTIONS)
    data = text.strip().encode("utf-8")
    if re.search(rb"<!DOCTYPE|<!ENTITY", data, re.IGNORECASE):
        raise_errors([document_error(_("Documents with a DOCTYPE or entities are not accepted."), "doctype")])
    try:
        # an XML declaration naming another encoding is ignored: the text is already decoded
        data = re.sub(rb"^<\?xml[^>]*\?>", b"", data)
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        line = exc.lineno or 1
        detail = exc.msg or str(exc)
        raise_errors(
            [
                document_error(
                    _("The DMN XML is malformed (line %(line)s): %(detail)s"),
                    "malformed",
                    line=line,
                    detail=detail,
                )
            ]
        )
    namespace = etree.QName(root).namespace
    if etree.QName(root).localname != "definitions" or namespace not in SCHEMAS:
        raise_errors(
            [
                document_error(
                    _("This is not a DMN document (expected a definitions element of DMN 1.1, 1.2 or 1.3)."),
                    "not_dmn",
                )
            ]
        )
    return root


_VALIDATORS: dict[str, BpmnValidator] = {}
_VALIDATOR_LOCK = threading.Lock()


def _schema_check(root) -> None:
    namespace = etree.QName(root).namespace
    with _VALIDATOR_LOCK:  # an lxml schema and its error log belong to one validation at a time
        validator = _VALIDATORS.get(namespace)
        if validator is None:
            validator = _VALIDATORS[namespace] = BpmnValidator(SCHEMAS[namespace])
        try:
            validator.validate(root, "table.dmn")
        except ValidationException as exc:
            message = str(exc.args[0] if exc.args else exc).split("\n")[0][:200]
            detail = f"line {exc.line_number}: {message}" if exc.line_number else message
            raise_errors(
                [
                    document_error(
                        _("The document does not follow the DMN schema: %(detail)s"), "schema", detail=detail
                    )
                ]
            )


def _decision_table(root):
    """SpiffWorkflow's parsed decision table of the document (one decision, one table)."""
    dmn = etree.QName(root).namespace
    decisions = root.findall(f"{{{dmn}}}decision")
    tables = [t for d in decisions for t in d.findall(f"{{{dmn}}}decisionTable")]
    if len(decisions) != 1 or len(tables) != 1:
        raise_errors(
            [
                document_error(
                    _("A rule table holds exactly one decision with one decision table."), "structure"
                )
            ]
        )
    parser = BpmnDmnParser()
    try:
        parser.add_dmn_xml(root, filename="table.dmn")
        decision_id = decisions[0].get("id")
        engine = parser.get_engine(decision_id, None)
    except (ValidationException, SpiffWorkflowException, KeyError, IndexError, ValueError) as exc:
        raise_errors(
            [
                document_error(
                    _("The DMN engine cannot read the document: %(detail)s"),
                    "engine",
                    detail=str(exc).split("\n")[0][:200],
                )
            ]
        )
    return decisions[0], engine


def _literal(text: str | None):
    if text is None or not text.strip():
        return ""
    return ast.literal_eval(text.strip())


def _grid_of(decision, table) -> tuple[Grid, list[ValidationError]]:
    """The grid of a parsed table, with the problems of its structure and outputs."""
    errors: list[ValidationError] = []
    if table.hit_policy != "COLLECT":
        errors.append(
            document_error(
                _("The decision table must use hit policy COLLECT (it uses %(policy)s)."),
                "hit_policy",
                policy=table.hit_policy,
            )
        )
    if not table.inputs:
        errors.append(document_error(_("The decision table needs at least one input column."), "no_inputs"))
    if len(table.inputs) > MAX_COLUMNS:
        errors.append(
            document_error(_("A table has at most %(n)s input columns."), "too_many_columns", n=MAX_COLUMNS)
        )
    if len(table.rules) > MAX_ROWS:
        errors.append(document_error(_("A table has at most %(n)s rows."), "too_many_rows", n=MAX_ROWS))
    names = [o.name or o.label for o in table.outputs]
    for name in names:
        if name not in OUTPUTS:
            errors.append(
                document_error(
                    _("Output column %(name)s is not one of effect, message_zh, message_en, requires."),
                    "unknown_output",
                    name=name,
                )
            )
    if "effect" not in names or not ({"message_zh", "message_en"} & set(names)):
        errors.append(
            document_error(
                _("The decision table needs the output columns effect and message_zh or message_en."),
                "outputs",
            )
        )
    columns = [
        Column(i.id, (i.label or i.name or i.expression or "").strip(), (i.expression or "").strip())
        for i in table.inputs
    ]
    rows = []
    for n, rule in enumerate(table.rules, start=1):
        cells = [(e.text or "").strip() for e in rule.inputEntries]
        if len(cells) != len(columns):
            errors.append(
                cell_error(
                    n,
                    "-",
                    Lazy(
                        _("the row has %(cells)s cells for %(columns)s columns"),
                        cells=len(cells),
                        columns=len(columns),
                    ),
                    "cells",
                )
            )
            cells = (cells + [""] * len(columns))[: len(columns)]
        row = Row(id=rule.id, cells=cells, note=(rule.description or "").strip())
        outputs = {(e.output.name or e.output.label): e.text for e in rule.outputEntries}
        for name in OUTPUTS:
            try:
                value = _literal(outputs.get(name))
            except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
                errors.append(
                    cell_error(n, name, _('an output is a plain value such as "deny"'), "output", col=name)
                )
                continue
            if name == "requires":
                if isinstance(value, str):
                    value = split_codes(value)
                if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
                    errors.append(
                        cell_error(
                            n,
                            name,
                            _("list the offering codes, e.g. 5G-CX-128, 5G-CX-198"),
                            "output",
                            col=name,
                        )
                    )
                    value = []
                row.requires = [v.strip() for v in value if v.strip()]
            elif not isinstance(value, str):
                errors.append(
                    cell_error(n, name, _('an output is a plain value such as "deny"'), "output", col=name)
                )
            else:
                setattr(row, name, value.strip())
        rows.append(row)
    grid = Grid(
        columns=columns,
        rows=rows,
        decision_id=decision.get("id") or "decision",
        name=decision.get("name") or "",
    )
    return grid, errors


def read_xml(text: str) -> Grid:
    """The grid of a DMN document (ValidationError when it cannot be read at all)."""
    root = _parse_document(text)
    decision, engine = _decision_table(root)
    grid, _errors = _grid_of(decision, engine.decision_table)
    return grid


# --- checking the grid ----------------------------------------------------------------------------
_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"')


def _unknown_values(expression: str, cell: str) -> list[str]:
    """The string literals of ``cell`` that the fact its column tests never holds (a typo such as
    "countr" for the channel would make the row silently never match)."""
    fact = facts_module.BY_NAME.get((expression or "").strip())
    if fact is None or not fact.choices:
        return []
    return [v for v in _STRING.findall(cell) if v not in fact.choices]


def check_grid(grid: Grid) -> list[ValidationError]:
    """Every problem of the columns, cells and outputs of ``grid`` (static checks, no evaluation)."""
    errors: list[ValidationError] = []
    for i, col in enumerate(grid.columns):
        if not col.expression:
            errors.append(
                column_error(
                    col.name or str(i + 1), _("give the fact or expression the column tests"), "required", i
                )
            )
            continue
        try:
            check(col.expression, allow_input=False)
        except UnsafeExpression as exc:
            errors.append(column_error(col.name, _problem_of(exc), exc.code, i))
        if not ID_RE.match(col.id or ""):
            errors.append(
                column_error(col.name, _("the column id is not a valid identifier"), "invalid_id", i)
            )
    seen: set[str] = set()
    for n, row in enumerate(grid.rows, start=1):
        if not ID_RE.match(row.id or ""):
            errors.append(
                cell_error(
                    n,
                    "id",
                    _("a row id starts with a letter and has only letters, digits, _ . and -"),
                    "invalid_id",
                    col="id",
                )
            )
        elif row.id in seen:
            errors.append(
                cell_error(
                    n, "id", Lazy(_("the row id %(id)s is used twice"), id=row.id), "duplicate_id", col="id"
                )
            )
        seen.add(row.id)
        for i, cell in enumerate(row.cells):
            if is_any(cell):
                continue
            column = grid.columns[i].name if i < len(grid.columns) else str(i + 1)
            if len(cell) > MAX_CELL:
                errors.append(
                    cell_error(
                        n,
                        column,
                        Lazy(_("too long (at most %(detail)s characters)"), detail=MAX_CELL),
                        "too_long",
                        i,
                    )
                )
                continue
            try:
                check(effective(cell))
            except UnsafeExpression as exc:
                errors.append(cell_error(n, column, _problem_of(exc), exc.code, i))
                continue
            unknown = _unknown_values(grid.columns[i].expression, cell) if i < len(grid.columns) else []
            if unknown:
                fact = facts_module.BY_NAME[grid.columns[i].expression.strip()]
                problem = Lazy(
                    _("“%(value)s” is never a value of %(fact)s (the row never matches); use %(choices)s"),
                    value=unknown[0],
                    fact=fact.name,
                    choices=", ".join(f'"{c}"' for c in fact.choices if c),
                )
                errors.append(cell_error(n, column, problem, "invalid_choice", i))
        if row.effect not in EFFECTS:
            errors.append(
                cell_error(n, "effect", _("choose deny, require or warn"), "invalid_choice", col="effect")
            )
        if not (row.message_zh or row.message_en):
            errors.append(
                cell_error(
                    n,
                    "message_zh",
                    _("write the message in Chinese or in English"),
                    "required",
                    col="message_zh",
                )
            )
        for name in ("message_zh", "message_en"):
            if len(getattr(row, name)) > MAX_MESSAGE:
                errors.append(
                    cell_error(
                        n,
                        name,
                        Lazy(_("too long (at most %(detail)s characters)"), detail=MAX_MESSAGE),
                        "too_long",
                        col=name,
                    )
                )
        if row.effect == "require" and not row.requires:
            errors.append(
                cell_error(
                    n,
                    "requires",
                    _("a require row names the offerings it requires"),
                    "required",
                    col="requires",
                )
            )
        for code in row.requires:
            if not OFFERING_CODE_RE.match(code):
                errors.append(
                    cell_error(
                        n,
                        "requires",
                        Lazy(_("“%(code)s” is not an offering code"), code=code),
                        "invalid",
                        col="requires",
                    )
                )
    return errors


# --- compiling --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CompiledRule:
    id: str
    row: int
    effect: str
    message_zh: str
    message_en: str
    requires: tuple[str, ...]


class _Task:
    """The little of a SpiffWorkflow task its DMN engine and its errors use."""

    __slots__ = ("data", "task_spec", "workflow")

    def __init__(self, data: dict, name: str):
        self.data = data
        self.task_spec = SimpleNamespace(bpmn_name=name)
        workflow = SimpleNamespace(script_engine=ENGINE, spec=SimpleNamespace(file=name))
        workflow.top_workflow = workflow
        self.workflow = workflow


@dataclass
class CompiledTable:
    engine: DMNEngine
    grid: Grid
    rules: dict[str, CompiledRule]
    name: str = ""

    def match(self, scope: dict) -> list[CompiledRule]:
        """The rules whose every cell holds for ``scope`` (facts from expressions.scope_for), in row order.

        SpiffWorkflow's DMN engine decides; with hit policy COLLECT it returns every matching rule.
        """
        return [self.rules[r.id] for r in self.engine.decide(_Task(scope, self.name))]


def _sample_errors(engine: DMNEngine, grid: Grid) -> list[ValidationError]:
    """Evaluate every column and cell against each sample fact set; the first failure of each."""
    errors: list[ValidationError] = []
    table = engine.decision_table
    failed_columns: set[int] = set()
    failed_cells: set[tuple[int, int]] = set()
    for s, sample in enumerate(facts_module.SAMPLES, start=1):
        task = _Task(scope_for(sample), "check")
        values = {}
        for i, inp in enumerate(table.inputs):
            if i in failed_columns:
                continue
            try:
                values[i] = ENGINE.evaluate(task, inp.expression)
            except (ExpressionError, UnsafeExpression) as exc:
                failed_columns.add(i)
                errors.append(column_error(grid.columns[i].name, _sample_problem(s, exc), "evaluation", i))
        for n, rule in enumerate(table.rules, start=1):
            for i, entry in enumerate(rule.inputEntries):
                lhs = entry.lhs[0] if entry.lhs else None
                if lhs is None or i not in values or (n, i) in failed_cells:
                    continue
                try:
                    result = ENGINE.evaluate(task, lhs, external_context={INPUT_NAME: values[i]})
                except (ExpressionError, UnsafeExpression) as exc:
                    failed_cells.add((n, i))
                    errors.append(
                        cell_error(n, grid.columns[i].name, _sample_problem(s, exc), "evaluation", i)
                    )
                    continue
                if not isinstance(result, bool):
                    failed_cells.add((n, i))
                    errors.append(
                        cell_error(
                            n,
                            grid.columns[i].name,
                            Lazy(
                                _("the test gives %(value)s, not true or false, on sample facts #%(sample)s"),
                                value=repr(result)[:40],
                                sample=s,
                            ),
                            "not_boolean",
                            i,
                        )
                    )
    return errors


def _sample_problem(sample: int, exc) -> Lazy:
    original = getattr(exc, "original", exc)
    detail = f"{type(original).__name__}: {original}"[:160]
    if isinstance(exc, UnsafeExpression):
        return _problem_of(exc)
    return Lazy(_("fails on sample facts #%(sample)s (%(detail)s)"), sample=sample, detail=detail)


def compile_grid(grid: Grid) -> CompiledTable:
    """The compiled table of an edited grid: the grid's own problems first (they name the cell the
    editor shows), then everything :func:`compile_xml` checks."""
    raise_errors(check_grid(grid))
    return compile_xml(to_xml(grid))


def compile_xml(text: str) -> CompiledTable:
    """The table of a DMN document, ready to evaluate; ValidationError (on ``dmn_xml``) naming the
    row and column of every problem otherwise."""
    root = _parse_document(text)
    _schema_check(root)
    decision, engine = _decision_table(root)
    table = engine.decision_table
    grid, errors = _grid_of(decision, table)
    errors += check_grid(grid)
    raise_errors(errors)
    # From here on SpiffWorkflow evaluates the Python each cell means (FEEL translated, "?" resolved).
    for rule in table.rules:
        for entry in rule.inputEntries:
            text_ = entry.text
            entry.lhs = [None if is_any(text_) else effective(text_)]
    raise_errors(_sample_errors(engine, grid))
    rules = {
        r.id: CompiledRule(
            id=r.id,
            row=n,
            effect=r.effect,
            message_zh=r.message_zh,
            message_en=r.message_en,
            requires=tuple(r.requires),
        )
        for n, r in enumerate(grid.rows, start=1)
    }
    return CompiledTable(engine=engine, grid=grid, rules=rules, name=grid.name)


__all__ = [
    "DMN13",
    "EFFECTS",
    "FIELD",
    "ID_RE",
    "MAX_CELL",
    "MAX_COLUMNS",
    "MAX_MESSAGE",
    "MAX_ROWS",
    "MAX_XML",
    "NAMESPACE",
    "OFFERING_CODE_RE",
    "OUTPUTS",
    "Column",
    "CompiledRule",
    "CompiledTable",
    "DiffLine",
    "Grid",
    "Lazy",
    "Row",
    "cell_error",
    "check_grid",
    "column_error",
    "compile_grid",
    "compile_xml",
    "decision_id_for",
    "diff",
    "document_error",
    "raise_errors",
    "read_xml",
    "split_codes",
    "starter_grid",
    "to_xml",
]
