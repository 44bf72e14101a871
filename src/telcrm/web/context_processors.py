from __future__ import annotations

from django.conf import settings


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"LANGUAGES": settings.LANGUAGES, "WEBSOCKETS": False}
    from telcrm.platform.queries import unread_count

    from .navigation import menu_for

    current = getattr(getattr(request, "resolver_match", None), "url_name", None)
    return {
        "menu": menu_for(user),
        "current_url_name": current,
        "unread_notifications": unread_count(user),
        "LANGUAGES": settings.LANGUAGES,
        "WEBSOCKETS": settings.WEBSOCKETS,
    }
