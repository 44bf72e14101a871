"""customer_create, customer_update, customer_set_tags, real_name_verify: validation naming the field,
scope, permissions, audit, field history, nothing half-written."""

from __future__ import annotations

import datetime as dt
import os
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from telcrm.customers import actions
from telcrm.customers.models import (
    Account,
    AccountStatus,
    BlacklistEntry,
    ContactMedium,
    Customer,
    CustomerStatus,
    Interaction,
    MediumKind,
    Party,
    Subscription,
    Tag,
)
from telcrm.customers.search import build_search_text
from telcrm.platform.errors import AccessDenied, NotFoundInScope, bilingual
from telcrm.platform.models import AuditLog

from ._domain_fixtures import credit_code, error_codes, register, resident_id

pytestmark = pytest.mark.django_db


def rows() -> tuple[int, ...]:
    return (
        Party.objects.count(),
        Customer.objects.count(),
        ContactMedium.objects.count(),
        Account.objects.count(),
        Interaction.objects.count(),
    )


def refused(fn, **kw) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as info:
        fn(**kw)
    return error_codes(info.value)


# --- create ---------------------------------------------------------------------------------------
def test_create_registers_party_customer_contacts_address_account_tags_and_timeline(carrier):
    clerk = carrier["clerk"]
    Tag.objects.create(code="student", name="学生")
    number = resident_id("330106", dt.date(1991, 3, 4), seq=123)  # 3rd digit odd → male
    c = register(
        clerk,
        name="张三",
        id_doc_type="id_card",
        id_number=number,
        phone="138 1234 5678",
        email="zhang@example.com",
        address={
            "province": "浙江省",
            "city": "杭州市",
            "district": "西湖区",
            "street": "文三路1号",
            "postcode": "310012",
        },
        tags=["student"],
        marketing_consent=True,
    )
    assert re.fullmatch(r"C\d{11}", c.customer_no)
    assert c.org_unit == carrier.branch and c.owner == clerk and c.status == CustomerStatus.ACTIVE
    party = c.party
    assert party.kind == "individual" and party.name == "张三" and party.id_doc_type == "id_card"
    assert party.id_number.reveal_unaudited() == number
    assert party.birth_date == dt.date(1991, 3, 4) and party.gender == "m"
    assert party.id_verified_at is None  # checked documents are recorded by real_name_verify / verify_id
    assert c.search_text == build_search_text(name="张三", customer_no=c.customer_no, extra=[])
    media = {m.kind: m for m in c.contact_media.all()}
    assert media[MediumKind.MOBILE].value.reveal_unaudited() == "13812345678"
    assert media[MediumKind.MOBILE].is_primary and media[MediumKind.MOBILE].marketing_consent
    assert media[MediumKind.EMAIL].value.reveal_unaudited() == "zhang@example.com"
    assert c.primary_phone.reveal_unaudited() == "13812345678"
    address = c.addresses.get()
    assert (address.city, address.postcode, address.is_primary) == ("杭州市", "310012", True)
    account = c.accounts.get()
    assert re.fullmatch(r"A\d{11}", account.account_no) and account.name == "张三"
    assert [t.code for t in c.tags.all()] == ["student"]
    reg = c.interactions.get()
    assert (reg.kind, reg.channel, reg.owner) == ("registration", "counter", clerk)
    log = AuditLog.objects.get(action="customer.create", object_id=str(c.pk))
    assert log.actor == clerk and log.after["customer.customer_no"] == c.customer_no
    assert number not in str(log.after)  # never the plaintext
    assert c.history.first().history_user == clerk


def test_create_without_id_and_phone_awaits_real_name_registration(carrier):
    c = register(carrier["clerk"], name="李四")
    assert c.party.id_number_bidx == "" and not c.primary_phone
    assert c.contact_media.count() == 0 and c.accounts.count() == 1


