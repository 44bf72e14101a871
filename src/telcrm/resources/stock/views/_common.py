"""Helpers shared by the stock views: permissions for templates, paging of big lists, redirects."""

from __future__ import annotations

from functools import cached_property

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect

from ..permissions import ALLOCATE, MANAGE, VIEW

# Counting every row of ten million items costs seconds; beyond this the list says "10,000+".
COUNT_CAP = 10_000


class CappedPaginator(Paginator):
    cap = COUNT_CAP
    capped = False

    @cached_property
    def count(self) -> int:
        ol = self.object_list
        n = len(ol) if isinstance(ol, list | tuple) else ol.order_by().values("pk")[: self.cap + 1].count()
        self.capped = n > self.cap
        return min(n, self.cap)


def paginate_capped(request, qs, per_page: int | None = None):
    from telcrm.platform.parameters import param

    return CappedPaginator(qs, per_page or int(param("ui.page_size"))).get_page(request.GET.get("page"))


def perms(user) -> dict:
    return {"view": user.has_perm(VIEW), "manage": user.has_perm(MANAGE), "allocate": user.has_perm(ALLOCATE)}


def partial(request, template: str, name: str) -> str:
    """``template#name`` for an HTMX request (not boosted), the whole page otherwise."""
    return f"{template}#{name}" if request.htmx and not request.htmx.boosted else template


def go(request, url: str):
    """After a write: HTMX is told to load ``url``; a plain form is redirected."""
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)
