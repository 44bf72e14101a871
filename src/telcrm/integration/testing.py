"""Test doubles of the other systems, for the tests of any module: a scripted HTTP+XML BOSS and a
webhook receiver, each a stdlib ``http.server`` on a local port in a thread.

The BOSS behaves like a carrier's: it applies each idempotency key once and answers the stored result
for a repeated key, and it fails on purpose as scripted — ``server.script = ["500",
"timeout_after_apply", "bad_xml_after_apply", "hold_after_apply", "ok"]`` takes one step per request
(then "ok"). It counts what arrived (``received``) and what it applied (``applied``) per key.
``hold_after_apply`` applies the call, notes its key in ``server.held``, sets ``server.holding`` and
keeps the answer back until the test sets ``server.release`` (to kill the caller while it waits for
an answer that was applied).

    server = boss_server()
    settings.INTEGRATION_ADAPTERS = adapter_settings(server)
    ...
    server.close()
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from xml.etree import ElementTree

SLOW = 1.0  # seconds the server stalls on "timeout"; the adapters under test wait 0.3 s
HOLD_LIMIT = 120.0  # seconds a held answer waits for the test at most


class ScriptedServer:
    def __init__(self, handler_cls):
        self.script: list[str] = []
        self.received: Counter = Counter()
        self.applied: Counter = Counter()
        self.results: dict[str, dict] = {}
        self.requests: list[dict] = []
        self.lock = threading.Lock()
        self.holding = threading.Event()
        self.held: list[str] = []  # the keys whose answers were kept back
        self.release = threading.Event()
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
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()


class _Handler(BaseHTTPRequestHandler):
    owner: ScriptedServer

    def log_message(self, *args):  # keep the test output quiet
        pass

    def _reply(self, status: int, body: bytes, content_type: str = "application/xml") -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up waiting (or was killed)
            pass

    def _body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))


class BossHandler(_Handler):
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
        if step == "hold_after_apply":
            with server.lock:
                server.held.append(key)
            server.holding.set()
            server.release.wait(HOLD_LIMIT)
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
                root = ElementTree.fromstring(body)  # noqa: S314 - what our own adapter sent
                args = {c.tag: (c.text or "") for c in root.find("args")}
                server.applied[key] += 1
                server.results[key] = {"operation": operation, "applied": str(server.applied[key]), **args}
            return server.results[key]


class WebhookHandler(_Handler):
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


def boss_server() -> ScriptedServer:
    """A scripted HTTP+XML BOSS on a free local port (``close()`` it when done)."""
    return ScriptedServer(type("BossHandler", (BossHandler,), {}))


def webhook_server() -> ScriptedServer:
    return ScriptedServer(type("WebhookHandler", (WebhookHandler,), {}))


def adapter_settings(server: ScriptedServer, *, read_timeout: float = 0.3) -> dict:
    """settings.INTEGRATION_ADAPTERS with billing and the network on ``server``."""
    return {
        system: {
            "kind": "http",
            "url": f"{server.url}/{system}",
            "token": "t0ken",
            "connect_timeout": 1,
            "read_timeout": read_timeout,
        }
        for system in ("billing", "network")
    }