def test_create_builds_the_name_from_family_and_given_name(carrier):
    assert register(carrier["clerk"], name="", family_name="王", given_name="小明").name == "王小明"
    assert register(carrier["clerk"], name="", family_name="Smith", given_name="John").name == "John Smith"


def test_create_enterprise_with_credit_code_and_fixed_line(carrier):
    code = credit_code()
    c = register(
        carrier["account_manager"],
        customer_type="enterprise",
        name="杭州某某科技有限公司",
        trading_name="某某科技",
        id_doc_type="business_license",
        id_number=code.lower(),
        phone="0571-88886666",
        legal_representative="赵六",
    )
    assert c.party.kind == "organization" and c.relation_type == "b2b"
    assert c.party.id_number.reveal_unaudited() == code
    medium = c.contact_media.get()
    assert medium.kind == MediumKind.PHONE and not c.primary_phone  # only a mobile is mirrored
    assert "某某科技" in c.search_text


def test_create_reports_every_wrong_field_at_once_and_writes_nothing(carrier):
    before = rows()
    errors = refused(
        actions.customer_create,
        actor=carrier["clerk"],
        customer_type="individual",
        name="张三",
        id_doc_type="id_card",
        id_number=resident_id()[:-1] + "X" if not resident_id().endswith("X") else resident_id()[:-1] + "0",
        phone="12345",
        email="not-an-email",
        gender="x",
        address={"province": "浙江省", "city": "", "street": "文三路", "postcode": "3100"},
        tags=["no-such-tag"],
        source="pigeon",
    )
    assert errors == {
        "id_number": ["invalid_checksum"],
        "phone": ["invalid"],
        "email": ["invalid"],
        "gender": ["invalid_choice"],
        "address.city": ["required"],
        "address.postcode": ["invalid"],
        "tags": ["invalid_choice"],
        "source": ["invalid_choice"],
    }
    assert rows() == before


def test_create_requires_a_name_and_a_valid_type(carrier):
    assert refused(actions.customer_create, actor=carrier["clerk"], customer_type="alien", name="  ") == {
        "customer_type": ["invalid_choice"],
        "name": ["required"],
    }


def test_create_needs_both_document_type_and_number(carrier):
    assert refused(register, actor=carrier["clerk"], id_number=resident_id()) == {"id_doc_type": ["required"]}
    assert refused(register, actor=carrier["clerk"], id_doc_type="id_card") == {"id_number": ["required"]}


def test_enterprise_must_register_with_business_licence_and_individual_with_personal_document(carrier):
    assert refused(
        register,
        actor=carrier["clerk"],
        customer_type="enterprise",
        id_doc_type="id_card",
        id_number=resident_id(),
    ) == {"id_doc_type": ["wrong_party_type"]}
    assert refused(
        register, actor=carrier["clerk"], id_doc_type="business_license", id_number=credit_code()
    ) == {"id_doc_type": ["wrong_party_type"]}


def test_birth_date_and_gender_given_by_hand_must_match_the_id(carrier):
    number = resident_id(birth=dt.date(1990, 1, 1), seq=124)  # even → female
    errors = refused(
        register,
        actor=carrier["clerk"],
        id_doc_type="id_card",
        id_number=number,
        birth_date=dt.date(1990, 1, 2),
        gender="m",
    )
    assert errors == {"birth_date": ["id_mismatch"], "gender": ["id_mismatch"]}


def test_same_id_number_cannot_be_registered_twice(carrier):
    number = resident_id()
    first = register(carrier["clerk"], id_doc_type="id_card", id_number=number)
    with pytest.raises(ValidationError) as info:
        register(carrier["clerk"], id_doc_type="id_card", id_number=number.lower())
    assert error_codes(info.value) == {"id_number": ["duplicate"]}
    assert first.customer_no in info.value.messages[0]  # the clerk sees which record to use
    (item,) = bilingual(info.value)
    assert item["field"] == "id_number" and item["code"] == "duplicate"
    assert item["message_zh"] == f"该证件号码已登记为客户 {first.customer_no}。"
    assert item["message_en"] == f"This ID number is already registered as customer {first.customer_no}."


