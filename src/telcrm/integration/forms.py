"""Forms of the integration screens: the error queue's filters, the discard reason, webhooks."""

from __future__ import annotations

from django import forms

from .i18n import _
from .models import Adapter, State

SELECT = {"class": "form-select form-select-sm"}
TEXT = {"class": "form-control form-control-sm"}

OPEN = "open"
ALL = "all"


def state_choices():
    return [(OPEN, _("Open (not finished)")), *State.choices, (ALL, _("All"))]


class _QueueFilter(forms.Form):
    """The error queue shows the dead rows unless another state is chosen."""

    state = forms.ChoiceField(label=_("State"), required=False, widget=forms.Select(attrs=SELECT))

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["state"].choices = state_choices()

    def states(self) -> list[str] | None:
        value = (self.cleaned_data.get("state") if self.is_valid() else "") or State.DEAD
        if value == ALL:
            return None
        if value == OPEN:
            return [State.PENDING, State.IN_FLIGHT, State.FAILED, State.DEAD]
        return [value]

    def filters(self) -> dict:
        data = self.cleaned_data if self.is_valid() else {}
        return {k: v for k, v in data.items() if k != "state" and v}


class DeliveryFilterForm(_QueueFilter):
    topic = forms.CharField(
        label=_("Topic"),
        required=False,
        max_length=64,
        widget=forms.TextInput(attrs={**TEXT, "placeholder": "customer.created / customer.*"}),
    )
    subscription = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)


class CommandFilterForm(_QueueFilter):
    adapter = forms.ChoiceField(label=_("Adapter"), required=False, widget=forms.Select(attrs=SELECT))
    operation = forms.CharField(
        label=_("Operation"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={**TEXT, "placeholder": "activate_line"}),
    )

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["adapter"].choices = [("", _("All adapters")), *Adapter.choices]


class SimulatorFilterForm(forms.Form):
    adapter = forms.ChoiceField(label=_("Adapter"), required=False, widget=forms.Select(attrs=SELECT))

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["adapter"].choices = [("", _("All adapters")), *Adapter.choices]


class DiscardForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=200,
        widget=forms.TextInput(attrs={**TEXT, "placeholder": _("e.g. done by hand in BOSS")}),
    )


class SubscriptionForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, widget=forms.TextInput(attrs=TEXT))
    callback = forms.CharField(
        label=_("Callback URL"),
        max_length=500,
        widget=forms.URLInput(attrs={**TEXT, "placeholder": "https://partner.example/telcrm/events"}),
    )
    topics = forms.CharField(
        label=_("Topics"),
        help_text=_("Separated by commas or spaces: customer.created, order.*, or * for every event."),
        widget=forms.TextInput(attrs=TEXT),
    )
    secret = forms.CharField(
        label=_("Signing secret"),
        required=False,
        max_length=200,
        strip=True,
        widget=forms.PasswordInput(attrs={**TEXT, "autocomplete": "new-password"}),
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["active"].widget.attrs["class"] = "form-check-input"
        self.fields["secret"].help_text = (
            _("Leave empty to keep the current secret.")
            if editing
            else _("Leave empty to have one generated; it is shown once after saving.")
        )
