"""Forms of the category and SLA page (service.manage_service)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from telcrm.platform.models import OrgUnit, Role, WorkCalendar

from .models import Priority, TicketCategory

TEXT = {"class": "form-control"}
SELECT = {"class": "form-select"}


class CategoryForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=32, widget=forms.TextInput(attrs=TEXT))
    name = forms.CharField(label=_("Name"), max_length=100, widget=forms.TextInput(attrs=TEXT))
    name_en = forms.CharField(
        label=_("English name"), max_length=100, required=False, widget=forms.TextInput(attrs=TEXT)
    )
    parent = forms.ModelChoiceField(
        label=_("Parent"),
        queryset=TicketCategory.objects.all(),
        required=False,
        widget=forms.Select(attrs=SELECT),
    )
    default_team = forms.ModelChoiceField(
        label=_("Default team"),
        queryset=OrgUnit.objects.filter(is_active=True),
        required=False,
        widget=forms.Select(attrs=SELECT),
        help_text=_("Empty: the parent's team, else the customer's region."),
    )
    queue_role = forms.ModelChoiceField(
        label=_("Queue role"),
        queryset=Role.objects.all(),
        required=False,
        widget=forms.Select(attrs=SELECT),
        help_text=_("Empty: the parent's role, else service staff."),
    )
    calendar = forms.ChoiceField(label=_("Work calendar"), required=False, widget=forms.Select(attrs=SELECT))
    sort = forms.IntegerField(
        label=_("Sort order"),
        required=False,
        min_value=0,
        max_value=32767,
        initial=0,
        widget=forms.NumberInput(attrs=TEXT),
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["calendar"].choices = [("", _("The default calendar"))] + [
            (c.code, c.name) for c in WorkCalendar.objects.order_by("code")
        ]


class TargetsForm(forms.Form):
    """First response and resolution (working minutes) per priority; both empty: inherited."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for value, label in Priority.choices:
            for kind, text in (("response", _("first response")), ("resolution", _("resolution"))):
                self.fields[f"p{value}_{kind}"] = forms.IntegerField(
                    label=f"{label} · {text}",
                    required=False,
                    min_value=1,
                    max_value=525_600,
                    widget=forms.NumberInput(attrs={**TEXT, "class": "form-control form-control-sm"}),
                )

    def targets(self) -> dict[int, tuple[int | None, int | None]]:
        d = self.cleaned_data
        return {v: (d.get(f"p{v}_response"), d.get(f"p{v}_resolution")) for v in Priority.values}

    def rows(self):
        return [
            (label, self[f"p{v}_response"], self[f"p{v}_resolution"], f"p{v}")
            for v, label in Priority.choices
        ]
