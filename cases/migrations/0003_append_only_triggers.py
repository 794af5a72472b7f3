"""Database-level guard: case events and audit entries cannot be changed, whoever connects.

PostgreSQL refuses UPDATE and DELETE; SQLite refuses UPDATE (DELETE stays possible there because the
test runner empties tables row by row; PostgreSQL's TRUNCATE does not fire row triggers).
"""

from django.db import migrations

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION chengyun_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '%% is append-only', TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
"""
TABLES = ["cases_caseevent", "audit_auditentry"]


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FUNCTION)
        for table in TABLES:
            schema_editor.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION chengyun_append_only();"
            )
    elif vendor == "sqlite":
        for table in TABLES:
            schema_editor.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END;"
            )


def backwards(apps, schema_editor):
    for table in TABLES:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};")
        else:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only;")


class Migration(migrations.Migration):
    dependencies = [("cases", "0002_initial"), ("audit", "0002_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
