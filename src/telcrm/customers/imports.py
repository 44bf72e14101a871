"""Customer import (CUS-7): an .xlsx or .csv file becomes customers, with a row-level error report.

The upload page (views_import.py) runs :func:`inspect_upload` on the file: type, size (parameter
``customers.import_max_mb``), encoding (UTF-8 with or without BOM, or GBK as Chinese Excel writes
CSV), the header row and its columns. A file that cannot be imported is refused there with a form
error naming the problem, and no job starts. Otherwise the file is kept under MEDIA_ROOT/imports/ and
the job ``customers.import`` reads it row by row (openpyxl read-only / csv, never the whole file
in memory) and calls the same action as the counter, ``actions.customer_create``, for every row.

Transactions. Every row goes through ``customer_create``, which is one atomic block: a bad row is
rolled back whole and reported, a good row lands whole. Rows are committed in small batches (each
row its own savepoint inside the batch) together with a checkpoint on the job row: one commit per
batch instead of one per row keeps the per-row overhead low, and a worker killed mid-import resumes
(Retry) after the last committed batch without creating any row twice. The batch is short (at most
``BATCH_ROWS`` rows or ``BATCH_SECONDS``), so the counter is never kept waiting.

Errors of committed rows are appended to a JSON-lines file beside the upload and flushed before the
batch commits; at the end they become the .xlsx error report (row number as the spreadsheet shows
it, the row's values with the ID number masked, the column, the message in the importer's
language) under MEDIA_ROOT/exports/, which the job page offers for download. The upload and the
scratch file are deleted when the job succeeds: plaintext ID numbers do not stay on disk.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import logging
import os
import re
import time
import unicodedata
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.utils import timezone, translation
from django.utils.translation import pgettext_lazy

from telcrm.platform import crypto
from telcrm.platform.errors import AccessDenied
from telcrm.platform.jobs import JobCancelled, job_handler
from telcrm.platform.models import Job, JobStatus, User
from telcrm.platform.parameters import define, param

log = logging.getLogger(__name__)
CTX = "customers-import"


def _(message: str):
    """The import's messages carry their own context, so import.po never collides with another area."""
    return pgettext_lazy(CTX, message)


IMPORT_PERM = "customers.import_customer"
JOB_KIND = "customers.import"
UPLOAD_DIR = "imports"
REPORT_DIR = "exports"
BATCH_ROWS = 200  # rows per commit
BATCH_SECONDS = 0.5  # ... or this long, whichever comes first
HEADER_SEARCH_ROWS = 20  # the header is the first non-empty row among these
CSV_DETECT_CHUNK = 1 << 20

define(
    "customers.import_max_mb",
    group="customers",
    type="int",
    default=100,
    min_value=1,
    max_value=2048,
    name="客户导入文件大小上限（MB）",
    name_en="Customer import: largest file (MB)",
    description="上传的客户导入文件（.xlsx 或 .csv）超过该大小即被拒绝。",
    description_en="An uploaded customer import file (.xlsx or .csv) larger than this is refused.",
)


# --- columns ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Spec:
    """A column the importer understands: its field, its headers in both languages, other spellings."""

    field: str
    zh: str
    en: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    example: object = ""
    example_en: object = None
    width: int = 14
    hint: object = ""  # lazy: allowed values, shown in the template and on the page

    def header(self, lang: str | None = None) -> str:
        lang = lang or translation.get_language() or settings.LANGUAGE_CODE
        return self.en if lang.startswith("en") else self.zh


