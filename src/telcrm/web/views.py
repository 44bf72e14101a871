"""Sign-in, home pages by role, language switch, global search, notifications."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import select_template
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from telcrm.platform import actions, queries
from telcrm.platform.forms import LoginForm

from . import home_panels, search


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True


@require_POST
def logout_view(request):
    logout(request)
    return HttpResponseRedirect(reverse("login"))


@login_required
def home(request):
    role = request.user.role
    code = role.code if role else "none"
    template = select_template([f"web/home/{code}.html", "web/home/default.html"])
    return render(request, template.template.name, home_panels.context_for(request.user))


@require_POST
def set_language(request):
    lang = request.POST.get("language", "")
    supported = {code for code, _name in settings.LANGUAGES}
    nxt = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        nxt, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        nxt = "/"
    response = HttpResponseRedirect(nxt)
    if lang not in supported:
        messages.error(request, _("Choose a supported language."))
        return response
    if request.user.is_authenticated:
        actions.user_set_language(actor=request.user, language=lang)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        lang,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        secure=request.is_secure(),
    )
    return response


@login_required
def global_search(request):
    q = request.GET.get("q", "")[:100]
    groups = search.search(request.user, q)
    template = "web/search_results.html#results" if request.htmx else "web/search_results.html"
    return render(request, template, {"q": q, "groups": groups})


@login_required
def notification_list(request):
    qs = queries.notifications_for(request.user)
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    return render(request, "web/notifications.html", {"page": page})


@login_required
@require_POST
def notification_read(request):
    ids = request.POST.getlist("id") or None
    actions.notification_mark_read(actor=request.user, notification_ids=ids)
    nxt = request.POST.get("next") or "/notifications/"
    if not url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        nxt = "/notifications/"
    return HttpResponseRedirect(nxt)
