"""What the model declarations cannot say portably.

PostgreSQL:
- search indexes over free numbers (see queries.py): ``reverse(msisdn) text_pattern_ops`` for
  "ends with" (a prefix range on the reversed number) and a pg_trgm GIN index for "contains";
- statistics on ``reverse(msisdn)``: ANALYZE keeps none for the expression of a *partial* index, and
  without them the planner guesses a suffix matches 0.5% of the pool and walks the number order
  instead of the reverse index (400 ms instead of 0.5 ms at a million numbers);
- number ranges never overlap: an exclusion constraint on ``int8range(start, end, '[]')``, so two
  administrators creating overlapping ranges at the same moment cannot both succeed;
- MSISDNs are digits only (a regular-expression CHECK);
- number history is append-only: a trigger refuses UPDATE of resources_numberevent.
Indexes are built CONCURRENTLY (a live pool keeps taking reservations); an invalid index left by an
interrupted build is dropped and built again.

SQLite (embedded demo): the append-only trigger; searches scan the partial btree indexes of 0001.
"""

from django.db import migrations

PG_INDEXES = {
    "number_free_reverse_idx": (
        "ON resources_number ((reverse(msisdn::text)) text_pattern_ops) WHERE state = 'free'"
    ),
    "number_free_trgm_idx": "ON resources_number USING gin (msisdn gin_trgm_ops) WHERE state = 'free'",
}

PG_GUARDS = """
CREATE STATISTICS IF NOT EXISTS number_reverse_stats ON (reverse(msisdn::text)) FROM resources_number;
ALTER TABLE resources_numberrange DROP CONSTRAINT IF EXISTS numberrange_no_overlap;
ALTER TABLE resources_numberrange ADD CONSTRAINT numberrange_no_overlap
    EXCLUDE USING gist (int8range(start::bigint, "end"::bigint, '[]') WITH &&);
ALTER TABLE resources_number DROP CONSTRAINT IF EXISTS number_msisdn_digits;
ALTER TABLE resources_number ADD CONSTRAINT number_msisdn_digits CHECK (msisdn ~ '^1[0-9]{10}$');
CREATE OR REPLACE FUNCTION resources_numberevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'resources_numberevent is append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS resources_numberevent_append_only ON resources_numberevent;
CREATE TRIGGER resources_numberevent_append_only BEFORE UPDATE ON resources_numberevent
    FOR EACH ROW EXECUTE FUNCTION resources_numberevent_append_only();
"""

PG_GUARDS_REVERSE = """
DROP STATISTICS IF EXISTS number_reverse_stats;
DROP TRIGGER IF EXISTS resources_numberevent_append_only ON resources_numberevent;
DROP FUNCTION IF EXISTS resources_numberevent_append_only();
ALTER TABLE resources_number DROP CONSTRAINT IF EXISTS number_msisdn_digits;
ALTER TABLE resources_numberrange DROP CONSTRAINT IF EXISTS numberrange_no_overlap;
"""

SQLITE_GUARDS = [
    """CREATE TRIGGER IF NOT EXISTS resources_numberevent_no_update BEFORE UPDATE ON resources_numberevent
       BEGIN SELECT RAISE(ABORT, 'resources_numberevent is append-only (UPDATE refused)'); END""",
]
SQLITE_GUARDS_REVERSE = ["DROP TRIGGER IF EXISTS resources_numberevent_no_update"]


def forward(apps, schema_editor):
    conn = schema_editor.connection
    with conn.cursor() as cur:
        if conn.vendor == "postgresql":
            cur.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            cur.execute(PG_GUARDS)
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
            for sql in SQLITE_GUARDS:
                cur.execute(sql)


def backward(apps, schema_editor):
    conn = schema_editor.connection
    with conn.cursor() as cur:
        if conn.vendor == "postgresql":
            for name in PG_INDEXES:
                cur.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")
            cur.execute(PG_GUARDS_REVERSE)
        elif conn.vendor == "sqlite":
            for sql in SQLITE_GUARDS_REVERSE:
                cur.execute(sql)


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run inside a transaction

    dependencies = [("resources", "0001_initial")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
