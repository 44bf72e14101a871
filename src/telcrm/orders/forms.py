"""Forms of the process and work-order pages. They parse input; the actions validate the rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from telcrm.platform.models import OrgUnit, User
from telcrm.web.forms import BootstrapMixin

from .models import WorkOrderState
from .permissions import HANDLE_WORKORDER
from .processes.bpmn import MAX_XML

BPMN_FILE_HELP = _(
    "A .bpmn file (BPMN 2.0 XML), e.g. from the built-in modeler, Camunda Modeler or spiff-arena."
)


def read_upload(upload) -> str:
    """The text of an uploaded BPMN file (UTF-8, with or without a byte-order mark)."""
    if upload is None:
        return ""
    if upload.size > MAX_XML:
        raise forms.ValidationError(_("The file is too large."), code="too_large")
    try:
        return upload.read().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise forms.ValidationError(_("The file is not UTF-8 text."), code="encoding") from exc


class DefinitionCreateForm(BootstrapMixin, forms.Form):
    key = forms.CharField(
        label=pgettext_lazy("orders", "Key"), max_length=100, help_text=_("e.g. order.new_line")
    )
    name = forms.CharField(label=pgettext_lazy("orders", "Name"), max_length=100)
    name_en = forms.CharField(label=pgettext_lazy("orders", "English name"), max_length=100, required=False)
    description = forms.CharField(
        label=pgettext_lazy("orders", "Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    bpmn_file = forms.FileField(
        label=pgettext_lazy("orders", "BPMN file"),
        required=False,
        help_text=_("Leave empty to start from a simple flow you then edit."),
    )

    def clean_bpmn_file(self):
        return read_upload(self.cleaned_data.get("bpmn_file"))


class DefinitionEditForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=pgettext_lazy("orders", "Name"), max_length=100)
    name_en = forms.CharField(label=pgettext_lazy("orders", "English name"), max_length=100, required=False)
    description = forms.CharField(
        label=pgettext_lazy("orders", "Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class UploadForm(BootstrapMixin, forms.Form):
    bpmn_file = forms.FileField(label=pgettext_lazy("orders", "BPMN file"), help_text=BPMN_FILE_HELP)
    comment = forms.CharField(label=pgettext_lazy("orders", "Comment"), max_length=200, required=False)

    def clean_bpmn_file(self):
        return read_upload(self.cleaned_data.get("bpmn_file"))


class DraftForm(forms.Form):
    bpmn_xml = forms.CharField(
        label=pgettext_lazy("orders", "BPMN XML"), max_length=MAX_XML, strip=False, widget=forms.Textarea
    )
    comment = forms.CharField(label=pgettext_lazy("orders", "Comment"), max_length=200, required=False)
    draft_token = forms.CharField(required=False, widget=forms.HiddenInput)


class PublishForm(BootstrapMixin, forms.Form):
    comment = forms.CharField(label=pgettext_lazy("orders", "Comment"), max_length=200, required=False)


class ReasonForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(label=pgettext_lazy("orders", "Reason"), max_length=200)


class NoteForm(BootstrapMixin, forms.Form):
    note = forms.CharField(label=pgettext_lazy("orders", "Note"), max_length=500, required=False)


class ReassignForm(BootstrapMixin, forms.Form):
    assignee = forms.ModelChoiceField(
        label=pgettext_lazy("orders", "Give to"), queryset=User.objects.none(), required=False
    )
    queue_unit = forms.ModelChoiceField(
        label=pgettext_lazy("orders", "Or move to the queue of"),
        queryset=OrgUnit.objects.none(),
        required=False,
    )
    note = forms.CharField(label=pgettext_lazy("orders", "Note"), max_length=500, required=False)

    def __init__(self, *args, work_order, actor, **kwargs):
        super().__init__(*args, **kwargs)
        unit = work_order.org_unit
        people = User.objects.filter(
            is_active=True,
            org_unit__path__startswith=unit.path,
            role__permissions__codename=HANDLE_WORKORDER.split(".")[1],
        ).distinct()
        self.fields["assignee"].queryset = people.select_related("org_unit").order_by(
            "org_unit__path", "username"
        )
        self.fields["queue_unit"].queryset = (
            OrgUnit.objects.restrict(actor).filter(is_active=True).order_by("path")
        )


class EscalateForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(label=pgettext_lazy("orders", "Reason"), max_length=200)
    to_unit = forms.ModelChoiceField(
        label=pgettext_lazy("orders", "Move to the queue of"),
        queryset=OrgUnit.objects.none(),
        required=False,
        help_text=_("Optional: a unit above the current queue."),
    )

    def __init__(self, *args, work_order, actor, **kwargs):
        super().__init__(*args, **kwargs)
        above = [int(p) for p in work_order.org_unit.path.split(".") if p][:-1]
        self.fields["to_unit"].queryset = (
            OrgUnit.objects.restrict(actor).filter(pk__in=above).order_by("path")
        )


class CompleteForm(BootstrapMixin, forms.Form):
    """The outcome and the fields a work order's task asks for (from its BPMN properties)."""

    WIDGETS = {
        "text": lambda: forms.CharField(max_length=500),
        "number": lambda: forms.DecimalField(max_digits=18, decimal_places=4),
        "bool": lambda: forms.BooleanField(),
        "date": lambda: forms.DateField(widget=forms.DateInput(attrs={"type": "date"})),
        "datetime": lambda: forms.DateTimeField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"})),
        "unit": lambda: forms.CharField(max_length=50, help_text=_("Org unit code")),
        "user": lambda: forms.CharField(max_length=64, help_text=_("Username")),
    }

    def __init__(self, *args, work_order, **kwargs):
        super().__init__(*args, **kwargs)
        from telcrm.platform.models.base import english_ui

        en = english_ui()
        if work_order.outcomes:
            self.fields["outcome"] = forms.ChoiceField(
                label=pgettext_lazy("orders", "Outcome"),
                choices=[
                    (o["code"], (o.get("label_en") or o["label"]) if en else o["label"])
                    for o in work_order.outcomes
                ],
                widget=forms.RadioSelect,
            )
        for f in work_order.form or []:
            field = self.WIDGETS.get(f.get("type"), self.WIDGETS["text"])()
            field.required = bool(f.get("required")) and f.get("type") != "bool"
            field.label = (
                (f.get("label_en") or f.get("label") or f["name"]) if en else (f.get("label") or f["name"])
            )
            self.fields[f"f_{f['name']}"] = field
        self.fields["note"] = forms.CharField(
            label=pgettext_lazy("orders", "Note"), max_length=500, required=False
        )
        for field in self.fields.values():  # the mixin styled the fields there were before these
            w = field.widget
            if isinstance(w, forms.RadioSelect):
                continue
            css = "form-check-input" if isinstance(w, forms.CheckboxInput) else "form-control"
            if css not in w.attrs.get("class", ""):
                w.attrs["class"] = f"{w.attrs.get('class', '')} {css}".strip()

    def field_values(self) -> dict:
        return {k[2:]: v for k, v in self.cleaned_data.items() if k.startswith("f_")}


class WorkOrderFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label=pgettext_lazy("orders", "Number or order"), max_length=64, required=False)
    state = forms.ChoiceField(label=pgettext_lazy("orders", "State"), required=False)
    category = forms.ChoiceField(label=pgettext_lazy("orders", "Category"), required=False)
    overdue = forms.BooleanField(label=pgettext_lazy("orders", "Overdue only"), required=False)

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [
            ("", _("Any")),
            ("active", _("Open or claimed")),
            *WorkOrderState.choices,
        ]
        self.fields["category"].choices = [("", _("Any")), *categories]
