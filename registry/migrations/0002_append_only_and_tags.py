"""The change record can't be changed, whoever connects (as cases' events: PostgreSQL refuses UPDATE and DELETE,
SQLite UPDATE); and the tags the seeds' programmes use, which the administrator may edit."""

from django.db import migrations

TABLE = "registry_changerecord"
TAGS = [
    ("独居老人", "独自居住的老年人,纳入定期走访"),
    ("高龄", "80 周岁及以上"),
    ("纯老家庭", "家庭成员均为 60 周岁以上老人"),
    ("残疾", "持残疾人证"),
    ("低保/困难家庭", "低保、低收入或其他困难家庭"),
    ("退役军人", ""),
    ("党员", ""),
    ("志愿者", "参与时间银行或社区志愿服务"),
    ("楼组长", ""),
    ("重点关注", "需要重点关心的人员"),
]


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(
            "CREATE OR REPLACE FUNCTION chengyun_append_only() RETURNS trigger AS $$ BEGIN "
            "RAISE EXCEPTION '%% is append-only', TG_TABLE_NAME; END; $$ LANGUAGE plpgsql;")
        schema_editor.execute(f"CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
                              "FOR EACH ROW EXECUTE FUNCTION chengyun_append_only();")
    elif vendor == "sqlite":
        schema_editor.execute(f"CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE ON {TABLE} "
                              f"BEGIN SELECT RAISE(ABORT, '{TABLE} is append-only'); END;")
    Tag = apps.get_model("registry", "Tag")
    for order, (name, description) in enumerate(TAGS):
        Tag.objects.get_or_create(name=name, defaults={"description": description, "order": order * 10})


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE};")
    else:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_append_only;")


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
