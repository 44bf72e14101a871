"""Validators of ID documents, phones, e-mail and postcodes: valid values pass normalised, every
single-character mutation of an ID number or credit code fails."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.cn import uscc

from telcrm.customers import validation as v

from ._domain_fixtures import credit_code, resident_id, ric_check

REGIONS = ["110101", "310101", "330106", "330203", "330113", "440305", "510104", "650102"]
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def codes(exc: ValidationError) -> dict[str, str]:
    return {f: errs[0].code for f, errs in exc.error_dict.items()}


def fails(fn, *args, **kwargs) -> dict[str, str]:
    with pytest.raises(ValidationError) as info:
        fn(*args, **kwargs)
    return codes(info.value)


# --- resident ID ------------------------------------------------------------------------------------
births = st.dates(min_value=dt.date(1920, 1, 1), max_value=dt.date(2015, 12, 31))


@st.composite
def resident_ids(draw):
    return resident_id(draw(st.sampled_from(REGIONS)), draw(births), draw(st.integers(0, 999)))


@settings(max_examples=200, deadline=None)
@given(number=resident_ids())
def test_valid_resident_ids_pass_and_give_birth_date_and_gender(number):
    assert v.validate_id_number("id_card", number) == number
    assert v.validate_id_number("id_card", f" {number[:6]} {number[6:14]} {number[14:].lower()} ") == number
    assert v.id_birth_date(number) == dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    assert v.id_gender(number) == ("m" if int(number[16]) % 2 else "f")


@settings(max_examples=300, deadline=None)
@given(number=resident_ids(), position=st.integers(0, 17), data=st.data())
def test_any_single_character_changed_in_a_resident_id_fails(number, position, data):
    alphabet = "0123456789X" if position == 17 else "0123456789"
    other = data.draw(st.sampled_from([c for c in alphabet if c != number[position]]))
    mutated = number[:position] + other + number[position + 1 :]
    assert "id_number" in fails(v.validate_id_number, "id_card", mutated)


def test_resident_id_rules_each_have_their_own_code():
    good = resident_id()
    assert fails(v.validate_id_number, "id_card", good[:17]) == {"id_number": "invalid_length"}
    assert fails(v.validate_id_number, "id_card", "330106900101123") == {"id_number": "obsolete"}
    assert fails(v.validate_id_number, "id_card", good[:-1] + ("0" if good[-1] != "0" else "1")) == {
        "id_number": "invalid_checksum"
    }
    assert fails(v.validate_id_number, "id_card", "")["id_number"] == "required"
    assert fails(v.validate_id_number, "id_card", "33010619900101A23X")["id_number"] == "invalid_format"


def test_resident_id_with_an_impossible_birth_date_fails():
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    for body in ("33010619900230123", "33010618890101123", f"330106{tomorrow:%Y%m%d}123"):
        number = body + ric_check(body)
        assert fails(v.validate_id_number, "id_card", number) == {"id_number": "invalid_birth_date"}


def test_resident_id_with_an_unknown_province_fails():
    body = "99010619900101123"
    assert fails(v.validate_id_number, "id_card", body + ric_check(body)) == {"id_number": "invalid_region"}


def test_a_district_code_newer_than_the_birth_year_is_accepted():
    # 西湖区 (330106) exists since 1983; IDs are issued later than birth, so older people hold it.
    number = resident_id("330106", dt.date(1970, 5, 5))
    assert v.validate_id_number("id_card", number) == number


# --- unified social credit code ---------------------------------------------------------------------
@st.composite
def credit_codes(draw):
    core = draw(st.sampled_from("159")) + draw(st.sampled_from("123459")) + draw(st.sampled_from(REGIONS))
    core += draw(st.text(alphabet=USCC_ALPHABET, min_size=9, max_size=9))
    return core + uscc.calc_check_digit(core)


@settings(max_examples=200, deadline=None)
@given(code=credit_codes())
def test_valid_credit_codes_pass_for_both_organisation_document_types(code):
    assert v.validate_id_number("business_license", code) == code
    assert v.validate_id_number("org_code", code.lower()) == code


@settings(max_examples=300, deadline=None)
@given(code=credit_codes(), position=st.integers(0, 17), data=st.data())
def test_any_single_character_changed_in_a_credit_code_fails(code, position, data):
    alphabet = "0123456789" if position < 8 else USCC_ALPHABET
    other = data.draw(st.sampled_from([c for c in alphabet if c != code[position]]))
    mutated = code[:position] + other + code[position + 1 :]
    assert "id_number" in fails(v.validate_id_number, "business_license", mutated)


def test_credit_code_length_is_checked():
    assert fails(v.validate_id_number, "business_license", credit_code()[:15]) == {
        "id_number": "invalid_length"
    }


# --- other documents --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("doc_type", "number", "expected"),
    [
        ("hk_mo_permit", "H12345678", "H12345678"),
        ("hk_mo_permit", "m 1234 5678", "M12345678"),
        ("hk_mo_permit", "H1234567890", "H1234567890"),
        ("tw_permit", "12345678", "12345678"),
        ("passport", "E12345678", "E12345678"),
        ("passport", "ea 1234567", "EA1234567"),
        ("foreigner_residence", "USA123456789012", "USA123456789012"),
    ],
)
def test_other_documents_accept_their_formats(doc_type, number, expected):
    assert v.validate_id_number(doc_type, number) == expected


@pytest.mark.parametrize(
    ("doc_type", "number"),
    [
        ("hk_mo_permit", "X12345678"),
        ("hk_mo_permit", "CA1234567"),
        ("hk_mo_permit", "H1234567"),
        ("tw_permit", "1234567"),
        ("tw_permit", "A1234567"),
        ("passport", "E12"),
        ("passport", "E1234567890123456789"),
        ("foreigner_residence", "US123456789012"),
    ],
)
def test_other_documents_refuse_wrong_formats(doc_type, number):
    assert fails(v.validate_id_number, doc_type, number) == {"id_number": "invalid_format"}


def test_new_foreigner_residence_card_is_checked_like_a_resident_id():
    body = "93310619900101123"
    good = body + ric_check(body)
    assert v.validate_id_number("foreigner_residence", good) == good
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    assert fails(v.validate_id_number, "foreigner_residence", bad) == {"id_number": "invalid_checksum"}


@pytest.mark.django_db
def test_document_type_must_suit_the_customer_type():
    assert v.validate_doc_type("id_card", customer_type="individual") == "id_card"
    assert v.validate_doc_type("business_license", customer_type="enterprise") == "business_license"
    assert v.validate_doc_type("org_code", customer_type="group") == "org_code"
    assert fails(v.validate_doc_type, "business_license", customer_type="individual") == {
        "id_doc_type": "wrong_party_type"
    }
    assert fails(v.validate_doc_type, "id_card", customer_type="enterprise") == {
        "id_doc_type": "wrong_party_type"
    }
    assert fails(v.validate_doc_type, "library_card", customer_type="individual") == {
        "id_doc_type": "invalid_choice"
    }
    assert fails(v.validate_doc_type, "", customer_type="individual") == {"id_doc_type": "required"}


# --- phones -------------------------------------------------------------------------------------
mobiles = st.builds(
    lambda second, rest: f"1{second}{rest:09d}", st.sampled_from("3456789"), st.integers(0, 10**9 - 1)
)


@settings(max_examples=200, deadline=None)
@given(
    number=mobiles,
    style=st.sampled_from(["{n}", "+86 {n}", "0086{n}", "{a} {b} {c}", "{a}-{b}-{c}", "+86-{n}"]),
)
def test_mainland_mobiles_in_any_common_writing_normalise_to_11_digits(number, style):
    written = style.format(n=number, a=number[:3], b=number[3:7], c=number[7:])
    assert v.validate_phone(written) == number
    assert v.validate_phone(written, kind="mobile") == number
    assert v.parse_phone(written) == (number, "mobile")


@settings(max_examples=100, deadline=None)
@given(number=mobiles)
def test_a_mobile_with_a_digit_missing_or_added_fails(number):
    assert "phone" in fails(v.validate_phone, number[:-1])
    assert "phone" in fails(v.validate_phone, number + "0")


@pytest.mark.parametrize("number", ["12012345678", "10012345678", "11012345678"])
def test_numbers_starting_10_to_12_are_not_mobiles(number):
    assert fails(v.validate_phone, number) == {"phone": "invalid_mobile"}


@pytest.mark.parametrize(
    ("written", "expected"),
    [("0571-88888888", "057188888888"), ("057188888888", "057188888888"), ("010 1234 5678", "01012345678"),
     ("+86 571 8888 8888", "057188888888")],
)  # fmt: skip
def test_fixed_lines_with_area_code_normalise_with_trunk_zero(written, expected):
    assert v.validate_phone(written) == expected
    assert v.validate_phone(written, kind="phone") == expected
    assert fails(v.validate_phone, written, kind="mobile") == {"phone": "not_mobile"}


def test_a_fixed_line_without_area_code_asks_for_it():
    assert fails(v.validate_phone, "88888888") == {"phone": "area_code"}


def test_a_mobile_is_not_a_fixed_line():
    assert fails(v.validate_phone, "13812345678", "value", kind="phone") == {"value": "not_fixed_line"}


def test_foreign_numbers_need_their_country_code_and_are_kept_in_e164():
    assert v.parse_phone("+852 9123 4567") == ("+85291234567", "mobile")
    assert fails(v.validate_phone, "+852 1234") == {"phone": "invalid"}


@pytest.mark.parametrize("junk", ["abc", "138-1234-567a", "++8613812345678", "95555", "4008123123"])
def test_junk_is_not_a_phone_number(junk):
    assert "phone" in fails(v.validate_phone, junk)


def test_empty_phone_is_required():
    assert fails(v.validate_phone, "  ") == {"phone": "required"}


@settings(max_examples=200, deadline=None)
@given(
    number=st.one_of(
        mobiles,
        st.builds(
            lambda a, n: f"0{a}-{n}",
            st.sampled_from(["571", "574", "21", "10", "755"]),
            st.integers(2 * 10**7, 9 * 10**7),
        ),
    ),
    prefix=st.sampled_from(["", "+86 ", "0086 "]),
)
def test_stored_phones_are_in_the_form_search_looks_them_up_in(number, prefix):
    import phonenumbers
    from hypothesis import assume

    from telcrm.customers.search import normalize_phone

    written = prefix + (number[1:] if prefix and number.startswith("0") else number)
    # Only numbers in ranges that are really allocated (libphonenumber's metadata): e.g. 021-8xxxxxxx is not.
    assume(phonenumbers.is_valid_number(phonenumbers.parse(written, "CN")))
    assert v.validate_phone(written) == normalize_phone(written)


# --- e-mail, postcode, birth date, WeChat -------------------------------------------------------------
def test_email_is_validated_and_its_domain_lower_cased():
    assert v.validate_email(" Zhang.San@Example.COM ") == "Zhang.San@example.com"
    assert fails(v.validate_email, "zhang@") == {"email": "invalid"}
    assert fails(v.validate_email, "a" * 250 + "@x.cn") == {"email": "max_length"}


def test_postcode_has_six_digits():
    assert v.validate_postcode("310012") == "310012"
    assert v.validate_postcode("") == ""
    assert fails(v.validate_postcode, "31001") == {"postcode": "invalid"}
    assert fails(v.validate_postcode, "31001A") == {"postcode": "invalid"}


def test_birth_date_must_be_plausible():
    assert v.validate_birth_date("1990-02-03") == dt.date(1990, 2, 3)
    assert v.validate_birth_date(None) is None
    assert fails(v.validate_birth_date, timezone.localdate() + dt.timedelta(days=1)) == {
        "birth_date": "implausible"
    }
    assert fails(v.validate_birth_date, dt.date(1899, 12, 31)) == {"birth_date": "implausible"}
    assert fails(v.validate_birth_date, "1990-02-30") == {"birth_date": "invalid"}


def test_wechat_id_or_bound_mobile():
    assert v.validate_wechat("zhang_san-88") == "zhang_san-88"
    assert v.validate_wechat("138 1234 5678") == "13812345678"
    assert fails(v.validate_wechat, "1abcdef") == {"value": "invalid"}
    assert fails(v.validate_wechat, "abc") == {"value": "invalid"}


def test_text_is_trimmed_and_limited():
    assert v.validate_text("  张  三 ", "name", max_length=10) == "张 三"
    assert fails(v.validate_text, "x" * 11, "name", max_length=10) == {"name": "max_length"}
    assert fails(v.validate_text, " ", "name", max_length=10, required=True) == {"name": "required"}
    assert fails(v.validate_text, 5, "name", max_length=10) == {"name": "invalid"}
