"""Web forms of the registry pages: they parse what was typed; the services validate it (Chinese messages, the field
named in `details["field"]`) and `attach_error` puts a service's message next to its field."""

from __future__ import annotations

import re
from typing import Any

from django import forms

from core.errors import DomainError, ValidationFailed
from org.models import Neighbourhood, User

from . import policy
from .addresses import parse_address
from .models import (
    Gender,
    Household,
    HousingStatus,
    IdType,
    Person,
    PersonStatus,
    Relation,
    Residence,
    Tag,
    Unit,
    UnitKind,
    UnitStatus,
)

ANY = [("", "全部")]
OTHER_PURPOSE = "other"


def _choices(enum, *, blank: str | None = None) -> list[tuple[str, str]]:
    values = [(v, label) for v, label in enum.choices if v != ""]
    return ([("", blank)] if blank is not None else []) + values


def _tag_choices() -> list[tuple[str, str]]:
    return [(t.name, t.name) for t in Tag.objects.filter(is_active=True)]


def attach_error(form: forms.Form, exc: DomainError) -> None:
    """A service's refusal next to the field it names (or at the top of the form)."""
    field = (exc.details or {}).get("field")
    form.add_error(field if field in form.fields else None, exc.message)


# --- filters -------------------------------------------------------------------------------------------------------


