"""Forms of the organisation / users / roles UI (PLT-1).

They parse and type-check input; business rules (tree shape, scope, password strength, uniqueness)
are checked by the actions, whose ValidationErrors the views put back on these forms.
"""

from __future__ import annotations

import re

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.models import Permission
from django.utils.functional import lazy
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from telcrm.web.forms import BootstrapMixin

from . import crypto, queries
from .models import DataScope, Language, OrgKind, OrgUnit, Role, User
from .queries.directory import USER_SORTS

ACTIVE_CHOICES = (("", _("Active and inactive")), ("1", _("Active only")), ("0", _("Inactive only")))


def label(model, name: str):
    """The model field's verbose name as a form label (translated with the model)."""
    return capfirst(model._meta.get_field(name).verbose_name)


def clean_text(value: str) -> str:
    """Text from a request without NUL characters (PostgreSQL rejects them)."""
    return (value or "").replace("\x00", "").strip()


class SetupMixin:
    """Calls ``setup()`` as soon as the fields exist, before BootstrapMixin validates a bound form
    (it reads ``self.errors`` to mark invalid widgets), so choices that depend on the actor are in
    place when the input is checked. Use as ``class F(BootstrapMixin, SetupMixin, forms.Form)``."""

    def __init__(self, *args, actor=None, include_unit: int | None = None, **kwargs):
        self.actor = actor
        self.include_unit = include_unit
        super().__init__(*args, **kwargs)
        self.setup()

    def setup(self) -> None:
        pass


def password_rules() -> str:
    """The configured password validators' rules, as one line of help text (in the active language)."""
    return " ".join(str(t) for t in password_validation.password_validators_help_texts())


password_rules_lazy = lazy(password_rules, str)


class UnitChoiceField(forms.ModelChoiceField):
    """Org units in tree order, indented by depth, so a long list stays readable."""

    default_error_messages = {"invalid_choice": _("Choose an active unit within your data scope.")}

    def label_from_instance(self, obj: OrgUnit) -> str:
        return f"{'　' * obj.depth}{obj.display_name} ({obj.code})"


class RoleChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.display_name


# --- organisation units -----------------------------------------------------------------------
class OrgUnitCreateForm(BootstrapMixin, SetupMixin, forms.Form):
    parent = UnitChoiceField(
        queryset=OrgUnit.objects.none(),
        required=False,
        label=label(OrgUnit, "parent"),
        empty_label=_("(none — headquarters)"),
    )
    kind = forms.ChoiceField(choices=OrgKind.choices, label=label(OrgUnit, "kind"))
    code = forms.CharField(
        max_length=32,
        label=label(OrgUnit, "code"),
        help_text=_("Unique, e.g. ZJ-HZ-03. Cannot be changed later."),
    )
    name = forms.CharField(max_length=100, label=label(OrgUnit, "name"))
    name_en = forms.CharField(max_length=100, required=False, label=label(OrgUnit, "name_en"))
    region_code = forms.CharField(
        max_length=12,
        required=False,
        label=label(OrgUnit, "region_code"),
        help_text=OrgUnit._meta.get_field("region_code").help_text,
    )
    address = forms.CharField(max_length=200, required=False, label=label(OrgUnit, "address"))

    def setup(self):
        self.fields["parent"].queryset = queries.org_unit_choices(self.actor)

    def clean_code(self):
        return clean_text(self.cleaned_data["code"])


class OrgUnitEditForm(BootstrapMixin, forms.Form):
    name = forms.CharField(max_length=100, label=label(OrgUnit, "name"))
    name_en = forms.CharField(max_length=100, required=False, label=label(OrgUnit, "name_en"))
    region_code = forms.CharField(
        max_length=12,
        required=False,
        label=label(OrgUnit, "region_code"),
        help_text=OrgUnit._meta.get_field("region_code").help_text,
    )
    address = forms.CharField(max_length=200, required=False, label=label(OrgUnit, "address"))
    is_active = forms.BooleanField(required=False, label=label(OrgUnit, "is_active"))

    @staticmethod
    def initial_for(unit: OrgUnit) -> dict:
        return {f: getattr(unit, f) for f in ("name", "name_en", "region_code", "address", "is_active")}


class OrgSearchForm(forms.Form):
    q = forms.CharField(required=False, max_length=100)

    def clean_q(self):
        return clean_text(self.cleaned_data["q"])


