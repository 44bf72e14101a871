"""The audit log is append-only in the database itself: a trigger refuses UPDATE and DELETE on
PostgreSQL (TRUNCATE, used only by test flushes and retention jobs, stays possible), and UPDATE on
SQLite (whose flush needs DELETE, so the embedded mode relies on the model guard for that); on PostgreSQL, org-tree prefix scans get a pattern-ops index (a plain
btree does not serve LIKE 'prefix%' under a non-C collation)."""

from django.db import migrations

AUDIT_GUARD = """
CREATE OR REPLACE FUNCTION platform_auditlog_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'platform_auditlog is append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS platform_auditlog_append_only ON platform_auditlog;
CREATE TRIGGER platform_auditlog_append_only BEFORE UPDATE OR DELETE ON platform_auditlog
    FOR EACH ROW EXECUTE FUNCTION platform_auditlog_append_only();
CREATE INDEX IF NOT EXISTS platform_orgunit_path_like ON platform_orgunit (path varchar_pattern_ops);
"""

AUDIT_GUARD_REVERSE = """
DROP TRIGGER IF EXISTS platform_auditlog_append_only ON platform_auditlog;
DROP FUNCTION IF EXISTS platform_auditlog_append_only();
DROP INDEX IF EXISTS platform_orgunit_path_like;
"""


SQLITE_GUARD = [
    """CREATE TRIGGER IF NOT EXISTS platform_auditlog_no_update BEFORE UPDATE ON platform_auditlog
       BEGIN SELECT RAISE(ABORT, 'platform_auditlog is append-only (UPDATE refused)'); END""",
]
SQLITE_GUARD_REVERSE = [
    "DROP TRIGGER IF EXISTS platform_auditlog_no_update",
]


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(AUDIT_GUARD, params=None)
    elif vendor == "sqlite":
        for sql in SQLITE_GUARD:
            schema_editor.execute(sql)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(AUDIT_GUARD_REVERSE, params=None)
    elif vendor == "sqlite":
        for sql in SQLITE_GUARD_REVERSE:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("platform", "0001_initial")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
