from django.db import migrations

TYPICAL = {"hotline_number": "工单编号", "called_at": "来电时间", "citizen_name": "诉求人", "citizen_phone": "联系电话",
           "address": "诉求地址", "content": "诉求内容", "category": "诉求分类", "kind": "工单类型",
           "due_at": "要求办结时间"}


def create(apps, schema_editor):
    apps.get_model("hotline", "ImportProfile").objects.get_or_create(
        name="12345标准格式", defaults={"columns": TYPICAL, "is_default": True})


class Migration(migrations.Migration):
    dependencies = [("hotline", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
