"""What a rule expression may do, and the script engine SpiffWorkflow evaluates rules with.

SpiffWorkflow's DMN engine evaluates input expressions and cells as Python with ``eval``. Ours is a
:class:`SafeScriptEngine` whose environment only runs expressions that pass :func:`check`:

- names: the facts (:data:`~telcrm.catalog.rules.facts.FACT_NAMES`), the few functions in
  :data:`SAFE_FUNCTIONS`, names bound by a comprehension, and the engine's own input name;
  nothing starting with ``_`` (no dunders);
- attribute access only to call one of the string methods in :data:`SAFE_METHODS`;
- no imports, lambdas, assignments, f-strings, statements; no ``*`` / ``**`` / ``%`` / shifts (so no
  expression builds a huge string or number); at most two ``for`` clauses (no loop nest whose cost
  grows with a power of the number of codes held);
- constants of bounded size, expressions of bounded length.

``eval`` then runs the compiled expression with empty ``__builtins__``. An expression that breaks a
rule raises :class:`UnsafeExpression` (never runs), with a code and the offending detail.
"""

from __future__ import annotations

import ast
import functools

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment
from SpiffWorkflow.exceptions import SpiffWorkflowException

from .facts import FACT_NAMES

INPUT_NAME = "dmninputexpr"  # SpiffWorkflow binds a column's value to this name in "?" cells
MAX_LENGTH = 500
MAX_CONSTANT = 10**12
MAX_TEXT = 200
MAX_LOOPS = 2  # for-clauses of comprehensions in one expression

SAFE_FUNCTIONS: dict[str, object] = {
    "len": len,
    "any": any,
    "all": all,
    "min": min,
    "max": max,
    "abs": abs,
    "sum": sum,
    "set": set,
    "sorted": sorted,
    "int": int,
    "str": str,
    "bool": bool,
}
SAFE_METHODS = frozenset({"startswith", "endswith", "lower", "upper", "strip"})

_NODES = (
    ast.Expression,
    ast.BoolOp,
    ast.And,
    ast.Or,
    ast.UnaryOp,
    ast.Not,
    ast.USub,
    ast.UAdd,
    ast.BinOp,
    ast.Add,
    ast.Sub,
    ast.Div,
    ast.FloorDiv,
    ast.BitAnd,
    ast.BitOr,
    ast.Compare,
    ast.Eq,
    ast.NotEq,
    ast.Lt,
    ast.LtE,
    ast.Gt,
    ast.GtE,
    ast.In,
    ast.NotIn,
    ast.Is,
    ast.IsNot,
    ast.IfExp,
    ast.Constant,
    ast.Name,
    ast.Load,
    ast.Store,
    ast.Tuple,
    ast.List,
    ast.Set,
    ast.Call,
    ast.Attribute,
    ast.Subscript,
    ast.Slice,
    ast.GeneratorExp,
    ast.ListComp,
    ast.SetComp,
    ast.comprehension,
)


class UnsafeExpression(ValueError):
    """An expression that does not parse or does something rules may not do.

    ``code``: syntax, too_long, unknown_name, not_allowed (a construct), attribute, private.
    """

    def __init__(self, code: str, detail: str):
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail


class ExpressionError(SpiffWorkflowException):
    """An expression failed while a rule was evaluated (SpiffWorkflow adds the row in a note)."""

    def __init__(self, expression: str, original: Exception):
        super().__init__(f"{type(original).__name__}: {original}")
        self.expression = expression
        self.original = original


_SYMBOLS = {
    ast.Mult: "*",
    ast.Pow: "**",
    ast.Mod: "%",
    ast.MatMult: "@",
    ast.LShift: "<<",
    ast.RShift: ">>",
    ast.BitXor: "^",
    ast.Invert: "~",
}


def _describe(node: ast.AST) -> str:
    if type(node) in _SYMBOLS:
        return _SYMBOLS[type(node)]
    try:
        return ast.unparse(node)[:60]
    except Exception:  # pragma: no cover - unparse handles every node we see
        return type(node).__name__


