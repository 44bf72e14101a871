"""Customer search (CUS-3): tokens, query parsing, phone normal form, the one search box, scope, ranking."""

from __future__ import annotations

import pytest

from telcrm.customers.models import (
    ContactMedium,
    Customer,
    CustomerStatus,
    MediumKind,
    Subscription,
)
from telcrm.customers.queries import customer_search
from telcrm.customers.search import (
    QueryKind,
    build_search_text,
    name_pinyin,
    normalize_phone,
    parse_query,
    query_tokens,
)
from telcrm.customers.testing import make_customer
from telcrm.platform.testing import count_queries

ID_ZHANG = "110101199003077777"


def searchable(unit, name="张三", **kw) -> Customer:
    """A customer made directly, with the search tokens the actions would store."""
    c = make_customer(unit, name=name, **kw)
    c.search_text = build_search_text(name=name, customer_no=c.customer_no)
    Customer.objects.filter(pk=c.pk).update(search_text=c.search_text)
    return c


def names(results) -> list[str]:
    return [c.name for c in results]


# --- tokens ---------------------------------------------------------------------------------------


def test_tokens_of_a_chinese_name_follow_the_contract():
    assert build_search_text(name="张三", customer_no="C000000001") == "张三 张 三 zhangsan zs c000000001"


def test_tokens_hold_characters_suffixes_pinyin_and_initials():
    tokens = build_search_text(name="张三丰", customer_no="C1").split()
    assert {"张三丰", "张", "三", "丰", "三丰", "zhangsanfeng", "zsf", "c1"} <= set(tokens)
    assert len(tokens) == len(set(tokens))  # no duplicates


def test_surname_reading_and_default_reading_both_findable():
    tokens = build_search_text(name="曾小贤", customer_no="").split()
    assert "zengxiaoxian" in tokens and "zxx" in tokens  # surname reading 曾 zēng
    assert "cengxiaoxian" in tokens  # the character's default reading too
    assert tokens.index("zengxiaoxian") < tokens.index("cengxiaoxian")
    assert name_pinyin("曾小贤") == "zengxiaoxian"


def test_u_umlaut_typed_as_v_or_u():
    tokens = build_search_text(name="吕布", customer_no="").split()
    assert "lvbu" in tokens and "lubu" in tokens and "lb" in tokens


def test_enterprise_names_use_phrase_pinyin_and_keep_fragments_searchable():
    tokens = build_search_text(name="中国工商银行杭州分行", customer_no="").split()
    assert "zhongguogongshangyinhanghangzhoufenhang" in tokens  # 银行 yínháng, not yínxíng
    assert "杭州分行" in tokens and "工商银行杭州分行" in tokens  # suffixes: token prefixes find "工商"


def test_latin_names_lower_cased_full_width_folded():
    tokens = build_search_text(name="Ｊｏｈｎ  O'Brien", customer_no="C7").split()
    assert tokens == ["johnobrien", "john", "o", "brien", "c7"]


def test_extra_strings_are_tokenised_like_names():
    text = build_search_text(name="杭州某某科技有限公司", customer_no="C9", extra=["阿里巴巴", "Alibaba"])
    assert {"阿里巴巴", "alibaba", "albb", "alibaba"} <= set(text.split())


# --- phone normal form and parsing ---------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("13812345678", "13812345678"),
        ("+86 138-1234-5678", "13812345678"),
        ("0086 13812345678", "13812345678"),
        ("８６１３８１２３４５６７８", "13812345678"),  # full-width digits
        ("(0571) 8888-6666", "057188886666"),
        ("+86 571 8888 6666", "057188886666"),
        ("010-12345678", "01012345678"),
        ("0571-88886666 转 123", "057188886666-123"),
        ("+852 9123 4567", "+85291234567"),
        ("0044 20 7946 0958", "+442079460958"),
        ("", ""),
    ],
)
def test_normalize_phone(raw, expected):
    assert normalize_phone(raw) == expected


@pytest.mark.parametrize(
    "raw", ["13812345678", "+86 138 1234 5678", "(0571)88886666", "0571-8888 6666", "+852 9123 4567"]
)
def test_search_normal_form_equals_what_validation_stores(raw):
    validation = pytest.importorskip("telcrm.customers.validation")
    assert normalize_phone(raw) == validation.validate_phone(raw)


