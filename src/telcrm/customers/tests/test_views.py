"""Customer UI (CUS-1…CUS-8): pages per role, permissions and data scope, create/edit with field
errors, the 360 page with its panels and fixed query count, reveal, print, export."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from telcrm.customers.models import (
    Account,
    ContactMedium,
    Customer,
    Interaction,
    Party,
    Subscription,
    Tag,
)
from telcrm.customers.panels import PANELS, Panel, register_panel, unregister_panel
from telcrm.customers.testing import make_customer
from telcrm.platform.models import AuditLog, Job, JobStatus
from telcrm.platform.testing import count_queries, make_user

from ._domain_fixtures import register, resident_id

PHONE = "13812345678"


@pytest.fixture
def mine(carrier):
    """A customer of the Hangzhou clerk (own scope), with an ID number and a phone."""
    return register(
        carrier["clerk"],
        name="王小明",
        id_doc_type="id_card",
        id_number=resident_id(),
        phone=PHONE,
        address={"province": "浙江省", "city": "杭州市", "street": "文三路 1 号"},
    )


@pytest.fixture
def ningbo(carrier):
    """A customer of the Ningbo clerk: outside every Hangzhou user's scope."""
    return register(
        carrier["other_clerk"], name="宁波客户", id_doc_type="id_card", id_number=resident_id("330203")
    )


def pages(c: Customer) -> list[str]:
    return [
        reverse("customer-list"),
        reverse("customer-list") + "?q=王小明",
        reverse("customer-list") + "?value_tier=vip&sort=name",
        reverse("customer-print") + "?customer_type=individual",
        reverse("customer-detail", args=[c.pk]),
        reverse("customer-history", args=[c.pk]),
        reverse("customer-duplicates-box", args=[c.pk]),
        reverse("customer-media", args=[c.pk]),
    ]


def write_pages(c: Customer) -> list[str]:
    return [
        reverse("customer-create"),
        reverse("customer-create") + "?type=group",
        reverse("customer-edit", args=[c.pk]),
        reverse("customer-verify", args=[c.pk]),
        reverse("customer-interaction-create", args=[c.pk]),
        reverse("customer-media-create", args=[c.pk]),
        reverse("customer-addresses-create", args=[c.pk]),
        reverse("customer-contacts-create", args=[c.pk]),
        reverse("customer-tags", args=[c.pk]),
    ]


# --- pages per role -----------------------------------------------------------------------------
@pytest.mark.parametrize("role", ["clerk", "branch_manager", "admin", "account_manager", "agent"])
def test_pages_render_for_roles_that_work_with_customers(carrier, client_for, mine, role):
    client = client_for(carrier[role])
    mine.owner = carrier[role]  # own-scope roles see the customers they own
    mine.save()
    may_add = carrier[role].has_perm("customers.add_customer")  # the agent changes, never registers
    for url in pages(mine) + write_pages(mine):
        expected = 200 if may_add or not url.startswith(reverse("customer-create")) else 403
        assert client.get(url).status_code == expected, (role, url)


def test_manager_pages(carrier, client_for, mine):
    client = client_for(carrier["branch_manager"])
    for url in [
        reverse("update-request-list"),
        reverse("update-request-list") + "?status=all",
        reverse("customer-duplicates"),
        reverse("customer-credit", args=[mine.pk]),
        reverse("customer-blacklist-add", args=[mine.pk]),
    ]:
        assert client.get(url).status_code == 200, url


def test_read_only_role_sees_but_cannot_write(carrier, client_for, mine):
    client = client_for(carrier["marketer"])  # view_customer only, Hangzhou subtree
    html = client.get(reverse("customer-detail", args=[mine.pk])).content.decode()
    assert "王小明" in html and reverse("customer-edit", args=[mine.pk]) not in html
    for url in write_pages(mine):
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("customer-media-create", args=[mine.pk]), {"kind": "email"}).status_code == 403
    assert client.get(reverse("update-request-list")).status_code == 403
    assert client.get(reverse("customer-duplicates")).status_code == 403


