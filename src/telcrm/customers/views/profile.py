"""One customer: create (客户建档), edit, the 360 page (客户全景) and the operations on it.

One operation per view: parse the form, call ``customers.actions``, render or redirect. Customers
are fetched through ``queries.customer_get`` / ``customer_360`` (the data scope): a customer outside
it is a 404, a missing permission a 403.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from telcrm.platform import actions as platform_actions
from telcrm.web.decorators import require_any, scoped_view

from .. import actions, checks, queries
from ..forms import (
    BlacklistAddForm,
    BlacklistLiftForm,
    CreditForm,
    CustomerCreateForm,
    CustomerEditForm,
    InteractionForm,
    RealNameForm,
    TagsForm,
    apply_errors,
)
from ..models import CustomerStatus, CustomerType
from ..panels import panels_for
from ._common import ADD, BLACKLIST, CHANGE, CREDIT, MERGE, VIEW, detail_url, done, partial, perms, phone_info
from .reviews import merge_get

# Names the actions may give to address errors → fields of the create form.
ADDRESS_ALIASES = {f"address.{k}": f"address_{k}" for k in ("kind", "province", "city", "district", "street")}
ADDRESS_ALIASES |= {"address.postcode": "address_postcode", "address": "address_street"}


# --- create / edit ----------------------------------------------------------------------------
@scoped_view(perm=ADD)
def customer_create(request):
    if request.method == "POST":
        form = CustomerCreateForm(request.POST, actor=request.user)
        if form.is_valid():
            try:
                customer = actions.customer_create(actor=request.user, **form.action_kwargs())
            except ValidationError as exc:
                apply_errors(form, exc, ADDRESS_ALIASES)
            else:
                messages.success(
                    request,
                    _("Customer %(name)s registered as %(no)s.")
                    % {"name": customer.name, "no": customer.customer_no},
                )
                return redirect("customer-detail", customer.pk)
    else:
        kind = request.GET.get("type", "")
        initial = {
            "customer_type": kind if kind in CustomerType.values else CustomerType.INDIVIDUAL,
            "org_unit": request.user.org_unit,
            "address_kind": "office" if kind in (CustomerType.ENTERPRISE, CustomerType.GROUP) else "home",
        }
        form = CustomerCreateForm(initial=initial, actor=request.user)
    return render(request, "customers/customer_form.html", {"form": form, "c": None})


@scoped_view(perm=CHANGE)
def customer_edit(request, pk):
    customer = queries.customer_get(request.user, pk)
    kwargs = {"actor": request.user, "fixed_type": customer.customer_type}
    if request.method == "POST":
        form = CustomerEditForm(request.POST, **kwargs)
        if form.is_valid():
            changes = form.changes(customer)
            if not changes:
                messages.info(request, _("Nothing was changed."))
                return redirect("customer-detail", customer.pk)
            try:
                actions.customer_update(actor=request.user, customer=customer, **changes)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Changes saved."))
                return redirect("customer-detail", customer.pk)
    else:
        form = CustomerEditForm(initial=CustomerEditForm.initial_for(customer), **kwargs)
    return render(request, "customers/customer_form.html", {"form": form, "c": customer})


# --- the 360 page -------------------------------------------------------------------------------
@scoped_view(perm=VIEW)
def customer_detail(request, pk):
    data = queries.customer_360(request.user, pk)
    customer = data["customer"]
    check = checks.order_eligibility(customer, order_type="new_line")
    ctx = {
        **data,
        "c": customer,
        "party": data.get("party") or customer.party,
        "check": check,
        "can": perms(request.user),
        "phone": phone_info(customer.primary_phone),
        "merged": customer.status == CustomerStatus.MERGED,
    }
    ctx["panels"] = panels_for(request.user, customer, ctx)
    return render(request, "customers/customer_detail.html", ctx)


PII_FIELDS = {"id_number": "party", "primary_phone": "customer"}


@never_cache
@require_POST
@scoped_view(perm=VIEW)
def customer_reveal(request, pk, field):
    customer = queries.customer_get(request.user, pk)
    if field not in PII_FIELDS:
        raise Http404
    obj = customer.party if PII_FIELDS[field] == "party" else customer
    try:
        value = platform_actions.pii_reveal(actor=request.user, obj=obj, field=field)
    except ValidationError as exc:
        return HttpResponse("; ".join(exc.messages), status=400, content_type="text/plain; charset=utf-8")
    return render(request, "customers/parts/revealed.html", {"value": value, "field": field})


# --- operations on the 360 page -----------------------------------------------------------------
def _action_page(request, customer, form, *, title, submit, icon="check-lg", danger=False, intro=""):
    return render(
        request,
        "customers/action_form.html",
        {"c": customer, "form": form, "title": title, "submit": submit, "icon": icon, "danger": danger,
         "intro": intro},
    )  # fmt: skip


@scoped_view(perm=CHANGE)
def customer_verify(request, pk):
    """Real-name registration (实名制): check the ID document and record it as verified."""
    customer = queries.customer_get(request.user, pk)
    if request.method == "POST":
        form = RealNameForm(request.POST)
        if form.is_valid():
            try:
                actions.real_name_verify(actor=request.user, customer=customer, **form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Real-name registration recorded."))
                return done(request, customer)
    else:
        form = RealNameForm(initial={"id_doc_type": customer.party.id_doc_type or "id_card"})
    return _action_page(
        request,
        customer,
        form,
        title=_("Real-name registration"),
        submit=_("Verify and record"),
        icon="person-check",
        intro=_("Check the original document at the counter; the number is stored encrypted."),
    )


@scoped_view(perm=CREDIT)
def customer_credit(request, pk):
    customer = queries.customer_get(request.user, pk)
    if request.method == "POST":
        form = CreditForm(request.POST)
        if form.is_valid():
            try:
                actions.credit_set(actor=request.user, customer=customer, **form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Credit level changed."))
                return done(request, customer, "credit")
    else:
        form = CreditForm(initial={"level": customer.credit_level})
    return _action_page(
        request, customer, form, title=_("Change credit level"), submit=_("Save"), icon="speedometer"
    )


@scoped_view(perm=BLACKLIST)
def blacklist_add(request, pk):
    import datetime as dt

    customer = queries.customer_get(request.user, pk)
    if request.method == "POST":
        form = BlacklistAddForm(request.POST)
        if form.is_valid():
            try:
                actions.blacklist_add(actor=request.user, customer=customer, **form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Blacklist entry added."))
                return done(request, customer, "credit")
    else:
        form = BlacklistAddForm(initial={"valid_from": dt.date.today()})
    title = _("Add to blacklist")
    return _action_page(request, customer, form, title=title, submit=title, icon="slash-circle", danger=True)


@scoped_view(perm=BLACKLIST)
def blacklist_lift(request, pk, entry_pk):
    customer = queries.customer_get(request.user, pk)
    entry = customer.blacklist_entries.filter(pk=entry_pk, lifted_at__isnull=True).first()
    if entry is None:
        raise Http404
    if request.method == "POST":
        form = BlacklistLiftForm(request.POST)
        if form.is_valid():
            try:
                actions.blacklist_lift(actor=request.user, entry=entry, reason=form.cleaned_data["reason"])
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Blacklist entry lifted."))
                return done(request, customer, "credit")
    else:
        form = BlacklistLiftForm()
    return _action_page(
        request, customer, form, title=_("Lift blacklist entry"), submit=_("Lift"), icon="unlock"
    )


@scoped_view(perm=CHANGE)
def interaction_create(request, pk):
    customer = queries.customer_get(request.user, pk)
    if request.method == "POST":
        form = InteractionForm(request.POST)
        if form.is_valid():
            try:
                actions.interaction_record(actor=request.user, customer=customer, **form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Interaction recorded."))
                return done(request, customer)
    else:
        form = InteractionForm(initial={"channel": "counter", "kind": "visit"})
    return _action_page(
        request, customer, form, title=_("Record an interaction"), submit=_("Save"), icon="chat-dots"
    )


@scoped_view(perm=CHANGE)
def customer_tags(request, pk):
    customer = queries.customer_get(request.user, pk)
    template = partial(request, "customers/parts/tags.html", "body")
    if request.method == "POST":
        form = TagsForm(request.POST)
        if form.is_valid():
            try:
                actions.customer_set_tags(
                    actor=request.user, customer=customer, tags=list(form.cleaned_data["tags"])
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                if not request.htmx:
                    messages.success(request, _("Tags saved."))
                    return redirect(detail_url(customer))
                return render(
                    request,
                    template,
                    {"c": customer, "tags": list(customer.tags.all()), "can": perms(request.user)},
                )
    else:
        form = TagsForm(initial={"tags": list(customer.tags.all())})
    return render(request, template, {"c": customer, "form": form, "can": perms(request.user)})


@require_POST
@scoped_view(perm=CHANGE)
def customer_classify(request, pk):
    from ..classification import classify_customer

    customer = queries.customer_get(request.user, pk)
    try:
        classify_customer(actor=request.user, customer=customer)
    except ValidationError as exc:
        for item in exc.messages:
            messages.error(request, item)
    else:
        messages.success(request, _("Classification recalculated."))
    return done(request, customer)


@require_POST
@scoped_view(perm=CHANGE)
def customer_classification_release(request, pk):
    from ..classification import classification_release

    customer = queries.customer_get(request.user, pk)
    classification_release(actor=request.user, customer=customer)
    messages.success(request, _("The classes set by hand follow the rules again."))
    return done(request, customer)


# --- lazily loaded parts of the 360 page ----------------------------------------------------------
@scoped_view(perm=VIEW)
def customer_history(request, pk):
    customer = queries.customer_get(request.user, pk)
    rows = queries.customer_history(request.user, customer)
    return render(
        request, partial(request, "customers/customer_history.html", "rows"), {"c": customer, "rows": rows}
    )


@scoped_view(perm=VIEW)
def customer_duplicates(request, pk):
    customer = queries.customer_get(request.user, pk)
    found = [
        (d, queries.DuplicateReason(r).label) for d, r in queries.find_duplicates(request.user, customer)
    ]
    return render(
        request,
        partial(request, "customers/customer_duplicates.html", "box"),
        {"c": customer, "found": found, "can": perms(request.user)},
    )


@scoped_view(perm=MERGE)
def customer_merge(request, pk):
    """Compare a customer with a duplicate side by side, then merge the duplicate into it."""
    survivor = queries.customer_get(request.user, pk)
    dup_id = request.POST.get("duplicate") or request.GET.get("duplicate") or ""
    if not dup_id.isdigit():
        raise Http404
    duplicate = queries.customer_get(request.user, int(dup_id))
    if request.method == "POST":
        try:
            actions.customer_merge(actor=request.user, survivor=survivor, duplicate=duplicate)
        except ValidationError as exc:
            for item in exc.messages:
                messages.error(request, item)
        else:
            messages.success(
                request,
                _("%(dup)s was merged into %(survivor)s.")
                % {"dup": duplicate.customer_no, "survivor": survivor.customer_no},
            )
            return redirect(detail_url(survivor, "merges"))
    pair = [queries.customer_360(request.user, survivor.pk), queries.customer_360(request.user, duplicate.pk)]
    return render(
        request, "customers/customer_merge.html", {"c": survivor, "survivor": pair[0], "duplicate": pair[1]}
    )


@require_POST
@scoped_view(perm=MERGE)
def customer_unmerge(request, merge_pk):
    merge = merge_get(request.user, merge_pk)
    require_any(request.user, "platform.manage_platform")
    try:
        actions.customer_unmerge(actor=request.user, merge=merge)
    except ValidationError as exc:
        for item in exc.messages:
            messages.error(request, item)
    else:
        messages.success(request, _("The merge was undone."))
    return redirect(detail_url(merge.survivor, "merges"))