@pytest.mark.parametrize(
    "q, kind, value",
    [
        ("C000000123", QueryKind.CUSTOMER_NO, "C000000123"),
        ("c000000123", QueryKind.CUSTOMER_NO, "C000000123"),
        ("A000000042", QueryKind.ACCOUNT_NO, "A000000042"),
        ("+86 138-1234-5678", QueryKind.PHONE, "13812345678"),
        ("0571 8888 6666", QueryKind.PHONE, "057188886666"),
        ("110101199003077777", QueryKind.ID_NUMBER, "110101199003077777"),
        ("11010119900307777x", QueryKind.ID_NUMBER, "11010119900307777X"),
        ("110101900307777", QueryKind.ID_NUMBER, "110101900307777"),
        ("1440012345678", QueryKind.MSISDN, "1440012345678"),
        ("Zhang@Example.com", QueryKind.EMAIL, "zhang@example.com"),
        ("张三", QueryKind.NAME, "张三"),
        ("zs", QueryKind.NAME, "zs"),
        ("  John   Smith ", QueryKind.NAME, "john smith"),
        ("12345", QueryKind.NAME, "12345"),  # a fragment of a number: matched as text
        ("", QueryKind.EMPTY, ""),
    ],
)
def test_parse_query(q, kind, value):
    assert tuple(parse_query(q)) == (kind, value)


def test_query_tokens_drop_punctuation():
    assert query_tokens("中国移动（杭州） Ltd.") == ["中国移动杭州", "ltd"]


# --- the search box -------------------------------------------------------------------------------


@pytest.fixture
def zhang(carrier):
    clerk = carrier["clerk"]
    c = searchable(carrier.branch, "张三", owner=clerk, phone="13812345678", id_number=ID_ZHANG)
    searchable(carrier.branch, "李四", owner=clerk, phone="13900000000")
    return c


@pytest.mark.parametrize("q", ["张", "三", "张三", "zs", "zhangsan", "ZhangSan", "zhang", "ZS"])
def test_finds_zhang_san_by_name_fragment(carrier, zhang, q):
    assert zhang in customer_search(carrier["clerk"], q)


@pytest.mark.parametrize("q", ["13812345678", "138 1234 5678", "+86 138-1234-5678"])
def test_finds_by_primary_phone_in_any_format(carrier, zhang, q):
    results = customer_search(carrier["clerk"], q)
    assert results == [zhang]
    assert results[0].search_match == "phone"


def test_finds_by_contact_medium(carrier, zhang):
    ContactMedium(customer=zhang, kind=MediumKind.MOBILE, value="13700001111").save()
    ContactMedium(customer=zhang, kind=MediumKind.EMAIL, value="zhang.san@example.com").save()
    by_phone = customer_search(carrier["clerk"], "137-0000-1111")
    assert by_phone == [zhang] and by_phone[0].search_match == "contact"
    assert customer_search(carrier["clerk"], "Zhang.San@Example.com") == [zhang]


def test_finds_by_id_number_through_the_blind_index(carrier, zhang):
    results = customer_search(carrier["clerk"], ID_ZHANG)
    assert results == [zhang] and results[0].search_match == "id_number"
    assert customer_search(carrier["clerk"], ID_ZHANG[:-1] + "8") == []


def test_finds_by_customer_number_and_account_number(carrier, zhang):
    assert customer_search(carrier["clerk"], zhang.customer_no) == [zhang]
    assert customer_search(carrier["clerk"], zhang.customer_no.lower())[0].search_match == "customer_no"
    account = zhang.accounts.get()
    results = customer_search(carrier["clerk"], account.account_no)
    assert results == [zhang] and results[0].search_match == "account_no"


def test_finds_by_subscription_msisdn(carrier, zhang):
    Subscription.objects.create(
        customer=zhang,
        account=zhang.accounts.get(),
        msisdn="15012345678",
        offer_code="4G58",
        offer_name="4G 58",
        org_unit=carrier.branch,
        owner=carrier["clerk"],
    )
    results = customer_search(carrier["clerk"], "150 1234 5678")
    assert results == [zhang] and results[0].search_match == "msisdn"


def test_part_of_a_customer_number_falls_back_to_text(carrier, zhang):
    fragment = zhang.customer_no[:-1]  # T00000000x without the last digit: no exact hit
    assert zhang in customer_search(carrier["clerk"], fragment)


