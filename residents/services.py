"""A resident, volunteer or shop operator signs in with phone + SMS code and is bound to their Person record.

No staff account is made (org.User stays for staff, one role per login, driving the case transition table): the
resident's sign-in is a key in the session (residents/session.py), so every staff page still sees an anonymous
user. The code is the self-report page's (selfreport.services: same limits, same SMS channel).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest

from audit.models import AuditEntry
from audit.services import audit_record
from cases.policy import mask_name, mask_phone
from core import clock
from core.errors import DomainError, NotFound, ValidationFailed
from registry.models import Person, PersonStatus
from selfreport import services as codes
from selfreport.models import PhoneCode

NOT_FOUND_MESSAGE = "未在社区底册中找到该手机号,请联系居委会登记"
# More persons than this on one phone: not a family sharing a phone but a data problem for the 居委会 to sort out.
MAX_CHOICES = 6
TOO_MANY_MESSAGE = "该手机号登记在多位居民名下,无法确认身份,请联系居委会核实"


@dataclass(frozen=True)
class SignIn:
    phone: str
    persons: list[Person]


def persons_for_phone(phone: str) -> QuerySet[Person]:
    """The registry's living, not anonymised persons whose phone or 备用电话 is this one."""
    return (Person.objects.filter(Q(phone=phone) | Q(phone_alt=phone), anonymised_at__isnull=True)
            .exclude(status=PersonStatus.DECEASED).order_by("pk"))


def _audit(request: HttpRequest | None, *, action: str, phone: str, person: Person | None = None, **detail) -> None:
    audit_record(action=action, request=request, username=f"居民 {mask_phone(phone)}"[:150], object_type="resident",
                 object_id=person.pk if person else "", detail={"resident": True, **detail})


def resident_signin(*, phone: str, code: str, request: HttpRequest | None = None) -> SignIn:
    """Check the code and find the person(s) on the phone; every failure is a 登录失败 audit entry.

    The code is used up only when a person is found: "not registered" leaves it valid, so the 居委会 can register
    the resident while they wait. Several persons: the caller lets the resident pick (masked names)."""
    try:
        verified = codes.phone_code_check(phone=phone, code=code)
        compact = verified.phone
        persons = list(persons_for_phone(compact)[:MAX_CHOICES + 1])
        if not persons:
            raise NotFound(NOT_FOUND_MESSAGE, details={"field": "phone"})
        if len(persons) > MAX_CHOICES:
            raise ValidationFailed(TOO_MANY_MESSAGE, details={"field": "phone"})
        with transaction.atomic():
            if PhoneCode.objects.filter(pk=verified.pk, used_at__isnull=True).update(used_at=clock.now()) != 1:
                raise ValidationFailed("验证码已使用,请重新获取", details={"field": "code"})
    except DomainError as exc:
        _audit(request, action=AuditEntry.Action.LOGIN_FAILED, phone="".join(c for c in phone if c.isdigit()),
               reason=exc.message)
        raise
    if len(persons) == 1:
        resident_signed_in(request, phone=compact, person=persons[0])
    return SignIn(phone=compact, persons=persons)


def resident_signed_in(request: HttpRequest | None, *, phone: str, person: Person) -> None:
    _audit(request, action=AuditEntry.Action.LOGIN, phone=phone, person=person)


def resident_signed_out(request: HttpRequest | None, *, person: Person) -> None:
    _audit(request, action=AuditEntry.Action.LOGOUT, phone=person.phone, person=person)


def choice_label(person: Person) -> str:
    """How a person is offered when several share a phone: masked name and birth year, nothing more."""
    year = f"({person.birth_date.year}年生)" if person.birth_date else ""
    return f"{mask_name(person.name)}{year}"
