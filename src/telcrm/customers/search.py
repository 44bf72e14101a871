"""Customer search (CUS-3): the tokens a customer is found by, and what a search-box string means.

``build_search_text`` turns a name into the space-separated tokens stored in
``Customer.search_text``: the name without spaces or punctuation, every Chinese character, the
suffixes of each Chinese run (so "华为" is a token prefix of "华为科技有限公司" and a two-character
fragment is found through an index), the full pinyin and the pinyin initials, Latin words
lower-cased, then the customer number and any extra strings (trading name, …) treated the same way.
``queries.customer_search`` matches typed text against these tokens: token prefixes through a
trigram index on PostgreSQL (``LIKE '% zs%'`` yields the word-start trigrams ``"  z"`` and ``" zs"``),
substrings of three or more characters through the same index, ``LIKE`` on SQLite.

``parse_query`` decides what one search-box string is (customer number, phone, ID number, account,
MSISDN, email or a name fragment); ``normalize_phone`` is the one canonical form of a phone number,
used both when contact numbers are stored (their blind index is computed from it) and when searched.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import NamedTuple

from pypinyin import lazy_pinyin

# --- tokens ---------------------------------------------------------------------------------------

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f"
_CJK_RUN = re.compile(f"[{_CJK}]+")
_CJK_ONLY = re.compile(f"[{_CJK}]+$")
_WORD = re.compile(rf"[^\W_{_CJK}]+")  # letters/digits of any other script (Latin, Cyrillic, …)
_NOT_WORD = re.compile(r"[\W_]+")

MAX_SUFFIX_START = 20  # suffix tokens of a Chinese run start at most this far in (long enterprise names)
PERSONAL_NAME_MAX = 4  # a Chinese-only name this short is read per character, surname first

# Surnames whose reading differs from the character's most common one (曾 zēng, not céng). The default
# reading is kept as well, so a clerk who types either finds the customer.
SURNAME_READINGS = {
    "曾": "zeng",
    "单": "shan",
    "解": "xie",
    "仇": "qiu",
    "区": "ou",
    "查": "zha",
    "朴": "piao",
    "盖": "ge",
    "缪": "miao",
    "覃": "qin",
    "翟": "zhai",
    "乐": "yue",
    "召": "shao",
    "秘": "bi",
    "种": "chong",
    "折": "she",
    "员": "yun",
    "繁": "po",
    "句": "gou",
    "长": "chang",
    "長": "chang",
    "重": "chong",
    "能": "nai",
    "阚": "kan",
    "都": "du",
    "隗": "wei",
    "祭": "zhai",
    "郇": "xun",
    "尉": "yu",
    "万": "wan",
    "沈": "shen",
    "柏": "bai",
    "薄": "bo",
    "黑": "he",
    "华": "hua",
    "任": "ren",
    "燕": "yan",
}


@lru_cache(maxsize=65536)
def _char_pinyin(ch: str) -> str:
    return lazy_pinyin(ch)[0]


@lru_cache(maxsize=65536)
def _phrase_pinyin(text: str) -> tuple[str, str]:
    """(full pinyin, initials) of a longer or mixed string, phrase-aware (银行 → yinhang)."""
    syllables = lazy_pinyin(text)
    return "".join(syllables), "".join(s[:1] if _is_syllable(s) else s for s in syllables)


def _is_syllable(s: str) -> bool:
    return s.isascii() and s.isalpha()


def _personal_pinyin(name: str) -> list[tuple[str, str]]:
    """Readings of a short Chinese name: [(full, initials)], the surname reading first if it differs."""
    rest = [_char_pinyin(c) for c in name[1:]]
    first = _char_pinyin(name[0])
    readings = [first]
    surname = SURNAME_READINGS.get(name[0])
    if surname and surname != first:
        readings.insert(0, surname)
    return [("".join([r, *rest]), "".join(s[0] for s in [r, *rest] if s)) for r in readings]


def _pinyin_variants(compact: str) -> list[str]:
    if len(compact) <= PERSONAL_NAME_MAX and _CJK_ONLY.match(compact):
        pairs = _personal_pinyin(compact)
    else:
        pairs = [_phrase_pinyin(compact)]
    out = []
    for full, initials in pairs:
        out.append(full)
        if "v" in full and _CJK_ONLY.match(compact):
            out.append(full.replace("v", "u"))  # 吕 lv: typed as "lv" or "lu"
        out.append(initials)
    return out


def _text_tokens(text: str, out: dict[str, None]) -> None:
    t = unicodedata.normalize("NFKC", text or "").lower()
    compact = _NOT_WORD.sub("", t)
    if not compact:
        return
    out[compact] = None
    runs = _CJK_RUN.findall(compact)
    for run in runs:
        out[run] = None
        for ch in run:
            out[ch] = None
        for i in range(1, min(len(run) - 1, MAX_SUFFIX_START + 1)):
            out[run[i:]] = None
    if runs:
        for p in _pinyin_variants(compact):
            if p:
                out[p] = None
    for word in _WORD.findall(t):
        out[word] = None


def build_search_text(*, name: str, customer_no: str, extra=()) -> str:
    """The tokens a customer is found by, e.g. "张三" → "张三 张 三 zhangsan zs t000000001".

    Pure Python, pinyin lookups cached: the demo loader calls it for millions of rows.
    """
    out: dict[str, None] = {}  # ordered and de-duplicated
    _text_tokens(name, out)
    for value in extra:
        _text_tokens(str(value or ""), out)
    number = normalize_text(customer_no).replace(" ", "")
    if number:
        out[number] = None
    return " ".join(out)


def name_pinyin(name: str) -> str:
    """The full pinyin of a name ("张三" → "zhangsan"), "" when it has no Chinese characters."""
    compact = _NOT_WORD.sub("", unicodedata.normalize("NFKC", name or "").lower())
    if not _CJK_RUN.search(compact):
        return ""
    return _pinyin_variants(compact)[0]


def normalize_text(value: str) -> str:
    """What typed text is compared in: NFKC (full-width → ASCII), lower case, single spaces."""
    return " ".join(unicodedata.normalize("NFKC", value or "").lower().split())


def query_tokens(value: str) -> list[str]:
    """The words of a search string, without punctuation: "中国移动（杭州）" → ["中国移动杭州"]."""
    words = (_NOT_WORD.sub("", w) for w in normalize_text(value).split())
    return list(dict.fromkeys(w for w in words if w))


# --- phone numbers --------------------------------------------------------------------------------

_PHONE_JUNK = re.compile(r"[\s\-().\u3000（）－—]+")
_EXTENSION = re.compile(r"(?:ext\.?|x|#|转|分机)\s*(\d{1,6})\s*$", re.IGNORECASE)
_CN_MOBILE = re.compile(r"(?:\+?86|0086)?(1[3-9]\d{9})")
_CN_FIXED_INTL = re.compile(r"(?:\+86|0086)0?([1-9]\d{8,10})")
_CN_FIXED = re.compile(r"0[1-9]\d{8,10}")
_INTERNATIONAL = re.compile(r"(?:\+|00)([1-9]\d{6,14})")
_E164 = re.compile(r"\+[1-9]\d{6,14}")
_PHONE_DIGITS = re.compile(r"\+?\d{5,}")


def normalize_phone(value: str) -> str:
    """The canonical form a phone number is stored, indexed and searched in.

    - Chinese mobile: the 11 national digits, without +86/0086/86, spaces or dashes
      ("+86 138-1234-5678" → "13812345678");
    - Chinese fixed line: 0 + area code + number ("+86 571 8888 6666", "(0571)88886666" →
      "057188886666"); an extension is kept after a dash ("0571-88886666 转 123" → "057188886666-123");
    - other countries: E.164 with the plus ("0044 20 7946 0958" → "+442079460958");
    - anything else (a local number without area code, text): NFKC, without spaces, dashes and
      brackets, so validation can reject it and equal inputs still compare equal.
    """
    v = unicodedata.normalize("NFKC", value or "").strip()
    if not v:
        return ""
    main, ext = v, ""
    m = _EXTENSION.search(v)
    if m and _PHONE_DIGITS.fullmatch(_PHONE_JUNK.sub("", v[: m.start()])):
        main, ext = v[: m.start()], m.group(1)
    main = _PHONE_JUNK.sub("", main)
    suffix = f"-{ext}" if ext else ""
    if m := _CN_MOBILE.fullmatch(main):
        return m.group(1) + suffix
    if m := _CN_FIXED_INTL.fullmatch(main):
        return "0" + m.group(1) + suffix
    if _CN_FIXED.fullmatch(main):
        return main + suffix
    if (m := _INTERNATIONAL.fullmatch(main)) and not m.group(1).startswith("86"):
        return "+" + m.group(1) + suffix
    return main + suffix


def is_phone_like(value: str) -> bool:
    """Whether ``normalize_phone(value)`` is a Chinese mobile, a Chinese fixed line or E.164."""
    main = normalize_phone(value).split("-")[0]
    return bool(_CN_MOBILE.fullmatch(main) or _CN_FIXED.fullmatch(main) or _E164.fullmatch(main))


# --- what a query is -------------------------------------------------------------------------------


class QueryKind:
    EMPTY = "empty"
    CUSTOMER_NO = "customer_no"
    ACCOUNT_NO = "account_no"
    PHONE = "phone"
    MSISDN = "msisdn"
    ID_NUMBER = "id_number"
    EMAIL = "email"
    NAME = "name"


class ParsedQuery(NamedTuple):
    kind: str  # one of QueryKind
    value: str  # normalised: digits of a phone, upper-case numbers, lower-case name text


_ID_18 = re.compile(r"\d{17}[\dX]")
_ID_15 = re.compile(r"\d{15}")
# Unified social credit code (统一社会信用代码) of organisations: 18 characters without I, O, S, V, Z.
_USCC = re.compile(r"[0-9A-HJ-NPQRTUWY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}")
_ACCOUNT_NO = re.compile(r"A\d{4,19}")
_CUSTOMER_NO = re.compile(r"[B-Z][A-Z]?\d{4,19}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def parse_query(q: str) -> ParsedQuery:
    """What one search-box string is. Numbers first (they are exact); anything else is a name."""
    text = unicodedata.normalize("NFKC", q or "").strip()
    if not text:
        return ParsedQuery(QueryKind.EMPTY, "")
    if _EMAIL.fullmatch(text):
        return ParsedQuery(QueryKind.EMAIL, text.lower())
    compact = _PHONE_JUNK.sub("", text).upper()
    if _ID_18.fullmatch(compact) or _ID_15.fullmatch(compact) or _USCC.fullmatch(compact):
        return ParsedQuery(QueryKind.ID_NUMBER, compact)
    if _ACCOUNT_NO.fullmatch(compact):
        return ParsedQuery(QueryKind.ACCOUNT_NO, compact)
    if _CUSTOMER_NO.fullmatch(compact):
        return ParsedQuery(QueryKind.CUSTOMER_NO, compact)
    if _PHONE_DIGITS.fullmatch(compact) or _PHONE_DIGITS.fullmatch(normalize_phone(text).split("-")[0]):
        if is_phone_like(text):
            return ParsedQuery(QueryKind.PHONE, normalize_phone(text))
        digits = compact.lstrip("+")
        if 11 <= len(digits) <= 14 and digits.isdigit():  # IoT and other long MSISDNs (物联网卡 13 digits)
            return ParsedQuery(QueryKind.MSISDN, digits)
    return ParsedQuery(QueryKind.NAME, normalize_text(text))
