"""Every message of the module (context "coverage") has its Chinese translation in coverage.po, with
the same placeholders; the English default is not shown to a Chinese user by accident."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import polib
from django.utils.translation.template import templatize

APP = Path(__file__).resolve().parents[1]
PO = APP / "locale" / "zh_Hans" / "LC_MESSAGES" / "coverage.po"
CALLS = {"_", "gettext"}  # i18n._ / i18n.gettext: both carry the context "coverage"


def _python_msgids() -> set[str]:
    ids = set()
    for py in APP.rglob("*.py"):
        if "tests" in py.parts or "migrations" in py.parts:
            continue
        for node in ast.walk(ast.parse(py.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and node.args and getattr(node.func, "id", "") in CALLS:
                arg = node.args[0]
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    ids.add(arg.value)
    return ids


def _template_msgids() -> set[tuple[str, str]]:
    """(context, msgid) of every translated string in the templates."""
    out = set()
    for tpl in (APP / "templates").rglob("*.html"):
        code = templatize(tpl.read_text(encoding="utf-8"), origin=str(tpl))
        for m in re.finditer(r"\b(n?p?gettext)\(((?:u?'(?:[^'\\]|\\.)*'\s*,?\s*)+)", code):
            literals = [ast.literal_eval(x) for x in re.findall(r"u?'(?:[^'\\]|\\.)*'", m.group(2))]
            if m.group(1).startswith(("pgettext", "npgettext")):
                out.add((literals[0], literals[1]))
            else:
                out.add(("", literals[0]))
    return out


def test_every_message_is_translated_under_the_modules_context():
    po = {(e.msgctxt or "", e.msgid): e for e in polib.pofile(str(PO))}
    used = {("coverage", m) for m in _python_msgids()} | _template_msgids()
    assert {ctx for ctx, _m in used} == {"coverage"}, "use the module's context everywhere"
    missing = sorted(
        m for key in used if key not in po or not (po[key].msgstr or po[key].msgstr_plural) for m in [key[1]]
    )
    assert missing == []
    unused = sorted(m for (ctx, m) in po if (ctx, m) not in used)
    assert unused == []


def test_translations_keep_the_placeholders():
    for e in polib.pofile(str(PO)):
        for text in [e.msgstr, *e.msgstr_plural.values()]:
            if text:
                assert sorted(re.findall(r"%\(\w+\)[sd]", e.msgid)) == sorted(
                    re.findall(r"%\(\w+\)[sd]", text)
                ), e.msgid
