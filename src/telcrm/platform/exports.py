"""List exports (CUS-7, PLT-6): a background job writes an .xlsx of a scoped queryset with progress.

A module registers a dataset: a function ``rows(actor, filters)`` returning a queryset already
restricted to the actor's scope, and the columns to write. ``export_start`` checks the permission,
audits the export and queues the job; the job runs as the actor, so the file holds exactly the
rows the actor could see in the list.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from .auditing import audit_event
from .errors import AccessDenied, field_error
from .jobs import job_handler
from .models import AuditKind, Job, User


@dataclass(frozen=True)
class Column:
    header: object  # lazy translated header
    value: Callable[[object], object]
    width: int = 16


@dataclass(frozen=True)
class Dataset:
    code: str
    title: object
    rows: Callable  # (actor, filters) -> QuerySet, scoped
    columns: tuple[Column, ...]
    perm: str = "platform.export_data"


DATASETS: dict[str, Dataset] = {}


def dataset(d: Dataset) -> Dataset:
    DATASETS[d.code] = d
    return d


BATCH = 2000


@transaction.atomic
def export_start(*, actor, code: str, filters: dict) -> Job:
    from .actions.jobs import job_start
    from .parameters import param

    ds = DATASETS.get(code)
    if ds is None:
        raise field_error("dataset", _("Unknown list to export."), "invalid_choice")
    if not actor.has_perm(ds.perm):
        raise AccessDenied(_("Your role may not export this list."))
    total = ds.rows(actor, filters).count()
    limit = int(param("export.max_rows"))
    if total > limit:
        raise field_error(
            "filters",
            _("%(n)d rows match; narrow the filters to at most %(max)d."),
            "too_many",
            n=total,
            max=limit,
        )
    audit_event(
        kind=AuditKind.EXPORT,
        action=f"export.{code}",
        actor=actor,
        object_type=code,
        object_repr=str(ds.title),
        after={"filters": filters, "rows": total},
    )
    return job_start(
        actor=actor,
        kind="platform.export",
        title=str(_("Export: %(title)s") % {"title": ds.title}),
        params={"dataset": code, "filters": filters, "language": translation.get_language()},
        total=total,
    )


@job_handler("platform.export")
def run_export(job: Job, progress) -> dict:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    ds = DATASETS[job.params["dataset"]]
    actor = User.objects.select_related("role", "org_unit").get(pk=job.owner_id)
    with translation.override(job.params.get("language") or settings.LANGUAGE_CODE):
        qs = ds.rows(actor, job.params.get("filters") or {})
        progress.set(0, qs.count(), message=str(_("Writing rows")))
        wb = Workbook(write_only=True)
        ws = wb.create_sheet(title=str(ds.title)[:31])
        for i, col in enumerate(ds.columns, start=1):
            ws.column_dimensions[get_column_letter(i)].width = col.width
        from openpyxl.cell import WriteOnlyCell

        header = []
        for col in ds.columns:
            cell = WriteOnlyCell(ws, value=str(col.header))
            cell.font = Font(bold=True)
            header.append(cell)
        ws.append(header)
        n = 0
        for obj in qs.iterator(chunk_size=BATCH):
            ws.append([_cell(col.value(obj)) for col in ds.columns])
            n += 1
            if n % 200 == 0:
                progress.set(n)
        folder = Path(settings.MEDIA_ROOT) / "exports"
        folder.mkdir(parents=True, exist_ok=True)
        name = f"{ds.code}-{timezone.localtime():%Y%m%d-%H%M%S}-{str(job.pk)[:8]}.xlsx"
        wb.save(folder / name)
        progress.set(n, n, message=str(_("%(n)d rows written") % {"n": n}), force=True)
    return {
        "file": f"exports/{name}",
        "result": {"rows": n},
        "message": str(_("%(n)d rows written") % {"n": n}),
    }


def _cell(value):
    if value is None:
        return ""
    if hasattr(value, "tzinfo") and getattr(value, "tzinfo", None) is not None:
        return timezone.localtime(value).replace(tzinfo=None)
    if isinstance(value, int | float | str):
        return value
    return str(value)


# --- the platform's own exportable lists ------------------------------------------------------
def _user_rows(actor, filters):
    from .queries import user_list

    allowed = {"q", "org_unit", "role", "active", "sort"}
    return user_list(actor, **{k: v for k, v in filters.items() if k in allowed})


dataset(
    Dataset(
        code="users",
        title=_("Users"),
        rows=_user_rows,
        columns=(
            Column(_("Username"), lambda u: u.username),
            Column(_("Full name"), lambda u: u.full_name, 14),
            Column(_("Employee number"), lambda u: u.employee_no),
            Column(_("Organisation unit"), lambda u: u.org_unit.name, 24),
            Column(_("Role"), lambda u: u.role.display_name if u.role else ""),
            Column(_("Mobile"), lambda u: u.mobile, 14),
            Column(
                _("ID number"), lambda u: str(u.id_number), 22
            ),  # masked: exports never carry plaintext PII
            Column(_("Active"), lambda u: str(_("Yes")) if u.is_active else str(_("No")), 8),
            Column(_("Date joined"), lambda u: u.date_joined, 20),
        ),
    )
)
