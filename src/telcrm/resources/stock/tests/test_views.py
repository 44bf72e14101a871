"""Stock pages: who may open what, what each role sees (scope), the operations through the forms,
fixed query counts for the lists, the global search and the branch manager's home panel."""

from __future__ import annotations

import pytest
from django.urls import reverse

from telcrm.resources.stock import actions
from telcrm.resources.stock.models import SimCard, StockCount, Transfer, TransferStatus
from telcrm.resources.stock.states import ItemState
from telcrm.resources.stock.testing import make_sims, make_terminals
from telcrm.resources.stock.ui import search_stock

pytestmark = pytest.mark.django_db

READ_PAGES = (
    "stock-list",
    "stock-item-list",
    "stock-movement-list",
    "stock-batch-list",
    "stock-transfer-list",
    "stock-count-list",
)
MANAGE_PAGES = ("stock-batch-receive", "stock-transfer-create", "stock-count-create")


@pytest.fixture
def stock(carrier):
    return {
        "hz": make_sims(carrier.branch, 5),
        "nb": make_sims(carrier.other_branch, 5),
        "hz_t": make_terminals(carrier.branch, 2),
    }


@pytest.mark.parametrize("role", ["admin", "analyst", "branch_manager", "clerk", "backoffice", "installer"])
def test_roles_with_view_permission_open_the_pages(carrier, client_for, stock, role):
    client = client_for(carrier[role])
    for name in READ_PAGES:
        assert client.get(reverse(name)).status_code == 200, name
    manage = role in ("admin", "branch_manager")
    for name in MANAGE_PAGES:
        assert client.get(reverse(name)).status_code == (200 if manage else 403), name


@pytest.mark.parametrize("role", ["agent", "service", "account_manager", "marketer"])
def test_other_roles_get_403(carrier, client_for, stock, role):
    client = client_for(carrier[role])
    for name in READ_PAGES + MANAGE_PAGES:
        assert client.get(reverse(name)).status_code == 403, name
    assert client.get(reverse("stock-sim-detail", args=[stock["hz"][0].pk])).status_code == 403


def test_menu_links_for_stock(carrier, client_for):
    html = client_for(carrier["clerk"]).get(reverse("home")).content.decode()
    assert 'data-menu="stock-list"' in html and 'data-menu="stock-transfer-list"' in html


def test_each_branch_sees_its_own_stock(carrier, client_for, stock):
    hz, nb = stock["hz"], stock["nb"]
    for role, mine, theirs in (("clerk", hz, nb), ("branch_manager", hz, nb), ("other_clerk", nb, hz)):
        client = client_for(carrier[role])
        html = client.get(reverse("stock-item-list")).content.decode()
        assert mine[0].iccid in html and theirs[0].iccid not in html, role
        assert client.get(reverse("stock-sim-detail", args=[mine[0].pk])).status_code == 200
        assert client.get(reverse("stock-sim-detail", args=[theirs[0].pk])).status_code == 404
    admin = client_for(carrier["admin"])
    html = admin.get(reverse("stock-item-list")).content.decode()
    assert hz[0].iccid in html and nb[0].iccid in html
    assert admin.get(reverse("stock-branch", args=[carrier.other_branch.pk])).status_code == 200
    assert (
        client_for(carrier["branch_manager"])
        .get(reverse("stock-branch", args=[carrier.other_branch.pk]))
        .status_code
        == 404
    )


