"""Number pool pages per role: the counter's search with HTMX reserve/release, the number's page with
freeze/unfreeze, administration of ranges, levels and rules with field errors and background jobs."""

from __future__ import annotations

import pytest
from django.urls import reverse

from telcrm.platform.models import Job
from telcrm.resources import actions
from telcrm.resources.models import Number, NumberLevel, NumberLevelRule, NumberRange

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}
VIEWERS = ("admin", "analyst", "branch_manager", "clerk", "backoffice", "agent", "account_manager")
NOT_VIEWERS = ("installer", "service", "marketer")


@pytest.mark.parametrize("role", VIEWERS)
def test_roles_that_may_look_see_the_counter_page(pool, carrier, client_for, role):
    response = client_for(carrier[role]).get(reverse("number-search"))
    assert response.status_code == 200
    assert b'data-testid="number-grid"' in response.content
    reserve = b'data-testid="reserve"' in response.content
    assert reserve == (role in ("admin", "branch_manager", "clerk", "account_manager"))


@pytest.mark.parametrize("role", NOT_VIEWERS)
def test_other_roles_are_refused(pool, carrier, client_for, role):
    client = client_for(carrier[role])
    assert client.get(reverse("number-search")).status_code == 403
    assert client.get(reverse("number-detail", args=["13805710001"])).status_code == 403
    assert client.get(reverse("number-admin")).status_code == 403


def test_signed_out_visitors_go_to_the_sign_in_page(pool, client):
    response = client.get(reverse("number-search"))
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.parametrize("role", [r for r in VIEWERS if r != "admin"])
def test_only_the_administrator_administers(pool, carrier, client_for, role):
    client = client_for(carrier[role])
    assert client.get(reverse("number-admin")).status_code == 403
    assert client.post(reverse("number-range-create"), {"prefix": "1390571"}).status_code == 403
    assert client.post(reverse("number-freeze", args=["13805710001"]), {"reason": "x"}).status_code == 403


def test_filters_as_you_type_return_the_results_only(pool, carrier, client_for):
    client = client_for(carrier["clerk"])
    response = client.get(reverse("number-search"), {"ends_with": "88", "no_four": "on"}, **HX)
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="number-results"') and "<html" not in body
    shown = [t.split('"')[0] for t in body.split('data-msisdn="')[1:]]
    assert shown == ["13805710088", "19805700088"]  # the clerk's city and province, not Ningbo
    bad = client.get(reverse("number-search"), {"contains": "8x8"}, **HX).content.decode()
    assert 'data-field="contains"' in bad and 'data-testid="number-grid"' in bad  # ignored, still listed


def test_the_search_page_costs_a_fixed_number_of_queries(
    pool, carrier, client_for, django_assert_max_num_queries
):
    client = client_for(carrier["clerk"])
    actions.number_reserve(carrier["clerk"], "13805710001")
    client.get(reverse("number-search"))
    with django_assert_max_num_queries(12):
        few = client.get(reverse("number-search"), {"ends_with": "99"})
    with django_assert_max_num_queries(12):
        many = client.get(reverse("number-search"))
    assert few.content.count(b'data-testid="number-tile"') == 2
    assert many.content.count(b'data-testid="number-tile"') == 24


def test_reserve_and_release_from_the_counter(pool, carrier, client_for):
    client = client_for(carrier["clerk"])
    response = client.post(reverse("number-reserve", args=["13805710088"]), **HX)
    assert response.status_code == 200 and response["HX-Trigger"] == "reservations-changed"
    assert b'data-testid="reserved-until"' in response.content
    n = Number.objects.get(msisdn="13805710088")
    assert n.state == "reserved" and n.reserved_by == carrier["clerk"]
    mine = client.get(reverse("number-mine"), **HX).content.decode()
    assert 'data-msisdn="13805710088"' in mine
    # someone else is too late: the tile says so
    late = client_for(carrier["branch_manager"]).post(reverse("number-reserve", args=["13805710088"]), **HX)
    assert late.status_code == 200 and b'data-testid="tile-error"' in late.content
    client = client_for(carrier["clerk"])
    released = client.post(reverse("number-release", args=["13805710088"]), {"from": "panel"}, **HX)
    assert released.status_code == 200 and released["HX-Trigger"] == "pool-changed"
    assert b'data-testid="no-reservations"' in released.content
    assert Number.objects.get(msisdn="13805710088").state == "free"


