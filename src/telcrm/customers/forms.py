"""Forms of the customer UI (CUS-1…CUS-8).

They parse and type-check input; the rules of the business (ID number check digit, phone format,
uniqueness, blacklist periods…) are checked by ``customers.actions``, whose ValidationErrors the
views put back on these forms with :func:`apply_errors` — on the field they name.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from telcrm.platform import queries as platform_queries
from telcrm.platform.forms_directory import SetupMixin, UnitChoiceField, clean_text, label
from telcrm.platform.models import OrgUnit, User
from telcrm.web.forms import BootstrapMixin, apply_action_errors

from .models import (
    Address,
    AddressKind,
    BlacklistEffect,
    BlacklistEntry,
    ContactMedium,
    ContactPerson,
    Customer,
    CustomerStatus,
    CustomerType,
    Gender,
    LoyaltyClass,
    MediumKind,
    Party,
    Tag,
    ValueTier,
)
from .queries import CUSTOMER_SORTS

DEFAULT_SORT = "-id"  # newest first; the column headers link to CUSTOMER_SORTS

# Fields of the address block of the create form → keys of the ``address`` dict of customer_create.
ADDRESS_FIELDS = ("kind", "province", "city", "district", "street", "postcode")


def apply_errors(form, exc, aliases: dict[str, str] | None = None) -> None:
    """Like web.forms.apply_action_errors, with field names of the action mapped to the form's
    (``{"address.street": "address_street"}``; a dotted name ``a.b`` also tries ``a_b`` and ``b``)."""
    from django.core.exceptions import ValidationError

    if not isinstance(exc, ValidationError) or not hasattr(exc, "error_dict"):
        apply_action_errors(form, exc)
        return
    mapped: dict[str, list] = {}
    for name, errors in exc.error_dict.items():
        target = (aliases or {}).get(name, name)
        if target not in form.fields and "." in name:
            head, _dot, tail = name.partition(".")
            for candidate in (f"{head}_{tail}", tail):
                if candidate in form.fields:
                    target = candidate
                    break
        mapped.setdefault(target, []).extend(errors)
    apply_action_errors(form, ValidationError(mapped))


def _small(form) -> None:
    """Compact widgets for filter bars."""
    for field in form.fields.values():
        w = field.widget
        css = w.attrs.get("class", "")
        w.attrs["class"] = css.replace("form-control", "form-control form-control-sm").replace(
            "form-select", "form-select form-select-sm"
        )


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class TagChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Tag) -> str:
        from django.utils.translation import get_language

        return obj.name_en if (get_language() or "").startswith("en") and obj.name_en else obj.name


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.full_name or obj.username} ({obj.org_unit.display_name})"


def choices_with_blank(choices, blank) -> list:
    return [("", blank), *list(choices)]


# --- the customer list ------------------------------------------------------------------------
class CustomerFilterForm(BootstrapMixin, SetupMixin, forms.Form):
    """The filter bar of the customer list (GET). Invalid values are reported and ignored."""

    q = forms.CharField(required=False, max_length=100, label=_("Search"))
    org_unit = UnitChoiceField(
        queryset=OrgUnit.objects.none(),
        required=False,
        label=label(Customer, "org_unit"),
        empty_label=_("All units"),
    )
    status = forms.ChoiceField(
        required=False,
        label=label(Customer, "status"),
        choices=choices_with_blank(CustomerStatus.choices, _("Any status")),
    )
    customer_type = forms.ChoiceField(
        required=False,
        label=label(Customer, "customer_type"),
        choices=choices_with_blank(CustomerType.choices, _("Any type")),
    )
    value_tier = forms.ChoiceField(
        required=False,
        label=label(Customer, "value_tier"),
        choices=choices_with_blank(ValueTier.choices, _("Any tier")),
    )
    loyalty_class = forms.ChoiceField(
        required=False,
        label=label(Customer, "loyalty_class"),
        choices=choices_with_blank(LoyaltyClass.choices, _("Any class")),
    )
    tag = forms.ChoiceField(required=False, label=_("Tag"))
    created_from = forms.DateField(required=False, label=_("Created from"), widget=DateInput())
    created_to = forms.DateField(required=False, label=_("Created to"), widget=DateInput())
    sort = forms.CharField(required=False, widget=forms.HiddenInput)

    TEXT_FILTERS = ("status", "customer_type", "value_tier", "loyalty_class", "tag")

    def setup(self):
        self.fields["org_unit"].queryset = platform_queries.org_unit_list(self.actor)
        self.fields["org_unit"].error_messages["invalid_choice"] = _("This unit is outside your data scope.")
        self.fields["tag"].choices = [("", _("Any tag"))] + [
            (t.code, TagChoiceField.label_from_instance(None, t)) for t in Tag.objects.all()
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _small(self)
        self.fields["q"].widget.input_type = "search"
        self.fields["q"].widget.attrs.update(
            placeholder=_("Name, pinyin initials, phone, ID number, customer or account no."),
            autofocus=True,
            autocomplete="off",
        )

    def clean_q(self):
        return clean_text(self.cleaned_data["q"])

    def clean(self):
        data = super().clean()
        a, b = data.get("created_from"), data.get("created_to")
        if a and b and a > b:
            self.add_error("created_to", _("“Created to” lies before “Created from”."))
        return data

    def filters(self) -> dict:
        """The valid filters as JSON-safe keyword arguments of queries.customer_list (and the export)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        out: dict = {}
        if data.get("q"):
            out["q"] = data["q"]
        if data.get("org_unit"):
            out["org_unit"] = data["org_unit"].pk
        for name in self.TEXT_FILTERS:
            if data.get(name):
                out[name] = data[name]
        for name in ("created_from", "created_to"):
            if data.get(name):
                out[name] = data[name].isoformat()
        sort = data.get("sort") or DEFAULT_SORT
        out["sort"] = sort if sort in CUSTOMER_SORTS else DEFAULT_SORT
        return out

    def described(self) -> list[tuple[str, str]]:
        """[(label, value)] of the filters in force, for the printed list's header."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        out = []
        for name, field in self.fields.items():
            if name == "sort" or name not in data or data[name] in (None, ""):
                continue
            value = data[name]
            if isinstance(field, forms.ChoiceField) and not isinstance(field, forms.ModelChoiceField):
                value = dict(field.choices).get(value, value)
            elif isinstance(value, OrgUnit):
                value = value.display_name
            elif isinstance(value, dt.date):
                value = value.isoformat()
            out.append((str(field.label), str(value)))
        return out


def parse_list_filters(filters: dict) -> dict:
    """JSON-safe filters (strings, as kept in the export job) → keyword arguments of customer_list."""
    out = dict(filters)
    for name in ("created_from", "created_to"):
        if isinstance(out.get(name), str):
            try:
                out[name] = dt.date.fromisoformat(out[name])
            except ValueError:
                out.pop(name)
    return out


# --- create / edit ----------------------------------------------------------------------------
INDIVIDUAL_FIELDS = ("family_name", "given_name", "gender", "birth_date")
ORGANISATION_FIELDS = ("trading_name", "legal_representative", "industry", "account_manager", "parent_no")


class CustomerFieldsForm(BootstrapMixin, SetupMixin, forms.Form):
    customer_type = forms.ChoiceField(
        choices=CustomerType.choices,
        initial=CustomerType.INDIVIDUAL,
        label=label(Customer, "customer_type"),
        widget=forms.RadioSelect,
    )
    name = forms.CharField(max_length=200, label=_("Customer name"))
    org_unit = UnitChoiceField(
        queryset=OrgUnit.objects.none(),
        required=False,  # none given: the actor's own unit (customer_create decides)
        label=label(Customer, "org_unit"),
        empty_label=None,
    )
    # individual
    family_name = forms.CharField(max_length=100, required=False, label=label(Party, "family_name"))
    given_name = forms.CharField(max_length=100, required=False, label=label(Party, "given_name"))
    gender = forms.ChoiceField(
        required=False, label=label(Party, "gender"), choices=choices_with_blank(Gender.choices, "—")
    )
    birth_date = forms.DateField(required=False, label=label(Party, "birth_date"), widget=DateInput())
    # enterprise / group
    trading_name = forms.CharField(max_length=200, required=False, label=label(Party, "trading_name"))
    legal_representative = forms.CharField(
        max_length=100, required=False, label=label(Party, "legal_representative")
    )
    industry = forms.CharField(max_length=50, required=False, label=label(Party, "industry"))
    account_manager = UserChoiceField(
        queryset=User.objects.none(),
        required=False,
        label=label(Customer, "account_manager"),
        empty_label=_("(none)"),
    )
    parent_no = forms.CharField(
        max_length=20,
        required=False,
        label=_("Parent group customer no."),
        help_text=_("For a member company of a group customer (集团成员)."),
    )
    # contact
    phone = forms.CharField(
        max_length=20,
        required=False,
        label=_("Mobile phone"),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    email = forms.EmailField(required=False, label=_("Email"))
    marketing_consent = forms.BooleanField(
        required=False,
        label=_("Agrees to receive marketing messages"),
    )
    tags = TagChoiceField(
        queryset=Tag.objects.none(),
        required=False,
        label=label(Customer, "tags"),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, fixed_type: str | None = None, **kwargs):
        self.fixed_type = fixed_type  # editing: the type of an existing customer does not change here
        super().__init__(*args, **kwargs)

    def setup(self):
        if self.fixed_type:
            del self.fields["customer_type"]
        self.fields["org_unit"].queryset = platform_queries.org_unit_choices(self.actor)
        self.fields["account_manager"].queryset = (
            User.objects.restrict(self.actor)
            .filter(is_active=True, role__code="account_manager")
            .select_related("org_unit")
            .order_by("full_name")
        )
        self.fields["tags"].queryset = Tag.objects.all()
        self.fields["tags"].widget.attrs["class"] = "form-check-input"
        if "customer_type" in self.fields:
            self.fields["customer_type"].widget.attrs["class"] = "form-check-input"

    @property
    def kind(self) -> str:
        if self.fixed_type:
            return self.fixed_type
        data = getattr(self, "cleaned_data", None) or {}
        return (
            data.get("customer_type")
            or self.data.get("customer_type")
            or self.initial.get("customer_type", CustomerType.INDIVIDUAL)
        )

    def clean_name(self):
        return clean_text(self.cleaned_data["name"])

    def clean_phone(self):
        return clean_text(self.cleaned_data["phone"]).replace(" ", "").replace("-", "")

    def clean_parent_no(self):
        no = clean_text(self.cleaned_data["parent_no"]).upper()
        if not no:
            return None
        parent = (
            Customer.objects.restrict(self.actor)
            .filter(customer_no=no, customer_type=CustomerType.GROUP)
            .exclude(status=CustomerStatus.MERGED)
            .first()
        )
        if parent is None:
            raise forms.ValidationError(
                _("No group customer with this number in your data scope."), code="invalid"
            )
        return parent

    def clean(self):
        data = super().clean()
        kind = self.fixed_type or data.get("customer_type")
        # Fields of the other kind of customer are hidden on the page: never send them.
        drop = ORGANISATION_FIELDS if kind == CustomerType.INDIVIDUAL else INDIVIDUAL_FIELDS
        for name in drop:
            if name in data:
                data[name] = self.fields[name].clean(None) if name != "parent_no" else None
                self.errors.pop(name, None)
        return data

    def field_groups(self) -> dict:
        """Bound fields by block, for the template's layout."""
        return {
            "individual": [self[n] for n in INDIVIDUAL_FIELDS],
            "organisation": [self[n] for n in ORGANISATION_FIELDS],
        }


