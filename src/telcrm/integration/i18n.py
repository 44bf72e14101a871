"""The module's messages carry their own context ("integration"), so a short word such as “Dead” or
“Pending” never collides with another module's translation of the same English text; every
translation is in locale/zh_Hans/LC_MESSAGES/integration.po (tests/test_i18n.py checks each is there)."""

from __future__ import annotations

from django.utils.translation import pgettext, pgettext_lazy

CTX = "integration"


def _(message: str):
    """A lazily translated message of this module."""
    return pgettext_lazy(CTX, message)


def gettext(message: str) -> str:
    """A message of this module translated now (for messages shown right away)."""
    return pgettext(CTX, message)
