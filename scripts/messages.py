"""Translation catalogue tool (pure Python; no GNU gettext needed).

    python scripts/messages.py missing [APP]   # msgids used in code/templates without a zh translation
    python scripts/messages.py stub APP AREA   # add APP's missing ones to locale/zh_Hans/LC_MESSAGES/AREA.po

Msgids are extracted from Python (calls of _, gettext, gettext_lazy, pgettext*, ngettext*) with ast,
and from templates through Django's own templatize (what makemessages uses).
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src" / "telcrm"
FUNCS = {
    "_",
    "gettext",
    "gettext_lazy",
    "gettext_noop",
    "ngettext",
    "ngettext_lazy",
    "pgettext",
    "pgettext_lazy",
}


def _setup_django():
    sys.path.insert(0, str(ROOT / "src"))
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "telcrm.settings")
    import django

    django.setup()


def python_msgids(path: Path) -> set[str]:
    ids = set()
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except SyntaxError:
        return ids
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            if name in FUNCS and node.args:
                arg = node.args[1] if name.startswith("pgettext") and len(node.args) > 1 else node.args[0]
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and arg.value:
                    ids.add(arg.value)
    return ids


def template_msgids(path: Path) -> set[str]:
    from django.utils.translation.template import templatize

    code = templatize(path.read_text(encoding="utf-8"), origin=str(path))
    ids = set()
    # templatize writes each literal in single quotes, or in double quotes when it holds an apostrophe
    literal = r"""u?(?:'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")"""
    for m in re.finditer(rf"\b(?:gettext|pgettext|ngettext)\(((?:{literal}\s*,?\s*)+)", code):
        literals = re.findall(literal, m.group(1))
        if literals:
            value = ast.literal_eval(literals[-1] if m.group(0).startswith("pgettext") else literals[0])
            if value:
                ids.add(value)
    return ids


def used_msgids(app: str | None = None) -> dict[str, set[str]]:
    """{app: msgids} for every app folder under src/telcrm."""
    out: dict[str, set[str]] = {}
    for app_dir in sorted(p for p in SRC.iterdir() if p.is_dir() and (p / "apps.py").exists()):
        if app and app_dir.name != app:
            continue
        ids: set[str] = set()
        for py in app_dir.rglob("*.py"):
            if "migrations" in py.parts or "tests" in py.parts:
                continue
            ids |= python_msgids(py)
        for tpl in app_dir.rglob("templates/**/*.html"):
            ids |= template_msgids(tpl)
        out[app_dir.name] = ids
    return out


def translated_msgids() -> set[str]:
    import polib

    ids = set()
    for po_path in SRC.rglob("locale/zh_Hans/LC_MESSAGES/*.po"):
        for e in polib.pofile(str(po_path)):
            if e.msgstr or any(e.msgstr_plural.values()):
                ids.add(e.msgid)
    return ids


def missing(app: str | None = None) -> dict[str, list[str]]:
    done = translated_msgids()
    return {a: sorted(ids - done) for a, ids in used_msgids(app).items() if ids - done}


def main(argv: list[str]) -> int:
    _setup_django()
    if not argv or argv[0] == "missing":
        gaps = missing(argv[1] if len(argv) > 1 else None)
        for app, ids in gaps.items():
            for i in ids:
                print(f"{app}\t{i!r}")
        return 1 if gaps else 0
    if argv[0] == "stub":
        import polib

        app, area = argv[1], argv[2]
        po_path = SRC / app / "locale" / "zh_Hans" / "LC_MESSAGES" / f"{area}.po"
        po = polib.pofile(str(po_path)) if po_path.exists() else polib.POFile()
        po.metadata = po.metadata or {"Content-Type": "text/plain; charset=UTF-8", "Language": "zh_Hans"}
        have = {e.msgid for e in po}
        for i in missing(app).get(app, []):
            if i not in have:
                po.append(polib.POEntry(msgid=i, msgstr=""))
        po_path.parent.mkdir(parents=True, exist_ok=True)
        po.save(str(po_path))
        print(po_path)
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