class PersonFilterForm(forms.Form):
    q = forms.CharField(label="姓名/地址/电话/证件号", required=False, max_length=50,
                        widget=forms.TextInput(attrs={"type": "search", "placeholder": "姓名、地址,或完整电话/证件号"}))
    neighbourhood = forms.ModelChoiceField(label="居民区", queryset=Neighbourhood.objects.all(), required=False,
                                           empty_label="全部")
    tag = forms.ChoiceField(label="标签", required=False)
    residence = forms.ChoiceField(label="人员类型", required=False, choices=ANY + _choices(Residence))
    status = forms.ChoiceField(label="状态", required=False, choices=ANY + _choices(PersonStatus))

    def __init__(self, *args, user: User | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tag"].choices = ANY + _tag_choices()
        if user is not None and not policy.may_search_identifiers(user):
            self.fields["q"].label = "姓名/地址"
            self.fields["q"].widget.attrs["placeholder"] = "姓名或地址(路名/小区)"


class HouseholdFilterForm(forms.Form):
    q = forms.CharField(label="路名/小区", required=False, max_length=50,
                        widget=forms.TextInput(attrs={"type": "search", "placeholder": "路名、小区或门牌"}))
    neighbourhood = forms.ModelChoiceField(label="居民区", queryset=Neighbourhood.objects.all(), required=False,
                                           empty_label="全部")
    housing = forms.ChoiceField(label="房屋状态", required=False, choices=ANY + _choices(HousingStatus))
    crowded = forms.BooleanField(label="仅群租", required=False)


class UnitFilterForm(forms.Form):
    q = forms.CharField(label="名称/信用代码/地址", required=False, max_length=50,
                        widget=forms.TextInput(attrs={"type": "search", "placeholder": "名称、统一社会信用代码或地址"}))
    neighbourhood = forms.ModelChoiceField(label="居民区", queryset=Neighbourhood.objects.all(), required=False,
                                           empty_label="全部")
    kind = forms.ChoiceField(label="类型", required=False, choices=ANY + _choices(UnitKind))
    status = forms.ChoiceField(label="经营状态", required=False, choices=ANY + _choices(UnitStatus))


def cleaned(form: forms.Form) -> dict[str, Any]:
    """A filter form's valid values (a wrong one is dropped, the others still filter)."""
    if not form.is_bound:
        return {}
    form.is_valid()
    return form.cleaned_data


# --- purpose of an unmasked view -----------------------------------------------------------------------------------


class RevealForm(forms.Form):
    """PIPL: the purpose of every unmasked view, one of the listed ones, or 其他 with a text."""

    purpose = forms.ChoiceField(label="查看目的", choices=[("", "请选择")] + list(policy.REVEAL_PURPOSES.items()),
                                error_messages={"required": "请选择查看目的"})
    purpose_text = forms.CharField(label="说明", required=False, max_length=200,
                                   widget=forms.TextInput(attrs={"placeholder": "选择“其他”时必填,至少4个字"}))

    def clean(self):
        data = super().clean()
        if data.get("purpose") == OTHER_PURPOSE and len((data.get("purpose_text") or "").strip()) < 4:
            self.add_error("purpose_text", "选择“其他”时请写明查看目的(至少4个字)")
        return data

    def purpose_label(self) -> str:
        data = self.cleaned_data
        label = policy.REVEAL_PURPOSES[data["purpose"]]
        text = (data.get("purpose_text") or "").strip()
        if data["purpose"] == OTHER_PURPOSE:
            return f"其他:{text}"
        return f"{label}:{text}" if text else label


# --- persons -------------------------------------------------------------------------------------------------------


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class PersonForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=50, error_messages={"required": "请填写姓名"})
    gender = forms.ChoiceField(label="性别", required=False, choices=_choices(Gender, blank="未填"))
    birth_date = forms.DateField(label="出生日期", required=False, widget=DateInput(),
                                 help_text="填身份证号时可不填,由号码读出",
                                 error_messages={"invalid": "出生日期格式不正确(如 1950-03-08)"})
    id_type = forms.ChoiceField(label="证件类型", choices=_choices(IdType), initial=IdType.ID_CARD)
    id_number = forms.CharField(label="证件号码", required=False, max_length=40)
    phone = forms.CharField(label="联系电话", required=False, max_length=30)
    phone_alt = forms.CharField(label="备用电话", required=False, max_length=30)
    residence = forms.ChoiceField(label="人员类型", choices=_choices(Residence), initial=Residence.HUKOU)
    status = forms.ChoiceField(label="状态", choices=_choices(PersonStatus), initial=PersonStatus.ACTIVE)
    tags = forms.MultipleChoiceField(label="标签", required=False, widget=forms.CheckboxSelectMultiple)
    notes = forms.CharField(label="备注", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    household = forms.CharField(label="所在户(地址或户编号)", required=False, max_length=200,
                                help_text="写到室,如 愚园路128弄3号501室,或户页上的 H 编号;须是已登记的户")
    relation = forms.ChoiceField(label="与户主关系", choices=_choices(Relation), initial=Relation.OTHER)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tags"].choices = _tag_choices()
        if editing:  # moves go through the household panel of the person page (history, not an overwrite)
            del self.fields["household"], self.fields["relation"]
        else:
            del self.fields["status"]

    @staticmethod
    def initial_for(person: Person) -> dict[str, Any]:
        return {"name": person.name, "gender": person.gender, "birth_date": person.birth_date,
                "id_type": person.id_type, "id_number": person.id_number, "phone": person.phone,
                "phone_alt": person.phone_alt, "residence": person.residence, "status": person.status,
                "tags": [t.name for t in person.tags.all()], "notes": person.notes, "version": person.version}

    def person_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {k: data[k] for k in ("name", "gender", "birth_date", "id_type", "id_number", "phone", "phone_alt",
                                     "residence", "status", "notes") if k in self.fields}


def household_by_address(user: User, text: str) -> Household | None:
    """The visible household at this address (its natural key), or ValidationFailed naming the field."""
    text = (text or "").strip()
    if not text:
        return None
    number = re.fullmatch(r"[Hh]0*(\d+)", text)
    lookup = {"pk": int(number[1])} if number else {"address_key": parse_address(text).key}
    household = policy.visible(user, Household.objects.filter(**lookup)).first()
    if household is None:
        raise ValidationFailed("没有找到该地址的户,请先登记该户或核对地址", details={"field": "household"})
    return household


def person_by_reference(user: User, text: str, *, field: str) -> Person | None:
    """A person picked from the registry by 底册编号 (the number on the person page) or by an unambiguous name."""
    text = (text or "").strip()
    if not text:
        return None
    number = re.fullmatch(r"[Pp]?0*(\d+)", text)
    qs = policy.visible(user, Person.objects.all())
    if number:
        person = qs.filter(pk=int(number[1])).first()
        if person is None:
            raise ValidationFailed(f"底册中没有编号为 {text} 的人员(或不在您的职责范围内)", details={"field": field})
        return person
    found = list(qs.filter(name=text)[:2])
    if not found:
        raise ValidationFailed(f"底册中没有名为 {text} 的人员,请先登记或填写底册编号", details={"field": field})
    if len(found) > 1:
        raise ValidationFailed(f"底册中有多位 {text},请填写底册编号(人员页上的 P 编号)", details={"field": field})
    return found[0]


class MoveForm(forms.Form):
    household = forms.CharField(label="迁入户(地址或户编号)", max_length=200, error_messages={"required": "请填写迁入户的地址"})
    relation = forms.ChoiceField(label="与户主关系", choices=_choices(Relation), initial=Relation.OTHER)
    note = forms.CharField(label="说明", required=False, max_length=200)


class MemberAddForm(forms.Form):
    person = forms.CharField(label="人员(底册编号或姓名)", max_length=50, error_messages={"required": "请填写人员"})
    relation = forms.ChoiceField(label="与户主关系", choices=_choices(Relation), initial=Relation.OTHER)
    note = forms.CharField(label="说明", required=False, max_length=200)


# --- households ----------------------------------------------------------------------------------------------------


class HouseholdForm(forms.Form):
    address = forms.CharField(label="地址(写到室)", max_length=200, error_messages={"required": "请填写地址"},
                              help_text="如 愚园路128弄3号501室")
    neighbourhood = forms.ModelChoiceField(label="所属居民区", queryset=Neighbourhood.objects.all(), required=False,
                                           empty_label="按地址库自动识别",
                                           help_text="地址库中没有的地址须指定")
    housing = forms.ChoiceField(label="房屋状态", choices=_choices(HousingStatus), initial=HousingStatus.UNKNOWN)
    tenant_count = forms.IntegerField(label="租住人数", required=False, min_value=0, max_value=200,
                                      error_messages={"invalid": "租住人数须为 0–200 的整数",
                                                      "min_value": "租住人数须为 0–200 的整数",
                                                      "max_value": "租住人数须为 0–200 的整数"})
    rental_start = forms.DateField(label="租赁起始", required=False, widget=DateInput(),
                                   error_messages={"invalid": "租赁日期格式不正确(如 2026-03-01)"})
    rental_end = forms.DateField(label="租赁截止", required=False, widget=DateInput(),
                                 error_messages={"invalid": "租赁日期格式不正确(如 2026-03-01)"})
    crowded_rental = forms.BooleanField(label="群租", required=False)
    notes = forms.CharField(label="备注", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:  # the address is the household's natural key: a different address is a different household
            del self.fields["address"], self.fields["neighbourhood"]

    @staticmethod
    def initial_for(household: Household) -> dict[str, Any]:
        return {"housing": household.housing, "tenant_count": household.tenant_count,
                "rental_start": household.rental_start, "rental_end": household.rental_end,
                "crowded_rental": household.crowded_rental, "notes": household.notes, "version": household.version}

    def household_values(self) -> dict[str, Any]:
        return {k: self.cleaned_data[k] for k in ("housing", "tenant_count", "rental_start", "rental_end",
                                                  "crowded_rental", "notes")}


# --- units ---------------------------------------------------------------------------------------------------------


class UnitForm(forms.Form):
    name = forms.CharField(label="单位名称", max_length=100, error_messages={"required": "请填写单位名称"})
    credit_code = forms.CharField(label="统一社会信用代码", required=False, max_length=30)
    kind = forms.ChoiceField(label="类型", choices=_choices(UnitKind), initial=UnitKind.SHOP)
    address = forms.CharField(label="地址", max_length=200, error_messages={"required": "请填写地址"})
    neighbourhood = forms.ModelChoiceField(label="所属居民区", queryset=Neighbourhood.objects.all(), required=False,
                                           empty_label="按地址库自动识别", help_text="地址库中没有的地址须指定")
    operator = forms.CharField(label="经营者/负责人(底册编号或姓名)", required=False, max_length=50,
                               help_text="从底册中选:填人员页上的 P 编号,或唯一的姓名")
    phone = forms.CharField(label="单位电话", required=False, max_length=30)
    status = forms.ChoiceField(label="经营状态", choices=_choices(UnitStatus), initial=UnitStatus.OPEN)
    notes = forms.CharField(label="备注", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["neighbourhood"]

    @staticmethod
    def initial_for(unit) -> dict[str, Any]:
        return {"name": unit.name, "credit_code": unit.credit_code, "kind": unit.kind, "address": unit.address,
                "operator": f"P{unit.operator_id}" if unit.operator_id else "", "phone": unit.phone,
                "status": unit.status, "notes": unit.notes, "version": unit.version}


class ContactForm(forms.Form):
    person = forms.CharField(label="联系人(底册编号或姓名)", max_length=50, error_messages={"required": "请填写联系人"})
    role = forms.CharField(label="职责", required=False, max_length=30,
                           widget=forms.TextInput(attrs={"placeholder": "如 店长、安全员"}))


class CapacityForm(forms.Form):
    """身份: a capacity a person holds in a programme (registry/capacities.py), optionally at a unit (商户负责人)."""

    kind = forms.ChoiceField(label="身份", error_messages={"required": "请选择身份"})
    unit = forms.CharField(label="单位(U编号,可不填)", required=False, max_length=20)
    note = forms.CharField(label="说明", required=False, max_length=200)

    def __init__(self, *args, **kwargs):
        from .capacities import capacity_kinds

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "请选择")] + list(capacity_kinds().items())


def unit_by_reference(user: User, text: str) -> Unit | None:
    text = (text or "").strip()
    if not text:
        return None
    number = re.fullmatch(r"[Uu]?0*(\d+)", text)
    unit = policy.visible(user, Unit.objects.filter(pk=int(number[1]))).first() if number else None
    if unit is None:
        raise ValidationFailed(f"底册中没有编号为 {text} 的单位(或不在您的职责范围内)", details={"field": "unit"})
    return unit