def test_clerk_may_not_review_merge_blacklist_or_rate(carrier, client_for, mine):
    client = client_for(carrier["clerk"])
    for url in [
        reverse("update-request-list"),
        reverse("customer-duplicates"),
        reverse("customer-credit", args=[mine.pk]),
        reverse("customer-blacklist-add", args=[mine.pk]),
        reverse("customer-merge", args=[mine.pk]) + "?duplicate=1",
    ]:
        assert client.get(url).status_code == 403, url


def test_user_without_a_role_gets_403_and_no_menu(carrier, client_for, mine):
    nobody = make_user("nobody", None, carrier.branch)
    client = client_for(nobody)
    assert client.get(reverse("customer-list")).status_code == 403
    assert client.get(reverse("customer-detail", args=[mine.pk])).status_code == 403
    assert reverse("customer-list") not in client.get("/").content.decode()


def test_pages_need_sign_in(client, db):
    response = client.get(reverse("customer-list"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_menu_entries_follow_permissions(carrier):
    from telcrm.web.navigation import menu_for

    def names(user):
        return {e["url_name"] for s in menu_for(user) for e in s["entries"]}

    clerk, manager, marketer = (
        names(carrier["clerk"]),
        names(carrier["branch_manager"]),
        names(carrier["marketer"]),
    )
    assert {"customer-list", "customer-create"} <= clerk and "update-request-list" not in clerk
    assert {"customer-list", "customer-create", "update-request-list", "customer-duplicates"} <= manager
    assert "customer-list" in marketer and "customer-create" not in marketer


# --- data scope: 404 outside it -------------------------------------------------------------------
def test_hangzhou_clerk_gets_404_for_a_ningbo_customer(carrier, client_for, ningbo):
    client = client_for(carrier["clerk"])
    medium = ningbo.contact_media.first() or ContactMedium.objects.create(customer=ningbo, kind="email")
    for url in [
        reverse("customer-detail", args=[ningbo.pk]),
        reverse("customer-edit", args=[ningbo.pk]),
        reverse("customer-history", args=[ningbo.pk]),
        reverse("customer-duplicates-box", args=[ningbo.pk]),
        reverse("customer-media", args=[ningbo.pk]),
        reverse("customer-media-create", args=[ningbo.pk]),
        reverse("customer-verify", args=[ningbo.pk]),
        reverse("customer-detail", args=[999999]),
    ]:
        assert client.get(url).status_code == 404, url
    for url in [
        reverse("customer-reveal", args=[ningbo.pk, "id_number"]),
        reverse("customer-reveal", args=[ningbo.pk, "primary_phone"]),
        reverse("customer-media-reveal", args=[ningbo.pk, medium.pk]),
        reverse("customer-media-delete", args=[ningbo.pk, medium.pk]),
        reverse("customer-classify", args=[ningbo.pk]),
    ]:
        assert client.post(url).status_code == 404, url
    assert not AuditLog.objects.filter(kind="reveal").exists()
    assert ContactMedium.objects.filter(pk=medium.pk).exists()


def test_lists_and_search_stay_in_scope(carrier, client_for, mine, ningbo):
    for user in (carrier["clerk"], carrier["branch_manager"]):
        client = client_for(user)
        for url in (
            reverse("customer-list"),
            reverse("customer-list") + "?q=客户",
            reverse("global-search") + "?q=客户",
        ):
            html = client.get(url).content.decode()
            assert reverse("customer-detail", args=[ningbo.pk]) not in html, (user, url)
    html = client_for(carrier["admin"]).get(reverse("customer-list")).content.decode()
    assert reverse("customer-detail", args=[ningbo.pk]) in html
    assert reverse("customer-detail", args=[mine.pk]) in html


def test_item_of_another_customer_is_404(carrier, client_for, mine):
    other = register(carrier["clerk"], name="另一位", phone="13900001111")
    medium = other.contact_media.get()
    client = client_for(carrier["clerk"])
    assert client.get(reverse("customer-media-edit", args=[mine.pk, medium.pk])).status_code == 404
    assert client.post(reverse("customer-media-delete", args=[mine.pk, medium.pk])).status_code == 404
    assert ContactMedium.objects.filter(pk=medium.pk).exists()


# --- create / edit ------------------------------------------------------------------------------
def create_data(**kw):
    data = {
        "customer_type": "individual",
        "name": "李四",
        "id_doc_type": "id_card",
        "id_number": resident_id(),
        "phone": "13912345678",
        "email": "lisi@example.com",
        "address_kind": "home",
        "address_province": "浙江省",
        "address_city": "杭州市",
        "address_street": "文一路 2 号",
        "marketing_consent": "on",
    }
    data.update(kw)
    return data


def test_clerk_creates_a_customer_and_lands_on_the_360(carrier, client_for):
    client = client_for(carrier["clerk"])
    tag = Tag.objects.create(code="vipcare", name="贵宾关怀")
    response = client.post(reverse("customer-create"), {**create_data(), "tags": [tag.pk]})
    customer = Customer.objects.get(name="李四")
    assert response.status_code == 302 and response["Location"] == reverse(
        "customer-detail", args=[customer.pk]
    )
    assert customer.org_unit == carrier.branch and customer.owner == carrier["clerk"]
    assert list(customer.tags.all()) == [tag]
    assert customer.contact_media.filter(kind="mobile", marketing_consent=True).exists()
    assert customer.addresses.get().street == "文一路 2 号"
    html = client.get(response["Location"]).content.decode()
    assert "李四" in html and customer.customer_no in html and "139****5678" in html


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"id_number": "330106199001011230"}, "id_number"),  # wrong check digit
        ({"phone": "1234"}, "phone"),
        ({"email": "not-an-email"}, "email"),
        ({"name": ""}, "name"),
        ({"address_city": ""}, "address_city"),
        ({"id_doc_type": ""}, "id_doc_type"),
    ],
)
def test_bad_input_is_named_on_its_field_and_nothing_is_written(carrier, client_for, changes, field):
    client = client_for(carrier["clerk"])
    before = (Customer.objects.count(), Party.objects.count(), ContactMedium.objects.count())
    response = client.post(reverse("customer-create"), create_data(**changes))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'data-field="{field}"' in html, html[html.find("invalid-feedback") - 200 :][:600]
    assert (Customer.objects.count(), Party.objects.count(), ContactMedium.objects.count()) == before


