"""Back-office lists: customers' update requests to review (CUS-8), duplicates and merges (CUS-2)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from telcrm.web.decorators import paginate, scoped_view

from .. import actions
from ..forms import ReviewForm
from ..models import Customer, CustomerStatus, Merge, Party, RequestStatus, UpdateRequest
from ..queries import DuplicateReason
from ._common import MERGE, REVIEW, partial, perms


def _labels() -> dict:
    from django.utils.translation import gettext_lazy

    from ..models import ContactMedium

    return {
        "email": gettext_lazy("Email"),
        "phone": gettext_lazy("Mobile phone"),
        "address": gettext_lazy("Address"),
        "marketing_consent": ContactMedium._meta.get_field("marketing_consent").verbose_name,
        "do_not_disturb": ContactMedium._meta.get_field("do_not_disturb").verbose_name,
    }


def _field_label(name: str) -> str:
    from django.utils.text import capfirst

    known = _labels()
    if name in known:
        return str(capfirst(known[name]))
    for model in (Customer, Party):
        try:
            return str(capfirst(model._meta.get_field(name).verbose_name))
        except Exception:  # noqa: S112 - not a field of this model
            continue
    return name


def requested_changes(req: UpdateRequest) -> list[dict]:
    """The requested changes, labelled; phone and e-mail come masked from update_request_preview."""
    out = []
    for name, value in actions.update_request_preview(req).items():
        if isinstance(value, dict):
            keys = ("province", "city", "district", "street", "postcode")
            shown = "".join(str(value.get(k) or "") for k in keys[:4])
            if value.get("postcode"):
                shown += f" ({value['postcode']})"
        elif isinstance(value, bool):
            shown = _("Yes") if value else _("No")
        elif isinstance(value, list):
            shown = ", ".join(map(str, value))
        else:
            shown = value
        out.append({"field": name, "label": _field_label(name), "value": shown})
    return out


def update_requests_qs(actor, status: str):
    qs = UpdateRequest.objects.restrict(actor).select_related("customer", "reviewed_by")
    if status in RequestStatus.values:
        qs = qs.filter(status=status)
    order = "created_at" if status == RequestStatus.PENDING else "-created_at"
    return qs.order_by(order, "id")


@scoped_view(perm=REVIEW)
def update_request_list(request):
    status = request.GET.get("status", RequestStatus.PENDING)
    if status not in (*RequestStatus.values, "all"):
        status = RequestStatus.PENDING
    page = paginate(request, update_requests_qs(request.user, status))
    for r in page:
        r.shown_changes = requested_changes(r)
    ctx = {
        "page": page,
        "status": status,
        "statuses": [*RequestStatus.choices, ("all", _("All"))],
        "pending_count": UpdateRequest.objects.restrict(request.user)
        .filter(status=RequestStatus.PENDING)
        .count(),
    }
    return render(request, partial(request, "customers/update_request_list.html", "results"), ctx)


@require_POST
@scoped_view(perm=REVIEW)
def update_request_review(request, pk):
    req = UpdateRequest.objects.restrict(request.user).select_related("customer").filter(pk=pk).first()
    if req is None:
        raise Http404
    form = ReviewForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            req = actions.update_request_review(
                actor=request.user,
                request=req,
                approve=form.cleaned_data["decision"] == "approve",
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            error = "; ".join(exc.messages)
    else:
        error = _("Choose approve or reject.")
    if request.htmx:
        req.refresh_from_db()
        req.shown_changes = requested_changes(req)
        return render(request, "customers/update_request_list.html#row", {"r": req, "error": error})
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Request reviewed."))
    return redirect("update-request-list")


# --- duplicates and merges ----------------------------------------------------------------------
def _merges_in_scope(actor):
    survivors = Customer.objects.restrict(actor).values("pk")
    return Merge.objects.filter(survivor__in=survivors).select_related(
        "survivor", "duplicate", "merged_by", "reverted_by"
    )


def merge_get(actor, pk) -> Merge:
    merge = _merges_in_scope(actor).filter(pk=pk).first()
    if merge is None:
        raise Http404
    return merge


DUPLICATE_GROUPS = 20


def _groups_by(live, key: str, reason) -> list[dict]:
    """Groups of live customers sharing ``key`` (a blind index): the same number, most first."""
    keys = list(
        live.exclude(**{key: ""})
        .values(key)
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .order_by("-n")[:DUPLICATE_GROUPS]
        .values_list(key, flat=True)
    )
    if not keys:
        return []
    rows = live.filter(**{f"{key}__in": keys}).select_related("party", "org_unit").order_by("created_at")
    groups: dict[str, list] = {k: [] for k in keys}
    for c in rows:
        groups[c.party.id_number_bidx if key.startswith("party__") else c.primary_phone_bidx].append(c)
    out = []
    for members in groups.values():
        if len(members) > 1:
            first = members[0]
            shown = first.party.id_number if key.startswith("party__") else first.primary_phone
            out.append({"reason": reason, "shown": str(shown), "customers": members})
    return out


def _duplicate_groups(actor) -> list[dict]:
    """Customers in scope sharing an ID number (the same person twice) or a mobile number."""
    live = Customer.objects.restrict(actor).exclude(status=CustomerStatus.MERGED)
    return _groups_by(live, "party__id_number_bidx", DuplicateReason.ID_NUMBER.label) + _groups_by(
        live, "primary_phone_bidx", DuplicateReason.PHONE.label
    )


@scoped_view(perm=MERGE)
def duplicates(request):
    ctx = {
        "groups": _duplicate_groups(request.user),
        "merges": paginate(request, _merges_in_scope(request.user).order_by("-merged_at")),
        "can": perms(request.user),
    }
    return render(request, "customers/duplicates.html", ctx)
