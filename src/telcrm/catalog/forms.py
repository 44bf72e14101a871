"""Forms of the catalog pages. They only parse and present; the rules live in the actions."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext_lazy as _

from telcrm.platform.money import yuan_to_fen
from telcrm.web.forms import BootstrapMixin

from .models import (
    Category,
    LifecycleStatus,
    OfferingKind,
    PriceType,
    ProductOffering,
    ProductSpecification,
    SalesChannel,
    SpecKind,
    TariffCharge,
    TariffKind,
    TariffStatus,
    UsageUnit,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
FEATURES = (
    ("data_gb", _("Data (GB)")),
    ("voice_min", _("Voice (minutes)")),
    ("sms", _("SMS")),
    ("speed_mbps", _("Speed (Mbps)")),
)


def to_fen(value) -> int | None:
    """A yuan amount the form field has validated (two decimals at most) in fen; None when empty."""
    if value in (None, ""):
        return None
    return yuan_to_fen(value)


def from_fen(value) -> Decimal | None:
    if value in (None, ""):
        return None
    return (Decimal(int(value)) / 100).quantize(Decimal("0.01"))


class YuanField(forms.DecimalField):
    """An amount in yuan with two decimals (stored as integer fen)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("min_value", Decimal("0"))
        super().__init__(**kwargs)
        self.widget.attrs.update(step="0.01", inputmode="decimal")


# --- clerk's browse page ---------------------------------------------------------------------------
class BrowseFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(
        label=_("Search offerings"),
        required=False,
        max_length=60,
        widget=forms.TextInput(attrs={"placeholder": _("Name or code"), "type": "search"}),
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *OfferingKind.choices]
    )
    channel = forms.ChoiceField(label=_("Channel"), required=False, choices=SalesChannel.choices)

    def filters(self) -> dict:
        if not self.is_valid():
            return {"q": "", "kind": "", "channel": SalesChannel.COUNTER}
        d = self.cleaned_data
        return {"q": d["q"].strip(), "kind": d["kind"], "channel": d["channel"] or SalesChannel.COUNTER}


# --- product managers ------------------------------------------------------------------------------
class OfferingFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=60,
        widget=forms.TextInput(attrs={"placeholder": _("Name or code"), "type": "search"}),
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *OfferingKind.choices]
    )
    status = forms.ChoiceField(
        label=_("Lifecycle status"),
        required=False,
        choices=[("", _("Newest version of each")), *LifecycleStatus.choices],
    )

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v}


