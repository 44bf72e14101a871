"""Import of coverage data (RES-4): a .csv or .xlsx file of covered addresses becomes coverage rows,
with a row-level error report.

One row is one address and the element serving it: element code, province, city, district, street
with house number, building/community, and optionally technology and bandwidth (the element's
when empty). The upload page checks the file first (:func:`inspect_upload`: type, size — parameter
``coverage.import_max_mb`` —, encoding, header row, required columns) with the reading every import
shares (platform/imports.py: file types, encodings, delimiter, header search, row reading), and
refuses a file that cannot be imported with a form error; no job starts. Otherwise the file is kept
under MEDIA_ROOT/imports/ and the job ``coverage.import`` (platform/jobs.py: progress bar, retry,
notification) reads it row by row.

Rows go through ``actions.covered_addresses_save_many`` in batches of ``BATCH_ROWS``, one commit each:
every row is validated like a single ``covered_address_save`` (the same checks), a bad row writes
nothing and is reported, the good rows of the batch land together (one INSERT for the new ones, an
audit record each); should the database still refuse the batch, its rows are saved one by one so only
the refused row is reported. Nothing is half-written. The action is an upsert (normalised address +
element), so a retried or repeated import creates nothing twice. Errors name the column as the
file's header shows it (unknown element, bad technology, bad numbers…) and end up in an .xlsx report
under MEDIA_ROOT/exports/, which the job offers for download.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.utils import timezone, translation

from telcrm.platform.errors import AccessDenied
from telcrm.platform.imports import (
    Layout,
    aliases,
    header_key,
    inspect_file,
    map_headers,
    read_rows,
    store_upload,
)
from telcrm.platform.imports import blank as _blank
from telcrm.platform.imports import cell_text as _text
from telcrm.platform.imports import refuse as _refuse
from telcrm.platform.jobs import job_handler
from telcrm.platform.models import Job, User
from telcrm.platform.parameters import param

from .i18n import _
from .models import Technology
from .parameters import IMPORT_MAX_MB

log = logging.getLogger("telcrm.coverage.imports")

IMPORT_PERM = "coverage.manage_coverage"
JOB_KIND = "coverage.import"
REPORT_DIR = "exports"
BATCH_ROWS = 200  # rows validated and written together, one commit each


@dataclass(frozen=True)
class Column:
    field: str
    zh: str
    en: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    example: str = ""
    hint: object = ""
    width: int = 14

    def header(self, lang: str | None = None) -> str:
        lang = lang or translation.get_language() or settings.LANGUAGE_CODE
        return self.en if lang.startswith("en") else self.zh


COLUMNS: tuple[Column, ...] = (
    Column(
        "element",
        "网元编码",
        "Element code",
        ("网元", "设备编码", "olt", "element", "network element", "element_code"),
        required=True,
        example="HZ-XH-OLT01",
        hint=_("The code of an existing network element in your scope."),
        width=16,
    ),
    Column("province", "省", "Province", ("省份",), required=True, example="浙江省", width=10),
    Column("city", "市", "City", ("城市", "地市"), required=True, example="杭州市", width=10),
    Column("district", "区县", "District", ("区", "县区", "区/县", "county"), example="西湖区", width=10),
    Column(
        "street",
        "街道门牌",
        "Street and number",
        ("地址", "详细地址", "门牌", "街道", "street", "address", "street address"),
        required=True,
        example="文三路88号",
        hint=_("Road and house number (门牌号), e.g. 文三路88号."),
        width=22,
    ),
    Column(
        "building",
        "小区楼宇",
        "Building / community",
        ("小区", "楼宇", "楼栋", "building", "community", "estate"),
        example="阳光花园",
        hint=_("Empty: the whole house number is covered."),
        width=16,
    ),
    Column(
        "technology",
        "接入方式",
        "Technology",
        ("技术", "接入技术", "access", "access technology"),
        example="光纤",
        hint=_("光纤/FTTH, 铜缆/ADSL/VDSL or 5G; empty: the element's."),
        width=12,
    ),
    Column(
        "max_bandwidth_mbps",
        "最大带宽(Mbps)",
        "Max bandwidth (Mbps)",
        ("带宽", "最大带宽", "带宽(m)", "bandwidth", "max bandwidth", "bandwidth (mbps)"),
        example="1000",
        hint=_("A whole number of Mbps (1000, 1000M or 1G); empty: the element's."),
        width=14,
    ),
)
SPECS = {c.field: c for c in COLUMNS}
ALIASES: dict[str, str] = aliases(COLUMNS)

TECHNOLOGY_VALUES = {
    Technology.FIBRE: (
        "fibre",
        "fiber",
        "ftth",
        "fttb",
        "光纤",
        "光纤宽带",
        "光网",
        "pon",
        "gpon",
        "xgpon",
        "10g-pon",
    ),
    Technology.COPPER: ("copper", "adsl", "vdsl", "dsl", "xdsl", "铜缆", "铜线", "电话线"),
    Technology.FWA_5G: ("5g", "5gfwa", "fwa", "5g fwa", "5g无线", "无线宽带", "5g宽带"),
}
TECHNOLOGIES = {header_key(v): code for code, values in TECHNOLOGY_VALUES.items() for v in values}
_BANDWIDTH = re.compile(r"^(\d+)\s*(m|mb|mbps|mbit/s|兆|g|gb|gbps|千兆)?$")


# --- checking an upload -------------------------------------------------------------------------------
def inspect_upload(fileobj, name: str, size: int) -> Layout:
    """Check an uploaded file and work out how to read it; raise a ValidationError naming the problem."""
    layout, headers, has_data = inspect_file(fileobj, name, size, max_mb=int(param(IMPORT_MAX_MB)))
    layout.columns, layout.ignored = map_headers(headers, COLUMNS, ALIASES)
    if not has_data:
        raise _refuse(_("The file has a header row but no data rows."), "no_rows")
    layout.headers = tuple("" if h is None else str(h) for h in headers)
    return layout


def import_start(*, actor, uploaded, layout: Layout) -> Job:
    """Store an inspected upload and start the import job."""
    from telcrm.platform.actions import job_start

    if not actor.has_perm(IMPORT_PERM):
        raise AccessDenied(_("Your role may not import coverage data."))
    rel = store_upload(uploaded, layout)
    name = Path(getattr(uploaded, "name", "") or "").name[:120]
    try:
        return job_start(
            actor=actor,
            kind=JOB_KIND,
            title=str(_("Coverage import: %(file)s") % {"file": name or rel}),
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


# --- the job ------------------------------------------------------------------------------------------
class RowError(Exception):
    def __init__(self, errors: list[tuple[str, str]]):
        self.errors = errors


def parse_technology(raw: str) -> str | None:
    """The technology code of a cell ("光纤", "FTTH", "VDSL", "5G"…), None when unknown."""
    return TECHNOLOGIES.get(header_key(raw))


def parse_bandwidth(raw: str) -> int | None:
    """Mbps of a cell ("1000", "1000M", "1G", "500兆"), None when it is not a bandwidth."""
    m = _BANDWIDTH.match(header_key(raw))
    if not m:
        return None
    value = int(m.group(1))
    return value * 1000 if (m.group(2) or "").startswith(("g", "千")) else value


class Importer:
    def __init__(self, job: Job, progress, actor: User, media_root: Path):
        self.job = job
        self.progress = progress
        self.actor = actor
        self.media_root = media_root
        self.layout = Layout.from_params(job.params)
        self.columns = self.layout.columns or {}
        self.lang = translation.get_language() or settings.LANGUAGE_CODE
        self.rows = self.created = self.updated = self.failed = 0
        self._labels = {
            f: (self.layout.headers[i] if i < len(self.layout.headers) else "") or SPECS[f].header()
            for f, i in self.columns.items()
        }

    def source(self) -> Path:
        root = (self.media_root / "imports").resolve()
        path = (self.media_root / self.job.params["file"]).resolve()
        if not path.is_relative_to(root) or not path.is_file():
            raise FileNotFoundError(str(_("The uploaded file is no longer there; upload it again.")))
        return path

    def scratch(self) -> Path:
        return self.media_root / "imports" / f"{self.job.pk}.errors.jsonl"

    def label(self, field: str) -> str:
        if field in self._labels:
            return self._labels[field]
        if field in SPECS:
            return SPECS[field].header(self.lang)
        return "" if field in ("__all__", "") else field

    def value(self, values: tuple, field: str) -> str:
        i = self.columns.get(field)
        return _text(values[i]) if i is not None and i < len(values) else ""

    def kwargs(self, values: tuple) -> dict:
        """The action's arguments from a row; RowError for cells the file itself gets wrong."""
        errors: list[tuple[str, str]] = []
        kw = {
            f: self.value(values, f)
            for f in ("element", "province", "city", "district", "street", "building")
        }
        raw = self.value(values, "technology")
        kw["technology"] = None
        if raw:
            kw["technology"] = parse_technology(raw)
            if kw["technology"] is None:
                message = _("Unknown technology “%(value)s”; use 光纤 (FTTH), 铜缆 (ADSL/VDSL) or 5G.")
                errors.append(("technology", str(message % {"value": raw})))
        raw = self.value(values, "max_bandwidth_mbps")
        kw["max_bandwidth_mbps"] = None
        if raw:
            kw["max_bandwidth_mbps"] = parse_bandwidth(raw)
            if kw["max_bandwidth_mbps"] is None:
                message = _("“%(value)s” is not a bandwidth; enter whole Mbps such as 1000 (or 1G).")
                errors.append(("max_bandwidth_mbps", str(message % {"value": raw})))
        if errors:
            raise RowError(errors)
        return kw

    def _messages(self, exc: ValidationError) -> list[tuple[str, str]]:
        if hasattr(exc, "error_dict"):
            return [(f, m) for f, msgs in exc.message_dict.items() for m in msgs]
        return [("__all__", m) for m in exc.messages]

    def report(self, row_no: int, values: tuple, errors: list[tuple[str, str]], out) -> None:
        self.failed += 1
        out.write(
            json.dumps(
                {
                    "row": row_no,
                    "values": [_text(v) for v in values],
                    "errors": [[self.label(f), m] for f, m in errors],
                },
                ensure_ascii=False,
            )
            + "\n"
        )

    def saved(self, created: bool) -> None:
        if created:
            self.created += 1
        else:
            self.updated += 1

    def process_batch(self, batch: list[tuple[int, tuple]], out) -> None:
        """Save the rows of one batch: cells the file gets wrong are reported at once; the others go to
        ``covered_addresses_save_many`` together. Should the database refuse the batch (a value no
        check foresaw), it is rolled back and its rows are saved one by one, so only the row the
        database refuses is reported."""
        from .actions import addresses

        parsed = []
        for row_no, values in batch:
            self.rows += 1
            try:
                parsed.append((row_no, values, self.kwargs(values)))
            except RowError as exc:
                self.report(row_no, values, exc.errors, out)
        if not parsed:
            return
        try:
            with transaction.atomic():
                results = addresses.covered_addresses_save_many(
                    actor=self.actor, rows=[kw for _n, _v, kw in parsed]
                )
        except DatabaseError as exc:
            log.warning(
                "coverage import %s: batch refused (%s), saving its rows one by one", self.job.pk, exc
            )
            results = None
        if results is not None:
            for (row_no, values, _kw), (_row, created, error) in zip(parsed, results, strict=True):
                if error is None:
                    self.saved(created)
                else:
                    self.report(row_no, values, self._messages(error), out)
            return
        for row_no, values, kw in parsed:
            try:
                with transaction.atomic():
                    _row, created = addresses.covered_address_save(actor=self.actor, **kw)
            except ValidationError as exc:
                self.report(row_no, values, self._messages(exc), out)
            except DatabaseError as exc:  # a value the database refuses: report the row, go on
                message = _("The row could not be saved: %(error)s") % {"error": exc}
                self.report(row_no, values, [("__all__", str(message))], out)
            else:
                self.saved(created)

    def run(self) -> dict:
        source, scratch = self.source(), self.scratch()
        total = int(self.job.progress_total or 0)
        self.progress.set(0, total, message=str(_("Importing rows")))
        rows = iter(read_rows(source, self.layout))
        with open(scratch, "w", encoding="utf-8") as out:
            done = False
            while not done:
                done = True
                batch: list[tuple[int, tuple]] = []
                read = 0
                for row_no, values in rows:
                    read += 1
                    if not _blank(values):
                        batch.append((row_no, values))
                    if len(batch) >= BATCH_ROWS:
                        done = False
                        break
                with transaction.atomic():
                    self.process_batch(batch, out)
                p = self.progress
                if p.total and p.done + read > p.total:
                    p.total = 0  # more rows than the file's dimension said: count without a total
                p.step(read)
        self.progress.set(self.progress.done, self.progress.done, force=True)
        report = self.write_report(scratch) if self.failed else ""
        scratch.unlink(missing_ok=True)
        source.unlink(missing_ok=True)
        summary = {"rows": self.rows, "created": self.created, "updated": self.updated, "failed": self.failed}
        message = _("%(rows)d rows: %(created)d new, %(updated)d updated, %(failed)d with errors") % summary
        return {"result": summary, "file": report, "message": str(message)}

    def write_report(self, scratch: Path) -> str:
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Font, PatternFill
        from openpyxl.utils import get_column_letter

        wb = Workbook(write_only=True)
        ws = wb.create_sheet(title=str(_("Import errors"))[:31])
        n_cols = len(self.layout.headers)
        headers = [str(_("Row")), *[h or f"#{i + 1}" for i, h in enumerate(self.layout.headers)]]
        headers += [str(_("Column")), str(_("Error"))]
        by_index = {i: f for f, i in self.columns.items()}
        widths = [8, *[SPECS[by_index[i]].width if i in by_index else 14 for i in range(n_cols)], 18, 56]
        for i, w in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(i)].width = w
        bold, fill = Font(bold=True), PatternFill("solid", fgColor="FDE2E1")
        head = []
        for h in headers:
            cell = WriteOnlyCell(ws, value=h)
            cell.font = bold
            head.append(cell)
        ws.append(head)
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
        name = f"coverage-import-errors-{timezone.localtime():%Y%m%d-%H%M%S}-{str(self.job.pk)[:8]}.xlsx"
        wb.save(folder / name)
        return f"{REPORT_DIR}/{name}"


@job_handler(JOB_KIND)
def run_import(job: Job, progress) -> dict:
    actor = User.objects.select_related("role", "org_unit").get(pk=job.owner_id)
    if not (actor.is_active and actor.has_perm(IMPORT_PERM)):
        raise AccessDenied(_("Your role may not import coverage data."))
    with translation.override(job.params.get("language") or settings.LANGUAGE_CODE):
        return Importer(job, progress, actor, Path(settings.MEDIA_ROOT)).run()


def template_csv(lang: str | None = None) -> bytes:
    """A CSV (UTF-8 with BOM, so Excel opens it right) with the header row and two example rows."""
    import csv
    import io

    lang = lang or translation.get_language() or settings.LANGUAGE_CODE
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow([c.header(lang) for c in COLUMNS])
    writer.writerow([c.example for c in COLUMNS])
    writer.writerow(["HZ-XH-OLT01", "浙江省", "杭州市", "西湖区", "文三路90号", "", "", ""])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")
