"""Forms of the knowledge UI: parse input, hand it to the actions (which validate the rules)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from telcrm.web.forms import BootstrapMixin

from .queries import category_tree


def category_choices(blank=True):
    out = [("", "—")] if blank else []
    out += [(str(c.pk), "\u3000" * depth + c.name) for c, depth in category_tree()]
    return out


class SearchForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    category = forms.TypedChoiceField(label=_("Category"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = category_choices()
        self.fields["q"].widget.attrs.update(
            {"placeholder": _("e.g. 宽带无法上网, roaming, 携号转网"), "autofocus": True}
        )


class ArticleForm(BootstrapMixin, forms.Form):
    """Required fields and rules are checked by the actions, so one post reports every error."""

    category = forms.ChoiceField(label=_("Category"), required=False)
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    keywords = forms.CharField(
        label=_("Keywords"), max_length=300, required=False, help_text=_("Other words agents may search for.")
    )
    body = forms.CharField(label=_("Text"), required=False, widget=forms.Textarea(attrs={"rows": 14}))
    valid_from = forms.DateField(
        label=_("Valid from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    valid_until = forms.DateField(
        label=_("Valid until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("After this day agents no longer see the article."),
    )
    change_note = forms.CharField(label=_("What changed"), max_length=300, required=False)

    def __init__(self, *args, version=None, **kwargs):
        if version is not None and not args and "initial" not in kwargs:
            kwargs["initial"] = {
                "category": str(version.category_id),
                "title": version.title,
                "keywords": version.keywords,
                "body": version.body,
                "valid_from": version.valid_from,
                "valid_until": version.valid_until,
            }
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = category_choices()

    def action_data(self) -> dict:
        return dict(self.cleaned_data)


class DecisionForm(BootstrapMixin, forms.Form):
    note = forms.CharField(
        label=_("Note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class CategoryForm(BootstrapMixin, forms.Form):
    code = forms.CharField(label=_("Code"), max_length=40, required=False)
    name = forms.CharField(label=_("Name"), max_length=80, required=False)
    name_en = forms.CharField(label=_("English name"), max_length=80, required=False)
    parent = forms.ChoiceField(label=_("Parent category"), required=False)
    sort = forms.IntegerField(label=_("Sort order"), required=False, min_value=0, max_value=100000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].choices = category_choices()

    def action_data(self) -> dict:
        data = dict(self.cleaned_data)
        data["parent"] = data.get("parent") or None
        data["sort"] = data.get("sort") or 0
        return data
