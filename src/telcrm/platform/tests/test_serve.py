"""manage.py serve: the children it starts, and the supervisor's stop-all-when-one-dies rule."""

from __future__ import annotations

import io
import sys

import pytest
from django.core.management import CommandError, call_command

from telcrm.platform.management.commands import serve


def argv_of(**opts) -> dict[str, list[str]]:
    defaults = {
        "host": "127.0.0.1",
        "port": 8765,
        "workers": 1,
        "with_worker": False,
        "worker_concurrency": 2,
        "grace": 15.0,
        "log_level": "info",
    }
    return {c.name: c.argv for c in serve.Command()._children(defaults | opts)}


def test_embedded_mode_runs_web_worker_and_beat():
    children = argv_of(with_worker=True)
    assert list(children) == ["web", "worker", "beat"]
    web = children["web"]
    assert web[1:4] == ["-m", "uvicorn", "telcrm.asgi:application"]
    assert web[web.index("--port") + 1] == "8765" and web[web.index("--host") + 1] == "127.0.0.1"
    assert "--workers" not in web
    worker = " ".join(children["worker"])
    assert "celery -A telcrm worker --pool threads --concurrency 2" in worker
    assert "--without-mingle" in worker and "--without-gossip" in worker
    assert "celery -A telcrm beat" in " ".join(children["beat"])
    assert all(argv[0] == sys.executable for argv in children.values())


def test_production_mode_runs_only_the_web_tier_with_n_workers():
    children = argv_of(workers=4, host="0.0.0.0")
    assert list(children) == ["web"]
    web = children["web"]
    assert web[web.index("--workers") + 1] == "4" and web[web.index("--host") + 1] == "0.0.0.0"


@pytest.fixture
def fake_children(monkeypatch):
    """Replace uvicorn/celery by two tiny Python processes: one lasting, one exiting with code 3."""
    started: list[serve.Child] = []
    lasting = [sys.executable, "-c", "import time\nwhile True: time.sleep(1)"]
    failing = [sys.executable, "-c", "raise SystemExit(3)"]

    def children(self, opts):
        started[:] = [serve.Child("web", lasting), serve.Child("worker", failing)]
        return started

    monkeypatch.setattr(serve.Command, "_children", children)
    monkeypatch.setattr(serve.Command, "_port_open", lambda self, host, port: False)
    monkeypatch.setattr(serve.Command, "_pending_migrations", lambda self: 0)
    return started


def test_when_one_child_dies_the_others_are_stopped(fake_children):
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit) as exc:
        call_command("serve", "--port", "8765", "--grace", "5", stdout=out, stderr=err)
    assert exc.value.code == 3
    web, worker = fake_children
    assert worker.process.returncode == 3
    assert web.process.returncode is not None and web.process.returncode != 0  # stopped by our SIGTERM
    assert "worker exited with code 3; stopping the others" in err.getvalue()
    assert "web stopped" in out.getvalue()


def test_refuses_a_port_in_use(monkeypatch):
    monkeypatch.setattr(serve.Command, "_port_open", lambda self, host, port: True)
    with pytest.raises(CommandError, match="already in use"):
        call_command("serve", "--port", "8765", stdout=io.StringIO())