# --- users ------------------------------------------------------------------------------------
ID_PATTERN = re.compile(r"^(\d{17}[\dX]|\d{15})$")
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_number_checksum(first17: str) -> str:
    return "10X98765432"[sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


def validate_id_number(value: str) -> str:
    """A resident ID number (居民身份证号): 18 characters with a valid check digit, or the old 15 digits."""
    v = crypto.normalize(value)
    if not ID_PATTERN.match(v) or (len(v) == 18 and id_number_checksum(v[:17]) != v[17]):
        raise forms.ValidationError(
            _(
                "Enter a valid resident ID number: 18 characters (the last may be X) "
                "with a correct check digit."
            ),
            code="invalid",
        )
    return v


class UserFilterForm(BootstrapMixin, SetupMixin, forms.Form):
    """The filter bar of the user list (GET). Invalid values are reported and ignored."""

    q = forms.CharField(required=False, max_length=100, label=_("Search"))
    org_unit = UnitChoiceField(
        queryset=OrgUnit.objects.none(),
        required=False,
        label=label(User, "org_unit"),
        empty_label=_("All units"),
    )
    role = forms.ChoiceField(required=False, label=label(User, "role"))
    active = forms.ChoiceField(required=False, choices=ACTIVE_CHOICES, label=label(User, "is_active"))
    sort = forms.CharField(required=False, widget=forms.HiddenInput)

    def setup(self):
        self.fields["org_unit"].queryset = queries.org_unit_list(self.actor)
        self.fields["org_unit"].error_messages["invalid_choice"] = _("This unit is outside your data scope.")
        self.fields["role"].choices = [("", _("All roles"))] + [
            (r.code, r.display_name) for r in queries.role_choices()
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            w = field.widget
            css = w.attrs.get("class", "")
            w.attrs["class"] = css.replace("form-control", "form-control form-control-sm").replace(
                "form-select", "form-select form-select-sm"
            )
        self.fields["q"].widget.input_type = "search"
        self.fields["q"].widget.attrs["placeholder"] = _("Name, username, employee no., mobile")

    def clean_q(self):
        return clean_text(self.cleaned_data["q"])

    def filters(self) -> dict:
        """The valid filters as JSON-safe keyword arguments of queries.user_list (and of the export)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        out = {}
        if data.get("q"):
            out["q"] = data["q"]
        if data.get("org_unit"):
            out["org_unit"] = data["org_unit"].pk
        if data.get("role"):
            out["role"] = data["role"]
        if data.get("active"):
            out["active"] = data["active"]
        sort = data.get("sort") or "username"
        out["sort"] = sort if sort in USER_SORTS else "username"
        return out


class UserFieldsForm(BootstrapMixin, SetupMixin, forms.Form):
    full_name = forms.CharField(max_length=100, label=label(User, "full_name"))
    employee_no = forms.CharField(max_length=32, required=False, label=label(User, "employee_no"))
    org_unit = UnitChoiceField(
        queryset=OrgUnit.objects.none(), label=label(User, "org_unit"), empty_label=_("Choose a unit…")
    )
    role = RoleChoiceField(
        queryset=Role.objects.none(), required=False, label=label(User, "role"), empty_label=_("(no role)")
    )
    email = forms.EmailField(required=False, label=label(User, "email"))
    mobile = forms.CharField(max_length=20, required=False, label=label(User, "mobile"))
    id_number = forms.CharField(
        max_length=32,
        required=False,
        label=label(User, "id_number"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    language = forms.ChoiceField(
        choices=Language.choices, initial=Language.ZH_HANS, label=label(User, "language")
    )

    def setup(self):
        self.fields["org_unit"].queryset = queries.org_unit_choices(self.actor, include=self.include_unit)
        self.fields["role"].queryset = queries.role_choices()

    def clean_full_name(self):
        return clean_text(self.cleaned_data["full_name"])

    def clean_id_number(self):
        value = clean_text(self.cleaned_data["id_number"])
        return validate_id_number(value) if value else ""


class UserCreateForm(UserFieldsForm):
    username = forms.CharField(
        max_length=64,
        label=label(User, "username"),
        help_text=_("Letters, digits and @ . + - _ only; used to sign in."),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        help_text=password_rules_lazy(),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password_confirm = forms.CharField(
        label=_("Repeat password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    field_order = [
        "username",
        "full_name",
        "employee_no",
        "org_unit",
        "role",
        "email",
        "mobile",
        "id_number",
        "language",
        "password",
        "password_confirm",
    ]

    def setup(self):
        super().setup()
        self.fields["id_number"].help_text = _("Optional. Stored encrypted; shown masked.")

    def clean_username(self):
        return clean_text(self.cleaned_data["username"])

    def clean(self):
        data = super().clean()
        if (
            data.get("password")
            and data.get("password_confirm") is not None
            and data["password"] != data["password_confirm"]
        ):
            self.add_error("password_confirm", _("The two passwords do not match."))
        return data


class UserEditForm(UserFieldsForm):
    is_active = forms.BooleanField(
        required=False, label=label(User, "is_active"), help_text=_("Inactive users cannot sign in.")
    )

    FIELDS = ("full_name", "employee_no", "org_unit", "role", "email", "mobile", "language", "is_active")

    def setup(self):
        super().setup()
        self.fields["id_number"].help_text = _(
            "Leave blank to keep the current number; enter a number to replace it."
        )

    @classmethod
    def initial_for(cls, user: User) -> dict:
        return {f: getattr(user, f) for f in cls.FIELDS}

    def changes(self, user: User) -> dict:
        """Only what the administrator changed, so untouched fields are never re-validated or audited."""
        out = {f: self.cleaned_data[f] for f in self.FIELDS if self.cleaned_data[f] != getattr(user, f)}
        if self.cleaned_data["id_number"]:
            out["id_number"] = self.cleaned_data["id_number"]
        return out


class SetPasswordForm(BootstrapMixin, forms.Form):
    password = forms.CharField(
        label=_("New password"),
        strip=False,
        help_text=password_rules_lazy(),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password_confirm = forms.CharField(
        label=_("Repeat password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        if (
            data.get("password")
            and data.get("password_confirm") is not None
            and data["password"] != data["password_confirm"]
        ):
            self.add_error("password_confirm", _("The two passwords do not match."))
        return data


class ChangeOwnPasswordForm(SetPasswordForm):
    current_password = forms.CharField(
        label=_("Current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    field_order = ["current_password", "password", "password_confirm"]


class LanguageForm(forms.Form):
    language = forms.ChoiceField(
        choices=Language.choices,
        label=label(User, "language"),
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )


# --- roles ------------------------------------------------------------------------------------
# How the role editor groups the platform permissions; unknown ones land in "Other".
PERMISSION_GROUPS = (
    (_("Organisation and staff"), ("view_orgunit", "view_user", "manage_platform")),
    (_("Personal data and exports"), ("reveal_pii", "export_data")),
    (_("System administration"), ("manage_parameters", "view_audit", "view_jobs_all")),
)
PERMISSION_LABELS = {
    "view_orgunit": _("See the organisation tree"),
    "view_user": _("See staff in the data scope"),
    "manage_platform": _("Administer units, users and roles"),
    "reveal_pii": _("Reveal masked personal data (every reveal is audited)"),
    "export_data": _("Export lists to Excel"),
    "manage_parameters": _("Edit parameters, dictionaries and calendars"),
    "view_audit": _("Search the audit log"),
    "view_jobs_all": _("See every background job in the scope"),
}


class RoleForm(BootstrapMixin, SetupMixin, forms.Form):
    name = forms.CharField(max_length=64, label=label(Role, "name"))
    name_en = forms.CharField(max_length=64, required=False, label=label(Role, "name_en"))
    data_scope = forms.ChoiceField(
        choices=DataScope.choices, widget=forms.RadioSelect, label=label(Role, "data_scope")
    )
    permissions = forms.ModelMultipleChoiceField(
        queryset=Permission.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=label(Role, "permissions"),
    )

    def setup(self):
        self.fields["permissions"].queryset = queries.role_permission_choices()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("data_scope", "permissions"):
            self.fields[name].widget.attrs["class"] = "form-check-input"

    def permission_groups(self) -> list[dict]:
        """[{label, items: [{value, label, codename, checked}]}] for the grouped checkboxes."""
        if self.is_bound:
            chosen = {str(v) for v in self.data.getlist("permissions")}
        else:
            chosen = {str(getattr(v, "pk", v)) for v in self.initial.get("permissions", [])}
        perms = list(self.fields["permissions"].queryset)
        placed = set()
        groups = []
        for title, codes in PERMISSION_GROUPS:
            items = [p for c in codes for p in perms if p.codename == c]
            placed |= {p.pk for p in items}
            groups.append({"label": title, "items": items})
        rest = [p for p in perms if p.pk not in placed]
        if rest:
            groups.append({"label": _("Other"), "items": rest})
        return [
            {
                "label": g["label"],
                "items": [
                    {
                        "value": p.pk,
                        "codename": p.codename,
                        "checked": str(p.pk) in chosen,
                        "label": PERMISSION_LABELS.get(p.codename, p.name),
                    }
                    for p in g["items"]
                ],
            }
            for g in groups
            if g["items"]
        ]
