"""Ticket pages: the queue with filters and a fixed query count, taking a ticket from the customer 360,
the ticket page and its actions, errors shown on the form, the 360 panel, the menu."""

from __future__ import annotations

import pytest
from django.urls import reverse

from telcrm.platform.testing import count_queries
from telcrm.service.models import Ticket, TicketState

pytestmark = pytest.mark.django_db


def test_queue_lists_filters_and_keeps_its_query_count(carrier, client_for, take, cat):
    svc = carrier["service"]
    take()
    client = client_for(svc)
    client.get(reverse("ticket-list"))  # warm the caches (parameters, menu)
    with count_queries() as few:
        r = client.get(reverse("ticket-list"))
    assert r.status_code == 200 and r.content.count(b'data-testid="ticket-row"') == 1
    for n in range(6):
        take(priority=1 + n % 4, ticket_type="fault", category=cat["fault.broadband"])
    with count_queries() as many:
        r = client.get(reverse("ticket-list"))
    assert r.content.count(b'data-testid="ticket-row"') == 7
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
    r = client.get(reverse("ticket-list"), {"priority": 1})
    assert r.content.count(b'data-testid="ticket-row"') == 2
    r = client.get(reverse("ticket-list"), {"state": "closed"})
    assert r.content.count(b'data-testid="ticket-row"') == 0
    r = client.get(reverse("ticket-queue"))
    assert r.status_code == 200 and r.content.count(b'data-testid="ticket-row"') == 7
    r = client.get(reverse("ticket-list"), {"overdue": "on"})
    assert r.status_code == 200 and r.content.count(b'data-testid="ticket-row"') == 0


def test_take_a_ticket_from_the_360_and_work_it(carrier, client_for, customer, cat):
    agent = client_for(carrier["agent"])
    page = agent.get(reverse("customer-detail", args=[customer.pk]))
    assert b'data-testid="panel-service.tickets"' in page.content
    url = f"{reverse('ticket-new')}?customer={customer.pk}"
    assert url.encode() in page.content
    assert agent.get(url).status_code == 200
    data = {
        "customer": customer.pk,
        "ticket_type": "complaint",
        "category": cat["complaint.billing"].pk,
        "priority": 3,
        "channel": "counter",
        "subject": "",
    }
    r = agent.post(reverse("ticket-new"), data)
    assert r.status_code == 400 and b'data-field="subject"' in r.content
    r = agent.post(reverse("ticket-new"), {**data, "subject": "本月多扣了20元"})
    t = Ticket.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("ticket-detail", args=[t.pk])

    svc = client_for(carrier["service"])
    page = svc.get(reverse("ticket-detail", args=[t.pk]))
    assert page.status_code == 200 and b'data-testid="claim"' in page.content
    assert svc.post(reverse("ticket-claim", args=[t.pk])).status_code == 302
    assert svc.post(reverse("ticket-start", args=[t.pk])).status_code == 302
    r = svc.post(reverse("ticket-resolve", args=[t.pk]), {"resolution": ""})
    assert r.status_code == 400 and b'data-field="resolution"' in r.content
    svc.post(reverse("ticket-resolve", args=[t.pk]), {"resolution": "已退还多扣费用"})
    svc.post(reverse("ticket-close", args=[t.pk]), {"confirmed": "on"})
    t.refresh_from_db()
    assert t.state == TicketState.CLOSED and t.confirmed_by_customer
    page = svc.get(reverse("ticket-detail", args=[t.pk]))
    assert page.content.count(b'<li class="mb-2">') == 5
    # a refused move is a message, not a 500
    r = svc.post(reverse("ticket-start", args=[t.pk]), follow=True)
    assert r.status_code == 200


def test_scope_and_permissions(carrier, client_for, take):
    t = take()
    assert client_for(carrier["other_clerk"]).get(reverse("ticket-detail", args=[t.pk])).status_code == 404
    assert client_for(carrier["installer"]).get(reverse("ticket-list")).status_code == 403


def test_menu_entries_and_home_panel_for_service_and_agent(carrier, client_for, take):
    t = take()
    r = client_for(carrier["service"]).get(reverse("home"))
    assert reverse("ticket-queue").encode() in r.content
    assert b'data-testid="home-tickets"' in r.content
    from telcrm.service import actions

    actions.ticket_claim(actor=carrier["service"], ticket=t)
    r = client_for(carrier["service"]).get(reverse("home"))
    assert reverse("ticket-detail", args=[t.pk]).encode() in r.content
    r = client_for(carrier["agent"]).get(reverse("home"))
    assert reverse("ticket-list").encode() in r.content


def test_the_360_service_panel_keeps_the_page_query_count(carrier, client_for, customer, take):
    client = client_for(carrier["agent"])
    url = reverse("customer-detail", args=[customer.pk])
    take()
    client.get(url)
    with count_queries() as one:
        client.get(url)
    for _n in range(7):
        take()
    with count_queries() as eight:
        html = client.get(url).content.decode()
    assert len(one) == len(eight)
    assert html.count(reverse("ticket-detail", args=[Ticket.objects.first().pk])) >= 1


def test_merge_and_mass_fault_from_the_ticket_page(carrier, client_for, take, cat):
    from telcrm.platform.testing import make_user

    lead = client_for(make_user("hz_lead", "branch_manager", carrier.city))
    a, b = take(), take()
    r = lead.post(reverse("ticket-merge", args=[b.pk]), {"target": "T99999999999"})
    assert r.status_code == 400 and b'data-field="target"' in r.content
    r = lead.post(reverse("ticket-merge", args=[b.pk]), {"target": a.ticket_no.lower()})
    assert r.status_code == 302
    b.refresh_from_db()
    assert b.merged_into == a and b.state == TicketState.CLOSED
    mass = take(ticket_type="fault", category=cat["fault.mobile"])
    svc = client_for(carrier["service"])
    r = svc.post(reverse("ticket-link", args=[a.pk]), {"target": b.ticket_no})
    assert r.status_code == 400 and b'data-field="target"' in r.content  # not a fault
    assert svc.post(reverse("ticket-link", args=[a.pk]), {"target": mass.ticket_no}).status_code == 302
    page = svc.get(reverse("ticket-detail", args=[mass.pk]))
    assert b'data-testid="children"' in page.content and b'data-testid="mass-form"' in page.content
