"""The coverage pages: who may open them, the data scope, the HTMX check, the forms, query counts."""

from __future__ import annotations

import pytest
from django.urls import reverse

from telcrm.platform.testing import count_queries
from telcrm.resources.coverage.models import CoveredAddress, NetworkElement

from ._fixtures import cover, element, set_ports

pytestmark = pytest.mark.django_db

VIEWERS = (
    "admin",
    "analyst",
    "branch_manager",
    "clerk",
    "backoffice",
    "installer",
    "agent",
    "service",
    "account_manager",
)
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def network(carrier):
    hz = element(carrier, code="HZ-XH-OLT01", ports_total=10)
    nb = element(carrier, unit=carrier.other_city, code="NB-HS-OLT01", ports_total=10)
    cover(carrier, hz, "文三路88号", building="阳光花园")
    cover(carrier, nb, "中山西路1号", city="宁波市", district="海曙区")
    return {"hz": hz, "nb": nb}


@pytest.mark.parametrize("role", VIEWERS)
def test_every_role_with_the_permission_opens_the_pages(carrier, client_for, network, role):
    client = client_for(carrier[role])
    for url in (reverse("coverage-list"), reverse("coverage-element-list")):
        assert client.get(url).status_code == 200, url
    assert 'data-menu="coverage-list"' in client.get(reverse("home")).content.decode()


def test_other_roles_are_refused(carrier, client_for, network):
    client = client_for(carrier["marketer"])
    for url in (
        reverse("coverage-list"),
        reverse("coverage-check"),
        reverse("coverage-element-list"),
        reverse("coverage-element-detail", args=[network["hz"].pk]),
    ):
        assert client.get(url).status_code == 403, url
    assert 'data-menu="coverage-list"' not in client.get(reverse("home")).content.decode()


def test_staff_see_the_network_of_the_region_they_work_in(carrier, client_for, network):
    hz, nb = network["hz"], network["nb"]
    for role in ("clerk", "branch_manager", "installer", "backoffice", "service", "account_manager"):
        client = client_for(carrier[role])
        html = client.get(reverse("coverage-element-list")).content.decode()
        assert hz.code in html and nb.code not in html, role
        assert client.get(reverse("coverage-element-detail", args=[nb.pk])).status_code == 404, role
        html = client.get(reverse("coverage-list")).content.decode()
        assert "文三路88号" in html and "中山西路1号" not in html, role
    ningbo = client_for(carrier["other_clerk"])
    html = ningbo.get(reverse("coverage-element-list")).content.decode()
    assert nb.code in html and hz.code not in html
    for role in ("agent", "admin", "analyst"):  # the province's agents, HQ: every city
        html = client_for(carrier[role]).get(reverse("coverage-element-list")).content.decode()
        assert hz.code in html and nb.code in html, role


def test_the_check_answers_with_a_green_or_red_card(carrier, client_for, network):
    client = client_for(carrier["clerk"])
    url = reverse("coverage-check")
    ok = client.get(url, {"check-city": "杭州", "check-street": "文三路８８号阳光花园3幢"}, **HTMX)
    html = ok.content.decode()
    assert ok.status_code == 200 and 'data-ok="1"' in html and 'data-testid="option"' in html
    assert reverse("coverage-element-detail", args=[network["hz"].pk]) in html
    set_ports(network["hz"], 10)
    full = client.get(
        url, {"check-city": "杭州", "check-street": "文三路88号阳光花园"}, **HTMX
    ).content.decode()
    assert 'data-ok="0"' in full and 'data-reason="no_free_ports"' in full and "无空闲端口" in full
    nowhere = client.get(url, {"check-city": "杭州", "check-street": "文三路1号"}, **HTMX).content.decode()
    assert 'data-reason="not_covered"' in nowhere
    # the whole network answers, whoever asks: Ningbo is installable, though not a link for this clerk
    nb = client.get(url, {"check-city": "宁波", "check-street": "中山西路1号"}, **HTMX).content.decode()
    assert 'data-ok="1"' in nb and reverse("coverage-element-detail", args=[network["nb"].pk]) not in nb
    missing = client.get(url, {"check-city": "", "check-street": ""}, **HTMX)
    assert missing.status_code == 200 and 'data-field="street"' in missing.content.decode()  # htmx swaps 2xx


