"""Cells of a decision table: FEEL simple unary tests, turned into the Python SpiffWorkflow evaluates.

SpiffWorkflow's DMN engine evaluates a cell as a Python expression (``"5G"`` → ``offering == "5G"``,
``< 2`` → ``credit_level < 2``, ``?`` standing for the column's value). DMN tools write cells in FEEL.
We accept the FEEL forms an administrator needs and translate them before SpiffWorkflow sees them:

===================  =====================================  ===================================
cell                  meaning                                translated to (``v`` = the column)
===================  =====================================  ===================================
``-`` or empty        any value                              (not tested)
``"5G-CX-128"``       equal to                               ``v == "5G-CX-128"``
``3`` / ``2.5``       equal to                               ``v == 3``
``true`` / ``false``  is true / false                        ``v is True``
``null``              no value                               ``v is None``
``< 2`` ``<= 2``      compared with (``> >= = !=`` too)      ``v is not None and v < 2``
``[18..25]``          range, ``(`` / ``)`` or ``]`` ``[``    ``v is not None and 18 <= v <= 25``
                      open ends
``"a", "b", < 0``     any of the tests                       ``(… or … or …)``
``not("a", "b")``     none of the tests                      ``not (… or …)``
===================  =====================================  ===================================

Anything else is taken as SpiffWorkflow's own Python dialect (``in ("a", "b")``, ``? % 2 == 0``,
``18 <= ? <= 25``), restricted by :mod:`.expressions` like every expression.
:func:`effective` gives the one Python expression a cell is evaluated as.
"""

from __future__ import annotations

import re

from .expressions import INPUT_NAME

V = INPUT_NAME

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<string>"(?:[^"\\]|\\.)*")
      | (?P<number>-?\d+(?:\.\d+)?)
      | (?P<dots>\.\.)
      | (?P<op><=|>=|!=|<|>|=)
      | (?P<punct>[\[\]\(\),])
      | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
    )""",
    re.VERBOSE,
)
_WORDS = {"true": True, "false": False, "null": None}


class _NotFeel(Exception):
    pass


def _tokens(text: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    text = text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            raise _NotFeel
        kind = m.lastgroup
        out.append((kind, m.group(kind)))
        pos = m.end()
    return out


class _Parser:
    def __init__(self, tokens):
        self.tokens = tokens
        self.i = 0

    def peek(self):
        return self.tokens[self.i] if self.i < len(self.tokens) else (None, None)

    def take(self, kind=None, value=None):
        tok = self.peek()
        if tok[0] is None or (kind and tok[0] != kind) or (value is not None and tok[1] != value):
            raise _NotFeel
        self.i += 1
        return tok

    def literal(self) -> str:
        kind, text = self.take()
        if kind == "string":
            body = text[1:-1]
            return repr(re.sub(r"\\(.)", r"\1", body))
        if kind == "number":
            return text
        if kind == "word" and text in _WORDS:
            return repr(_WORDS[text])
        raise _NotFeel

    def test(self) -> str:
        kind, text = self.peek()
        if kind == "op":
            self.take()
            value = self.literal()
            if text in ("=", "!="):
                if value == "None":
                    return f"{V} is None" if text == "=" else f"{V} is not None"
                return f"{V} {'==' if text == '=' else '!='} {value}"
            return f"({V} is not None and {V} {text} {value})"
        if kind == "punct" and text in "[(]":
            self.take()
            low = self.literal()
            self.take("dots")
            high = self.literal()
            _, close = self.take("punct")
            if close not in "])[":
                raise _NotFeel
            lo_op = "<=" if text == "[" else "<"
            hi_op = "<=" if close == "]" else "<"
            return f"({V} is not None and {low} {lo_op} {V} {hi_op} {high})"
        value = self.literal()
        if value in ("None", "True", "False"):
            return f"{V} is {value}"  # FEEL: true equals only true (in Python 1 == True)
        return f"{V} == {value}"

    def tests(self) -> str:
        parts = [self.test()]
        while self.peek() == ("punct", ","):
            self.take()
            parts.append(self.test())
        return parts[0] if len(parts) == 1 else "(" + " or ".join(parts) + ")"

    def cell(self) -> str:
        if (
            self.peek() == ("word", "not")
            and self.i + 1 < len(self.tokens)
            and self.tokens[1] == ("punct", "(")
        ):
            self.take()
            self.take("punct", "(")
            inner = self.tests()
            self.take("punct", ")")
            out = f"not ({inner})"
        else:
            out = self.tests()
        if self.i != len(self.tokens):
            raise _NotFeel
        return out


def is_any(cell: str | None) -> bool:
    return cell is None or cell.strip() in ("", "-")


def translate(cell: str) -> str | None:
    """The Python a FEEL cell means, or None when the cell is not one of the FEEL forms above."""
    try:
        return _Parser(_tokens(cell)).cell()
    except _NotFeel:
        return None


# SpiffWorkflow replaces "?" outside quotes by the column's value (DMNEngine.evaluate); same pattern.
_QUESTION = re.compile(r"(\?)(?=(?:[^'\"]|['\"][^'\"]*['\"])*$)")


def _parses(text: str) -> bool:
    import ast

    try:
        ast.parse(text, mode="eval")
    except SyntaxError:
        return False
    return True


def effective(cell: str) -> str:
    """The Python expression over :data:`V` that a (non-empty) cell is evaluated as.

    FEEL forms are translated; SpiffWorkflow's dialect gets the treatment its engine gives it: ``?``
    stands for the value, an expression that parses alone is an equality, one that does not is
    appended to the value (``in ("a", "b")``, ``> 3``).
    """
    text = cell.strip()
    feel = translate(text)
    if feel is not None:
        return feel
    replaced = _QUESTION.sub(V, text)
    if V in replaced:
        return replaced
    if _parses(text):
        return f"({V}) == ({text})"
    return f"{V} {text}"
