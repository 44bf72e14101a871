"""Numbers printed on cards and devices: ICCID (Luhn), IMSI (460…), IMEI (Luhn), mobile numbers,
SIM types, prices, and the scanned/pasted code lists. A bad value is a field error naming the field,
in English and Chinese."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from stdnum import luhn

from telcrm.platform.errors import bilingual
from telcrm.resources.stock import validation
from telcrm.resources.stock.actions._common import parse_codes
from telcrm.resources.stock.testing import iccid_for, imei_for, imsi_for

GOOD_ICCID = iccid_for(42)
GOOD_IMEI = imei_for(42)


def wrong_check_digit(code: str) -> str:
    return code[:-1] + str((int(code[-1]) + 1) % 10)


def error_of(fn, *args, **kw):
    with pytest.raises(ValidationError) as info:
        fn(*args, **kw)
    (field, errors), *_ = info.value.error_dict.items()
    return field, errors[0].code, info.value


def test_valid_numbers_pass_and_are_normalised():
    assert validation.clean_iccid(GOOD_ICCID) == GOOD_ICCID
    spaced = " ".join(GOOD_ICCID[i : i + 4] for i in range(0, 20, 4))
    assert validation.clean_iccid(spaced) == GOOD_ICCID
    full_width = GOOD_ICCID.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    assert validation.clean_iccid(full_width) == GOOD_ICCID
    nineteen = GOOD_ICCID[:18] + luhn.calc_check_digit(GOOD_ICCID[:18])
    assert validation.clean_iccid(nineteen) == nineteen
    assert validation.clean_imsi(imsi_for(7)) == imsi_for(7)
    assert validation.clean_imei(f"{GOOD_IMEI[:2]}-{GOOD_IMEI[2:8]}-{GOOD_IMEI[8:]}") == GOOD_IMEI
    assert validation.clean_msisdn("+86 138-0013-8000") == "13800138000"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("", "required"),
        ("8986031234567890123X", "invalid"),
        ("898603123456789012", "invalid_length"),
        ("898603123456789012345", "invalid_length"),
        ("12" + GOOD_ICCID[2:], "invalid_prefix"),
        (wrong_check_digit(GOOD_ICCID), "checksum"),
    ],
)
def test_bad_iccid_names_the_field(value, code):
    field, got, exc = error_of(validation.clean_iccid, value, "iccid")
    assert (field, got) == ("iccid", code)
    item = bilingual(exc)[0]
    assert item["message_en"].isascii() and not item["message_zh"].isascii()


def test_checksum_error_says_so_in_both_languages():
    _f, _c, exc = error_of(validation.clean_iccid, wrong_check_digit(GOOD_ICCID), "iccid")
    item = bilingual(exc)[0]
    assert "check digit" in item["message_en"] and "校验位" in item["message_zh"]


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("", "required"),
        ("46001234567890", "invalid"),
        ("4600123456789012", "invalid"),
        ("310150123456789", "invalid_prefix"),
    ],
)
def test_bad_imsi(value, code):
    assert error_of(validation.clean_imsi, value)[:2] == ("imsi", code)


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("", "required"),
        ("35693803564380", "invalid"),
        (wrong_check_digit(GOOD_IMEI), "checksum"),
        ("3569380356438X9", "invalid"),
    ],
)
def test_bad_imei(value, code):
    assert error_of(validation.clean_imei, value)[:2] == ("imei", code)


@pytest.mark.parametrize("value", ["", "1380013800", "23800138000", "138001380001"])
def test_bad_msisdn(value):
    assert error_of(validation.clean_msisdn, value)[0] == "msisdn"


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("三切卡", "triple"),
        ("Nano卡", "nano"),
        ("nano", "nano"),
        ("eSIM", "esim"),
        ("标准卡", "normal"),
        ("Micro SIM", "micro"),
    ],
)
def test_sim_kind_names(raw, code):
    assert validation.clean_sim_kind(raw) == code


def test_unknown_sim_kind_and_default():
    assert validation.clean_sim_kind("", default="nano") == "nano"
    assert error_of(validation.clean_sim_kind, "超大卡")[:2] == ("kind", "invalid_choice")


@pytest.mark.parametrize(
    ("raw", "fen"), [("5999", 599900), ("5,999.50", 599950), ("¥19.9", 1990), (12345, 12345), ("0", 0)]
)
def test_prices(raw, fen):
    assert validation.clean_price_fen(raw) == fen


@pytest.mark.parametrize("raw", ["", "abc", "1.234", "-5", "100000000"])
def test_bad_prices(raw):
    assert error_of(validation.clean_price_fen, raw, "price")[0] == "price"


def test_code_lists_split_dedupe_and_ranges():
    a, b = iccid_for(100), iccid_for(200)
    parsed = parse_codes(f"{a}\n{GOOD_IMEI}, {a}；{a}-{b}")
    assert parsed.codes == [a, GOOD_IMEI]
    assert parsed.ranges == [(a, b)]


def test_code_list_names_every_bad_code():
    bad = wrong_check_digit(GOOD_ICCID)
    with pytest.raises(ValidationError) as info, translation.override("en"):
        parse_codes(f"{GOOD_ICCID}\n{bad}\n12345")
    message = info.value.message_dict["codes"][0]
    assert bad in message and "12345" in message and GOOD_ICCID not in message


def test_reversed_or_mixed_range_is_refused():
    a, b = iccid_for(300), iccid_for(400)
    with pytest.raises(ValidationError):
        parse_codes(f"{b}-{a}")
    with pytest.raises(ValidationError):
        parse_codes(f"{a}-{GOOD_IMEI}")
    with pytest.raises(ValidationError) as info:
        parse_codes("  \n ")
    assert info.value.error_dict["codes"][0].code == "required"
