"""Contact media, addresses and key persons, edited in place on the 360 page (HTMX partials).

Each part is one card; every endpoint answers with the card's body (the list, with the form open
when adding or editing, or with the form's errors), so the card is swapped as a whole. Without
HTMX the same endpoints render a page of their own and redirect back to the 360 page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from telcrm.platform import actions as platform_actions
from telcrm.web.decorators import scoped_view

from .. import actions, queries
from ..forms import AddressForm, ContactMediumForm, ContactPersonForm, apply_errors
from ._common import CHANGE, VIEW, detail_url, perms


@dataclass(frozen=True)
class Part:
    code: str  # media | addresses | contacts (the URL names: customer-<code>[-create|-edit|-delete])
    title: object
    related: str  # the customer's related manager
    form: type
    save: Callable  # (actor, customer, item, form) -> row
    delete: Callable  # (actor, item)
    item_kwarg: str  # the form's keyword for the row being edited ("medium", "person"), or ""
    pii_field: str = ""


def _save_medium(actor, customer, item, form):
    return actions.contact_medium_save(actor=actor, customer=customer, medium=item, **form.action_kwargs())


def _save_address(actor, customer, item, form):
    return actions.address_save(actor=actor, customer=customer, address=item, **form.cleaned_data)


def _save_person(actor, customer, item, form):
    return actions.contact_person_save(actor=actor, customer=customer, person=item, **form.action_kwargs())


PARTS = {
    "media": Part(
        "media",
        gettext_lazy("Contact media"),
        "contact_media",
        ContactMediumForm,
        _save_medium,
        lambda actor, item: actions.contact_medium_delete(actor=actor, medium=item),
        "medium",
        "value",
    ),
    "addresses": Part(
        "addresses",
        gettext_lazy("Addresses"),
        "addresses",
        AddressForm,
        _save_address,
        lambda actor, item: actions.address_delete(actor=actor, address=item),
        "",
    ),
    "contacts": Part(
        "contacts",
        gettext_lazy("Key persons"),
        "contact_people",
        ContactPersonForm,
        _save_person,
        lambda actor, item: actions.contact_person_delete(actor=actor, person=item),
        "person",
        "phone",
    ),
}


def _part(code: str) -> Part:
    try:
        return PARTS[code]
    except KeyError as exc:
        raise Http404 from exc


def _item(customer, part: Part, item_pk):
    item = getattr(customer, part.related).filter(pk=item_pk).first()
    if item is None:
        raise Http404
    return item


def _render(request, customer, part: Part, *, form=None, editing=None, status=200, error=""):
    ctx = {
        "c": customer,
        "error": error,
        "part": part,
        "items": list(getattr(customer, part.related).all()),
        "form": form,
        "editing": editing,
        "can": perms(request.user),
    }
    if request.htmx:
        return render(request, f"customers/parts/{part.code}.html", ctx, status=status)
    return render(request, "customers/part_page.html", ctx, status=status)


def _form(part: Part, item, *args, **kwargs):
    if part.item_kwarg:
        kwargs[part.item_kwarg] = item
    return part.form(*args, **kwargs)


def _after_write(request, customer, part: Part, message: str):
    if request.htmx:
        return _render(request, customer, part)
    messages.success(request, message)
    return redirect(detail_url(customer))


@scoped_view(perm=VIEW)
def part_list(request, pk, part):
    part = _part(part)
    return _render(request, queries.customer_get(request.user, pk), part)


@scoped_view(perm=CHANGE)
def part_create(request, pk, part):
    part = _part(part)
    customer = queries.customer_get(request.user, pk)
    if request.method == "POST":
        form = _form(part, None, request.POST)
        if form.is_valid():
            try:
                part.save(request.user, customer, None, form)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                return _after_write(request, customer, part, _("Saved."))
        return _render(request, customer, part, form=form, editing="new", status=200)
    return _render(request, customer, part, form=_form(part, None), editing="new")


@scoped_view(perm=CHANGE)
def part_edit(request, pk, part, item):
    part = _part(part)
    customer = queries.customer_get(request.user, pk)
    row = _item(customer, part, item)
    if request.method == "POST":
        form = _form(part, row, request.POST)
        if form.is_valid():
            try:
                part.save(request.user, customer, row, form)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                return _after_write(request, customer, part, _("Saved."))
        return _render(request, customer, part, form=form, editing=row.pk)
    return _render(
        request, customer, part, form=_form(part, row, initial=part.form.initial_for(row)), editing=row.pk
    )


@require_POST
@scoped_view(perm=CHANGE)
def part_delete(request, pk, part, item):
    part = _part(part)
    customer = queries.customer_get(request.user, pk)
    row = _item(customer, part, item)
    try:
        part.delete(request.user, row)
    except ValidationError as exc:
        if not request.htmx:
            for m in exc.messages:
                messages.error(request, m)
            return redirect(detail_url(customer))
        return _render(request, customer, part, error="; ".join(exc.messages))
    return _after_write(request, customer, part, _("Deleted."))


@never_cache
@require_POST
@scoped_view(perm=VIEW)
def part_reveal(request, pk, part, item):
    part = _part(part)
    if not part.pii_field:
        raise Http404
    customer = queries.customer_get(request.user, pk)
    row = _item(customer, part, item)
    try:
        value = platform_actions.pii_reveal(actor=request.user, obj=row, field=part.pii_field)
    except ValidationError as exc:
        return HttpResponse("; ".join(exc.messages), status=400, content_type="text/plain; charset=utf-8")
    return render(
        request, "customers/parts/revealed.html", {"value": value, "field": part.pii_field, "inline": True}
    )
