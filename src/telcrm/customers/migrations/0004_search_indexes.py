"""Indexes for customer search at tens of millions of rows (CUS-3) and the billing refresh.

PostgreSQL: pg_trgm and a GIN trigram index on ``' ' || search_text || ' '`` (whole tokens
``LIKE '% zs %'``, token prefixes ``LIKE '% zs%'``, substrings of three or more characters; the
padding makes each one a single condition), a btree on ``lower(name) COLLATE "C"``
(exact and prefix name matches in index order), and Account.synced_at for the oldest-first refresh.
Built CONCURRENTLY so a live system keeps writing; an invalid index left by an interrupted build is
dropped and rebuilt. SQLite (embedded demo): the name and synced_at indexes; LIKE does the rest.

The indexes are not declared on the models (their opclass/collation are PostgreSQL-specific), so the
autodetector never sees them; queries.lookup relies on them by expression.
"""

from django.db import migrations

PG_INDEXES = {
    "customer_search_padded_trgm_idx": (
        "ON customers_customer USING gin ((' ' || search_text || ' ') gin_trgm_ops)"
    ),
    "customer_name_lower_c_idx": 'ON customers_customer ((lower(name) COLLATE "C"), id)',
    "account_synced_idx": "ON customers_account (synced_at NULLS FIRST, id)",
}
SQLITE_INDEXES = {
    "customer_name_lower_c_idx": "ON customers_customer (lower(name), id)",
    "account_synced_idx": "ON customers_account (synced_at, id)",
}


def forward(apps, schema_editor):
    conn = schema_editor.connection
    with conn.cursor() as cur:
        if conn.vendor == "postgresql":
            cur.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            for name, body in PG_INDEXES.items():
                cur.execute(
                    "SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                    "WHERE c.relname = %s",
                    [name],
                )
                row = cur.fetchone()
                if row and row[0]:
                    continue
                if row:  # left invalid by an interrupted concurrent build
                    cur.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")
                cur.execute(f"CREATE INDEX CONCURRENTLY {name} {body}")
        elif conn.vendor == "sqlite":
            for name, body in SQLITE_INDEXES.items():
                cur.execute(f"CREATE INDEX IF NOT EXISTS {name} {body}")


def backward(apps, schema_editor):
    conn = schema_editor.connection
    names = [*PG_INDEXES, "customer_search_trgm_idx"] if conn.vendor == "postgresql" else SQLITE_INDEXES
    concurrently = "CONCURRENTLY " if conn.vendor == "postgresql" else ""
    with conn.cursor() as cur:
        for name in names:
            cur.execute(f"DROP INDEX {concurrently}IF EXISTS {name}")


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run inside a transaction

    dependencies = [("customers", "0003_tmf")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
