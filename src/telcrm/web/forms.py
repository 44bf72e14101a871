"""Shared form behaviour: Bootstrap classes and invalid markers on every widget."""

from __future__ import annotations

from django import forms


class BootstrapMixin:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            w = field.widget
            if isinstance(w, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(w, forms.Select | forms.SelectMultiple):
                css = "form-select"
            else:
                css = "form-control"
            w.attrs["class"] = f"{w.attrs.get('class', '')} {css}".strip()

    def full_clean(self):
        # Mark invalid widgets once validation has run (never in __init__: that would validate a
        # bound form before a subclass has set its choices).
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                w = self.fields[name].widget
                if "is-invalid" not in w.attrs.get("class", ""):
                    w.attrs["class"] = f"{w.attrs.get('class', '')} is-invalid".strip()


def apply_action_errors(form, exc) -> None:
    """Put a ValidationError raised by an action onto the form: on its field when the form has it."""
    from django.core.exceptions import ValidationError

    if not isinstance(exc, ValidationError):
        raise exc
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)
    for name in form.errors:
        if name in form.fields:
            w = form.fields[name].widget
            if "is-invalid" not in w.attrs.get("class", ""):
                w.attrs["class"] = f"{w.attrs.get('class', '')} is-invalid".strip()
