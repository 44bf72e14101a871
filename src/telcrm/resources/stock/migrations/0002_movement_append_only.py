"""Stock movements are append-only in the database itself: a trigger refuses UPDATE (PostgreSQL and
SQLite). Rows are only ever deleted by the demo reset, together with the items they describe."""

from django.db import migrations

PG_GUARD = """
CREATE OR REPLACE FUNCTION stock_movement_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'stock_movement is append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS stock_movement_append_only ON stock_movement;
CREATE TRIGGER stock_movement_append_only BEFORE UPDATE ON stock_movement
    FOR EACH ROW EXECUTE FUNCTION stock_movement_append_only();
"""
PG_GUARD_REVERSE = """
DROP TRIGGER IF EXISTS stock_movement_append_only ON stock_movement;
DROP FUNCTION IF EXISTS stock_movement_append_only();
"""
SQLITE_GUARD = """CREATE TRIGGER IF NOT EXISTS stock_movement_no_update BEFORE UPDATE ON stock_movement
    BEGIN SELECT RAISE(ABORT, 'stock_movement is append-only (UPDATE refused)'); END"""
SQLITE_GUARD_REVERSE = "DROP TRIGGER IF EXISTS stock_movement_no_update"


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_GUARD, params=None)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_GUARD)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_GUARD_REVERSE, params=None)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_GUARD_REVERSE)


class Migration(migrations.Migration):
    dependencies = [("stock", "0001_initial")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
