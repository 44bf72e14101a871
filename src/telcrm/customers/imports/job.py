"""Customer import: the ``customers.import`` job (rows in batches, checkpoints, the error report)."""

from __future__ import annotations

import contextvars
import json
import logging
import os
import time
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, connections, transaction
from django.utils import timezone, translation

# the package, for the batch sizes: tests (and callers) set them as ``imports.BATCH_ROWS``
from telcrm.customers import imports as package
from telcrm.platform import crypto
from telcrm.platform.errors import AccessDenied
from telcrm.platform.jobs import JobCancelled, job_handler
from telcrm.platform.models import Job, JobStatus, User

from .columns import (
    ADDRESS_FIELDS,
    GENDERS,
    IMPORT_PERM,
    JOB_KIND,
    NO,
    PLAIN_FIELDS,
    REPORT_DIR,
    SPECS,
    TAG_SPLIT,
    TYPES,
    UPLOAD_DIR,
    YES,
    _,
    header_key,
)
from .reading import Layout, _blank, _date, _text, read_rows

log = logging.getLogger("telcrm.customers.imports")  # the name it had as one module


# --- the job ------------------------------------------------------------------------------------------
class RowError(Exception):
    def __init__(self, errors: list[tuple[str, str]]):
        self.errors = errors


@dataclass
class Batch:
    """Rows read for one commit: the well-formed ones (``pending``) and the report lines of the others."""

    pending: list[tuple[int, tuple, dict]] = dataclass_field(default_factory=list)
    lines: list[str] = dataclass_field(default_factory=list)
    last_row: int = 0
    rows: int = 0  # rows read so far in the file, this batch included (for the checkpoint)
    done: int = 0  # the progress count at the batch's end
    prepared: object = None