COLUMNS: tuple[Spec, ...] = (
    Spec(
        "name",
        "客户名称",
        "Name",
        ("名称", "姓名", "客户名", "客户姓名", "customer name", "full name"),
        required=True,
        example="张三",
        example_en="张三",
        width=18,
        hint=_("Person's full name or the organisation's registered name."),
    ),
    Spec(
        "customer_type",
        "客户类型",
        "Type",
        ("类型", "customer type", "customer_type", "客户类别"),
        required=True,
        example="个人",
        example_en="individual",
        width=10,
        hint=_("个人 / individual, 企业 / enterprise or 集团 / group."),
    ),
    Spec(
        "id_doc_type",
        "证件类型",
        "ID document type",
        ("id_doc_type", "id type", "document type", "doc type"),
        example="居民身份证",
        example_en="id_card",
        width=14,
        hint=_("A document type by name or code; empty means the resident ID card for individuals."),
    ),
    Spec(
        "id_number",
        "证件号码",
        "ID number",
        ("证件号", "身份证号", "身份证号码", "id_number", "id no", "id"),
        example="11010519491231002X",
        width=22,
        hint=_("Checked like at the counter (the ID card's check digit included)."),
    ),
    Spec(
        "phone",
        "手机号码",
        "Phone",
        ("手机", "手机号", "联系电话", "电话", "电话号码", "mobile", "mobile phone", "phone number"),
        example="13800138000",
        width=14,
    ),
    Spec(
        "email",
        "邮箱",
        "Email",
        ("电子邮箱", "电子邮件", "邮件", "e-mail", "mail"),
        example="zhangsan@example.com",
        width=22,
    ),
    Spec(
        "gender",
        "性别",
        "Gender",
        ("sex",),
        example="女",
        example_en="female",
        width=6,
        hint=_("男 / 女 or male / female."),
    ),
    Spec(
        "birth_date",
        "出生日期",
        "Date of birth",
        ("生日", "birth date", "birthday", "birth_date", "date of birth"),
        example=date(1949, 12, 31),
        width=12,
        hint=_("A date cell or text such as 1990-01-31."),
    ),
    Spec("province", "省", "Province", ("省份", "省/直辖市"), example="北京市", width=10),
    Spec("city", "市", "City", ("城市", "地市", "市/州"), example="北京市", width=10),
    Spec("district", "区", "District", ("区县", "县区", "区/县", "county"), example="朝阳区", width=10),
    Spec(
        "street",
        "地址",
        "Address",
        ("详细地址", "街道地址", "联系地址", "street", "street address", "address line"),
        example="建国路88号",
        width=28,
    ),
    Spec("postcode", "邮编", "Postcode", ("邮政编码", "zip", "zip code", "postal code"), example="", width=8),
    Spec(
        "tags",
        "标签",
        "Tags",
        ("客户标签", "tag"),
        example="",
        width=16,
        hint=_("Tag names or codes, separated by commas."),
    ),
    Spec(
        "marketing_consent",
        "营销许可",
        "Marketing consent",
        ("同意营销", "接受营销", "营销同意", "marketing_consent", "consent"),
        example="否",
        example_en="no",
        width=10,
        hint=_("是 / 否 or yes / no; empty means no."),
    ),
    Spec("family_name", "姓氏", "Family name", ("family_name", "surname", "last name"), width=8),
    Spec("given_name", "名字", "Given name", ("given_name", "first name"), width=8),
    Spec(
        "legal_representative",
        "法定代表人",
        "Legal representative",
        ("法人", "法人代表", "legal_representative", "legal rep"),
        width=12,
    ),
    Spec("trading_name", "企业简称", "Trading name", ("简称", "商号", "trading_name"), width=14),
    Spec("industry", "行业", "Industry", ("所属行业",), width=12),
)
SPECS = {s.field: s for s in COLUMNS}
ADDRESS_FIELDS = ("province", "city", "district", "street", "postcode")
PLAIN_FIELDS = (
    "id_number",
    "phone",
    "email",
    "family_name",
    "given_name",
    "trading_name",
    "legal_representative",
    "industry",
)


def header_key(text) -> str:
    """The comparable form of a header: full-width folded, no marks, spaces or case.

    "客户名称*", "客户名称（必填）", " Customer Name " and "customer_name" all compare equal to their spec.
    """
    s = unicodedata.normalize("NFKC", str(text or "")).strip()
    s = re.sub(r"\(.*?\)\s*$", "", s)  # a trailing "(required)" / "（必填）"
    s = s.replace("*", "").replace("_", "").replace("-", "")
    return re.sub(r"\s+", "", s).lower()


