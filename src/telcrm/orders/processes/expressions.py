"""What a process expression may do, and the script engine SpiffWorkflow runs processes with.

Gateway conditions, timer expressions and service-task parameters are Python expressions that
SpiffWorkflow evaluates over the process data. They follow the rules of the catalog's rule expressions
(:mod:`telcrm.catalog.rules.expressions`, decision record 0011) — the same allowed constructs, functions
and limits — except that names are the process data (any name not starting with ``_``) instead of the
catalog facts, and ``get`` may be called on a value (``rules.get("denied")``). ``eval`` runs with empty
``__builtins__``. Scripts (script tasks, pre- and post-scripts) are refused.

:class:`ProcessScriptEngine` is SpiffWorkflow's script engine for one step: the engine gives it the
step's runner, which calls the registered service-task handlers (:mod:`.registry`) and the catalog's
rule tables for business-rule tasks.
"""

from __future__ import annotations

import ast
import functools

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment
from SpiffWorkflow.exceptions import SpiffWorkflowException

from telcrm.catalog.rules.expressions import (
    _NODES,
    MAX_CONSTANT,
    MAX_LENGTH,
    MAX_LOOPS,
    MAX_TEXT,
    SAFE_FUNCTIONS,
    SAFE_METHODS,
    UnsafeExpression,
    _describe,
)

PROCESS_METHODS = SAFE_METHODS | {"get"}


@functools.lru_cache(maxsize=4096)
def check(expression: str) -> ast.Expression:
    """The parsed expression if it only does what process expressions may do; else UnsafeExpression."""
    if not isinstance(expression, str) or not expression.strip():
        raise UnsafeExpression("syntax", "empty expression")
    if len(expression) > MAX_LENGTH:
        raise UnsafeExpression("too_long", str(MAX_LENGTH))
    try:
        tree = ast.parse(expression.strip(), mode="eval")
    except SyntaxError as exc:
        raise UnsafeExpression("syntax", exc.msg) from exc
    loops = sum(isinstance(node, ast.comprehension) for node in ast.walk(tree))
    if loops > MAX_LOOPS:
        raise UnsafeExpression("not_allowed", f"{loops} nested for-clauses")
    called = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    for node in ast.walk(tree):
        if not isinstance(node, _NODES):
            raise UnsafeExpression("not_allowed", _describe(node))
        if isinstance(node, ast.Name):
            if node.id.startswith("_"):
                raise UnsafeExpression("private", node.id)
        elif isinstance(node, ast.Attribute):
            if node.attr.startswith("_"):
                raise UnsafeExpression("private", node.attr)
            if node.attr not in PROCESS_METHODS or id(node) not in called:
                raise UnsafeExpression("attribute", node.attr)
        elif isinstance(node, ast.Call):
            func = node.func
            ok = (isinstance(func, ast.Name) and func.id in SAFE_FUNCTIONS) or (
                isinstance(func, ast.Attribute) and func.attr in PROCESS_METHODS
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
    return tree


@functools.lru_cache(maxsize=4096)
def compiled(expression: str):
    return compile(check(expression), "<process>", "eval")


def evaluate(expression: str, data: dict, extra: dict | None = None):
    """The value of a checked expression over ``data``: names the data lacks are None, the safe
    functions cannot be shadowed by data, there are no builtins."""
    code = compiled(expression)
    scope: dict = dict.fromkeys(code.co_names)
    scope.update({k: v for k, v in data.items() if isinstance(k, str) and not k.startswith("_")})
    if extra:
        scope.update(extra)
    scope.update(SAFE_FUNCTIONS)  # the data cannot shadow a function
    scope["__builtins__"] = {}
    return eval(code, scope)  # noqa: S307 - checked above: data, safe functions, no builtins


class _Environment(BasePythonScriptEngineEnvironment):
    def evaluate(self, expression, context, external_context=None):
        return evaluate(expression, context, external_context)

    def execute(self, script, context, external_context=None):
        raise UnsafeExpression("not_allowed", "script")

    def call_service(self, context, **kwargs):
        raise UnsafeExpression("not_allowed", "service call")


class ProcessScriptEngine(PythonScriptEngine):
    """SpiffWorkflow's script engine for process expressions; service calls and rule tasks go to
    ``runner`` (the engine's step runner), which is None while a definition is only being checked."""

    def __init__(self, runner=None):
        super().__init__(environment=_Environment())
        self.runner = runner

    def validate(self, expression):
        check(expression)

    def evaluate(self, task, expression, external_context=None):
        try:
            return self.environment.evaluate(expression, task.data, external_context)
        except SpiffWorkflowException:
            raise
        except Exception as exc:
            raise WorkflowTaskException(
                f"Error evaluating expression '{expression}': {type(exc).__name__}: {exc}",
                task=task,
                exception=exc,
            ) from exc

    def execute(self, task, script, external_context=None):
        raise WorkflowTaskException("Scripts are not allowed in processes", task=task)

    def call_service(self, task, operation_name=None, operation_params=None, **kwargs):
        if self.runner is None:
            raise WorkflowTaskException("No service calls outside the engine", task=task)
        return self.runner.call_service(task, operation_name, operation_params or {})

    def decide(self, task, decision: str, variable: str):
        if self.runner is None:
            raise WorkflowTaskException("No rule evaluation outside the engine", task=task)
        return self.runner.decide(task, decision, variable)
