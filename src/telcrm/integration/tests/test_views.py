"""The error queue screens: who may see and act, replay and discard from the browser (audited),
the outbox's progress, webhooks; Chinese by default, English on request."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.urls import reverse

from telcrm.integration import commands
from telcrm.integration.dispatch import dispatch_due
from telcrm.integration.models import Command, State, Subscription
from telcrm.platform.models import AuditLog

pytestmark = pytest.mark.django_db

PAGES = [
    "integration-overview",
    "integration-delivery-list",
    "integration-command-list",
    "integration-simulator",
]


def _dead_command(unit, *, key="order:O9:suspend", set_param=None):
    set_param("integration.simulator_faults", {"network.suspend_line": "reject"})
    with transaction.atomic():
        cmd = commands.request("network", "suspend_line", {"msisdn": "13800000077"}, key=key, org_unit=unit)
    dispatch_due()
    cmd.refresh_from_db()
    assert cmd.state == State.DEAD
    return cmd


@pytest.mark.parametrize("name", PAGES)
def test_roles_without_the_permission_get_403(carrier, login, name):
    for role in ("clerk", "agent", "marketer", "analyst"):
        assert login(carrier[role]).get(reverse(name)).status_code == 403, role


@pytest.mark.parametrize("name", PAGES)
def test_admin_and_back_office_see_the_pages_in_chinese(carrier, login, name):
    for role in ("admin", "backoffice"):
        response = login(carrier[role]).get(reverse(name))
        assert response.status_code == 200, role
        assert "接口与异常队列" in response.content.decode()


def test_signed_out_users_go_to_the_sign_in_page(client):
    response = client.get(reverse("integration-overview"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_menu_shows_the_entry_to_those_who_may_see_it(carrier, login):
    url = reverse("integration-overview")
    assert url in login(carrier["admin"]).get(reverse("home")).content.decode()
    assert url not in login(carrier["clerk"]).get(reverse("home")).content.decode()


def test_the_error_queue_lists_dead_commands_and_replays_them(carrier, login, set_param):
    cmd = _dead_command(carrier.branch, set_param=set_param)
    admin = login(carrier["admin"])
    page = admin.get(reverse("integration-command-list")).content.decode()
    assert "order:O9:suspend" in page and 'data-state="dead"' in page
    detail = admin.get(reverse("integration-command-detail", args=[cmd.pk])).content.decode()
    assert "simulated refusal" in detail and 'data-testid="replay"' in detail
    assert "&quot;msisdn&quot;: &quot;13800000077&quot;" in detail
    set_param("integration.simulator_faults", {})
    response = admin.post(reverse("integration-command-replay", args=[cmd.pk]))
    assert response.status_code == 302
    cmd.refresh_from_db()
    assert cmd.state in (State.PENDING, State.DONE)  # the dispatcher may have run on commit already
    assert AuditLog.objects.filter(action="command.replay", actor=carrier["admin"]).exists()
    dispatch_due()
    cmd.refresh_from_db()
    assert cmd.state == State.DONE


def test_discard_needs_a_reason(carrier, login, set_param):
    cmd = _dead_command(carrier.branch, set_param=set_param)
    admin = login(carrier["admin"])
    response = admin.post(reverse("integration-command-discard", args=[cmd.pk]), {"reason": "  "})
    assert response.status_code == 400
    cmd.refresh_from_db()
    assert cmd.state == State.DEAD
    response = admin.post(
        reverse("integration-command-discard", args=[cmd.pk]), {"reason": "已在BOSS手工处理"}
    )
    assert response.status_code == 302
    cmd.refresh_from_db()
    assert cmd.state == State.DISCARDED


def test_replay_and_discard_need_the_manage_permission(carrier, login, set_param):
    cmd = _dead_command(carrier.branch, set_param=set_param)
    admin_role = carrier["admin"].role
    admin_role.permissions.remove(*admin_role.permissions.filter(codename="manage_outbox"))
    viewer = login(carrier["admin"])
    assert viewer.get(reverse("integration-command-detail", args=[cmd.pk])).status_code == 200
    assert (
        'data-testid="replay"'
        not in viewer.get(reverse("integration-command-detail", args=[cmd.pk])).content.decode()
    )
    assert viewer.post(reverse("integration-command-replay", args=[cmd.pk])).status_code == 403
    assert (
        viewer.post(reverse("integration-command-discard", args=[cmd.pk]), {"reason": "x"}).status_code == 403
    )
    cmd.refresh_from_db()
    assert cmd.state == State.DEAD


def test_rows_outside_the_data_scope_are_404(carrier, login, set_param):
    """The Hangzhou back office works Hangzhou's queue, not Ningbo's."""
    ours = _dead_command(carrier.branch, set_param=set_param)
    theirs = _dead_command(carrier.other_branch, key="order:NB:suspend", set_param=set_param)
    back_office = login(carrier["backoffice"])
    page = back_office.get(reverse("integration-command-list")).content.decode()
    assert "order:O9:suspend" in page and "order:NB:suspend" not in page
    assert back_office.get(reverse("integration-command-detail", args=[ours.pk])).status_code == 200
    assert back_office.get(reverse("integration-command-detail", args=[theirs.pk])).status_code == 404
    assert back_office.post(reverse("integration-command-replay", args=[theirs.pk])).status_code == 404


def test_replay_selected_rows(carrier, login, set_param):
    first = _dead_command(carrier.branch, set_param=set_param)
    second = _dead_command(carrier.branch, key="order:O10:suspend", set_param=set_param)
    set_param("integration.simulator_faults", {})
    response = login(carrier["admin"]).post(
        reverse("integration-command-replay-many"),
        {"ids": [first.pk, second.pk, 999999], "next": "?state=dead"},
    )
    assert response.status_code == 302 and response["Location"].endswith("?state=dead")
    assert Command.objects.filter(state=State.PENDING, replays=1).count() == 2
    assert AuditLog.objects.filter(action="command.replay").count() == 2


def test_overview_counts_and_polling_fragment(carrier, login, set_param):
    _dead_command(carrier.branch, set_param=set_param)
    admin = login(carrier["admin"])
    page = admin.get(reverse("integration-overview")).content.decode()
    assert 'data-testid="command-count-dead"' in page and "内置模拟器" in page
    fragment = admin.get(reverse("integration-overview"), HTTP_HX_REQUEST="true").content.decode()
    assert fragment.lstrip().startswith('<div class="row g-3 mb-3" id="outbox-counts"')
    assert "<html" not in fragment


def test_english_on_request(carrier, login):
    admin = carrier["admin"]
    admin.language = "en"
    admin.save(update_fields=["language"])
    page = login(admin).get(reverse("integration-command-list")).content.decode()
    assert "Billing and network commands" in page and "Dead (error queue)" in page


def test_webhooks_are_managed_by_administrators(carrier, login, settings):
    settings.INTEGRATION_WEBHOOK_ALLOW_PRIVATE = True
    assert login(carrier["backoffice"]).get(reverse("integration-subscription-list")).status_code == 403
    admin = login(carrier["admin"])
    bad = admin.post(
        reverse("integration-subscription-create"), {"name": "", "callback": "x", "topics": "Bad!"}
    )
    assert bad.status_code == 400
    response = admin.post(
        reverse("integration-subscription-create"),
        {
            "name": "数据仓库",
            "callback": "http://127.0.0.1:9/dw",
            "topics": "customer.* order.completed",
            "active": "on",
        },
        follow=True,
    )
    assert response.status_code == 200
    sub = Subscription.objects.get()
    assert sub.topics == ["customer.*", "order.completed"]
    assert any("只显示这一次" in str(m) for m in response.context["messages"])  # the generated secret
    edit = admin.post(
        reverse("integration-subscription-edit", args=[sub.pk]),
        {"name": "数据仓库", "callback": "http://127.0.0.1:9/dw2", "topics": "*", "secret": ""},
    )
    assert edit.status_code == 302
    sub.refresh_from_db()
    assert (sub.callback, sub.topics, sub.active) == ("http://127.0.0.1:9/dw2", ["*"], False)
    assert admin.post(reverse("integration-subscription-delete", args=[sub.pk])).status_code == 302
    assert Subscription.objects.get().deleted_at is not None
    assert (
        'data-testid="subscription-row"'
        not in admin.get(reverse("integration-subscription-list")).content.decode()
    )


def test_home_panel_shows_the_dead_rows(carrier, login, set_param):
    _dead_command(carrier.branch, set_param=set_param)
    page = login(carrier["admin"]).get(reverse("home")).content.decode()
    assert 'data-testid="home-error-queue"' in page


def test_dead_deliveries_in_the_queue_with_their_event(carrier, login, receiver):
    from telcrm.integration import actions, events
    from telcrm.integration.models import Delivery

    actions.subscription_create(
        actor=carrier["admin"], name="数据仓库", callback=f"{receiver.url}/", topics=["*"]
    )
    receiver.script = ["410"]
    with transaction.atomic():
        event = events.emit("customer.created", aggregate=("customers.customer", 3), payload={"name": "张三"},
                            org_unit=carrier.branch)  # fmt: skip
    dispatch_due()
    delivery = Delivery.objects.get()
    admin = login(carrier["admin"])
    listing = admin.get(reverse("integration-delivery-list"), {"topic": "customer.*"}).content.decode()
    assert 'data-testid="delivery-row" data-state="dead"' in listing and "数据仓库" in listing
    assert (
        'data-testid="delivery-row"'
        not in admin.get(reverse("integration-delivery-list"), {"topic": "order.*"}).content.decode()
    )
    detail = admin.get(reverse("integration-delivery-detail", args=[delivery.pk])).content.decode()
    assert str(event.event_id) in detail and "HTTP 410" in detail and "张三" in detail
    response = admin.post(
        reverse("integration-delivery-discard", args=[delivery.pk]), {"reason": "接收方已下线"}
    )
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert delivery.state == State.DISCARDED
    assert AuditLog.objects.filter(action="delivery.discard", object_id=str(delivery.pk)).exists()
    assert admin.post(reverse("integration-delivery-replay", args=[delivery.pk])).status_code == 302
    delivery.refresh_from_db()
    assert delivery.state == State.DISCARDED  # a discarded delivery is not replayed (the message says why)
