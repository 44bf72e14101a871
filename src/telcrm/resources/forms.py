"""Forms of the number pool's pages. They parse input only; the actions validate the business rules
(their ValidationErrors land on the form's fields through ``apply_action_errors``)."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from telcrm.platform.money import yuan_to_fen
from telcrm.platform.queries import dictionary_choices
from telcrm.web.forms import BootstrapMixin

from . import queries
from .models import LevelColour, NumberLevel, NumberLevelRule, RuleKind


def _region_label(unit) -> str:
    return unit.display_name


class NumberFilterForm(BootstrapMixin, forms.Form):
    """The counter's filters. Invalid values are reported and ignored (the rest still filter)."""

    region = forms.ChoiceField(label=_("Region"), required=False)
    level = forms.ChoiceField(label=_("Level"), required=False)
    contains = forms.CharField(
        label=_("Contains"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    ends_with = forms.CharField(
        label=_("Ends with"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    no_four = forms.BooleanField(label=_("No 4"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", _("All my regions"))] + [
            (str(r.pk), _region_label(r)) for r in queries.region_choices(user)
        ]
        self.fields["level"].choices = [("", _("All levels"))] + [
            (lv.code, lv.display_name) for lv in queries.level_choices()
        ]
        for name in ("contains", "ends_with"):
            self.fields[name].widget.attrs.update({"autocomplete": "off", "placeholder": "8888"})

    def _digits(self, name: str) -> str:
        try:
            return queries.clean_digits(self.cleaned_data.get(name), name)
        except ValidationError as exc:
            raise forms.ValidationError(exc.error_dict[name]) from exc

    def clean_contains(self):
        return self._digits("contains")

    def clean_ends_with(self):
        return self._digits("ends_with")

    def filters(self) -> dict:
        """The valid filters as keyword arguments of ``queries.number_search``."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        out = {}
        for name in ("region", "level", "contains", "ends_with"):
            if name not in self.errors and data.get(name):
                out[name] = data[name]
        if data.get("no_four"):
            out["no_four"] = True
        return out


class RangeForm(BootstrapMixin, forms.Form):
    prefix = forms.CharField(
        label=_("Prefix"),
        required=False,
        max_length=11,
        help_text=_("E.g. 1380571 for 13805710000–13805719999; or give the first and last number."),
    )
    start = forms.CharField(label=_("First number"), required=False, max_length=11)
    end = forms.CharField(label=_("Last number"), required=False, max_length=11)
    region = forms.ChoiceField(label=_("Region"))
    brand = forms.ChoiceField(label=_("Brand"), required=False)
    note = forms.CharField(label=_("Note"), required=False, max_length=200)
    generate = forms.BooleanField(label=_("Generate the numbers now"), required=False, initial=True)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", "—")] + [
            (str(r.pk), _region_label(r)) for r in queries.region_choices(user)
        ]
        self.fields["brand"].choices = [("", "—"), *dictionary_choices("number_brand")]
        for name in ("prefix", "start", "end"):
            self.fields[name].widget.attrs.update({"inputmode": "numeric", "autocomplete": "off"})


class RangeEditForm(BootstrapMixin, forms.Form):
    region = forms.ChoiceField(label=_("Region"))
    brand = forms.ChoiceField(label=_("Brand"), required=False)
    note = forms.CharField(label=_("Note"), required=False, max_length=200)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [(str(r.pk), _region_label(r)) for r in queries.region_choices(user)]
        self.fields["brand"].choices = [("", "—"), *dictionary_choices("number_brand")]


class YuanField(forms.CharField):
    """An amount in yuan (up to two decimals) → integer fen."""

    def to_python(self, value):
        try:
            return yuan_to_fen(super().to_python(value))
        except ValueError as exc:
            raise forms.ValidationError(exc.args[0], code="invalid") from exc


def fen_to_yuan_text(fen: int) -> str:
    yuan = Decimal(fen or 0) / 100
    return f"{yuan:.2f}".removesuffix(".00")


class LevelForm(BootstrapMixin, forms.Form):
    code = forms.CharField(label=_("Code"), max_length=32)
    name = forms.CharField(label=_("Name"), max_length=60)
    name_en = forms.CharField(label=_("English name"), max_length=60, required=False)
    rank = forms.IntegerField(label=_("Rank"), min_value=0, max_value=1000, help_text=_("Higher ranks win."))
    price = YuanField(label=_("Price (yuan)"), required=False)
    min_spend = YuanField(label=_("Monthly minimum spend (yuan)"), required=False)
    deposit = YuanField(label=_("Deposit (yuan)"), required=False)
    colour = forms.ChoiceField(label=_("Badge colour"), choices=LevelColour.choices)
    is_default = forms.BooleanField(label=_("Default level (numbers matching no rule)"), required=False)

    @classmethod
    def initial_for(cls, level: NumberLevel) -> dict:
        return {
            "code": level.code,
            "name": level.name,
            "name_en": level.name_en,
            "rank": level.rank,
            "price": fen_to_yuan_text(level.price_fen),
            "min_spend": fen_to_yuan_text(level.min_spend_fen),
            "deposit": fen_to_yuan_text(level.deposit_fen),
            "colour": level.colour,
            "is_default": level.is_default,
        }

    def action_kwargs(self) -> dict:
        d = self.cleaned_data
        return {
            "code": d["code"],
            "name": d["name"],
            "name_en": d["name_en"],
            "rank": d["rank"],
            "price_fen": d["price"],
            "min_spend_fen": d["min_spend"],
            "deposit_fen": d["deposit"],
            "colour": d["colour"],
            "is_default": d["is_default"],
        }


# the form's fields named as the action names them
LEVEL_ERROR_FIELDS = {"price_fen": "price", "min_spend_fen": "min_spend", "deposit_fen": "deposit"}


class RuleForm(BootstrapMixin, forms.Form):
    level = forms.ChoiceField(label=_("Level"))
    kind = forms.ChoiceField(label=_("Pattern kind"), choices=RuleKind.choices)
    pattern = forms.CharField(
        label=_("Digits or expression"),
        required=False,
        max_length=200,
        help_text=NumberLevelRule._meta.get_field("pattern").help_text,
    )
    count = forms.IntegerField(label=_("N / K"), required=False, min_value=0, max_value=100)
    is_active = forms.BooleanField(label=_("Rule is in use"), required=False, initial=True)
    note = forms.CharField(label=_("Note"), required=False, max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level"].choices = [(str(lv.pk), lv.display_name) for lv in queries.level_choices()]
        self.fields["pattern"].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})

    @classmethod
    def initial_for(cls, rule: NumberLevelRule) -> dict:
        return {
            "level": str(rule.level_id),
            "kind": rule.kind,
            "pattern": rule.pattern,
            "count": rule.count,
            "is_active": rule.is_active,
            "note": rule.note,
        }


class FreezeForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200)
