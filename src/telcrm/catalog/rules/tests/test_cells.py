"""Cells and expressions: every cell form evaluates as documented (through SpiffWorkflow's DMN
engine), unsafe expressions are refused before anything runs, and a property test compares numeric
range tables with a plain Python evaluator."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from telcrm.catalog.rules import dmn, feel
from telcrm.catalog.rules.expressions import ENGINE, SafeEnvironment, UnsafeExpression, check, scope_for
from telcrm.catalog.rules.facts import normalize

from ._helpers import compiled, grid, problems

BASE = {
    "customer_type": "individual",
    "credit_level": 3,
    "age": 30,
    "offering": "5G-CX-128",
    "held": ["4G-FX-58"],
    "cart": [],
    "channel": "counter",
}

CASES = [
    # (column, cell, facts, matches)
    ("offering", "-", {}, True),
    ("offering", "", {}, True),
    ("offering", '"5G-CX-128"', {}, True),
    ("offering", '"5G-CX-198"', {}, False),
    ("credit_level", "3", {}, True),
    ("credit_level", "< 2", {"credit_level": 1}, True),
    ("credit_level", "< 2", {"credit_level": 2}, False),
    ("credit_level", "<= 2", {"credit_level": 2}, True),
    ("credit_level", "> 4", {"credit_level": 5}, True),
    ("credit_level", ">= 5", {"credit_level": 4}, False),
    ("credit_level", "= 3", {}, True),
    ("credit_level", "!= 3", {}, False),
    ("age", "[18..25]", {"age": 18}, True),
    ("age", "[18..25]", {"age": 25}, True),
    ("age", "[18..25]", {"age": 26}, False),
    ("age", "(18..25]", {"age": 18}, False),
    ("age", "]18..25[", {"age": 25}, False),
    ("age", "[18..25)", {"age": 24}, True),
    ("age", "< 18", {"age": None}, False),  # null never compares
    ("age", "null", {"age": None}, True),
    ("age", "null", {"age": 30}, False),
    ("age", "!= null", {"age": 30}, True),
    ("customer_type", '"enterprise", "group"', {"customer_type": "group"}, True),
    ("customer_type", '"enterprise", "group"', {}, False),
    ("credit_level", "< 2, > 4", {"credit_level": 5}, True),
    ("credit_level", "< 2, > 4", {"credit_level": 3}, False),
    ("channel", 'not("self_service")', {}, True),
    ("channel", 'not("self_service", "agent")', {"channel": "agent"}, False),
    ("credit_level", "not(< 2)", {"credit_level": 1}, False),
    (("has plan", '"4G-FX-58" in held'), "true", {}, True),
    (("has plan", '"4G-FX-58" in held'), "false", {}, False),
    (("5G offering", 'offering.startswith("5G")'), "true", {}, True),
    (
        ("5G held or ordered", 'any(c.startswith("5G") for c in held + cart)'),
        "true",
        {"cart": ["5G-ZX-88"]},
        True,
    ),
    (
        ("plans in cart", 'len(set(cart) & {"4G-FX-38", "5G-ZX-88"})'),
        ">= 1",
        {"cart": ["5G-ZX-88", "X"]},
        True,
    ),
    (("plans in cart", 'len(set(cart) & {"4G-FX-38", "5G-ZX-88"})'), ">= 1", {"cart": ["X"]}, False),
    # SpiffWorkflow's own Python dialect
    ("channel", 'in ("counter", "telesales")', {}, True),
    ("channel", 'in ("counter", "telesales")', {"channel": "self_service"}, False),
    ("tenure_months", "12 <= ? <= 24", {"tenure_months": 20}, True),
    ("tenure_months", "12 <= ? <= 24", {"tenure_months": 30}, False),
    ("cart", "len(?) >= 2", {"cart": ["a", "b"]}, True),
    ("cart", "len(?) >= 2", {"cart": ["a"]}, False),
]


@pytest.mark.parametrize(("column", "cell", "facts", "matches"), CASES)
def test_each_cell_form_evaluates_as_documented(column, cell, facts, matches):
    table = compiled([column], [("r1", [cell], "deny")])
    scope = scope_for(normalize({**BASE, **facts}))
    assert [r.id for r in table.match(scope)] == (["r1"] if matches else [])


def test_feel_cells_are_translated_to_python_over_the_value():
    assert feel.translate('"a", "b"') == "(dmninputexpr == 'a' or dmninputexpr == 'b')"
    assert feel.translate("[1..5)") == "(dmninputexpr is not None and 1 <= dmninputexpr < 5)"
    assert feel.translate("true") == "dmninputexpr is True"
    assert feel.translate('in ("a",)') is None  # not FEEL: SpiffWorkflow's dialect
    assert feel.effective('in ("a",)') == 'dmninputexpr in ("a",)'
    assert feel.effective("2 + 1") == "(dmninputexpr) == (2 + 1)"
    assert feel.effective('"it\'s?"') == 'dmninputexpr == "it\'s?"'


def test_a_cell_names_the_row_and_column_of_its_syntax_error():
    with pytest.raises(ValidationError) as exc:
        compiled(["offering", "credit_level"], [("r1", ["-", "< 2"], "deny"), ("r2", ["-", "< < 2"], "deny")])
    assert problems(exc.value) == [
        "Row 2, column credit_level: the expression does not parse (invalid syntax)"
    ]
    item = exc.value.error_dict["dmn_xml"][0]
    assert item.params["row"] == 2 and item.params["col"] == 1


def test_unknown_fact_names_are_refused_in_columns_and_cells():
    with pytest.raises(ValidationError) as exc:
        compiled([("credit", "credit_levl"), "age"], [("r1", ["< 2", "< tenure"], "deny")])
    messages = problems(exc.value)
    assert any(m.startswith("Column credit: unknown fact name “credit_levl”") for m in messages)
    assert any(m.startswith("Row 1, column age: unknown fact name “tenure”") for m in messages)


def test_a_comparison_that_fails_on_sample_facts_names_row_and_column():
    with pytest.raises(ValidationError) as exc:
        compiled(["customer_type"], [("r1", ["< 3"], "deny")])
    [message] = problems(exc.value)
    assert message.startswith("Row 1, column customer_type: fails on sample facts #1 (TypeError")


def test_a_test_that_is_not_true_or_false_is_refused():
    with pytest.raises(ValidationError) as exc:
        compiled(["credit_level"], [("r1", ["? + 1"], "deny")])
    assert "not true or false" in problems(exc.value)[0]


UNSAFE = [
    '__import__("os").system("touch /tmp/x")',
    "().__class__.__bases__[0].__subclasses__()",
    'open("/etc/passwd")',
    "(lambda: 1)()",
    "[c for c in ().__class__.__mro__]",
    '"a" * 10**9',
    "2 ** 100000",
    'f"{offering}"',
    "offering.format(1)",
    'getattr(offering, "upper")',
    "globals()",
    "(x := 1)",
    'eval("1")',
    "offering.upper",  # an attribute that is not called
    "1 << 100000",
    "offering % 1",
    "any(a == b == c for a in held for b in held for c in held)",
    "99999999999999999999",
]


@pytest.mark.parametrize("expression", UNSAFE)
def test_unsafe_expressions_are_refused_as_columns(expression):
    with pytest.raises(ValidationError) as exc:
        compiled([("x", expression)], [("r1", ["true"], "deny")])
    [message] = problems(exc.value)
    assert message.startswith("Column x: ")


@pytest.mark.parametrize("expression", UNSAFE)
def test_unsafe_expressions_are_refused_as_cells(expression):
    with pytest.raises(ValidationError) as exc:
        compiled(["offering"], [("r1", [expression], "deny")])
    [message] = problems(exc.value)
    assert message.startswith("Row 1, column offering: ")


def test_the_environment_never_runs_an_unchecked_expression_or_a_script(tmp_path):
    target = tmp_path / "pwned"
    env = SafeEnvironment()
    with pytest.raises(UnsafeExpression):
        env.evaluate(f'__import__("pathlib").Path("{target}").touch()', scope_for(normalize({})))
    with pytest.raises(UnsafeExpression):
        env.execute("import os", {})
    with pytest.raises(UnsafeExpression):
        ENGINE.execute(None, "x = 1")
    assert not target.exists()
    with pytest.raises(UnsafeExpression) as exc:
        check("offering.__class__")
    assert exc.value.code == "private"


def test_an_uploaded_spiffworkflow_table_with_an_unsafe_cell_is_refused():
    text = dmn.to_xml(grid(["offering"], [("r1", ['"x"'], "deny")])).replace(
        '<text>"x"</text>', "<text>__import__('os').getcwd() and ?</text>"
    )
    with pytest.raises(ValidationError) as exc:
        dmn.compile_xml(text)
    [message] = problems(exc.value)
    assert message.startswith("Row 1, column offering: “__import__('os')") and message.endswith(
        "is not allowed in a rule"
    )


# --- property: numeric range tables agree with a plain evaluator ------------------------------------
NUMERIC = ("credit_level", "age", "live_lines")


def _cell(draw):
    kind = draw(st.sampled_from(["any", "lt", "le", "gt", "ge", "eq", "range", "list", "not", "null"]))
    n = draw(st.integers(0, 30))
    m = draw(st.integers(0, 30))
    lo, hi = min(n, m), max(n, m)
    open_lo, open_hi = draw(st.booleans()), draw(st.booleans())
    if kind == "any":
        return "-", lambda v: True
    if kind == "lt":
        return f"< {n}", lambda v: v is not None and v < n
    if kind == "le":
        return f"<= {n}", lambda v: v is not None and v <= n
    if kind == "gt":
        return f"> {n}", lambda v: v is not None and v > n
    if kind == "ge":
        return f">= {n}", lambda v: v is not None and v >= n
    if kind == "eq":
        return str(n), lambda v: v == n
    if kind == "null":
        return "null", lambda v: v is None
    if kind == "range":
        text = f"{'(' if open_lo else '['}{lo}..{hi}{')' if open_hi else ']'}"
        return (
            text,
            lambda v: v is not None and (lo < v if open_lo else lo <= v) and (v < hi if open_hi else v <= hi),
        )
    if kind == "list":
        return f"{lo}, {hi}", lambda v: v in (lo, hi)
    return f"not(< {n})", lambda v: not (v is not None and v < n)


@st.composite
def tables(draw):
    ncols = draw(st.integers(1, 3))
    columns = list(NUMERIC[:ncols])
    rows = []
    for r in range(draw(st.integers(1, 6))):
        cells = [_cell(draw) for _ in columns]
        rows.append((f"r{r + 1}", cells))
    facts = [
        {
            "credit_level": draw(st.integers(0, 31)),
            "age": draw(st.one_of(st.none(), st.integers(0, 31))),
            "live_lines": draw(st.integers(0, 31)),
        }
        for _ in range(4)
    ]
    return columns, rows, facts


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables())
def test_numeric_tables_agree_with_a_plain_python_evaluator(example):
    columns, rows, facts_list = example
    table = compiled(columns, [(rid, [c[0] for c in cells], "deny") for rid, cells in rows])
    for facts in facts_list:
        expected = [
            rid
            for rid, cells in rows
            if all(test(facts[col]) for col, (_t, test) in zip(columns, cells, strict=True))
        ]
        assert [r.id for r in table.match(scope_for(normalize(facts)))] == expected, facts


def test_a_value_the_fact_never_holds_is_refused_by_row_and_column():
    """A typo in a channel code ("countr") would make the row silently never match."""
    with pytest.raises(ValidationError) as exc:
        compiled(["offering", "channel"], [("r1", ['"5G-CX-128"', 'not("countr")'], "deny")])
    [message] = problems(exc.value)
    assert message.startswith("Row 1, column channel: “countr” is never a value of channel")
    assert '"counter"' in message and '"self_service"' in message
    compiled(["channel", "access_technology"], [("r1", ['"counter","agent"', '"copper",""'], "deny")])
