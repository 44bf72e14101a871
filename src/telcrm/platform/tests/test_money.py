"""Amounts entered in yuan become integer fen; anything else is refused, never rounded silently."""

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from telcrm.platform.money import yuan_field, yuan_to_fen


@pytest.mark.parametrize(
    ("text", "fen"), [("88", 8800), ("88.5", 8850), ("88.50", 8850), ("¥1,288.00", 128800), ("", 0), ("0", 0)]
)
def test_yuan_become_fen(text, fen):
    assert yuan_to_fen(text) == fen


@pytest.mark.parametrize("text", ["Infinity", "-Infinity", "NaN", "1e400", "12.345", "-1", "abc", "1,2.3.4"])
def test_what_is_not_an_amount_is_refused(text):
    with pytest.raises(ValueError):
        yuan_to_fen(text)


def test_zero_refused_where_an_amount_is_required_and_named_on_the_field():
    with pytest.raises(ValidationError) as err:
        yuan_field("amount", "0", allow_zero=False)
    assert set(err.value.error_dict) == {"amount"}


@given(st.integers(min_value=0, max_value=10**12))
def test_fen_written_as_yuan_come_back_unchanged(fen):
    assert yuan_to_fen(f"{fen // 100}.{fen % 100:02d}") == fen
