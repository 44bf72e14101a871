"""Customer import: checking an upload (type, size, header), storing it and starting the job."""

from __future__ import annotations

import csv
import io
import uuid
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from telcrm.platform.errors import AccessDenied
from telcrm.platform.parameters import param

from .columns import IMPORT_PERM, JOB_KIND, UPLOAD_DIR, _
from .reading import Layout, _csv_delimiter, _header_and_data, _map_headers, _refuse, detect_encoding


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
