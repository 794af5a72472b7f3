"""Reading a data book: the import profiles (which column holds which field) and one row → validated values.

The default profiles read the columns a 居委会's sheet typically has; an administrator may add others (admin
"底册导入格式"). Every message is the reason a rejected row gets, in Chinese."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from core.errors import ValidationFailed
from core.text import clean_imported

from . import services
from .addresses import ParsedAddress, parse_address
from .models import Gender, HousingStatus, IdType, ImportKind, RegistryImportProfile, Relation, Residence, UnitKind, UnitStatus
from .validation import clean_id_number, gender_from_id

FIELDS: dict[str, dict[str, str]] = {
    ImportKind.PERSONS: {
        "name": "姓名", "gender": "性别", "birth_date": "出生日期", "id_number": "身份证号", "phone": "联系电话",
        "address": "居住地址", "residence": "人员类型", "relation": "与户主关系", "tags": "标签", "notes": "备注",
    },
    ImportKind.HOUSEHOLDS: {
        "address": "地址", "housing": "房屋状态", "tenant_count": "租住人数", "rental_start": "租赁起始",
        "rental_end": "租赁截止", "crowded_rental": "群租", "notes": "备注",
    },
    ImportKind.UNITS: {
        "name": "单位名称", "credit_code": "统一社会信用代码", "kind": "类型", "address": "地址", "operator": "经营者",
        "operator_phone": "经营者电话", "phone": "单位电话", "status": "经营状态", "notes": "备注",
    },
}
REQUIRED = {ImportKind.PERSONS: ("name",), ImportKind.HOUSEHOLDS: ("address",), ImportKind.UNITS: ("name", "address")}
# Headers other sheets use for the same field: a default profile accepts them too.
ALIASES = {
    "id_number": ("公民身份号码", "身份证号码", "证件号码"), "phone": ("手机号", "电话", "手机"),
    "address": ("现住址", "住址", "地址", "居住地址", "实际居住地址", "经营地址"),
    "residence": ("户籍类型", "人口类型", "人员类别"),
    "name": ("名称", "商户名称", "店名"), "credit_code": ("信用代码",), "operator": ("负责人", "法定代表人"),
}
DEFAULT_NAMES = {ImportKind.PERSONS: "居委会人员表", ImportKind.HOUSEHOLDS: "居委会房屋表",
                 ImportKind.UNITS: "一店一档单位表"}

GENDERS = {"男": Gender.MALE, "女": Gender.FEMALE, "m": Gender.MALE, "f": Gender.FEMALE}
RESIDENCES = {"户籍": Residence.HUKOU, "户籍人口": Residence.HUKOU, "常住": Residence.RESIDENT,
              "常住人口": Residence.RESIDENT, "人户分离": Residence.RESIDENT, "流动": Residence.FLOATING,
              "流动人口": Residence.FLOATING, "来沪": Residence.FLOATING, "外来": Residence.FLOATING}
RELATIONS = {**{r.label: r.value for r in Relation}, "本人": Relation.HEAD, "户主本人": Relation.HEAD,
             "妻": Relation.SPOUSE, "妻子": Relation.SPOUSE, "夫": Relation.SPOUSE, "丈夫": Relation.SPOUSE,
             "子": Relation.CHILD, "女": Relation.CHILD, "儿子": Relation.CHILD, "女儿": Relation.CHILD,
             "长子": Relation.CHILD, "长女": Relation.CHILD, "次子": Relation.CHILD, "次女": Relation.CHILD,
             "父亲": Relation.PARENT, "母亲": Relation.PARENT, "父": Relation.PARENT, "母": Relation.PARENT,
             "孙子": Relation.GRANDCHILD, "孙女": Relation.GRANDCHILD, "外孙": Relation.GRANDCHILD,
             "外孙女": Relation.GRANDCHILD, "兄": Relation.SIBLING, "弟": Relation.SIBLING, "姐": Relation.SIBLING,
             "妹": Relation.SIBLING, "承租人": Relation.TENANT, "租户": Relation.TENANT}
HOUSINGS = {**{h.label: h.value for h in HousingStatus}, "自有": HousingStatus.OWNER, "出租房": HousingStatus.RENTED,
            "空关": HousingStatus.VACANT, "空房": HousingStatus.VACANT}
UNIT_KINDS = {**{k.label: k.value for k in UnitKind}, "商铺": UnitKind.SHOP, "沿街商户": UnitKind.SHOP,
              "饭店": UnitKind.RESTAURANT, "餐饮店": UnitKind.RESTAURANT, "学校": UnitKind.SCHOOL,
              "幼儿园": UnitKind.SCHOOL, "医院": UnitKind.HOSPITAL, "诊所": UnitKind.HOSPITAL, "公司": UnitKind.COMPANY,
              "菜场": UnitKind.MARKET, "市场": UnitKind.MARKET}
UNIT_STATUSES = {**{s.label: s.value for s in UnitStatus}, "正常": UnitStatus.OPEN, "在营": UnitStatus.OPEN,
                 "歇业": UnitStatus.SUSPENDED, "关闭": UnitStatus.CLOSED, "注销": UnitStatus.CLOSED}
YES = {"是", "有", "y", "yes", "1", "true", "√", "群租"}
NO = {"否", "无", "n", "no", "0", "false", ""}
_TAG_SPLIT = re.compile(r"[,,、;;/\s]+")
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$")


_ID_CARD = re.compile(r"^\d{17}[\dX]$")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_REGIONS_SEEN: set[str] = set()


def fast_id_number(text: str) -> str:
    """The 身份证 number checked as registry.validation.clean_id_number checks it, without its region-table lookup
    for a region already seen valid (the lookup costs more than the rest of a row)."""
    number = re.sub(r"[\s\-]", "", text).upper()
    if _ID_CARD.match(number) and number[:6] in _REGIONS_SEEN:
        check = "10X98765432"[sum(int(d) * w for d, w in zip(number[:17], _ID_WEIGHTS, strict=True)) % 11]
        try:
            date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
        except ValueError:
            check = ""
        if check == number[17]:
            return number
    number = clean_id_number(IdType.ID_CARD, number)
    _REGIONS_SEEN.add(number[:6])
    return number


def default_profile(kind: str) -> RegistryImportProfile:
    """The shipped layout for a kind; recreated if deleted, so an import never lacks one."""
    profile = RegistryImportProfile.objects.filter(kind=kind, is_default=True).first()
    if profile is None:
        profile, _ = RegistryImportProfile.objects.get_or_create(
            name=DEFAULT_NAMES[kind], defaults={"kind": kind, "columns": dict(FIELDS[kind]), "is_default": True})
    return profile


def resolve_columns(profile: RegistryImportProfile, header: list[str]) -> dict[str, str]:
    """{field: header present in the file}; a default profile also accepts the usual other spellings."""
    present = set(header)
    columns: dict[str, str] = {}
    for field_name, wanted in profile.columns.items():
        if wanted in present:
            columns[field_name] = wanted
        elif profile.is_default:
            alias = next((a for a in ALIASES.get(field_name, ()) if a in present and a not in columns.values()), None)
            if alias:
                columns[field_name] = alias
    return columns


def check_header(profile: RegistryImportProfile, header: list[str]) -> dict[str, str]:
    columns = resolve_columns(profile, header)
    missing = [f"{FIELDS[profile.kind].get(f, f)}(列「{profile.columns.get(f, '')}」)" for f in REQUIRED[profile.kind]
               if f not in columns]
    if missing:
        raise ValidationFailed(f"文件缺少必需的列:{'、'.join(missing)};文件中的列为:{'、'.join(h for h in header if h)}",
                               details={"field": "file"})
    return columns


def parse_date(text: str, label: str) -> date | None:
    if not text:
        return None
    text = unicodedata.normalize("NFKC", text).strip()
    match = _DATE.match(text)
    if match is None and re.fullmatch(r"\d{8}", text):
        match = re.match(r"(\d{4})(\d{2})(\d{2})", text)
    if match is None:
        raise ValidationFailed(f"{label}格式无法识别:{text}(如 1950-03-08)")
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise ValidationFailed(f"{label}不是有效日期:{text}") from None


def _choice(text: str, table: dict[str, str], label: str, allowed: str) -> str:
    if text in table:
        return table[text]
    if text in table.values():
        return text
    raise ValidationFailed(f"{label}「{text}」无法识别,应为 {allowed}")


@dataclass
class Row:
    """One parsed row: the values for the services, the address read down to the room, what else the row says."""

    number: int
    raw: dict[str, str]
    values: dict[str, Any] = field(default_factory=dict)
    address: ParsedAddress | None = None
    relation: str = ""
    tags: list[str] | None = None
    operator: tuple[str, str] | None = None  # a unit's 经营者 (name, phone)

    def fingerprint(self) -> str:
        """The row's identifying values, normalised: the same person in the next upload gives the same text.
        Computed once (an import asks for it two or three times a row; a row's values are final once parsed)."""
        if "_fingerprint" in self.__dict__:
            return self.__dict__["_fingerprint"]
        v = self.values
        parts = [v.get("name", ""), v.get("id_number", ""), v.get("phone", ""), str(v.get("birth_date") or ""),
                 self.address.key if self.address else "", v.get("credit_code", "")]
        self.__dict__["_fingerprint"] = hashlib.sha256("|".join(parts).encode()).hexdigest()[:64]
        return self.__dict__["_fingerprint"]


class RowParser:
    def __init__(self, profile: RegistryImportProfile, columns: dict[str, str], tag_names: set[str] | None = None):
        self.kind = profile.kind
        self.columns = columns
        self.tag_names = tag_names or set()

    def value(self, raw: dict[str, str], name: str) -> str:
        header = self.columns.get(name)
        return clean_imported(raw.get(header) or "").strip() if header else ""

    def given(self, name: str) -> bool:
        return name in self.columns

    def parse(self, number: int, raw: dict[str, str]) -> Row:
        row = Row(number, raw)
        try:
            getattr(self, f"_parse_{self.kind}")(row)
        except ValidationFailed as exc:
            raise ValidationFailed(exc.message) from None
        return row

    def _address(self, row: Row, *, required: bool) -> None:
        text = unicodedata.normalize("NFKC", self.value(row.raw, "address")).replace("衖", "弄")
        if not text:
            if required:
                raise ValidationFailed("缺少地址")
            return
        if len(text) > 200:
            raise ValidationFailed("地址超过200个字")
        row.address = parse_address(text)
        if not row.address.road:
            raise ValidationFailed(f"地址无法识别到路/弄/号:{text}")

    def _parse_persons(self, row: Row) -> None:
        v = row.values
        v["name"] = self.value(row.raw, "name")
        if not v["name"]:
            raise ValidationFailed("缺少姓名")
        gender = self.value(row.raw, "gender")
        if gender:
            v["gender"] = _choice(gender.lower(), GENDERS, "性别", "男/女")
        birth = parse_date(self.value(row.raw, "birth_date"), "出生日期")
        if birth:
            v["birth_date"] = birth
        number = unicodedata.normalize("NFKC", self.value(row.raw, "id_number"))
        phone = unicodedata.normalize("NFKC", self.value(row.raw, "phone"))
        if phone:
            v["phone"] = phone
        residence = self.value(row.raw, "residence")
        if residence:
            v["residence"] = _choice(residence, RESIDENCES, "人员类型", "户籍/常住/流动")
        notes = self.value(row.raw, "notes")
        if notes:
            v["notes"] = notes
        validated = services._person_values(v)
        validated.pop("id_type", None)
        validated.pop("id_number", None)
        if number:
            number = fast_id_number(number)
            from_id = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
            if validated.get("birth_date") and validated["birth_date"] != from_id:
                raise ValidationFailed("出生日期与身份证号码不一致")
            validated.update(id_type=IdType.ID_CARD, id_number=number, birth_date=from_id)
            if not validated.get("gender"):
                validated["gender"] = gender_from_id(number)
        if "gender" not in v and not validated.get("gender"):
            validated.pop("gender", None)
        if not validated.get("birth_date"):
            validated.pop("birth_date", None)
        row.values = validated
        relation = self.value(row.raw, "relation")
        if relation:
            row.relation = _choice(relation, RELATIONS, "与户主关系", "户主/配偶/子女/父母/孙子女/兄弟姐妹/租客/其他")
        if self.given("tags"):
            names = [t for t in _TAG_SPLIT.split(self.value(row.raw, "tags")) if t]
            unknown = [t for t in names if t not in self.tag_names]
            if unknown:
                raise ValidationFailed(f"未知的人员标签:{'、'.join(unknown)}(标签须先在管理后台维护)")
            row.tags = sorted(set(names)) if names else None
        self._address(row, required=False)
        if row.address and not (row.address.house or row.address.lane):
            raise ValidationFailed("居住地址须写到门牌号(路/弄/号,最好到室)")

    def _parse_households(self, row: Row) -> None:
        v = row.values
        self._address(row, required=True)
        if not row.address.house:
            raise ValidationFailed("地址须写到门牌号(路/弄/号,最好到室)")
        housing = self.value(row.raw, "housing")
        if housing:
            v["housing"] = _choice(housing, HOUSINGS, "房屋状态", "自住/出租/空置")
        count = unicodedata.normalize("NFKC", self.value(row.raw, "tenant_count"))
        if count:
            if not count.isdigit():
                raise ValidationFailed(f"租住人数须为整数:{count}")
            v["tenant_count"] = int(count)
        for name, label in (("rental_start", "租赁起始"), ("rental_end", "租赁截止")):
            parsed = parse_date(self.value(row.raw, name), label)
            if parsed:
                v[name] = parsed
        crowded = self.value(row.raw, "crowded_rental").lower()
        if self.given("crowded_rental") and crowded not in YES | NO:
            raise ValidationFailed(f"群租须填 是/否:{crowded}")
        if crowded:
            v["crowded_rental"] = crowded in YES
        notes = self.value(row.raw, "notes")
        if notes:
            v["notes"] = notes
        row.values = services._housing_values(v)

    def _parse_units(self, row: Row) -> None:
        v = row.values
        v["name"] = self.value(row.raw, "name")
        if not v["name"]:
            raise ValidationFailed("缺少单位名称")
        self._address(row, required=True)
        code = self.value(row.raw, "credit_code")
        if code:
            v["credit_code"] = code
        kind = self.value(row.raw, "kind")
        if kind:
            v["kind"] = _choice(kind, UNIT_KINDS, "单位类型", "沿街商铺/餐饮/学校/医疗机构/企业/其他")
        status = self.value(row.raw, "status")
        if status:
            v["status"] = _choice(status, UNIT_STATUSES, "经营状态", "营业/停业/已关闭")
        phone = unicodedata.normalize("NFKC", self.value(row.raw, "phone"))
        if phone:
            v["phone"] = phone
        notes = self.value(row.raw, "notes")
        if notes:
            v["notes"] = notes
        row.values = services._unit_values(v)
        operator = self.value(row.raw, "operator")
        operator_phone = unicodedata.normalize("NFKC", self.value(row.raw, "operator_phone"))
        if operator:
            checked = services._person_values({"name": operator, "phone": operator_phone})
            row.operator = (checked["name"], checked["phone"])


def as_json(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, date | datetime) else v for k, v in values.items()}


def from_json(values: dict[str, Any]) -> dict[str, Any]:
    out = dict(values)
    for key in ("birth_date", "rental_start", "rental_end"):
        if out.get(key):
            out[key] = date.fromisoformat(out[key])
    return out
