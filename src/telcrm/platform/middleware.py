"""Request-scoped middleware: actor context for audit, idle session timeout, per-user language."""

from __future__ import annotations

import time
import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import context
from .parameters import param

LANGUAGE_COOKIE = settings.LANGUAGE_COOKIE_NAME
SUPPORTED = {code for code, _name in settings.LANGUAGES}


def _nul_field(querydict) -> str | None:
    for name, values in querydict.lists():
        if "\x00" in name or any("\x00" in v for v in values):
            return name.replace("\x00", "")
    return None


class RejectNulMiddleware:
    """A NUL character in a query string or form field is never meaningful input, and PostgreSQL
    refuses it in text: answer 400 naming the field, once, here, instead of a 500 in some query.
    (JSON bodies are checked by the API's serializers.)"""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        field = _nul_field(request.GET)
        if field is None and request.method == "POST" and request.content_type in FORM_TYPES:
            field = _nul_field(request.POST)
        if field is None:
            return self.get_response(request)
        message = gettext_lazy("The field %(field)s contains a NUL character, which is not allowed.")
        if request.path.startswith("/api/"):
            from django.http import JsonResponse
            from django.utils import translation

            def render(lang):
                with translation.override(lang):
                    return str(message) % {"field": field}

            item = {
                "field": field,
                "code": "null_characters",
                "message": render(translation.get_language()),
                "message_zh": render("zh-hans"),
                "message_en": render("en"),
            }
            return JsonResponse({"errors": [item]}, status=400)
        from django.shortcuts import render as render_page

        return render_page(request, "400.html", {"message": message % {"field": field}}, status=400)


FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = request.headers.get("X-Request-ID", "")[:36] or uuid.uuid4().hex
        channel = "api" if request.path.startswith(("/api/", "/tmf-api/")) else "ui"
        with context.acting(
            ip=context.client_ip(request),
            user_agent=request.headers.get("User-Agent", "")[:255],
            request_id=request_id,
            channel=channel,
        ):
            response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response


class SessionIdleTimeoutMiddleware:
    """Signs out a browser session idle for longer than parameter auth.session_idle_minutes."""

    KEY = "_telcrm_last_activity"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and hasattr(request, "session")
            and request.session.session_key
        ):
            now = int(time.time())
            last = request.session.get(self.KEY)
            idle_limit = int(param("auth.session_idle_minutes")) * 60
            if last is not None and now - int(last) > idle_limit:
                logout(request)
                if request.path.startswith("/api/"):
                    from django.http import JsonResponse

                    return JsonResponse(
                        {
                            "errors": [
                                {
                                    "field": "__all__",
                                    "code": "session_expired",
                                    "message": _("Your session has expired."),
                                }
                            ]
                        },
                        status=401,
                    )
                messages.warning(request, _("You were signed out after a period of inactivity."))
                return redirect_to_login(request.get_full_path())
            # Write at most once a minute so a busy page does not rewrite the session every request.
            if last is None or now - int(last) >= 60:
                request.session[self.KEY] = now
        return self.get_response(request)


class UserLanguageMiddleware:
    """Chinese by default; a signed-in user's own language, else the language cookie."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        lang = None
        if user is not None and user.is_authenticated:
            lang = user.language
        if not lang:
            lang = request.COOKIES.get(LANGUAGE_COOKIE)
        if lang not in SUPPORTED:
            lang = settings.LANGUAGE_CODE
        translation.activate(lang)
        request.LANGUAGE_CODE = lang
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", lang)
        return response
