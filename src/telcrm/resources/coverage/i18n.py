"""The module's messages carry their own context ("coverage"), so a short word such as “Retired”
or “Full” can never collide with another module's translation of the same English text; every
translation is in locale/zh_Hans/LC_MESSAGES/coverage.po (a test checks that each is there)."""

from __future__ import annotations

from django.utils.translation import pgettext, pgettext_lazy

CTX = "coverage"


def _(message: str):
    """A lazily translated message of this module."""
    return pgettext_lazy(CTX, message)


def gettext(message: str) -> str:
    """A message of this module translated now (for messages shown right away)."""
    return pgettext(CTX, message)
