"""社区底册: the street's people (Person), homes (Household, down to the room) and 驻区单位 (Unit), the tags
programmes use, who lives where (Membership, with history), and the append-only change record of all of it.

Every later community programme (民情日志, 时间银行, 一店一档, 十户联防, 理事会) points at these rows instead of keeping
its own list. All of a person's fields are personal data: selectors mask them by role (registry/policy.py).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from org.models import Estate, Grid, Neighbourhood


class AppendOnlyError(Exception):
    pass


class Tag(models.Model):
    """人员标签 the programmes and leaders use (独居老人, 高龄, 残疾, 低保 …): an admin-editable list."""

    name = models.CharField("名称", max_length=30, unique=True)
    description = models.CharField("说明", max_length=200, blank=True)
    is_active = models.BooleanField("启用", default=True)
    order = models.PositiveSmallIntegerField("排序", default=100)

    class Meta:
        verbose_name = verbose_name_plural = "人员标签"
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class Gender(models.TextChoices):
    MALE = "male", "男"
    FEMALE = "female", "女"
    UNKNOWN = "", "未填"


class IdType(models.TextChoices):
    ID_CARD = "id_card", "居民身份证"
    PASSPORT = "passport", "护照"
    HK_MACAO = "hk_macao", "港澳居民居住证/通行证"
    TAIWAN = "taiwan", "台湾居民居住证/台胞证"
    FOREIGN = "foreign", "外国人永久居留身份证"
    OTHER = "other", "其他证件"


class Residence(models.TextChoices):
    """户籍 (registered here), 常住 (lives here, registered elsewhere), 流动 (floating population)."""

    HUKOU = "hukou", "户籍"
    RESIDENT = "resident", "常住"
    FLOATING = "floating", "流动"


class PersonStatus(models.TextChoices):
    ACTIVE = "active", "在册"
    MOVED_OUT = "moved_out", "已迁出"
    DECEASED = "deceased", "已故"


class Person(models.Model):
    """居民/人员. `neighbourhood`/`grid` follow the current household (services keep them), so scope is one filter."""

    name = models.CharField("姓名", max_length=50, db_index=True)
    gender = models.CharField("性别", max_length=10, choices=Gender.choices, blank=True, default="")
    birth_date = models.DateField("出生日期", null=True, blank=True)
    id_type = models.CharField("证件类型", max_length=20, choices=IdType.choices, default=IdType.ID_CARD)
    # Upper-case, no spaces; empty when unknown. Unique per document type when present.
    id_number = models.CharField("证件号码", max_length=32, blank=True, default="")
    phone = models.CharField("联系电话", max_length=20, blank=True, default="", db_index=True)
    phone_alt = models.CharField("备用电话", max_length=20, blank=True, default="", db_index=True)
    residence = models.CharField("人员类型", max_length=10, choices=Residence.choices, default=Residence.HUKOU)
    status = models.CharField("状态", max_length=10, choices=PersonStatus.choices, default=PersonStatus.ACTIVE)
    tags = models.ManyToManyField(Tag, blank=True, related_name="persons", verbose_name="标签")
    notes = models.TextField("备注", blank=True, default="")
    neighbourhood = models.ForeignKey(Neighbourhood, on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="registry_persons", verbose_name="居民区")
    grid = models.ForeignKey(Grid, on_delete=models.PROTECT, null=True, blank=True, related_name="registry_persons",
                             verbose_name="网格")
    # A staff account or a resident sign-in bound to this person (one person, one login at most).
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="person", verbose_name="绑定账号")
    created_at = models.DateTimeField("登记时间")
    updated_at = models.DateTimeField("更新时间")
    version = models.PositiveIntegerField(default=1)
    anonymised_at = models.DateTimeField("匿名化时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "人员"
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["id_type", "id_number"], condition=~Q(id_number=""),
                                    name="person_unique_document"),
        ]
        indexes = [models.Index(fields=["neighbourhood", "name"], name="person_nb_name")]

    def __str__(self) -> str:
        return self.name


class HousingStatus(models.TextChoices):
    OWNER = "owner", "自住"
    RENTED = "rented", "出租"
    VACANT = "vacant", "空置"
    UNKNOWN = "unknown", "未核实"


class Household(models.Model):
    """户: one home at an address of the gazetteer down to the room. `address_key` (normalised 路/弄/号/室) is its
    natural key: one household per room."""

    address = models.CharField("地址", max_length=200)
    address_key = models.CharField("地址键", max_length=200, unique=True)
    road = models.CharField("路", max_length=50, blank=True, default="", db_index=True)
    lane = models.CharField("弄", max_length=10, blank=True, default="")
    house = models.CharField("号", max_length=10, blank=True, default="")
    room = models.CharField("室", max_length=20, blank=True, default="")
    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, null=True, blank=True, related_name="households",
                               verbose_name="小区")
    neighbourhood = models.ForeignKey(Neighbourhood, on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="households", verbose_name="居民区")
    grid = models.ForeignKey(Grid, on_delete=models.PROTECT, null=True, blank=True, related_name="households",
                             verbose_name="网格")
    housing = models.CharField("房屋状态", max_length=10, choices=HousingStatus.choices, default=HousingStatus.UNKNOWN)
    tenant_count = models.PositiveSmallIntegerField("租住人数", null=True, blank=True)
    rental_start = models.DateField("租赁起始", null=True, blank=True)
    rental_end = models.DateField("租赁截止", null=True, blank=True)
    crowded_rental = models.BooleanField("群租", default=False)
    notes = models.TextField("备注", blank=True, default="")
    created_at = models.DateTimeField("登记时间")
    updated_at = models.DateTimeField("更新时间")
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = verbose_name_plural = "户"
        ordering = ["address_key"]
        indexes = [models.Index(fields=["neighbourhood", "address_key"], name="household_nb_key")]

    def __str__(self) -> str:
        return self.address


class Relation(models.TextChoices):
    HEAD = "head", "户主"
    SPOUSE = "spouse", "配偶"
    CHILD = "child", "子女"
    PARENT = "parent", "父母"
    GRANDCHILD = "grandchild", "孙子女"
    SIBLING = "sibling", "兄弟姐妹"
    TENANT = "tenant", "租客"
    OTHER = "other", "其他"


class Membership(models.Model):
    """A person living in a household, from `started_at` until `ended_at`: one open membership per person at a
    time; a move ends the old row and opens a new one (history, not an overwrite)."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="memberships", verbose_name="人员")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="memberships", verbose_name="户")
    relation = models.CharField("与户主关系", max_length=12, choices=Relation.choices, default=Relation.OTHER)
    started_at = models.DateTimeField("入户时间")
    ended_at = models.DateTimeField("离户时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "户成员"
        ordering = ["household_id", "started_at"]
        constraints = [
            models.UniqueConstraint(fields=["person"], condition=Q(ended_at__isnull=True),
                                    name="membership_one_open_per_person"),
        ]
        indexes = [models.Index(fields=["household", "ended_at"], name="membership_household_open")]


class UnitKind(models.TextChoices):
    SHOP = "shop", "沿街商铺"
    RESTAURANT = "restaurant", "餐饮"
    MARKET = "market", "菜场/市场"
    SCHOOL = "school", "学校/幼儿园"
    HOSPITAL = "hospital", "医疗机构"
    COMPANY = "company", "企业"
    GOVERNMENT = "government", "机关/事业单位"
    SOCIAL = "social", "社会组织"
    OTHER = "other", "其他"


class UnitStatus(models.TextChoices):
    OPEN = "open", "营业"
    SUSPENDED = "suspended", "停业"
    CLOSED = "closed", "已关闭"


class Unit(models.Model):
    """单位: street-front shops, restaurants, schools, hospitals, companies and other 驻区单位 (一店一档)."""

    name = models.CharField("名称", max_length=100, db_index=True)
    credit_code = models.CharField("统一社会信用代码", max_length=18, blank=True, default="")
    kind = models.CharField("类型", max_length=12, choices=UnitKind.choices, default=UnitKind.SHOP)
    address = models.CharField("地址", max_length=200)
    address_key = models.CharField("地址键", max_length=200, db_index=True)
    road = models.CharField("路", max_length=50, blank=True, default="", db_index=True)
    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, null=True, blank=True, related_name="units",
                               verbose_name="小区")
    neighbourhood = models.ForeignKey(Neighbourhood, on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="units", verbose_name="居民区")
    grid = models.ForeignKey(Grid, on_delete=models.PROTECT, null=True, blank=True, related_name="units",
                             verbose_name="网格")
    operator = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="operated_units", verbose_name="经营者/负责人")
    phone = models.CharField("单位电话", max_length=20, blank=True, default="")
    status = models.CharField("经营状态", max_length=10, choices=UnitStatus.choices, default=UnitStatus.OPEN)
    notes = models.TextField("备注", blank=True, default="")
    created_at = models.DateTimeField("登记时间")
    updated_at = models.DateTimeField("更新时间")
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = verbose_name_plural = "单位"
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["credit_code"], condition=~Q(credit_code=""), name="unit_unique_credit_code"),
        ]

    def __str__(self) -> str:
        return self.name


