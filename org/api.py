"""API for tokens and the organisation's reference data (categories, departments, places)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from core.errors import NotFound, PermissionDenied

from . import selectors, services
from .models import ApiToken, Category, Department, Neighbourhood
from .otp import otp_required, otp_verify

router = Router(tags=["组织与认证"])


class TokenIn(Schema):
    username: str
    password: str
    name: str = ""
    scope: Literal["read", "write"] = Field("write", description="read=只读令牌(只能 GET),write=读写")
    otp: str = Field("", description="已启用两步验证的账号:身份验证器中的 6 位动态码")


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    scope: str
    created_at: datetime
    expires_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenCreated(TokenOut):
    token: str


@router.post("/auth/token", auth=None, response={201: TokenCreated}, summary="用用户名和密码换取 API 令牌")
def token_create(request: HttpRequest, payload: TokenIn):
    user = authenticate(request, username=payload.username, password=payload.password)
    if user is None:
        raise PermissionDenied("用户名或密码错误", code="invalid_credentials")
    if otp_required(user) and not otp_verify(user, payload.otp):
        # A wrong second factor counts as a failed login: towards the lock-out and in the audit log.
        user_login_failed.send(sender=__name__, credentials={"username": payload.username}, request=request)
        raise PermissionDenied("该账号已启用两步验证,请填写正确的 6 位动态码", code="otp_required")
    token, key = services.api_token_create(user=user, name=payload.name, scope=payload.scope)
    return Status(201, {**TokenOut.from_orm(token).dict(), "token": key})


@router.get("/auth/tokens", response=list[TokenOut], summary="我的令牌")
def token_list(request: HttpRequest):
    return list(ApiToken.objects.filter(user=request.user))


@router.delete("/auth/tokens/{token_id}", response=TokenOut, summary="吊销令牌")
def token_revoke(request: HttpRequest, token_id: int):
    token = ApiToken.objects.filter(pk=token_id).first()
    if token is None or (token.user_id != request.user.pk and request.user.role != "admin"):
        raise NotFound("令牌不存在")
    return services.api_token_revoke(user=request.user, token=token)


class CategoryOut(Schema):
    id: int
    code: str
    name: str
    parent_id: int | None
    parent_name: str | None
    sign_hours: float
    first_contact_hours: float
    urgent_first_contact_hours: float
    handle_days: int

    @staticmethod
    def resolve_parent_name(obj: Category) -> str | None:
        return obj.parent.name if obj.parent_id else None


class DepartmentOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str
    neighbourhood_id: int | None

    @staticmethod
    def resolve_kind_label(obj: Department) -> str:
        return obj.get_kind_display()


class NeighbourhoodOut(Schema):
    id: int
    code: str
    name: str


class PlaceOut(Schema):
    found: bool
    matched: str = ""
    estate: str | None = None
    neighbourhood_id: int | None = None
    neighbourhood: str | None = None
    grid_id: int | None = None
    grid: str | None = None


@router.get("/categories", response=list[CategoryOut], summary="类别(大类/小类)及时限")
def category_list(request: HttpRequest):
    return list(Category.objects.select_related("parent"))


@router.get("/departments", response=list[DepartmentOut], summary="处置单位")
def department_list(request: HttpRequest):
    return list(selectors.active_departments())


@router.get("/neighbourhoods", response=list[NeighbourhoodOut], summary="居民区")
def neighbourhood_list(request: HttpRequest):
    return list(Neighbourhood.objects.all())


@router.get("/places", response=PlaceOut, summary="地址解析到小区/居民区/网格")
def place_lookup(request: HttpRequest, address: str):
    place = selectors.place_for_address(address)
    if place is None:
        return {"found": False}
    return {
        "found": True, "matched": place.matched, "estate": place.estate.name if place.estate else None,
        "neighbourhood_id": place.neighbourhood.pk if place.neighbourhood else None,
        "neighbourhood": place.neighbourhood.name if place.neighbourhood else None,
        "grid_id": place.grid.pk if place.grid else None, "grid": place.grid.name if place.grid else None,
    }
