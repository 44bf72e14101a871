"""Address normalisation: the usual ways of writing an address give the same key (unit tests and
hypothesis properties), and normalising twice gives what normalising once gives."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from telcrm.resources.coverage.normalize import (
    NormalizedAddress,
    covers,
    normalize,
    normalize_address,
    normalize_region,
    normalize_text,
)

BASE = normalize_address("浙江省", "杭州市", "西湖区", "文三路88号", "阳光花园12幢3单元1502室")


@pytest.mark.parametrize(
    "parts",
    [
        ("浙江省", "杭州市", "西湖区", "文三路88号", "阳光花园12幢3单元1502室"),
        ("浙江", "杭州", "西湖", "文三路88", "阳光花园12幢3单元1502室"),  # no suffixes
        ("浙江省", "杭州市", "西湖区", "文三路８８号", "阳光花园１２幢３单元１５０２室"),  # full-width digits
        ("浙江省", "杭州市", "西湖区", " 文三路 88 号 ", "阳光花园 12 幢 3单元 1502室"),  # spaces
        ("浙江省", "杭州市", "西湖区", "文三路88号阳光花园12幢3单元1502室", ""),  # building in the street
        ("浙江省", "杭州市", "", "西湖区文三路88号阳光花园12幢3单元1502室", ""),  # district in the street
        ("浙江省", "杭州市", "西湖区", "浙江省杭州市西湖区文三路88号", "阳光花园12号楼3单元1502室"),  # 号楼
        ("浙江省", "杭州市", "西湖区", "文三路88号", "阳光花园12栋3单元1502室"),  # 栋
        ("浙江省", "杭州市", "西湖区", "文三路88弄", "阳光花园12幢3单元1502室"),  # 弄
        ("浙江省", "杭州市", "西湖区", "文三路88号", "阳光花园，12幢/3单元·1502室"),  # punctuation
    ],
)
def test_variants_normalise_to_the_same_address(parts):
    assert normalize_address(*parts) == BASE


def test_the_parts_of_the_key():
    assert NormalizedAddress("浙江", "杭州", "西湖", "文三路88", "阳光花园12幢3单元1502室") == BASE
    assert BASE.key == "浙江|杭州|西湖|文三路88|阳光花园12幢3单元1502室"
    assert normalize_address("上海市", "上海市", "黄浦区", "长乐路12弄3号201室").street == "长乐路12"
    assert normalize_address("上海市", "上海市", "黄浦区", "长乐路12弄3号201室").rest == "3-201室"


@pytest.mark.parametrize(
    "raw, key",
    [
        ("杭州市", "杭州"),
        ("杭州", "杭州"),
        ("浙江省", "浙江"),
        ("广西壮族自治区", "广西"),
        ("新疆维吾尔自治区", "新疆"),
        ("景宁畲族自治县", "景宁"),
        ("延边朝鲜族自治州", "延边"),
        ("义乌市", "义乌"),
        ("市", "市"),  # a bare suffix is kept, never emptied
    ],
)
def test_region_names_lose_their_administrative_suffix(raw, key):
    assert normalize_region(raw) == key


def test_a_road_named_after_its_city_keeps_its_name():
    """Only "杭州市" (with its suffix) is taken off the start of the street, not the stem of 杭州大道."""
    assert normalize_address("浙江省", "杭州市", "", "杭州大道1号").street == "杭州大道1"
    assert normalize_address("浙江省", "杭州市", "西湖区", "西湖大道5号").street == "西湖大道5"


def test_a_community_is_not_mistaken_for_a_district():
    a = normalize_address("浙江省", "杭州市", "", "阳光小区3幢")
    assert a.district == "" and a.street == "阳光小区3"


def test_building_and_house_number_spellings():
    assert normalize_text("3号楼") == normalize_text("3幢") == normalize_text("3栋") == "3幢"
    assert normalize_text("A座12楼") == "a幢12楼"  # "12楼" alone is a floor and stays
    assert normalize_text("88号") == normalize_text("88弄") == normalize_text("88") == "88"
    assert normalize_text("12弄3号") == normalize_text("12-3") == normalize_text("12 3") == "12-3"


def test_coverage_of_a_number_reaches_every_flat_but_a_building_only_itself():
    number = normalize_address("浙江", "杭州", "西湖", "文三路88号")
    building = normalize_address("浙江", "杭州", "西湖", "文三路88号", "阳光花园1幢")
    flat = normalize_address("浙江省", "杭州市", "西湖区", "文三路88号阳光花园1幢2单元301室")
    other = normalize_address("浙江省", "杭州市", "西湖区", "文三路88号阳光花园12幢2单元301室")
    assert covers(number, flat) and covers(number, other)
    assert covers(building, flat) and not covers(building, other)  # 1幢 does not cover 12幢
    assert not covers(building, number)  # the building is not known to be the whole number
    assert not covers(number, normalize_address("浙江", "杭州", "西湖", "文三路89号"))
    assert not covers(number, normalize_address("浙江", "宁波", "西湖", "文三路88号"))
    assert not covers(number, normalize_address("浙江", "杭州", "拱墅", "文三路88号"))
    assert covers(number, normalize_address("", "杭州", "", "文三路88号"))  # a missing part is no conflict


def test_a_customers_address_row_is_read_by_its_attributes():
    class Row:
        province, city, district, street = "浙江省", "杭州市", "西湖区", "文三路88号阳光花园12幢3单元1502室"

    assert normalize(Row()) == BASE
    assert normalize({"city": "杭州", "street": "文三路88号", "building": None}).street == "文三路88"


# --- properties ---------------------------------------------------------------------------------------
ALPHABET = st.sampled_from(
    list("0123456789０１２３号弄楼栋幢座区市县省族自治 -—_,.·aAＢ文三路花园单元室浙江杭州西湖小")
)
text = st.text(alphabet=ALPHABET, max_size=24)


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=40))
def test_normalising_text_twice_is_normalising_once(s):
    once = normalize_text(s)
    assert normalize_text(once) == once
    region = normalize_region(s)
    assert normalize_region(region) == region


@settings(max_examples=400, deadline=None)
@given(text, text, text, text, text)
def test_normalising_an_address_twice_is_normalising_once(province, city, district, street, building):
    once = normalize_address(province, city, district, street, building)
    assert normalize_address(**once.as_dict()) == once


PROVINCES = st.sampled_from([("浙江省", "浙江"), ("江苏省", "江苏")])
CITIES = st.sampled_from([("杭州市", "杭州"), ("宁波市", "宁波"), ("义乌市", "义乌")])
DISTRICTS = st.sampled_from([("西湖区", "西湖"), ("滨江区", "滨江"), ("萧山区", "萧山")])
ROADS = st.sampled_from(["文三路", "江南大道", "人民路", "学院路", "建设一路"])
ESTATES = st.sampled_from(["阳光花园", "翠苑新村", "万科城", "金色家园"])
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


@st.composite
def spelled(draw):
    """(canonical parts, a variant of the same address as a clerk might type it)."""
    (province, province_short), (city, city_short), (district, district_short) = (
        draw(PROVINCES),
        draw(CITIES),
        draw(DISTRICTS),
    )
    road, estate = draw(ROADS), draw(ESTATES)
    number, block, unit, room = (
        draw(st.integers(1, 999)),
        draw(st.integers(1, 40)),
        draw(st.integers(1, 6)),
        draw(st.integers(101, 3304)),
    )
    canonical = (province, city, district, f"{road}{number}号", f"{estate}{block}幢{unit}单元{room}室")
    suffix = draw(st.sampled_from(["号", "", "弄", " 号"]))
    building_word = draw(st.sampled_from(["幢", "栋", "号楼", " 幢"]))
    house = f"{road}{' ' if draw(st.booleans()) else ''}{number}{suffix}"
    flat = f"{estate}{block}{building_word}{unit}单元{room}室"
    if draw(st.booleans()):
        house, flat = house.translate(FULL_WIDTH), flat.translate(FULL_WIDTH)
    p = province if draw(st.booleans()) else province_short
    c = city if draw(st.booleans()) else city_short
    d = district if draw(st.booleans()) else district_short
    layout = draw(st.sampled_from(["separate", "joined", "district_in_street", "region_in_street"]))
    if layout == "separate":
        variant = (p, c, d, house, flat)
    elif layout == "joined":
        variant = (p, c, d, house + flat, "")
    elif layout == "district_in_street":
        variant = (p, c, "", f"{district}{house}", flat)
    else:
        variant = (p, c, d, f"{province}{city}{district}{house}", flat)
    return canonical, variant


@settings(max_examples=300, deadline=None)
@given(spelled())
def test_variants_of_the_same_address_match(pair):
    canonical, variant = pair
    a, b = normalize_address(*canonical), normalize_address(*variant)
    assert a == b
    number = normalize_address(canonical[0], canonical[1], canonical[2], canonical[3])
    assert covers(number, b)  # coverage recorded for the house number reaches the variant
