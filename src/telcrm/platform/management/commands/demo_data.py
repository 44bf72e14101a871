"""``manage.py demo_data``: generate the demo carrier (org tree, users, holidays, and what later
modules register: customers, products, orders…).

    manage.py demo_data                      # generate what is missing (idempotent)
    manage.py demo_data --if-empty           # do nothing when any user exists (make demo)
    manage.py demo_data --reset --seed 7     # delete the generated data, then generate again
    manage.py demo_data --customers 200000   # volume passed to every generator

Generators are registered with ``@demo_generator`` in each app's ``demo.py`` (see
platform/demo.py). Small reference data goes through actions; bulk volumes (staff, customers…)
go through ``copy_rows`` — PostgreSQL COPY, batched INSERTs on SQLite — for speed.

The 2026 public holidays are loaded here once; administrators maintain the Holiday table every
year after the State Council publishes the next year's arrangement.
"""

from __future__ import annotations

import random
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction


class Command(BaseCommand):
    help = "Generate a believable demo carrier (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--customers",
            type=int,
            default=20000,
            help="Number of customers for the generators that make customers (default 20000).",
        )
        parser.add_argument("--if-empty", action="store_true", help="Do nothing when any user exists.")
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Delete the generated data first (refused when other data depends on it).",
        )
        parser.add_argument("--seed", type=int, default=2026, help="Random seed (same seed, same data).")

    def handle(self, *args, customers: int, if_empty: bool, reset: bool, seed: int, **options):
        from telcrm.platform import context
        from telcrm.platform.demo import DEMO_PASSWORD, DEMO_USERS, DemoResetRefused, autodiscover
        from telcrm.platform.models import User

        if reset and if_empty:
            raise CommandError("--reset and --if-empty exclude each other.")
        if customers < 0:
            raise CommandError("--customers must be zero or more.")
        if if_empty and User.objects.exists():
            self.stdout.write("Users exist already; demo data not generated (--if-empty).")
            return
        gens = autodiscover()
        started = time.perf_counter()
        with context.acting(channel="command"):
            if reset:
                try:
                    with transaction.atomic():
                        for gen in reversed(gens):
                            if gen.reset is not None:
                                gen.reset(stdout=self.stdout)
                except DemoResetRefused as exc:
                    raise CommandError(f"Cannot reset the demo data: {exc}") from exc
            for gen in gens:
                t0 = time.perf_counter()
                rng = random.Random(f"{seed}:{gen.name}")
                with transaction.atomic():
                    gen.fn(stdout=self.stdout, customers=customers, rng=rng)
                self.stdout.write(f"  {gen.name}: {time.perf_counter() - t0:.1f}s")
        names = ", ".join(d.username for d in DEMO_USERS)
        elapsed = time.perf_counter() - started
        self.stdout.write(self.style.SUCCESS(f"Demo data ready in {elapsed:.1f}s."))
        self.stdout.write(f"Sign in as {names} with the password {DEMO_PASSWORD}.")
