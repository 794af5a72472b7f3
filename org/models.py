"""The street's organisation: places (居民区, 小区, 网格, address gazetteer), departments,
users with role and scope, the category taxonomy with SLAs and the responsibility matrix."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models


class Neighbourhood(models.Model):
    """居民区: one neighbourhood committee's area."""

    name = models.CharField("名称", max_length=50, unique=True)
    code = models.CharField("编码", max_length=20, unique=True)

    class Meta:
        verbose_name = verbose_name_plural = "居民区"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Grid(models.Model):
    """网格: a management grid patrolled by 网格员; polygon is optional GeoJSON-style [[lng, lat], ...]."""

    name = models.CharField("名称", max_length=50, unique=True)
    code = models.CharField("编码", max_length=20, unique=True)
    neighbourhood = models.ForeignKey(Neighbourhood, on_delete=models.PROTECT, related_name="grids", verbose_name="居民区")
    polygon = models.JSONField("边界多边形", null=True, blank=True, help_text="[[经度, 纬度], ...] 闭合多边形,可为空")

    class Meta:
        verbose_name = verbose_name_plural = "网格"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.polygon is None:
            return
        valid = isinstance(self.polygon, list) and len(self.polygon) >= 3 and all(
            isinstance(p, (list, tuple)) and len(p) == 2 and all(isinstance(c, (int, float)) for c in p)
            for p in self.polygon
        )
        if not valid:
            raise ValidationError({"polygon": "边界多边形须为至少三个 [经度, 纬度] 点的列表"})


class Estate(models.Model):
    """小区: a housing estate, addressed by one or more road/lane ranges."""

    name = models.CharField("名称", max_length=80)
    neighbourhood = models.ForeignKey(Neighbourhood, on_delete=models.PROTECT, related_name="estates", verbose_name="居民区")
    grid = models.ForeignKey(Grid, on_delete=models.PROTECT, related_name="estates", verbose_name="网格", null=True, blank=True)
    property_company = models.ForeignKey(
        "Department", on_delete=models.SET_NULL, null=True, blank=True, related_name="managed_estates", verbose_name="物业公司"
    )

    class Meta:
        verbose_name = verbose_name_plural = "小区"
        ordering = ["neighbourhood__code", "name"]
        constraints = [models.UniqueConstraint(fields=["neighbourhood", "name"], name="estate_unique_name")]

    def __str__(self) -> str:
        return self.name


class AddressRange(models.Model):
    """Gazetteer row: a 小区 covers lanes (弄) first..last of a road, or house numbers (号) when kind=号."""

    KIND_LANE = "弄"
    KIND_NUMBER = "号"
    estate = models.ForeignKey(Estate, on_delete=models.CASCADE, related_name="address_ranges", verbose_name="小区")
    road = models.CharField("路名", max_length=50, db_index=True)
    kind = models.CharField("类型", max_length=2, choices=[(KIND_LANE, "弄"), (KIND_NUMBER, "号")], default=KIND_LANE)
    first = models.PositiveIntegerField("起")
    last = models.PositiveIntegerField("止")

    class Meta:
        verbose_name = verbose_name_plural = "地址范围"
        ordering = ["road", "first"]

    def __str__(self) -> str:
        return f"{self.road} {self.first}–{self.last}{self.kind}"

    def clean(self) -> None:
        if self.first is not None and self.last is not None and self.first > self.last:
            raise ValidationError("起始号不能大于终止号")


class Department(models.Model):
    """处置单位: any unit a case can be dispatched to."""

    class Kind(models.TextChoices):
        CENTRE = "centre", "城运中心"
        CHENGGUAN = "chengguan", "城管中队"
        PROPERTY = "property", "物业公司"
        RESIDENTS_COMMITTEE = "committee", "居委会"
        HOUSING = "housing", "房管办"
        MARKET = "market", "市场监管所"
        POLICE = "police", "派出所"
        SAFETY = "safety", "平安办"
        COMMUNITY = "community", "社区管理办"
        GREENING = "greening", "绿化市容所"
        OWNERS = "owners", "业委会"
        OTHER = "other", "其他"

    name = models.CharField("名称", max_length=80, unique=True)
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    neighbourhood = models.ForeignKey(
        Neighbourhood, on_delete=models.PROTECT, null=True, blank=True, related_name="departments",
        verbose_name="所属居民区", help_text="居委会必填",
    )
    phone = models.CharField("联系电话", max_length=30, blank=True)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "处置单位"
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.kind == self.Kind.RESIDENTS_COMMITTEE and not self.neighbourhood_id:
            raise ValidationError({"neighbourhood": "居委会必须指定所属居民区"})


class Role(models.TextChoices):
    ADMIN = "admin", "管理员"
    INTAKE = "intake", "受理员"
    DISPATCHER = "dispatcher", "派单员"
    HANDLER = "handler", "处置人"
    CALLBACK = "callback", "回访员"
    LEADER = "leader", "领导"
    GRID = "grid", "网格员"
    CADRE = "cadre", "居委干部"
    AUDITOR = "auditor", "审计员"
    SYSTEM = "system", "系统"


