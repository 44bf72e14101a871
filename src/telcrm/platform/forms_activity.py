"""Filter forms of the audit log and the background-job list (PLT-2, PLT-6).

They only parse and type-check the query string; a value that does not parse becomes an error on
its field (never a 500). Strings of this area carry the message context "activity".
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import pgettext_lazy

from telcrm.web.forms import BootstrapMixin

from .models import AuditKind, JobStatus

# Dates outside this window cannot be a real audit record and overflow the time-zone conversion.
MIN_DATE = dt.date(2000, 1, 1)
MAX_DATE = dt.date(2999, 12, 31)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class AuditFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(
        label=pgettext_lazy("activity", "Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": pgettext_lazy("activity", "Object, action or username")}
        ),
    )
    action = forms.CharField(
        label=pgettext_lazy("activity", "Action"),
        required=False,
        max_length=64,
        widget=forms.TextInput(attrs={"placeholder": "user.update"}),
    )
    kind = forms.ChoiceField(
        label=pgettext_lazy("activity", "Kind"),
        required=False,
        choices=[("", pgettext_lazy("activity", "All kinds")), *AuditKind.choices],
    )
    actor = forms.CharField(
        label=pgettext_lazy("activity", "Actor (username)"), required=False, max_length=64
    )
    object_type = forms.CharField(
        label=pgettext_lazy("activity", "Object type"),
        required=False,
        max_length=64,
        widget=forms.TextInput(attrs={"placeholder": "platform.user"}),
    )
    object_id = forms.CharField(label=pgettext_lazy("activity", "Object ID"), required=False, max_length=64)
    date_from = forms.DateField(
        label=pgettext_lazy("activity", "From"),
        required=False,
        widget=DateInput(),
        input_formats=["%Y-%m-%d"],
    )
    date_to = forms.DateField(
        label=pgettext_lazy("activity", "To"), required=False, widget=DateInput(), input_formats=["%Y-%m-%d"]
    )

    # form field → keyword of queries.audit_search
    QUERY_ARGS = {
        "q": "q",
        "action": "action",
        "kind": "kind",
        "actor": "actor_username",
        "object_type": "object_type",
        "object_id": "object_id",
        "date_from": "date_from",
        "date_to": "date_to",
    }

    def _clean_date(self, name: str):
        value = self.cleaned_data.get(name)
        if value is not None and not MIN_DATE <= value <= MAX_DATE:
            raise forms.ValidationError(
                pgettext_lazy("activity", "Enter a date between %(min)s and %(max)s."),
                code="out_of_range",
                params={"min": MIN_DATE.isoformat(), "max": MAX_DATE.isoformat()},
            )
        return value

    def clean_date_from(self):
        return self._clean_date("date_from")

    def clean_date_to(self):
        return self._clean_date("date_to")

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error(
                "date_to",
                forms.ValidationError(
                    pgettext_lazy("activity", "The end date must not be before the start date."), code="range"
                ),
            )
        return data

    def query_args(self) -> dict:
        """Keyword arguments for queries.audit_search from the valid, non-empty filters."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return {
            self.QUERY_ARGS[k]: (v.strip() if isinstance(v, str) else v)
            for k, v in data.items()
            if v not in (None, "")
        }


class JobFilterForm(BootstrapMixin, forms.Form):
    status = forms.ChoiceField(
        label=pgettext_lazy("activity", "Status"),
        required=False,
        choices=[("", pgettext_lazy("activity", "All statuses")), *JobStatus.choices],
    )
