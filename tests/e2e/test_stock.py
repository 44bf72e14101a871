"""SIM stock in a real browser: a branch manager receives a delivery of SIM cards from a CSV file
(background job, progress, result), sends some of them to another branch in a transfer (a range of
ICCIDs pasted), and the other branch's manager receives the parcel by scanning what arrived."""

import pytest

from telcrm.platform.testing import PASSWORD
from telcrm.resources.stock.models import SimCard, StockBatch, Transfer, TransferStatus
from telcrm.resources.stock.states import ItemState
from telcrm.resources.stock.testing import iccid_for, imsi_for

from .conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)

CARDS = [(iccid_for(5000 + i), imsi_for(5000 + i)) for i in range(6)]


def csv_file() -> bytes:
    bad = CARDS[0][0][:-1] + str((int(CARDS[0][0][-1]) + 1) % 10)
    lines = ["ICCID,IMSI,卡类型", *[f"{c},{i},三切卡" for c, i in CARDS], f"{bad},460039999999999,三切卡"]
    return ("\n".join(lines) + "\n").encode()


def test_receive_a_delivery_transfer_it_and_receive_it_at_the_other_branch(page, carrier):
    sign_in(page, "branch_manager", PASSWORD)
    page.click("#main-menu a[data-menu=stock-list]")
    page.wait_for_selector("[data-testid=stock-nav]")
    page.click("[data-testid=receive-delivery]")
    page.wait_for_selector("[data-testid=receive-form]")
    page.check("input[name=item_type][value=sim]")
    page.fill("#id_supplier", "东信和平")
    page.set_input_files(
        "#id_file", files=[{"name": "SIM.csv", "mimeType": "text/csv", "buffer": csv_file()}]
    )
    page.click("[data-testid=receive-submit]")

    page.wait_for_selector("[data-testid=batch-progress][data-finished='1']")
    assert page.inner_text("[data-testid=batch-received]") == "6"
    assert page.inner_text("[data-testid=batch-rejected]") == "1"
    assert page.is_visible("[data-testid=batch-errors]")  # the report of the rejected row
    batch = StockBatch.objects.get()
    assert SimCard.objects.filter(batch=batch, org_unit=carrier.branch, state=ItemState.IN_STOCK).count() == 6

    page.click("[data-testid=batch-items]")
    page.wait_for_selector("[data-testid=item-results]")
    assert page.locator("[data-testid=item-row]").count() == 6

    # a transfer of four of them (a range) to the Ningbo branch
    page.click("#main-menu a[data-menu=stock-transfer-list]")
    page.click("[data-testid=new-transfer]")
    page.select_option("#id_to_unit", str(carrier.other_branch.pk))
    page.fill("#id_note", "补货")
    page.click("[data-testid=transfer-create]")
    page.wait_for_selector("[data-testid=transfer-add]")
    page.fill("#id_codes", f"{CARDS[0][0]}-{CARDS[3][0]}")
    page.click("[data-testid=transfer-add-submit]")
    page.wait_for_selector("[data-testid=transfer-item]")
    assert page.locator("[data-testid=transfer-item]").count() == 4
    page.click("[data-testid=transfer-ship]")
    page.wait_for_selector("[data-testid=transfer-status] [data-state=shipped]")
    t = Transfer.objects.get()
    assert t.status == TransferStatus.SHIPPED
    assert SimCard.objects.filter(state=ItemState.IN_TRANSIT).count() == 4

    # the Ningbo branch manager receives the parcel: three cards arrived
    page.context.clear_cookies()
    sign_in(page, "other_branch_manager", PASSWORD)
    page.click("#main-menu a[data-menu=stock-transfer-list]")
    page.wait_for_selector("[data-testid=incoming-alert]")
    page.click(f"[data-testid=transfer-row] a:text('{t.number}')")
    page.wait_for_selector("[data-testid=transfer-receive]")
    page.fill("[data-testid=transfer-receive] textarea[name=codes]", "\n".join(c for c, _i in CARDS[:3]))
    page.click("[data-testid=transfer-receive-submit]")
    page.wait_for_selector("[data-testid=transfer-status] [data-state=received]")
    t.refresh_from_db()
    assert (t.received_count, t.missing_count) == (3, 1)
    arrived = SimCard.objects.filter(iccid__in=[c for c, _i in CARDS[:3]])
    assert set(arrived.values_list("org_unit", "state")) == {(carrier.other_branch.pk, ItemState.IN_STOCK)}
    assert SimCard.objects.get(iccid=CARDS[3][0]).state == ItemState.MISSING
    assert SimCard.objects.filter(org_unit=carrier.branch, state=ItemState.IN_STOCK).count() == 2
