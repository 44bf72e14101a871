"""Forms of the stock pages. They only parse input; the rules live in the actions (whose errors
``apply_action_errors`` puts back under the fields)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from telcrm.platform.models import OrgUnit
from telcrm.platform.parameters import param
from telcrm.web.forms import BootstrapMixin

from . import imports, queries
from .models import CountStatus, SimKind, TransferStatus
from .states import ItemState, ItemType


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: OrgUnit) -> str:
        return f"{obj.display_name} ({obj.code})"


def _blank(choices, label):
    return [("", label), *choices]


def _small(form) -> None:
    for f in form.fields.values():
        css = f.widget.attrs.get("class", "")
        f.widget.attrs["class"] = css.replace("form-control", "form-control form-control-sm").replace(
            "form-select", "form-select form-select-sm"
        )


CODES_HELP = _(
    "Scan or paste ICCIDs / IMEIs, one per line (or separated by commas); "
    "FIRST-LAST adds every item in stock in that range."
)


class ItemFilterForm(BootstrapMixin, forms.Form):
    """The filter bar of the item list (GET). Invalid values are reported and ignored."""

    type = forms.ChoiceField(choices=ItemType.choices, required=False, label=_("Item type"))
    q = forms.CharField(required=False, max_length=40, label=_("ICCID / IMSI / IMEI / number"))
    state = forms.ChoiceField(
        required=False, label=_("State"), choices=_blank(ItemState.choices, _("Any state"))
    )
    org_unit = UnitChoiceField(
        queryset=OrgUnit.objects.none(), required=False, label=_("Unit"), empty_label=_("All units")
    )
    kind = forms.ChoiceField(
        required=False, label=_("SIM type"), choices=_blank(SimKind.choices, _("Any type"))
    )
    brand = forms.CharField(required=False, max_length=40, label=_("Brand"))
    batch = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    reference = forms.CharField(required=False, max_length=64, label=_("Order reference"))

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].queryset = queries.stock_units(actor)
        self.fields["org_unit"].error_messages["invalid_choice"] = _("This unit is outside your data scope.")
        self.fields["q"].widget.attrs.update(
            placeholder=_("Exact number, e.g. 8986…"), autocomplete="off", inputmode="numeric"
        )
        _small(self)

    def filters(self) -> dict:
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        out = {"type": data.get("type") or ItemType.SIM}
        for name in ("q", "state", "kind", "brand", "reference"):
            if data.get(name):
                out[name] = data[name]
        if data.get("org_unit"):
            out["org_unit"] = data["org_unit"].pk
        if data.get("batch"):
            out["batch"] = data["batch"]
        return out


class UnitFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(required=False, max_length=60, label=_("Unit"))
    low = forms.BooleanField(required=False, label=_("Only low stock"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs.update(placeholder=_("Unit name or code"))
        _small(self)


class ReceiveForm(BootstrapMixin, forms.Form):
    org_unit = UnitChoiceField(queryset=OrgUnit.objects.none(), label=_("Receiving unit"))
    item_type = forms.ChoiceField(choices=ItemType.choices, label=_("Item type"), widget=forms.RadioSelect)
    sim_kind = forms.ChoiceField(
        choices=SimKind.choices,
        required=False,
        label=_("SIM type (when the file has no type column)"),
        initial=SimKind.TRIPLE,
    )
    supplier = forms.CharField(required=False, max_length=100, label=_("Supplier"))
    delivery_note = forms.CharField(required=False, max_length=64, label=_("Delivery note number"))
    file = forms.FileField(
        label=_("File"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
        error_messages={
            "required": _("Choose an .xlsx or .csv file to import."),
            "empty": _("The file is empty."),
            "invalid": _("No file was received; choose the file again."),
        },
    )

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.layout = None
        units = queries.stock_units(actor)
        self.fields["org_unit"].queryset = units
        self.fields["org_unit"].error_messages["invalid_choice"] = _("This unit is outside your data scope.")
        if actor is not None and units.filter(pk=actor.org_unit_id).exists():
            self.fields["org_unit"].initial = actor.org_unit_id
        self.fields["item_type"].initial = ItemType.SIM
        self.fields["item_type"].widget.attrs["class"] = "form-check-input"
        self.fields["file"].help_text = _(
            "Excel workbook (.xlsx) or CSV (UTF-8 or GBK), up to %(max)d MB; the first sheet is read."
        ) % {"max": int(param("stock.import_max_mb"))}

    def clean(self):
        data = super().clean()
        f, item_type = data.get("file"), data.get("item_type")
        if f is not None and item_type:
            try:
                self.layout = imports.inspect_upload(f.file, f.name, f.size, item_type)
            except forms.ValidationError as exc:
                self.add_error("file", exc)
        return data


class TransferCreateForm(BootstrapMixin, forms.Form):
    from_unit = UnitChoiceField(queryset=OrgUnit.objects.none(), label=_("Sending unit"))
    to_unit = UnitChoiceField(queryset=OrgUnit.objects.none(), label=_("Destination"))
    note = forms.CharField(required=False, max_length=200, label=_("Note"))

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        units = queries.stock_units(actor)
        self.fields["from_unit"].queryset = units
        self.fields["from_unit"].error_messages["invalid_choice"] = _("This unit is outside your data scope.")
        if actor is not None and units.filter(pk=actor.org_unit_id).exists():
            self.fields["from_unit"].initial = actor.org_unit_id
        self.fields["to_unit"].queryset = queries.destination_choices(actor)


class CodesForm(BootstrapMixin, forms.Form):
    codes = forms.CharField(
        label=_("ICCIDs / IMEIs"),
        widget=forms.Textarea(attrs={"rows": 5, "autocomplete": "off", "spellcheck": "false"}),
        help_text=CODES_HELP,
        error_messages={"required": _("Scan or paste at least one ICCID or IMEI.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["codes"].widget.attrs["class"] += " font-monospace"


class ScanForm(CodesForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["codes"].help_text = _("Scan each item on the shelf; the scanner's Enter adds it.")
        self.fields["codes"].widget = forms.TextInput(
            attrs={
                "class": "form-control font-monospace",
                "autocomplete": "off",
                "autofocus": True,
                "inputmode": "numeric",
                "placeholder": _("Scan an ICCID / IMEI"),
            }
        )


class TransferReceiveForm(BootstrapMixin, forms.Form):
    codes = forms.CharField(
        required=False,
        label=_("Items that arrived"),
        widget=forms.Textarea(attrs={"rows": 6, "autocomplete": "off", "spellcheck": "false"}),
        help_text=_("Scan every item in the parcel; items of the transfer not scanned are recorded missing."),
    )
    all_arrived = forms.BooleanField(required=False, label=_("Everything on the list arrived (no scanning)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["codes"].widget.attrs["class"] += " font-monospace"


class ReasonForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(max_length=200, label=_("Reason"), required=False)


class CountCreateForm(BootstrapMixin, forms.Form):
    org_unit = UnitChoiceField(queryset=OrgUnit.objects.none(), label=_("Unit"))
    item_type = forms.ChoiceField(choices=ItemType.choices, label=_("Item type"))
    note = forms.CharField(required=False, max_length=200, label=_("Note"))

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        units = queries.stock_units(actor)
        self.fields["org_unit"].queryset = units
        self.fields["org_unit"].error_messages["invalid_choice"] = _("This unit is outside your data scope.")
        if actor is not None and units.filter(pk=actor.org_unit_id).exists():
            self.fields["org_unit"].initial = actor.org_unit_id


class TransferFilterForm(BootstrapMixin, forms.Form):
    status = forms.ChoiceField(
        required=False, label=_("Status"), choices=_blank(TransferStatus.choices, _("Any status"))
    )
    direction = forms.ChoiceField(
        required=False,
        label=_("Direction"),
        choices=[("", _("Both directions")), ("in", _("Incoming")), ("out", _("Outgoing"))],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _small(self)

    def filters(self) -> dict:
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {k: data[k] for k in ("status", "direction") if data.get(k)}


class CountFilterForm(BootstrapMixin, forms.Form):
    status = forms.ChoiceField(
        required=False, label=_("Status"), choices=_blank(CountStatus.choices, _("Any status"))
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _small(self)
