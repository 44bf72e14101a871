# ruff: noqa: F811  (the shop fixture is imported from acceptance_fixtures)
"""A real worker (``celery -A telcrm worker``, what ``make worker`` runs) killed with SIGKILL in the
middle of a batch of orders, then started again: every order completes, and the BOSS — the HTTP+XML
test server, counting per idempotency key — applied no call twice.

The kill lands at the worst moment on purpose: the test server applies one call and keeps its answer
back; the worker is killed while it waits for that answer inside its step's transaction, so the
other system has applied a call whose step the database never recorded. The restarted worker runs
that step again with the same idempotency key, and the server answers the stored result.

What brings the orders back: the messages a killed worker held are not redelivered soon (Redis: after
the broker's visibility timeout, an hour; the embedded SQLAlchemy broker: never), so the scheduled
sweep ``orders.fire_due`` queues every running process idle for ``orders.stuck_minutes``. The test
plays beat: it queues what that sweep would queue once the minutes have passed.

Runs on PostgreSQL with a Redis broker (CI's second ``make test``). On the embedded default it is
skipped: the test database lives in memory where no worker process can reach it, and the embedded
broker drops the messages of a killed worker.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from telcrm.customers.models import Subscription
from telcrm.integration.testing import boss_server
from telcrm.orders import actions
from telcrm.orders.models import OrderState, ProcessStep, StepKind
from telcrm.orders.processes import engine
from telcrm.orders.testing import chain, service
from telcrm.platform.parameters import param

from .acceptance_fixtures import shop, verified_customer  # noqa: F401
from .lifecycle_fixtures import new_line

ORDERS = 12
HELD = 8  # the server keeps back its answer to the 8th call: the worker dies waiting for it
DEADLINE = 45.0  # seconds for each wait; the whole test takes about 20 s
POLL = 0.2

pytestmark = [
    pytest.mark.skipif(
        not settings.IS_POSTGRES or not str(settings.CELERY_BROKER_URL).startswith("redis"),
        reason="needs PostgreSQL and a Redis broker (TELCRM_DATABASE_URL, TELCRM_REDIS_URL): the embedded "
        "test database is in memory, out of a worker process's reach, and the embedded broker drops a "
        "killed worker's messages",
    ),
    pytest.mark.django_db(transaction=True),
]


def _database_url() -> str:
    db = connection.settings_dict  # the test database
    auth = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"], safe="")
    return f"postgresql://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Worker:
    """``celery -A telcrm worker`` in its own process group, on the test database and the broker."""

    def __init__(self, tmp_path, boss):
        self.log = tmp_path / "worker.log"
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "telcrm.settings",
            "TELCRM_TESTING": "0",
            "TELCRM_TASKS_EAGER": "0",
            "TELCRM_DATABASE_URL": _database_url(),
            "TELCRM_REDIS_URL": settings.REDIS_URL or "",
            "TELCRM_BROKER_URL": settings.CELERY_BROKER_URL,
            "TELCRM_SECRET_KEY": settings.SECRET_KEY,
            "TELCRM_PII_KEY": settings.PII_KEY,
            "TELCRM_VAR_DIR": str(tmp_path),
            "TELCRM_BILLING_URL": f"{boss.url}/billing",
            "TELCRM_NETWORK_URL": f"{boss.url}/network",
            "TELCRM_BILLING_READ_TIMEOUT": "30",
            "TELCRM_NETWORK_READ_TIMEOUT": "30",
            "TELCRM_LOG_LEVEL": "WARNING",
        }
        self.process: subprocess.Popen | None = None
        self.starts = 0

    def start(self) -> None:
        self.starts += 1
        argv = [sys.executable, "-m", "celery", "-A", "telcrm", "worker", "--loglevel", "WARNING"]
        argv += ["--concurrency", "2", "--without-gossip", "--without-mingle", "--without-heartbeat"]
        argv += ["--hostname", f"killtest{self.starts}-{os.getpid()}@%h"]
        with self.log.open("a") as out:
            self.process = subprocess.Popen(
                argv, env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )

    def kill(self) -> None:
        """SIGKILL the worker and its pool processes at once (the machine lost power, the OOM killer)."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        if self.process is not None:
            self.process.wait(timeout=30)

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:] if self.log.exists() else ""