class UnitContact(models.Model):
    """A person to call about a unit (店长, 安全员, 食品安全员 …), besides the operator."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="contacts", verbose_name="单位")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="unit_contacts", verbose_name="人员")
    role = models.CharField("职责", max_length=30, blank=True, default="")

    class Meta:
        verbose_name = verbose_name_plural = "单位联系人"
        constraints = [models.UniqueConstraint(fields=["unit", "person"], name="unit_contact_unique")]


class Entity(models.TextChoices):
    PERSON = "person", "人员"
    HOUSEHOLD = "household", "户"
    UNIT = "unit", "单位"


class ChangeRecord(models.Model):
    """Append-only history of the registry, like CaseEvent: who changed what, when, before → after.

    `changes` is {field: [before, after]} with values as shown (choice labels, names), so the timeline reads without
    joins; personal values in it are masked by the selectors like the rows themselves."""

    class Action(models.TextChoices):
        CREATE = "create", "登记"
        UPDATE = "update", "修改"
        MOVE_IN = "move_in", "入户"
        MOVE_OUT = "move_out", "离户"
        TAG = "tag", "标签"
        LINK_CASE = "link_case", "关联工单"
        UNLINK_CASE = "unlink_case", "取消关联工单"
        MERGE = "merge", "合并重复"
        IMPORT = "import", "导入"
        BIND_LOGIN = "bind_login", "绑定登录"
        ANONYMISE = "anonymise", "匿名化"

    entity = models.CharField("对象", max_length=10, choices=Entity.choices)
    object_id = models.PositiveBigIntegerField("对象编号")
    action = models.CharField("操作", max_length=20, choices=Action.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="registry_changes",
                              verbose_name="操作人")
    at = models.DateTimeField("时间", db_index=True)
    changes = models.JSONField("变更", default=dict, blank=True)
    note = models.CharField("说明", max_length=500, blank=True, default="")
    source = models.CharField("来源", max_length=30, blank=True, default="web")

    class Meta:
        verbose_name = verbose_name_plural = "底册变更记录"
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["entity", "object_id", "at"], name="change_entity_at")]

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise AppendOnlyError("底册变更记录只能追加,不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("底册变更记录只能追加,不能删除")


class CaseLink(models.Model):
    """A case's 诉求人 is this person (decision=linked), or a suggested person was rejected (decision=rejected, so it
    is not suggested again). Suggestions come from phone/name/address (registry/linking.py); a person decides."""

    class Decision(models.TextChoices):
        LINKED = "linked", "已关联"
        REJECTED = "rejected", "非本人"

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="registry_links", verbose_name="工单")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="case_links", verbose_name="人员")
    household = models.ForeignKey(Household, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="case_links", verbose_name="户")
    decision = models.CharField("结论", max_length=10, choices=Decision.choices)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name="确认人")
    decided_at = models.DateTimeField("确认时间")

    class Meta:
        verbose_name = verbose_name_plural = "工单诉求人关联"
        constraints = [
            models.UniqueConstraint(fields=["case", "person"], name="caselink_unique_pair"),
            models.UniqueConstraint(fields=["case"], condition=Q(decision="linked"), name="caselink_one_person_per_case"),
        ]


class Capacity(models.Model):
    """A capacity a person holds in a community programme (志愿者, 楼组长, 理事会成员, 商户负责人 …), beside any staff role.

    Roles (org.User.role) decide what a login may do to cases and stay one per account, so the case transition table
    is untouched; capacities are many per person, each with its own scope and dates, and each programme declares the
    kinds it uses (registry/capacities.py) without touching `cases` or this model."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="capacities", verbose_name="人员")
    kind = models.CharField("身份", max_length=30)
    neighbourhood = models.ForeignKey(Neighbourhood, on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="+", verbose_name="居民区")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, null=True, blank=True, related_name="capacities",
                             verbose_name="单位")
    started_at = models.DateTimeField("起始")
    ended_at = models.DateTimeField("结束", null=True, blank=True)
    note = models.CharField("说明", max_length=200, blank=True, default="")

    class Meta:
        verbose_name = verbose_name_plural = "人员身份"
        ordering = ["person_id", "kind"]
        indexes = [models.Index(fields=["kind", "ended_at"], name="capacity_kind_open")]


# --- rimport ---
from .models_rimport import (  # noqa: E402,F401 - the import models belong to this app
    ImportKind,
    LinkCandidate,
    RegistryImportJob,
    RegistryImportProfile,
    RegistryImportRejection,
)
