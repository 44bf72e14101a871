"""Customer import: checking an upload (type, size, header: platform/imports.py, with the customer
columns), storing it and starting the job."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.utils import translation

from telcrm.platform.errors import AccessDenied
from telcrm.platform.imports import inspect_file
from telcrm.platform.imports import store_upload as store_upload
from telcrm.platform.parameters import param

from .columns import IMPORT_PERM, JOB_KIND, _
from .reading import Layout, _map_headers, _refuse


def inspect_upload(fileobj, name: str, size: int) -> Layout:
    """Check an uploaded file and work out how to read it; raise a ValidationError naming the problem."""
    layout, headers, has_data = inspect_file(
        fileobj, name, size, max_mb=int(param("customers.import_max_mb"))
    )
    layout.columns, layout.ignored = _map_headers(headers)
    if not has_data:
        raise _refuse(_("The file has a header row but no data rows."), "no_rows")
    layout.headers = tuple("" if h is None else str(h) for h in headers)
    return layout


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
