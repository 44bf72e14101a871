"""The HTTP+XML adapters against a local BOSS that fails on purpose (tests/conftest.py ``boss``): a
500, a stall past the read timeout after applying, a truncated XML answer after applying — each is
retried with the same idempotency key, and the BOSS applies every key exactly once."""

from __future__ import annotations

import socket

import pytest
from django.db import transaction

from telcrm.integration import commands
from telcrm.integration.adapters import PermanentError, RetryableError, get_adapter
from telcrm.integration.adapters.http_xml import HttpBilling, parse_response, request_xml
from telcrm.integration.dispatch import dispatch_due
from telcrm.integration.models import Command, State

pytestmark = pytest.mark.django_db


def _open(key="order:O1:open_account", account_no="A0001"):
    with transaction.atomic():
        return commands.request(
            "billing",
            "open_account",
            {"account_no": account_no, "customer_no": "C1", "name": "张三", "plan": "P58"},
            key=key,
        )


def test_failures_are_retried_and_nothing_is_applied_twice(boss, set_param, clock):
    set_param("integration.max_attempts", 10)
    boss.script = ["500", "timeout_after_apply", "bad_xml_after_apply", "busy", "ok"]
    cmd = _open()
    codes = []
    for _ in range(5):
        dispatch_due(now=clock.advance(3600))
        cmd.refresh_from_db()
        codes.append(cmd.error_code)
        if cmd.state == State.DONE:
            break
    assert cmd.state == State.DONE and cmd.attempts == 5
    assert codes == ["http_500", "timeout", "bad_xml", "code_9000", ""]
    assert boss.received == {cmd.key: 5}
    assert boss.applied == {cmd.key: 1}  # applied on the 2nd request; the 3rd, 4th and 5th did not re-apply
    assert cmd.result == {
        "operation": "open_account",
        "applied": "1",
        "account_no": "A0001",
        "customer_no": "C1",
        "name": "张三",
        "plan": "P58",
        "org_unit": "",
    }


def test_the_request_is_xml_with_the_key_in_a_header(boss):
    get_adapter("billing").query_balance(key="q-1", account_no="A0009")
    sent = boss.requests[0]
    assert sent["path"] == "/billing/query_balance"
    assert sent["headers"]["Idempotency-Key"] == "q-1"
    assert sent["headers"]["Authorization"] == "Bearer t0ken"
    assert sent["headers"]["Content-Type"].startswith("application/xml")
    assert sent["body"] == request_xml("billing", "query_balance", "q-1", {"account_no": "A0009"})
    assert b"<key>q-1</key>" in sent["body"] and b"<account_no>A0009</account_no>" in sent["body"]


@pytest.mark.parametrize(("step", "code"), [("400", "http_400"), ("reject", "code_2001")])
def test_a_refusal_is_permanent_and_goes_to_the_error_queue_at_once(boss, clock, step, code):
    boss.script = [step]
    cmd = _open()
    assert dispatch_due(now=clock.now) == {"dead": 1}
    cmd.refresh_from_db()
    assert (cmd.state, cmd.attempts, cmd.error_code) == (State.DEAD, 1, code)
    assert boss.applied == {}


def test_every_failure_used_up_means_dead(boss, set_param, clock):
    set_param("integration.max_attempts", 2)
    boss.script = ["500", "500", "500"]
    cmd = _open()
    dispatch_due(now=clock.now)
    dispatch_due(now=clock.advance(3600))
    cmd.refresh_from_db()
    assert (cmd.state, cmd.attempts, cmd.error_code) == (State.DEAD, 2, "http_500")
    assert "internal error" in cmd.last_error
    assert Command.objects.filter(state=State.DEAD).count() == 1


def test_a_closed_port_is_a_retryable_connection_failure():
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    from telcrm.integration.adapters.http_xml import HttpXmlClient

    adapter = HttpBilling(HttpXmlClient("billing", f"http://127.0.0.1:{port}", connect_timeout=0.5))
    with pytest.raises(RetryableError) as exc:
        adapter.query_balance(key="k", account_no="A1")
    assert exc.value.code == "connect_failed"


@pytest.mark.parametrize(
    ("body", "error", "code"),
    [
        (b"<response><code>0</code><result><a>1</a>", RetryableError, "bad_xml"),
        (b"<html>proxy error</html>", RetryableError, "bad_xml"),
        (
            b'<!DOCTYPE r [<!ENTITY a "aaaa">]><response><code>0</code></response>',
            PermanentError,
            "dtd_refused",
        ),
        (b"<response><code>17</code><message>no such plan</message></response>", PermanentError, "code_17"),
    ],
)
def test_answers_that_are_not_a_success(body, error, code):
    with pytest.raises(error) as exc:
        parse_response(body)
    assert exc.value.code == code


def test_answers_are_read_as_text_lists_and_dicts():
    body = (
        "<response><code>0</code><result><account_no>A1</account_no><addons><item>VIDEO</item>"
        "<item>MUSIC</item></addons><owner><name>张三</name></owner></result></response>"
    ).encode()
    assert parse_response(body) == {
        "account_no": "A1",
        "addons": ["VIDEO", "MUSIC"],
        "owner": {"name": "张三"},
    }


def test_the_adapter_is_chosen_by_settings(settings):
    from telcrm.integration.adapters.simulator import SimulatedNetwork

    settings.INTEGRATION_ADAPTERS = {
        "network": {"kind": "simulator"},
        "billing": {"url": "http://boss:8080/x"},
    }
    assert isinstance(get_adapter("network"), SimulatedNetwork)
    assert isinstance(get_adapter("billing"), HttpBilling)  # a URL alone means http
    settings.INTEGRATION_ADAPTERS = {"billing": {"kind": "soap"}}
    with pytest.raises(ValueError, match="simulator, http"):
        get_adapter("billing")
    from telcrm.integration.checks import adapters_configured

    assert [e.id for e in adapters_configured()] == ["integration.E001"]