def test_empty_and_unknown_queries(carrier, zhang):
    assert customer_search(carrier["clerk"], "") == []
    assert customer_search(carrier["clerk"], "   ") == []
    assert customer_search(carrier["clerk"], "王") == []
    assert customer_search(carrier["clerk"], "13000000000") == []
    assert customer_search(carrier["clerk"], "100%") == []  # LIKE wildcards are literal
    assert customer_search(carrier["clerk"], "_") == []


# --- scope ----------------------------------------------------------------------------------------


@pytest.fixture
def two_branches(carrier):
    mine = searchable(carrier.branch, "张三", owner=carrier["clerk"], phone="13811110000", id_number=ID_ZHANG)
    colleague = searchable(carrier.branch, "张三", owner=carrier["account_manager"], phone="13811110000")
    other = searchable(
        carrier.other_branch, "张三", owner=carrier["other_clerk"], phone="13811110000", id_number=ID_ZHANG
    )
    return mine, colleague, other


@pytest.mark.parametrize("q", ["张三", "zs", "13811110000", ID_ZHANG])
def test_never_returns_customers_outside_the_scope(carrier, two_branches, q):
    mine, _colleague, other = two_branches
    assert set(customer_search(carrier["clerk"], q)) <= {mine}  # own records only
    assert mine in customer_search(carrier["clerk"], q)
    manager = set(customer_search(carrier["branch_manager"], q))
    assert other not in manager and mine in manager
    assert other in customer_search(carrier["other_clerk"], q)
    assert mine not in customer_search(carrier["other_clerk"], q)
    admin = set(customer_search(carrier["admin"], q))
    assert other in admin and mine in admin


def test_branch_manager_sees_the_whole_branch_not_the_other(carrier, two_branches):
    mine, colleague, other = two_branches
    assert set(customer_search(carrier["branch_manager"], "张三")) == {mine, colleague}
    assert set(customer_search(carrier["admin"], "张三")) == {mine, colleague, other}


def test_exact_numbers_of_out_of_scope_customers_are_not_found(carrier, two_branches):
    _mine, _colleague, other = two_branches
    assert customer_search(carrier["clerk"], other.customer_no) == []
    assert customer_search(carrier["clerk"], other.accounts.get().account_no) == []


def test_inactive_user_finds_nothing(carrier, two_branches):
    clerk = carrier["clerk"]
    clerk.is_active = False
    assert customer_search(clerk, "张三") == []


# --- ranking --------------------------------------------------------------------------------------


def test_ranking_exact_name_then_prefix_then_token_then_token_prefix(carrier):
    unit, clerk = carrier.branch, carrier["clerk"]
    token_prefix = searchable(unit, "李张三丰", owner=clerk)  # "张三丰" is a suffix token: starts with 张三
    token = searchable(unit, "王张三", owner=clerk)  # "张三" is one of its tokens
    prefix = searchable(unit, "张三丰", owner=clerk)
    exact = searchable(unit, "张三", owner=clerk)
    results = customer_search(clerk, "张三")
    assert results == [exact, prefix, token, token_prefix]
    assert [c.search_match for c in results] == ["name_exact", "name_prefix", "token", "token_prefix"]


def test_ranking_for_pinyin_with_substring_last(carrier):
    unit, clerk = carrier.branch, carrier["clerk"]
    substring = searchable(unit, "王张三", owner=clerk)  # wangzhangsan
    token_prefix = searchable(unit, "张三丰", owner=clerk)  # zhangsanfeng
    token = searchable(unit, "张三", owner=clerk)  # zhangsan
    exact = searchable(unit, "Zhangsan", owner=clerk)
    results = customer_search(clerk, "zhangsan")
    assert results == [exact, token, token_prefix, substring]
    assert [c.search_match for c in results] == ["name_exact", "token", "token_prefix", "substring"]


def test_prefix_matches_come_in_name_order(carrier):
    unit, clerk = carrier.branch, carrier["clerk"]
    later = searchable(unit, "张伟", owner=clerk)
    first = searchable(unit, "张三丰", owner=clerk)
    assert customer_search(clerk, "张")[:2] == [first, later]  # 三 (U+4E09) before 伟 (U+4F1F)


