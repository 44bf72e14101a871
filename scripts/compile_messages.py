"""Compile translations: every *.po under a locale/<lang>/LC_MESSAGES folder of src/ → django.mo.

Each area of an app keeps its own .po file (platform/locale/zh_Hans/LC_MESSAGES/jobs.po, …) so that
parallel work does not collide in one file; they are merged here into the django.mo Django loads.
Pure Python (polib): a fresh machine needs no GNU gettext. Exits non-zero on duplicate msgids.
"""

from __future__ import annotations

import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent / "src"


def compile_dir(folder: Path) -> tuple[int, list[str]]:
    merged = polib.POFile()
    language = folder.parent.name
    merged.metadata = {"Content-Type": "text/plain; charset=UTF-8", "Language": language}
    # Chinese has one plural form; other languages take the rule from their first .po file.
    plural = "nplurals=1; plural=0;" if language.startswith("zh") else None
    seen: dict[tuple[str, str | None], str] = {}
    problems = []
    for po_path in sorted(folder.glob("*.po")):
        po = polib.pofile(str(po_path))
        plural = plural or po.metadata.get("Plural-Forms")
        for entry in po:
            if entry.obsolete or (not entry.msgstr and not entry.msgstr_plural):
                continue
            key = (entry.msgid, entry.msgctxt)
            if key in seen:
                if seen[key] != po_path.name:
                    problems.append(f"{po_path}: duplicate msgid {entry.msgid!r} (also in {seen[key]})")
                continue
            seen[key] = po_path.name
            merged.append(entry)
    if plural:
        merged.metadata["Plural-Forms"] = plural
    merged.save_as_mofile(str(folder / "django.mo"))
    return len(merged), problems


def main() -> int:
    problems = []
    for folder in sorted(ROOT.glob("**/locale/*/LC_MESSAGES")):
        n, p = compile_dir(folder)
        problems += p
        print(f"{folder.relative_to(ROOT)}: {n} messages")
    for p in problems:
        print(p, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