def test_every_wrong_field_is_reported_at_once(carrier, client_for):
    client = client_for(carrier["clerk"])
    html = client.post(
        reverse("customer-create"), create_data(id_doc_type="", id_number="330106199001011230", phone="1234")
    ).content.decode()
    assert 'data-field="id_doc_type"' in html and 'data-field="phone"' in html
    assert not Customer.objects.exists()


def test_enterprise_fields_replace_individual_ones(carrier, client_for):
    from ._domain_fixtures import credit_code

    client = client_for(carrier["branch_manager"])
    response = client.post(
        reverse("customer-create"),
        create_data(
            customer_type="enterprise",
            name="杭州某某科技有限公司",
            id_doc_type="business_license",
            id_number=credit_code(),
            legal_representative="赵六",
            account_manager=carrier["account_manager"].pk,
            gender="m",  # an individual's field: ignored for an enterprise
        ),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    c = Customer.objects.get(name="杭州某某科技有限公司")
    assert c.customer_type == "enterprise" and c.account_manager == carrier["account_manager"]
    assert c.party.legal_representative == "赵六" and c.party.gender == ""


def test_edit_changes_only_what_was_changed(carrier, client_for, mine):
    client = client_for(carrier["clerk"])
    form = client.get(reverse("customer-edit", args=[mine.pk])).context["form"]
    data = {k: (v.pk if hasattr(v, "pk") else v) for k, v in form.initial.items() if v is not None}
    response = client.post(reverse("customer-edit", args=[mine.pk]), data)
    assert response.status_code == 302  # nothing changed
    data["name"] = "王晓明"
    response = client.post(reverse("customer-edit", args=[mine.pk]), data)
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.name == "王晓明"
    assert AuditLog.objects.filter(action="customer.update", object_id=str(mine.pk)).count() == 1


# --- the 360 page -------------------------------------------------------------------------------
def test_360_shows_masked_data_badges_and_eligibility(carrier, client_for, mine):
    html = client_for(carrier["clerk"]).get(reverse("customer-detail", args=[mine.pk])).content.decode()
    plain_id = mine.party.id_number.reveal_unaudited()
    assert plain_id not in html and PHONE not in html
    assert str(mine.party.id_number) in html and "138****5678" in html
    assert 'data-testid="eligibility"' in html and 'data-testid="tier-badge"' in html
    assert 'data-testid="reveal-id-number"' in html  # the clerk holds reveal_pii
    for code in ("subscriptions", "accounts", "timeline", "contact_media", "addresses", "credit", "history"):
        assert f'data-panel="{code}"' in html, code


def test_reveal_shows_the_number_and_is_audited(carrier, client_for, mine):
    client = client_for(carrier["clerk"])
    response = client.post(reverse("customer-reveal", args=[mine.pk, "id_number"]))
    assert response.status_code == 200
    assert mine.party.id_number.reveal_unaudited() in response.content.decode()
    log = AuditLog.objects.get(kind="reveal")
    assert log.actor == carrier["clerk"] and log.field == "id_number"
    response = client.post(reverse("customer-reveal", args=[mine.pk, "primary_phone"]))
    assert PHONE in response.content.decode() and AuditLog.objects.filter(kind="reveal").count() == 2
    assert client.post(reverse("customer-reveal", args=[mine.pk, "name"])).status_code == 404


def test_reveal_needs_the_permission(carrier, client_for, mine):
    client = client_for(carrier["marketer"])
    assert (
        'data-testid="reveal-id-number"'
        not in client.get(reverse("customer-detail", args=[mine.pk])).content.decode()
    )
    assert client.post(reverse("customer-reveal", args=[mine.pk, "id_number"])).status_code == 403
    assert not AuditLog.objects.filter(kind="reveal").exists()


def test_blacklisted_customer_shows_the_refusal(carrier, client_for, mine):
    from telcrm.customers.actions import blacklist_add

    blacklist_add(
        actor=carrier["branch_manager"],
        customer=mine,
        reason_code="fraud",
        effect="block_all",
        valid_from=timezone.localdate(),
    )
    html = client_for(carrier["clerk"]).get(reverse("customer-detail", args=[mine.pk])).content.decode()
    assert 'data-testid="blacklist-badge"' in html and 'data-ok="0"' in html


def _lines(customer, n):
    account = customer.accounts.first()
    now = timezone.now()
    for i in range(n):
        Subscription.objects.create(
            customer=customer,
            account=account,
            msisdn=f"1380000{i:04d}",
            offer_code="5G-88",
            offer_name="5G 套餐",
            org_unit=customer.org_unit,
        )
        Interaction.objects.create(
            customer=customer,
            channel="counter",
            kind="visit",
            summary=f"来访 {i}",
            occurred_at=now - dt.timedelta(hours=i),
            org_unit=customer.org_unit,
        )
        ContactMedium(customer=customer, kind="email", value=f"u{i}@example.com").save()
        Account.objects.create(
            account_no=f"X{customer.pk}{i:05d}", customer=customer, name="x", org_unit=customer.org_unit
        )


def test_360_query_count_does_not_grow_with_rows(carrier, client_for):
    clerk = carrier["clerk"]
    small = make_customer(carrier.branch, owner=clerk, name="少", phone=PHONE)
    big = make_customer(carrier.branch, owner=clerk, name="多", phone="13900002222")
    _lines(small, 1)
    _lines(big, 30)
    client = client_for(clerk)
    client.get(reverse("customer-detail", args=[small.pk]))  # warm caches (parameters, dictionaries)
    with count_queries() as one:
        assert client.get(reverse("customer-detail", args=[small.pk])).status_code == 200
    with count_queries() as thirty:
        html = client.get(reverse("customer-detail", args=[big.pk])).content.decode()
    assert len(one) == len(thirty), [q["sql"][:120] for q in thirty.captured_queries]
    assert (
        html.count('data-testid="subscription-row"') == 20 and html.count('data-testid="interaction"') == 20
    )


def test_list_query_count_is_fixed(carrier, client_for):
    clerk = carrier["clerk"]
    tag = Tag.objects.create(code="t1", name="标签")

    def make(n):
        for i in range(n):
            c = make_customer(
                carrier.branch, owner=clerk, name=f"客户{i}", phone=f"139{i:08d}", id_number=resident_id()
            )
            c.tags.add(tag)

    client = client_for(clerk)
    make(5)
    client.get(reverse("customer-list"))
    with count_queries() as five:
        html = client.get(reverse("customer-list")).content.decode()
    assert html.count('data-testid="customer-row"') == 5
    make(25)
    with count_queries() as thirty:
        html = client.get(reverse("customer-list")).content.decode()
    assert html.count('data-testid="customer-row"') == 25  # one page (ui.page_size)
    assert len(five) == len(thirty)
    with count_queries() as searched:
        html = client.get(reverse("customer-list"), {"q": "客户"}).content.decode()
    assert html.count('data-testid="customer-row"') == 25 and 'data-testid="next-page"' in html
    assert len(searched) <= len(thirty) + 8


def test_htmx_list_request_gets_the_results_only(carrier, client_for, mine):
    response = client_for(carrier["clerk"]).get(reverse("customer-list"), {"q": "王"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert 'data-testid="customer-results"' in html and "<html" not in html and "王小明" in html


def test_filters_are_validated_and_reported(carrier, client_for, mine):
    client = client_for(carrier["clerk"])
    html = client.get(
        reverse("customer-list"),
        {"org_unit": carrier.other_branch.pk, "created_from": "2026-02-30", "sort": "x"},
    ).content.decode()
    assert 'data-testid="filter-errors"' in html and "王小明" in html  # bad filters ignored, list shown


# --- panels: the extension point --------------------------------------------------------------------
def test_registered_panel_is_rendered_in_order_and_gated(carrier, client_for, mine):
    calls = []

    def loader(actor, customer, ctx):
        calls.append(customer.pk)
        return {"rows": [("订单面板", customer.customer_no, "")]}

    template = "customers/panels/simple.html"
    register_panel(Panel("orders_test", "订单", template, loader, order=15, icon="cart"))
    register_panel(Panel("secret_test", "机密", template, loader, order=16, perm="platform.manage_platform"))
    register_panel(Panel("empty_test", "无内容", template, lambda a, c, ctx: None, order=17))
    try:
        html = client_for(carrier["clerk"]).get(reverse("customer-detail", args=[mine.pk])).content.decode()
    finally:
        for code in ("orders_test", "secret_test", "empty_test"):
            unregister_panel(code)
    assert 'data-testid="panel-orders_test"' in html and mine.customer_no in html
    assert (
        html.index('data-panel="subscriptions"')
        < html.index('data-panel="orders_test"')
        < html.index('data-panel="accounts"')
    )
    assert 'data-panel="secret_test"' not in html and calls == [mine.pk]  # a hidden panel is not loaded
    assert 'data-panel="empty_test"' not in html  # a loader returning None hides its panel
    assert "orders_test" not in PANELS


def test_panel_slot_is_checked():
    with pytest.raises(ValueError):
        Panel("x", "x", "customers/panels/simple.html", None, slot="footer")


# --- print and export ---------------------------------------------------------------------------
def test_print_view_lists_the_filters_and_rows_without_navigation(carrier, client_for, mine):
    html = (
        client_for(carrier["clerk"])
        .get(reverse("customer-print"), {"customer_type": "individual"})
        .content.decode()
    )
    assert 'id="main-menu"' not in html and "print.css" in html
    assert 'data-testid="print-filters"' in html and "个人客户" in html
    assert html.count('data-testid="print-row"') == 1 and "王小明" in html and PHONE not in html
    assert "<thead>" in html and "<tfoot>" in html


def test_export_contains_only_rows_in_scope_with_masked_pii(
    carrier, client_for, settings, tmp_path, mine, ningbo, django_capture_on_commit_callbacks
):
    from openpyxl import load_workbook

    settings.MEDIA_ROOT = tmp_path
    manager = carrier["branch_manager"]
    client = client_for(manager)
    assert 'data-testid="export-form"' in client.get(reverse("customer-list")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("customer-export"), {"customer_type": "individual"})
    job = Job.objects.get(owner=manager)
    assert response.status_code == 302 and response["Location"] == reverse("job-detail", args=[job.pk])
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error
    rows = list(load_workbook(tmp_path / job.result_file).active.iter_rows(min_row=2, values_only=True))
    numbers = {r[0] for r in rows}
    assert numbers == set(
        Customer.objects.restrict(manager)
        .filter(customer_type="individual")
        .values_list("customer_no", flat=True)
    )
    assert ningbo.customer_no not in numbers and mine.customer_no in numbers
    text = repr(rows)
    assert mine.party.id_number.reveal_unaudited() not in text and PHONE not in text
    assert str(mine.party.id_number) in text and "138****5678" in text
    assert AuditLog.objects.filter(kind="export", actor=manager).exists()


def test_clerk_has_no_export(carrier, client_for, mine):
    client = client_for(carrier["clerk"])
    assert 'data-testid="export-form"' not in client.get(reverse("customer-list")).content.decode()
    assert client.post(reverse("customer-export")).status_code == 403
    assert not Job.objects.exists()


# --- home panels and the global search -------------------------------------------------------------
def test_home_panels_per_role(carrier, client_for, mine):
    mine.account_manager = carrier["account_manager"]
    mine.save()
    group = make_customer(
        carrier.branch, owner=carrier["account_manager"], name="集团甲", customer_type="group"
    )
    html = client_for(carrier["clerk"]).get("/").content.decode()
    assert 'data-testid="home-recent-customers"' in html and "王小明" in html
    html = client_for(carrier["branch_manager"]).get("/").content.decode()
    assert 'data-testid="home-branch-customers"' in html and 'data-testid="pending-requests"' in html
    html = client_for(carrier["account_manager"]).get("/").content.decode()
    assert 'data-testid="home-group-customers"' in html and group.name in html
    html = client_for(carrier["installer"]).get("/").content.decode()
    assert "home-recent-customers" not in html and "home-branch-customers" not in html


def test_global_search_finds_customers_in_scope(carrier, client_for, mine, ningbo):
    html = client_for(carrier["clerk"]).get(reverse("global-search"), {"q": "wxm"}).content.decode()
    assert reverse("customer-detail", args=[mine.pk]) in html and PHONE not in html
    html = (
        client_for(carrier["admin"]).get(reverse("global-search"), {"q": ningbo.customer_no}).content.decode()
    )
    assert reverse("customer-detail", args=[ningbo.pk]) in html
    html = (
        client_for(carrier["clerk"]).get(reverse("global-search"), {"q": ningbo.customer_no}).content.decode()
    )
    assert reverse("customer-detail", args=[ningbo.pk]) not in html


def test_pages_in_english(carrier, client_for, mine):
    clerk = carrier["clerk"]
    clerk.language = "en"
    clerk.save()
    client = client_for(clerk)
    html = client.get(reverse("customer-detail", args=[mine.pk])).content.decode()
    assert 'lang="en"' in html and "Orders refused" in html and "Subscriptions" in html
    html = client.get(reverse("customer-list")).content.decode()
    assert "Customer search" in html
