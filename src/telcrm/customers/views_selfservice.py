"""Self-service update requests (CUS-8): the customer's page and API endpoint, and the staff view
that hands out a link.

The customer-facing page needs no staff login: the signed link is the authority. An altered or
expired link gets a page saying so (400 / 410) and nothing is written; too many requests in an hour
get 429. The API endpoint ``POST /api/v1/customers/self-service/{token}/requests`` does the same
for the customer app, with the platform's input parsing and error shape.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.throttling import ScopedRateThrottle

from telcrm.platform import crypto
from telcrm.platform.api.base import ApiView, api_error
from telcrm.platform.api.serializers import ErrorOutput
from telcrm.platform.errors import NotFoundInScope
from telcrm.web.decorators import scoped_view
from telcrm.web.forms import BootstrapMixin, apply_action_errors

from . import selfservice
from .selfservice import _

CHANGE = "customers.change_customer"
KEEP = ""
CHOICES_CONSENT = [
    (KEEP, _("Keep as it is")),
    ("yes", _("Yes, send me offers and news")),
    ("no", _("No, do not send me offers")),
]
CHOICES_DND = [
    (KEEP, _("Keep as it is")),
    ("yes", _("Yes, do not disturb me")),
    ("no", _("No, you may contact me")),
]


def _no_referrer(response):
    # The token is in the URL: never send it on to another site in a Referer header, never cache it.
    # ("no-referrer" would also make browsers send "Origin: null" with the form, which CSRF refuses.)
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


# --- the customer's page ---------------------------------------------------------------------------
class SelfServiceForm(BootstrapMixin, forms.Form):
    email = forms.CharField(label=_("New e-mail address"), required=False, max_length=254)
    phone = forms.CharField(label=_("New mobile number"), required=False, max_length=32)
    province = forms.CharField(label=_("Province"), required=False, max_length=40)
    city = forms.CharField(label=_("City"), required=False, max_length=40)
    district = forms.CharField(label=_("District"), required=False, max_length=40)
    street = forms.CharField(label=_("Street address"), required=False, max_length=200)
    marketing_consent = forms.ChoiceField(
        label=_("Offers and news from us"), choices=CHOICES_CONSENT, required=False
    )
    do_not_disturb = forms.ChoiceField(label=_("Do not disturb"), choices=CHOICES_DND, required=False)

    ADDRESS = ("province", "city", "district", "street")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs.update(type="email", autocomplete="email")
        self.fields["phone"].widget.attrs.update(type="tel", autocomplete="tel", inputmode="tel")

    def clean(self):
        data = super().clean()
        address = {k: (data.get(k) or "").strip() for k in self.ADDRESS}
        if any(address.values()):
            for k in ("province", "city", "street"):
                if not address[k]:
                    self.add_error(k, _("Fill in the whole new address."))
        return data

    def changes(self) -> dict:
        d = self.cleaned_data
        out: dict = {}
        for key in ("email", "phone"):
            if d.get(key):
                out[key] = d[key].strip()
        address = {k: d[k].strip() for k in self.ADDRESS if d.get(k)}
        if address:
            out["address"] = address
        for key in ("marketing_consent", "do_not_disturb"):
            if d.get(key) in ("yes", "no"):
                out[key] = d[key] == "yes"
        return out


def _invalid(request, exc: selfservice.LinkError):
    response = render(
        request, "customers/selfservice_invalid.html", {"error": exc, "code": exc.code}, status=exc.status
    )
    return _no_referrer(response)


@never_cache
@require_http_methods(["GET", "POST"])
def selfservice_form(request, token: str):
    try:
        customer = selfservice.customer_for_token(token)
    except selfservice.LinkError as exc:
        return _invalid(request, exc)
    form = SelfServiceForm(request.POST) if request.method == "POST" else SelfServiceForm()
    if request.method == "POST" and form.is_valid():
        changes = form.changes()
        try:
            selfservice.selfservice_submit(token=token, changes=changes, source="web")
        except selfservice.LinkError as exc:
            return _invalid(request, exc)
        except ValidationError as exc:
            _apply(form, exc)
        else:
            response = render(
                request,
                "customers/selfservice_done.html",
                {"name": crypto.mask_name(customer.name), "fields": sorted(changes)},
            )
            return _no_referrer(response)
    context = {"form": form, "name": crypto.mask_name(customer.name), "token": token}
    status = 400 if form.is_bound and form.errors else 200
    return _no_referrer(render(request, "customers/selfservice_form.html", context, status=status))


def _apply(form, exc: ValidationError) -> None:
    """An action's errors on the form; errors of the address as a whole ("address", "address.city")
    go to the address field they name, else to the street."""
    if hasattr(exc, "error_dict"):
        moved = {}
        for field, errors in exc.error_dict.items():
            if field.startswith("address"):
                part = field.partition(".")[2]
                field = part if part in SelfServiceForm.ADDRESS else "street"
            elif field not in form.fields:
                field = "__all__"
            moved.setdefault(field, []).extend(errors)
        exc = ValidationError(moved)
    apply_action_errors(form, exc)


# --- staff: hand out a link ----------------------------------------------------------------------------
@scoped_view(perm=CHANGE)
@require_POST
def selfservice_link_issue(request, pk: int):
    from .models import Customer

    customer = Customer.objects.restrict(request.user).filter(pk=pk).first()
    if customer is None:
        raise NotFoundInScope()
    link = selfservice.link_issue(actor=request.user, customer=customer, request=request)
    context = {"customer": customer, "link": link, "days": selfservice.link_valid_days()}
    template = "customers/selfservice_link.html"
    if getattr(request, "htmx", False):
        template += "#link"
    response = render(request, template, context)
    response["Cache-Control"] = "no-store"
    return response


# --- API -----------------------------------------------------------------------------------------------
class AddressInput(serializers.Serializer):
    province = serializers.CharField(max_length=40)
    city = serializers.CharField(max_length=40)
    district = serializers.CharField(max_length=40, required=False, allow_blank=True)
    street = serializers.CharField(max_length=200)
    postcode = serializers.CharField(max_length=6, required=False, allow_blank=True)


class SelfServiceRequestInput(serializers.Serializer):
    email = serializers.CharField(required=False, max_length=254)
    phone = serializers.CharField(required=False, max_length=32)
    address = AddressInput(required=False)
    marketing_consent = serializers.BooleanField(required=False)
    do_not_disturb = serializers.BooleanField(required=False)

    def validate(self, attrs):
        if not attrs:
            raise serializers.ValidationError(_("Tell us at least one thing to change."), code="empty")
        return attrs


class SelfServiceRequestOutput(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    requested = serializers.SerializerMethodField(help_text="The fields the request asks to change.")
    created_at = serializers.DateTimeField()

    def get_requested(self, obj) -> list[str]:
        return sorted((obj.changes or {}).keys())


class SelfServiceRequestView(ApiView):
    """A customer's own request to change their contact data, authorised by the signed link's token
    (no staff login). It waits for review; nothing changes until staff approve it."""

    authentication_classes = ()
    permission_classes = (AllowAny,)
    throttle_classes = (ScopedRateThrottle,)
    throttle_scope = "auth"  # per client address, like the sign-in endpoint

    @extend_schema(
        auth=[],
        request=SelfServiceRequestInput,
        responses={
            201: SelfServiceRequestOutput,
            400: OpenApiResponse(ErrorOutput, description="Invalid input, or the link was altered"),
            410: OpenApiResponse(ErrorOutput, description="The link has expired"),
            429: OpenApiResponse(ErrorOutput, description="Too many requests for this customer"),
        },
        summary="Submit a customer's self-service update request (pending until staff approve it)",
        tags=["customers"],
    )
    def post(self, request, token: str):
        try:
            selfservice.customer_for_token(token)  # a dead link is the answer, whatever the body says
            data = self.parse(SelfServiceRequestInput)
            # the channel is the customer app (dictionary contact_channel), which is what calls this
            req = selfservice.selfservice_submit(token=token, changes=dict(data), source="app")
        except selfservice.LinkError as exc:
            raise api_error(exc.message, code=exc.code, field="token", status_code=exc.status) from exc
        response = self.render(SelfServiceRequestOutput, req, status_code=201)
        return _no_referrer(response)
