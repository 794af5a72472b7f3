"""问卷: questionnaires defined as XLSForm (the format of KoboToolbox and ODK), versioned, and their submissions.

A Questionnaire is the form people know by name (户情基本信息, 民生需求); each upload of its XLSForm is a FormVersion
holding the workbook as given, the ODK XForm pyxform made of it and the normalised `spec` the phone page and the
server both evaluate (questionnaires/xlsform.py). A version is never changed or deleted once it has answers, so a
new version never breaks the answers to an old one: every Submission points at the version it was filled in.

A Submission carries its own `instance_id` (ODK's meta/instanceID, made on the phone): the same submission sent
twice is stored once; a different submission under an id already stored is refused as a conflict, never merged.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from org.models import Neighbourhood
from registry.models import Household, Person, Unit


class Questionnaire(models.Model):
    slug = models.SlugField("表单编号", max_length=60, unique=True)  # the XLSForm's settings.form_id
    title = models.CharField("名称", max_length=100)
    description = models.CharField("说明", max_length=300, blank=True, default="")
    is_active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField("创建时间")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name="创建人")

    class Meta:
        verbose_name = verbose_name_plural = "问卷"
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    @property
    def current_version(self) -> FormVersion | None:
        return self.versions.order_by("-number").first()


class FormVersion(models.Model):
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.PROTECT, related_name="versions",
                                      verbose_name="问卷")
    number = models.PositiveIntegerField("版本序号")  # 1, 2, 3 … in upload order
    version_label = models.CharField("版本号", max_length=40, blank=True, default="")  # settings.version, as given
    title = models.CharField("标题", max_length=100)
    spec = models.JSONField("表单结构")  # questionnaires/xlsform.py: the normalised questions the engine evaluates
    xform = models.TextField("XForm", blank=True, default="")  # the ODK XForm XML pyxform made, for ODK tools
    source_name = models.CharField("文件名", max_length=200, blank=True, default="")
    source = models.BinaryField("XLSForm 文件")
    sha256 = models.CharField("文件摘要", max_length=64)
    question_count = models.PositiveIntegerField("题目数", default=0)
    loaded_at = models.DateTimeField("上传时间")
    loaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                  verbose_name="上传人")

    class Meta:
        verbose_name = verbose_name_plural = "问卷版本"
        ordering = ["questionnaire_id", "-number"]
        constraints = [models.UniqueConstraint(fields=["questionnaire", "number"], name="formversion_unique_number")]

    def __str__(self) -> str:
        return f"{self.questionnaire.title} 第{self.number}版"


class Channel(models.TextChoices):
    ONLINE = "online", "在线填写"
    OFFLINE = "offline", "离线填写后上传"
    PAPER = "paper", "纸质录入"
    IMPORT = "import", "导入"


class Submission(models.Model):
    """One filled questionnaire. `data` is {name: value} for the questions outside repeats (groups flattened), and
    {repeat name: [{name: value}, …]} for repeats; select_multiple values are lists of choice names, geopoints
    "lat lon [alt acc]", images the stored attachment's name. Append-only: a correction is a new submission that
    `supersedes` the old one."""

    form_version = models.ForeignKey(FormVersion, on_delete=models.PROTECT, related_name="submissions",
                                     verbose_name="问卷版本")
    instance_id = models.CharField("实例编号", max_length=80, unique=True)  # meta/instanceID, e.g. uuid:…
    digest = models.CharField("内容摘要", max_length=64)  # sha256 of the canonical data: same id + same digest = resend
    data = models.JSONField("答案")
    channel = models.CharField("方式", max_length=10, choices=Channel.choices, default=Channel.ONLINE)
    household = models.ForeignKey(Household, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="submissions", verbose_name="户")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="submissions",
                             verbose_name="单位")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True, related_name="submissions",
                               verbose_name="受访人")
    neighbourhood = models.ForeignKey(Neighbourhood, on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="+", verbose_name="居民区")
    prefilled_from = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                       verbose_name="预填自")
    supersedes = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="superseded_by", verbose_name="更正")
    started_at = models.DateTimeField("开始填写", null=True, blank=True)  # as the phone says
    completed_at = models.DateTimeField("填写完成", null=True, blank=True)  # as the phone says
    received_at = models.DateTimeField("收到时间", db_index=True)
    paper_note = models.CharField("纸质录入说明", max_length=200, blank=True, default="")  # 走访人 of a paper form
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     verbose_name="填写人")

    class Meta:
        verbose_name = verbose_name_plural = "问卷答卷"
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["form_version", "received_at"], name="submission_version_at"),
            models.Index(fields=["household", "received_at"], name="submission_household_at"),
        ]


class SubmissionAttachment(models.Model):
    """A photo answered to an image question, sent with its submission (multipart, or kept on the phone offline)."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="attachments",
                                   verbose_name="答卷")
    question = models.CharField("题目", max_length=100)
    name = models.CharField("文件名", max_length=200)
    content_type = models.CharField("类型", max_length=60)
    content = models.BinaryField("内容")
    size = models.PositiveIntegerField("大小")
    sha256 = models.CharField("摘要", max_length=64)

    class Meta:
        verbose_name = verbose_name_plural = "答卷附件"
        constraints = [models.UniqueConstraint(fields=["submission", "name"], name="submission_attachment_name")]


class SubmissionRejection(models.Model):
    """A submission refused (conflict of instance id, rule broken on the server, unknown version): kept so a cadre
    whose phone held it can be told and nothing they typed is lost."""

    instance_id = models.CharField("实例编号", max_length=80, db_index=True)
    form_version = models.ForeignKey(FormVersion, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name="问卷版本")
    reason = models.CharField("原因", max_length=500)
    data = models.JSONField("答案")
    at = models.DateTimeField("时间")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="提交人")

    class Meta:
        verbose_name = verbose_name_plural = "被拒答卷"
        ordering = ["-at"]
