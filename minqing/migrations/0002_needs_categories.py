"""需求类别 seeded (an admin maps each to a case 小类 later), and the rejected rows of a data-lake upload."""

import django.db.models.deletion
from django.db import migrations, models

CATEGORIES = [
    "养老服务", "加装电梯", "停车难", "环境卫生", "房屋修缮", "噪音扰民", "助餐", "就业帮扶", "文体活动", "医疗健康",
    "安全隐患", "楼道照明", "垃圾分类", "绿化养护", "邻里纠纷", "其他",
]


def seed(apps, schema_editor):
    NeedCategory = apps.get_model("minqing", "NeedCategory")
    for order, name in enumerate(CATEGORIES):
        NeedCategory.objects.get_or_create(name=name, defaults={"order": (order + 1) * 10})


class Migration(migrations.Migration):

    dependencies = [
        ("minqing", "0002_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="LakeRejection",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("row_number", models.PositiveIntegerField(verbose_name="行号")),
                ("reason", models.CharField(max_length=300, verbose_name="原因")),
                ("data", models.JSONField(blank=True, default=dict, verbose_name="原始数据")),
                ("lake_import", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE,
                                                  related_name="rejections", to="minqing.lakeimport",
                                                  verbose_name="导入批次")),
            ],
            options={"verbose_name": "数据湖未导入行", "verbose_name_plural": "数据湖未导入行",
                     "ordering": ["lake_import_id", "row_number"]},
        ),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