def test_reserve_without_javascript_and_out_of_region(pool, carrier, client_for):
    client = client_for(carrier["clerk"])
    response = client.post(reverse("number-reserve", args=["13805710001"]), {"reference": "ORD7"})
    assert response.status_code == 302 and response["Location"] == reverse(
        "number-detail", args=["13805710001"]
    )
    assert Number.objects.get(msisdn="13805710001").reservation_ref == "ORD7"
    assert client.post(reverse("number-reserve", args=["13805740001"])).status_code == 404
    assert client.get(reverse("number-detail", args=["13805740001"])).status_code == 404
    assert (
        client_for(carrier["analyst"]).post(reverse("number-reserve", args=["13805710002"])).status_code
        == 403
    )


def test_number_page_shows_history_and_the_administrator_freezes(pool, carrier, client_for):
    actions.number_reserve(carrier["clerk"], "13805710005")
    actions.number_release(carrier["clerk"], "13805710005")
    page = client_for(carrier["clerk"]).get(reverse("number-detail", args=["13805710005"])).content.decode()
    assert page.count('data-testid="number-event"') == 2 and 'data-testid="freeze-form"' not in page
    admin = client_for(carrier["admin"])
    empty = admin.post(reverse("number-freeze", args=["13805710005"]), {"reason": ""})
    assert empty.status_code == 400 and b'data-field="reason"' in empty.content
    done = admin.post(reverse("number-freeze", args=["13805710005"]), {"reason": "预留"})
    assert done.status_code == 302 and Number.objects.get(msisdn="13805710005").state == "frozen"
    page = admin.get(reverse("number-detail", args=["13805710005"])).content.decode()
    assert 'data-testid="frozen-reason"' in page and 'data-testid="unfreeze"' in page
    admin.post(reverse("number-unfreeze", args=["13805710005"]))
    assert Number.objects.get(msisdn="13805710005").state == "free"


def test_number_page_query_count_does_not_grow_with_history(
    pool, carrier, client_for, django_assert_max_num_queries
):
    for _ in range(5):
        actions.number_reserve(carrier["clerk"], "13805710006")
        actions.number_release(carrier["clerk"], "13805710006")
    client = client_for(carrier["admin"])
    client.get(reverse("number-detail", args=["13805710006"]))
    with django_assert_max_num_queries(12):
        response = client.get(reverse("number-detail", args=["13805710006"]))
    assert response.content.count(b'data-testid="number-event"') == 10


# --- administration ------------------------------------------------------------------------------------
def test_admin_page_lists_ranges_and_levels(pool, carrier, client_for):
    client = client_for(carrier["admin"])
    ranges = client.get(reverse("number-admin")).content.decode()
    assert ranges.count('data-testid="range-row"') == 3
    levels = client.get(reverse("number-admin") + "?tab=levels").content.decode()
    assert levels.count('data-testid="level-row"') == 4 and levels.count('data-testid="rule-row"') == 6


def test_overlapping_range_is_refused_under_the_field(pool, carrier, client_for):
    client = client_for(carrier["admin"])
    response = client.post(
        reverse("number-range-create"), {"prefix": "1380571", "region": carrier.city.pk, "generate": "on"}
    )
    assert response.status_code == 400
    assert b'<div class="invalid-feedback d-block" data-field="prefix">' in response.content
    assert NumberRange.objects.count() == 3


def test_create_a_range_and_generate_its_numbers_as_a_job(
    pool, carrier, client_for, django_capture_on_commit_callbacks
):
    client = client_for(carrier["admin"])
    with django_capture_on_commit_callbacks(execute=True):  # the job is queued when the request commits
        response = client.post(
            reverse("number-range-create"),
            {"start": "13905710000", "end": "13905710499", "region": carrier.city.pk, "brand": "gotone",
             "generate": "on"},
        )  # fmt: skip
    job = Job.objects.get(kind="resources.range_generate")
    assert response.status_code == 302 and response["Location"] == reverse("job-detail", args=[job.pk])
    job.refresh_from_db()
    assert job.status == "succeeded" and job.progress_done == 500  # tasks run eagerly in tests
    rng = NumberRange.objects.get(start="13905710000")
    assert rng.number_count == 500 and rng.brand == "gotone"
    assert Number.objects.filter(range=rng, state="free", region=carrier.city).count() == 500


