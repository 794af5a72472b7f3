from datetime import datetime
from typing import Annotated

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from . import selectors, services

router = Router(tags=["消息通知"])


class NotificationOut(Schema):
    id: int
    kind: str
    message: str
    case_id: int
    case_number: str
    created_at: datetime
    read_at: datetime | None

    @staticmethod
    def resolve_case_number(obj) -> str:
        return obj.case.number


class NotificationPage(Schema):
    count: int
    unread: int
    results: list[NotificationOut]


class PageQuery(Schema):
    unread_only: bool = False
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=1_000_000_000)


class ReadIn(Schema):
    # ids are database keys: a number beyond a 64-bit key is a 422, not a 500 from the database driver.
    ids: list[Annotated[int, Field(ge=1, le=2**63 - 1)]] | None = Field(None, description="为空表示全部标为已读")


@router.get("", response=NotificationPage, summary="我的消息")
def notification_list(request: HttpRequest, query: Query[PageQuery]):
    qs = selectors.notifications_for(request.user, unread_only=query.unread_only)
    return {"count": qs.count(), "unread": selectors.unread_count(request.user),
            "results": list(qs[query.offset: query.offset + query.limit])}


@router.post("/read", summary="标为已读")
def notification_read(request: HttpRequest, payload: ReadIn):
    return {"marked": services.notification_mark_read(user=request.user, ids=payload.ids)}