def test_the_check_can_be_linked_and_a_plain_request_goes_to_the_page(carrier, client_for, network):
    client = client_for(carrier["clerk"])
    page = client.get(
        reverse("coverage-list"), {"check-city": "杭州市", "check-street": "文三路88号阳光花园"}
    )
    assert 'data-ok="1"' in page.content.decode()
    plain = client.get(reverse("coverage-check"), {"check-city": "杭州"})
    assert plain.status_code == 302 and plain["Location"].startswith(reverse("coverage-list"))


def test_the_address_list_filters(carrier, client_for, network):
    hz = network["hz"]
    cover(carrier, element(carrier, code="HZ-XH-GNB01", kind="cell_5g"), "文三路88号")
    cover(carrier, hz, "天目山路5号")
    client = client_for(carrier["admin"])

    def rows(**params):
        return (
            client.get(reverse("coverage-list"), params, **HTMX)
            .content.decode()
            .count('data-testid="address-row"')
        )

    assert rows() == 4
    assert rows(city="杭州") == rows(city="杭州市") == 3
    assert rows(city="宁波", district="海曙") == 1
    assert rows(technology="fwa_5g") == 1
    assert rows(element="HZ-XH-OLT") == 2
    assert rows(q="天目山路") == 1


def test_list_pages_keep_their_query_count(carrier, client_for):
    client = client_for(carrier["clerk"])
    el = element(carrier)
    cover(carrier, el, "文三路1号")
    client.get(reverse("coverage-list"))  # warm the caches (parameters)
    with count_queries() as few:
        client.get(reverse("coverage-list"))
        client.get(reverse("coverage-element-list"))
    for n in range(2, 30):
        cover(carrier, element(carrier), f"文三路{n}号")
    with count_queries() as many:
        client.get(reverse("coverage-list"))
        client.get(reverse("coverage-element-list"))
    assert len(few) == len(many), [q["sql"][:100] for q in many.captured_queries]


def test_element_detail_query_count_and_content(carrier, client_for, django_assert_max_num_queries):
    el = element(carrier, code="HZ-XH-OLT01", ports_total=10)
    for n in range(1, 40):
        cover(carrier, el, f"文三路{n}号")
    set_ports(el, 9)
    client = client_for(carrier["admin"])
    client.get(reverse("coverage-element-detail", args=[el.pk]))
    with django_assert_max_num_queries(12):
        html = client.get(reverse("coverage-element-detail", args=[el.pk])).content.decode()
    assert html.count("文三路") >= 25 and "即将满载" in html and 'data-testid="element-history"' in html


def test_managers_register_edit_and_retire_an_element(carrier, client_for):
    client = client_for(carrier["admin"])
    bad = client.post(
        reverse("coverage-element-create"),
        {
            "code": "x",
            "kind": "olt",
            "org_unit": carrier.city.pk,
            "ports_total": 10,
            "max_bandwidth_mbps": 1000,
            "status": "in_service",
        },
    )
    assert bad.status_code == 400 and 'data-field="code"' in bad.content.decode()
    response = client.post(
        reverse("coverage-element-create"),
        {
            "code": "HZ-NEW-OLT01",
            "name": "新OLT",
            "kind": "olt",
            "org_unit": carrier.city.pk,
            "ports_total": 10,
            "max_bandwidth_mbps": 1000,
            "status": "in_service",
            "location": "",
        },
    )
    el = NetworkElement.objects.get(code="HZ-NEW-OLT01")
    assert response.status_code == 302 and response["Location"] == reverse(
        "coverage-element-detail", args=[el.pk]
    )
    data = {
        "name": "新OLT",
        "kind": "olt",
        "org_unit": carrier.city.pk,
        "ports_total": 20,
        "max_bandwidth_mbps": 1000,
        "status": "maintenance",
        "location": "机房",
    }
    assert client.post(reverse("coverage-element-edit", args=[el.pk]), data).status_code == 302
    el.refresh_from_db()
    assert (el.ports_total, el.status, el.location) == (20, "maintenance", "机房")
    assert client.post(reverse("coverage-element-retire", args=[el.pk])).status_code == 302
    el.refresh_from_db()
    assert el.status == "retired"


