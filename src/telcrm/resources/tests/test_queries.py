"""Number search: each filter, regional visibility per role, paging, and a fixed query count."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from telcrm.platform.errors import NotFoundInScope
from telcrm.platform.testing import make_user
from telcrm.resources import actions, queries
from telcrm.resources.models import Number

pytestmark = pytest.mark.django_db


def msisdns(page) -> list[str]:
    return [n.msisdn for n in page]


def everything(user) -> set[str]:
    out, page = set(), 1
    while True:
        result = queries.number_search(user, per_page=200, page=page, state=None)
        out |= set(msisdns(result))
        if not result.has_next:
            return out
        page += 1


def test_visibility_follows_the_line_of_the_org_tree(pool, carrier):
    hz, nb, zj = (
        set(Number.objects.filter(range=r).values_list("msisdn", flat=True))
        for r in (pool.hz, pool.nb, pool.zj)
    )
    seen = {}
    for who in ("admin", "analyst", "clerk", "branch_manager", "backoffice", "agent", "other_clerk"):
        seen[who] = everything(carrier[who])
    assert seen["admin"] == seen["analyst"] == hz | nb | zj  # data scope "all"
    assert seen["clerk"] == seen["branch_manager"] == seen["backoffice"] == hz | zj  # city + province
    assert seen["agent"] == hz | nb | zj  # a province-level unit: every city of the province
    assert seen["other_clerk"] == nb | zj
    assert queries.visible_region_ids(carrier["admin"]) is None
    with pytest.raises(NotFoundInScope):
        queries.number_get(carrier["clerk"], "13805740001")
    assert queries.number_get(carrier["other_clerk"], "13805740001").msisdn == "13805740001"


def test_a_team_member_of_the_province_sees_every_city(carrier, pool):
    agent_team = make_user("province_agent", "agent", carrier.province)
    assert len(everything(agent_team)) == 300


def test_filters(pool, carrier, django_assert_num_queries):
    admin = carrier["admin"]
    assert msisdns(queries.number_search(admin, ends_with="88", per_page=10)) == [
        "13805710088",
        "13805740088",
        "19805700088",
    ]
    assert msisdns(queries.number_search(admin, contains="57400", per_page=3)) == [
        "13805740000",
        "13805740001",
        "13805740002",
    ]
    no_four = queries.number_search(admin, no_four=True, per_page=200)
    assert no_four.rows and all("4" not in m for m in msisdns(no_four))
    assert all(
        n.region_id == carrier.other_city.pk for n in queries.number_search(admin, region=carrier.other_city)
    )
    # a province region includes its cities
    assert len(queries.number_search(admin, region=carrier.province, per_page=200)) == 200
    silver = queries.number_search(admin, level="silver", per_page=200)
    assert silver.rows and all(n.level.code == "silver" for n in silver)
    by_id = queries.number_search(admin, level=pool.levels["silver"].pk, per_page=200)
    assert msisdns(by_id) == msisdns(silver)
    assert "13805710011" in msisdns(silver)  # 0571 0011: AABB
    with django_assert_num_queries(0):  # a 4 in the digits and "no 4": nothing to look for
        assert not queries.number_search(admin, ends_with="14", no_four=True).rows
    combined = queries.number_search(admin, ends_with="1", no_four=True, region=carrier.city, per_page=200)
    assert combined.rows and all(
        m.endswith("1") and "4" not in m and m.startswith("1380571") for m in msisdns(combined)
    )


def test_only_free_numbers_unless_asked(pool, carrier):
    actions.number_reserve(carrier["clerk"], "13805710088")
    assert "13805710088" not in msisdns(queries.number_search(carrier["clerk"], ends_with="88"))
    assert "13805710088" in msisdns(queries.number_search(carrier["clerk"], ends_with="88", state="reserved"))
    assert "13805710088" in msisdns(queries.number_search(carrier["clerk"], ends_with="88", state=None))


def test_paging_without_a_total(pool, carrier):
    first = queries.number_search(carrier["admin"], per_page=120)
    second = queries.number_search(carrier["admin"], per_page=120, page=2)
    third = queries.number_search(carrier["admin"], per_page=120, page=3)
    assert first.has_next and second.has_next and not third.has_next
    assert (len(first), len(second), len(third)) == (120, 120, 60)
    assert msisdns(first)[-1] < msisdns(second)[0]
    assert (second.start_index, second.end_index, second.has_previous) == (121, 240, True)


@pytest.mark.parametrize(
    ("field", "value"), [("contains", "8a"), ("ends_with", "123456789012"), ("state", "sold")]
)
def test_bad_filters_name_the_field(pool, carrier, field, value):
    with pytest.raises(ValidationError) as exc:
        queries.number_search(carrier["admin"], **{field: value})
    assert field in exc.value.error_dict


def test_search_costs_a_fixed_number_of_queries(pool, carrier, django_assert_max_num_queries):
    clerk = carrier["clerk"]
    queries.number_search(clerk)  # warm the per-user region cache like a request would
    with django_assert_max_num_queries(2):  # the level's id by its code, then the page
        page = queries.number_search(clerk, ends_with="8", level="ordinary", per_page=50)
        [(n.level.price_fen, n.region.name) for n in page]
    agent = carrier["agent"]
    with django_assert_max_num_queries(2):  # a province-level user: + the regions below the unit
        list(queries.number_search(agent, per_page=200))


def test_my_reservations_and_held_counts(pool, carrier, django_assert_max_num_queries):
    actions.number_reserve(carrier["clerk"], "13805710001")
    actions.number_reserve(carrier["clerk"], "19805700001")
    actions.number_reserve(carrier["account_manager"], "13805710002")
    actions.number_freeze(carrier["admin"], "13805710003", reason="VIP")
    with django_assert_max_num_queries(1):
        mine = queries.my_reservations(carrier["clerk"])
        [(n.level.name, n.customer) for n in mine]
    assert [n.msisdn for n in mine] == ["13805710001", "19805700001"]
    assert queries.held_counts() == {"reserved": 3, "quarantined": 0, "frozen": 1}
