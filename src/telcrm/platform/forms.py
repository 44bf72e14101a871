"""Forms of the platform UI. They parse input; actions validate business rules and write."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from telcrm.web.forms import BootstrapMixin


class LoginForm(BootstrapMixin, AuthenticationForm):
    username = forms.CharField(
        label=_("Username"),
        max_length=64,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    error_messages = {
        "invalid_login": _("The username or password is not correct."),
        "inactive": _("This account is inactive."),
    }