class CustomerCreateForm(CustomerFieldsForm):
    id_doc_type = forms.ChoiceField(required=False, label=label(Party, "id_doc_type"))
    id_number = forms.CharField(
        max_length=32,
        required=False,
        label=label(Party, "id_number"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    address_kind = forms.ChoiceField(
        choices=AddressKind.choices, initial=AddressKind.HOME, required=False, label=label(Address, "kind")
    )
    address_province = forms.CharField(max_length=40, required=False, label=label(Address, "province"))
    address_city = forms.CharField(max_length=40, required=False, label=label(Address, "city"))
    address_district = forms.CharField(max_length=40, required=False, label=label(Address, "district"))
    address_street = forms.CharField(max_length=200, required=False, label=label(Address, "street"))
    address_postcode = forms.CharField(max_length=6, required=False, label=label(Address, "postcode"))

    def setup(self):
        super().setup()
        self.fields["id_doc_type"].choices = [("", "—"), *platform_queries.dictionary_choices("id_doc_type")]
        self.fields["id_number"].help_text = _("Stored encrypted; shown masked.")

    def clean_id_number(self):
        return clean_text(self.cleaned_data["id_number"]).upper()

    def address(self) -> dict | None:
        values = {k: clean_text(self.cleaned_data.get(f"address_{k}") or "") for k in ADDRESS_FIELDS}
        if not any(values[k] for k in ADDRESS_FIELDS if k != "kind"):
            return None
        return values

    def action_kwargs(self) -> dict:
        """Keyword arguments of actions.customer_create."""
        data = self.cleaned_data
        out = {
            "customer_type": data["customer_type"],
            "name": data["name"],
            "org_unit": data["org_unit"],
            "id_doc_type": data.get("id_doc_type") or "",
            "id_number": data.get("id_number") or "",
            "phone": data.get("phone") or "",
            "email": data.get("email") or "",
            "marketing_consent": bool(data.get("marketing_consent")),
            "tags": list(data.get("tags") or ()),
            "address": self.address(),
        }
        if data["customer_type"] == CustomerType.INDIVIDUAL:
            out.update(
                family_name=data.get("family_name") or "",
                given_name=data.get("given_name") or "",
                gender=data.get("gender") or "",
                birth_date=data.get("birth_date"),
            )
        else:
            out.update(
                trading_name=data.get("trading_name") or "",
                legal_representative=data.get("legal_representative") or "",
                industry=data.get("industry") or "",
                account_manager=data.get("account_manager"),
                parent=data.get("parent_no"),
            )
        return out

    def blocks(self) -> dict:
        return {
            **self.field_groups(),
            "identity": [self["id_doc_type"], self["id_number"]],
            "contact": [self["phone"], self["email"]],
            "address": [self[f"address_{k}"] for k in ADDRESS_FIELDS],
        }


class CustomerEditForm(CustomerFieldsForm):
    """Changes of an existing customer: only what was changed goes to customer_update. The type is
    fixed (``fixed_type``); phone, e-mail, consent and tags are edited on the 360 page."""

    PARTY_FIELDS = (
        "family_name",
        "given_name",
        "gender",
        "birth_date",
        "trading_name",
        "legal_representative",
        "industry",
    )

    def setup(self):
        super().setup()
        for name in ("phone", "email", "marketing_consent", "tags"):
            del self.fields[name]

    @classmethod
    def initial_for(cls, customer: Customer) -> dict:
        party = customer.party
        out = {f: getattr(party, f) for f in cls.PARTY_FIELDS}
        out.update({f: getattr(customer, f) for f in ("name", "org_unit", "account_manager")})
        out["parent_no"] = customer.parent.customer_no if customer.parent_id else ""
        return out

    def changes(self, customer: Customer) -> dict:
        before = self.initial_for(customer)
        data = self.cleaned_data
        names = ["name", "org_unit"]
        names += (
            list(INDIVIDUAL_FIELDS) if self.kind == CustomerType.INDIVIDUAL else list(ORGANISATION_FIELDS)
        )
        out = {}
        for name in names:
            new = data.get(name)
            if name == "parent_no":
                if (new.pk if new else None) != customer.parent_id:
                    out["parent"] = new
                continue
            if (new or None) != (before.get(name) or None):
                out[name] = new if new is not None else ""
        return out


# --- parts of the 360 page --------------------------------------------------------------------
class ContactMediumForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(choices=MediumKind.choices, label=label(ContactMedium, "kind"))
    value = forms.CharField(max_length=200, label=_("Number or address"))
    is_primary = forms.BooleanField(required=False, label=label(ContactMedium, "is_primary"))
    marketing_consent = forms.BooleanField(required=False, label=label(ContactMedium, "marketing_consent"))
    do_not_disturb = forms.BooleanField(required=False, label=label(ContactMedium, "do_not_disturb"))

    def __init__(self, *args, medium: ContactMedium | None = None, **kwargs):
        self.medium = medium
        super().__init__(*args, **kwargs)
        if medium is not None:
            self.fields["value"].required = False
            self.fields["value"].widget.attrs["placeholder"] = str(medium.value)
            self.fields["value"].help_text = _("Leave blank to keep %(current)s.") % {"current": medium.value}

    def clean_value(self):
        return clean_text(self.cleaned_data["value"])

    @classmethod
    def initial_for(cls, medium: ContactMedium) -> dict:
        return {f: getattr(medium, f) for f in ("kind", "is_primary", "marketing_consent", "do_not_disturb")}

    def action_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        if self.medium is not None and not data["value"]:
            data["value"] = self.medium.value  # unchanged: the sealed value as stored
        return data


class AddressForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(choices=AddressKind.choices, label=label(Address, "kind"))
    province = forms.CharField(max_length=40, label=label(Address, "province"))
    city = forms.CharField(max_length=40, label=label(Address, "city"))
    district = forms.CharField(max_length=40, required=False, label=label(Address, "district"))
    street = forms.CharField(max_length=200, label=label(Address, "street"))
    postcode = forms.CharField(max_length=6, required=False, label=label(Address, "postcode"))
    is_primary = forms.BooleanField(required=False, label=label(Address, "is_primary"))

    FIELDS = ("kind", "province", "city", "district", "street", "postcode", "is_primary")

    @classmethod
    def initial_for(cls, address: Address) -> dict:
        return {f: getattr(address, f) for f in cls.FIELDS}

    def clean(self):
        data = super().clean()
        for k, v in list(data.items()):
            if isinstance(v, str):
                data[k] = clean_text(v)
        return data


class ContactPersonForm(BootstrapMixin, forms.Form):
    name = forms.CharField(max_length=100, label=label(ContactPerson, "name"))
    title = forms.CharField(max_length=100, required=False, label=label(ContactPerson, "title"))
    phone = forms.CharField(
        max_length=20,
        required=False,
        label=label(ContactPerson, "phone"),
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
    )
    email = forms.EmailField(required=False, label=label(ContactPerson, "email"))
    is_decision_maker = forms.BooleanField(required=False, label=label(ContactPerson, "is_decision_maker"))

    def __init__(self, *args, person: ContactPerson | None = None, **kwargs):
        self.person = person
        super().__init__(*args, **kwargs)
        if person is not None and person.phone:
            self.fields["phone"].widget.attrs["placeholder"] = str(person.phone)
            self.fields["phone"].help_text = _("Leave blank to keep %(current)s.") % {"current": person.phone}

    @classmethod
    def initial_for(cls, person: ContactPerson) -> dict:
        return {f: getattr(person, f) for f in ("name", "title", "email", "is_decision_maker")}

    def clean_phone(self):
        return clean_text(self.cleaned_data["phone"]).replace(" ", "").replace("-", "")

    def action_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        data["name"] = clean_text(data["name"])
        if self.person is not None and not data["phone"]:
            data["phone"] = self.person.phone
        return data


class TagsForm(BootstrapMixin, forms.Form):
    tags = TagChoiceField(
        queryset=Tag.objects.all(),
        required=False,
        label=label(Customer, "tags"),
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )


class RealNameForm(BootstrapMixin, forms.Form):
    """Real-name registration (实名制): the ID document is checked and recorded as verified."""

    id_doc_type = forms.ChoiceField(label=label(Party, "id_doc_type"))
    id_number = forms.CharField(
        max_length=32,
        label=label(Party, "id_number"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["id_doc_type"].choices = [("", "—"), *platform_queries.dictionary_choices("id_doc_type")]

    def clean_id_number(self):
        return clean_text(self.cleaned_data["id_number"]).upper()


class CreditForm(BootstrapMixin, forms.Form):
    level = forms.TypedChoiceField(
        coerce=int,
        choices=[(i, str(i)) for i in range(1, 6)],
        label=label(Customer, "credit_level"),
        help_text=Customer._meta.get_field("credit_level").help_text,
    )
    reason = forms.CharField(max_length=200, label=_("Reason"))

    def clean_reason(self):
        return clean_text(self.cleaned_data["reason"])


class BlacklistAddForm(BootstrapMixin, forms.Form):
    reason_code = forms.ChoiceField(label=label(BlacklistEntry, "reason_code"))
    effect = forms.ChoiceField(
        choices=BlacklistEffect.choices,
        initial=BlacklistEffect.BLOCK_NEW,
        label=label(BlacklistEntry, "effect"),
    )
    valid_from = forms.DateField(label=label(BlacklistEntry, "valid_from"), widget=DateInput())
    valid_to = forms.DateField(
        required=False,
        label=label(BlacklistEntry, "valid_to"),
        widget=DateInput(),
        help_text=_("Leave blank for an entry without end date."),
    )
    note = forms.CharField(
        max_length=500,
        required=False,
        label=label(BlacklistEntry, "note"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        reasons = platform_queries.dictionary_choices("blacklist_reason")
        self.fields["reason_code"].choices = [("", "—"), *reasons]
        if not reasons:  # the dictionary is not there yet: free text
            self.fields["reason_code"] = forms.CharField(
                max_length=32, label=label(BlacklistEntry, "reason_code"), widget=forms.TextInput()
            )
            self.fields["reason_code"].widget.attrs["class"] = "form-control"

    def clean_note(self):
        return clean_text(self.cleaned_data["note"])


class BlacklistLiftForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(max_length=200, label=label(BlacklistEntry, "lift_reason"))

    def clean_reason(self):
        return clean_text(self.cleaned_data["reason"])


class InteractionForm(BootstrapMixin, forms.Form):
    channel = forms.ChoiceField(label=_("Channel"))
    direction = forms.ChoiceField(
        choices=[("in", _("Inbound")), ("out", _("Outbound"))], initial="in", label=_("Direction")
    )
    kind = forms.ChoiceField(
        label=pgettext_lazy("customers-ui", "Kind of contact"),
        choices=[
            ("visit", _("Visit at the counter")),
            ("call", _("Phone call")),
            ("note", _("Note")),
            ("complaint", _("Complaint")),
            ("consultation", _("Consultation")),
        ],
    )
    summary = forms.CharField(max_length=300, label=_("Summary"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["channel"].choices = platform_queries.dictionary_choices("contact_channel")

    def clean_summary(self):
        return clean_text(self.cleaned_data["summary"])


class ReviewForm(BootstrapMixin, forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Reject"))])
    note = forms.CharField(max_length=300, required=False, label=_("Review note"))

    def clean_note(self):
        return clean_text(self.cleaned_data["note"])


class MergeForm(forms.Form):
    duplicate = forms.IntegerField(min_value=1)
