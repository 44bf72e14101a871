"""customers_create_many: the import's batched registration — the counter's validation and rules for
each row, written per table in bulk."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from telcrm.customers import actions, queries
from telcrm.customers.actions import _common, bulk
from telcrm.customers.models import (
    Account,
    Address,
    ContactMedium,
    Customer,
    Interaction,
    Party,
    Tag,
)
from telcrm.platform import crypto
from telcrm.platform.errors import AccessDenied
from telcrm.platform.models import AuditLog
from telcrm.platform.testing import count_queries

from ._domain_fixtures import error_codes, register, resident_id

pytestmark = pytest.mark.django_db


def person(i: int, **kw) -> dict:
    row = {
        "customer_type": "individual",
        "name": f"批量{i}",
        "id_doc_type": "id_card",
        "id_number": resident_id(seq=100 + i),
        "phone": f"1390000{i:04d}",
        "source": "import",
    }
    row.update(kw)
    return row


def codes(results) -> list:
    return [None if r is None else error_codes(r) for r in results]


def test_registers_each_row_as_the_counter_does(carrier):
    clerk = carrier["clerk"]
    Tag.objects.create(code="student", name="学生")
    single = register(clerk, name="单个")
    rows = [
        person(1, email="a@example.com", tags=["student"], marketing_consent=True),
        person(2, address={"province": "浙江省", "city": "杭州市", "street": "文三路1号"}),
        {"customer_type": "enterprise", "name": "批量科技有限公司", "source": "import"},
    ]
    assert actions.customers_create_many(actor=clerk, rows=rows) == [None, None, None]

    made = list(Customer.objects.filter(name__startswith="批量").select_related("party").order_by("id"))
    assert [c.name for c in made] == ["批量1", "批量2", "批量科技有限公司"]
    # numbers follow the counter's, in order; each customer has its party, account and timeline entry
    numbers = [int(c.customer_no[1:]) for c in made]
    assert numbers == [int(single.customer_no[1:]) + k for k in (1, 2, 3)]
    assert all(c.org_unit == clerk.org_unit and c.owner == clerk for c in made)
    assert Account.objects.filter(customer__in=made).count() == 3
    assert Interaction.objects.filter(customer__in=made, kind="registration", channel="import").count() == 3
    first = made[0]
    assert first.party.id_number.reveal_unaudited() == rows[0]["id_number"]
    assert first.party.birth_date is not None and first.party.gender  # derived from the ID, as at the counter
    assert first.primary_phone.reveal_unaudited() == "13900000001"
    assert set(ContactMedium.objects.filter(customer=first).values_list("kind", "marketing_consent")) == {
        ("mobile", True),
        ("email", True),
    }
    assert list(first.tags.values_list("code", flat=True)) == ["student"]
    assert Address.objects.get(customer=made[1]).is_primary
    # found by ID (blind index), phone and name like any customer
    assert [c.pk for c in queries.customer_search(clerk, rows[0]["id_number"])] == [first.pk]
    assert [c.pk for c in queries.customer_search(clerk, "13900000002")] == [made[1].pk]
    assert made[2].pk in [c.pk for c in queries.customer_search(clerk, "批量科技")]
    # audited and in the field history, one record per customer
    audits = AuditLog.objects.filter(action="customer.create", object_id__in=[str(c.pk) for c in made])
    assert audits.count() == 3
    assert audits.get(object_id=str(first.pk)).after["customer.tags"] == ["student"]
    assert all(c.history.filter(history_type="+").count() == 1 for c in made)
    assert Party.history.filter(id=first.party_id, history_type="+").exists()


def test_invalid_rows_are_reported_and_the_valid_ones_land(carrier):
    rows = [
        person(1),
        person(2, id_number="330106199001011234"),  # bad checksum
        person(3, phone="12345", customer_type="planet"),
        person(4),
    ]
    results = actions.customers_create_many(actor=carrier["clerk"], rows=rows)
    assert codes(results) == [
        None,
        {"id_number": ["invalid_checksum"]},
        {"customer_type": ["invalid_choice"], "phone": ["invalid"]},
        None,
    ]
    assert set(Customer.objects.values_list("name", flat=True)) == {"批量1", "批量4"}


def test_an_id_number_is_one_live_customers_in_the_database_and_in_the_batch(carrier):
    clerk = carrier["clerk"]
    mine = register(clerk, id_doc_type="id_card", id_number=resident_id(seq=201))
    theirs = register(carrier["other_clerk"], id_doc_type="id_card", id_number=resident_id(seq=202))
    rows = [
        person(1, id_number=resident_id(seq=201)),
        person(2, id_number=resident_id(seq=202)),
        person(3, id_number=resident_id(seq=203)),
        person(4, id_number=resident_id(seq=203).lower()),
    ]
    results = actions.customers_create_many(actor=clerk, rows=rows)
    assert codes(results) == [
        {"id_number": ["duplicate"]},
        {"id_number": ["duplicate"]},
        None,
        {"id_number": ["duplicate"]},
    ]
    assert mine.customer_no in results[0].messages[0]  # the clerk sees which record to use
    assert theirs.customer_no not in results[1].messages[0]  # but not one outside the scope


def test_scope_and_permission_are_the_counters(carrier):
    with pytest.raises(AccessDenied):
        actions.customers_create_many(actor=carrier["installer"], rows=[person(1)])
    results = actions.customers_create_many(
        actor=carrier["clerk"], rows=[person(1, org_unit=carrier.other_branch), person(2)]
    )
    assert codes(results) == [{"org_unit": ["out_of_scope"]}, None]
    with pytest.raises(TypeError):
        actions.customers_create_many(actor=carrier["clerk"], rows=[person(3, party=1)])


def test_queries_do_not_grow_with_the_rows(carrier):
    clerk = carrier["clerk"]
    actions.customers_create_many(actor=clerk, rows=[person(900)])  # caches warm
    with count_queries() as ten:
        actions.customers_create_many(actor=clerk, rows=[person(i) for i in range(10)])
    with count_queries() as fifty:
        actions.customers_create_many(actor=clerk, rows=[person(i) for i in range(100, 150)])
    assert len(fifty) == len(ten), (len(ten), len(fifty))


def test_a_number_taken_meanwhile_by_the_counter_gives_a_new_block(carrier, monkeypatch):
    clerk = carrier["clerk"]
    taken = register(clerk, name="柜台")
    real = _common.next_numbers
    calls = {"n": 0}

    def racing(model, field, prefix, count):
        numbers = real(model, field, prefix, count)
        if model is Customer:
            calls["n"] += 1
            if calls["n"] == 1:  # as if the counter had registered under the block's first number
                numbers[0] = taken.customer_no
        return numbers

    monkeypatch.setattr(bulk, "next_numbers", racing)
    assert actions.customers_create_many(actor=clerk, rows=[person(1), person(2)]) == [None, None]
    assert calls["n"] == 2
    numbers = sorted(Customer.objects.values_list("customer_no", flat=True))
    assert len(numbers) == len(set(numbers)) == 3
    assert Party.objects.count() == 3 and Account.objects.count() == 3  # the failed attempt left nothing


def test_nothing_is_written_when_the_batch_fails(carrier, monkeypatch):
    def broken(*a, **kw):
        raise ValidationError("boom")

    monkeypatch.setattr(bulk, "emit_many", broken)  # the last step, after every COPY
    with pytest.raises(ValidationError):
        actions.customers_create_many(actor=carrier["clerk"], rows=[person(1), person(2)])
    assert not Customer.objects.exists() and not Party.objects.exists()
    assert not AuditLog.objects.filter(action="customer.create").exists()
    assert crypto.blind_index(resident_id(seq=101), context="customers.Party.id_number") not in set(
        Party.objects.values_list("id_number_bidx", flat=True)
    )


def test_each_registered_customer_is_announced_as_at_the_counter(carrier):
    from telcrm.integration.models import Event

    clerk = carrier["clerk"]
    at_counter = register(clerk, name="柜台")
    made = actions.customers_create_many(actor=clerk, rows=[person(1), person(2, id_number="bad")])
    assert made[0] is None and made[1] is not None  # the second row is refused: not announced
    events = list(Event.objects.filter(topic="customer.created").order_by("id"))
    assert [e.aggregate_type for e in events] == ["customers.customer", "customers.customer"]
    imported = Customer.objects.exclude(pk=at_counter.pk).get()
    assert [e.aggregate_id for e in events] == [str(at_counter.pk), str(imported.pk)]
    assert events[1].payload["customerNo"] == imported.customer_no
    assert events[1].org_unit_id == imported.org_unit_id and events[1].actor_id == clerk.pk