class Pipeline:
    """Commits batches in order. On PostgreSQL, outside any transaction, a second thread (with its own
    connection) writes batch N while the caller validates batch N+1, so the Python work and the
    database's work overlap; otherwise each batch is committed where it is read."""

    def __init__(self, commit, *, threaded: bool):
        self.commit = commit
        self.executor = ThreadPoolExecutor(1, thread_name_prefix="import-writer") if threaded else None
        self.pending: Future | None = None

    @property
    def threaded(self) -> bool:
        return self.executor is not None

    def submit(self, batch: Batch) -> None:
        if self.executor is None:
            self.commit(batch)
            return
        self.wait()
        # the job's language and actor context go with the batch (both are context variables)
        self.pending = self.executor.submit(contextvars.copy_context().run, self.commit, batch)

    def wait(self) -> None:
        pending, self.pending = self.pending, None
        if pending is not None:
            pending.result()

    def close(self) -> None:
        if self.executor is None:
            return
        try:
            self.wait()
        finally:
            self.executor.submit(connections.close_all).result()
            self.executor.shutdown()


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
        self.committed_rows = 0
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
            from ..models import Tag

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

    def process(self, row_no: int, values: tuple, batch: Batch) -> None:
        """Check a row's format; a well-formed row waits in the batch for ``prepare`` and ``commit``."""
        self.rows += 1
        key = self.id_key(values)
        first = self.seen_ids.get(key) if key else None
        if key and first is None:
            self.seen_ids[key] = row_no
        try:
            if first is not None:
                message = _("The same ID number is already in row %(row)d of this file.") % {"row": first}
                raise RowError([("id_number", str(message))])
            kw = self.kwargs(values)
        except RowError as exc:
            batch.lines.append(self.report_line(row_no, values, exc.errors))
            return
        kw.pop("actor")
        batch.pending.append((row_no, values, kw))

    def prepare(self, batch: Batch) -> None:
        """The Python side of registering the batch's rows (validation, encryption, numbering, the rows
        of every table): ``customers_prepare_many``; it only reads."""
        if batch.pending:
            batch.prepared = self.prepare_many(
                actor=self.actor, rows=[kw for _r, _v, kw in batch.pending], numbering=self.numbering
            )

    def commit(self, batch: Batch, out) -> None:
        """Write the batch (``customers_write_prepared``) with its report lines and the checkpoint, in one
        transaction; when the database refuses the batch (a value it will not store), row by row."""
        with transaction.atomic():
            results = []
            if batch.pending:
                try:
                    with transaction.atomic():
                        results = self.write_prepared(batch.prepared)
                except DatabaseError as exc:
                    log.info("customer import %s: batch refused (%s), retrying row by row", self.job.pk, exc)
                    results = [self.create_one(kw) for _r, _v, kw in batch.pending]
            lines = list(batch.lines)
            created = 0
            for (row_no, values, _kw), error in zip(batch.pending, results, strict=True):
                if error is None:
                    created += 1
                else:
                    lines.append(self.report_line(row_no, values, _errors_of(error)))
            out.writelines(lines)
            self.created += created
            self.failed += len(lines)
            self.last_row, self.committed_rows = batch.last_row, batch.rows
            self.save_checkpoint(out, done=batch.done)

    def create_one(self, kw: dict):
        try:
            with transaction.atomic():
                self.customer_create(actor=self.actor, **kw)
        except (ValidationError, DatabaseError) as exc:
            return exc
        return None

    def report_line(self, row_no: int, values: tuple, errors: list[tuple[str, str]]) -> str:
        shown = [_text(v) for v in values]
        if self._id_index is not None and self._id_index < len(shown) and shown[self._id_index]:
            shown[self._id_index] = crypto.mask_id_number(shown[self._id_index])
        line = {"row": row_no, "values": shown, "errors": [[self.label(f), m] for f, m in errors]}
        return json.dumps(line, ensure_ascii=False) + "\n"

    # checkpoint
    def checkpoint(self, done: int) -> dict:
        return {
            "row": self.last_row,
            "rows": self.committed_rows,
            "created": self.created,
            "failed": self.failed,
            "done": done,
        }

    def save_checkpoint(self, out, done: int) -> None:
        out.flush()
        os.fsync(out.fileno())
        claimed = Job.objects.filter(pk=self.job.pk, status=JobStatus.RUNNING, attempts=self.job.attempts)
        if not claimed.update(result={"checkpoint": self.checkpoint(done)}):
            raise JobCancelled()

    def resume_point(self) -> dict:
        return ((self.job.result or {}).get("checkpoint") or {}) if self.job.attempts > 1 else {}

    def run(self) -> dict:
        from .. import actions

        # the counter's own validation and rules, batch by batch (one action per row as the fallback)
        self.prepare_many = actions.customers_prepare_many
        self.write_prepared = actions.customers_write_prepared
        self.customer_create = actions.customer_create
        self.numbering = actions.Numbering()
        source = self.source()
        scratch = self.scratch()
        resume = self.resume_point()
        resume_after = int(resume.get("row", 0))
        if resume_after:
            self.rows, self.created, self.failed = resume["rows"], resume["created"], resume["failed"]
            self.committed_rows = self.rows
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
            threaded = package.PIPELINE and connection.vendor == "postgresql"
            threaded = threaded and not connection.in_atomic_block  # (tests run jobs inside one)
            pipeline = Pipeline(lambda batch: self.commit(batch, out), threaded=threaded)
            try:
                done = False
                while not done:
                    done = True
                    with nullcontext() if threaded else transaction.atomic():
                        batch, started = Batch(), time.monotonic()
                        for n, (row_no, values) in enumerate(rows, start=1):
                            if not _blank(values):
                                self.process(row_no, values, batch)
                            batch.last_row = row_no
                            self._step()
                            if n >= package.BATCH_ROWS or time.monotonic() - started >= package.BATCH_SECONDS:
                                done = False
                                break
                        batch.rows, batch.done = self.rows, self.progress.done
                        self.prepare(batch)
                        pipeline.submit(batch)
            finally:
                pipeline.close()
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


def _errors_of(exc) -> list[tuple[str, str]]:
    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            return [(f, m) for f, msgs in exc.message_dict.items() for m in msgs]
        return [("__all__", m) for m in exc.messages]
    return [("__all__", str(_("The row could not be saved: %(error)s") % {"error": exc}))]


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
