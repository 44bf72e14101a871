"""Customer import: reading a file. The reading itself (layout, encodings, header row, rows) is the
platform's (platform/imports.py, shared with the coverage and stock imports); here are the customer
columns' header mapping and the cell values the customer rows need."""

from __future__ import annotations

from datetime import date, datetime

from telcrm.platform.imports import Layout, detect_encoding, map_headers, read_rows
from telcrm.platform.imports import blank as _blank
from telcrm.platform.imports import cell_text as _text
from telcrm.platform.imports import csv_delimiter as _csv_delimiter
from telcrm.platform.imports import header_and_data as _header_and_data
from telcrm.platform.imports import refuse as _refuse

from .columns import ALIASES, COLUMNS

__all__ = [
    "DATE_FORMATS",
    "Layout",
    "_blank",
    "_csv_delimiter",
    "_date",
    "_header_and_data",
    "_map_headers",
    "_refuse",
    "_text",
    "detect_encoding",
    "read_rows",
]


def _map_headers(headers: list) -> tuple[dict[str, int], tuple[str, ...]]:
    """(field → column index, headers no customer column matched) of a header row."""
    return map_headers(headers, COLUMNS, ALIASES)


DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日")


def _date(v) -> date | None:
    if isinstance(v, datetime):
        return v.date()
    if isinstance(v, date):
        return v
    s = _text(v)
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(s, fmt).date()
        except ValueError:
            continue
    raise ValueError(s)
