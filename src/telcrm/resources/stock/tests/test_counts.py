"""Stock counts (盘点): scanned items against the books; missing, unexpected and found items; closing
records the differences and settles them."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from telcrm.platform.errors import AccessDenied
from telcrm.resources.stock import actions, queries
from telcrm.resources.stock.models import (
    CountDiscrepancy,
    CountStatus,
    DiscrepancyKind,
    Movement,
    SimCard,
    StockCount,
)
from telcrm.resources.stock.states import ItemState, Move
from telcrm.resources.stock.testing import iccid_for, make_sims, make_terminals

pytestmark = pytest.mark.django_db
S = ItemState


def field_code(exc: ValidationError) -> tuple[str, str]:
    (field, errors), *_ = exc.error_dict.items()
    return field, errors[0].code


@pytest.fixture
def shelf(carrier):
    """Six SIM cards in stock at the Hangzhou branch, one allocated, one recorded missing earlier,
    one in stock at Ningbo; and an open count of SIM cards at Hangzhou."""
    here = make_sims(carrier.branch, 6)
    allocated = make_sims(carrier.branch, state=S.ALLOCATED)[0]
    lost = make_sims(carrier.branch, state=S.MISSING)[0]
    ningbo = make_sims(carrier.other_branch)[0]
    c = actions.stock_count_start(actor=carrier["branch_manager"], item_type="sim", note="月末盘点")
    return here, allocated, lost, ningbo, c


def test_differences_while_counting_and_when_closed(carrier, shelf):
    here, allocated, lost, ningbo, c = shelf
    mgr = carrier["branch_manager"]
    unknown = iccid_for(77_777_777)
    scanned = [s.iccid for s in here[:4]] + [allocated.iccid, lost.iccid, ningbo.iccid, unknown]
    c, added = actions.stock_count_scan(actor=mgr, stock_count=c, codes="\n".join(scanned))
    assert added == 8 and c.counted_count == 8
    _c, again = actions.stock_count_scan(actor=mgr, stock_count=c, codes=here[0].iccid)
    assert again == 0  # each code once
    diff = queries.count_differences(c)
    assert diff.expected == 6 and diff.counted == 8
    assert {i.code for i in diff.missing} == {here[4].iccid, here[5].iccid}
    assert {i.code for i in diff.found} == {lost.iccid}
    assert {u.code for u in diff.unexpected} == {allocated.iccid, ningbo.iccid, unknown}
    c = actions.stock_count_close(actor=mgr, stock_count=c, note="差异已上报")
    assert c.status == CountStatus.CLOSED and c.closed_by == mgr
    assert (c.expected_count, c.counted_count, c.missing_count, c.unexpected_count, c.found_count) == (
        6,
        8,
        2,
        3,
        1,
    )
    kinds = dict(CountDiscrepancy.objects.filter(stock_count=c).values_list("code", "kind"))
    assert kinds[here[4].iccid] == kinds[here[5].iccid] == DiscrepancyKind.MISSING
    assert kinds[lost.iccid] == DiscrepancyKind.FOUND
    assert kinds[unknown] == kinds[ningbo.iccid] == kinds[allocated.iccid] == DiscrepancyKind.UNEXPECTED
    # settled: missing items are marked missing, the found one is back in stock, the others untouched
    assert set(SimCard.objects.filter(pk__in=[here[4].pk, here[5].pk]).values_list("state", flat=True)) == {
        S.MISSING
    }
    assert SimCard.objects.get(pk=lost.pk).state == S.IN_STOCK
    assert SimCard.objects.get(pk=ningbo.pk).state == S.IN_STOCK
    assert SimCard.objects.get(pk=allocated.pk).state == S.ALLOCATED
    assert Movement.objects.filter(move=Move.LOSE, stock_count=c).count() == 2
    assert Movement.objects.filter(move=Move.FIND, stock_count=c, sim=lost).exists()
    with pytest.raises(ValidationError) as info:
        actions.stock_count_scan(actor=mgr, stock_count=c, codes=here[0].iccid)
    assert field_code(info.value) == ("status", "invalid_state")


def test_a_clean_count_records_nothing(carrier):
    sims = make_sims(carrier.branch, 3)
    c = actions.stock_count_start(actor=carrier["branch_manager"], item_type="sim")
    actions.stock_count_scan(actor=carrier["branch_manager"], stock_count=c, codes=[s.iccid for s in sims])
    assert queries.count_differences(c).clean
    c = actions.stock_count_close(actor=carrier["branch_manager"], stock_count=c)
    assert (c.missing_count, c.unexpected_count) == (0, 0) and not c.discrepancies.exists()


def test_an_item_allocated_during_the_count_is_not_missing(carrier, shelf):
    here, _allocated, _lost, _ningbo, c = shelf
    mgr = carrier["branch_manager"]
    actions.stock_count_scan(actor=mgr, stock_count=c, codes=[s.iccid for s in here[:5]])
    actions.sim_allocate(carrier["clerk"], here[5].iccid)  # sold at the counter meanwhile
    c = actions.stock_count_close(actor=mgr, stock_count=c)
    assert c.missing_count == 0


def test_one_open_count_per_unit_and_type(carrier, shelf):
    *_rest, c = shelf
    mgr = carrier["branch_manager"]
    with pytest.raises(ValidationError) as info:
        actions.stock_count_start(actor=mgr, item_type="sim")
    assert field_code(info.value) == ("item_type", "already_open")
    other = actions.stock_count_start(actor=mgr, item_type="terminal")  # terminals are another count
    assert other.status == CountStatus.OPEN
    actions.stock_count_cancel(actor=mgr, stock_count=c)
    assert actions.stock_count_start(actor=mgr, item_type="sim").status == CountStatus.OPEN


def test_scans_of_the_other_item_type_or_ranges_are_refused(carrier, shelf):
    *_rest, c = shelf
    mgr = carrier["branch_manager"]
    term = make_terminals(carrier.branch)[0]
    with pytest.raises(ValidationError) as info:
        actions.stock_count_scan(actor=mgr, stock_count=c, codes=term.imei)
    assert field_code(info.value) == ("codes", "wrong_type")
    with pytest.raises(ValidationError) as info:
        actions.stock_count_scan(actor=mgr, stock_count=c, codes=f"{iccid_for(1)}-{iccid_for(9)}")
    assert field_code(info.value) == ("codes", "range")
    bad = iccid_for(5)[:-1] + str((int(iccid_for(5)[-1]) + 1) % 10)
    with pytest.raises(ValidationError) as info:
        actions.stock_count_scan(actor=mgr, stock_count=c, codes=bad)
    assert field_code(info.value) == ("codes", "invalid")


def test_unscan_takes_a_mistake_back(carrier, shelf):
    here, *_rest, c = shelf
    mgr = carrier["branch_manager"]
    actions.stock_count_scan(actor=mgr, stock_count=c, codes=[here[0].iccid, here[1].iccid])
    c = actions.stock_count_unscan(actor=mgr, stock_count=c, code=here[1].iccid)
    assert c.counted_count == 1 and list(c.scans.values_list("code", flat=True)) == [here[0].iccid]


def test_counts_belong_to_stock_managers_of_the_unit(carrier, shelf):
    *_rest, c = shelf
    with pytest.raises(AccessDenied):
        actions.stock_count_start(actor=carrier["clerk"], item_type="sim")
    with pytest.raises(ValidationError) as info:
        actions.stock_count_start(
            actor=carrier["branch_manager"], item_type="sim", org_unit=carrier.other_branch
        )
    assert field_code(info.value) == ("org_unit", "out_of_scope")
    from telcrm.platform.errors import NotFoundInScope

    with pytest.raises(NotFoundInScope):
        actions.stock_count_close(actor=carrier["other_branch_manager"], stock_count=c)
    assert StockCount.objects.restrict(carrier["clerk"]).filter(pk=c.pk).exists()  # visible to the branch
