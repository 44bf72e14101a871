"""Receiving a delivery from a file (入库清单): .xlsx or .csv, one item per row.

SIM cards: ICCID, IMSI and optionally the SIM type; terminals: IMEI, brand, model, price (yuan) and
optionally the colour. Headers in Chinese or English (see COLUMNS); a file without a header row is
read by position in that order. The upload page checks the file (:func:`inspect_upload`: type,
size, encoding, columns) and refuses it with a message naming the problem; otherwise the file is
stored and the ``stock.batch_receive`` job reads it row by row (the reading every import shares,
platform/imports.py: openpyxl read-only / csv, GBK or UTF-8) and hands chunks of rows to
``actions.batch_receive_rows``. Each chunk is one transaction committed with a checkpoint on the job,
so a retried job continues after the last committed chunk. Rejected rows go to an .xlsx error report
(row number, the row's values, column, reason) offered for download on the delivery's page.
"""

from __future__ import annotations

import io
import json
import os
import re
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from telcrm.platform.errors import AccessDenied
from telcrm.platform.imports import Layout, inspect_file, read_rows, store_upload
from telcrm.platform.imports import blank as _blank
from telcrm.platform.imports import refuse as _refuse
from telcrm.platform.jobs import JobCancelled, job_handler
from telcrm.platform.models import Job, JobStatus, User
from telcrm.platform.parameters import param

from .permissions import MANAGE
from .states import ItemType

JOB_KIND = "stock.batch_receive"
REPORT_DIR = "exports"
CHUNK_ROWS = 500  # rows per transaction
CHUNK_SECONDS = 1.0  # … or this long


@dataclass(frozen=True)
class Column:
    field: str
    zh: str
    en: str
    aliases: tuple[str, ...]
    required: bool
    example: str
    width: int = 16

    def header(self, lang: str | None = None) -> str:
        lang = lang or translation.get_language() or settings.LANGUAGE_CODE
        return self.en if lang.startswith("en") else self.zh


COLUMNS: dict[str, tuple[Column, ...]] = {
    ItemType.SIM: (
        Column(
            "iccid",
            "ICCID",
            "ICCID",
            ("iccid号", "卡号", "sim卡号", "集成电路卡识别码", "sim number"),
            True,
            "89860212345678901236",
            24,
        ),
        Column("imsi", "IMSI", "IMSI", ("imsi号", "国际移动用户识别码"), True, "460001234567890", 18),
        Column(
            "kind",
            "卡类型",
            "SIM type",
            ("类型", "规格", "卡规格", "type", "kind", "card type", "sim kind"),
            False,
            "三切卡",
            12,
        ),
    ),
    ItemType.TERMINAL: (
        Column(
            "imei",
            "IMEI",
            "IMEI",
            ("imei号", "串号", "设备串号", "国际移动设备识别码"),
            True,
            "356938035643809",
            18,
        ),
        Column("brand", "品牌", "Brand", ("厂商", "manufacturer", "make"), True, "华为", 12),
        Column("model", "型号", "Model", ("机型", "产品型号", "model name"), True, "Mate 60", 18),
        Column(
            "price",
            "价格（元）",
            "Price (yuan)",
            ("价格", "售价", "零售价", "单价", "price", "retail price", "价格(元)", "售价（元）"),
            True,
            "5999.00",
            12,
        ),
        Column("colour", "颜色", "Colour", ("color", "colour", "顏色"), False, "雅川青", 12),
    ),
}


def header_key(text: str) -> str:
    t = unicodedata.normalize("NFKC", str(text or "")).strip().lower()
    return re.sub(r"[\s*_\-:：]+", "", t)


def _aliases(item_type: str) -> dict[str, str]:
    out = {}
    for c in COLUMNS[item_type]:
        for name in (c.field, c.zh, c.en, *c.aliases):
            out[header_key(name)] = c.field
    return out


def _looks_like_data(values) -> bool:
    first = next((v for v in values if v not in (None, "")), "")
    text = re.sub(r"[\s\-]", "", unicodedata.normalize("NFKC", str(first)))
    return text.isdigit() and len(text) >= 15


def map_columns(item_type: str, headers: list) -> tuple[dict[str, int], tuple[str, ...], bool]:
    """(field → column index, ignored headers, whether the first row is data) for a header row."""
    if _looks_like_data(headers):  # no header row: columns by position
        fields = [c.field for c in COLUMNS[item_type]]
        return {f: i for i, f in enumerate(fields[: len(headers)])}, (), True
    aliases = _aliases(item_type)
    columns: dict[str, int] = {}
    ignored = []
    for i, h in enumerate(headers):
        text = "" if h is None else str(h).strip()
        if not text:
            continue
        name = aliases.get(header_key(text))
        if name is None:
            ignored.append(text)
        elif name in columns:
            raise _refuse(
                _("Two columns are both “%(column)s” (columns %(first)d and %(second)d); keep one."),
                "duplicate_column",
                column=text,
                first=columns[name] + 1,
                second=i + 1,
            )
        else:
            columns[name] = i
    missing = [c for c in COLUMNS[item_type] if c.required and c.field not in columns]
    if missing:
        raise _refuse(
            _("Required columns are missing: %(columns)s. Use the template's header row."),
            "missing_columns",
            columns="、".join(f"{c.zh} / {c.en}" for c in missing),
        )
    return columns, tuple(ignored), False