def test_duplicate_outside_the_scope_is_refused_without_naming_the_other_customer(carrier):
    number = resident_id()
    other = register(carrier["other_clerk"], id_doc_type="id_card", id_number=number)
    with pytest.raises(ValidationError) as info:
        register(carrier["clerk"], id_doc_type="id_card", id_number=number)
    assert error_codes(info.value) == {"id_number": ["duplicate"]}
    assert other.customer_no not in info.value.messages[0]


def test_a_closed_customer_does_not_block_registering_the_person_again(carrier):
    number = resident_id()
    old = register(carrier["clerk"], id_doc_type="id_card", id_number=number)
    actions.customer_update(actor=carrier["clerk"], customer=old, status="closed", reason="销户")
    assert register(carrier["clerk"], id_doc_type="id_card", id_number=number).pk != old.pk


def test_only_an_administrator_may_register_an_id_twice(carrier):
    number = resident_id()
    register(carrier["clerk"], id_doc_type="id_card", id_number=number)
    with pytest.raises(AccessDenied):
        register(carrier["clerk"], id_doc_type="id_card", id_number=number, allow_duplicate=True)
    second = register(
        carrier["admin"],
        id_doc_type="id_card",
        id_number=number,
        allow_duplicate=True,
        org_unit=carrier.branch,
    )
    assert second.party.id_number_bidx == Customer.objects.exclude(pk=second.pk).get().party.id_number_bidx


def test_create_checks_permission_and_org_unit_scope(carrier):
    with pytest.raises(AccessDenied):
        register(carrier["installer"])
    assert refused(register, actor=carrier["clerk"], org_unit=carrier.other_branch) == {
        "org_unit": ["out_of_scope"]
    }
    c = register(carrier["branch_manager"], org_unit=carrier.branch)
    assert c.org_unit == carrier.branch


def test_create_parent_must_be_a_group_in_scope(carrier):
    am = carrier["account_manager"]
    group = register(am, customer_type="group", name="某集团")
    enterprise = register(am, customer_type="enterprise", name="某公司")
    member = register(am, customer_type="enterprise", name="成员公司", parent=group)
    assert member.parent == group
    assert refused(register, actor=am, customer_type="enterprise", parent=enterprise) == {
        "parent": ["not_group"]
    }
    foreign = register(carrier["other_clerk"], customer_type="group", name="外地集团")
    assert refused(register, actor=am, customer_type="enterprise", parent=foreign) == {"parent": ["invalid"]}


def test_verify_id_records_who_checked_the_document(carrier):
    c = register(carrier["clerk"], id_doc_type="id_card", id_number=resident_id(), verify_id=True)
    assert c.party.id_verified_at is not None and c.party.id_verified_by == carrier["clerk"]


def test_create_for_an_existing_party_links_it_instead_of_copying(carrier):
    clerk = carrier["clerk"]
    number = resident_id(seq=321)
    first = register(clerk, id_doc_type="id_card", id_number=number, family_name="张", given_name="三丰")
    actions.customer_update(actor=clerk, customer=first, status="closed", reason="销户")
    parties = Party.objects.count()
    again = actions.customer_create(
        actor=clerk, customer_type="individual", name="", party=first.party_id, phone="13900001234"
    )
    assert again.party_id == first.party_id and Party.objects.count() == parties
    assert again.name == first.party.name and again.customer_no != first.customer_no
    assert again.primary_phone.reveal_unaudited() == "13900001234"


