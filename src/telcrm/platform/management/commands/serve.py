"""``manage.py serve``: the ASGI server and, embedded, a Celery worker and beat beside it.

    manage.py serve --port 8000 --with-worker     # embedded demo (make demo)
    manage.py serve --port 8000 --workers 4       # production web tier (make run); workers run apart

The command is a small supervisor. Every part is a child process started with the same Python
and environment: uvicorn (``telcrm.asgi:application``, ``--workers N`` in production), and with
``--with-worker`` a Celery worker (thread pool, 2 threads) and a separate Celery beat. Beat is
its own process rather than ``worker --beat`` so that the supervisor sees it die like any other
part, and the same two commands are what production runs (``make worker``, ``make beat``).

The embedded broker (kombu's SQLAlchemy transport on ``var/celery-broker.sqlite3``) has no
fanout, so the worker runs without gossip, mingle and heartbeat events. It marks a message
delivered when a worker fetches it, so a worker killed mid-task loses the message (a warm
shutdown puts unacknowledged ones back); the job row then goes stale, ``platform.reap_stale_jobs``
fails it and the user can retry it. Production's Redis broker redelivers (acks_late).

Children run in their own session, so Ctrl+C reaches only this process, which forwards one
SIGTERM to each child (uvicorn and Celery both shut down gracefully on it), waits ``--grace``
seconds and then kills what is left. When one child dies, the others are stopped too and the
command exits non-zero, so a process manager (systemd, a container runtime) restarts the lot.
On Linux each child also receives SIGTERM if this process is killed outright (PR_SET_PDEATHSIG).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

POLL_SECONDS = 0.5


@dataclass
class Child:
    name: str
    argv: list[str]
    process: subprocess.Popen | None = None


def _pdeathsig():
    """preexec_fn on Linux: the child gets SIGTERM when the supervisor dies (even by SIGKILL)."""
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
    except OSError:
        return None
    pr_set_pdeathsig = 1

    def preexec():
        libc.prctl(pr_set_pdeathsig, signal.SIGTERM)

    return preexec


class Command(BaseCommand):
    help = "Start the ASGI server and, with --with-worker, a Celery worker and beat beside it."

    def add_arguments(self, parser):
        parser.add_argument(
            "--host",
            default=os.environ.get("TELCRM_HOST", "127.0.0.1"),
            help="Address to listen on (default 127.0.0.1; 0.0.0.0 for every interface).",
        )
        parser.add_argument("--port", type=int, default=int(os.environ.get("TELCRM_PORT", "8000")))
        parser.add_argument(
            "--workers", type=int, default=1, help="uvicorn worker processes (production: 2–8)."
        )
        parser.add_argument(
            "--with-worker",
            action="store_true",
            help="Also run a Celery worker and beat as child processes (embedded mode).",
        )
        parser.add_argument(
            "--worker-concurrency", type=int, default=2, help="Threads of the embedded worker."
        )
        parser.add_argument(
            "--grace",
            type=float,
            default=15.0,
            help="Seconds to wait for children to stop before killing them.",
        )
        parser.add_argument(
            "--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"]
        )

    # --- children -------------------------------------------------------------------------
    def _children(self, opts) -> list[Child]:
        py = sys.executable
        web = [
            py,
            "-m",
            "uvicorn",
            "telcrm.asgi:application",
            "--host",
            opts["host"],
            "--port",
            str(opts["port"]),
            "--lifespan",
            "off",
            "--log-level",
            opts["log_level"],
            "--no-server-header",
            "--timeout-graceful-shutdown",
            str(max(1, int(opts["grace"]) - 2)),
            # REMOTE_ADDR from X-Forwarded-For only when sent by a trusted proxy (platform/context.py).
            "--proxy-headers",
            "--forwarded-allow-ips",
            os.environ.get("TELCRM_FORWARDED_ALLOW_IPS", "127.0.0.1"),
        ]
        if opts["workers"] > 1:
            web += ["--workers", str(opts["workers"])]
        children = [Child("web", web)]
        if opts["with_worker"]:
            level = opts["log_level"].upper()
            children.append(
                Child(
                    "worker",
                    [
                        py,
                        "-m",
                        "celery",
                        "-A",
                        "telcrm",
                        "worker",
                        "--pool",
                        "threads",
                        "--concurrency",
                        str(opts["worker_concurrency"]),
                        "--loglevel",
                        level,
                        "--hostname",
                        f"embedded@{socket.gethostname()}",
                        "--without-gossip",
                        "--without-mingle",
                        "--without-heartbeat",
                    ],
                )
            )
            children.append(
                Child(
                    "beat",
                    [
                        py,
                        "-m",
                        "celery",
                        "-A",
                        "telcrm",
                        "beat",
                        "--loglevel",
                        level,
                        "--schedule",
                        str(settings.CELERY_BEAT_SCHEDULE_FILENAME),
                    ],
                )
            )
        return children

    def _start(self, child: Child) -> None:
        env = os.environ.copy()
        env.setdefault("DJANGO_SETTINGS_MODULE", "telcrm.settings")
        env["PYTHONUNBUFFERED"] = "1"
        child.process = subprocess.Popen(  # noqa: S603 - our own interpreter and fixed arguments
            child.argv,
            env=env,
            start_new_session=True,
            preexec_fn=_pdeathsig(),
        )
        self.stdout.write(f"[serve] started {child.name} (pid {child.process.pid})")

    def _stop_all(self, children: list[Child], grace: float) -> None:
        running = [c for c in children if c.process and c.process.poll() is None]
        for c in running:
            with contextlib.suppress(ProcessLookupError):
                c.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + grace
        for c in running:
            try:
                c.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.stderr.write(f"[serve] {c.name} did not stop within {grace:.0f}s; killing it")
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(c.process.pid, signal.SIGKILL)
                c.process.wait()
            self.stdout.write(f"[serve] {c.name} stopped (exit {c.process.returncode})")

    # --- banner ---------------------------------------------------------------------------
    def _port_open(self, host: str, port: int) -> bool:
        target = "127.0.0.1" if host in ("0.0.0.0", "") else ("::1" if host == "::" else host)  # noqa: S104
        try:
            with socket.create_connection((target, port), timeout=0.2):
                return True
        except OSError:
            return False

    def _banner(self, opts) -> None:
        host = opts["host"]
        shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host  # noqa: S104
        if ":" in shown:
            shown = f"[{shown}]"
        url = f"http://{shown}:{opts['port']}/"
        lines = ["", f"telcrm is running at {url}", f"  health: {url}healthz"]
        lines += self._demo_logins()
        self.stdout.write(self.style.SUCCESS("\n".join(lines)) + "\n")

    def _demo_logins(self) -> list[str]:
        """The demo sign-ins, listed only while the admin account still has the demo password."""
        from django.db import connections

        from telcrm.platform.demo import DEMO_PASSWORD, DEMO_USERS
        from telcrm.platform.models import User

        try:
            users = {
                u.username: u
                for u in User.objects.filter(username__in=[d.username for d in DEMO_USERS]).select_related(
                    "role", "org_unit"
                )
            }
            admin = users.get("admin")
            if admin is None or not admin.check_password(DEMO_PASSWORD):
                return []
        except Exception:  # no tables yet: the banner is informative only
            return []
        finally:
            connections.close_all()
        lines = [f"  demo sign-ins (password {DEMO_PASSWORD}):"]
        for d in DEMO_USERS:
            u = users.get(d.username)
            if u is not None:
                lines.append(f"    {u.username:<11} {u.role.name_en if u.role else '':<20} {u.org_unit.name}")
        return lines

    def _pending_migrations(self) -> int:
        from django.db import DEFAULT_DB_ALIAS, connections
        from django.db.migrations.executor import MigrationExecutor

        try:
            executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
            return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))
        finally:
            connections.close_all()

    # --- main loop ------------------------------------------------------------------------
    def handle(self, *args, **opts):
        if opts["workers"] < 1:
            raise CommandError("--workers must be at least 1.")
        if not self._port_open_free(opts["host"], opts["port"]):
            raise CommandError(
                f"Port {opts['port']} on {opts['host']} is already in use; choose another with --port."
            )
        pending = self._pending_migrations()
        if pending:
            self.stderr.write(
                self.style.WARNING(
                    f"[serve] {pending} migration(s) not applied; run `manage.py migrate` first."
                )
            )
        if opts["with_worker"] and settings.CELERY_TASK_ALWAYS_EAGER:
            self.stderr.write(
                self.style.WARNING("[serve] TELCRM_TASKS_EAGER is on: tasks run inside the web process.")
            )

        stop = threading.Event()
        received: list[int] = []

        def on_signal(signum, frame):
            received.append(signum)
            stop.set()

        previous = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
        children = self._children(opts)
        failed: Child | None = None
        try:
            for child in children:
                self._start(child)
            announced = False
            while not stop.is_set():
                failed = next((c for c in children if c.process.poll() is not None), None)
                if failed is not None:
                    break
                if not announced and self._port_open(opts["host"], opts["port"]):
                    self._banner(opts)
                    announced = True
                stop.wait(POLL_SECONDS)
        finally:
            if failed is not None:
                self.stderr.write(
                    self.style.ERROR(
                        f"[serve] {failed.name} exited with code {failed.process.returncode}; "
                        "stopping the others"
                    )
                )
            elif received:
                self.stdout.write(f"[serve] {signal.Signals(received[0]).name} received; stopping")
            self._stop_all(children, opts["grace"])
            for s, handler in previous.items():
                signal.signal(s, handler)
        if failed is not None:
            code = failed.process.returncode
            sys.exit(code if code and code > 0 else 1)  # killed by a signal: plain failure

    def _port_open_free(self, host: str, port: int) -> bool:
        """True when nothing listens on host:port yet (a clear error beats uvicorn's bind failure)."""
        return not self._port_open(host, port)
