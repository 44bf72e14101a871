"""Forms of the pending-installation pages. They parse input; the actions check the rules (a slot that is
full or gone, an installer of another team, a missing serial)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from telcrm.platform.models import OrgUnit, User
from telcrm.platform.queries.config import dictionary_choices
from telcrm.web.forms import BootstrapMixin

from . import installation_slots as slots
from .forms import CompleteForm
from .installation_config import FAILURE_DICT
from .models import InstallResult, InstallState

# fields of the visit's task the field page asks itself (not repeated from the task's form)
OWN_FIELDS = ("ont_serial",)


class SlotField(forms.CharField):
    """A slot as ``YYYY-MM-DD|window`` (the value of a radio of the slot grid) → (day, window)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", pgettext_lazy("installation", "Appointment slot"))
        kwargs.setdefault("max_length", 70)
        kwargs.setdefault("widget", forms.HiddenInput)
        kwargs.setdefault("error_messages", {"required": _("Choose a free slot.")})
        super().__init__(**kwargs)

    def clean(self, value):
        text = super().clean(value)
        day, _sep, window = str(text).partition("|")
        try:
            return dt.date.fromisoformat(day), window
        except ValueError:
            raise forms.ValidationError(_("Choose a free slot."), code="invalid") from None


class DispatchForm(BootstrapMixin, forms.Form):
    team = forms.ModelChoiceField(
        label=pgettext_lazy("installation", "Installer team"), queryset=OrgUnit.objects.none()
    )
    slot = SlotField()
    installer = forms.ModelChoiceField(
        label=pgettext_lazy("installation", "Installer"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("Optional: leave empty to put the visit in the team's queue."),
    )
    reason = forms.CharField(
        label=pgettext_lazy("installation", "Reason for the change"), max_length=200, required=False
    )
    note = forms.CharField(label=pgettext_lazy("installation", "Note"), max_length=500, required=False)

    def __init__(self, *args, installation, **kwargs):
        super().__init__(*args, **kwargs)
        teams = slots.installer_teams(near=installation.instance.org_unit)
        self.fields["team"].queryset = teams
        team = self.data.get("team") if self.is_bound else (installation.team_id or "")
        if not team and teams[:1]:
            team = teams[0].pk
        self.fields["team"].initial = team
        unit = teams.filter(pk=team).first() if str(team).isdigit() else None
        self.team = unit
        self.fields["installer"].queryset = slots.installers(unit) if unit else User.objects.none()


class BookForm(BootstrapMixin, forms.Form):
    slot = SlotField()
    reason = forms.CharField(
        label=pgettext_lazy("installation", "Reason for the change"),
        max_length=200,
        required=False,
        help_text=_("Required when the installation is booked already."),
    )


class AssignForm(BootstrapMixin, forms.Form):
    installer = forms.ModelChoiceField(
        label=pgettext_lazy("installation", "Installer"), queryset=User.objects.none()
    )
    note = forms.CharField(label=pgettext_lazy("installation", "Note"), max_length=500, required=False)

    def __init__(self, *args, work_order, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["installer"].queryset = slots.installers(
            work_order.org_unit, role_id=work_order.queue_role_id
        )
        self.fields["installer"].initial = work_order.assignee_id


class FinishForm(forms.Form):
    """The installer's report: the result, why it failed or the serials, notes — and the fields the
    visit's task asks (from its BPMN form), needed when it is installed."""

    result = forms.ChoiceField(
        label=pgettext_lazy("installation", "Result"), choices=InstallResult.choices, widget=forms.RadioSelect
    )
    failure_reason = forms.ChoiceField(label=pgettext_lazy("installation", "Why not"), required=False)
    ont_serial = forms.CharField(
        label=pgettext_lazy("installation", "ONT serial"), max_length=40, required=False
    )
    other_serials = forms.CharField(
        label=pgettext_lazy("installation", "Other equipment serials"),
        max_length=400,
        required=False,
        help_text=_("Set-top box, router …, separated by spaces or commas."),
    )
    notes = forms.CharField(
        label=pgettext_lazy("installation", "Notes"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, work_order, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["failure_reason"].choices = [("", "—"), *dictionary_choices(FAILURE_DICT)]
        task = CompleteForm(work_order=work_order)
        self.task_names = []
        # required to install (the action checks them then); marked on the page
        self.task_required = {f"f_{f['name']}" for f in work_order.form or [] if f.get("required")}
        for name, field in task.fields.items():
            if not name.startswith("f_") or name[2:] in OWN_FIELDS:
                continue
            field.required = False
            self.fields[name] = field
            self.task_names.append(name)
        for field in self.fields.values():
            w = field.widget
            if isinstance(w, forms.RadioSelect):
                continue
            css = "form-check-input" if isinstance(w, forms.CheckboxInput) else "form-control form-control-lg"
            if isinstance(w, forms.Select):
                css = "form-select form-select-lg"
            w.attrs["class"] = css
        self.fields["ont_serial"].widget.attrs.update(autocapitalize="characters", autocomplete="off")

    @property
    def task_fields(self):
        return [self[name] for name in self.task_names]

    def answers(self) -> dict:
        return {k[2:]: v for k, v in self.cleaned_data.items() if k.startswith("f_")}


class CapacityForm(BootstrapMixin, forms.Form):
    team = forms.ModelChoiceField(
        label=pgettext_lazy("installation", "Installer team"), queryset=OrgUnit.objects.none()
    )
    window = forms.ChoiceField(label=pgettext_lazy("installation", "Time window"), required=False)
    day = forms.DateField(
        label=pgettext_lazy("installation", "Day"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leave empty for every day."),
    )
    capacity = forms.IntegerField(
        label=pgettext_lazy("installation", "Installations per slot"), min_value=0, max_value=500
    )

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams
        self.fields["window"].choices = [
            ("", _("Every window")),
            *[(w.code, w.display) for w in slots.windows()],
        ]


class InstallationFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label=pgettext_lazy("installation", "Number or order"), max_length=64, required=False)
    state = forms.ChoiceField(label=pgettext_lazy("installation", "State"), required=False)
    team = forms.ModelChoiceField(
        label=pgettext_lazy("installation", "Installer team"), queryset=OrgUnit.objects.none(), required=False
    )
    overdue = forms.BooleanField(label=pgettext_lazy("installation", "Late only"), required=False)

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [
            ("", _("Pending")),
            ("all", _("Any")),
            *InstallState.choices,
        ]
        self.fields["team"].queryset = teams