def test_item_search_is_exact_and_filters(carrier, client_for, stock):
    client = client_for(carrier["branch_manager"])
    target = stock["hz"][2]
    html = client.get(reverse("stock-item-list"), {"q": target.iccid}).content.decode()
    assert html.count('data-testid="item-row"') == 1 and target.iccid in html
    html = client.get(reverse("stock-item-list"), {"q": target.imsi}).content.decode()
    assert html.count('data-testid="item-row"') == 1
    actions.sim_allocate(carrier["clerk"], stock["hz"][0].iccid, reference="DD42")
    html = client.get(reverse("stock-item-list"), {"state": "allocated"}).content.decode()
    assert html.count('data-testid="item-row"') == 1 and "DD42" in html
    html = client.get(reverse("stock-item-list"), {"type": "terminal"}).content.decode()
    assert html.count('data-testid="item-row"') == 2
    # htmx asks for the results only
    part = client.get(
        reverse("stock-item-list"), {"q": target.iccid}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert 'id="item-results"' in part and "<html" not in part


def test_levels_page_shows_low_stock_badges(carrier, client_for, stock, set_param):
    set_param("stock.low_sim_threshold", 10)
    html = client_for(carrier["branch_manager"]).get(reverse("stock-list")).content.decode()
    assert 'data-testid="low-badge"' in html and 'data-unit="ZJ-HZ-01"' in html
    set_param("stock.low_sim_threshold", 2)
    set_param("stock.low_terminal_threshold", 1)
    html = client_for(carrier["branch_manager"]).get(reverse("stock-list")).content.decode()
    assert 'data-testid="low-badge"' not in html


def test_item_page_shows_history_and_operations(carrier, client_for, stock):
    sim = stock["hz"][0]
    actions.sim_allocate(carrier["clerk"], sim.iccid, reference="DD7")
    mgr = client_for(carrier["branch_manager"])
    html = mgr.get(reverse("stock-sim-detail", args=[sim.pk])).content.decode()
    assert html.count('data-testid="history-row"') == 1 and "DD7" in html
    assert 'data-testid="op-fault"' in html and 'data-testid="op-return"' not in html  # allocated: no return
    url = reverse("stock-item-action", args=["sim", sim.pk, "fault"])
    response = mgr.post(url, {"reason": ""})
    assert response.status_code == 400 and 'data-field="reason"' in response.content.decode()
    response = mgr.post(url, {"reason": "写卡失败"})
    assert response.status_code == 302
    assert SimCard.objects.get(pk=sim.pk).state == ItemState.FAULTY
    assert client_for(carrier["clerk"]).post(url, {"reason": "x"}).status_code == 403
    clerk_html = client_for(carrier["clerk"]).get(reverse("stock-sim-detail", args=[sim.pk])).content.decode()
    assert 'data-testid="item-operations"' not in clerk_html


def test_transfer_through_the_pages(carrier, login, stock):
    hz = stock["hz"]
    sender = login(carrier["branch_manager"])
    response = sender.post(
        reverse("stock-transfer-create"), {"from_unit": carrier.branch.pk, "to_unit": carrier.other_branch.pk}
    )
    t = Transfer.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "stock-transfer-detail", args=[t.pk]
    )
    bad = hz[0].iccid[:-1] + str((int(hz[0].iccid[-1]) + 1) % 10)
    response = sender.post(reverse("stock-transfer-add", args=[t.pk]), {"codes": f"{hz[1].iccid}\n{bad}"})
    assert response.status_code == 400 and 'data-field="codes"' in response.content.decode()
    assert bad in response.content.decode()
    response = sender.post(
        reverse("stock-transfer-add", args=[t.pk]), {"codes": f"{hz[0].iccid}-{hz[2].iccid}"}
    )
    assert response.status_code == 302
    assert sender.post(reverse("stock-transfer-ship", args=[t.pk])).status_code == 302
    t.refresh_from_db()
    assert (t.status, t.item_count) == (TransferStatus.SHIPPED, 3)
    receiver = login(carrier["other_branch_manager"])
    html = receiver.get(reverse("stock-transfer-detail", args=[t.pk])).content.decode()
    assert 'data-testid="transfer-receive"' in html
    html = sender.get(reverse("stock-transfer-detail", args=[t.pk])).content.decode()
    assert 'data-testid="transfer-receive"' not in html
    response = receiver.post(reverse("stock-transfer-receive", args=[t.pk]), {"codes": hz[4].iccid})
    assert response.status_code == 400 and 'data-field="codes"' in response.content.decode()
    response = receiver.post(
        reverse("stock-transfer-receive", args=[t.pk]), {"codes": f"{hz[0].iccid}\n{hz[1].iccid}"}
    )
    assert response.status_code == 302
    t.refresh_from_db()
    assert (t.status, t.received_count, t.missing_count) == (TransferStatus.RECEIVED, 2, 1)
    assert login(carrier["clerk"]).post(reverse("stock-transfer-ship", args=[t.pk])).status_code == 403