def test_managers_record_edit_and_retire_covered_addresses(carrier, client_for):
    el = element(carrier, code="HZ-XH-OLT01")
    client = client_for(carrier["admin"])
    assert (
        'value="HZ-XH-OLT01"'
        in client.get(reverse("coverage-address-create"), {"element": el.code}).content.decode()
    )
    bad = client.post(
        reverse("coverage-address-create"),
        {"element": el.code, "province": "浙江省", "city": "杭州市", "street": "文三路"},
    )
    assert bad.status_code == 400 and 'data-field="street"' in bad.content.decode()
    response = client.post(
        reverse("coverage-address-create"),
        {
            "element": el.code,
            "province": "浙江省",
            "city": "杭州市",
            "district": "西湖区",
            "street": "文三路88号",
            "building": "",
            "technology": "",
            "max_bandwidth_mbps": "",
        },
    )
    assert response.status_code == 302
    row = CoveredAddress.objects.get()
    form = {
        "element": el.code,
        "province": "浙江省",
        "city": "杭州市",
        "district": "西湖区",
        "street": "文三路88号",
        "building": "阳光花园",
        "technology": "fibre",
        "max_bandwidth_mbps": 500,
    }
    assert client.post(reverse("coverage-address-edit", args=[row.pk]), form).status_code == 302
    row.refresh_from_db()
    assert (row.building, row.max_bandwidth_mbps) == ("阳光花园", 500)
    assert client.post(reverse("coverage-address-retire", args=[row.pk])).status_code == 302
    row.refresh_from_db()
    assert not row.is_active


def test_write_pages_are_for_coverage_managers_only(carrier, client_for, network):
    client = client_for(carrier["branch_manager"])
    row = CoveredAddress.objects.filter(element=network["hz"]).get()
    for method, url in (
        ("get", reverse("coverage-element-create")),
        ("get", reverse("coverage-element-edit", args=[network["hz"].pk])),
        ("post", reverse("coverage-element-retire", args=[network["hz"].pk])),
        ("get", reverse("coverage-address-create")),
        ("get", reverse("coverage-address-edit", args=[row.pk])),
        ("post", reverse("coverage-address-retire", args=[row.pk])),
    ):
        assert getattr(client, method)(url).status_code == 403, url
    html = client.get(reverse("coverage-element-detail", args=[network["hz"].pk])).content.decode()
    assert 'data-testid="edit-element"' not in html and 'data-testid="tab-import"' not in html


def test_the_customer_page_shows_whether_its_addresses_are_installable(carrier, client_for, network):
    from telcrm.customers.models import Address
    from telcrm.customers.testing import make_customer

    customer = make_customer(carrier.branch, owner=carrier["clerk"])
    Address.objects.create(
        customer=customer,
        province="浙江省",
        city="杭州市",
        district="西湖区",
        street="文三路88号阳光花园3幢1单元101室",
        is_primary=True,
    )
    Address.objects.create(
        customer=customer,
        province="浙江省",
        city="杭州市",
        district="西湖区",
        street="文三路1号",
        kind="billing",
    )
    html = client_for(carrier["clerk"]).get(reverse("customer-detail", args=[customer.pk])).content.decode()
    assert 'data-panel="broadband"' in html
    assert html.count('data-testid="broadband-row" data-ok="1"') == 1
    assert html.count('data-testid="broadband-row" data-ok="0"') == 1
    marketer = client_for(carrier["marketer"]).get(reverse("customer-detail", args=[customer.pk]))
    assert 'data-panel="broadband"' not in marketer.content.decode()


def test_global_search_finds_elements_in_scope(carrier, client_for, network):
    html = client_for(carrier["clerk"]).get(reverse("global-search"), {"q": "HZ-XH"}, **HTMX).content.decode()
    assert "HZ-XH-OLT01" in html
    html = client_for(carrier["clerk"]).get(reverse("global-search"), {"q": "NB-HS"}, **HTMX).content.decode()
    assert "NB-HS-OLT01" not in html


def test_pages_render_in_english(carrier, client_for, network):
    admin = carrier["admin"]
    admin.language = "en"
    admin.save(update_fields=["language"])
    client = client_for(admin)
    html = client.get(
        reverse("coverage-list"), {"check-city": "Hangzhou", "check-street": "1"}
    ).content.decode()
    assert "Can broadband be installed here?" in html and "Not installable" in html
    assert "Fibre (FTTH)" in client.get(reverse("coverage-element-list")).content.decode()
