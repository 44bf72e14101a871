"""Contact media, addresses, key persons and billing accounts: one primary per kind, the primary mobile
mirrored into the customer, validation naming the field, scope."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from telcrm.customers import actions
from telcrm.customers.models import Account, ContactMedium, Customer
from telcrm.platform.errors import AccessDenied, NotFoundInScope
from telcrm.platform.models import AuditLog

from ._domain_fixtures import error_codes, register

pytestmark = pytest.mark.django_db


def refused(fn, **kw) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as info:
        fn(**kw)
    return error_codes(info.value)


def primaries(customer, kind="mobile") -> list[str]:
    return [
        m.value.reveal_unaudited()
        for m in ContactMedium.objects.filter(customer=customer, kind=kind, is_primary=True)
    ]


def primary_phone(customer) -> str:
    return Customer.objects.get(pk=customer.pk).primary_phone.reveal_unaudited()


# --- contact media --------------------------------------------------------------------------------
def test_first_medium_of_a_kind_is_primary_and_mirrored(carrier):
    clerk = carrier["clerk"]
    c = register(clerk)
    m = actions.contact_medium_save(actor=clerk, customer=c, kind="mobile", value="+86 139-0000-0001")
    assert m.is_primary and m.value.reveal_unaudited() == "13900000001"
    assert primary_phone(c) == "13900000001"
    second = actions.contact_medium_save(actor=clerk, customer=c, kind="mobile", value="13900000002")
    assert not second.is_primary and primary_phone(c) == "13900000001"


def test_making_another_number_primary_moves_the_flag_and_the_mirror(carrier):
    clerk = carrier["clerk"]
    c = register(clerk, phone="13900000001")
    second = actions.contact_medium_save(
        actor=clerk, customer=c, kind="mobile", value="13900000002", is_primary=True
    )
    assert primaries(c) == ["13900000002"] and primary_phone(c) == "13900000002"
    actions.contact_medium_save(
        actor=clerk, customer=c, medium=second, kind="mobile", value=second.value, is_primary=False
    )
    assert primaries(c) == ["13900000001"] and primary_phone(c) == "13900000001"


def test_one_primary_per_kind_independently(carrier):
    clerk = carrier["clerk"]
    c = register(clerk, phone="13900000001")
    actions.contact_medium_save(actor=clerk, customer=c, kind="email", value="a@example.com", is_primary=True)
    actions.contact_medium_save(actor=clerk, customer=c, kind="phone", value="0571-88886666", is_primary=True)
    assert primaries(c) == ["13900000001"]
    assert primaries(c, "email") == ["a@example.com"] and primaries(c, "phone") == ["057188886666"]


def test_deleting_the_primary_promotes_the_next_and_clears_the_mirror_when_none_is_left(carrier):
    clerk = carrier["clerk"]
    c = register(clerk, phone="13900000001")
    actions.contact_medium_save(actor=clerk, customer=c, kind="mobile", value="13900000002")
    first = c.contact_media.get(is_primary=True)
    actions.contact_medium_delete(actor=clerk, medium=first)
    assert primaries(c) == ["13900000002"] and primary_phone(c) == "13900000002"
    actions.contact_medium_delete(actor=clerk, medium=c.contact_media.get())
    assert primary_phone(c) == "" and Customer.objects.get(pk=c.pk).primary_phone_bidx == ""
    assert AuditLog.objects.filter(action="customer.contact_medium_delete", object_id=str(c.pk)).count() == 2


def test_medium_values_are_validated_by_kind(carrier):
    clerk = carrier["clerk"]
    c = register(clerk)
    assert refused(
        actions.contact_medium_save, actor=clerk, customer=c, kind="mobile", value="0571-88886666"
    ) == {"value": ["not_mobile"]}
    assert refused(
        actions.contact_medium_save, actor=clerk, customer=c, kind="phone", value="13900000001"
    ) == {"value": ["not_fixed_line"]}
    assert refused(actions.contact_medium_save, actor=clerk, customer=c, kind="email", value="nope") == {
        "value": ["invalid"]
    }
    assert refused(actions.contact_medium_save, actor=clerk, customer=c, kind="fax", value="1") == {
        "kind": ["invalid_choice"]
    }
    assert ContactMedium.objects.count() == 0


def test_do_not_disturb_excludes_marketing_consent(carrier):
    c = register(carrier["clerk"])
    assert refused(
        actions.contact_medium_save,
        actor=carrier["clerk"],
        customer=c,
        kind="mobile",
        value="13900000001",
        marketing_consent=True,
        do_not_disturb=True,
    ) == {"do_not_disturb": ["conflict"]}


def test_the_same_contact_is_not_recorded_twice(carrier):
    clerk = carrier["clerk"]
    c = register(clerk, phone="13900000001")
    assert refused(
        actions.contact_medium_save, actor=clerk, customer=c, kind="mobile", value="139 0000 0001"
    ) == {"value": ["duplicate"]}


def test_editing_with_the_stored_value_keeps_it_and_its_verification(carrier):
    clerk = carrier["clerk"]
    c = register(clerk, phone="13900000001")
    m = c.contact_media.get()
    ContactMedium.objects.filter(pk=m.pk).update(verified_at="2024-01-01T00:00:00Z")
    m.refresh_from_db()
    saved = actions.contact_medium_save(
        actor=clerk, customer=c, medium=m, kind="mobile", value=m.value, is_primary=True, do_not_disturb=True
    )
    assert saved.do_not_disturb and saved.verified_at is not None
    changed = actions.contact_medium_save(
        actor=clerk, customer=c, medium=m, kind="mobile", value="13900000009"
    )
    assert changed.verified_at is None and primary_phone(c) == "13900000009"


def test_media_of_a_customer_outside_the_scope_cannot_be_touched(carrier):
    ningbo = register(carrier["other_clerk"], phone="13900000001")
    with pytest.raises(NotFoundInScope):
        actions.contact_medium_save(
            actor=carrier["clerk"], customer=ningbo, kind="mobile", value="13900000002"
        )
    with pytest.raises(NotFoundInScope):
        actions.contact_medium_delete(actor=carrier["clerk"], medium=ningbo.contact_media.get())
    mine = register(carrier["clerk"])
    with pytest.raises(NotFoundInScope):  # another customer's row through my customer
        actions.contact_medium_save(
            actor=carrier["clerk"],
            customer=mine,
            medium=ningbo.contact_media.get(),
            kind="mobile",
            value="13900000003",
        )


def test_read_only_roles_cannot_change_contacts(carrier):
    c = register(carrier["branch_manager"])
    with pytest.raises(AccessDenied):
        actions.contact_medium_save(
            actor=carrier["backoffice"], customer=c, kind="mobile", value="13900000001"
        )


# --- addresses ------------------------------------------------------------------------------------
ADDRESS = {"kind": "home", "province": "浙江省", "city": "杭州市", "street": "文三路1号"}


def test_addresses_have_one_primary(carrier):
    clerk = carrier["clerk"]
    c = register(clerk)
    first = actions.address_save(actor=clerk, customer=c, **ADDRESS)
    assert first.is_primary
    second = actions.address_save(
        actor=clerk, customer=c, **{**ADDRESS, "street": "文二路2号"}, is_primary=True
    )
    assert list(c.addresses.filter(is_primary=True)) == [second]
    actions.address_delete(actor=clerk, address=second)
    assert list(c.addresses.filter(is_primary=True)) == [first]


def test_address_fields_are_validated(carrier):
    c = register(carrier["clerk"])
    errors = refused(
        actions.address_save,
        actor=carrier["clerk"],
        customer=c,
        kind="moon",
        province="",
        city="杭州市",
        street="x" * 201,
        postcode="12345",
    )
    assert errors == {
        "kind": ["invalid_choice"],
        "province": ["required"],
        "street": ["max_length"],
        "postcode": ["invalid"],
    }


def test_editing_an_address_audits_the_change(carrier):
    clerk = carrier["clerk"]
    c = register(clerk)
    a = actions.address_save(actor=clerk, customer=c, **ADDRESS)
    actions.address_save(
        actor=clerk, customer=c, address=a, **{**ADDRESS, "postcode": "310012"}, is_primary=True
    )
    log = AuditLog.objects.filter(action="customer.address_save").order_by("-id").first()
    assert log.before == {f"address[{a.pk}].postcode": ""} and log.after == {
        f"address[{a.pk}].postcode": "310012"
    }


# --- key persons ----------------------------------------------------------------------------------
def test_key_persons_belong_to_organisations(carrier):
    am = carrier["account_manager"]
    person_customer = register(am)
    assert refused(actions.contact_person_save, actor=am, customer=person_customer, name="王经理") == {
        "customer": ["not_organisation"]
    }
    firm = register(am, customer_type="enterprise", name="某公司")
    p = actions.contact_person_save(
        actor=am, customer=firm, name="王经理", title="总经理", phone="139 0000 0001", is_decision_maker=True
    )
    assert p.phone.reveal_unaudited() == "13900000001" and p.is_decision_maker
    same = actions.contact_person_save(actor=am, customer=firm, person=p, name="王总", phone=p.phone)
    assert same.phone.reveal_unaudited() == "13900000001" and same.name == "王总"
    assert refused(actions.contact_person_save, actor=am, customer=firm, name="", phone="12", email="x") == {
        "name": ["required"],
        "phone": ["invalid"],
        "email": ["invalid"],
    }
    actions.contact_person_delete(actor=am, person=p)
    assert not firm.contact_people.exists()


# --- accounts -------------------------------------------------------------------------------------
def test_account_create_numbers_and_validates(carrier):
    clerk = carrier["clerk"]
    c = register(clerk)
    account = actions.account_create(actor=clerk, customer=c, name="宽带账户", credit_limit="100.5")
    assert re.fullmatch(r"A\d{11}", account.account_no) and account.credit_limit == Decimal("100.50")
    assert account.org_unit == c.org_unit
    assert len(set(Account.objects.values_list("account_no", flat=True))) == Account.objects.count() == 2
    assert refused(
        actions.account_create, actor=clerk, customer=c, name="", credit_limit=-1, bill_cycle_day=31
    ) == {
        "name": ["required"],
        "credit_limit": ["out_of_range"],
        "bill_cycle_day": ["invalid"],
    }
    assert refused(actions.account_create, actor=clerk, customer=c, name="x", credit_limit="abc") == {
        "credit_limit": ["invalid"]
    }