def test_edit_and_delete_a_range(pool, carrier, client_for):
    client = client_for(carrier["admin"])
    url = reverse("number-range-edit", args=[pool.hz.pk])
    assert client.get(url).status_code == 200
    client.post(url, {"region": carrier.province.pk, "brand": "mzone", "note": "全省"})
    assert Number.objects.filter(range=pool.hz, region=carrier.province).count() == 100
    actions.number_reserve(carrier["clerk"], "13805710001")
    client.post(reverse("number-range-delete", args=[pool.hz.pk]))
    assert NumberRange.objects.filter(pk=pool.hz.pk).exists()  # a used number: refused
    client.post(reverse("number-range-delete", args=[pool.nb.pk]))
    assert not NumberRange.objects.filter(pk=pool.nb.pk).exists()
    assert not Number.objects.filter(msisdn__startswith="138057400").exists()


def test_levels_and_rules_through_the_pages(pool, carrier, client_for, django_capture_on_commit_callbacks):
    client = client_for(carrier["admin"])
    response = client.post(
        reverse("number-level-create"),
        {"code": "vip", "name": "尊享号", "rank": "35", "price": "3,888.50", "min_spend": "388",
         "deposit": "", "colour": "dark"},
    )  # fmt: skip
    assert response.status_code == 302
    vip = NumberLevel.objects.get(code="vip")
    assert (vip.price_fen, vip.min_spend_fen, vip.deposit_fen) == (388_850, 38_800, 0)
    taken = client.post(
        reverse("number-level-create"), {"code": "vip2", "name": "x", "rank": "35", "colour": "dark"}
    )
    assert taken.status_code == 400 and b'data-field="rank"' in taken.content
    bad_money = client.post(
        reverse("number-level-edit", args=[vip.pk]),
        {"code": "vip", "name": "尊享号", "rank": "35", "price": "-1", "colour": "dark"},
    )
    assert bad_money.status_code == 400 and b'data-field="price"' in bad_money.content
    bad_regex = client.post(
        reverse("number-rule-create"), {"level": vip.pk, "kind": "regex", "pattern": "(13", "is_active": "on"}
    )
    assert bad_regex.status_code == 400 and b'data-field="pattern"' in bad_regex.content
    ok = client.post(
        reverse("number-rule-create"), {"level": vip.pk, "kind": "tail", "pattern": "0099", "is_active": "on"}
    )
    assert ok.status_code == 302
    rule = NumberLevelRule.objects.get(level=vip)
    assert client.get(reverse("number-rule-edit", args=[rule.pk])).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("number-levels-recompute"))
    job = Job.objects.get(kind="resources.levels_recompute")
    assert response["Location"] == reverse("job-detail", args=[job.pk])
    assert Number.objects.get(msisdn="13805710099").level == vip
    in_use = client.post(reverse("number-level-delete", args=[vip.pk]))
    assert in_use.status_code == 302 and NumberLevel.objects.filter(pk=vip.pk).exists()
    client.post(reverse("number-rule-delete", args=[rule.pk]))
    assert not NumberLevelRule.objects.filter(pk=rule.pk).exists()


def test_lookup_goes_to_the_number(pool, carrier, client_for):
    client = client_for(carrier["admin"])
    response = client.get(reverse("number-lookup"), {"msisdn": "138 0571 0001"})
    assert response["Location"] == reverse("number-detail", args=["13805710001"])
    assert client.get(reverse("number-lookup"), {"msisdn": "1"})["Location"] == reverse("number-admin")


def test_home_panel_and_global_search(pool, carrier, client_for):
    actions.number_reserve(carrier["clerk"], "13805710066")
    client = client_for(carrier["clerk"])
    home = client.get(reverse("home")).content.decode()
    assert 'data-testid="home-my-reservations"' in home and "138 0571 0066" in home
    hits = client.get(reverse("global-search"), {"q": "13805710066"}).content.decode()
    assert reverse("number-detail", args=["13805710066"]) in hits
    assert "13805740066" not in client.get(reverse("global-search"), {"q": "0066"}).content.decode()
