"""Customer import: the template workbook offered for download."""

from __future__ import annotations

import io
from datetime import date

from django.conf import settings
from django.utils import translation

from .columns import COLUMNS, _


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
