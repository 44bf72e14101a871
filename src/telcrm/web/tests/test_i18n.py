"""Chinese is the default UI language: every msgid used in code and templates has a zh translation."""

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[4]


def _messages_tool():
    spec = importlib.util.spec_from_file_location("telcrm_messages", ROOT / "scripts" / "messages.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_message_has_a_chinese_translation():
    gaps = _messages_tool().missing()
    assert gaps == {}, (
        "untranslated msgids (add them to a .po file under locale/zh_Hans/LC_MESSAGES/): " + repr(gaps)
    )


def test_catalogues_compile_without_duplicates():
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "compile_messages.py")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_placeholders_survive_translation():
    """A translation must use exactly the %(name)s placeholders of its msgid, or rendering breaks."""
    import re

    import polib

    bad = []
    for po_path in (ROOT / "src").rglob("locale/zh_Hans/LC_MESSAGES/*.po"):
        for e in polib.pofile(str(po_path)):
            if e.msgstr and sorted(re.findall(r"%\(\w+\)[sd]", e.msgid)) != sorted(
                re.findall(r"%\(\w+\)[sd]", e.msgstr)
            ):
                bad.append((po_path.name, e.msgid))
    assert bad == []


def test_one_translation_per_msgid_across_apps():
    """Django merges the catalogues of all apps: one msgid must not get two different translations."""
    import polib

    seen: dict[str, tuple[str, str]] = {}
    conflicts = []
    for po_path in sorted((ROOT / "src").rglob("locale/zh_Hans/LC_MESSAGES/*.po")):
        for e in polib.pofile(str(po_path)):
            if not e.msgstr or e.msgctxt:
                continue
            if e.msgid in seen and seen[e.msgid][0] != e.msgstr:
                conflicts.append((e.msgid, seen[e.msgid], (e.msgstr, po_path.name)))
            seen.setdefault(e.msgid, (e.msgstr, po_path.name))
    assert conflicts == []