def test_create_for_an_existing_party_refuses_what_belongs_to_the_party(carrier):
    clerk = carrier["clerk"]
    person = register(clerk, id_doc_type="id_card", id_number=resident_id(seq=322))
    company = register(clerk, customer_type="enterprise", name="某公司")
    before = rows()
    # already a live customer: the clerk is told which
    with pytest.raises(ValidationError) as info:
        actions.customer_create(actor=clerk, customer_type="individual", name="", party=person.party)
    assert error_codes(info.value) == {"party": ["duplicate"]}
    assert person.customer_no in info.value.messages[0]
    actions.customer_update(actor=clerk, customer=person, status="closed", reason="销户")
    # a person is not an enterprise; party data is the party's
    assert refused(
        actions.customer_create, actor=clerk, customer_type="enterprise", name="x", party=person.party
    ) == {"customer_type": ["kind_mismatch"]}
    assert refused(
        actions.customer_create,
        actor=clerk,
        customer_type="individual",
        name="",
        party=person.party,
        id_doc_type="id_card",
        id_number=resident_id(seq=323),
    ) == {"id_doc_type": ["read_only"], "id_number": ["read_only"]}
    # another branch's party is not there for this clerk
    foreign = register(carrier["other_clerk"], customer_type="enterprise", name="外地公司")
    actions.customer_update(actor=carrier["other_clerk"], customer=foreign, status="closed", reason="x")
    assert refused(
        actions.customer_create, actor=clerk, customer_type="enterprise", name="x", party=foreign.party_id
    ) == {"party": ["invalid"]}
    assert rows()[:2] == (before[0] + 1, before[1] + 1)  # only the out-of-scope party was added
    assert company.party.customers.count() == 1


# --- update ---------------------------------------------------------------------------------------
def test_clerk_cannot_update_a_ningbo_customer(carrier):
    ningbo = register(carrier["other_clerk"], name="宁波客户")
    with pytest.raises(NotFoundInScope):
        actions.customer_update(actor=carrier["clerk"], customer=ningbo, name="改名")
    assert Customer.objects.get(pk=ningbo.pk).name == "宁波客户"


def test_update_changes_name_everywhere_audits_and_keeps_history(carrier):
    clerk = carrier["clerk"]
    c = register(clerk, name="张三")
    actions.customer_update(actor=clerk, customer=c, name=" 张  三丰 ", industry="", gender="m")
    c.refresh_from_db()
    assert c.name == c.party.name == "张 三丰"
    assert c.search_text == build_search_text(name="张 三丰", customer_no=c.customer_no, extra=[])
    log = AuditLog.objects.get(action="customer.update", object_id=str(c.pk))
    assert log.before == {"customer.name": "张三", "party.name": "张三", "party.gender": ""}
    assert log.after == {"customer.name": "张 三丰", "party.name": "张 三丰", "party.gender": "m"}
    history = c.history.order_by("-history_date").first()
    assert history.name == "张 三丰" and history.history_user == clerk


def test_update_refuses_unknown_and_id_fields(carrier):
    c = register(carrier["clerk"])
    assert refused(actions.customer_update, actor=carrier["clerk"], customer=c, credit_level=5) == {
        "credit_level": ["read_only"]
    }
    assert refused(actions.customer_update, actor=carrier["clerk"], customer=c, id_number=resident_id()) == {
        "id_number": ["read_only"]
    }


def test_update_validates_each_field(carrier):
    c = register(carrier["clerk"])
    errors = refused(
        actions.customer_update,
        actor=carrier["clerk"],
        customer=c,
        name="",
        email="x@",
        birth_date=dt.date(1800, 1, 1),
        gender="q",
    )
    assert errors == {
        "name": ["required"],
        "email": ["invalid"],
        "birth_date": ["implausible"],
        "gender": ["invalid_choice"],
    }


def test_birth_date_of_a_resident_id_holder_cannot_contradict_the_id(carrier):
    c = register(carrier["clerk"], id_doc_type="id_card", id_number=resident_id(birth=dt.date(1990, 1, 1)))
    assert refused(
        actions.customer_update, actor=carrier["clerk"], customer=c, birth_date=dt.date(1991, 1, 1)
    ) == {"birth_date": ["id_mismatch"]}


