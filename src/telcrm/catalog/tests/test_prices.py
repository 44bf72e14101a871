"""Prices (RES-3): validity periods of one offering and price type follow each other without gap or
overlap; the error names valid_from or valid_to, in Chinese and in English."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from telcrm.catalog import actions
from telcrm.platform.errors import bilingual

from ._fixtures import moment, offering

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(carrier):
    o = offering(carrier["admin"], "P1", monthly=0, activate=False)
    actions.price_create(
        actor=carrier["admin"],
        offering=o,
        name="上半年",
        price_type="recurring",
        amount_fen=9800,
        valid_from=moment(2026, 1, 1),
        valid_to=moment(2026, 7, 1),
    )
    return o


def _price(carrier, o, **kw):
    kw.setdefault("name", "价格")
    kw.setdefault("price_type", "recurring")
    kw.setdefault("amount_fen", 12800)
    return actions.price_create(actor=carrier["admin"], offering=o, **kw)


def test_consecutive_periods_are_accepted(carrier, draft):
    _price(carrier, draft, valid_from=moment(2026, 7, 1), valid_to=moment(2027, 1, 1))
    _price(carrier, draft, valid_from=moment(2027, 1, 1))
    # a price of another type has its own chain
    _price(carrier, draft, price_type="one_off", amount_fen=5000, valid_from=moment(2020, 1, 1))
    assert draft.prices.count() == 4


def test_a_gap_is_an_error_on_valid_from_in_both_languages(carrier, draft):
    with pytest.raises(ValidationError) as exc:
        _price(carrier, draft, valid_from=moment(2026, 8, 1))
    [item] = bilingual(exc.value)
    assert (item["field"], item["code"]) == ("valid_from", "gap")
    assert "2026-07-01" in item["message_en"] and "2026-08-01" in item["message_en"]
    assert "gap" in item["message_en"]
    assert "空档" in item["message_zh"]


def test_an_overlap_is_an_error_on_the_field_that_causes_it(carrier, draft):
    with pytest.raises(ValidationError) as exc:
        _price(carrier, draft, valid_from=moment(2026, 6, 1))
    [item] = bilingual(exc.value)
    assert (item["field"], item["code"]) == ("valid_from", "overlap")
    assert "上半年" in item["message_zh"] and "重叠" in item["message_zh"]
    # a price that starts earlier and runs into the existing one: its end is wrong
    with pytest.raises(ValidationError) as exc:
        _price(carrier, draft, valid_from=moment(2025, 1, 1), valid_to=moment(2026, 3, 1))
    assert bilingual(exc.value)[0]["field"] == "valid_to"
    # an open start overlaps everything before
    with pytest.raises(ValidationError) as exc:
        _price(carrier, draft, valid_to=moment(2026, 2, 1))
    assert bilingual(exc.value)[0]["code"] == "overlap"


def test_changing_a_price_into_a_gap_is_refused_and_deleting_a_middle_one_too(carrier, draft):
    second = _price(carrier, draft, valid_from=moment(2026, 7, 1), valid_to=moment(2027, 1, 1))
    third = _price(carrier, draft, valid_from=moment(2027, 1, 1))
    with pytest.raises(ValidationError) as exc:
        actions.price_update(actor=carrier["admin"], price=second, valid_to=moment(2026, 12, 1))
    assert bilingual(exc.value)[0]["field"] == "valid_to"
    with pytest.raises(ValidationError) as exc:
        actions.price_delete(actor=carrier["admin"], price=second)
    assert bilingual(exc.value)[0]["code"] == "gap"
    actions.price_delete(actor=carrier["admin"], price=third)  # the last one: no gap left behind
    assert draft.prices.count() == 2


def test_a_period_ending_before_it_starts_names_valid_to(carrier, draft):
    with pytest.raises(ValidationError) as exc:
        _price(carrier, draft, valid_from=moment(2027, 1, 1), valid_to=moment(2026, 1, 1))
    assert [i["field"] for i in bilingual(exc.value)] == ["valid_to"]


@pytest.mark.parametrize(
    ("data", "fields"),
    [
        ({"amount_fen": -1}, {"amount_fen"}),
        ({"amount_fen": "12.5"}, {"amount_fen"}),
        ({"price_type": "usage"}, {"usage_unit"}),
        ({"price_type": "one_off", "usage_unit": "MB"}, {"usage_unit"}),
        ({"price_type": "weekly"}, {"price_type"}),
        ({"name": ""}, {"name"}),
        ({"unit_amount": 0, "price_type": "usage", "usage_unit": "MB"}, {"unit_amount"}),
    ],
)
def test_bad_price_input_names_the_field(carrier, draft, data, fields):
    data = {"valid_from": moment(2026, 7, 1), **data}
    with pytest.raises(ValidationError) as exc:
        _price(carrier, draft, **data)
    assert set(exc.value.error_dict) == fields


def test_a_usage_price_has_a_unit_and_units_per_amount(carrier, draft):
    p = _price(
        carrier, draft, price_type="usage", amount_fen=500, usage_unit="MB", unit_amount=1024, valid_from=None
    )
    assert (p.usage_unit, p.unit_amount, p.recurring_period) == ("MB", 1024, "")


def test_a_price_on_its_own_can_be_attached_to_a_draft(carrier, draft):
    loose = actions.price_create(
        actor=carrier["admin"],
        name="独立价格",
        price_type="one_off",
        amount_fen=100,
        valid_from=moment(2026, 1, 1),
    )
    assert loose.offering is None
    attached = actions.price_attach(actor=carrier["admin"], price=loose, offering=draft)
    assert attached.offering == draft
