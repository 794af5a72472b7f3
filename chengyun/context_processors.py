from django.conf import settings


def street(request):
    from notifications.selectors import unread_count

    user = getattr(request, "user", None)
    return {"STREET_NAME": settings.STREET_NAME,
            "unread_notifications": unread_count(user) if user is not None and user.is_authenticated else 0}
