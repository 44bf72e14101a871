"""Forms of the ticket pages: they parse input; the actions validate the business rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Priority, TicketChannel, TicketState, TicketType

TEXT = {"class": "form-control"}
SELECT = {"class": "form-select"}


class TicketFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={
                **TEXT,
                "class": "form-control form-control-sm",
                "placeholder": _("Ticket no., customer no., subject"),
            }
        ),
    )
    state = forms.ChoiceField(label=_("State"), required=False)
    team = forms.TypedChoiceField(label=_("Team"), required=False, coerce=int, empty_value=None)
    priority = forms.TypedChoiceField(
        label=_("Priority"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("Any")), *Priority.choices],
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def __init__(self, *args, teams=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [("", _("Any")), ("open", _("All open")), *TicketState.choices]
        self.fields["team"].choices = [("", _("Any")), *teams]
        for name in ("state", "team", "priority"):
            self.fields[name].widget.attrs.update({"class": "form-select form-select-sm"})
        self.fields["overdue"].widget.attrs.update({"class": "form-check-input"})


class TicketCreateForm(forms.Form):
    customer = forms.IntegerField(widget=forms.HiddenInput)
    ticket_type = forms.ChoiceField(
        label=_("Type"), choices=TicketType.choices, widget=forms.Select(attrs=SELECT)
    )
    category = forms.TypedChoiceField(label=_("Category"), coerce=int, widget=forms.Select(attrs=SELECT))
    priority = forms.TypedChoiceField(
        label=_("Priority"),
        coerce=int,
        choices=Priority.choices,
        initial=Priority.P3,
        widget=forms.Select(attrs=SELECT),
    )
    channel = forms.ChoiceField(
        label=_("Channel"), choices=TicketChannel.choices, widget=forms.Select(attrs=SELECT)
    )
    subscription = forms.TypedChoiceField(
        label=_("Line"), coerce=int, required=False, empty_value=None, widget=forms.Select(attrs=SELECT)
    )
    subject = forms.CharField(label=_("Subject"), max_length=200, widget=forms.TextInput(attrs=TEXT))
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={**TEXT, "rows": 4}),
    )

    def __init__(self, *args, categories=(), lines=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", "—"), *categories]
        self.fields["subscription"].choices = [("", "—"), *lines]


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Note"), required=False, max_length=1000, widget=forms.Textarea(attrs={**TEXT, "rows": 2})
    )


class MessageForm(forms.Form):
    message = forms.CharField(
        label=_("Message"), max_length=1000, widget=forms.Textarea(attrs={**TEXT, "rows": 2})
    )
    channel = forms.ChoiceField(
        label=_("Channel"), choices=TicketChannel.choices, initial="phone", widget=forms.Select(attrs=SELECT)
    )


class QuestionForm(forms.Form):
    question = forms.CharField(
        label=_("Question to the customer"), max_length=1000, widget=forms.Textarea(attrs={**TEXT, "rows": 2})
    )


class ResolveForm(forms.Form):
    resolution = forms.CharField(
        label=_("Resolution"), max_length=1000, widget=forms.Textarea(attrs={**TEXT, "rows": 3})
    )


class CloseForm(forms.Form):
    confirmed = forms.BooleanField(
        label=_("The customer confirmed the resolution"),
        required=False,
        initial=True,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=1000, widget=forms.TextInput(attrs=TEXT)
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=1000, widget=forms.Textarea(attrs={**TEXT, "rows": 2})
    )


class AssignForm(forms.Form):
    assignee = forms.TypedChoiceField(label=_("Assignee"), coerce=int, widget=forms.Select(attrs=SELECT))
    note = forms.CharField(
        label=_("Note"), required=False, max_length=1000, widget=forms.TextInput(attrs=TEXT)
    )

    def __init__(self, *args, users=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [("", "—"), *users]


class TicketRefForm(forms.Form):
    """Another ticket, by its number (merge target, mass-fault parent)."""

    target = forms.CharField(label=_("Ticket number"), max_length=20, widget=forms.TextInput(attrs=TEXT))
    note = forms.CharField(
        label=_("Note"), required=False, max_length=1000, widget=forms.TextInput(attrs=TEXT)
    )


class MassUpdateForm(forms.Form):
    message = forms.CharField(
        label=_("Message to every linked customer"),
        max_length=1000,
        widget=forms.Textarea(attrs={**TEXT, "rows": 2}),
    )
    resolve = forms.BooleanField(
        label=_("The fault is fixed: resolve the linked tickets"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
