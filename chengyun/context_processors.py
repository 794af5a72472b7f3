from django.conf import settings


def street(request):
    return {"STREET_NAME": settings.STREET_NAME}
