"""Forms of the coverage pages. They parse and type-check input; the rules (codes, ports, which
technology an element provides, duplicates…) live in ``actions``, whose errors the views put back on
the field they name (web.forms.apply_action_errors)."""

from __future__ import annotations

from django import forms
from django.core.validators import RegexValidator

from telcrm.customers.forms import _small, choices_with_blank
from telcrm.platform.forms_directory import SetupMixin, UnitChoiceField, clean_text, label
from telcrm.platform.models import OrgKind, OrgUnit
from telcrm.platform.parameters import param
from telcrm.web.forms import BootstrapMixin

from .actions import CODE_RE
from .i18n import _
from .models import (
    MAX_BANDWIDTH_MBPS,
    MAX_PORTS,
    CoveredAddress,
    ElementKind,
    ElementStatus,
    NetworkElement,
    Technology,
)
from .parameters import IMPORT_MAX_MB
from .queries import ELEMENT_SORTS

EDITABLE_STATUS_CHOICES = [(c, lbl) for c, lbl in ElementStatus.choices if c != ElementStatus.RETIRED]
ADDRESS_FILTERS = ("city", "district", "technology", "element", "q")


class _Text(forms.CharField):
    def to_python(self, value):
        return clean_text(super().to_python(value))


# --- the check --------------------------------------------------------------------------------------
class CheckForm(BootstrapMixin, forms.Form):
    """An address to check (the clerk's 可装查询)."""

    province = _Text(max_length=40, required=False, label=label(CoveredAddress, "province"))
    city = _Text(max_length=40, label=label(CoveredAddress, "city"))
    district = _Text(max_length=40, required=False, label=label(CoveredAddress, "district"))
    street = _Text(max_length=200, label=label(CoveredAddress, "street"))
    building = _Text(max_length=100, required=False, label=label(CoveredAddress, "building"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        placeholders = {
            "province": "浙江省",
            "city": "杭州市",
            "district": "西湖区",
            "street": _("e.g. 文三路88号"),
            "building": _("e.g. 阳光花园3幢2单元"),
        }
        for name, text in placeholders.items():
            self.fields[name].widget.attrs.update(placeholder=text, autocomplete="off")
        self.fields["city"].error_messages["required"] = _("Enter the city.")
        self.fields["street"].error_messages["required"] = _("Enter the street and house number.")

    def address(self) -> dict:
        return {
            k: self.cleaned_data.get(k, "") for k in ("province", "city", "district", "street", "building")
        }


# --- lists ----------------------------------------------------------------------------------------------
class AddressFilterForm(BootstrapMixin, forms.Form):
    q = _Text(max_length=100, required=False, label=_("Street"))
    city = _Text(max_length=40, required=False, label=label(CoveredAddress, "city"))
    district = _Text(max_length=40, required=False, label=label(CoveredAddress, "district"))
    technology = forms.ChoiceField(
        required=False,
        label=label(CoveredAddress, "technology"),
        choices=choices_with_blank(Technology.choices, _("Any technology")),
    )
    element = _Text(max_length=40, required=False, label=label(CoveredAddress, "element"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _small(self)
        self.fields["q"].widget.input_type = "search"
        self.fields["q"].widget.attrs.update(placeholder=_("Road or road and number"), autocomplete="off")
        self.fields["element"].widget.attrs.update(placeholder=_("Code or its start"), autocomplete="off")
        self.fields["city"].widget.attrs.update(placeholder="杭州", autocomplete="off")
        self.fields["district"].widget.attrs.update(placeholder="西湖区", autocomplete="off")

    def filters(self) -> dict:
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {k: data[k] for k in ADDRESS_FILTERS if data.get(k)}


class ElementFilterForm(BootstrapMixin, forms.Form):
    q = _Text(max_length=100, required=False, label=_("Search"))
    technology = forms.ChoiceField(
        required=False,
        label=label(NetworkElement, "technology"),
        choices=choices_with_blank(Technology.choices, _("Any technology")),
    )
    status = forms.ChoiceField(
        required=False,
        label=label(NetworkElement, "status"),
        choices=choices_with_blank(ElementStatus.choices, _("Any but retired")),
    )
    nearly_full = forms.BooleanField(required=False, label=_("Nearly full only"))
    sort = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _small(self)
        self.fields["q"].widget.input_type = "search"
        self.fields["q"].widget.attrs.update(placeholder=_("Code, name or location"), autocomplete="off")

    def filters(self) -> dict:
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        out = {k: data[k] for k in ("q", "technology", "status") if data.get(k)}
        if data.get("nearly_full"):
            out["nearly_full"] = True
        sort = data.get("sort") or "code"
        out["sort"] = sort if sort in ELEMENT_SORTS else "code"
        return out


# --- writes ---------------------------------------------------------------------------------------------
class ElementForm(BootstrapMixin, SetupMixin, forms.Form):
    code = _Text(
        max_length=40,
        label=label(NetworkElement, "code"),
        validators=[RegexValidator(CODE_RE, _("Use 2–40 letters, digits, dots, dashes or underscores."))],
    )
    name = _Text(max_length=100, required=False, label=label(NetworkElement, "name"))
    kind = forms.ChoiceField(choices=ElementKind.choices, label=label(NetworkElement, "kind"))
    org_unit = UnitChoiceField(queryset=OrgUnit.objects.none(), label=_("Unit that runs it"))
    location = _Text(max_length=200, required=False, label=label(NetworkElement, "location"))
    ports_total = forms.IntegerField(
        min_value=0, max_value=MAX_PORTS, label=label(NetworkElement, "ports_total")
    )
    max_bandwidth_mbps = forms.IntegerField(
        min_value=1, max_value=MAX_BANDWIDTH_MBPS, label=label(NetworkElement, "max_bandwidth_mbps")
    )
    status = forms.ChoiceField(choices=EDITABLE_STATUS_CHOICES, label=label(NetworkElement, "status"))

    def setup(self):
        self.fields["org_unit"].queryset = (
            OrgUnit.objects.restrict(self.actor)
            .filter(is_active=True, kind__in=(OrgKind.PROVINCE, OrgKind.CITY, OrgKind.BRANCH))
            .order_by("path")
        )
        self.fields["kind"].help_text = _(
            "The technology follows: OLT fibre, DSLAM/MSAN copper, 5G cell 5G FWA."
        )
        self.fields["code"].widget.attrs.update(placeholder="HZ-XH-OLT01", autocomplete="off")
        self.fields["location"].widget.attrs.update(placeholder=_("e.g. 西湖区文三路机房"))


class ElementEditForm(ElementForm):
    """The same without the code (it is what orders and imports refer to)."""

    def setup(self):
        super().setup()
        del self.fields["code"]


class AddressForm(BootstrapMixin, forms.Form):
    element = _Text(max_length=40, label=label(CoveredAddress, "element"))
    province = _Text(max_length=40, label=label(CoveredAddress, "province"))
    city = _Text(max_length=40, label=label(CoveredAddress, "city"))
    district = _Text(max_length=40, required=False, label=label(CoveredAddress, "district"))
    street = _Text(max_length=200, label=label(CoveredAddress, "street"))
    building = _Text(max_length=100, required=False, label=label(CoveredAddress, "building"))
    technology = forms.ChoiceField(
        required=False,
        label=label(CoveredAddress, "technology"),
        choices=choices_with_blank(Technology.choices, _("The element's")),
    )
    max_bandwidth_mbps = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_BANDWIDTH_MBPS,
        label=label(CoveredAddress, "max_bandwidth_mbps"),
        help_text=_("Empty: the element's maximum."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["element"].widget.attrs.update(placeholder="HZ-XH-OLT01", autocomplete="off")
        self.fields["street"].widget.attrs.update(placeholder=_("e.g. 文三路88号"))
        self.fields["building"].help_text = _("Empty: every building at this house number is covered.")

    def values(self) -> dict:
        data = dict(self.cleaned_data)
        data["technology"] = data.get("technology") or None
        return data


class ImportForm(BootstrapMixin, forms.Form):
    file = forms.FileField(
        label=_("File"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
        error_messages={
            "required": _("Choose an .xlsx or .csv file to import."),
            "empty": _("The file is empty."),
            "invalid": _("No file was received; choose the file again."),
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.layout = None
        self.fields["file"].help_text = _(
            "Excel workbook (.xlsx) or CSV (UTF-8 or GBK), up to %(max)d MB; the first sheet is read."
        ) % {"max": int(param(IMPORT_MAX_MB))}

    def clean_file(self):
        from .imports import inspect_upload

        f = self.cleaned_data["file"]
        self.layout = inspect_upload(f.file, f.name, f.size)
        return f
