"""Small model mixins shared by the platform's models."""

from __future__ import annotations

from django.utils.translation import get_language


def english_ui() -> bool:
    return (get_language() or "").startswith("en")


class BilingualNameMixin:
    """``display_name``: the English name in the English UI when there is one, else the Chinese name."""

    @property
    def display_name(self) -> str:
        english = getattr(self, "name_en", "")
        return english if english and english_ui() else self.name
