"""Duplicate detection asks for the recent cases of a few 小区 on every suggestion: an index on
(estate, registered_at) of the cases table keeps that a range scan at 100,000+ cases. It belongs to the cases
table but is created here, so the cases app's models stay untouched; IF NOT EXISTS works on SQLite and PostgreSQL."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("dispatch", "0001_initial"), ("cases", "0003_append_only_triggers")]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS dispatch_case_estate_registered ON cases_case (estate_id, registered_at)",
            "DROP INDEX IF EXISTS dispatch_case_estate_registered",
        ),
    ]