@functools.lru_cache(maxsize=4096)
def check(expression: str, *, allow_input: bool = True) -> ast.Expression:
    """The parsed expression if it only does what rules may do; else :class:`UnsafeExpression`."""
    if not isinstance(expression, str) or not expression.strip():
        raise UnsafeExpression("syntax", "empty expression")
    if len(expression) > MAX_LENGTH:
        raise UnsafeExpression("too_long", str(MAX_LENGTH))
    try:
        tree = ast.parse(expression.strip(), mode="eval")
    except SyntaxError as exc:
        raise UnsafeExpression("syntax", exc.msg) from exc
    loops = sum(isinstance(node, ast.comprehension) for node in ast.walk(tree))
    if loops > MAX_LOOPS:  # nested loops over the code lists would grow with their product
        raise UnsafeExpression("not_allowed", f"{loops} nested for-clauses")
    bound = {
        target.id
        for node in ast.walk(tree)
        if isinstance(node, ast.comprehension)
        for target in ast.walk(node.target)
        if isinstance(target, ast.Name)
    }
    allowed = FACT_NAMES | SAFE_FUNCTIONS.keys() | bound | ({INPUT_NAME} if allow_input else set())
    for node in ast.walk(tree):
        if not isinstance(node, _NODES):
            raise UnsafeExpression("not_allowed", _describe(node))
        if isinstance(node, ast.Name):
            if node.id.startswith("_"):
                raise UnsafeExpression("private", node.id)
            if node.id not in allowed:
                raise UnsafeExpression("unknown_name", node.id)
        elif isinstance(node, ast.Attribute):
            if node.attr.startswith("_"):
                raise UnsafeExpression("private", node.attr)
            if node.attr not in SAFE_METHODS:
                raise UnsafeExpression("attribute", node.attr)
        elif isinstance(node, ast.Call):
            func = node.func
            ok = (isinstance(func, ast.Name) and func.id in SAFE_FUNCTIONS) or (
                isinstance(func, ast.Attribute) and func.attr in SAFE_METHODS
            )
            if not ok:
                raise UnsafeExpression("not_allowed", _describe(node))
        elif isinstance(node, ast.Constant):
            value = node.value
            if isinstance(value, bytes) or value is Ellipsis or isinstance(value, complex):
                raise UnsafeExpression("not_allowed", _describe(node))
            if isinstance(value, int | float) and not isinstance(value, bool) and abs(value) > MAX_CONSTANT:
                raise UnsafeExpression("not_allowed", _describe(node))
            if isinstance(value, str) and len(value) > MAX_TEXT:
                raise UnsafeExpression("too_long", str(MAX_TEXT))
    # an attribute is only ever the function of a call (no "x.startswith" as a value)
    called = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and id(node) not in called:
            raise UnsafeExpression("attribute", node.attr)
    return tree


@functools.lru_cache(maxsize=4096)
def compiled(expression: str):
    """The code object of a checked expression (cached: rules repeat the same few expressions)."""
    tree = check(expression)
    return compile(tree, "<rule>", "eval")


def scope_for(facts: dict) -> dict:
    """The globals an expression sees: the facts, the safe functions, no builtins."""
    scope = {"__builtins__": {}}
    scope.update(SAFE_FUNCTIONS)
    scope.update(facts)
    return scope


class SafeEnvironment(BasePythonScriptEngineEnvironment):
    """Evaluates checked expressions only; runs no scripts.

    ``context`` is the task data, which for rules is already the scope from :func:`scope_for`.
    """

    def evaluate(self, expression, context, external_context=None):
        code = compiled(expression)
        scope = {**context, **external_context} if external_context else context
        return eval(code, scope)  # noqa: S307 - checked above: facts, safe functions, no builtins

    def execute(self, script, context, external_context=None):
        raise UnsafeExpression("not_allowed", "script")

    def call_service(self, context, **kwargs):
        raise UnsafeExpression("not_allowed", "service call")


class SafeScriptEngine(PythonScriptEngine):
    """SpiffWorkflow's script engine over :class:`SafeEnvironment`."""

    def __init__(self):
        super().__init__(environment=SafeEnvironment())

    def validate(self, expression):
        # SpiffWorkflow's DMN engine relies on a SyntaxError to tell "< 2" (needs the input prefixed)
        # from "2" (an equality); the safety check runs when the expression is evaluated.
        _syntax(expression)

    def evaluate(self, task, expression, external_context=None):
        try:
            return self.environment.evaluate(expression, task.data, external_context)
        except (SpiffWorkflowException, UnsafeExpression):
            raise
        except Exception as exc:
            raise ExpressionError(expression, exc) from exc

    def execute(self, task, script, external_context=None):
        raise UnsafeExpression("not_allowed", "script")


@functools.lru_cache(maxsize=4096)
def _syntax(expression: str) -> None:
    ast.parse(expression, mode="eval")


ENGINE = SafeScriptEngine()
