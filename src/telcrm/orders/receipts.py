"""The acceptance form / receipt (受理单) of an order as a PDF (WeasyPrint, CJK fonts).

``render_receipt(order, *, copy_no=1) -> bytes`` draws the template orders/receipt.html: order number,
branch and clerk, the customer with the ID number masked, the items with their fees and discounts (a
premium number's price and deposit among them), the payments, the terms (with the number's monthly
minimum spend) and a box for the customer's signature. A reprint says so on the page. Recording
who printed it (and auditing reprints) is the action ``orders.actions.receipt_print``.
"""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone

from .acceptance_queries import number_terms

FONT_FAMILY = '"Noto Sans CJK SC", "Noto Serif CJK SC", "WenQuanYi Zen Hei", sans-serif'


def yuan(fen: int) -> str:
    return f"{(fen or 0) / 100:.2f}"


def receipt_context(order, *, copy_no: int = 1) -> dict:
    customer = order.customer
    party = customer.party
    id_number = party.id_number
    masked = id_number.masked if id_number else ""
    items = [
        {
            "name": item.name or item.offering_code,
            "code": item.offering_code,
            "msisdn": item.msisdn,
            "iccid": item.iccid,
            "action": item.get_action_display(),
            "one_off": yuan(item.one_off_fen),
            "recurring": yuan(item.recurring_fen),
            "discount": yuan(item.discount_fen),
            "why": item.why,
        }
        for item in order.items.all()
    ]
    payments = [
        {"method": p.get_method_display(), "amount": yuan(p.amount_fen), "reference": p.reference, "at": p.at}
        for p in order.payments.all()
    ]
    terms = number_terms(order)
    if terms:
        terms = {
            **terms,
            "price": yuan(terms["price_fen"]),
            "deposit": yuan(terms["deposit_fen"]),
            "min_spend": yuan(terms["min_spend_fen"]),
        }
    return {
        "order": order,
        "customer": customer,
        "id_masked": masked,
        "items": items,
        "payments": payments,
        "one_off": yuan(order.one_off_fen),
        "recurring": yuan(order.recurring_fen),
        "discount": yuan(order.discount_fen),
        "paid": yuan(order.paid_fen),
        "number_terms": terms,
        "copy_no": copy_no,
        "printed_at": timezone.localtime(),
        "font_family": FONT_FAMILY,
    }


def render_receipt_html(order, *, copy_no: int = 1) -> str:
    return render_to_string("orders/receipt.html", receipt_context(order, copy_no=copy_no))


def render_receipt(order, *, copy_no: int = 1) -> bytes:
    """The receipt of ``order`` as PDF bytes."""
    from weasyprint import HTML

    return HTML(string=render_receipt_html(order, copy_no=copy_no)).write_pdf()
