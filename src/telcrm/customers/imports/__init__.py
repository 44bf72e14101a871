"""Customer import (CUS-7): an .xlsx or .csv file becomes customers, with a row-level error report.

The upload page (views_import.py) runs :func:`inspect_upload` on the file: type, size (parameter
``customers.import_max_mb``), encoding (UTF-8 with or without BOM, or GBK as Chinese Excel writes
CSV), the header row and its columns. A file that cannot be imported is refused there with a form
error naming the problem, and no job starts. Otherwise the file is kept under MEDIA_ROOT/imports/ and
the job ``customers.import`` reads it row by row (openpyxl read-only / csv, never the whole file
in memory) and registers the rows with the counter's own validation and rules: per batch through
``actions.customers_create_many``, row by row through ``actions.customer_create`` when the database
refuses a batch.

Transactions. A bad row is reported and nothing of it is written, a good row lands whole. Rows are
committed in small batches together with a checkpoint on the job row: one commit per
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

from .columns import (
    ADDRESS_FIELDS,
    ALIASES,
    BATCH_ROWS,
    BATCH_SECONDS,
    COLUMNS,
    CSV_DETECT_CHUNK,
    CTX,
    GENDER_VALUES,
    GENDERS,
    HEADER_SEARCH_ROWS,
    IMPORT_PERM,
    JOB_KIND,
    NO,
    PIPELINE,
    PLAIN_FIELDS,
    REPORT_DIR,
    SPECS,
    TAG_SPLIT,
    TYPE_VALUES,
    TYPES,
    UPLOAD_DIR,
    YES,
    Spec,
    header_key,
)
from .columns import _ as _
from .columns import _table as _table
from .job import Importer, RowError, log, run_import
from .job import _prepend as _prepend
from .reading import DATE_FORMATS, Layout, detect_encoding, read_rows
from .reading import _blank as _blank
from .reading import _csv_delimiter as _csv_delimiter
from .reading import _date as _date
from .reading import _header_and_data as _header_and_data
from .reading import _map_headers as _map_headers
from .reading import _refuse as _refuse
from .reading import _text as _text
from .template import template_workbook
from .upload import import_start, inspect_upload, store_upload

__all__ = [
    "ADDRESS_FIELDS",
    "ALIASES",
    "BATCH_ROWS",
    "BATCH_SECONDS",
    "COLUMNS",
    "CSV_DETECT_CHUNK",
    "CTX",
    "DATE_FORMATS",
    "GENDERS",
    "GENDER_VALUES",
    "HEADER_SEARCH_ROWS",
    "IMPORT_PERM",
    "JOB_KIND",
    "NO",
    "PIPELINE",
    "PLAIN_FIELDS",
    "REPORT_DIR",
    "SPECS",
    "TAG_SPLIT",
    "TYPES",
    "TYPE_VALUES",
    "UPLOAD_DIR",
    "YES",
    "Importer",
    "Layout",
    "RowError",
    "Spec",
    "detect_encoding",
    "header_key",
    "import_start",
    "inspect_upload",
    "log",
    "read_rows",
    "run_import",
    "store_upload",
    "template_workbook",
]
