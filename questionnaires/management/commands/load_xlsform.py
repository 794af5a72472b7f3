"""manage.py load_xlsform FILE [--title TITLE]: load (or version) a questionnaire from an XLSForm .xlsx.

The last line of stdout is JSON: form, version, questions, url (the phone page that fills it), created. A form it
cannot take exits non-zero with a message naming the sheet, row and reason."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.urls import NoReverseMatch, reverse

from core.errors import DomainError
from org.services import system_user
from questionnaires.services import questionnaire_load


class Command(BaseCommand):
    requires_system_checks = []
    help = "从 XLSForm(.xlsx)加载问卷;同一表单编号(form_id)再次加载即为新版本,旧版本的答卷不受影响"

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?")
        parser.add_argument("--title", default="", help="问卷名称(默认取 settings 表的 form_title)")

    def handle(self, *args, file, title, **options):
        if not file:
            raise CommandError("请指定 XLSForm 文件")
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"文件不存在:{path}")
        try:
            version, created = questionnaire_load(actor=system_user(), content=path.read_bytes(),
                                                  filename=path.name, title=title or "")
        except DomainError as exc:
            raise CommandError(exc.message) from None
        try:
            url = reverse("questionnaires:fill", args=[version.questionnaire.slug])
        except NoReverseMatch:
            url = f"/questionnaires/{version.questionnaire.slug}/fill/"
        self.stdout.write(f"{'已加载' if created else '与当前版本相同,未新增版本'}:{version}")
        self.stdout.write(json.dumps({
            "form": version.questionnaire.slug, "title": version.questionnaire.title, "version": version.number,
            "version_label": version.version_label, "questions": version.question_count, "url": url,
            "created": created,
        }, ensure_ascii=False))