class OfferingForm(BootstrapMixin, forms.Form):
    code = forms.CharField(
        label=_("Code"), max_length=40, help_text=_("Stays the same across versions, e.g. 5G-CX-128")
    )
    name = forms.CharField(label=_("Name"), max_length=100)
    name_en = forms.CharField(label=_("English name"), max_length=100, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=OfferingKind.choices)
    specification = forms.ModelChoiceField(
        label=_("Product specification"), queryset=ProductSpecification.objects.none(), required=False
    )
    categories = forms.ModelMultipleChoiceField(
        label=_("Categories"),
        queryset=Category.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    valid_from = forms.DateField(label=_("Valid from"), required=False, widget=DATE)
    valid_to = forms.DateField(label=_("Valid to"), required=False, widget=DATE)
    channels = forms.MultipleChoiceField(
        label=_("Sales channels"),
        choices=SalesChannel.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: sold in every channel"),
    )
    applies_to_codes = forms.CharField(
        label=_("Add-on for offerings"),
        required=False,
        max_length=400,
        help_text=_("Add-ons only: codes of the plans it can be added to, separated by spaces"),
    )
    applies_to_kinds = forms.MultipleChoiceField(
        label=_("Add-on for kinds"),
        choices=[c for c in OfferingKind.choices if c[0] != OfferingKind.ADD_ON],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    data_gb = forms.IntegerField(label=_("Data (GB)"), required=False, min_value=0)
    voice_min = forms.IntegerField(label=_("Voice (minutes)"), required=False, min_value=0)
    sms = forms.IntegerField(label=_("SMS"), required=False, min_value=0)
    speed_mbps = forms.IntegerField(label=_("Speed (Mbps)"), required=False, min_value=0)
    commitment_months = forms.IntegerField(
        label=_("Commitment (months)"), required=False, min_value=0, initial=0
    )
    sort = forms.IntegerField(label=_("Sort order"), required=False, min_value=0, initial=0)

    def __init__(self, *args, offering: ProductOffering | None = None, **kwargs):
        if offering is not None and "initial" not in kwargs:
            kwargs["initial"] = self.initial_for(offering)
        super().__init__(*args, **kwargs)
        self.fields["specification"].queryset = ProductSpecification.objects.exclude(
            lifecycle_status=LifecycleStatus.RETIRED
        ).order_by("code")
        self.fields["categories"].queryset = Category.objects.order_by("sort", "code")
        if offering is not None:
            self.fields["code"].disabled = True
            self.fields["code"].required = False
        for name in ("channels", "applies_to_kinds"):
            self.fields[name].widget.attrs["class"] = ""  # rendered as check boxes by the template

    @staticmethod
    def initial_for(o: ProductOffering) -> dict:
        features = o.features or {}
        return {
            "code": o.code,
            "name": o.name,
            "name_en": o.name_en,
            "kind": o.kind,
            "specification": o.specification_id,
            "categories": list(o.categories.values_list("pk", flat=True)),
            "description": o.description,
            "valid_from": o.valid_from.date() if o.valid_from else None,
            "valid_to": o.valid_to.date() if o.valid_to else None,
            "channels": o.channels,
            "applies_to_codes": " ".join(o.applies_to_codes or []),
            "applies_to_kinds": o.applies_to_kinds,
            "commitment_months": o.commitment_months,
            "sort": o.sort,
            **{k: features.get(k) for k, _label in FEATURES},
        }

    def action_data(self, offering: ProductOffering | None = None) -> dict:
        d = self.cleaned_data
        features = dict((offering.features or {}) if offering else {})
        for key, _label in FEATURES:
            if d.get(key) is None:
                features.pop(key, None)
            else:
                features[key] = d[key]
        out = {
            "name": d["name"],
            "name_en": d["name_en"],
            "kind": d["kind"],
            "specification": d["specification"],
            "categories": list(d["categories"]),
            "description": d["description"],
            "valid_from": d["valid_from"],
            "valid_to": d["valid_to"],
            "channels": d["channels"],
            "applies_to_codes": d["applies_to_codes"].replace(",", " ").split(),
            "applies_to_kinds": d["applies_to_kinds"],
            "features": features,
            "commitment_months": d["commitment_months"] or 0,
            "sort": d["sort"] or 0,
        }
        if offering is None:
            out["code"] = d["code"]
        return out


class PriceForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    name_en = forms.CharField(label=_("English name"), max_length=100, required=False)
    price_type = forms.ChoiceField(label=_("Price type"), choices=PriceType.choices)
    amount = YuanField(label=_("Amount (yuan)"))
    usage_unit = forms.ChoiceField(
        label=_("Usage unit"), required=False, choices=[("", "—"), *UsageUnit.choices]
    )
    unit_amount = forms.IntegerField(
        label=_("Units per amount"), required=False, min_value=1, initial=1, help_text=_("Usage prices only")
    )
    valid_from = forms.DateField(label=_("Valid from"), required=False, widget=DATE)
    valid_to = forms.DateField(label=_("Valid to"), required=False, widget=DATE, help_text=_("Empty: no end"))

    def __init__(self, *args, price=None, **kwargs):
        if price is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "name": price.name,
                "name_en": price.name_en,
                "price_type": price.price_type,
                "amount": from_fen(price.amount_fen),
                "usage_unit": price.usage_unit,
                "unit_amount": price.unit_amount,
                "valid_from": price.valid_from.date() if price.valid_from else None,
                "valid_to": price.valid_to.date() if price.valid_to else None,
            }
        super().__init__(*args, **kwargs)

    def action_data(self) -> dict:
        d = self.cleaned_data
        return {
            "name": d["name"],
            "name_en": d["name_en"],
            "price_type": d["price_type"],
            "amount_fen": to_fen(d["amount"]),
            "usage_unit": d["usage_unit"] if d["price_type"] == PriceType.USAGE else "",
            "unit_amount": d["unit_amount"] or 1,
            "recurring_period": "month" if d["price_type"] == PriceType.RECURRING else "",
            "valid_from": d["valid_from"],
            "valid_to": d["valid_to"],
        }


class MemberForm(BootstrapMixin, forms.Form):
    member = forms.ChoiceField(label=_("Member offering"))
    min_qty = forms.IntegerField(label=_("Minimum"), min_value=0, max_value=99, initial=1)
    max_qty = forms.IntegerField(label=_("Maximum"), min_value=1, max_value=99, initial=1)
    optional = forms.BooleanField(label=_("Optional"), required=False)

    def __init__(self, *args, bundle: ProductOffering, **kwargs):
        super().__init__(*args, **kwargs)
        rows = (
            ProductOffering.objects.filter(lifecycle_status=LifecycleStatus.ACTIVE, is_bundle=False)
            .exclude(code=bundle.code)
            .order_by("kind", "sort", "code")
            .values_list("code", "name", "kind")
        )
        self.fields["member"].choices = [("", "—")] + [(c, f"{c} · {n}") for c, n, _k in rows]


class SpecificationForm(BootstrapMixin, forms.Form):
    code = forms.CharField(label=_("Code"), max_length=40)
    name = forms.CharField(label=_("Name"), max_length=100)
    name_en = forms.CharField(label=_("English name"), max_length=100, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=SpecKind.choices)
    brand = forms.CharField(label=_("Brand"), max_length=60, required=False)
    lifecycle_status = forms.ChoiceField(
        label=_("Lifecycle status"), choices=LifecycleStatus.choices, initial=LifecycleStatus.ACTIVE
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    characteristics = forms.CharField(
        label=_("Characteristics"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "class": "font-monospace"}),
        help_text=_("One per line: name: value, value, …"),
    )

    def __init__(self, *args, spec=None, **kwargs):
        if spec is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "code": spec.code,
                "name": spec.name,
                "name_en": spec.name_en,
                "kind": spec.kind,
                "brand": spec.brand,
                "lifecycle_status": spec.lifecycle_status,
                "description": spec.description,
                "characteristics": "\n".join(
                    f"{c.get('name')}: {', '.join(str(v) for v in c.get('values', []))}"
                    for c in spec.characteristics or []
                    if isinstance(c, dict)
                ),
            }
        super().__init__(*args, **kwargs)
        if spec is not None:
            self.fields["code"].disabled = True
            self.fields["code"].required = False

    def clean_characteristics(self) -> list:
        out = []
        for line in (self.cleaned_data.get("characteristics") or "").splitlines():
            if not line.strip():
                continue
            name, _sep, values = line.partition(":")
            if not name.strip():
                raise forms.ValidationError(_("Each line starts with a name, then a colon."), code="invalid")
            out.append(
                {
                    "name": name.strip(),
                    "valueType": "string",
                    "values": [v.strip() for v in values.split(",") if v.strip()],
                }
            )
        return out

    def action_data(self, *, create: bool) -> dict:
        d = dict(self.cleaned_data)
        if not create:
            d.pop("code", None)
        return d