class User(AbstractUser):
    """A person (or the system) acting in chengyun; role decides what, scope decides where."""

    display_name = models.CharField("姓名", max_length=50, blank=True)
    role = models.CharField("角色", max_length=20, choices=Role.choices, default=Role.INTAKE)
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, null=True, blank=True, related_name="members", verbose_name="所属单位"
    )
    neighbourhood = models.ForeignKey(
        Neighbourhood, on_delete=models.PROTECT, null=True, blank=True, related_name="members", verbose_name="所属居民区"
    )
    grid = models.ForeignKey(Grid, on_delete=models.PROTECT, null=True, blank=True, related_name="members", verbose_name="所属网格")
    phone = models.CharField("手机", max_length=20, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "用户"

    def __str__(self) -> str:
        return self.display_name or self.username

    def clean(self) -> None:
        super().clean()
        if self.role == Role.HANDLER and not self.department_id:
            raise ValidationError({"department": "处置人必须指定所属单位"})
        if self.role == Role.GRID and not self.grid_id:
            raise ValidationError({"grid": "网格员必须指定所属网格"})
        if self.role == Role.CADRE and not self.neighbourhood_id:
            raise ValidationError({"neighbourhood": "居委干部必须指定所属居民区"})


class Category(models.Model):
    """Two-level taxonomy (大类/小类); SLAs live on the 小类 (a 大类 row has parent=None)."""

    name = models.CharField("名称", max_length=50)
    code = models.CharField("编码", max_length=20, unique=True)
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name="大类")
    sign_hours = models.DecimalField("签收时限(工作小时)", max_digits=5, decimal_places=1, default=2)
    first_contact_hours = models.DecimalField("先联时限(工作小时)", max_digits=5, decimal_places=1, default=9)
    urgent_first_contact_hours = models.DecimalField("紧急件先联时限(工作小时)", max_digits=5, decimal_places=1, default=2)
    handle_days = models.PositiveIntegerField("办结时限(工作日)", default=5)
    keywords = models.CharField("关键词", max_length=200, blank=True, help_text="以逗号分隔,用于检索和分类")

    class Meta:
        verbose_name = verbose_name_plural = "类别"
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["parent", "name"], name="category_unique_name")]

    def __str__(self) -> str:
        return f"{self.parent.name}/{self.name}" if self.parent_id else self.name

    def clean(self) -> None:
        if self.parent_id and self.parent.parent_id:
            raise ValidationError({"parent": "类别只有两级:大类的上级必须为空"})
        if self.handle_days is not None and self.handle_days < 1:
            raise ValidationError({"handle_days": "办结时限至少为 1 个工作日"})

    @property
    def is_leaf(self) -> bool:
        return self.parent_id is not None


class ResponsibilityRule(models.Model):
    """责任矩阵: category × 居民区 → lead department (+ co-handlers). A rule with no 居民区 applies street-wide."""

    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="responsibility_rules", verbose_name="类别")
    neighbourhood = models.ForeignKey(
        Neighbourhood, on_delete=models.CASCADE, null=True, blank=True, related_name="responsibility_rules", verbose_name="居民区"
    )
    lead_department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="lead_rules", verbose_name="主办单位")
    co_departments = models.ManyToManyField(Department, blank=True, related_name="co_rules", verbose_name="协办单位")

    class Meta:
        verbose_name = verbose_name_plural = "责任矩阵"
        constraints = [
            models.UniqueConstraint(fields=["category", "neighbourhood"], name="responsibility_unique"),
            models.UniqueConstraint(
                fields=["category"], condition=models.Q(neighbourhood__isnull=True), name="responsibility_unique_streetwide"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category} @ {self.neighbourhood or '全街道'} → {self.lead_department}"



class ApiToken(models.Model):
    """A per-user API token. Only a hash is stored; the key is shown once at creation.

    Its scope narrows what the user may do through it: a read-only token (for a dashboard screen or a report job)
    cannot change anything even when its user could.
    """

    class Scope(models.TextChoices):
        READ = "read", "只读"
        WRITE = "write", "读写"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name="用户")
    name = models.CharField("用途", max_length=80, blank=True)
    scope = models.CharField("权限范围", max_length=10, choices=Scope.choices, default=Scope.WRITE)
    prefix = models.CharField("前缀", max_length=12, db_index=True)
    key_hash = models.CharField("摘要", max_length=64, unique=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "API 令牌"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user} {self.prefix}…"

    @property
    def expires_at(self):
        from datetime import timedelta

        from django.conf import settings

        return self.created_at + timedelta(days=settings.API_TOKEN_LIFETIME_DAYS)

    @property
    def is_active(self) -> bool:
        from django.utils import timezone

        return self.revoked_at is None and timezone.now() < self.expires_at