def test_classification_override_needs_the_rating_permission(carrier):
    c = register(carrier["clerk"])
    with pytest.raises(AccessDenied):
        actions.customer_update(actor=carrier["clerk"], customer=c, value_tier="vip")
    actions.customer_update(
        actor=carrier["branch_manager"], customer=c, value_tier="vip", behaviour_type="rational"
    )
    c.refresh_from_db()
    assert (c.value_tier, c.behaviour_type) == ("vip", "rational")
    assert refused(
        actions.customer_update, actor=carrier["branch_manager"], customer=c, loyalty_class="gold"
    ) == {"loyalty_class": ["invalid_choice"]}


def test_email_update_sets_the_primary_email(carrier):
    clerk = carrier["clerk"]
    c = register(clerk, email="old@example.com")
    actions.customer_update(actor=clerk, customer=c, email="new@example.com")
    assert [m.value.reveal_unaudited() for m in c.contact_media.filter(kind="email")] == ["new@example.com"]
    actions.customer_update(actor=clerk, customer=c, email="")
    assert not c.contact_media.filter(kind="email").exists()


def test_suspend_and_close_need_a_reason_and_follow_the_rules(carrier):
    clerk = carrier["clerk"]
    c = register(clerk)
    assert refused(actions.customer_update, actor=clerk, customer=c, status="suspended") == {
        "reason": ["required"]
    }
    actions.customer_update(actor=clerk, customer=c, status="suspended", reason="客户出国")
    actions.customer_update(actor=clerk, customer=c, status="active")
    assert refused(actions.customer_update, actor=clerk, customer=c, status="merged") == {
        "status": ["invalid_change"]
    }
    assert refused(actions.customer_update, actor=clerk, customer=c, reason="why") == {
        "reason": ["read_only"]
    }
    account = c.accounts.get()
    line = Subscription.objects.create(
        customer=c, account=account, msisdn="13900000001", offer_code="X", offer_name="X", org_unit=c.org_unit
    )
    Account.objects.filter(pk=account.pk).update(arrears=Decimal("12.50"))
    assert refused(actions.customer_update, actor=clerk, customer=c, status="closed", reason="销户") == {
        "status": ["has_lines", "arrears"]
    }
    Subscription.objects.filter(pk=line.pk).update(status="terminated")
    Account.objects.filter(pk=account.pk).update(arrears=0)
    actions.customer_update(actor=clerk, customer=c, status="closed", reason="销户")
    c.refresh_from_db()
    assert c.status == "closed" and c.accounts.get().status == AccountStatus.CLOSED
    log = AuditLog.objects.filter(action="customer.update", object_id=str(c.pk)).order_by("-id").first()
    assert log.after == {"customer.status": "closed", "reason": "销户"}
    assert refused(actions.customer_update, actor=clerk, customer=c, name="x") == {"customer": ["closed"]}
    assert refused(actions.customer_update, actor=clerk, customer=register(clerk), status="closed") == {
        "reason": ["required"]
    }


def test_group_type_changes_only_between_enterprise_and_group(carrier):
    am = carrier["account_manager"]
    group = register(am, customer_type="group", name="集团")
    register(am, customer_type="enterprise", name="成员", parent=group)
    assert refused(actions.customer_update, actor=am, customer=group, customer_type="enterprise") == {
        "customer_type": ["has_members"]
    }
    person = register(am)
    assert refused(actions.customer_update, actor=am, customer=person, customer_type="enterprise") == {
        "customer_type": ["invalid_change"]
    }
    firm = register(am, customer_type="enterprise", name="公司")
    actions.customer_update(actor=am, customer=firm, customer_type="group")
    assert Customer.objects.get(pk=firm.pk).customer_type == "group"


def test_parent_cannot_make_a_cycle(carrier):
    am = carrier["account_manager"]
    top = register(am, customer_type="group", name="总集团")
    sub = register(am, customer_type="group", name="子集团", parent=top)
    assert refused(actions.customer_update, actor=am, customer=top, parent=sub) == {"parent": ["cycle"]}
    assert refused(actions.customer_update, actor=am, customer=top, parent=top) == {"parent": ["cycle"]}