class CategoryForm(BootstrapMixin, forms.Form):
    code = forms.CharField(label=_("Code"), max_length=40)
    name = forms.CharField(label=_("Name"), max_length=100)
    name_en = forms.CharField(label=_("English name"), max_length=100, required=False)
    parent = forms.ModelChoiceField(
        label=_("Parent category"), queryset=Category.objects.none(), required=False
    )
    sort = forms.IntegerField(label=_("Sort order"), min_value=0, initial=0, required=False)
    lifecycle_status = forms.ChoiceField(
        label=_("Lifecycle status"), choices=LifecycleStatus.choices, initial=LifecycleStatus.ACTIVE
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, category=None, **kwargs):
        if category is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "code": category.code,
                "name": category.name,
                "name_en": category.name_en,
                "parent": category.parent_id,
                "sort": category.sort,
                "lifecycle_status": category.lifecycle_status,
                "description": category.description,
            }
        super().__init__(*args, **kwargs)
        qs = Category.objects.order_by("sort", "code")
        if category is not None:
            qs = qs.exclude(pk=category.pk)
            self.fields["code"].disabled = True
            self.fields["code"].required = False
        self.fields["parent"].queryset = qs

    def action_data(self, *, create: bool) -> dict:
        d = dict(self.cleaned_data)
        d["sort"] = d.get("sort") or 0
        if not create:
            d.pop("code", None)
        return d


