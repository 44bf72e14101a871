"""Helpers shared by the customer views: permissions, paging of big lists, HTMX responses."""

from __future__ import annotations

from functools import cached_property

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

VIEW = "customers.view_customer"
ADD = "customers.add_customer"
CHANGE = "customers.change_customer"
MERGE = "customers.merge_customer"
BLACKLIST = "customers.manage_blacklist"
CREDIT = "customers.set_credit"
REVIEW = "customers.review_update_request"
IMPORT = "customers.import_customer"
REVEAL = "platform.reveal_pii"
EXPORT = "platform.export_data"
ADMIN = "platform.manage_platform"

# Counting every row of a list of ten million customers costs seconds; beyond this many rows the
# list says "10,000+" and pages up to there (narrow the search to go further).
COUNT_CAP = 10_000


class CappedPaginator(Paginator):
    """A paginator whose count stops at ``COUNT_CAP`` (``capped`` tells whether it did)."""

    cap = COUNT_CAP

    @cached_property
    def count(self) -> int:
        ol = self.object_list
        n = len(ol) if isinstance(ol, list | tuple) else ol.order_by().values("pk")[: self.cap + 1].count()
        self.capped = n > self.cap
        return min(n, self.cap)

    capped = False


def paginate_capped(request, qs, per_page: int | None = None):
    from telcrm.platform.parameters import param

    paginator = CappedPaginator(qs, per_page or int(param("ui.page_size")))
    return paginator.get_page(request.GET.get("page"))


def perms(user) -> dict:
    """What the signed-in user may do on customer pages (for the templates)."""
    return {
        "view": user.has_perm(VIEW),
        "add": user.has_perm(ADD),
        "change": user.has_perm(CHANGE),
        "merge": user.has_perm(MERGE),
        "blacklist": user.has_perm(BLACKLIST),
        "credit": user.has_perm(CREDIT),
        "review": user.has_perm(REVIEW),
        "reveal": user.has_perm(REVEAL),
        "export": user.has_perm(EXPORT),
        "admin": user.is_superuser or user.has_perm(ADMIN),
    }


def detail_url(customer, tab: str = "") -> str:
    url = reverse("customer-detail", args=[customer.pk])
    return f"{url}#{tab}" if tab else url


def done(request, customer, tab: str = ""):
    """After a write: HTMX asks the browser to reload the 360 page, a plain form is redirected."""
    url = detail_url(customer, tab)
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


def partial(request, template: str, name: str) -> str:
    """``template#name`` for an HTMX request (not boosted), the full page otherwise."""
    return f"{template}#{name}" if request.htmx and not request.htmx.boosted else template


def phone_info(phone) -> dict | None:
    """{segment, operator} of a (masked or plain) mobile number, from parameter
    customers.number_segments; None when it is not a mainland mobile number."""
    from django.utils.translation import get_language

    from telcrm.platform.parameters import param

    digits = str(phone or "").strip().lstrip("+").removeprefix("86")
    if len(digits) != 11 or not digits[:3].isdigit() or digits[0] != "1":
        return None
    segment = digits[:3]
    en = (get_language() or "").startswith("en")
    for code, spec in (param("customers.number_segments") or {}).items():
        if segment in str(spec.get("prefixes", "")).split():
            name = spec.get("name_en") if en and spec.get("name_en") else spec.get("name", code)
            return {"segment": segment, "operator": name, "code": code}
    return {"segment": segment, "operator": "", "code": ""}