ALIASES: dict[str, str] = {}
for _spec in COLUMNS:
    for _alias in (_spec.field, _spec.zh, _spec.en, *_spec.aliases):
        ALIASES.setdefault(header_key(_alias), _spec.field)

TYPE_VALUES = {
    "individual": ("individual", "个人", "个人客户", "person", "personal", "公众", "公众客户"),
    "enterprise": ("enterprise", "企业", "企业客户", "政企", "单位", "company", "business", "organisation"),
    "group": ("group", "集团", "集团客户", "group customer"),
}
GENDER_VALUES = {"m": ("m", "男", "male", "男性"), "f": ("f", "女", "female", "女性"), "u": ("u", "未知")}
YES = ("1", "y", "yes", "true", "是", "同意", "√", "✓", "允许")
NO = ("", "0", "n", "no", "false", "否", "不同意", "×", "不允许")
TAG_SPLIT = re.compile(r"[,，;；、|]+")


def _table(mapping: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {header_key(v): code for code, values in mapping.items() for v in values}


TYPES = _table(TYPE_VALUES)
GENDERS = _table(GENDER_VALUES)


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


def inspect_upload(fileobj, name: str, size: int) -> Layout:
    """Check an uploaded file and work out how to read it; raise a ValidationError naming the problem."""
    limit_mb = int(param("customers.import_max_mb"))
    if not size:
        raise _refuse(_("The file is empty."), "empty")
    if size > limit_mb * 1024 * 1024:
        raise _refuse(
            _("The file is %(size)s MB; files up to %(max)d MB can be imported."),
            "too_large",
            size=f"{size / 1024 / 1024:.1f}",
            max=limit_mb,
        )
    ext = Path(name or "").suffix.lower()
    fileobj.seek(0)
    magic = fileobj.read(8)
    fileobj.seek(0)
    if ext == ".xls" or magic.startswith(b"\xd0\xcf\x11\xe0"):
        raise _refuse(
            _("This is an old Excel 97-2003 (.xls) file; save it as .xlsx or .csv and upload that."),
            "old_excel",
        )
    if ext == ".xlsx":
        layout = _inspect_xlsx(fileobj, magic)
    elif ext in (".csv", ".txt"):
        layout = _inspect_csv(fileobj, magic)
    else:
        raise _refuse(
            _("Only Excel workbooks (.xlsx) and CSV files (.csv) can be imported, not “%(ext)s”."),
            "bad_type",
            ext=ext or name,
        )
    return layout


def _inspect_xlsx(fileobj, magic: bytes) -> Layout:
    from openpyxl import load_workbook

    if not magic.startswith(b"PK\x03\x04"):
        raise _refuse(_("The file is not a valid Excel workbook (.xlsx)."), "malformed")
    try:
        wb = load_workbook(fileobj, read_only=True, data_only=True)
    except Exception as exc:  # zipfile, XML and openpyxl's own errors: all mean a damaged workbook
        raise _refuse(_("The file is not a valid Excel workbook (.xlsx)."), "malformed") from exc
    try:
        if not wb.worksheets:
            raise _refuse(_("The file is empty: it has no header row and no data."), "empty")
        ws = wb.worksheets[0]
        try:
            header_row, headers, has_data = _header_and_data(
                enumerate(ws.iter_rows(values_only=True), start=1)
            )
        except ValidationError:
            raise
        except Exception as exc:
            raise _refuse(_("The file is not a valid Excel workbook (.xlsx)."), "malformed") from exc
        columns, ignored = _map_headers(headers)
        if not has_data:
            raise _refuse(_("The file has a header row but no data rows."), "no_rows")
        max_row = ws.max_row if isinstance(ws.max_row, int) else 0
        estimated = max(max_row - header_row, 0)
    finally:
        wb.close()
    return Layout(
        format="xlsx",
        header_row=header_row,
        headers=tuple("" if h is None else str(h) for h in headers),
        columns=columns,
        ignored=ignored,
        estimated_rows=estimated,
    )


def _inspect_csv(fileobj, magic: bytes) -> Layout:
    if magic.startswith(b"PK\x03\x04"):
        raise _refuse(
            _("The file is an Excel workbook with a .csv name; rename it to .xlsx or save it as CSV."),
            "malformed",
        )
    encoding, newlines = detect_encoding(fileobj)
    fileobj.seek(0)
    text = io.TextIOWrapper(fileobj, encoding=encoding, newline="")
    try:
        first = text.readline()
        delimiter = _csv_delimiter(first)
        text.seek(0)
        reader = csv.reader(text, delimiter=delimiter)
        try:
            header_row, headers, has_data = _header_and_data(enumerate(reader, start=1))
        except csv.Error as exc:
            raise _refuse(_("The CSV file is malformed: %(error)s."), "malformed", error=str(exc)) from exc
    finally:
        text.detach()  # leave the upload open for saving
    columns, ignored = _map_headers(headers)
    if not has_data:
        raise _refuse(_("The file has a header row but no data rows."), "no_rows")
    return Layout(
        format="csv",
        encoding=encoding,
        delimiter=delimiter,
        header_row=header_row,
        headers=tuple(headers),
        columns=columns,
        ignored=ignored,
        estimated_rows=max(newlines + 1 - header_row, 0),
    )


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


def import_start(*, actor, uploaded, layout: Layout):
    """Store an inspected upload and start the import job. Returns the Job."""
    from telcrm.platform.actions import job_start

    if not actor.has_perm(IMPORT_PERM):
        raise AccessDenied(_("Your role may not import customers."))
    rel = store_upload(uploaded, layout)
    name = Path(getattr(uploaded, "name", "") or "").name[:120]
    try:
        return job_start(
            actor=actor,
            kind=JOB_KIND,
            title=str(_("Customer import: %(file)s") % {"file": name or rel}),
            params={
                "file": rel,
                "filename": name,
                "language": translation.get_language() or settings.LANGUAGE_CODE,
                **layout.as_params(),
            },
            total=layout.estimated_rows,
        )
    except Exception:
        (Path(settings.MEDIA_ROOT) / rel).unlink(missing_ok=True)
        raise


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


# --- the job ------------------------------------------------------------------------------------------
class RowError(Exception):
    def __init__(self, errors: list[tuple[str, str]]):
        self.errors = errors


class Importer:
    def __init__(self, job: Job, progress, actor: User, media_root: Path):
        self.job = job
        self.progress = progress
        self.actor = actor
        self.media_root = media_root
        self.layout = Layout.from_params(job.params)
        self.columns = self.layout.columns or {}
        self.lang = translation.get_language() or settings.LANGUAGE_CODE
        self.seen_ids: dict[str, int] = {}
        self.rows = self.created = self.failed = 0
        self.last_row = 0
        self._doc_types: dict[str, str] | None = None
        self._tags: dict[str, object] | None = None
        self._header_labels = {
            f: (self.layout.headers[i] if i < len(self.layout.headers) else "") or SPECS[f].header()
            for f, i in self.columns.items()
        }
        idx = self.columns.get("id_number")
        self._id_index = idx

    # lookups loaded once per job
    def doc_types(self) -> dict[str, str]:
        if self._doc_types is None:
            from telcrm.platform.queries import dictionary

            table = {}
            for item in dictionary("id_doc_type"):
                for v in (item["code"], item["label"], item["label_en"]):
                    if v:
                        table[header_key(v)] = item["code"]
            table.setdefault(header_key("身份证"), "id_card")
            table.setdefault(header_key("id card"), "id_card")
            self._doc_types = table
        return self._doc_types

    def tags(self) -> dict[str, object]:
        if self._tags is None:
            from .models import Tag

            table = {}
            for tag in Tag.objects.all():
                for v in (tag.code, tag.name, tag.name_en):
                    if v:
                        table[header_key(v)] = tag
            self._tags = table
        return self._tags

    # paths
    def source(self) -> Path:
        root = (self.media_root / UPLOAD_DIR).resolve()
        path = (self.media_root / self.job.params["file"]).resolve()
        if not path.is_relative_to(root) or not path.is_file():
            raise FileNotFoundError(str(_("The uploaded file is no longer there; upload it again.")))
        return path

    def scratch(self) -> Path:
        return self.media_root / UPLOAD_DIR / f"{self.job.pk}.errors.jsonl"

    # one row
    def label(self, field: str) -> str:
        field = field.removeprefix("address.")
        if field in self._header_labels:
            return self._header_labels[field]
        spec = SPECS.get(field)
        if spec is not None:
            return spec.header(self.lang)
        if field in ("__all__", ""):
            return ""
        return field

    def value(self, values: tuple, field: str):
        i = self.columns.get(field)
        if i is None or i >= len(values):
            return None
        return values[i]

    def id_key(self, values: tuple) -> str:
        if self._id_index is None or self._id_index >= len(values):
            return ""
        return crypto.normalize(_text(values[self._id_index]))

    def kwargs(self, values: tuple) -> dict:
        """The action's arguments from a row; RowError for values the file format itself gets wrong."""
        errors: list[tuple[str, str]] = []

        def error(field: str, message, **params) -> None:
            errors.append((field, str(message % params if params else message)))

        get, has = self.value, self.columns.__contains__
        kw: dict = {"actor": self.actor, "source": "import", "name": _text(get(values, "name"))}
        raw = _text(get(values, "customer_type"))
        ctype = TYPES.get(header_key(raw))
        if ctype is None and raw:
            error("customer_type", _("Unknown customer type “%(value)s”; use 个人, 企业 or 集团."), value=raw)
        elif ctype is None:
            error("customer_type", _("The customer type is required."))
        kw["customer_type"] = ctype or raw
        for field in PLAIN_FIELDS:
            if has(field):
                kw[field] = _text(get(values, field))
        raw = _text(get(values, "id_doc_type"))
        if raw:
            kw["id_doc_type"] = self.doc_types().get(header_key(raw), "")
            if not kw["id_doc_type"]:
                error("id_doc_type", _("Unknown ID document type “%(value)s”."), value=raw)
        elif kw.get("id_number") and ctype == "individual":
            kw["id_doc_type"] = "id_card"  # what an empty type means on a person's row
        raw = _text(get(values, "gender"))
        if raw:
            kw["gender"] = GENDERS.get(header_key(raw), "")
            if not kw["gender"]:
                error("gender", _("Unknown gender “%(value)s”; use 男 or 女."), value=raw)
        raw = get(values, "birth_date")
        if _text(raw):
            try:
                kw["birth_date"] = _date(raw)
            except ValueError:
                error("birth_date", _("“%(value)s” is not a date such as 1990-01-31."), value=_text(raw))
        if has("marketing_consent"):
            raw = header_key(_text(get(values, "marketing_consent")))
            kw["marketing_consent"] = raw in YES
            if raw not in YES and raw not in NO:
                error("marketing_consent", _("Enter 是 or 否 (yes or no)."))
        address = {f: _text(get(values, f)) for f in ADDRESS_FIELDS if has(f)}
        if any(address.values()):
            kw["address"] = address
        raw = _text(get(values, "tags"))
        if raw:
            table = self.tags()
            parts = [p.strip() for p in TAG_SPLIT.split(raw) if p.strip()]
            kw["tags"] = [table[header_key(p)] for p in parts if header_key(p) in table]
            unknown = [p for p in parts if header_key(p) not in table]
            if unknown:
                error("tags", _("Unknown tags: %(tags)s."), tags="、".join(unknown))
        if errors:
            raise RowError(errors)
        return kw

    def process(self, row_no: int, values: tuple, out) -> None:
        self.rows += 1
        errors: list[tuple[str, str]] = []
        key = self.id_key(values)
        first = self.seen_ids.get(key) if key else None
        if key and first is None:
            self.seen_ids[key] = row_no
        try:
            if first is not None:
                message = _("The same ID number is already in row %(row)d of this file.") % {"row": first}
                raise RowError([("id_number", str(message))])
            self.customer_create(**self.kwargs(values))
        except RowError as exc:
            errors = exc.errors
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                errors = [(f, m) for f, msgs in exc.message_dict.items() for m in msgs]
            else:
                errors = [("__all__", m) for m in exc.messages]
        except DatabaseError as exc:  # a value the database refuses (e.g. too long): report, go on
            log.warning("customer import %s row %d: %s", self.job.pk, row_no, exc)
            errors = [("__all__", str(_("The row could not be saved: %(error)s") % {"error": exc}))]
        if not errors:
            self.created += 1
            return
        self.failed += 1
        shown = [_text(v) for v in values]
        if self._id_index is not None and self._id_index < len(shown) and shown[self._id_index]:
            shown[self._id_index] = crypto.mask_id_number(shown[self._id_index])
        out.write(
            json.dumps(
                {"row": row_no, "values": shown, "errors": [[self.label(f), m] for f, m in errors]},
                ensure_ascii=False,
            )
        )
        out.write("\n")

    # checkpoint
    def checkpoint(self) -> dict:
        return {
            "row": self.last_row,
            "rows": self.rows,
            "created": self.created,
            "failed": self.failed,
            "done": self.progress.done,
        }

    def save_checkpoint(self, out) -> None:
        out.flush()
        os.fsync(out.fileno())
        claimed = Job.objects.filter(pk=self.job.pk, status=JobStatus.RUNNING, attempts=self.job.attempts)
        if not claimed.update(result={"checkpoint": self.checkpoint()}):
            raise JobCancelled()

    def resume_point(self) -> dict:
        return ((self.job.result or {}).get("checkpoint") or {}) if self.job.attempts > 1 else {}

    def run(self) -> dict:
        from . import actions

        self.customer_create = actions.customer_create  # the counter's own action, for every row
        source = self.source()
        scratch = self.scratch()
        resume = self.resume_point()
        resume_after = int(resume.get("row", 0))
        if resume_after:
            self.rows, self.created, self.failed = resume["rows"], resume["created"], resume["failed"]
            # keep the errors of committed rows; lines written after the last commit are dropped
            kept = scratch.with_suffix(".kept")
            with open(kept, "w", encoding="utf-8") as out:
                if scratch.exists():
                    with open(scratch, encoding="utf-8") as f:
                        out.writelines(x for x in f if x.strip() and json.loads(x)["row"] <= resume_after)
            os.replace(kept, scratch)
        else:
            scratch.unlink(missing_ok=True)
        total = int(self.job.progress_total or 0)
        self.progress.set(
            int(resume.get("done", 0)),
            total,
            message=str(
                _("Resuming after row %(row)d") % {"row": resume_after}
                if resume_after
                else _("Importing rows")
            ),
        )
        rows = read_rows(source, self.layout)
        with open(scratch, "a", encoding="utf-8") as out:
            for row_no, values in rows:  # rows committed by an earlier attempt: only remember their IDs
                if row_no > resume_after:
                    rows = _prepend((row_no, values), rows)
                    break
                if not _blank(values):
                    key = self.id_key(values)
                    if key:
                        self.seen_ids.setdefault(key, row_no)
            done = False
            while not done:
                done = True
                with transaction.atomic():
                    started = time.monotonic()
                    for n, (row_no, values) in enumerate(rows, start=1):
                        if not _blank(values):
                            self.process(row_no, values, out)
                        self.last_row = row_no
                        self._step()
                        if n >= BATCH_ROWS or time.monotonic() - started >= BATCH_SECONDS:
                            done = False
                            break
                    self.save_checkpoint(out)
        self.progress.set(self.progress.done, self.progress.done, force=True)
        report = self.write_report(scratch) if self.failed else ""
        scratch.unlink(missing_ok=True)
        source.unlink(missing_ok=True)
        summary = {"rows": self.rows, "created": self.created, "failed": self.failed}
        message = _("%(created)d of %(rows)d rows imported, %(failed)d with errors") % summary
        return {"result": summary, "file": report, "message": str(message)}

    def _step(self) -> None:
        p = self.progress
        if p.total and p.done >= p.total:
            p.total = 0  # the file has more rows than its dimension said: count without a total
        p.step()

    def write_report(self, scratch: Path) -> str:
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Font, PatternFill
        from openpyxl.utils import get_column_letter

        wb = Workbook(write_only=True)
        ws = wb.create_sheet(title=str(_("Import errors"))[:31])
        headers = [str(_("Row")), *[h or f"#{i + 1}" for i, h in enumerate(self.layout.headers)]]
        headers += [str(_("Column")), str(_("Error"))]
        by_index = {i: f for f, i in self.columns.items()}
        widths = [8, *[SPECS[by_index[i]].width if i in by_index else 14 for i in range(len(headers) - 3)]]
        widths += [16, 48]
        for i, w in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(i)].width = w
        bold = Font(bold=True)
        fill = PatternFill("solid", fgColor="FDE2E1")
        row = []
        for h in headers:
            cell = WriteOnlyCell(ws, value=h)
            cell.font = bold
            row.append(cell)
        ws.append(row)
        n_cols = len(self.layout.headers)
        with open(scratch, encoding="utf-8") as f:
            for line in f:
                if not line.strip():
                    continue
                item = json.loads(line)
                values = (item["values"] + [""] * n_cols)[:n_cols]
                for label, message in item["errors"]:
                    err = WriteOnlyCell(ws, value=message)
                    err.fill = fill
                    ws.append([item["row"], *values, label, err])
        folder = self.media_root / REPORT_DIR
        folder.mkdir(parents=True, exist_ok=True)
        name = f"customer-import-errors-{timezone.localtime():%Y%m%d-%H%M%S}-{str(self.job.pk)[:8]}.xlsx"
        wb.save(folder / name)
        return f"{REPORT_DIR}/{name}"


