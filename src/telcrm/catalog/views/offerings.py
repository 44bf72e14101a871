"""Administration of the catalog for product managers: offerings with their versions, lifecycle,
prices, bundle members and add-on applicability; specifications; categories."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from telcrm.web.decorators import paginate, scoped_view
from telcrm.web.forms import apply_action_errors

from .. import actions, queries
from ..forms import CategoryForm, MemberForm, OfferingFilterForm, OfferingForm, PriceForm, SpecificationForm
from ..models import (
    Category,
    LifecycleStatus,
    OfferingKind,
    ProductOffering,
    ProductOfferingPrice,
    ProductSpecification,
    SalesChannel,
)
from ..pricing import list_fen
from ._common import MANAGE, done, first_error, perms


def _detail_url(offering) -> str:
    return reverse("catalog-offering-detail", args=[offering.pk])


# --- offerings ------------------------------------------------------------------------------------
@scoped_view(perm=MANAGE)
def offering_list(request):
    form = OfferingFilterForm(request.GET)
    filters = form.filters()
    qs = queries.offering_list(**filters).prefetch_related("prices", "categories")
    page = paginate(request, qs)
    now = timezone.now()
    for o in page:
        o.list_one_off, o.list_recurring = list_fen(o, now)
    ctx = {
        "form": form,
        "page": page,
        "filtered": bool(filters),
        "can": perms(request.user),
        "tab": "offerings",
    }
    return render(request, "catalog/offering_list.html", ctx)


@scoped_view(perm=MANAGE)
def offering_create(request):
    form = OfferingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            offering = actions.offering_create(actor=request.user, **form.action_data())
        except ValidationError as exc:
            apply_action_errors(form, exc)
        else:
            return done(
                request,
                _detail_url(offering),
                _("Offering created as a draft. Add its prices, then activate it."),
            )
    return render(request, "catalog/offering_form.html", {"form": form, "offering": None, "tab": "offerings"})


def _offering(pk) -> ProductOffering:
    try:
        return queries.offering_detail(pk)
    except ProductOffering.DoesNotExist as exc:
        raise Http404 from exc


@scoped_view(perm=MANAGE)
def offering_detail(request, pk):
    o = _offering(pk)
    versions = list(queries.offering_versions(o.code))
    problems = actions.activation_problems(o).errors if o.lifecycle_status == LifecycleStatus.DRAFT else {}
    now = timezone.now()
    one_off, recurring = list_fen(o, now)
    has_draft = any(v.lifecycle_status == LifecycleStatus.DRAFT for v in versions)
    ctx = {
        "o": o,
        "versions": versions,
        "problems": [str(m) for errs in problems.values() for e in errs for m in e.messages],
        "list_one_off": one_off,
        "list_recurring": recurring,
        "price_form": PriceForm() if o.lifecycle_status == LifecycleStatus.DRAFT else None,
        "member_form": MemberForm(bundle=o)
        if o.is_bundle and o.lifecycle_status == LifecycleStatus.DRAFT
        else None,
        "has_draft": has_draft,
        "addon_for": _addon_targets(o),
        "channel_labels": [SalesChannel(c).label for c in o.channels if c in SalesChannel.values],
        "kind_labels": [OfferingKind(k).label for k in o.applies_to_kinds if k in OfferingKind.values],
        "can": perms(request.user),
        "tab": "offerings",
        "now": now,
    }
    return render(request, "catalog/offering_detail.html", ctx)


def _addon_targets(o: ProductOffering) -> list:
    if not o.applies_to_codes:
        return []
    names = dict(
        ProductOffering.objects.filter(code__in=o.applies_to_codes)
        .order_by("code", "-version")
        .values_list("code", "name")
    )
    return [(c, names.get(c, "")) for c in o.applies_to_codes]


@scoped_view(perm=MANAGE)
def offering_edit(request, pk):
    o = _offering(pk)
    if o.lifecycle_status == LifecycleStatus.RETIRED:
        return done(request, _detail_url(o), None)
    form = OfferingForm(request.POST or None, offering=o)
    if request.method == "POST" and form.is_valid():
        try:
            saved = actions.offering_update(actor=request.user, offering=o, **form.action_data(o))
        except ValidationError as exc:
            apply_action_errors(form, exc)
        else:
            message = (
                _(
                    "Version %(version)s saved as a draft; "
                    "the active version stays on sale until you activate it."
                )
                % {"version": saved.version}
                if saved.pk != o.pk
                else _("Saved.")
            )
            return done(request, _detail_url(saved), message)
    return render(request, "catalog/offering_form.html", {"form": form, "offering": o, "tab": "offerings"})


LIFECYCLE = {
    "activate": (actions.offering_activate, gettext_lazy("Version activated: it is on sale now.")),
    "retire": (actions.offering_retire, gettext_lazy("Version retired.")),
    "new-version": (
        actions.offering_new_version,
        gettext_lazy("A new draft version was made; change it, then activate it."),
    ),
    "delete": (actions.offering_delete, gettext_lazy("Draft deleted.")),
}


@require_POST
@scoped_view(perm=MANAGE)
def offering_lifecycle(request, pk, step):
    from django.contrib import messages

    if step not in LIFECYCLE:
        raise Http404
    o = get_object_or_404(ProductOffering, pk=pk)
    fn, message = LIFECYCLE[step]
    try:
        result = fn(actor=request.user, offering=o)
    except ValidationError as exc:
        messages.error(request, first_error(exc))
        return done(request, _detail_url(o))
    if step == "delete":
        newest = ProductOffering.objects.filter(code=o.code).order_by("-version").first()
        return done(request, _detail_url(newest) if newest else reverse("catalog-offering-list"), message)
    return done(request, _detail_url(result), message)


# --- prices -----------------------------------------------------------------------------------------
@scoped_view(perm=MANAGE)
def price_create(request, pk):
    o = _offering(pk)
    form = PriceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.price_create(actor=request.user, offering=o, **form.action_data())
        except ValidationError as exc:
            apply_action_errors(form, exc)
        else:
            return done(request, _detail_url(o) + "#prices", _("Price added."))
    return render(
        request, "catalog/price_form.html", {"form": form, "o": o, "price": None, "tab": "offerings"}
    )


@scoped_view(perm=MANAGE)
def price_edit(request, pk, price_pk):
    o = _offering(pk)
    price = get_object_or_404(ProductOfferingPrice, pk=price_pk, offering=o)
    form = PriceForm(request.POST or None, price=price)
    if request.method == "POST" and form.is_valid():
        try:
            actions.price_update(actor=request.user, price=price, **form.action_data())
        except ValidationError as exc:
            apply_action_errors(form, exc)
        else:
            return done(request, _detail_url(o) + "#prices", _("Price saved."))
    return render(
        request, "catalog/price_form.html", {"form": form, "o": o, "price": price, "tab": "offerings"}
    )


@require_POST
@scoped_view(perm=MANAGE)
def price_delete(request, pk, price_pk):
    from django.contrib import messages

    o = get_object_or_404(ProductOffering, pk=pk)
    price = get_object_or_404(ProductOfferingPrice, pk=price_pk, offering=o)
    try:
        actions.price_delete(actor=request.user, price=price)
    except ValidationError as exc:
        messages.error(request, first_error(exc))
        return done(request, _detail_url(o) + "#prices")
    return done(request, _detail_url(o) + "#prices", _("Price deleted."))


# --- bundle members -----------------------------------------------------------------------------------
@require_POST
@scoped_view(perm=MANAGE)
def member_add(request, pk):
    from django.contrib import messages

    o = get_object_or_404(ProductOffering, pk=pk)
    form = MemberForm(request.POST, bundle=o)
    if not form.is_valid():
        messages.error(request, _("Choose a member offering and valid quantities."))
        return done(request, _detail_url(o) + "#members")
    try:
        actions.bundle_member_add(actor=request.user, bundle=o, **form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, first_error(exc))
        return done(request, _detail_url(o) + "#members")
    return done(request, _detail_url(o) + "#members", _("Member added."))


@require_POST
@scoped_view(perm=MANAGE)
def member_remove(request, pk, member_pk):
    from django.contrib import messages

    o = get_object_or_404(ProductOffering, pk=pk)
    try:
        actions.bundle_member_remove(actor=request.user, bundle=o, member_row=member_pk)
    except ValidationError as exc:
        messages.error(request, first_error(exc))
        return done(request, _detail_url(o) + "#members")
    return done(request, _detail_url(o) + "#members", _("Member removed."))


# --- specifications -----------------------------------------------------------------------------------
@scoped_view(perm=MANAGE)
def specification_list(request):
    q = (request.GET.get("q") or "").strip()[:60]
    page = paginate(request, queries.specification_list(q=q))
    return render(request, "catalog/specification_list.html", {"page": page, "q": q, "tab": "specifications"})


@scoped_view(perm=MANAGE)
def specification_form(request, pk=None):
    spec = get_object_or_404(ProductSpecification, pk=pk) if pk else None
    form = SpecificationForm(request.POST or None, spec=spec)
    if request.method == "POST" and form.is_valid():
        try:
            actions.specification_save(
                actor=request.user, specification=spec, **form.action_data(create=spec is None)
            )
        except ValidationError as exc:
            apply_action_errors(form, exc)
        else:
            return done(request, reverse("catalog-specification-list"), _("Specification saved."))
    return render(
        request,
        "catalog/simple_form.html",
        _form_ctx(form, spec, "specifications", "catalog-specification-list"),
    )


@require_POST
@scoped_view(perm=MANAGE)
def specification_delete(request, pk):
    spec = get_object_or_404(ProductSpecification, pk=pk)
    return _delete(
        request, actions.specification_delete, {"specification": spec}, "catalog-specification-list"
    )


def _delete(request, fn, kwargs: dict, back: str):
    """Run a delete action; a refusal is a flash message naming every reason, then the list again."""
    from django.contrib import messages

    try:
        fn(actor=request.user, **kwargs)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return done(request, reverse(back))
    except (ProtectedError, RestrictedError):  # a reference made meanwhile, after the action's checks
        messages.error(
            request, _("Other records (orders, offerings, …) refer to it, so it cannot be deleted.")
        )
        return done(request, reverse(back))
    return done(request, reverse(back), _("Deleted."))


# --- categories ---------------------------------------------------------------------------------------
@scoped_view(perm=MANAGE)
def category_list(request):
    return render(
        request, "catalog/category_list.html", {"tree": queries.category_tree(), "tab": "categories"}
    )


@scoped_view(perm=MANAGE)
def category_form(request, pk=None):
    category = get_object_or_404(Category, pk=pk) if pk else None
    form = CategoryForm(request.POST or None, category=category)
    if request.method == "POST" and form.is_valid():
        try:
            actions.category_save(
                actor=request.user, category=category, **form.action_data(create=category is None)
            )
        except ValidationError as exc:
            apply_action_errors(form, exc)
        else:
            return done(request, reverse("catalog-category-list"), _("Category saved."))
    return render(
        request, "catalog/simple_form.html", _form_ctx(form, category, "categories", "catalog-category-list")
    )


@require_POST
@scoped_view(perm=MANAGE)
def category_delete(request, pk):
    category = get_object_or_404(Category, pk=pk)
    return _delete(request, actions.category_delete, {"category": category}, "catalog-category-list")


def _form_ctx(form, obj, tab: str, back: str) -> dict:
    titles = {
        "specifications": (_("New product specification"), _("Edit product specification")),
        "categories": (_("New category"), _("Edit category")),
    }
    new, edit = titles[tab]
    return {"form": form, "obj": obj, "title": edit if obj else new, "tab": tab, "back": reverse(back)}
