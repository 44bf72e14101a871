"""Write a .po file from a {msgid: msgstr} dict in a Python file (helper for translators).

python scripts/po_from_dict.py DICT.py OUT.po   # DICT.py defines T = {...}; existing entries are kept
"""

import runpy
import sys
from pathlib import Path

import polib


def main(src: str, out: str) -> None:
    table = runpy.run_path(src)["T"]
    path = Path(out)
    po = polib.pofile(str(path)) if path.exists() else polib.POFile()
    po.metadata = po.metadata or {"Content-Type": "text/plain; charset=UTF-8", "Language": "zh_Hans"}
    have = {e.msgid: e for e in po}
    for msgid, msgstr in table.items():
        if msgid in have:
            have[msgid].msgstr = msgstr
        else:
            po.append(polib.POEntry(msgid=msgid, msgstr=msgstr))
    path.parent.mkdir(parents=True, exist_ok=True)
    po.save(str(path))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
