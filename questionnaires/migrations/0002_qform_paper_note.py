from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("questionnaires", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="submission", name="paper_note",
            field=models.CharField(blank=True, default="", max_length=200, verbose_name="纸质录入说明"),
        ),
    ]