@pytest.fixture
def boss():
    server = boss_server()
    yield server
    server.close()


@pytest.fixture
def through_the_broker():
    """Tasks go to the broker, as from the web tier, instead of running in the test (eager)."""
    from telcrm.celery import app

    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    yield app
    app.conf.task_always_eager = eager


@pytest.fixture
def worker(tmp_path, boss):
    w = Worker(tmp_path, boss)
    yield w
    w.kill()


def poll_until(predicate, what: str, worker: Worker, *, every=None):
    """Call ``predicate`` (and ``every``, when given, as beat would) until it is true or the deadline
    passes."""
    deadline = time.monotonic() + DEADLINE
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}; worker output:\n{worker.output()}")
        if every is not None:
            every()
        time.sleep(POLL)


def test_a_worker_killed_mid_order_resumes_and_applies_nothing_twice(
    shop, publish, boss, worker, through_the_broker
):
    from telcrm.resources.stock.testing import make_sims

    carrier = shop.carrier
    publish(  # the new-line process without its back-office step: billing, network, billing, archive
        "order.new_line",
        chain(
            service("open_account", "billing.open_account", name="计费开户"),
            service("activate_line", "network.activate_line", name="网络开通"),
            service("billing_entry", "billing.entry", name="计费入帐"),
            service("archive", "order.archive", name="销单入库"),
        ),
    )
    sims = [sim.iccid for sim in make_sims(carrier.branch, ORDERS)]
    shop.sims = sims
    clerks = [shop.clerk, carrier["branch_manager"]]  # a clerk holds at most 10 numbers at a time
    drafts = [
        new_line(
            shop,
            number=f"138057100{40 + i}",
            sim=i,
            customer=verified_customer(carrier, name=f"客户{i}", id_number=f"33010619750505{3000 + i}"),
            clerk=clerks[i % 2],
        )
        for i in range(ORDERS)
    ]
    boss.script = ["ok"] * (HELD - 1) + ["hold_after_apply"]
    celery_app = through_the_broker  # the orders are queued when submitted, as from the web tier
    celery_app.control.purge()  # nothing left in the queue from an earlier run (or from the drafts)
    orders = [actions.order_submit(actor=clerks[i % 2], order=d) for i, d in enumerate(drafts)]
    ids = [o.pk for o in orders]

    def completed() -> int:
        return type(orders[0]).objects.filter(pk__in=ids, state=OrderState.COMPLETED).count()

    worker.start()
    assert boss.holding.wait(DEADLINE), f"the worker never reached the held call:\n{worker.output()}"
    [held_key] = boss.held
    worker.kill()  # mid-call: the server applied it, the worker's step never committed
    boss.release.set()
    assert completed() < ORDERS
    assert not ProcessStep.objects.filter(idempotency_key=held_key).exists()

    worker.start()

    def sweep():  # what beat's orders.fire_due queues once orders.stuck_minutes have passed
        later = timezone.now() + timedelta(minutes=int(param("orders.stuck_minutes")) + 1)
        for pk in engine.due_instance_ids(now=later):
            celery_app.send_task("orders.advance_instance", (pk,))

    sweep()
    poll_until(lambda: completed() == ORDERS, "every order to complete", worker, every=_every(sweep))

    # every call the orders needed was applied by the other system exactly once
    called = {
        s.idempotency_key
        for s in ProcessStep.objects.filter(
            kind=StepKind.SERVICE, instance__in=[o.process_id for o in orders]
        )
        if isinstance(s.result, dict) and "result" in s.result
    }
    assert len(called) >= 2 * ORDERS  # at least the account and the line of each order
    assert set(boss.applied) == called
    assert set(boss.applied.values()) == {1}, boss.applied
    assert boss.received[held_key] >= 2 and boss.applied[held_key] == 1  # sent again, applied once
    assert Subscription.objects.filter(customer__orders__pk__in=ids).distinct().count() == ORDERS


def _every(fn, *, polls: int = 10):
    """``fn`` on every ``polls``-th call (a sweep every two seconds or so, as beat would repeat it)."""
    count = {"n": 0}

    def maybe():
        count["n"] += 1
        if count["n"] % polls == 0:
            fn()

    return maybe