def _prepend(first, rest):
    yield first
    yield from rest


@job_handler(JOB_KIND)
def run_import(job: Job, progress) -> dict:
    actor = User.objects.select_related("role", "org_unit").get(pk=job.owner_id)
    if not (actor.is_active and actor.has_perm(IMPORT_PERM)):
        raise AccessDenied(_("Your role may not import customers."))
    with translation.override(job.params.get("language") or settings.LANGUAGE_CODE):
        return Importer(job, progress, actor, Path(settings.MEDIA_ROOT)).run()


# --- the template -------------------------------------------------------------------------------------
def template_workbook(lang: str | None = None) -> bytes:
    """An .xlsx with the header row (in ``lang``) and one example row, built on request."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    lang = lang or translation.get_language() or settings.LANGUAGE_CODE
    en = lang.startswith("en")
    wb = Workbook()
    ws = wb.active
    ws.title = str(_("Customers"))[:31]
    required_fill = PatternFill("solid", fgColor="FFF2CC")
    with translation.override(lang):
        for i, spec in enumerate(COLUMNS, start=1):
            cell = ws.cell(row=1, column=i, value=spec.header(lang))
            cell.font = Font(bold=True)
            if spec.required:
                cell.fill = required_fill
            notes = [str(_("Required.")) if spec.required else "", str(spec.hint) if spec.hint else ""]
            note = " ".join(n for n in notes if n)
            if note:
                cell.comment = Comment(note, "telcrm")
            example = spec.example_en if (en and spec.example_en is not None) else spec.example
            value = ws.cell(row=2, column=i, value=example if example != "" else None)
            if isinstance(example, date):
                value.number_format = "yyyy-mm-dd"
            elif example and str(example).isdigit():
                value.number_format = "@"  # keep long digit strings (ID, phone) as text
            ws.column_dimensions[get_column_letter(i)].width = spec.width
        ws.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
