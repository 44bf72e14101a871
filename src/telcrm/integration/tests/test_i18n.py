"""Every message of the module (context "integration") has its Chinese translation in
integration.po, with the same placeholders; the menu entry (web/navigation.py) too."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import polib
from django.utils.translation.template import templatize

APP = Path(__file__).resolve().parents[1]
PO = APP / "locale" / "zh_Hans" / "LC_MESSAGES" / "integration.po"
CALLS = {"_", "gettext"}  # i18n._ / i18n.gettext: both carry the context "integration"
MENU_ENTRY = ("", "Interfaces & error queue")


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
        for m in re.finditer(
            r"\b(n?p?gettext)\(((?:u?(?:'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")\s*,?\s*)+)", code
        ):
            literals = [
                ast.literal_eval(x)
                for x in re.findall(r"u?(?:'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")", m.group(2))
            ]
            if m.group(1).startswith(("pgettext", "npgettext")):
                out.add((literals[0], literals[1]))
            else:
                out.add(("", literals[0]))
    return out


def test_every_message_is_translated_under_the_modules_context():
    po = {(e.msgctxt or "", e.msgid): e for e in polib.pofile(str(PO))}
    used = {("integration", m) for m in _python_msgids()} | _template_msgids()
    assert {ctx for ctx, _m in used} == {"integration"}, "use the module's context everywhere"
    used.add(MENU_ENTRY)
    missing = sorted(m for key in used if key not in po or not po[key].msgstr for m in [key[1]])
    assert missing == []
    unused = sorted(m for key, _e in po.items() if key not in used for m in [key[1]])
    assert unused == []


def test_translations_keep_the_placeholders():
    for e in polib.pofile(str(PO)):
        assert sorted(re.findall(r"%\(\w+\)[sd]", e.msgid)) == sorted(
            re.findall(r"%\(\w+\)[sd]", e.msgstr)
        ), e.msgid


def test_the_menu_entry_is_the_one_in_the_navigation():
    from django.utils import translation

    from telcrm.web.navigation import MENU

    with translation.override("en"):
        labels = {str(e.label) for s in MENU for e in s.entries}
    assert MENU_ENTRY[1] in labels
    with translation.override("zh-hans"):
        assert "接口与异常队列" in {str(e.label) for s in MENU for e in s.entries}