def inspect_upload(fileobj, name: str, size: int, item_type: str) -> Layout:
    """Check an uploaded delivery list and work out how to read it; a ValidationError names the problem."""
    layout, headers, has_data = inspect_file(fileobj, name, size, max_mb=int(param("stock.import_max_mb")))
    columns, ignored, headerless = map_columns(item_type, headers)
    if headerless:
        layout.header_row -= 1  # the first row is an item: read from it
        layout.estimated_rows += 1
        headers = [c.header() for c in COLUMNS[item_type]][: len(headers)]
    elif not has_data:
        raise _refuse(_("The file has a header row but no data rows."), "no_rows")
    layout.headers = tuple("" if h is None else str(h) for h in headers)
    layout.columns, layout.ignored = columns, ignored
    return layout


def store(uploaded, layout: Layout) -> str:
    """Keep the upload under MEDIA_ROOT/imports/ (the customer import's folder); the relative path."""
    return store_upload(uploaded, layout)


# --- the template ---------------------------------------------------------------------------------------
def template_workbook(item_type: str, lang: str | None = None) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    lang = lang or translation.get_language() or settings.LANGUAGE_CODE
    wb = Workbook()
    ws = wb.active
    ws.title = "SIM" if item_type == ItemType.SIM else "Terminals"
    fill = PatternFill("solid", fgColor="FFF2CC")
    for i, c in enumerate(COLUMNS[item_type], start=1):
        cell = ws.cell(row=1, column=i, value=c.header(lang))
        cell.font = Font(bold=True)
        if c.required:
            cell.fill = fill
        value = ws.cell(row=2, column=i, value=c.example)
        value.number_format = "@"  # long digit strings stay text (Excel would round a 20-digit ICCID)
        ws.column_dimensions[get_column_letter(i)].width = c.width
    ws.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# --- the job ----------------------------------------------------------------------------------------------
def _cell(value) -> str:
    """A cell as text. A long number typed into Excel arrives as a float that lost its last digits."""
    if value is None:
        return ""
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        if abs(value) >= 1e15:
            return f"{value:.0f}"  # rounded by Excel: the check digit will say so
        return repr(value)
    return str(value).strip()


