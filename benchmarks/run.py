"""``make bench``: run every benchmarks/bench_*.py against a fresh scratch database; print one table.

    .venv/bin/python benchmarks/run.py [--users 20000] [--repeat 7] [--only param] [--keep] [--customers N]

The scratch database never holds the demo or production data:

* SQLite (default): ``<var>/bench/bench.sqlite3``, recreated on every run; the run also uses
  ``<var>/bench`` as its var directory, so cache files and keys stay apart from the installation.
* PostgreSQL (``TELCRM_DATABASE_URL=postgresql://…/telcrm``): a separate database ``telcrm_bench``
  on the same server, created for the run and dropped afterwards (``--keep`` keeps it).
  With ``TELCRM_REDIS_URL`` the cache is that Redis under the key prefix ``telcrm-bench``.

``BENCH_DATABASE_URL=postgresql://…/telcrm_10m`` runs against that existing database instead (used as
it is, never dropped): how the figures at 10M customers are taken without loading them again. Give it
the ``TELCRM_PII_KEY`` the data was loaded with (embedded mode keeps a generated one in var/pii_key).

Each module may define ``prepare(ctx)`` and ``bench_*(ctx) -> list[Figure]`` (see harness.py).
Values are times per operation; ratio = value / baseline, both measured in this run.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import os
import platform
import shutil
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "src")]

from benchmarks.harness import Context, Figure  # noqa: E402


def scratch_database(keep: bool) -> tuple[str, object]:
    """Point TELCRM_* at a scratch database; returns (label, cleanup callable)."""
    var = Path(os.environ.get("TELCRM_VAR_DIR") or ROOT / "var") / "bench"
    var.mkdir(parents=True, exist_ok=True)
    os.environ["TELCRM_VAR_DIR"] = str(var)
    os.environ["TELCRM_TASKS_EAGER"] = "1"
    os.environ.setdefault("TELCRM_LOG_LEVEL", "WARNING")
    os.environ["TELCRM_CACHE_PREFIX"] = "telcrm-bench"
    existing = os.environ.get("BENCH_DATABASE_URL", "")
    if existing:
        # An existing, already-loaded database (e.g. the 10M demo customers): used as it is, migrated,
        # never created or dropped here. Benchmarks skip what they would have to load.
        os.environ["TELCRM_DATABASE_URL"] = existing

        def keep_it():
            from django.db import connections

            connections.close_all()

        return f"existing database {urlsplit(existing).path.lstrip('/') or existing}", keep_it
    url = os.environ.get("TELCRM_DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        import dj_database_url
        import psycopg
        from psycopg import sql

        cfg = dj_database_url.parse(url)
        name = f"{cfg['NAME']}_bench"
        admin_dsn = dict(
            dbname="postgres",
            user=cfg["USER"] or None,
            password=cfg["PASSWORD"] or None,
            host=cfg["HOST"] or None,
            port=cfg["PORT"] or None,
        )
        admin_dsn = {k: v for k, v in admin_dsn.items() if v}

        def run_admin(statement):
            with psycopg.connect(**admin_dsn, autocommit=True) as conn:
                conn.execute(statement)

        run_admin(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        run_admin(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        os.environ["TELCRM_DATABASE_URL"] = urlsplit(url)._replace(path=f"/{name}").geturl()

        def cleanup():
            from django.db import connections

            connections.close_all()
            if not keep:
                run_admin(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))

        return f"PostgreSQL {name}", cleanup
    path = var / "bench.sqlite3"
    for stale in var.glob("bench.sqlite3*"):
        stale.unlink()
    shutil.rmtree(var / "cache", ignore_errors=True)
    os.environ["TELCRM_DATABASE_URL"] = f"sqlite:///{path}"

    def cleanup():
        from django.db import connections

        connections.close_all()
        if not keep:
            for f in var.glob("bench.sqlite3*"):
                f.unlink()
            shutil.rmtree(var / "cache", ignore_errors=True)

    return f"SQLite {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}", cleanup


def discover(only: str) -> list:
    modules = []
    for path in sorted((ROOT / "benchmarks").glob("bench_*.py")):
        module = importlib.import_module(f"benchmarks.{path.stem}")
        benches = [
            fn
            for name, fn in inspect.getmembers(module, inspect.isfunction)
            if name.startswith("bench_")
            and fn.__module__ == module.__name__
            and (not only or only in f"{path.stem}.{name}")
        ]
        benches.sort(key=lambda fn: fn.__code__.co_firstlineno)
        if benches:
            modules.append((module, benches))
    return modules


def fmt_time(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds * 1e6:.1f} µs"


def print_table(figures: list[Figure]) -> None:
    header = ("benchmark", "figure", "value", "baseline", "ratio")
    rows = [
        (
            f.benchmark,
            f.figure,
            fmt_time(f.value),
            f"{fmt_time(f.baseline)} ({f.baseline_name})" if f.baseline_name else fmt_time(f.baseline),
            f"{f.ratio:.2f}×",
        )
        for f in figures
    ]
    widths = (
        [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
        if rows
        else [len(h) for h in header]
    )
    line = " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))
    print(line)
    print("-|-".join("-" * w for w in widths))
    for r in rows:
        print(
            " | ".join(
                [
                    r[0].ljust(widths[0]),
                    r[1].ljust(widths[1]),
                    r[2].rjust(widths[2]),
                    r[3].ljust(widths[3]),
                    r[4].rjust(widths[4]),
                ]
            )
        )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=20000, help="generated users in the scratch database")
    parser.add_argument("--repeat", type=int, default=7, help="rounds per figure (the median is kept)")
    parser.add_argument("--only", default="", help="run only benchmarks whose module.function contains this")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database afterwards")
    parser.add_argument(
        "--customers",
        type=int,
        default=None,
        help="demo customers for bench_customers (default: $BENCH_CUSTOMERS or 50000)",
    )
    args = parser.parse_args(argv)
    if args.customers is not None:
        os.environ["BENCH_CUSTOMERS"] = str(args.customers)

    label, cleanup = scratch_database(args.keep)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "telcrm.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    try:
        started = time.perf_counter()
        call_command("migrate", verbosity=0, interactive=False)
        ctx = Context(users=args.users, repeat=args.repeat, vendor=connection.vendor, database=label)
        print(
            f"telcrm benchmarks — {label}, {args.users:,} users, median of {args.repeat} rounds; "
            f"Python {platform.python_version()}, Django {django.get_version()}"
        )
        figures: list[Figure] = []
        for module, benches in discover(args.only):
            prepare = getattr(module, "prepare", None)
            if prepare is not None:
                t0 = time.perf_counter()
                note = prepare(ctx)
                print(
                    f"  {module.__name__}: prepared in {time.perf_counter() - t0:.1f}s"
                    + (f" — {note}" if note else "")
                )
            for bench in benches:
                figures.extend(bench(ctx))
        print()
        print_table(figures)
        elapsed = time.perf_counter() - started
        print(f"\n{len(figures)} figures in {elapsed:.1f}s; value and baseline are per operation.")
    finally:
        cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
