"""Validators of customer data: ID documents (实名制), phone numbers, e-mail, postcodes.

Each ``validate_*`` returns the normalised value or raises a ``ValidationError`` naming the field
(``field_error``) with a translated message and a stable code. Actions, the import job, forms and
the API all call these, so a value is judged the same way on every path.

Normalised forms (what is stored, encrypted, and blind-indexed):

- resident ID: 18 characters, upper-case ``X`` check character;
- mainland mobile: 11 digits (``13812345678``); mainland fixed line: trunk ``0`` + area code +
  subscriber (``057188888888``); any other country: E.164 (``+85291234567``);
- unified social credit code: 18 upper-case characters, no separators.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email as django_validate_email
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from stdnum.cn import ric, uscc

from telcrm.platform.errors import field_error

# Dictionary ``id_doc_type`` codes (platform/seeds.py) by the kind of party that may hold them.
ORGANIZATION_DOC_TYPES = frozenset({"business_license", "org_code"})
INDIVIDUAL_DOC_TYPES = frozenset({"id_card", "hk_mo_permit", "tw_permit", "passport", "foreigner_residence"})

_SEPARATORS = re.compile(r"[\s\-‐‑–—()（）]+")
_MOBILE_CN = re.compile(r"^1[3-9]\d{9}$")
_HK_MO = re.compile(r"^[HM]\d{8}(\d{2})?$")
_TW = re.compile(r"^\d{8}$")
_PASSPORT = re.compile(r"^[A-Z0-9]{5,17}$")
_FOREIGNER_OLD = re.compile(r"^[A-Z]{3}\d{12}$")
_GENERIC_DOC = re.compile(r"^[A-Z0-9]{4,32}$")
_POSTCODE = re.compile(r"^\d{6}$")
_WECHAT = re.compile(r"^[A-Za-z][-_A-Za-z0-9]{5,19}$")
_EARLIEST_BIRTH = dt.date(1900, 1, 1)


def _str(value) -> str:
    """Any input as text (a number from a spreadsheet, None from a blank form field)."""
    return "" if value is None else value if isinstance(value, str) else str(value)


def _compact(value) -> str:
    """NFKC (full-width → ASCII), separators removed, upper case."""
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", _str(value))).upper()


# --- ID documents -----------------------------------------------------------------------------
def doc_type_codes() -> set[str]:
    """Codes of the ``id_doc_type`` dictionary (inactive items included: old records stay valid)."""
    from telcrm.platform.queries import dictionary

    return {i["code"] for i in dictionary("id_doc_type", active_only=False)}


def validate_doc_type(doc_type: str, *, customer_type: str, field: str = "id_doc_type") -> str:
    """The document type must exist in the dictionary and suit the customer: an enterprise or group
    registers with its business licence / unified social credit code, an individual with a personal
    document."""
    doc_type = _str(doc_type).strip()
    if not doc_type:
        raise field_error(field, _("Choose the type of ID document."), "required")
    known = doc_type_codes()
    if doc_type not in known and doc_type not in INDIVIDUAL_DOC_TYPES | ORGANIZATION_DOC_TYPES:
        raise field_error(field, _("Choose a valid type of ID document."), "invalid_choice")
    if customer_type == "individual":
        if doc_type in ORGANIZATION_DOC_TYPES:
            raise field_error(
                field,
                _("An individual registers with a personal ID document, not a business licence."),
                "wrong_party_type",
            )
    elif doc_type not in ORGANIZATION_DOC_TYPES:
        raise field_error(
            field,
            _("An enterprise or group registers with its business licence (unified social credit code)."),
            "wrong_party_type",
        )
    return doc_type


def validate_id_number(doc_type: str, number: str, field: str = "id_number") -> str:
    """The normalised ID number for document type ``doc_type``, or a ValidationError on ``field``."""
    value = _compact(number)
    if not value:
        raise field_error(field, _("Enter the ID number."), "required")
    if doc_type == "id_card":
        return _resident_id(value, field)
    if doc_type in ORGANIZATION_DOC_TYPES:
        return _credit_code(value, field)
    if doc_type == "hk_mo_permit":
        if not _HK_MO.match(value):
            raise field_error(
                field,
                _("A Hong Kong/Macao permit number is H or M followed by 8 digits (10 on old booklets)."),
                "invalid_format",
            )
        return value
    if doc_type == "tw_permit":
        if not _TW.match(value):
            raise field_error(field, _("A Taiwan permit number has 8 digits."), "invalid_format")
        return value
    if doc_type == "passport":
        if not _PASSPORT.match(value):
            raise field_error(field, _("A passport number has 5 to 17 letters and digits."), "invalid_format")
        return value
    if doc_type == "foreigner_residence":
        if _FOREIGNER_OLD.match(value):
            return value
        if len(value) == 18 and value.startswith("9"):
            _check_ric_checksum(value, field)
            return value
        raise field_error(
            field,
            _(
                "A foreign permanent resident ID has 18 characters starting with 9, "
                "or 3 letters and 12 digits (old card)."
            ),
            "invalid_format",
        )
    if not _GENERIC_DOC.match(value):
        raise field_error(field, _("An ID number has 4 to 32 letters and digits."), "invalid_format")
    return value


def _check_ric_checksum(value: str, field: str) -> None:
    if not value[:-1].isdigit() or value[-1] not in "0123456789X":
        raise field_error(field, _("An ID number has 17 digits and a final digit or X."), "invalid_format")
    if ric.calc_check_digit(value) != value[-1]:
        raise field_error(
            field,
            _("The check digit of this ID number is wrong; check the number on the card."),
            "invalid_checksum",
        )


def _resident_id(value: str, field: str) -> str:
    if len(value) == 15 and value.isdigit():
        raise field_error(
            field,
            _("15-digit first-generation ID cards are no longer valid; ask for the 18-digit card."),
            "obsolete",
        )
    if len(value) != 18:
        raise field_error(field, _("A resident ID number has 18 characters."), "invalid_length")
    _check_ric_checksum(value, field)
    if not _province_known(value[:2]):
        raise field_error(
            field, _("The first digits of this ID number are not a region code."), "invalid_region"
        )
    try:
        birth = ric.get_birth_date(value)
    except Exception:  # stdnum's InvalidComponent: not a calendar date
        birth = None
    if birth is None or birth < _EARLIEST_BIRTH or birth > timezone.localdate():
        raise field_error(
            field, _("The date of birth in this ID number is not possible."), "invalid_birth_date"
        )
    return value


@functools.lru_cache(maxsize=128)
def _province_known(prefix: str) -> bool:
    """Whether the first two digits are a province-level region (the county is not checked: codes of
    districts created after stdnum's data was published, and numbers issued after a district was
    renamed, are valid)."""
    from stdnum import numdb

    return any("province" in props for _part, props in numdb.get("cn/loc").info(prefix + "0000"))


def _credit_code(value: str, field: str) -> str:
    if len(value) != 18:
        raise field_error(
            field, _("A unified social credit code has 18 letters and digits."), "invalid_length"
        )
    try:
        return uscc.validate(value)
    except uscc.InvalidChecksum as exc:
        raise field_error(
            field, _("The check character of this credit code is wrong."), "invalid_checksum"
        ) from exc
    except Exception as exc:
        raise field_error(
            field, _("This is not a valid unified social credit code."), "invalid_format"
        ) from exc


def id_birth_date(number: str) -> dt.date | None:
    """Date of birth encoded in an 18-digit resident ID, None if there is none."""
    value = _compact(number)
    if len(value) != 18 or not value[:17].isdigit():
        return None
    try:
        return ric.get_birth_date(value)
    except Exception:
        return None


def id_gender(number: str) -> str:
    """Gender "m" or "f" from the 17th digit of a resident ID (odd: male), "" when not a resident ID."""
    value = _compact(number)
    if len(value) != 18 or not value[16].isdigit():
        return ""
    return "m" if int(value[16]) % 2 else "f"


# --- phones -----------------------------------------------------------------------------------
MOBILE = "mobile"
FIXED = "phone"


def validate_phone(value: str, field: str = "phone", *, kind: str | None = None) -> str:
    """The normalised number, or a ValidationError on ``field``.

    ``kind`` restricts the number to ``"mobile"`` or ``"phone"`` (fixed line); None accepts both.
    Mainland mobiles are 1[3-9] + 9 digits; fixed lines need their area code; numbers of other
    countries are accepted with their + country code.
    """
    normalised, number_kind = parse_phone(value, field)
    if kind == MOBILE and number_kind != MOBILE:
        raise field_error(field, _("Enter a mobile number (11 digits starting with 13–19)."), "not_mobile")
    if kind == FIXED and number_kind != FIXED:
        raise field_error(field, _("Enter a fixed-line number with its area code."), "not_fixed_line")
    return normalised


def parse_phone(value: str, field: str = "phone") -> tuple[str, str]:
    """(normalised number, "mobile" | "phone") or a ValidationError on ``field``."""
    raw = unicodedata.normalize("NFKC", _str(value)).strip()
    if not raw:
        raise field_error(field, _("Enter a phone number."), "required")
    digits = _SEPARATORS.sub("", raw)
    if not re.fullmatch(r"\+?\d{3,20}", digits):
        raise field_error(field, _("A phone number may contain only digits, spaces, - and +."), "invalid")
    if _MOBILE_CN.match(digits):
        return digits, MOBILE
    try:
        number = phonenumbers.parse(digits, "CN")
    except phonenumbers.NumberParseException as exc:
        raise field_error(field, _("This is not a valid phone number."), "invalid") from exc
    if number.country_code == 86:
        national = str(number.national_number)
        if _MOBILE_CN.match(national):
            return national, MOBILE
        if len(national) == 11 and national.startswith("1"):
            raise field_error(
                field, _("A mobile number has 11 digits and starts with 13 to 19."), "invalid_mobile"
            )
        kind = phonenumbers.number_type(number)
        if phonenumbers.is_valid_number(number) and kind in (
            phonenumbers.PhoneNumberType.FIXED_LINE,
            phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
        ):
            return "0" + national, FIXED
        if not digits.startswith(("0", "+")) and len(digits) in (7, 8):
            raise field_error(field, _("Enter the area code with a fixed-line number."), "area_code")
        raise field_error(field, _("This is not a valid phone number."), "invalid")
    if not phonenumbers.is_valid_number(number):
        raise field_error(field, _("This is not a valid phone number."), "invalid")
    kind = phonenumbers.number_type(number)
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    mobile_types = (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)
    return e164, MOBILE if kind in mobile_types else FIXED


# --- other fields -----------------------------------------------------------------------------
def validate_email(value: str, field: str = "email") -> str:
    email = unicodedata.normalize("NFKC", _str(value)).strip()
    if not email:
        raise field_error(field, _("Enter an e-mail address."), "required")
    if len(email) > 254:
        raise field_error(field, _("An e-mail address has at most 254 characters."), "max_length")
    try:
        django_validate_email(email)
    except ValidationError as exc:
        raise field_error(field, _("Enter a valid e-mail address."), "invalid") from exc
    local, _at, domain = email.rpartition("@")
    return f"{local}@{domain.lower()}"


def validate_wechat(value: str, field: str = "value") -> str:
    """A WeChat ID (6–20 characters, starting with a letter) or the mobile number it is bound to."""
    v = _str(value).strip()
    if _MOBILE_CN.match(_compact(v)):
        return _compact(v)
    if not _WECHAT.match(v):
        raise field_error(
            field,
            _("A WeChat ID has 6 to 20 letters, digits, - or _ and starts with a letter."),
            "invalid",
        )
    return v


def validate_postcode(value: str, field: str = "postcode") -> str:
    v = _compact(value)
    if v and not _POSTCODE.match(v):
        raise field_error(field, _("A postcode has 6 digits."), "invalid")
    return v


def validate_birth_date(value, field: str = "birth_date") -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value.strip())
        except ValueError as exc:
            raise field_error(field, _("Enter a valid date."), "invalid") from exc
    if not isinstance(value, dt.date):
        raise field_error(field, _("Enter a valid date."), "invalid")
    if value < _EARLIEST_BIRTH or value > timezone.localdate():
        raise field_error(field, _("This date of birth is not possible."), "implausible")
    return value


def validate_text(value, field: str, *, max_length: int, required: bool = False) -> str:
    """A trimmed single-line text within ``max_length``; ``required`` refuses an empty value."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise field_error(field, _("Enter text."), "invalid")
    v = " ".join(value.split())
    if required and not v:
        raise field_error(field, _("This cannot be left empty."), "required")
    if len(v) > max_length:
        raise field_error(
            field,
            _("Enter at most %(max)s characters (it has %(length)s)."),
            "max_length",
            max=max_length,
            length=len(v),
        )
    return v
