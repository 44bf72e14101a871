# ruff: noqa: F811  (the shop fixture is imported from acceptance_fixtures)
"""The receipt (受理单): a PDF with the order number in Chinese type, prints recorded, reprints audited."""

from __future__ import annotations

import contextlib
import re
import zlib

import pytest
from django.core.exceptions import ValidationError

from telcrm.orders import actions
from telcrm.orders.models import ReceiptPrint
from telcrm.platform.errors import AccessDenied
from telcrm.platform.models import AuditLog

from .acceptance_fixtures import shop  # noqa: F401
from .test_acceptance import ready_new_line

pytestmark = pytest.mark.django_db


def pdf_text(pdf: bytes) -> bytes:
    """The PDF with its compressed streams inflated (metadata, font names, ToUnicode maps)."""
    parts = [pdf]
    for m in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        with contextlib.suppress(zlib.error):
            parts.append(zlib.decompress(m.group(1)))
    return b"\n".join(parts)


def test_receipt_is_a_pdf_with_the_order_number_in_chinese_type(shop):
    order = actions.order_submit(actor=shop.clerk, order=ready_new_line(shop))
    printed, pdf = actions.receipt_print(actor=shop.clerk, order=order)
    assert pdf.startswith(b"%PDF") and printed.copy_no == 1
    text = pdf_text(pdf)
    assert order.order_no.encode() in text  # the document title
    assert b"NotoSansCJK" in text  # Chinese set in a CJK font
    assert b"53d7" in text.lower()  # 受 (of 受理单) among the glyphs drawn
    assert AuditLog.objects.filter(action="order.receipt_print", object_id=str(order.pk)).count() == 1


def test_receipt_masks_the_id_number(shop):
    from telcrm.orders.receipts import render_receipt_html

    order = ready_new_line(shop)
    html = render_receipt_html(order)
    assert "330106199001011234" not in html
    assert order.order_no in html and "李四" in html


def test_reprint_is_audited_and_needs_the_permission(shop):
    order = actions.order_submit(actor=shop.clerk, order=ready_new_line(shop))
    actions.receipt_print(actor=shop.clerk, order=order)
    printed, _pdf = actions.receipt_print(actor=shop.clerk, order=order)
    assert printed.copy_no == 2
    entry = AuditLog.objects.get(action="order.receipt_reprint", object_id=str(order.pk))
    assert entry.actor == shop.clerk and entry.after == {"copy": 2}
    with pytest.raises(AccessDenied):
        actions.receipt_print(actor=shop.carrier["backoffice"], order=order)
    assert ReceiptPrint.objects.filter(order=order).count() == 2


def test_a_cancelled_order_has_no_receipt(shop):
    order = ready_new_line(shop)
    actions.order_abandon(actor=shop.clerk, order=order)
    with pytest.raises(ValidationError):
        actions.receipt_print(actor=shop.clerk, order=order)
