"""Trigram indexes for knowledge search on PostgreSQL (decision 0018).

GIN ``pg_trgm`` indexes on the padded token columns ``search_title`` and ``search_text`` serve the
``LIKE '% 宽带 %'`` / ``LIKE '% rout%'`` conditions of ``queries.article_search``. pg_trgm ships with
Debian's postgresql-15 package (the customer search already uses it, decision 0009). Built
CONCURRENTLY; an invalid index left by an interrupted build is dropped and rebuilt. SQLite (embedded
demo, tens of articles to thousands) scans with LIKE: no index.
"""

from django.db import migrations

PG_INDEXES = {
    "kb_article_title_trgm_idx": "ON knowledge_article USING gin (search_title gin_trgm_ops)",
    "kb_article_text_trgm_idx": "ON knowledge_article USING gin (search_text gin_trgm_ops)",
}


def forward(apps, schema_editor):
    conn = schema_editor.connection
    if conn.vendor != "postgresql":
        return
    with conn.cursor() as cur:
        cur.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for name, body in PG_INDEXES.items():
            cur.execute(
                "SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = %s",
                [name],
            )
            row = cur.fetchone()
            if row and row[0]:
                continue
            if row:
                cur.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")
            cur.execute(f"CREATE INDEX CONCURRENTLY {name} {body}")


def backward(apps, schema_editor):
    conn = schema_editor.connection
    if conn.vendor != "postgresql":
        return
    with conn.cursor() as cur:
        for name in PG_INDEXES:
            cur.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run inside a transaction

    dependencies = [("knowledge", "0002_grant_role_permissions")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
