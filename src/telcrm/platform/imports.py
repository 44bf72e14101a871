"""Reading an uploaded import file: what the customer, coverage and stock imports share.

An import is an .xlsx workbook (first sheet) or a CSV file in UTF-8 (with or without BOM), UTF-16 with
BOM (Excel's "Unicode text") or GBK (as Chinese Excel writes CSV). :func:`inspect_file` checks an upload
before any job starts — size against the import's limit, type by name and content, encoding,
delimiter, the header row (the first non-empty one among the first ``HEADER_SEARCH_ROWS``), whether
data follows — and refuses a file that cannot be read with a ValidationError naming the problem. The
import maps the header to its own columns (:func:`map_headers`, with :func:`header_key` to compare
spellings), :func:`store_upload` keeps the file under MEDIA_ROOT/imports/, and its job reads it back
row by row with :func:`read_rows` (openpyxl read-only / csv: never the whole file in memory).

Messages carry the context "imports" (translations in locale/zh_Hans/LC_MESSAGES/imports.po).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import pgettext_lazy

CTX = "imports"
UPLOAD_DIR = "imports"  # under MEDIA_ROOT
HEADER_SEARCH_ROWS = 20  # the header is the first non-empty row among these
CSV_DETECT_CHUNK = 1 << 20
XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0"


def _(message: str):
    return pgettext_lazy(CTX, message)


@dataclass
class Layout:
    """How to read a file: what the upload check found, carried to the job in its params."""

    format: str  # "xlsx" | "csv"
    encoding: str = ""  # csv only: "utf-8-sig", "utf-8", "gb18030", "utf-16"
    delimiter: str = ","
    header_row: int = 1
    headers: tuple[str, ...] = ()
    columns: dict | None = None  # field -> column index
    ignored: tuple[str, ...] = ()  # headers no column matched
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


def refuse(message, code: str, **params) -> ValidationError:
    """The ValidationError an upload is refused with."""
    return ValidationError(message, code=code, params=params or None)


# --- inspecting an upload -------------------------------------------------------------------------------
def inspect_file(fileobj, name: str, size: int, *, max_mb: int) -> tuple[Layout, list, bool]:
    """(layout without columns, header values, whether a non-empty data row follows) of an upload of
    ``size`` bytes called ``name``; a ValidationError names what makes it unreadable. The caller maps
    the header to its columns and refuses a file without data rows."""
    if not size:
        raise refuse(_("The file is empty."), "empty")
    if size > max_mb * 1024 * 1024:
        raise refuse(
            _("The file is %(size)s MB; files up to %(max)d MB can be imported."),
            "too_large",
            size=f"{size / 1024 / 1024:.1f}",
            max=max_mb,
        )
    ext = Path(name or "").suffix.lower()
    fileobj.seek(0)
    magic = fileobj.read(8)
    fileobj.seek(0)
    if ext == ".xls" or magic.startswith(XLS_MAGIC):
        raise refuse(
            _("This is an old Excel 97-2003 (.xls) file; save it as .xlsx or .csv and upload that."),
            "old_excel",
        )
    if ext == ".xlsx":
        return _inspect_xlsx(fileobj, magic)
    if ext in (".csv", ".txt"):
        return _inspect_csv(fileobj, magic)
    raise refuse(
        _("Only Excel workbooks (.xlsx) and CSV files (.csv) can be imported, not “%(ext)s”."),
        "bad_type",
        ext=ext or name,
    )


def _inspect_xlsx(fileobj, magic: bytes) -> tuple[Layout, list, bool]:
    from openpyxl import load_workbook

    if not magic.startswith(XLSX_MAGIC):
        raise refuse(_("The file is not a valid Excel workbook (.xlsx)."), "malformed")
    try:
        wb = load_workbook(fileobj, read_only=True, data_only=True)
    except Exception as exc:  # zipfile, XML and openpyxl's own errors: all mean a damaged workbook
        raise refuse(_("The file is not a valid Excel workbook (.xlsx)."), "malformed") from exc
    try:
        if not wb.worksheets:
            raise refuse(_("The file is empty: it has no header row and no data."), "empty")
        ws = wb.worksheets[0]
        try:
            header_row, headers, has_data = header_and_data(
                enumerate(ws.iter_rows(values_only=True), start=1)
            )
        except ValidationError:
            raise
        except Exception as exc:
            raise refuse(_("The file is not a valid Excel workbook (.xlsx)."), "malformed") from exc
        max_row = ws.max_row if isinstance(ws.max_row, int) else 0
    finally:
        wb.close()
    layout = Layout(format="xlsx", header_row=header_row, estimated_rows=max(max_row - header_row, 0))
    return layout, headers, has_data


def _inspect_csv(fileobj, magic: bytes) -> tuple[Layout, list, bool]:
    if magic.startswith(XLSX_MAGIC):
        raise refuse(
            _("The file is an Excel workbook with a .csv name; rename it to .xlsx or save it as CSV."),
            "malformed",
        )
    encoding, newlines = detect_encoding(fileobj)
    fileobj.seek(0)
    text = io.TextIOWrapper(fileobj, encoding=encoding, newline="")
    try:
        delimiter = csv_delimiter(text.readline())
        text.seek(0)
        try:
            header_row, headers, has_data = header_and_data(
                enumerate(csv.reader(text, delimiter=delimiter), start=1)
            )
        except csv.Error as exc:
            raise refuse(_("The CSV file is malformed: %(error)s."), "malformed", error=str(exc)) from exc
    finally:
        text.detach()  # leave the upload open for saving
    layout = Layout(
        format="csv",
        encoding=encoding,
        delimiter=delimiter,
        header_row=header_row,
        estimated_rows=max(newlines + 1 - header_row, 0),
    )
    return layout, headers, has_data


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
                    raise refuse(_("The file is not a text CSV file (it contains binary data)."), "not_text")
                newlines += chunk.count(b"\n")
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding, newlines
    raise refuse(
        _("The file's text is neither UTF-8 nor GBK; save it as “CSV UTF-8” or as .xlsx."), "bad_encoding"
    )


def csv_delimiter(first_line: str) -> str:
    """The delimiter of a CSV file from its first line: comma, tab or semicolon."""
    counts = {d: first_line.count(d) for d in (",", "\t", ";")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def blank(values) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in values)


def header_and_data(rows: Iterable[tuple[int, tuple]]) -> tuple[int, list, bool]:
    """(header row number, header values, whether a non-empty data row follows)."""
    header_row, headers = 0, None
    for row_no, values in rows:
        if headers is None:
            if not blank(values):
                header_row, headers = row_no, list(values)
            elif row_no >= HEADER_SEARCH_ROWS:
                break
            continue
        if not blank(values):
            return header_row, headers, True
    if headers is None:
        raise refuse(_("The file is empty: it has no header row and no data."), "empty")
    return header_row, headers, False


# --- columns ----------------------------------------------------------------------------------------------
class Column(Protocol):
    """What :func:`map_headers` needs of an import's column."""

    field: str
    zh: str
    en: str
    required: bool

    def header(self, lang: str | None = None) -> str: ...


