"""The registry's lists as Excel workbooks (write-only, streamed row by row through core.excel.append_row), personal
data through the same RegistryMasker as the pages: clear only for policy.CLEAR_ROLES."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count, Q, QuerySet

from core.excel import append_row
from org.models import User

from . import selectors
from .models import Household, Membership, Person, Unit
from .policy import RegistryMasker

EXPORT_LIMIT = 50000
PERSON_HEADER = ["底册编号", "姓名", "性别", "出生日期", "证件类型", "证件号码", "联系电话", "备用电话", "人员类型", "状态",
                 "标签", "居民区", "网格", "现住址", "备注"]
HOUSEHOLD_HEADER = ["户编号", "地址", "小区", "居民区", "网格", "房屋状态", "租住人数", "租赁起始", "租赁截止", "群租",
                    "现有成员数", "备注"]
UNIT_HEADER = ["单位编号", "名称", "统一社会信用代码", "类型", "地址", "居民区", "网格", "经营者/负责人", "经营者电话",
               "单位电话", "经营状态", "备注"]


def _workbook(title: str, header: list[str]):
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title)
    append_row(sheet, header)
    return workbook, sheet


def persons_workbook(user: User, persons: QuerySet[Person]):
    masker = RegistryMasker(user)
    workbook, sheet = _workbook("人员", PERSON_HEADER)
    for person in selectors.persons_prefetched(persons.select_related("grid")).iterator(chunk_size=2000):
        row_masker = RegistryMasker(user, force=True) if person.anonymised_at else masker
        home = person.open_memberships[0].household if person.open_memberships else None
        append_row(sheet, [
            f"P{person.pk}", row_masker.name(person.name), person.get_gender_display() if person.gender else "",
            row_masker.birth_date(person.birth_date), person.get_id_type_display(),
            row_masker.id_number(person.id_number), row_masker.phone(person.phone), row_masker.phone(person.phone_alt),
            person.get_residence_display(), person.get_status_display(), "、".join(t.name for t in person.tags.all()),
            person.neighbourhood.name if person.neighbourhood_id else "", person.grid.name if person.grid_id else "",
            row_masker.address(home.address) if home else "",
            row_masker.notes(person.notes),
        ])
    return workbook, not masker.masked


def households_workbook(user: User, households: QuerySet[Household]):
    masker = RegistryMasker(user)
    workbook, sheet = _workbook("户", HOUSEHOLD_HEADER)
    qs = households.annotate(open_members=Count("memberships", filter=Q(memberships__ended_at__isnull=True)))
    secrets: dict[int, tuple[list[str], list[str]]] = defaultdict(lambda: ([], []))
    if masker.masked:  # names and phones of everyone who lived there, masked out of the notes
        for hid, name, phone, alt in Membership.objects.filter(household__in=households).values_list(
                "household_id", "person__name", "person__phone", "person__phone_alt"):
            secrets[hid][0].append(name)
            secrets[hid][1].extend(p for p in (phone, alt) if p)
    for h in qs.iterator(chunk_size=2000):
        names, phones = secrets.get(h.pk, ([], []))
        append_row(sheet, [
            f"H{h.pk}", masker.address(h.address), h.estate.name if h.estate_id else "",
            h.neighbourhood.name if h.neighbourhood_id else "", h.grid.name if h.grid_id else "",
            h.get_housing_display(), h.tenant_count, h.rental_start, h.rental_end, "是" if h.crowded_rental else "",
            h.open_members, masker.notes(h.notes),
        ])
    return workbook, not masker.masked


def units_workbook(user: User, units: QuerySet[Unit]):
    masker = RegistryMasker(user)
    workbook, sheet = _workbook("单位", UNIT_HEADER)
    for u in units.select_related("grid").iterator(chunk_size=2000):
        op = u.operator
        append_row(sheet, [
            f"U{u.pk}", u.name, u.credit_code, u.get_kind_display(), u.address,
            u.neighbourhood.name if u.neighbourhood_id else "", u.grid.name if u.grid_id else "",
            masker.name(op.name) if op else "", masker.phone(op.phone) if op else "", u.phone,
            u.get_status_display(), masker.notes(u.notes),
        ])
    return workbook, not masker.masked