def test_several_words_must_all_match(carrier):
    unit, clerk = carrier.branch, carrier["clerk"]
    john = searchable(unit, "John Smith", owner=clerk)
    searchable(unit, "John Brown", owner=clerk)
    assert customer_search(clerk, "smith john") == [john]
    assert customer_search(clerk, "john smith") == [john]
    assert customer_search(clerk, "JOHN SMI") == [john]


def test_merged_customers_are_never_listed_but_lead_to_the_survivor(carrier):
    unit, clerk = carrier.branch, carrier["clerk"]
    survivor = searchable(unit, "张三", owner=clerk, phone="13800000001")
    merged = searchable(unit, "张三", owner=clerk, phone="13800000002")
    Customer.objects.filter(pk=merged.pk).update(status=CustomerStatus.MERGED, merged_into=survivor)
    assert customer_search(clerk, "张三") == [survivor]
    via_old_phone = customer_search(clerk, "13800000002")
    assert via_old_phone == [survivor] and via_old_phone[0].search_match == "merged_into"
    assert customer_search(clerk, merged.customer_no) == [survivor]


def test_limit_and_offset_page_through_results(carrier):
    unit, clerk = carrier.branch, carrier["clerk"]
    for i in range(7):
        searchable(unit, f"张{'一二三四五六七'[i]}", owner=clerk)
    everything = customer_search(clerk, "张", limit=50)
    assert len(everything) == 7
    pages = customer_search(clerk, "张", limit=3) + customer_search(clerk, "张", limit=3, offset=3)
    pages += customer_search(clerk, "张", limit=3, offset=6)
    assert pages == everything
    assert customer_search(clerk, "张", limit=0) == []


def test_search_costs_a_bounded_number_of_queries(carrier):
    unit, clerk = carrier.branch, carrier["clerk"]
    for i in range(30):
        searchable(unit, f"张{i}", owner=clerk)
    with count_queries() as q:
        results = customer_search(clerk, "zhang")
        [str(c.org_unit) for c in results]
    assert len(results) == 20
    assert len(q) <= 9  # phases that find rows, one fetch of the page (+2 planner settings on PostgreSQL)


# --- the list's search box ---------------------------------------------------------------------------


def test_list_query_keeps_the_best_matches_then_sorts(carrier, monkeypatch):
    from telcrm.customers.queries import customer_list, lookup

    unit, clerk = carrier.branch, carrier["clerk"]
    exact = searchable(unit, "张三", owner=clerk)
    prefix = searchable(unit, "张三丰", owner=clerk)
    searchable(unit, "王张三", owner=clerk)  # a weaker match, beyond the cap
    monkeypatch.setattr(lookup, "LIST_MAX_MATCHES", 2)
    assert list(customer_list(clerk, q="张三", sort="id")) == [exact, prefix]
    assert list(customer_list(clerk, q="张三", sort="-id")) == [prefix, exact]


def test_list_query_applies_the_other_filters_before_the_cap(carrier, monkeypatch):
    from telcrm.customers.queries import customer_list, lookup

    unit, clerk = carrier.branch, carrier["clerk"]
    searchable(unit, "张三", owner=clerk)
    searchable(unit, "张三", owner=clerk)
    suspended = searchable(unit, "张三丰", owner=clerk, status=CustomerStatus.SUSPENDED)
    monkeypatch.setattr(lookup, "LIST_MAX_MATCHES", 1)
    assert list(customer_list(clerk, q="张三", status=CustomerStatus.SUSPENDED)) == [suspended]
    assert list(customer_list(carrier["other_clerk"], q="张三")) == []


def test_an_organisations_credit_code_is_an_id_number_query():
    from telcrm.customers.search import QueryKind, parse_query

    assert parse_query("91330109679218128W") == (QueryKind.ID_NUMBER, "91330109679218128W")
    assert parse_query("91330109 679218128w").kind == QueryKind.ID_NUMBER
    assert parse_query("杭州华为科技").kind == QueryKind.NAME


def test_an_enterprise_is_found_by_its_credit_code(carrier):
    from telcrm.customers.models import CustomerType
    from telcrm.customers.queries import customer_search
    from telcrm.customers.testing import make_customer

    ent = make_customer(
        carrier.branch,
        name="杭州测试科技有限公司",
        customer_type=CustomerType.ENTERPRISE,
        id_number="91330109679218128W",
        owner=carrier["clerk"],
    )
    assert [c.pk for c in customer_search(carrier["admin"], "91330109679218128W")] == [ent.pk]
