"""Catalog REST API: offerings (read), quote, eligibility, group tariffs (list, create, decide)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action

from telcrm.customers.models import Customer
from telcrm.platform.actions import access, require_perm
from telcrm.platform.api.base import ApiView, ScopedViewSet, api_error

from .. import actions, eligibility, pricing, queries
from ..models import GroupTariff, ProductOffering
from .serializers import (
    DecisionInput,
    EligibilityInput,
    ErrorOutput,
    OfferingDetailOutput,
    OfferingFilter,
    OfferingOutput,
    QuoteInput,
    QuoteOutput,
    TariffFilter,
    TariffInput,
    TariffOutput,
    VerdictOutput,
)

VIEW = "catalog.view_catalog"
REQUEST = "catalog.request_discount"
APPROVE = "catalog.approve_discount"
READ_ERRORS = {401: ErrorOutput, 403: ErrorOutput, 404: ErrorOutput}
LIST_ERRORS = {400: ErrorOutput, 401: ErrorOutput, 403: ErrorOutput}
WRITE_ERRORS = {400: ErrorOutput, 401: ErrorOutput, 403: ErrorOutput, 404: ErrorOutput}


def _customer(user, pk) -> Customer:
    """A customer in the caller's data scope (404 otherwise)."""
    return access(Customer.objects.select_related("party"), user, pk)


@extend_schema_view(
    list=extend_schema(
        summary="Product offerings (every version unless filtered)",
        parameters=[OfferingFilter],
        responses={200: OfferingOutput(many=True), **LIST_ERRORS},
    ),
    retrieve=extend_schema(
        summary="One offering version with its prices and bundle members",
        responses={200: OfferingDetailOutput, **READ_ERRORS},
    ),
)
@extend_schema(tags=["catalog"])
class OfferingViewSet(ScopedViewSet):
    """The product catalog (installation-wide; catalog.view_catalog)."""

    model = ProductOffering
    filter_class = OfferingFilter

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        require_perm(request.user, VIEW)

    def scoped_queryset(self, user):
        f = self.filters
        if f.get("on_sale"):
            qs = queries.sellable(kind=f.get("kind", ""), q=f.get("q", ""))
        else:
            qs = queries.offering_list(
                q=f.get("q", ""), kind=f.get("kind", ""), status=f.get("status", ""), latest=False
            ).prefetch_related("categories")
        if f.get("code"):
            qs = qs.filter(code=f["code"])
        if self.action == "retrieve":
            qs = qs.prefetch_related("prices", "bundle_members__member")
        return qs.select_related("specification")

    def list(self, request):
        return self.paginated(self.get_queryset(), OfferingOutput)

    def retrieve(self, request, pk=None):
        return self.render(OfferingDetailOutput, self.get_object())


@extend_schema(
    tags=["catalog"],
    summary="Price items for a customer (list price, group tariff, net)",
    request=QuoteInput,
    responses={200: QuoteOutput, **WRITE_ERRORS},
)
class QuoteView(ApiView):
    def post(self, request):
        require_perm(request.user, VIEW)
        data = self.parse(QuoteInput)
        customer = _customer(request.user, data["customer"])
        at = data.get("at") or timezone.now()
        items = []
        ids = [i["offering"] for i in data["items"] if i.get("offering")]
        rows = {o.pk: o for o in ProductOffering.objects.filter(pk__in=ids)}
        for i in data["items"]:
            if i.get("offering"):
                row = rows.get(i["offering"])
                if row is None:
                    raise api_error(_("No offering version has this id."), code="not_found", field="items")
                items.append((row, i["quantity"]))
            else:
                items.append((i["code"], i["quantity"]))
        quote = pricing.quote(customer, items, at=at)
        return self.render(QuoteOutput, quote)


@extend_schema(
    tags=["catalog"],
    summary="May this customer buy this offering (and why not)",
    request=EligibilityInput,
    responses={200: VerdictOutput, **WRITE_ERRORS},
)
class EligibilityView(ApiView):
    def post(self, request):
        require_perm(request.user, VIEW)
        data = self.parse(EligibilityInput)
        customer = _customer(request.user, data["customer"])
        offering = data.get("code")
        if data.get("offering"):
            offering = ProductOffering.objects.filter(pk=data["offering"]).first()
            if offering is None:
                raise api_error(_("No offering version has this id."), code="not_found", field="offering")
        address = None
        if data.get("address"):
            address = customer.addresses.filter(pk=data["address"]).first()
            if address is None:
                raise api_error(
                    _("This customer has no address with this id."), code="not_found", field="address"
                )
        verdict = eligibility.check(
            customer,
            offering,
            cart=data.get("cart", []),
            channel=data["channel"],
            at=data.get("at"),
            address=address,
        )
        return self.render(VerdictOutput, verdict)


@extend_schema_view(
    list=extend_schema(
        summary="Group tariffs in my data scope",
        parameters=[TariffFilter],
        responses={200: TariffOutput(many=True), **LIST_ERRORS},
    ),
    retrieve=extend_schema(summary="One group tariff", responses={200: TariffOutput, **READ_ERRORS}),
    create=extend_schema(
        summary="Request a group tariff (catalog.request_discount)",
        request=TariffInput,
        responses={201: TariffOutput, **WRITE_ERRORS},
    ),
    submit=extend_schema(
        summary="Submit a draft tariff (catalog.request_discount)",
        request=None,
        responses={200: TariffOutput, **WRITE_ERRORS},
    ),
    approve=extend_schema(
        summary="Approve a pending tariff (catalog.approve_discount; not the requester)",
        request=DecisionInput,
        responses={200: TariffOutput, **WRITE_ERRORS},
    ),
    reject=extend_schema(
        summary="Reject a pending tariff, with a note (catalog.approve_discount)",
        request=DecisionInput,
        responses={200: TariffOutput, **WRITE_ERRORS},
    ),
    revoke=extend_schema(
        summary="Revoke an approved tariff, with a note (catalog.approve_discount)",
        request=DecisionInput,
        responses={200: TariffOutput, **WRITE_ERRORS},
    ),
)
@extend_schema(tags=["catalog"], parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH)])
class GroupTariffViewSet(ScopedViewSet):
    """Personalised tariffs of enterprise and group customers (个性化资费和优惠)."""

    model = GroupTariff
    filter_class = TariffFilter

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        user = request.user
        if not (user.has_perm(REQUEST) or user.has_perm(APPROVE)):
            require_perm(user, REQUEST)  # 403

    def scoped_queryset(self, user):
        return queries.tariff_list(user, **self.filters)

    def list(self, request):
        return self.paginated(self.get_queryset(), TariffOutput)

    def retrieve(self, request, pk=None):
        return self.render(TariffOutput, self.get_object())

    def create(self, request):
        require_perm(request.user, REQUEST)
        data = dict(self.parse(TariffInput))
        customer = data.pop("customer")
        submit = data.pop("submit")
        tariff = actions.tariff_create(actor=request.user, customer=customer, submit=submit, **data)
        return self.render(TariffOutput, tariff, status_code=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        tariff = self.get_object()
        return self.render(TariffOutput, actions.tariff_submit(actor=request.user, tariff=tariff))

    def _decide(self, fn):
        tariff = self.get_object()
        data = self.parse(DecisionInput)
        return self.render(
            TariffOutput, fn(actor=self.request.user, tariff=tariff, note=data.get("note", ""))
        )

    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._decide(actions.tariff_approve)

    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._decide(actions.tariff_reject)

    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        return self._decide(actions.tariff_revoke)