def header_key(text) -> str:
    """The comparable form of a header (or of a spelled-out value): full-width folded, no marks,
    spaces or case. "客户名称*", "客户名称（必填）", " Customer Name " and "customer_name" compare equal."""
    s = unicodedata.normalize("NFKC", str(text or "")).strip()
    s = re.sub(r"\(.*?\)\s*$", "", s)  # a trailing "(required)" / "（必填）"
    s = s.replace("*", "").replace("_", "").replace("-", "")
    return re.sub(r"\s+", "", s).lower()


def aliases(columns: Iterable) -> dict[str, str]:
    """{header_key of a spelling: field} of ``columns`` (field, Chinese and English header, ``aliases``)."""
    out: dict[str, str] = {}
    for c in columns:
        for spelling in (c.field, c.zh, c.en, *getattr(c, "aliases", ())):
            out.setdefault(header_key(spelling), c.field)
    return out


def map_headers(
    headers: Sequence, columns: Sequence[Column], known: dict[str, str]
) -> tuple[dict[str, int], tuple[str, ...]]:
    """(field → column index, headers no column matched) of a header row; ``known`` maps the
    header_key of every spelling to its field. Refuses a column given twice or a required one missing."""
    specs = {c.field: c for c in columns}
    found: dict[str, int] = {}
    ignored = []
    for i, h in enumerate(headers):
        text = str(h).strip() if h is not None else ""
        if not text:
            continue
        field = known.get(header_key(text))
        if field is None:
            ignored.append(text)
            continue
        if field in found:
            raise refuse(
                _("Two columns are both “%(column)s” (columns %(first)d and %(second)d); keep one."),
                "duplicate_column",
                column=specs[field].header(),
                first=found[field] + 1,
                second=i + 1,
            )
        found[field] = i
    missing = [c for c in columns if c.required and c.field not in found]
    if missing:
        raise refuse(
            _("Required columns are missing: %(columns)s. Use the template's header row."),
            "missing_columns",
            columns="、".join(f"{c.zh} / {c.en}" for c in missing),
        )
    return found, tuple(ignored)


# --- keeping and reading the file -------------------------------------------------------------------------
def store_upload(uploaded, layout: Layout) -> str:
    """Save the upload under MEDIA_ROOT/imports/ with a generated name; returns the relative path."""
    folder = Path(settings.MEDIA_ROOT) / UPLOAD_DIR
    folder.mkdir(parents=True, exist_ok=True)
    rel = f"{UPLOAD_DIR}/{timezone.localtime():%Y%m%d}-{uuid.uuid4().hex}.{layout.format}"
    uploaded.seek(0)
    with open(Path(settings.MEDIA_ROOT) / rel, "wb") as out:
        for chunk in (
            uploaded.chunks() if hasattr(uploaded, "chunks") else iter(lambda: uploaded.read(1 << 20), b"")
        ):
            out.write(chunk)
    return rel


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


def cell_text(v) -> str:
    """A cell as text: numbers typed into Excel without their ".0", dates as ISO dates."""
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
