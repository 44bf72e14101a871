"""Transfers between branches: draft → shipped → received / cancelled. Items in transit are in
neither branch's available stock and cannot be allocated; receiving checks what arrived and lands it
at the destination; only the sending side ships or cancels, only the receiving side receives."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from telcrm.platform.errors import AccessDenied, NotFoundInScope
from telcrm.platform.models import AuditLog
from telcrm.platform.testing import make_unit
from telcrm.resources.stock import actions, queries
from telcrm.resources.stock.models import (
    Movement,
    SimCard,
    Terminal,
    Transfer,
    TransferOutcome,
    TransferStatus,
)
from telcrm.resources.stock.states import ItemState, Move
from telcrm.resources.stock.testing import iccid_for, make_sims, make_terminals

pytestmark = pytest.mark.django_db
S = ItemState


def field_code(exc: ValidationError) -> tuple[str, str]:
    (field, errors), *_ = exc.error_dict.items()
    return field, errors[0].code


@pytest.fixture
def hz(carrier):
    """Stock at the Hangzhou branch and a draft transfer to the Ningbo branch."""
    sims = make_sims(carrier.branch, 10)
    terminals = make_terminals(carrier.branch, 2)
    t = actions.transfer_create(actor=carrier["branch_manager"], to_unit=carrier.other_branch, note="补货")
    return sims, terminals, t


def test_full_lifecycle(carrier, hz):
    sims, terminals, t = hz
    sender, receiver = carrier["branch_manager"], carrier["other_branch_manager"]
    assert (t.status, t.org_unit, t.to_unit) == (TransferStatus.DRAFT, carrier.branch, carrier.other_branch)
    codes = "\n".join(s.iccid for s in sims[:4]) + f"\n{terminals[0].imei}"
    t, added = actions.transfer_add_items(actor=sender, transfer=t, codes=codes)
    assert added == 5 and t.item_count == 5
    t = actions.transfer_ship(actor=sender, transfer=t)
    assert t.status == TransferStatus.SHIPPED and t.shipped_by == sender
    moving = SimCard.objects.filter(pk__in=[s.pk for s in sims[:4]])
    assert set(moving.values_list("state", flat=True)) == {S.IN_TRANSIT}
    assert set(moving.values_list("org_unit", flat=True)) == {carrier.branch.pk}
    # in transit: in neither branch's available stock, and no order can take it
    assert queries.unit_levels([carrier.branch])[0].sim_available == 6
    assert queries.unit_levels([carrier.other_branch])[0].sim_available == 0
    for clerk in (carrier["clerk"], carrier["other_clerk"]):
        with pytest.raises(ValidationError):
            actions.sim_allocate(clerk, sims[0].iccid)
    t = actions.transfer_receive(actor=receiver, transfer=t, all_arrived=True)
    assert (t.status, t.received_count, t.missing_count, t.received_by) == (
        TransferStatus.RECEIVED,
        5,
        0,
        receiver,
    )
    assert set(moving.values_list("org_unit", flat=True)) == {carrier.other_branch.pk}
    assert set(moving.values_list("state", flat=True)) == {S.IN_STOCK}
    assert Terminal.objects.get(pk=terminals[0].pk).org_unit == carrier.other_branch
    # received at the right branch: the Ningbo clerk can now take it, the Hangzhou clerk cannot
    assert actions.sim_allocate(carrier["other_clerk"], sims[0].iccid).state == S.ALLOCATED
    with pytest.raises(ValidationError):
        actions.sim_allocate(carrier["clerk"], sims[1].iccid)
    history = list(
        Movement.objects.filter(sim=sims[1]).order_by("id").values_list("move", "org_unit", "from_unit")
    )
    assert history == [
        (Move.SHIP, carrier.branch.pk, None),
        (Move.TRANSFER_IN, carrier.other_branch.pk, carrier.branch.pk),
    ]
    assert list(
        AuditLog.objects.filter(action__startswith="stock.transfer_")
        .order_by("id")
        .values_list("action", flat=True)
    ) == [
        "stock.transfer_create",
        "stock.transfer_add_items",
        "stock.transfer_ship",
        "stock.transfer_receive",
    ]


def test_receiving_checks_what_arrived(carrier, hz):
    sims, _terminals, t = hz
    sender, receiver = carrier["branch_manager"], carrier["other_branch_manager"]
    actions.transfer_add_items(actor=sender, transfer=t, codes=[s.iccid for s in sims[:3]])
    actions.transfer_ship(actor=sender, transfer=t)
    stranger = sims[5].iccid
    with pytest.raises(ValidationError) as info:
        actions.transfer_receive(actor=receiver, transfer=t, codes=f"{sims[0].iccid}\n{stranger}")
    assert field_code(info.value) == ("codes", "not_on_transfer")
    assert stranger in info.value.messages[0]
    with pytest.raises(ValidationError) as info:
        actions.transfer_receive(actor=receiver, transfer=t, codes="")
    assert field_code(info.value) == ("codes", "required")
    t = actions.transfer_receive(actor=receiver, transfer=t, codes=[sims[0].iccid, sims[1].iccid])
    assert (t.received_count, t.missing_count) == (2, 1)
    lost = SimCard.objects.get(pk=sims[2].pk)
    assert (lost.state, lost.org_unit_id, lost.transfer_id) == (S.MISSING, carrier.branch.pk, None)
    outcomes = dict(t.items.values_list("code", "outcome"))
    assert outcomes[sims[2].iccid] == TransferOutcome.MISSING
    assert outcomes[sims[0].iccid] == TransferOutcome.RECEIVED
    assert Movement.objects.filter(sim=sims[2], move=Move.LOSE).exists()


def test_ranges_add_every_item_in_stock_between_the_numbers(carrier):
    sims = make_sims(carrier.branch, 20)
    actions.sim_allocate(carrier["clerk"], sims[5].iccid)
    t = actions.transfer_create(actor=carrier["branch_manager"], to_unit=carrier.other_branch)
    t, added = actions.transfer_add_items(
        actor=carrier["branch_manager"], transfer=t, codes=f"{sims[2].iccid}-{sims[11].iccid}"
    )
    assert added == 9  # 10 in the range, one allocated
    assert sims[5].iccid not in set(t.items.values_list("code", flat=True))
    _t, again = actions.transfer_add_items(actor=carrier["branch_manager"], transfer=t, codes=sims[3].iccid)
    assert again == 0  # already on it
    with pytest.raises(ValidationError) as info:
        actions.transfer_add_items(
            actor=carrier["branch_manager"], transfer=t, codes=f"{iccid_for(10**11)}-{iccid_for(10**11 + 5)}"
        )
    assert field_code(info.value) == ("codes", "empty_range")


def test_numbers_not_in_stock_at_the_sender_are_named(carrier, hz):
    sims, _terminals, t = hz
    ningbo = make_sims(carrier.other_branch)[0]
    actions.sim_allocate(carrier["clerk"], sims[0].iccid)
    with pytest.raises(ValidationError) as info:
        actions.transfer_add_items(
            actor=carrier["branch_manager"], transfer=t, codes=[sims[0].iccid, ningbo.iccid, sims[1].iccid]
        )
    codes = {e.code for e in info.value.error_dict["codes"]}
    assert codes == {"not_found", "not_available"}
    text = " ".join(info.value.messages)
    assert ningbo.iccid in text and sims[0].iccid in text and sims[1].iccid not in text
    assert not t.items.exists()  # all or nothing


def test_an_item_allocated_after_it_was_added_makes_the_shipment_fail(carrier, hz):
    sims, _terminals, t = hz
    actions.transfer_add_items(actor=carrier["branch_manager"], transfer=t, codes=[s.iccid for s in sims[:3]])
    actions.sim_allocate(carrier["clerk"], sims[1].iccid, reference="DD7")
    with pytest.raises(ValidationError) as info:
        actions.transfer_ship(actor=carrier["branch_manager"], transfer=t)
    assert field_code(info.value) == ("codes", "not_available")
    assert sims[1].iccid in info.value.messages[0]
    t.refresh_from_db()
    assert t.status == TransferStatus.DRAFT
    assert not SimCard.objects.filter(state=S.IN_TRANSIT).exists()  # nothing half-shipped


def test_cancel_a_shipped_transfer_puts_the_items_back(carrier, hz):
    sims, _terminals, t = hz
    sender = carrier["branch_manager"]
    actions.transfer_add_items(actor=sender, transfer=t, codes=[s.iccid for s in sims[:2]])
    actions.transfer_ship(actor=sender, transfer=t)
    with pytest.raises(ValidationError) as info:
        actions.transfer_cancel(actor=sender, transfer=t, reason="")
    assert field_code(info.value) == ("reason", "required")
    t = actions.transfer_cancel(actor=sender, transfer=t, reason="车辆故障")
    assert t.status == TransferStatus.CANCELLED
    back = SimCard.objects.filter(pk__in=[sims[0].pk, sims[1].pk])
    assert set(back.values_list("state", "org_unit", "transfer")) == {(S.IN_STOCK, carrier.branch.pk, None)}
    assert Movement.objects.filter(move=Move.UNSHIP).count() == 2
    with pytest.raises(ValidationError) as info:
        actions.transfer_ship(actor=sender, transfer=t)
    assert field_code(info.value) == ("status", "invalid_state")


def test_each_end_does_its_own_part(carrier, hz):
    sims, _terminals, t = hz
    sender, receiver = carrier["branch_manager"], carrier["other_branch_manager"]
    actions.transfer_add_items(actor=sender, transfer=t, codes=sims[0].iccid)
    with pytest.raises(AccessDenied):
        actions.transfer_ship(actor=receiver, transfer=t)
    actions.transfer_ship(actor=sender, transfer=t)
    with pytest.raises(AccessDenied):
        actions.transfer_receive(actor=sender, transfer=t, all_arrived=True)
    with pytest.raises(AccessDenied):
        actions.transfer_cancel(actor=receiver, transfer=t, reason="x")
    with pytest.raises(AccessDenied):
        actions.transfer_receive(actor=carrier["other_clerk"], transfer=t, all_arrived=True)
    with pytest.raises(NotFoundInScope):  # a third branch sees nothing
        third = make_unit("ZJ-HZ-02", "第三营业厅", "branch", carrier.city)
        from telcrm.platform.testing import make_user

        actions.transfer_receive(
            actor=make_user("third_mgr", "branch_manager", third), transfer=t, all_arrived=True
        )
    assert (
        actions.transfer_receive(actor=receiver, transfer=t, all_arrived=True).status
        == TransferStatus.RECEIVED
    )


def test_bad_units_and_sizes(carrier, set_param):
    mgr = carrier["branch_manager"]
    with pytest.raises(ValidationError) as info:
        actions.transfer_create(actor=mgr, to_unit=carrier.branch)
    assert field_code(info.value) == ("to_unit", "same_unit")
    with pytest.raises(ValidationError) as info:
        actions.transfer_create(actor=mgr, to_unit=carrier.team)
    assert field_code(info.value) == ("to_unit", "not_stock_unit")
    with pytest.raises(ValidationError) as info:
        actions.transfer_create(actor=mgr, from_unit=carrier.other_branch, to_unit=carrier.branch)
    assert field_code(info.value) == ("from_unit", "out_of_scope")
    set_param("stock.transfer_max_items", 3)
    sims = make_sims(carrier.branch, 5)
    t = actions.transfer_create(actor=mgr, to_unit=carrier.other_branch)
    with pytest.raises(ValidationError) as info:
        actions.transfer_add_items(actor=mgr, transfer=t, codes=[s.iccid for s in sims])
    assert field_code(info.value) == ("codes", "too_many")
    with pytest.raises(ValidationError) as info:
        actions.transfer_ship(actor=mgr, transfer=t)
    assert field_code(info.value) == ("codes", "empty")


def test_draft_items_can_be_removed(carrier, hz):
    sims, _terminals, t = hz
    mgr = carrier["branch_manager"]
    actions.transfer_add_items(actor=mgr, transfer=t, codes=[s.iccid for s in sims[:3]])
    t = actions.transfer_remove_items(actor=mgr, transfer=t, codes=sims[1].iccid)
    assert t.item_count == 2 and set(t.items.values_list("code", flat=True)) == {sims[0].iccid, sims[2].iccid}


def test_transfers_are_visible_from_both_ends_only(carrier, hz):
    _sims, _terminals, t = hz
    assert Transfer.objects.restrict(carrier["branch_manager"]).filter(pk=t.pk).exists()
    assert Transfer.objects.restrict(carrier["other_branch_manager"]).filter(pk=t.pk).exists()
    assert Transfer.objects.restrict(carrier["other_clerk"]).filter(pk=t.pk).exists()  # their branch
    assert not Transfer.objects.restrict(carrier["installer"]).filter(pk=t.pk).exists()
    assert queries.transfer_list(carrier["other_branch_manager"], direction="in").filter(pk=t.pk).exists()
    assert (
        not queries.transfer_list(carrier["other_branch_manager"], direction="out").filter(pk=t.pk).exists()
    )
