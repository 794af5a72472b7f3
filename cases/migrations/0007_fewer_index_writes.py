"""Fewer indexes written per registration (issue 7: a 200,000-row hotline import writes each index 200,000 times).

Dropped, because another index already serves every query that could use them:
- cases_case: the single-column indexes of neighbourhood, estate and lead_department (led by the (neighbourhood,
  state), (estate, registered_at) and (lead_department, state) indexes) and of is_overdue (the overview reads the
  partial case_open_backlog index);
- cases_caseevent: the single-column indexes of case (led by (case, at)) and action (led by event_action_at);
- PostgreSQL only: the varchar_pattern_ops "_like" copies Django adds for indexed CharFields (number,
  hotline_number, state, action). They serve only LIKE 'prefix%'; the case search uses icontains (UPPER … LIKE
  '%…%'), which no btree index serves. Django's model state keeps no trace of them, so only the database changes.

dispatch 0002's raw-SQL (estate_id, registered_at) index becomes case_estate_registered, part of the Case model.

The database side is explicit SQL per vendor, never an AlterField: on SQLite AlterField remakes the table, which
silently drops the append-only trigger of cases_caseevent (0003) and raw-SQL indexes. Here SQLite only sees
DROP INDEX / CREATE INDEX. Indexes are found by what they index (catalog / PRAGMA), not by their generated names.
"""

from django.conf import settings
from django.db import migrations, models

import django.db.models.deletion

# (table, column, also the PostgreSQL varchar_pattern_ops copy, also the plain index)
DROPPED = [
    ("cases_case", "neighbourhood_id", False, True),
    ("cases_case", "estate_id", False, True),
    ("cases_case", "lead_department_id", False, True),
    ("cases_case", "is_overdue", False, True),
    ("cases_case", "number", True, False),  # the unique constraint stays
    ("cases_case", "hotline_number", True, False),  # the plain index stays: re-imports look numbers up
    ("cases_case", "state", True, False),  # the plain index stays
    ("cases_caseevent", "case_id", False, True),
    ("cases_caseevent", "action", True, True),
]

PG_SINGLE_COLUMN_INDEXES = """
SELECT i.relname, o.opcname
FROM pg_index x
JOIN pg_class i ON i.oid = x.indexrelid
JOIN pg_class t ON t.oid = x.indrelid
JOIN pg_namespace n ON n.oid = t.relnamespace AND n.nspname = current_schema()
JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = x.indkey[0]
JOIN pg_opclass o ON o.oid = x.indclass[0]
WHERE t.relname = %s AND a.attname = %s AND x.indnatts = 1 AND NOT x.indisunique AND NOT x.indisprimary
  AND x.indpred IS NULL AND x.indexprs IS NULL
"""


def _single_column_indexes(schema_editor, table, column):
    """[(index name, is a varchar_pattern_ops copy)] of the plain single-column indexes on table(column)."""
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(PG_SINGLE_COLUMN_INDEXES, [table, column])
            return [(name, opclass == "varchar_pattern_ops") for name, opclass in cursor.fetchall()]
        found = []
        cursor.execute(f'PRAGMA index_list("{table}")')
        for _seq, name, unique, origin, partial in cursor.fetchall():
            if unique or origin != "c" or partial:
                continue
            cursor.execute(f'PRAGMA index_info("{name}")')
            if [row[2] for row in cursor.fetchall()] == [column]:
                found.append((name, False))
        return found


def drop_redundant_indexes(apps, schema_editor):
    quote = schema_editor.quote_name
    for table, column, like, plain in DROPPED:
        for name, is_like in _single_column_indexes(schema_editor, table, column):
            if (is_like and like) or (not is_like and plain):
                schema_editor.execute(f"DROP INDEX IF EXISTS {quote(name)}")


def recreate_indexes(apps, schema_editor):
    quote = schema_editor.quote_name
    for table, column, like, plain in DROPPED:
        if plain:
            name = schema_editor._create_index_name(table, [column])
            schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {quote(name)} ON {quote(table)} ({quote(column)})")
        if like and schema_editor.connection.vendor == "postgresql":
            name = schema_editor._create_index_name(table, [column], suffix="_like")
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {quote(name)} ON {quote(table)} ({quote(column)} varchar_pattern_ops)")


def adopt_estate_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER INDEX IF EXISTS dispatch_case_estate_registered RENAME TO case_estate_registered")
    else:
        schema_editor.execute("DROP INDEX IF EXISTS dispatch_case_estate_registered")
    schema_editor.execute("CREATE INDEX IF NOT EXISTS case_estate_registered ON cases_case (estate_id, registered_at)")


def give_back_estate_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER INDEX IF EXISTS case_estate_registered RENAME TO dispatch_case_estate_registered")
    else:
        schema_editor.execute("DROP INDEX IF EXISTS case_estate_registered")
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS dispatch_case_estate_registered ON cases_case (estate_id, registered_at)")


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0006_unsatisfied_callback_index'),
        ('dispatch', '0002_case_estate_registered_index'),
        ('org', '0003_merge_0002_apitoken_scope_0002_user_role_auditor'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunPython(adopt_estate_index, give_back_estate_index),
                migrations.RunPython(drop_redundant_indexes, recreate_indexes),
            ],
            state_operations=[
                migrations.AlterField(
                    model_name='case',
                    name='estate',
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='cases', to='org.estate', verbose_name='小区'),
                ),
                migrations.AlterField(
                    model_name='case',
                    name='is_overdue',
                    field=models.BooleanField(default=False, verbose_name='超时'),
                ),
                migrations.AlterField(
                    model_name='case',
                    name='lead_department',
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='lead_cases', to='org.department', verbose_name='主办单位'),
                ),
                migrations.AlterField(
                    model_name='case',
                    name='neighbourhood',
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='cases', to='org.neighbourhood', verbose_name='居民区'),
                ),
                migrations.AlterField(
                    model_name='caseevent',
                    name='action',
                    field=models.CharField(max_length=30, verbose_name='操作'),
                ),
                migrations.AlterField(
                    model_name='caseevent',
                    name='case',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='events', to='cases.case', verbose_name='工单'),
                ),
                migrations.AddIndex(
                    model_name='case',
                    index=models.Index(fields=['estate', 'registered_at'], name='case_estate_registered'),
                ),
            ],
        ),
    ]
