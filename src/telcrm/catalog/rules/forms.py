"""Forms of the rule pages: table details, the grid editor's posted state, the test panel's facts."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from telcrm.web.forms import BootstrapMixin

from . import dmn
from .facts import CHANNELS, CUSTOMER_TYPES, FACTS, OFFERING_KINDS, TECHNOLOGIES, VALUE_TIERS
from .models import RuleKind

MAX_UPLOAD = dmn.MAX_XML


class TableCreateForm(BootstrapMixin, forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=50,
        help_text=_("Letters, digits, - and _, e.g. ELIG-5G; cannot change later"),
    )
    name = forms.CharField(label=_("Name"), max_length=100)
    name_en = forms.CharField(label=_("English name"), max_length=100, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=RuleKind.choices)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    dmn_file = forms.FileField(
        label=_("DMN file (optional)"),
        required=False,
        help_text=_("Start from a decision table made in another DMN tool; empty: start with an empty grid"),
    )

    def clean_dmn_file(self):
        return read_upload(self.cleaned_data.get("dmn_file"), "dmn_file")


class TableEditForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    name_en = forms.CharField(label=_("English name"), max_length=100, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=RuleKind.choices)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    is_active = forms.BooleanField(label=_("Active: evaluated for orders"), required=False)


class UploadForm(BootstrapMixin, forms.Form):
    dmn_file = forms.FileField(label=_("DMN file"))
    comment = forms.CharField(label=_("Comment"), max_length=200, required=False)

    def clean_dmn_file(self):
        return read_upload(self.cleaned_data.get("dmn_file"), "dmn_file")


class PublishForm(BootstrapMixin, forms.Form):
    comment = forms.CharField(label=_("Comment"), max_length=200, required=False)


def read_upload(upload, field: str) -> str | None:
    """The text of an uploaded DMN file (UTF-8), or a field error."""
    if not upload:
        return None
    if upload.size > MAX_UPLOAD:
        raise ValidationError(_("The file is too large (at most 1 MB)."), code="too_large")
    raw = upload.read()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError(_("The file is not UTF-8 text."), code="encoding") from exc


# --- the grid editor ---------------------------------------------------------------------------
def _bounded(value, limit: int) -> int:
    try:
        n = int(value)
    except (TypeError, ValueError):
        return 0
    return max(0, min(n, limit))


def grid_from_post(data, *, name: str = "", decision_id: str = "decision") -> dmn.Grid:
    """The grid an editor posted (``col-<i>-…`` and ``row-<r>-…`` fields, ``ncols``/``nrows``)."""
    ncols = _bounded(data.get("ncols"), dmn.MAX_COLUMNS)
    nrows = _bounded(data.get("nrows"), dmn.MAX_ROWS)
    grid = dmn.Grid(columns=[], rows=[], decision_id=decision_id, name=name)
    for i in range(ncols):
        expression = str(data.get(f"col-{i}-expr", "")).strip()[: dmn.MAX_CELL]
        label = str(data.get(f"col-{i}-label", "")).strip()[:100] or expression
        col_id = str(data.get(f"col-{i}-id", "")).strip()[:64]
        grid.columns.append(dmn.Column(col_id or grid.new_column_id(), label, expression))
    for r in range(nrows):
        p = f"row-{r}-"
        grid.rows.append(
            dmn.Row(
                id=str(data.get(p + "id", "")).strip()[:64],
                cells=[
                    str(data.get(f"{p}cell-{i}", "")).strip()[: dmn.MAX_CELL + 1] or "-" for i in range(ncols)
                ],
                effect=str(data.get(p + "effect", "deny")).strip()[:16],
                message_zh=str(data.get(p + "message_zh", "")).strip()[: dmn.MAX_MESSAGE + 1],
                message_en=str(data.get(p + "message_en", "")).strip()[: dmn.MAX_MESSAGE + 1],
                requires=dmn.split_codes(str(data.get(p + "requires", ""))[:400]),
                note=str(data.get(p + "note", "")).strip()[:200],
            )
        )
    return grid


def apply_op(grid: dmn.Grid, op: str, *, new_column: str = "") -> str | None:
    """Change the grid as the button ``op`` asks; a message when it cannot (too many rows …)."""
    verb, _sep, arg = (op or "").partition(":")
    index = _bounded(arg, 10_000) if arg else -1
    rows, cols = grid.rows, grid.columns
    if verb == "add_row":
        if len(rows) >= dmn.MAX_ROWS:
            return str(_("A table has at most %(n)s rows.") % {"n": dmn.MAX_ROWS})
        rows.append(dmn.Row(id=grid.new_row_id(), cells=["-"] * len(cols)))
    elif verb == "copy_row" and 0 <= index < len(rows):
        if len(rows) >= dmn.MAX_ROWS:
            return str(_("A table has at most %(n)s rows.") % {"n": dmn.MAX_ROWS})
        src = rows[index]
        rows.insert(
            index + 1,
            dmn.Row(
                grid.new_row_id(),
                list(src.cells),
                src.effect,
                src.message_zh,
                src.message_en,
                list(src.requires),
                src.note,
            ),
        )
    elif verb == "del_row" and 0 <= index < len(rows):
        del rows[index]
    elif verb == "up_row" and 0 < index < len(rows):
        rows[index - 1], rows[index] = rows[index], rows[index - 1]
    elif verb == "down_row" and 0 <= index < len(rows) - 1:
        rows[index + 1], rows[index] = rows[index], rows[index + 1]
    elif verb == "add_col":
        if len(cols) >= dmn.MAX_COLUMNS:
            return str(_("A table has at most %(n)s input columns.") % {"n": dmn.MAX_COLUMNS})
        expression = new_column if new_column in {f.name for f in FACTS} else ""
        cols.append(dmn.Column(grid.new_column_id(), expression, expression))
        for row in rows:
            row.cells.append("-")
    elif verb == "del_col" and 0 <= index < len(cols):
        del cols[index]
        for row in rows:
            del row.cells[index]
    elif verb in ("left_col", "right_col"):
        other = index - 1 if verb == "left_col" else index + 1
        if 0 <= index < len(cols) and 0 <= other < len(cols):
            cols[index], cols[other] = cols[other], cols[index]
            for row in rows:
                row.cells[index], row.cells[other] = row.cells[other], row.cells[index]
    return None


def grid_view(grid: dmn.Grid, errors: ValidationError | None = None) -> dict:
    """What the grid template renders: columns and rows with the error of each cell."""
    cell_errors: dict[tuple, list[str]] = {}
    column_errors: dict[int, list[str]] = {}
    general: list[str] = []
    summary: list[str] = []  # the cell and column problems with their row and column, for the list on top
    if errors is not None:
        items = (
            errors.error_dict.items() if hasattr(errors, "error_dict") else [("__all__", errors.error_list)]
        )
        for field, errs in items:
            for e in errs:
                text = e.message % e.params if e.params else str(e.message)
                params = e.params or {}
                row, col = params.get("row"), params.get("col")
                if field == dmn.FIELD and row and col is not None:
                    # under the cell the row and column go without saying: the problem alone
                    cell_errors.setdefault((row - 1, col), []).append(str(params.get("problem", text)))
                    summary.append(str(text))
                elif field == dmn.FIELD and row is None and isinstance(col, int):
                    column_errors.setdefault(col, []).append(str(params.get("problem", text)))
                    summary.append(str(text))
                else:
                    general.append(str(text))
    facts = {f.name: f for f in FACTS}
    columns = [
        {
            "index": i,
            "id": c.id,
            "label": c.label,
            "expression": c.expression,
            "fact": facts.get(c.expression),
            "errors": column_errors.get(i, []),
        }
        for i, c in enumerate(grid.columns)
    ]
    rows = []
    for r, row in enumerate(grid.rows):
        rows.append(
            {
                "index": r,
                "number": r + 1,
                "id": row.id,
                "cells": [
                    {"index": i, "value": cell, "errors": cell_errors.get((r, i), [])}
                    for i, cell in enumerate(row.cells)
                ],
                "effect": row.effect,
                "message_zh": row.message_zh,
                "message_en": row.message_en,
                "requires": ", ".join(row.requires),
                "note": row.note,
                "errors": {
                    name: cell_errors.get((r, name), [])
                    for name in ("id", "effect", "message_zh", "message_en", "requires")
                },
                "has_errors": any(k[0] == r for k in cell_errors),
            }
        )
    return {
        "columns": columns,
        "rows": rows,
        "ncols": len(columns),
        "nrows": len(rows),
        "general_errors": general,
        "error_count": len(summary) + len(general),
        "cell_error_list": summary,
    }


# --- the test panel -------------------------------------------------------------------------------
def _choices(values, labels=None):
    return [(v, (labels or {}).get(v, v or "—")) for v in values]


class FactsForm(BootstrapMixin, forms.Form):
    """Sample facts for the test panel: the same keys the catalog passes to the engine."""

    offering = forms.CharField(label="offering", max_length=40, initial="5G-CX-128")
    offering_kind = forms.ChoiceField(label="offering_kind", choices=_choices(OFFERING_KINDS), initial="plan")
    customer_type = forms.ChoiceField(label="customer_type", choices=_choices(CUSTOMER_TYPES))
    value_tier = forms.ChoiceField(
        label="value_tier", choices=_choices(VALUE_TIERS), required=False, initial="ordinary"
    )
    credit_level = forms.IntegerField(label="credit_level", min_value=1, max_value=5, initial=3)
    age = forms.IntegerField(label="age", min_value=0, max_value=150, required=False, initial=30)
    region = forms.CharField(label="region", max_length=40, required=False, initial="ZJ-HZ")
    live_lines = forms.IntegerField(label="live_lines", min_value=0, max_value=10_000, initial=1)
    tenure_months = forms.IntegerField(label="tenure_months", min_value=0, max_value=10_000, initial=24)
    held = forms.CharField(
        label="held", max_length=400, required=False, help_text=_("Codes, separated by commas")
    )
    cart = forms.CharField(
        label="cart", max_length=400, required=False, help_text=_("Codes, separated by commas")
    )
    channel = forms.ChoiceField(label="channel", choices=_choices(CHANNELS), initial="counter")
    access_technology = forms.ChoiceField(
        label="access_technology", choices=_choices(("", *TECHNOLOGIES)), required=False, initial=""
    )
    source = forms.CharField(required=False, widget=forms.HiddenInput)

    def facts(self) -> dict:
        d = self.cleaned_data
        return {
            "customer_type": d["customer_type"],
            "value_tier": d.get("value_tier") or "",
            "credit_level": d["credit_level"],
            "age": d.get("age"),
            "region": d.get("region") or "",
            "live_lines": d["live_lines"],
            "tenure_months": d["tenure_months"],
            "offering": d["offering"].strip(),
            "offering_kind": d["offering_kind"],
            "held": dmn.split_codes(d.get("held") or ""),
            "cart": dmn.split_codes(d.get("cart") or ""),
            "channel": d["channel"],
            "access_technology": d.get("access_technology") or "",
        }
