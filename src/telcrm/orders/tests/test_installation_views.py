# ruff: noqa: F811  (the site fixture is imported from installation_fixtures)
"""Pending installations in the UI: the dispatcher's page (dispatch, book, assign), the lists with their
filters and fixed query counts, the installer's phone pages (my installations by appointment, the field
page: contact on request, arrival, result), the panels on the work-order and order pages, capacity."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from telcrm.orders.models import (
    InstallAppointment,
    InstallCapacity,
    InstallState,
    Order,
    WorkOrder,
    WorkOrderState,
)
from telcrm.platform.testing import count_queries, make_user

from .installation_fixtures import PHONE, site, tomorrow  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


def visit(inst) -> WorkOrder:
    return WorkOrder.objects.filter(instance=inst.instance, element_id="install").order_by("id").last()


def slot(day=None, window="am1") -> str:
    return f"{(day or tomorrow()).isoformat()}|{window}"


def test_the_dispatcher_dispatches_from_the_installation_page(site, client_for):
    inst = site.start()
    client = client_for(site.backoffice)
    page = client.get(reverse("installation-detail", args=[inst.pk]))
    html = page.content.decode()
    assert page.status_code == 200 and 'data-testid="dispatch-form"' in html
    assert f'value="{slot()}"' in html and "杭州市西湖区文三路1号" in html

    grid = client.get(
        reverse("installation-slots", args=[inst.pk]), {"team": site.team.pk}, HTTP_HX_REQUEST="true"
    )
    assert grid.status_code == 200 and 'id="dispatch-team"' in grid.content.decode()
    assert site.installer.full_name in grid.content.decode()

    url = reverse("installation-dispatch", args=[inst.pk])
    refused = client.post(url, {"team": site.team.pk, "installer": site.installer.pk})
    assert refused.status_code == 400 and 'data-field="slot"' in refused.content.decode()
    done = client.post(url, {"team": site.team.pk, "slot": slot(), "installer": site.installer.pk})
    assert done.status_code == 302
    site.run(inst.instance)
    inst.refresh_from_db()
    assert inst.state == InstallState.BOOKED and visit(inst).assignee == site.installer


def test_book_and_assign_from_the_installation_page(site, client_for):
    colleague = make_user("colleague", "installer", site.team)
    inst = site.booked()
    client = client_for(site.backoffice)
    html = client.get(reverse("installation-detail", args=[inst.pk])).content.decode()
    assert 'data-testid="book-form"' in html and 'data-testid="assign-form"' in html
    book = reverse("installation-book", args=[inst.pk])
    no_reason = client.post(book, {"slot": slot(window="pm1")})
    assert no_reason.status_code == 400 and 'data-field="reason"' in no_reason.content.decode()
    assert client.post(book, {"slot": slot(window="pm1"), "reason": "客户改约"}).status_code == 302
    assign = client.post(reverse("installation-assign", args=[inst.pk]), {"installer": colleague.pk})
    assert assign.status_code == 302
    inst.refresh_from_db()
    assert inst.appointment.window == "pm1" and visit(inst).assignee == colleague
    page = client.get(reverse("installation-detail", args=[inst.pk])).content.decode()
    assert page.count("<tr><td") >= 2 and "客户改约" in page  # both appointments, the reason kept


def test_the_list_filters_late_ones_with_a_fixed_query_count(site, client_for):
    client = client_for(site.backoffice)
    url = reverse("installation-list")
    site.booked()
    late = site.booked(window="am2")
    client.get(url)  # warm the caches (session, parameters, dictionaries)
    with count_queries() as few:
        assert client.get(url).status_code == 200
    for window in ("pm1", "pm2"):
        site.booked(window=window)
    site.start()  # waiting for dispatch
    with count_queries() as many:
        page = client.get(url)
    assert len(many) == len(few)
    assert page.content.decode().count('data-testid="inst-row"') == 5

    ends = timezone.now() - dt.timedelta(hours=2)
    InstallAppointment.objects.filter(pk=late.appointment_id).update(
        starts_at=ends - dt.timedelta(hours=2), ends_at=ends
    )
    html = client.get(url, {"overdue": "on"}).content.decode()
    assert html.count('data-testid="inst-row"') == 1 and late.number in html and 'data-late="1"' in html
    assert client.get(url, {"q": late.business_key}).content.decode().count('data-testid="inst-row"') == 1
    assert client.get(url, {"state": "dispatch"}).content.decode().count('data-testid="inst-row"') == 1


def test_my_installations_come_by_appointment_with_a_fixed_query_count(site, client_for):
    later = site.booked(day=tomorrow() + dt.timedelta(days=1))
    afternoon = site.booked(window="pm1")
    client = client_for(site.installer)
    url = reverse("installation-mine")
    client.get(url)  # warm the caches
    with count_queries() as few:
        client.get(url)
    morning = site.booked(window="am1")
    queued = site.booked(window="am2", installer=None)
    with count_queries() as many:
        page = client.get(url)
    assert len(many) == len(few)
    html = page.content.decode()
    mine = html.split('data-testid="my-jobs"')[1].split('data-testid="team-jobs"')[0]
    order = [int(part.split('"')[0]) for part in mine.split('data-installation="')[1:]]
    assert order == [morning.pk, afternoon.pk, later.pk]
    assert f'data-installation="{queued.pk}"' in html.split('data-testid="team-jobs"')[1]


def test_the_field_page_on_a_phone(site, client_for):
    inst = site.booked()
    client = client_for(site.installer)
    url = reverse("installation-field", args=[inst.pk])
    html = client.get(url).content.decode()
    assert (
        'class="field-page"' in html
        and 'data-testid="arrive"' in html
        and 'data-testid="finish-form"' in html
    )
    assert (
        PHONE not in html
        and "王**" in html
        and 'name="f_port_no"' in html
        and 'name="f_ont_serial"' not in html
    )

    revealed = client.post(reverse("installation-reveal", args=[inst.pk]), HTTP_HX_REQUEST="true")
    assert revealed.status_code == 200 and f'href="tel:{PHONE}"' in revealed.content.decode()
    assert client.post(reverse("installation-arrive", args=[inst.pk])).status_code == 302

    finish = reverse("installation-finish", args=[inst.pk])
    bad = client.post(finish, {"result": "installed"})
    assert bad.status_code == 400 and 'data-field="ont_serial"' in bad.content.decode()
    bad = client.post(finish, {"result": "installed", "ont_serial": "HWTC00000001"})
    assert bad.status_code == 400 and 'data-field="f_port_no"' in bad.content.decode()
    done = client.post(
        finish,
        {"result": "installed", "ont_serial": "HWTC00000001", "f_port_no": "OLT-1/1/1", "f_signal_ok": "on"},
    )
    assert done.status_code == 302 and done["Location"] == reverse("installation-mine")
    assert visit(inst).state == WorkOrderState.COMPLETED
    inst.refresh_from_db()
    assert inst.state == InstallState.INSTALLED and inst.ont_serial == "HWTC00000001"


def test_a_failure_from_the_field_page(site, client_for):
    inst = site.booked()
    client = client_for(site.installer)
    finish = reverse("installation-finish", args=[inst.pk])
    bad = client.post(finish, {"result": "failed"})
    assert bad.status_code == 400 and 'data-field="failure_reason"' in bad.content.decode()
    assert client.post(finish, {"result": "failed", "failure_reason": "no_coverage"}).status_code == 302
    assert visit(inst).state == WorkOrderState.RETURNED


def test_who_may_open_which_page(site, carrier, client_for, client):
    inst = site.booked()
    client_for(carrier["clerk"])
    assert client.get(reverse("installation-mine")).status_code == 403
    assert client.get(reverse("installation-detail", args=[inst.pk])).status_code == 200  # the order's clerk
    client_for(carrier["other_clerk"])
    assert client.get(reverse("installation-detail", args=[inst.pk])).status_code == 404
    client_for(site.installer)
    assert client.get(reverse("installation-capacity")).status_code == 403
    colleague = make_user("colleague", "installer", site.team)
    client_for(colleague)
    assert client.get(reverse("installation-field", args=[inst.pk])).status_code == 404  # not theirs


def test_the_panels_on_the_work_order_and_order_pages(site, carrier, client_for):
    inst = site.booked()
    Order.objects.create(
        order_no="OD00000000001",
        customer=site.customer,
        created_by=carrier["clerk"],
        order_type="broadband",
        state="in_progress",
        org_unit=carrier.branch,
        owner=carrier["clerk"],
        process=inst.instance,
    )
    html = (
        client_for(site.backoffice).get(reverse("workorder-detail", args=[visit(inst).pk])).content.decode()
    )
    assert 'data-testid="installation-panel"' in html and inst.number in html and "inst-history" in html
    order = Order.objects.get(order_no="OD00000000001")
    html = client_for(carrier["clerk"]).get(reverse("order-detail", args=[order.pk])).content.decode()
    assert 'data-testid="installation-panel"' in html and inst.number in html


def test_the_capacity_page(site, carrier, client_for):
    client = client_for(carrier["admin"])
    page = client.get(reverse("installation-capacity"), {"team": site.team.pk})
    assert page.status_code == 200 and 'data-testid="capacity-form"' in page.content.decode()
    saved = client.post(
        reverse("installation-capacity-set"), {"team": site.team.pk, "window": "am1", "capacity": 2}
    )
    assert saved.status_code == 302
    row = InstallCapacity.objects.get()
    assert (row.team, row.window, row.day, row.capacity) == (site.team, "am1", None, 2)
    bad = client.post(
        reverse("installation-capacity-set"), {"team": site.team.pk, "window": "x", "capacity": 2}
    )
    assert bad.status_code == 400
    assert client.post(reverse("installation-capacity-delete", args=[row.pk])).status_code == 302
    assert not InstallCapacity.objects.exists()
