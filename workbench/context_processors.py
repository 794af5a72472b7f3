"""What every page's header shows the signed-in user: the navigation links and the unread notifications badge."""

from __future__ import annotations

from django.http import HttpRequest

from notifications.selectors import unread_count

from .navigation import ACCOUNT_MENU, items_for, links_for


def header(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "account_links": [], "unread_notifications": 0}
    return {"nav_items": items_for(user), "account_links": links_for(user, ACCOUNT_MENU),
            "unread_notifications": unread_count(user)}