def test_transfer_to_another_unit_moves_accounts_and_lines(carrier):
    admin = carrier["admin"]
    c = register(admin, org_unit=carrier.branch)
    Subscription.objects.create(
        customer=c, account=c.accounts.get(), msisdn="1", offer_code="X", offer_name="X", org_unit=c.org_unit
    )
    actions.customer_update(actor=admin, customer=c, org_unit=carrier.other_branch)
    c.refresh_from_db()
    assert c.org_unit == c.party.org_unit == carrier.other_branch
    assert c.accounts.get().org_unit == carrier.other_branch
    assert c.subscriptions.get().org_unit == carrier.other_branch
    mine = register(carrier["branch_manager"])
    assert refused(
        actions.customer_update, actor=carrier["branch_manager"], customer=mine, org_unit=carrier.other_branch
    ) == {"org_unit": ["out_of_scope"]}


# --- tags -----------------------------------------------------------------------------------------
def test_set_tags_replaces_them_and_audits(carrier):
    clerk = carrier["clerk"]
    a, b = Tag.objects.create(code="a", name="A"), Tag.objects.create(code="b", name="B")
    c = register(clerk, tags=[a])
    actions.customer_set_tags(actor=clerk, customer=c, tags=["b"])
    assert list(c.tags.values_list("code", flat=True)) == ["b"]
    log = AuditLog.objects.get(action="customer.set_tags")
    assert (log.before, log.after) == ({"tags": ["a"]}, {"tags": ["b"]})
    assert refused(actions.customer_set_tags, actor=clerk, customer=c, tags=["zzz"]) == {
        "tags": ["invalid_choice"]
    }
    assert refused(actions.customer_set_tags, actor=clerk, customer=c, tags=[b.pk, 99999]) == {
        "tags": ["invalid_choice"]
    }


def test_tag_save_is_for_administrators(carrier):
    with pytest.raises(AccessDenied):
        actions.tag_save(actor=carrier["clerk"], code="vip", name="贵宾")
    tag = actions.tag_save(actor=carrier["admin"], code="VIP", name="贵宾", color="danger")
    assert tag.code == "vip"
    assert refused(actions.tag_save, actor=carrier["admin"], code="vip", name="又一个") == {
        "code": ["duplicate"]
    }


# --- real name ------------------------------------------------------------------------------------
def test_real_name_verify_records_document_and_verifier(carrier):
    clerk = carrier["clerk"]
    c = register(clerk, name="张三")
    number = resident_id(birth=dt.date(1985, 6, 7), seq=201)
    actions.real_name_verify(actor=clerk, customer=c, id_doc_type="id_card", id_number=number)
    party = Party.objects.get(pk=c.party_id)
    assert party.id_number.reveal_unaudited() == number and party.id_doc_type == "id_card"
    assert party.id_verified_by == clerk and party.id_verified_at is not None
    assert (party.birth_date, party.gender) == (dt.date(1985, 6, 7), "m")
    assert c.interactions.filter(kind="real_name").exists()
    assert AuditLog.objects.filter(action="customer.real_name_verify", object_id=str(c.pk)).exists()


def test_real_name_verify_validates_and_refuses_duplicates(carrier):
    clerk = carrier["clerk"]
    number = resident_id()
    register(clerk, id_doc_type="id_card", id_number=number)
    c = register(clerk)
    assert refused(
        actions.real_name_verify, actor=clerk, customer=c, id_doc_type="id_card", id_number="123"
    ) == {"id_number": ["invalid_length"]}
    assert refused(
        actions.real_name_verify, actor=clerk, customer=c, id_doc_type="id_card", id_number=number
    ) == {"id_number": ["duplicate"]}