def test_count_through_the_pages(carrier, client_for, stock):
    hz = stock["hz"]
    client = client_for(carrier["branch_manager"])
    assert (
        client.post(
            reverse("stock-count-create"), {"org_unit": carrier.branch.pk, "item_type": "sim"}
        ).status_code
        == 302
    )
    c = StockCount.objects.get()
    part = client.post(
        reverse("stock-count-scan", args=[c.pk]), {"codes": hz[0].iccid}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert 'id="count-live"' in part and "<html" not in part
    assert 'data-testid="count-counted">1<' in part and 'data-testid="count-missing">4<' in part
    part = client.post(
        reverse("stock-count-scan", args=[c.pk]), {"codes": "8986"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert 'data-field="codes"' in part
    assert client.post(reverse("stock-count-close", args=[c.pk])).status_code == 302
    c.refresh_from_db()
    assert (c.status, c.missing_count) == ("closed", 4)
    html = client.get(reverse("stock-count-detail", args=[c.pk])).content.decode()
    assert html.count('data-kind="missing"') == 4


def test_list_queries_do_not_grow_with_the_rows(carrier, client_for, django_assert_max_num_queries):
    make_sims(carrier.branch, 60)
    make_terminals(carrier.branch, 30)
    t = actions.transfer_create(actor=carrier["branch_manager"], to_unit=carrier.other_branch)
    sims = list(SimCard.objects.filter(org_unit=carrier.branch)[:40])
    actions.transfer_add_items(actor=carrier["branch_manager"], transfer=t, codes=[s.iccid for s in sims])
    actions.transfer_ship(actor=carrier["branch_manager"], transfer=t)
    c = actions.stock_count_start(actor=carrier["branch_manager"], item_type="sim")
    actions.stock_count_scan(
        actor=carrier["branch_manager"], stock_count=c, codes=[s.iccid for s in sims[:10]]
    )
    admin = client_for(carrier["admin"])
    pages = {
        reverse("stock-list"): 21,  # fixed: session, permissions, totals, levels, alerts
        reverse("stock-item-list"): 11,
        reverse("stock-item-list") + "?type=terminal": 11,
        reverse("stock-movement-list"): 11,
        reverse("stock-transfer-list"): 12,
        reverse("stock-transfer-detail", args=[t.pk]): 12,
        reverse("stock-count-detail", args=[c.pk]): 13,
        reverse("stock-branch", args=[carrier.branch.pk]): 17,
        reverse("stock-sim-detail", args=[sims[0].pk]): 11,
    }
    for url, limit in pages.items():
        with django_assert_max_num_queries(limit):
            assert admin.get(url).status_code == 200, url


def test_global_search_finds_an_item_by_iccid_or_imei_in_scope(carrier, stock):
    hz, nb, phones = stock["hz"], stock["nb"], stock["hz_t"]
    hits = search_stock(carrier["clerk"], hz[0].iccid, 8)
    assert [h.url for h in hits] == [reverse("stock-sim-detail", args=[hz[0].pk])]
    assert search_stock(carrier["clerk"], nb[0].iccid, 8) == []  # another branch's card
    assert len(search_stock(carrier["admin"], nb[0].iccid, 8)) == 1
    hits = search_stock(carrier["branch_manager"], phones[0].imei, 8)
    assert [h.url for h in hits] == [reverse("stock-terminal-detail", args=[phones[0].pk])]
    assert search_stock(carrier["agent"], hz[0].iccid, 8) == []  # no stock permission
    assert search_stock(carrier["clerk"], "张三", 8) == []


def test_branch_manager_home_shows_low_stock(carrier, client_for, stock, set_param):
    set_param("stock.low_sim_threshold", 100)
    html = client_for(carrier["branch_manager"]).get(reverse("home")).content.decode()
    assert 'data-testid="home-low-stock"' in html and 'data-testid="home-low-row"' in html
    assert (
        'data-testid="home-low-stock"'
        not in client_for(carrier["clerk"]).get(reverse("home")).content.decode()
    )
