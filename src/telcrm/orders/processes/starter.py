"""The flow a new process definition starts from when no file is uploaded (``starter.bpmn``): start →
one work order (订单核定, the back-office queue of the city) → archive (销单入库) → end, with its diagram."""

from __future__ import annotations

import re
from pathlib import Path
from xml.sax.saxutils import escape

TEMPLATE = Path(__file__).with_name("starter.bpmn")


def starter_xml(key: str, name: str) -> str:
    pid = re.sub(r"[^A-Za-z0-9_]", "_", key) or "process"
    text = TEMPLATE.read_text(encoding="utf-8")
    name = escape(name, {'"': "&quot;"})
    return text.replace("__PID__", pid).replace("__KEY__", escape(key)).replace("__NAME__", name)