# --- group tariffs --------------------------------------------------------------------------------
class TariffForm(BootstrapMixin, forms.Form):
    TARGETS = (("offering", _("One offering (every version)")), ("category", _("A category")))

    name = forms.CharField(
        label=_("Name"), max_length=100, help_text=_("Shown on quotes, e.g. 2026 group rate")
    )
    target = forms.ChoiceField(
        label=_("Applies to"), choices=TARGETS, initial="offering", widget=forms.RadioSelect
    )
    offering_code = forms.ChoiceField(label=_("Offering"), required=False)
    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.none(), required=False)
    kind = forms.ChoiceField(label=_("Discount kind"), choices=TariffKind.choices)
    charge = forms.ChoiceField(
        label=_("Applies to charge"), choices=TariffCharge.choices, initial=TariffCharge.RECURRING
    )
    value = forms.DecimalField(
        label=_("Value"),
        min_value=Decimal("0"),
        max_digits=12,
        decimal_places=2,
        help_text=_("Percent for a percentage off; yuan for an amount off or a special price"),
    )
    valid_from = forms.DateField(label=_("Valid from"), widget=DATE)
    valid_to = forms.DateField(label=_("Valid to"), required=False, widget=DATE)
    reason = forms.CharField(
        label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )

    def __init__(self, *args, tariff=None, **kwargs):
        if tariff is not None and "initial" not in kwargs:
            value = tariff.value if tariff.kind == TariffKind.PERCENT_OFF else from_fen(tariff.value)
            kwargs["initial"] = {
                "name": tariff.name,
                "target": "offering" if tariff.offering_code else "category",
                "offering_code": tariff.offering_code,
                "category": tariff.category_id,
                "kind": tariff.kind,
                "charge": tariff.charge,
                "value": value,
                "valid_from": tariff.valid_from,
                "valid_to": tariff.valid_to,
                "reason": tariff.reason,
            }
        super().__init__(*args, **kwargs)
        rows = (
            ProductOffering.objects.filter(lifecycle_status=LifecycleStatus.ACTIVE)
            .order_by("kind", "sort", "code")
            .values_list("code", "name")
        )
        self.fields["offering_code"].choices = [("", "—")] + [(c, f"{c} · {n}") for c, n in rows]
        self.fields["category"].queryset = Category.objects.order_by("sort", "code")
        self.fields["target"].widget.attrs["class"] = "form-check-input"

    def action_data(self) -> dict:
        d = self.cleaned_data
        value = d["value"]
        if d["kind"] == TariffKind.PERCENT_OFF:
            try:
                number = int(value) if value == value.to_integral_value() else None
            except (InvalidOperation, TypeError):
                number = None
            if number is None:
                raise forms.ValidationError({"value": _("A percentage off is a whole number.")})
        else:
            number = to_fen(value)
        by_offering = d["target"] == "offering"
        return {
            "name": d["name"],
            "offering_code": d["offering_code"] if by_offering else "",
            "category": None if by_offering else d["category"],
            "kind": d["kind"],
            "charge": d["charge"],
            "value": number,
            "valid_from": d["valid_from"],
            "valid_to": d["valid_to"],
            "reason": d["reason"],
        }


class TariffFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=60,
        widget=forms.TextInput(
            attrs={"placeholder": _("Customer, tariff or offering code"), "type": "search"}
        ),
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *TariffStatus.choices]
    )

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v}


class DecisionForm(BootstrapMixin, forms.Form):
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