class Receiver:
    def __init__(self, job: Job, progress, actor: User, media_root: Path):
        from .models import StockBatch

        self.job, self.progress, self.actor, self.media_root = job, progress, actor, media_root
        self.layout = Layout.from_params(job.params)
        self.item_type = job.params["item_type"]
        self.batch = StockBatch.objects.get(pk=job.params["batch"])
        self.fields = {f: i for f, i in (self.layout.columns or {}).items()}
        self.labels = {c.field: c.header() for c in COLUMNS[self.item_type]}
        self.rows = self.received = self.rejected = 0
        self.last_row = 0

    def source(self) -> Path:
        root = (self.media_root / "imports").resolve()
        path = (self.media_root / self.job.params["file"]).resolve()
        if not path.is_relative_to(root) or not path.is_file():
            raise FileNotFoundError(str(_("The uploaded file is no longer there; upload it again.")))
        return path

    def scratch(self) -> Path:
        return self.media_root / "imports" / f"{self.job.pk}.errors.jsonl"

    def label(self, name: str) -> str:
        if name in self.fields and self.fields[name] < len(self.layout.headers):
            return self.layout.headers[self.fields[name]] or self.labels.get(name, name)
        if name == "price_fen":
            return self.labels["price"]
        return self.labels.get(name, "" if name == "__all__" else name)

    def values(self, raw: tuple) -> dict:
        return {f: _cell(raw[i]) if i < len(raw) else "" for f, i in self.fields.items()}

    def run(self) -> dict:
        from .actions import batch_finish, batch_receive_rows
        from .actions.batches import Seen

        source, scratch = self.source(), self.scratch()
        resume = (self.job.result or {}).get("checkpoint") or {} if self.job.attempts > 1 else {}
        after = int(resume.get("row", 0))
        if after:
            self.rows, self.received, self.rejected = resume["rows"], resume["received"], resume["rejected"]
            kept = scratch.with_suffix(".kept")
            with open(kept, "w", encoding="utf-8") as out:
                if scratch.exists():
                    with open(scratch, encoding="utf-8") as f:
                        out.writelines(x for x in f if x.strip() and json.loads(x)["row"] <= after)
            os.replace(kept, scratch)
        else:
            scratch.unlink(missing_ok=True)
        self.progress.set(
            int(resume.get("done", 0)), int(self.job.progress_total or 0), message=str(_("Receiving items"))
        )
        seen = Seen()
        rows = iter(read_rows(source, self.layout))
        with open(scratch, "a", encoding="utf-8") as out:
            done = False
            while not done:
                chunk, raw_of = [], {}
                started = time.monotonic()
                done = True
                for row_no, raw in rows:
                    self.last_row = row_no
                    self._step()
                    if row_no <= after or _blank(raw):
                        continue
                    chunk.append((row_no, self.values(raw)))
                    raw_of[row_no] = raw
                    if len(chunk) >= CHUNK_ROWS or time.monotonic() - started >= CHUNK_SECONDS:
                        done = False
                        break
                with transaction.atomic():
                    if chunk:
                        result = batch_receive_rows(actor=self.actor, batch=self.batch, rows=chunk, seen=seen)
                        self.rows += len(chunk)
                        self.received += result.received
                        self.rejected += len(result.errors)
                        for row_no, problems in result.errors:
                            out.write(
                                json.dumps(
                                    {
                                        "row": row_no,
                                        "values": [_cell(v) for v in raw_of[row_no]],
                                        "errors": [[self.label(f), str(m)] for f, m in problems],
                                    },
                                    ensure_ascii=False,
                                )
                                + "\n"
                            )
                    self.checkpoint(out)
        report = self.write_report(scratch) if self.rejected else ""
        batch_finish(
            actor=self.actor, batch=self.batch, rows=self.rows, received=self.received, rejected=self.rejected
        )
        scratch.unlink(missing_ok=True)
        source.unlink(missing_ok=True)
        self.progress.set(self.progress.done, self.progress.done, force=True)
        summary = {
            "rows": self.rows,
            "received": self.received,
            "rejected": self.rejected,
            "batch": self.batch.pk,
        }
        message = _("%(received)d of %(rows)d items received, %(rejected)d rejected") % summary
        return {"result": summary, "file": report, "message": str(message)}

    def _step(self) -> None:
        p = self.progress
        if p.total and p.done >= p.total:
            p.total = 0  # more rows than the file's dimension said: count without a total
        p.step()

    def checkpoint(self, out) -> None:
        out.flush()
        os.fsync(out.fileno())
        state = {
            "row": self.last_row,
            "rows": self.rows,
            "received": self.received,
            "rejected": self.rejected,
            "done": self.progress.done,
        }
        mine = Job.objects.filter(pk=self.job.pk, status=JobStatus.RUNNING, attempts=self.job.attempts)
        if not mine.update(result={"checkpoint": state}):
            raise JobCancelled()

    def write_report(self, scratch: Path) -> str:
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Font, PatternFill

        wb = Workbook(write_only=True)
        ws = wb.create_sheet(title=str(_("Rejected rows"))[:31])
        headers = [
            str(pgettext("stock", "Row")),
            *[h or f"#{i + 1}" for i, h in enumerate(self.layout.headers)],
        ]
        headers += [str(pgettext("stock", "Column")), str(pgettext("stock", "Error"))]
        bold, fill = Font(bold=True), PatternFill("solid", fgColor="FDE2E1")
        head = []
        for h in headers:
            cell = WriteOnlyCell(ws, value=h)
            cell.font = bold
            head.append(cell)
        ws.append(head)
        width = len(self.layout.headers)
        with open(scratch, encoding="utf-8") as f:
            for line in f:
                if not line.strip():
                    continue
                item = json.loads(line)
                values = (item["values"] + [""] * width)[:width]
                for label, message in item["errors"]:
                    err = WriteOnlyCell(ws, value=message)
                    err.fill = fill
                    ws.append([item["row"], *values, label, err])
        folder = self.media_root / REPORT_DIR
        folder.mkdir(parents=True, exist_ok=True)
        name = f"stock-delivery-{self.batch.number}-errors-{timezone.localtime():%Y%m%d-%H%M%S}.xlsx"
        wb.save(folder / name)
        return f"{REPORT_DIR}/{name}"


@job_handler(JOB_KIND)
def run_receive(job: Job, progress) -> dict:
    from .actions.batches import batch_fail

    actor = User.objects.select_related("role", "org_unit").get(pk=job.owner_id)
    if not (actor.is_active and actor.has_perm(MANAGE)):
        raise AccessDenied(_("Your role may not receive stock."))
    with translation.override(job.params.get("language") or actor.language or settings.LANGUAGE_CODE):
        try:
            return Receiver(job, progress, actor, Path(settings.MEDIA_ROOT)).run()
        except JobCancelled:
            raise
        except Exception:
            batch_fail(batch_id=job.params.get("batch"))
            raise