def test_a_verified_id_is_corrected_only_by_an_administrator(carrier):
    clerk = carrier["clerk"]
    c = register(clerk, id_doc_type="id_card", id_number=resident_id(), verify_id=True)
    other = resident_id()
    assert refused(
        actions.real_name_verify, actor=clerk, customer=c, id_doc_type="id_card", id_number=other
    ) == {"id_number": ["already_verified"]}
    actions.real_name_verify(actor=carrier["admin"], customer=c, id_doc_type="id_card", id_number=other)
    assert Party.objects.get(pk=c.party_id).id_number.reveal_unaudited() == other


def test_blacklist_entries_follow_the_id_registered_later(carrier):
    c = register(carrier["branch_manager"])
    entry = actions.blacklist_add(
        actor=carrier["branch_manager"],
        customer=c,
        reason_code="fraud",
        effect="block_all",
        valid_from=dt.date.today(),
    )
    assert entry.id_number_bidx == ""
    number = resident_id()
    actions.real_name_verify(
        actor=carrier["branch_manager"], customer=c, id_doc_type="id_card", id_number=number
    )
    assert (
        BlacklistEntry.objects.get(pk=entry.pk).id_number_bidx
        == Party.objects.get(pk=c.party_id).id_number_bidx
    )


# --- any input: a clear error or a customer, never a crash, never half a customer -------------------
junk = st.one_of(
    st.none(),
    st.text(max_size=25),
    st.integers(-(10**12), 10**12),
    st.booleans(),
    st.dates(),
    st.lists(st.text(max_size=4), max_size=2),
    st.dictionaries(st.sampled_from(["province", "city", "street", "postcode", "x"]), st.text(max_size=5)),
)
FIELDS = [
    *(
        "customer_type",
        "name",
        "id_doc_type",
        "id_number",
        "phone",
        "email",
        "gender",
        "birth_date",
        "address",
    ),
    *("tags", "source", "family_name", "trading_name", "org_unit", "parent", "account_manager"),
]
ADDRESS_ERRORS = {
    "address",
    "address.province",
    "address.city",
    "address.street",
    "address.postcode",
    "address.x",
}


@settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", 80)),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(values=st.fixed_dictionaries({}, optional={f: junk for f in FIELDS}))
def test_any_input_gives_a_customer_or_field_errors_and_nothing_half_written(carrier, values):
    values.setdefault("customer_type", "individual")
    values.setdefault("name", "张三")
    before = rows()
    try:
        c = actions.customer_create(actor=carrier["clerk"], **values)
    except ValidationError as exc:
        assert hasattr(exc, "error_dict") and set(exc.error_dict) <= {*FIELDS, *ADDRESS_ERRORS}
        assert rows() == before
    else:
        assert Customer.objects.filter(pk=c.pk).exists() and rows()[1] == before[1] + 1


UPDATE_FIELDS = [
    *("name", "email", "gender", "birth_date", "family_name", "trading_name", "industry", "value_tier"),
    *(
        "behaviour_type",
        "account_manager",
        "parent",
        "owner",
        "org_unit",
        "customer_type",
        "status",
        "reason",
    ),
]


@settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", 60)),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(changes=st.fixed_dictionaries({}, optional={f: junk for f in UPDATE_FIELDS}))
def test_any_update_gives_the_change_or_field_errors_and_changes_nothing(carrier, changes):
    manager = carrier["branch_manager"]
    c = register(manager, id_doc_type="id_card", id_number=resident_id(), email="a@example.com")
    before = (
        Customer.objects.filter(pk=c.pk).values().get(),
        Party.objects.filter(pk=c.party_id).values().get(),
    )
    try:
        actions.customer_update(actor=manager, customer=c, **changes)
    except ValidationError as exc:
        assert set(exc.error_dict) <= {*UPDATE_FIELDS, "customer"}
        after = (
            Customer.objects.filter(pk=c.pk).values().get(),
            Party.objects.filter(pk=c.party_id).values().get(),
        )
        assert after == before
