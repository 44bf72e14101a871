"""Customer import: reading a file (.xlsx / CSV in UTF-8, UTF-16 or GBK): the layout, encodings,
the header row and its columns, the rows and their cell values."""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from django.core.exceptions import ValidationError

from .columns import ALIASES, COLUMNS, CSV_DETECT_CHUNK, HEADER_SEARCH_ROWS, SPECS, _, header_key


# --- inspecting an upload -----------------------------------------------------------------------------
@dataclass
class Layout:
    """How to read a file: what the upload check found, carried to the job in its params."""

    format: str  # "xlsx" | "csv"
    encoding: str = ""  # csv only: "utf-8-sig", "utf-8", "gb18030", "utf-16"
    delimiter: str = ","
    header_row: int = 1
    headers: tuple[str, ...] = ()
    columns: dict | None = None  # field -> column index
    ignored: tuple[str, ...] = ()  # headers no spec matched
    estimated_rows: int = 0  # data rows, at least (0 = unknown)

    def as_params(self) -> dict:
        return {
            "format": self.format,
            "encoding": self.encoding,
            "delimiter": self.delimiter,
            "header_row": self.header_row,
            "headers": list(self.headers),
            "columns": dict(self.columns or {}),
        }

    @classmethod
    def from_params(cls, p: dict) -> Layout:
        return cls(
            format=p["format"],
            encoding=p.get("encoding", ""),
            delimiter=p.get("delimiter", ","),
            header_row=int(p.get("header_row", 1)),
            headers=tuple(p.get("headers", ())),
            columns={k: int(v) for k, v in (p.get("columns") or {}).items()},
        )


def _refuse(message, code: str, **params):
    return ValidationError(message, code=code, params=params or None)


def detect_encoding(fileobj) -> tuple[str, int]:
    """(encoding, number of line breaks) of a CSV upload, reading it once in chunks.

    UTF-8 with or without BOM, UTF-16 with BOM (Excel's "Unicode text"), else GBK (read as GB18030,
    its superset). Raises a ValidationError if the bytes are none of them or look binary.
    """
    fileobj.seek(0)
    head = fileobj.read(4)
    fileobj.seek(0)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        newlines = 0
        for chunk in iter(lambda: fileobj.read(CSV_DETECT_CHUNK), b""):
            newlines += chunk.count(b"\n")  # an over-count (0x0A in other code units) is harmless
        return "utf-16", newlines
    candidates = ["utf-8-sig"] if head.startswith(codecs.BOM_UTF8) else ["utf-8", "gb18030"]
    for encoding in candidates:
        decoder = codecs.getincrementaldecoder(encoding)("strict")
        fileobj.seek(0)
        newlines = 0
        try:
            for chunk in iter(lambda: fileobj.read(CSV_DETECT_CHUNK), b""):
                if b"\x00" in chunk:
                    raise _refuse(_("The file is not a text CSV file (it contains binary data)."), "not_text")
                newlines += chunk.count(b"\n")
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding, newlines
    raise _refuse(
        _("The file's text is neither UTF-8 nor GBK; save it as “CSV UTF-8” or as .xlsx."), "bad_encoding"
    )


def _csv_delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (",", "\t", ";")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _text_reader(fileobj, encoding: str, delimiter: str):
    text = io.TextIOWrapper(fileobj, encoding=encoding, newline="")
    return text, csv.reader(text, delimiter=delimiter)


def _blank(values) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in values)


def _map_headers(headers: list) -> tuple[dict[str, int], tuple[str, ...]]:
    columns: dict[str, int] = {}
    ignored = []
    for i, h in enumerate(headers):
        text = str(h).strip() if h is not None else ""
        if not text:
            continue
        field = ALIASES.get(header_key(text))
        if field is None:
            ignored.append(text)
            continue
        if field in columns:
            raise _refuse(
                _("Two columns are both “%(column)s” (columns %(first)d and %(second)d); keep one."),
                "duplicate_column",
                column=SPECS[field].header(),
                first=columns[field] + 1,
                second=i + 1,
            )
        columns[field] = i
    missing = [s for s in COLUMNS if s.required and s.field not in columns]
    if missing:
        names = "、".join(f"{s.zh} / {s.en}" for s in missing)
        raise _refuse(
            _("Required columns are missing: %(columns)s. Use the template's header row."),
            "missing_columns",
            columns=names,
        )
    return columns, tuple(ignored)


def _header_and_data(rows: Iterator[tuple[int, tuple]]) -> tuple[int, list, bool]:
    """(header row number, header values, whether a non-empty data row follows)."""
    header_row, headers = 0, None
    for row_no, values in rows:
        if headers is None:
            if not _blank(values):
                header_row, headers = row_no, list(values)
            elif row_no >= HEADER_SEARCH_ROWS:
                break
            continue
        if not _blank(values):
            return header_row, headers, True
    if headers is None:
        raise _refuse(_("The file is empty: it has no header row and no data."), "empty")
    return header_row, headers, False


# --- reading rows -------------------------------------------------------------------------------------
def read_rows(path: Path, layout: Layout) -> Iterator[tuple[int, tuple]]:
    """(row number as the spreadsheet shows it, values) of every row after the header row."""
    if layout.format == "xlsx":
        from openpyxl import load_workbook

        wb = load_workbook(path, read_only=True, data_only=True)
        try:
            ws = wb.worksheets[0]
            start = layout.header_row + 1
            yield from enumerate(ws.iter_rows(min_row=start, values_only=True), start=start)
        finally:
            wb.close()
    else:
        with open(path, encoding=layout.encoding, newline="") as f:
            reader = csv.reader(f, delimiter=layout.delimiter)
            row_no = 0
            try:
                for row_no, values in enumerate(reader, start=1):
                    if row_no > layout.header_row:
                        yield row_no, tuple(values)
            except csv.Error as exc:
                message = _("The CSV file is malformed after row %(row)d: %(error)s.")
                raise ValueError(str(message % {"row": row_no, "error": exc})) from exc


def _text(v) -> str:
    if v is None:
        return ""
    if isinstance(v, str):
        return v.strip()
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))  # 13800138000 typed as a number
    if isinstance(v, datetime):
        return v.date().isoformat() if not (v.hour or v.minute or v.second) else v.isoformat(" ")
    if isinstance(v, date):
        return v.isoformat()
    return str(v).strip()


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
