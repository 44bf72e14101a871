"""Address normalisation (地址标准化): the one function both sides of a coverage match go through.

A covered address (from the network's inventory or an import) and the address a clerk types (or a
customer's address row) are spelled in many ways: full-width digits (８８号), spaces, "88号" /
"88" / "88弄", "杭州市" / "杭州", "西湖区文三路" typed into the street with or without the
district, "3号楼" / "3幢" / "3栋". :func:`normalize_address` reduces every spelling to the same
:class:`NormalizedAddress`, whose parts are what the coverage table stores and looks up:

- ``province`` / ``city`` / ``district``: the region names without their administrative suffix
  (省/市/区/县/自治区…), so "杭州市" and "杭州" are both ``杭州``;
- ``street``: the road and the house number (门牌), up to and including the first number —
  "文三路88号" → ``文三路88``; "长乐路12弄3号" → ``长乐路12-3``;
- ``rest``: what follows the house number plus the building/community (小区) —
  "阳光花园12幢3单元1502室".

A covered address matches a wanted address when province (when both have one), city, district
(when both have one) and street are equal and the covered ``rest`` is a prefix of the wanted one
at a word boundary (:func:`covers`): coverage recorded for "文三路88号" covers every flat behind
that door number; coverage of "文三路88号 阳光花园1幢" covers "…阳光花园1幢2单元301室" but not
"…阳光花园12幢".

Every function here is idempotent (normalising twice gives what normalising once gives; a
hypothesis test checks it), so stored keys can be normalised again without changing.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

# --- text -------------------------------------------------------------------------------------------
_NOT_KEPT = re.compile(r"[^\w-]+|_+")  # after NFKC: letters, digits, CJK and "-" survive
# between two numbers, spaces, dashes, 号 and 弄 are one separator: "12弄3号", "12-3", "88号3幢", "88 3幢"
_BETWEEN_NUMBERS = re.compile(r"(\d)[\s号弄-]+(?=\d)")
_LONE_DASH = re.compile(r"(?<!\d)-|-(?!\d)")  # a dash survives only between two digits
# "3号楼", "3幢", "3栋", "3座", "A座" are one building: "3幢" / "a幢" ("12楼" alone is a floor)
_BUILDING = re.compile(r"(\d+|[a-z]+)(?:[号弄]+楼|[号弄]*[栋幢座])")
_NUMBER_SUFFIX = re.compile(r"(\d+)[号弄]+")  # "88号" / "88弄" → "88"


def normalize_text(text) -> str:
    """The comparable form of one part of an address: half-width, lower case, no spaces or marks,
    building and door-number spellings unified."""
    return _normalize_text(str(text or ""))


@functools.lru_cache(maxsize=65536)
def _normalize_text(text: str) -> str:
    s = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).lower())
    s = _NOT_KEPT.sub(" ", s)
    s = _BETWEEN_NUMBERS.sub(r"\1-", s)
    s = _LONE_DASH.sub("", s.replace(" ", ""))
    s = _BUILDING.sub(r"\1幢", s)
    return _NUMBER_SUFFIX.sub(r"\1", s)


# --- region names -------------------------------------------------------------------------------------
_REGION_SUFFIXES = (
    "特别行政区",
    "维吾尔自治区",
    "壮族自治区",
    "回族自治区",
    "自治区",
    "自治州",
    "自治县",
    "自治旗",
    "地区",
    "新区",
    "省",
    "市",
    "区",
    "县",
    "盟",
    "旗",
)
_ETHNIC = re.compile(r"^(.{2,}?)[\u4e00-\u9fff]{1,3}族$")  # "景宁畲族" (of 景宁畲族自治县) → "景宁"
# a district typed at the start of the street: "西湖区文三路88号" (not "阳光小区…")
_LEADING_DISTRICT = re.compile(r"^([\u4e00-\u9fff]{2,5}?(?:区|县|市))(?=[\u4e00-\u9fff].*\d)")
_NOT_DISTRICTS = ("小区", "社区", "园区", "校区", "景区", "厂区", "街区", "片区", "宿舍区", "生活区")


def _strip_region(s: str) -> str:
    while True:
        before = s
        for suffix in _REGION_SUFFIXES:
            if s.endswith(suffix) and len(s) > len(suffix):
                s = s[: -len(suffix)]
                break
        m = _ETHNIC.match(s)
        if m:
            s = m.group(1)
        if s == before:
            return s


def normalize_region(text) -> str:
    """A province, city or district name without its administrative suffix: "杭州市" → "杭州"."""
    return _normalize_region(str(text or ""))


@functools.lru_cache(maxsize=8192)
def _normalize_region(text: str) -> str:
    return _strip_region(_normalize_text(text))


# --- whole addresses ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class NormalizedAddress:
    province: str
    city: str
    district: str
    street: str  # road and house number: "文三路88"
    rest: str  # after the house number, with the building: "阳光花园12幢3单元1502室"

    @property
    def key(self) -> str:
        """The whole address as one string (the covered address's unique search key)."""
        return "|".join((self.province, self.city, self.district, self.street, self.rest))

    @property
    def sort_key(self) -> str:
        """The street with its house number zero-padded, so 文三路9号 lists before 文三路10号."""
        return _TRAILING_NUMBER.sub(lambda m: m.group(1).zfill(8), self.street)

    @property
    def has_number(self) -> bool:
        return any(c.isdigit() for c in self.street)

    def as_dict(self) -> dict:
        return {
            "province": self.province,
            "city": self.city,
            "district": self.district,
            "street": self.street,
            "building": self.rest,
        }


_TRAILING_NUMBER = re.compile(r"(\d+)$")
_HEAD = re.compile(r"^(.*?\d+)(.*)$")  # the road up to the first number, and what follows
_LEADING_PROVINCE = re.compile(r"^[\u4e00-\u9fff]{2,3}省(?=[\u4e00-\u9fff])")


def _drop_regions(street: str, stems: list[str]) -> str:
    """``street`` without the region names typed at its start ("浙江省杭州市西湖区文三路…").

    A name is dropped only with its suffix ("杭州市", "西湖区"): a bare stem could be the start of
    a road's own name ("杭州大道", "西湖大道")."""
    while True:
        before = street
        m = _LEADING_PROVINCE.match(street)
        if m:
            street = street[m.end() :]
        for stem in stems:
            if not stem or not street.startswith(stem):
                continue
            for suffix in _REGION_SUFFIXES:
                prefix = stem + suffix
                if street.startswith(prefix) and len(street) > len(prefix):
                    street = street[len(prefix) :]
                    break
        if street == before:
            return street


def _join(first: str, second: str) -> str:
    """Two parts of a building description; numbers on both sides stay apart ("3" + "201室")."""
    if first and second and first[-1].isdigit() and second[0].isdigit():
        return f"{first}-{second}"
    return first + second


def normalize_address(province="", city="", district="", street="", building="") -> NormalizedAddress:
    """The normalised form of an address given as its parts (see the module's docstring)."""
    province_key, city_key, district_key = (normalize_region(v) for v in (province, city, district))
    s = _drop_regions(normalize_text(street), [province_key, city_key, district_key])
    if not district_key:
        m = _LEADING_DISTRICT.match(s)
        if m and not m.group(1).endswith(_NOT_DISTRICTS):
            district_key = _strip_region(m.group(1))
            s = _drop_regions(s[m.end() :], [province_key, city_key, district_key])
    m = _HEAD.match(s)
    head, tail = (m.group(1), m.group(2).lstrip("-")) if m else (s, "")
    rest = normalize_text(_join(tail, normalize_text(building)))
    return NormalizedAddress(province_key, city_key, district_key, head, rest)


def address_parts(address) -> dict:
    """{province, city, district, street, building} of a dict or of a row with those attributes
    (e.g. a customer's Address, which has no building)."""
    names = ("province", "city", "district", "street", "building")
    if isinstance(address, dict):
        return {n: str(address.get(n) or "") for n in names}
    return {n: str(getattr(address, n, "") or "") for n in names}


def normalize(address) -> NormalizedAddress:
    """:func:`normalize_address` of a dict or an address row."""
    return normalize_address(**address_parts(address))


def _rest_covers(covered: str, wanted: str) -> bool:
    if not covered:
        return True
    if not wanted.startswith(covered):
        return False
    nxt = wanted[len(covered) : len(covered) + 1]
    # "阳光花园1" does not cover "阳光花园12…": a number is only covered whole
    return not (nxt.isdigit() and covered[-1].isdigit())


def covers(covered: NormalizedAddress, wanted: NormalizedAddress) -> bool:
    """Whether coverage recorded at ``covered`` reaches the address ``wanted``."""
    if covered.city != wanted.city or covered.street != wanted.street or not wanted.street:
        return False
    if covered.province and wanted.province and covered.province != wanted.province:
        return False
    if covered.district and wanted.district and covered.district != wanted.district:
        return False
    return _rest_covers(covered.rest, wanted.rest)
