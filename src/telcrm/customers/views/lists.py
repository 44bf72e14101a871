"""The customer list (客户查询): search, filters, sorting, paging, export, print (CUS-3, CUS-7)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from telcrm.platform import exports
from telcrm.platform.parameters import param
from telcrm.web.decorators import scoped_view

from .. import queries
from ..forms import DEFAULT_SORT, CustomerFilterForm, parse_list_filters
from ..models import Customer, ValueTier
from ._common import CREDIT, VIEW, paginate_capped, partial, perms

LIST_RELATED = ("org_unit", "party")


def _labels() -> dict:
    from django.utils.text import capfirst

    names = (
        "customer_no",
        "name",
        "customer_type",
        "status",
        "value_tier",
        "loyalty_class",
        "credit_level",
        "primary_phone",
        "org_unit",
        "created_at",
    )
    return {n: capfirst(Customer._meta.get_field(n).verbose_name) for n in names}


def _is_search(filters: dict) -> bool:
    """Only the search box is filled (and the default order): the ranked quick search answers."""
    return set(filters) - {"sort"} == {"q"} and filters.get("sort", DEFAULT_SORT) == DEFAULT_SORT


def _list(actor, filters: dict):
    return queries.customer_list(actor, **parse_list_filters(filters)).select_related(*LIST_RELATED)


class SearchPage:
    """One page of ranked search results (customer_search pages by offset; no total is counted)."""

    def __init__(self, rows: list, number: int, per_page: int, has_next: bool):
        self.object_list, self.number, self.per_page, self.has_next = rows, number, per_page, has_next

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self):
        return len(self.object_list)

    def has_previous(self) -> bool:
        return self.number > 1

    def previous_page_number(self) -> int:
        return self.number - 1

    def next_page_number(self) -> int:
        return self.number + 1

    def start_index(self) -> int:
        return (self.number - 1) * self.per_page + 1 if self.object_list else 0

    def end_index(self) -> int:
        return (self.number - 1) * self.per_page + len(self.object_list)


def search_page(request, actor, q: str) -> SearchPage:
    per_page = int(param("ui.page_size"))
    try:
        number = max(1, int(request.GET.get("page", 1)))
    except (TypeError, ValueError):
        number = 1
    offset = (number - 1) * per_page
    rows = queries.customer_search(actor, q, limit=per_page + 1, offset=offset)
    return SearchPage(rows[:per_page], number, per_page, len(rows) > per_page)


@scoped_view(perm=VIEW)
def customer_list(request):
    form = CustomerFilterForm(request.GET, actor=request.user)
    filters = form.filters()
    if _is_search(filters):
        page, mode = search_page(request, request.user, filters["q"]), "search"
    else:
        page, mode = paginate_capped(request, _list(request.user, filters)), "list"
    ctx = {
        "form": form,
        "page": page,
        "mode": mode,
        "sort": filters["sort"],
        "filters": filters,
        "export_filters": {k: v for k, v in filters.items() if k != "sort" or v != DEFAULT_SORT},
        "filtered": any(k != "sort" for k in filters),
        "labels": _labels(),
        "can": perms(request.user),
        "print_query": urlencode({k: v for k, v in request.GET.items() if k != "page"}),
    }
    return render(request, partial(request, "customers/customer_list.html", "results"), ctx)


@scoped_view(perm=VIEW)
def customer_print(request):
    """A printable list: the filters on top, the table with a repeated header, a summary below."""
    form = CustomerFilterForm(request.GET, actor=request.user)
    filters = form.filters()
    limit = int(param("customers.print_max_rows"))
    if _is_search(filters):
        customers = queries.customer_search(request.user, filters["q"], limit=limit + 1)
    else:
        customers = list(_list(request.user, filters)[: limit + 1])
    total = None if len(customers) > limit else len(customers)
    customers = customers[:limit]
    by_tier = {code: 0 for code in ValueTier.values}
    for c in customers:
        by_tier[c.value_tier] = by_tier.get(c.value_tier, 0) + 1
    ctx = {
        "customers": customers,
        "total": total,
        "limit": limit,
        "described": form.described(),
        "labels": _labels(),
        "printed_at": timezone.localtime(),
        "summary": [(label, by_tier.get(code, 0)) for code, label in ValueTier.choices],
        "back": f"{reverse('customer-list')}?{urlencode({k: v for k, v in request.GET.items()})}",
    }
    return render(request, "customers/customer_print.html", ctx)


@require_POST
@scoped_view(perm=VIEW)
def customer_export(request):
    form = CustomerFilterForm(request.POST, actor=request.user)
    filters = form.filters()
    try:
        job = exports.export_start(actor=request.user, code="customers", filters=filters)
    except ValidationError as exc:
        for item in exc.messages:
            messages.error(request, item)
        return HttpResponseRedirect(f"{reverse('customer-list')}?{urlencode(filters)}")
    return redirect(reverse("job-detail", args=[job.pk]))


@require_POST
@scoped_view(perm=CREDIT)
def customer_classify_all(request):
    """Recompute value tier, loyalty and behaviour of every customer in scope, as a background job."""
    from ..classification import classify_all_start

    job = classify_all_start(actor=request.user)
    return redirect(reverse("job-detail", args=[job.pk]))
