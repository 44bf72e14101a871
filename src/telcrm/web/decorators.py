"""View helpers shared by every module's UI: sign-in, permission, scope → HTTP status, pagination."""

from __future__ import annotations

import functools

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404

from telcrm.platform.errors import NotFoundInScope


def scoped_view(view=None, *, perm: str | None = None):
    """Signed in (else to the sign-in page), holding ``perm`` if given (else 403); a row outside the
    user's data scope (NotFoundInScope) becomes a 404. AccessDenied from an action is already a 403."""

    def decorate(fn):
        @functools.wraps(fn)
        def wrapper(request, *args, **kwargs):
            if perm is not None and not request.user.has_perm(perm):
                raise PermissionDenied
            try:
                return fn(request, *args, **kwargs)
            except NotFoundInScope as exc:
                raise Http404(str(exc.message)) from exc

        return login_required(wrapper)

    return decorate(view) if view is not None else decorate


def require_any(user, *perms: str) -> None:
    if not any(user.has_perm(p) for p in perms):
        raise PermissionDenied


def paginate(request, qs, per_page: int | None = None):
    """The requested page of ``qs``; page size from parameter ui.page_size unless given."""
    from telcrm.platform.parameters import param

    return Paginator(qs, per_page or int(param("ui.page_size"))).get_page(request.GET.get("page"))
