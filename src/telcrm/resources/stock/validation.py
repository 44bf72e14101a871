"""Checking the numbers printed on SIM cards and devices; each bad value is an error naming its field.

- ICCID (卡号, ITU-T E.118): 19 or 20 digits, starting 89 (telecommunications), the last digit a Luhn
  check digit over the others.
- IMSI: 15 digits; a card of a Chinese network starts with the mobile country code 460.
- IMEI: 15 digits, the last a Luhn check digit (``stdnum.imei``).
- MSISDN: a mainland mobile number, 11 digits starting with 1.

Scanners and spreadsheets add spaces, hyphens and full-width digits; :func:`digits` removes them.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext_lazy as _
from stdnum import imei as stdnum_imei
from stdnum import luhn

from telcrm.platform.errors import field_error

ICCID_LENGTHS = (19, 20)
IMSI_LENGTH = 15
IMEI_LENGTH = 15
CHINA_MCC = "460"
_SEPARATORS = re.compile(r"[\s\-_.·]")


def digits(value) -> str:
    """``value`` as text with full-width characters folded and spaces/hyphens removed."""
    if value is None:
        return ""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    text = unicodedata.normalize("NFKC", str(value)).strip()
    return _SEPARATORS.sub("", text)


def digits_keep_separators(value) -> str:
    """``value`` as text with full-width characters folded (separators between codes kept)."""
    return unicodedata.normalize("NFKC", str(value or ""))


def clean_iccid(value, field: str = "iccid") -> str:
    s = digits(value)
    if not s:
        raise field_error(field, _("Enter the ICCID."), "required")
    if not s.isascii() or not s.isdigit():
        raise field_error(field, _("An ICCID consists of digits only."), "invalid")
    if len(s) not in ICCID_LENGTHS:
        raise field_error(
            field, _("An ICCID has 19 or 20 digits; this one has %(n)d."), "invalid_length", n=len(s)
        )
    if not s.startswith("89"):
        raise field_error(field, _("An ICCID starts with 89."), "invalid_prefix")
    if not luhn.is_valid(s):
        raise field_error(
            field, _("The ICCID's check digit is wrong (Luhn check failed); check the number."), "checksum"
        )
    return s


def clean_imsi(value, field: str = "imsi") -> str:
    s = digits(value)
    if not s:
        raise field_error(field, _("Enter the IMSI."), "required")
    if not s.isascii() or not s.isdigit() or len(s) != IMSI_LENGTH:
        raise field_error(field, _("An IMSI has exactly 15 digits."), "invalid")
    if not s.startswith(CHINA_MCC):
        raise field_error(
            field, _("The IMSI must start with 460, the mobile country code of China."), "invalid_prefix"
        )
    return s


def clean_imei(value, field: str = "imei") -> str:
    s = digits(value)
    if not s:
        raise field_error(field, _("Enter the IMEI."), "required")
    if not s.isascii() or not s.isdigit() or len(s) != IMEI_LENGTH:
        raise field_error(field, _("An IMEI has exactly 15 digits."), "invalid")
    if not stdnum_imei.is_valid(s):
        raise field_error(
            field, _("The IMEI's check digit is wrong (Luhn check failed); check the number."), "checksum"
        )
    return s


def clean_msisdn(value, field: str = "msisdn") -> str:
    s = digits(value).removeprefix("+86")
    if len(s) == 13 and s.startswith("86"):
        s = s[2:]
    if not s:
        raise field_error(field, _("Enter the mobile number."), "required")
    if not (s.isascii() and s.isdigit() and len(s) == 11 and s.startswith("1")):
        raise field_error(field, _("Enter a mainland mobile number of 11 digits starting with 1."), "invalid")
    return s


def clean_text(value, field: str, *, max_length: int, required: bool = False) -> str:
    text = " ".join(str(value or "").split())
    if required and not text:
        raise field_error(field, _("This field is required."), "required")
    if len(text) > max_length:
        raise field_error(
            field,
            _("At most %(max)d characters (this is %(n)d)."),
            "max_length",
            max=max_length,
            n=len(text),
        )
    return text


def clean_reference(value, field: str = "reference") -> str:
    return clean_text(value, field, max_length=64)


MAX_PRICE_FEN = 10_000_000_00  # ten million yuan


def clean_price_fen(value, field: str = "price_fen") -> int:
    """A price in fen (an int) — or, from a spreadsheet, yuan with at most two decimals ("5999.00")."""
    if isinstance(value, bool) or value is None or value == "":
        raise field_error(field, _("Enter the price."), "required")
    if isinstance(value, int):
        fen = value
    else:
        text = unicodedata.normalize("NFKC", str(value)).strip().replace(",", "").removeprefix("¥")
        try:
            yuan = Decimal(text)
        except InvalidOperation as exc:
            raise field_error(field, _("Enter the price as a number such as 5999.00."), "invalid") from exc
        if not yuan.is_finite() or yuan != yuan.quantize(Decimal("0.01")):
            raise field_error(field, _("A price has at most two decimals (fen)."), "invalid")
        fen = int(yuan * 100)
    if fen < 0 or fen > MAX_PRICE_FEN:
        raise field_error(field, _("Enter a price between 0 and 10,000,000 yuan."), "out_of_range")
    return fen


SIM_KIND_ALIASES = {
    "normal": ("normal", "standard", "standard sim", "mini", "普通卡", "标准卡", "普卡", "大卡"),
    "micro": ("micro", "micro sim", "microsim", "小卡", "中卡"),
    "nano": ("nano", "nano sim", "nanosim", "nano卡", "超小卡", "小小卡"),
    "triple": ("triple", "triple-cut", "triple cut", "3in1", "三切卡", "三合一", "三合一卡", "通用卡"),
    "esim": ("esim", "e-sim", "esim profile", "嵌入式卡"),
}
_SIM_KINDS = {alias.replace(" ", ""): code for code, names in SIM_KIND_ALIASES.items() for alias in names}


def clean_sim_kind(value, field: str = "kind", *, default: str = "") -> str:
    """A SIM type code from its code or a usual name in Chinese or English ("Nano卡", "三切卡", "eSIM")."""
    text = unicodedata.normalize("NFKC", str(value or "")).strip().lower().replace(" ", "")
    if not text:
        if default:
            return default
        raise field_error(field, _("Choose the SIM type."), "required")
    code = _SIM_KINDS.get(text) or _SIM_KINDS.get(text.removesuffix("卡")) or _SIM_KINDS.get(text + "卡")
    if code is None:
        raise field_error(
            field,
            _("Unknown SIM type “%(value)s”; use standard, micro, nano, triple-cut or eSIM."),
            "invalid_choice",
            value=str(value)[:40],
        )
    return code
