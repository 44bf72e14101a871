"""Fixtures of the integration tests: a scripted BOSS / webhook receiver on a local port, parameters.

``boss`` is an HTTP+XML server (stdlib http.server in a thread) that behaves like a carrier's BOSS:
it applies each idempotency key once and answers the stored result for a repeated key, and it fails
on purpose as scripted — ``boss.script = ["500", "timeout_after_apply", "bad_xml_after_apply", "ok"]``
takes one step per request (then "ok"). It counts what arrived and what it applied per key.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from xml.etree import ElementTree

import pytest

SLOW = 1.0  # seconds the server stalls; the adapters under test wait 0.3 s


@pytest.fixture
def set_param(db):
    """set_param(key, value): change a system parameter for this test (and drop the cached values)."""
    from telcrm.platform import parameters
    from telcrm.platform.models import Parameter

    def set_(key: str, value) -> None:
        assert Parameter.objects.filter(key=key).update(value=value) == 1, key
        parameters.invalidate()

    return set_


@pytest.fixture
def login(db):
    """login(user) → a new test client signed in as ``user``."""
    from django.test import Client

    def sign_in(user):
        client = Client()
        client.force_login(user)
        return client

    return sign_in


class _Server:
    def __init__(self, handler_cls):
        self.script: list[str] = []
        self.received: Counter = Counter()
        self.applied: Counter = Counter()
        self.results: dict[str, dict] = {}
        self.requests: list[dict] = []
        self.lock = threading.Lock()
        handler_cls.owner = self
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler_cls)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def next_step(self) -> str:
        with self.lock:
            return self.script.pop(0) if self.script else "ok"

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class _Handler(BaseHTTPRequestHandler):
    owner: _Server

    def log_message(self, *args):  # keep the test output quiet
        pass

    def _reply(self, status: int, body: bytes, content_type: str = "application/xml") -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up waiting (a timeout test)
            pass

    def _body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))


class _BossHandler(_Handler):
    def do_POST(self):
        server = self.owner
        body = self._body()
        key = self.headers.get("Idempotency-Key", "")
        operation = self.path.rstrip("/").rsplit("/", 1)[-1]
        with server.lock:
            server.received[key] += 1
            server.requests.append(
                {"path": self.path, "key": key, "body": body, "headers": dict(self.headers)}
            )
        step = server.next_step()
        if step == "500":
            return self._reply(
                500, b"<response><code>E500</code><message>internal error</message></response>"
            )
        if step == "400":
            return self._reply(400, b"<response><code>E400</code><message>bad request</message></response>")
        if step == "reject":
            return self._reply(
                200, b"<response><code>2001</code><message>account in arrears</message></response>"
            )
        if step == "busy":
            return self._reply(
                200,
                b"<response><code>9000</code><message>busy</message><retryable>true</retryable></response>",
            )
        result = self._apply(key, operation, body)
        if step == "timeout_after_apply":
            time.sleep(SLOW)
        if step == "bad_xml_after_apply":
            return self._reply(200, b"<response><code>0</code><result><account_no>A")
        items = "".join(f"<{k}>{v}</{k}>" for k, v in result.items())
        self._reply(
            200, f"<response><code>0</code><message>OK</message><result>{items}</result></response>".encode()
        )

    def _apply(self, key: str, operation: str, body: bytes) -> dict:
        server = self.owner
        with server.lock:
            if key not in server.results:
                root = ElementTree.fromstring(body)
                args = {c.tag: (c.text or "") for c in root.find("args")}
                server.applied[key] += 1
                server.results[key] = {"operation": operation, "applied": str(server.applied[key]), **args}
            return server.results[key]


class _WebhookHandler(_Handler):
    def do_POST(self):
        server = self.owner
        body = self._body()
        key = self.headers.get("Idempotency-Key", "")
        with server.lock:
            server.received[key] += 1
            server.requests.append(
                {
                    "path": self.path,
                    "key": key,
                    "body": body,
                    "json": json.loads(body),
                    "headers": dict(self.headers),
                }
            )
        step = server.next_step()
        if step == "timeout":
            time.sleep(SLOW)
            return self._reply(200, b"")
        if step.isdigit():
            return self._reply(int(step), b"no")
        with server.lock:
            if key not in server.results:
                server.applied[key] += 1
                server.results[key] = {}
        self._reply(204, b"")


@pytest.fixture
def boss(settings):
    """A scripted HTTP+XML BOSS; the billing and network adapters point at it (0.3 s read timeout)."""
    server = _Server(type("BossHandler", (_BossHandler,), {}))
    settings.INTEGRATION_ADAPTERS = {
        system: {
            "kind": "http",
            "url": f"{server.url}/{system}",
            "token": "t0ken",
            "connect_timeout": 1,
            "read_timeout": 0.3,
        }
        for system in ("billing", "network")
    }
    yield server
    server.close()


@pytest.fixture
def receiver(settings):
    """A scripted webhook receiver (steps: an HTTP status such as "500", "timeout", or "ok")."""
    server = _Server(type("WebhookHandler", (_WebhookHandler,), {}))
    settings.INTEGRATION_WEBHOOK_ALLOW_PRIVATE = True
    settings.INTEGRATION_WEBHOOK_TIMEOUTS = (1.0, 0.3)
    yield server
    server.close()


@pytest.fixture
def clock():
    """A settable clock for the dispatcher: ``clock.now``, ``clock.advance(seconds)``."""
    from datetime import timedelta

    from django.utils import timezone

    class Clock:
        def __init__(self):
            self.now = timezone.now() + timedelta(seconds=5)  # rows written during the test are due

        def advance(self, seconds: float):
            self.now += timedelta(seconds=seconds)
            return self.now

    return Clock()
