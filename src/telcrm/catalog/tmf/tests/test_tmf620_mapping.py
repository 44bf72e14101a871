"""Unit and property tests of the TMF620 value mapping (no database)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rest_framework import serializers

from telcrm.catalog.models import LifecycleStatus, PriceType
from telcrm.catalog.tmf.base import MoneyField, lifecycle_code, lifecycle_shown, yuan
from telcrm.catalog.tmf.price import SHOWN_TYPE, price_type_code


@given(st.integers(min_value=0, max_value=10**12))
def test_fen_shown_in_yuan_reads_back_as_the_same_fen(fen):
    shown = yuan(fen)
    assert shown["unit"] == "CNY"
    assert MoneyField().to_internal_value(shown) == fen
    assert MoneyField().to_internal_value({"value": str(shown["value"])}) == fen


@given(st.decimals(min_value=0, max_value=10**6, places=3, allow_nan=False))
def test_more_than_two_decimals_is_refused(value):
    field = MoneyField()
    if value * 100 == (value * 100).to_integral_value():
        assert field.to_internal_value({"value": str(value)}) == int(value * 100)
    else:
        with pytest.raises(serializers.ValidationError):
            field.to_internal_value({"value": str(value)})


@pytest.mark.parametrize("code", LifecycleStatus.values)
def test_every_lifecycle_state_reads_back(code):
    assert lifecycle_code(lifecycle_shown(code)) == code
    assert lifecycle_code(code) == code
    assert lifecycle_code(code.upper()) == code


@pytest.mark.parametrize(
    "value,code",
    [
        ("In study", "draft"),
        ("in_design", "draft"),
        ("In  Test", "draft"),
        ("Launched", "active"),
        ("OBSOLETE", "retired"),
        ("Rejected", None),
        ("", None),
        (3, None),
    ],
)
def test_tmf_lifecycle_values(value, code):
    assert lifecycle_code(value) == code


@pytest.mark.parametrize("code", PriceType.values)
def test_every_price_type_reads_back(code):
    assert price_type_code(SHOWN_TYPE[code]) == code
    assert price_type_code(code) == code


@pytest.mark.parametrize("value", ["discount", "", None, 1, "one time charge"])
def test_unknown_price_types(value):
    assert price_type_code(value) is None
