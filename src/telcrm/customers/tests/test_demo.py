"""Demo customers (customers/demo.py): valid and unique numbers, PII stored as EncryptedField stores it,
findable through the blind indexes, spread over the branches in the demo users' scopes, deterministic,
idempotent, topped up and reset. Small volumes; the 10M run is in docs/benchmarks.md."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from django.db.models import Count

from telcrm.customers import demo
from telcrm.customers.models import (
    Account,
    Address,
    ContactMedium,
    Customer,
    CustomerType,
    Interaction,
    Party,
    Subscription,
)
from telcrm.customers.queries import customer_search
from telcrm.customers.validation import validate_id_number
from telcrm.platform import crypto
from telcrm.platform.actions import pii_reveal
from telcrm.platform.demo import DemoResetRefused
from telcrm.platform.models import OrgKind, OrgUnit, User

N = 400


def run(*args, customers: int = N) -> str:
    out = io.StringIO()
    call_command("demo_data", "--customers", str(customers), "--seed", "5", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def demo_customers(db):
    run()
    return Customer.objects.filter(customer_no__startswith=demo.CUSTOMER_PREFIX)


def users(*names):
    return [User.objects.select_related("role", "org_unit").get(username=n) for n in names]


def test_generates_the_requested_customers_with_valid_id_numbers(demo_customers):
    assert demo_customers.count() == N
    kinds = dict(demo_customers.values_list("customer_type").annotate(n=Count("id")))
    assert 0.75 * N < kinds[CustomerType.INDIVIDUAL] < 0.95 * N
    assert kinds.get(CustomerType.ENTERPRISE, 0) + kinds.get(CustomerType.GROUP, 0) > 0.05 * N
    for c in demo_customers.select_related("party"):
        plain = c.party.id_number.reveal_unaudited()
        if c.customer_type == CustomerType.INDIVIDUAL:
            assert c.party.id_doc_type == "id_card"
            assert validate_id_number("id_card", plain) == plain  # checksum, region, birth date
            assert plain[:6] in demo.ALL_REGIONS
            assert 1950 <= c.party.birth_date.year <= 2006
            assert plain[6:14] == f"{c.party.birth_date:%Y%m%d}"
            assert c.party.gender == ("m" if int(plain[16]) % 2 else "f")
            assert 2 <= len(c.name) <= 4 and c.name == c.party.family_name + c.party.given_name
        else:
            assert validate_id_number("business_license", plain) == plain  # unified social credit code
        assert re.fullmatch(r"C\d{11}", c.customer_no)


def test_pii_decrypts_through_the_model_and_reveal_gives_the_generated_value(demo_customers):
    (admin,) = users("admin")
    c = demo_customers.filter(customer_type=CustomerType.INDIVIDUAL).select_related("party").first()
    party = Party.objects.get(pk=c.party_id)
    i = demo.customer_index(c.customer_no)
    revealed = pii_reveal(actor=admin, obj=party, field="id_number")
    assert revealed == demo.resident_id(i, revealed[:6])[0]  # what the generator made for customer i
    assert str(party.id_number) == crypto.mask_id_number(revealed) != revealed
    phone = pii_reveal(actor=admin, obj=Customer.objects.get(pk=c.pk), field="primary_phone")
    assert phone == demo.msisdn(i * demo.LINES_PER_CUSTOMER)
    assert str(Customer.objects.get(pk=c.pk).primary_phone) == crypto.mask_phone(phone)
    medium = ContactMedium.objects.get(customer=c, is_primary=True)
    assert medium.value.reveal_unaudited() == phone
    assert Subscription.objects.filter(customer=c, msisdn=phone).exists()


def test_blind_indexes_find_the_customers(demo_customers):
    (admin,) = users("admin")
    for c in demo_customers.select_related("party").order_by("?")[:10]:
        id_number = c.party.id_number.reveal_unaudited()
        phone = c.primary_phone.reveal_unaudited()
        assert (
            Party.objects.filter(
                id_number_bidx=crypto.blind_index(crypto.normalize(id_number), context=demo.PARTY_ID)
            ).get()
            == c.party
        )
        if c.customer_type == CustomerType.INDIVIDUAL:  # parse_query reads credit codes as names
            assert c in customer_search(admin, id_number)
        assert c in customer_search(admin, phone)
        assert c in customer_search(admin, c.customer_no)
        assert ContactMedium.objects.filter(
            value_bidx=crypto.blind_index(phone, context=demo.MEDIUM_CTX), customer=c
        ).exists()


def test_numbers_are_unique_and_well_formed(demo_customers):
    nos = list(demo_customers.values_list("customer_no", flat=True))
    assert len(set(nos)) == N
    accounts = list(Account.objects.filter(customer__in=demo_customers).values_list("account_no", flat=True))
    assert len(set(accounts)) == len(accounts) >= N and all(re.fullmatch(r"A\d{11}", a) for a in accounts)
    subs = list(Subscription.objects.filter(customer__in=demo_customers).values_list("msisdn", "iccid"))
    assert len({m for m, _ in subs}) == len(subs) >= N
    assert len({i for _, i in subs}) == len(subs)
    assert all(re.fullmatch(r"1[3-9]\d{9}", m) and re.fullmatch(r"898600\d{14}", i) for m, i in subs)
    ids = [p.id_number.reveal_unaudited() for p in Party.objects.filter(customers__in=demo_customers)]
    assert len(set(ids)) == len(ids) == N


def test_every_customer_has_what_a_carrier_record_has(demo_customers):
    per_customer = {
        "accounts": (Account, 1, 3),
        "subscriptions": (Subscription, 1, 4),
        "addresses": (Address, 1, 2),
    }
    for name, (model, lo, hi) in per_customer.items():
        counts = dict(model.objects.values_list("customer").annotate(n=Count("id")))
        assert set(counts) == set(demo_customers.values_list("pk", flat=True)), name
        assert lo <= min(counts.values()) and max(counts.values()) <= hi, name
    assert Interaction.objects.filter(customer__in=demo_customers).count() > N
    assert demo_customers.filter(parent__isnull=False).exists()  # group members
    assert Account.objects.filter(arrears__gt=0).exists()
    assert ContactMedium.objects.filter(do_not_disturb=True).exists()
    assert ContactMedium.objects.filter(marketing_consent=True).exists()
    assert set(demo_customers.values_list("value_tier", flat=True)) == {"vip", "important", "ordinary"}
    assert Customer.tags.through.objects.filter(customer__in=demo_customers).exists()
    assert all(c.search_text for c in demo_customers)


def test_spread_over_branches_and_the_demo_users_scopes_hold(demo_customers):
    branches = set(OrgUnit.objects.filter(kind=OrgKind.BRANCH).values_list("pk", flat=True))
    assert set(demo_customers.values_list("org_unit", flat=True)) == branches
    clerk, manager, am, analyst, admin = users("clerk", "branchmgr", "am", "analyst", "admin")
    own = Customer.objects.restrict(clerk)
    assert own.count() >= 0.01 * N
    assert set(own.values_list("org_unit", flat=True)) == {clerk.org_unit_id}
    assert set(own.values_list("owner", flat=True)) == {clerk.pk}
    branch = Customer.objects.restrict(manager)
    assert own.count() < branch.count() < N
    assert set(branch.values_list("org_unit", flat=True)) == {manager.org_unit_id}
    assert Customer.objects.restrict(am).exclude(customer_type=CustomerType.INDIVIDUAL).exists()
    assert Customer.objects.restrict(analyst).count() == Customer.objects.restrict(admin).count() == N
    owners = User.objects.filter(pk__in=demo_customers.values("owner")).select_related("role")
    assert {u.role.code for u in owners} <= {"clerk", "account_manager", "branch_manager"}
    assert all(u.org_unit_id in branches for u in owners)


def test_second_run_adds_nothing_and_if_empty_does_nothing(demo_customers):
    before = {m: m.objects.count() for m in (Party, Customer, Account, Subscription, Interaction)}
    assert "nothing added" in run()
    assert "not generated" in run("--if-empty", customers=N * 2)
    assert {m: m.objects.count() for m in before} == before


def test_top_up_and_reset_reproduce_the_same_customers(demo_customers):
    run(customers=N + 150)
    assert demo_customers.count() == N + 150
    topped = dict(demo_customers.values_list("customer_no", "name"))
    out = run("--reset", customers=N + 150)
    assert f"deleted {N + 150:,} demo customers" in out
    assert dict(demo_customers.values_list("customer_no", "name")) == topped


def test_reset_keeps_customers_made_through_actions_and_refuses_when_referenced(demo_customers):
    from telcrm.customers.testing import make_customer

    manager = users("branchmgr")[0]
    real = make_customer(manager.org_unit, name="王真实", owner=manager)
    real.customer_no = demo.customer_no(N)  # the next free number after the demo, as actions give it
    real.save()
    group = demo_customers.filter(customer_type=CustomerType.GROUP).first()
    member = make_customer(
        manager.org_unit, name="李成员", customer_type=CustomerType.ENTERPRISE, parent=group
    )
    with pytest.raises(DemoResetRefused):
        demo.reset_customers(stdout=io.StringIO())
    assert demo_customers.count() == N + 1
    member.parent = None
    member.save()
    from telcrm.platform.demo import generators

    for later in reversed(generators()):  # the modules built on the demo customers reset first
        if later.order > 20 and later.reset is not None:
            later.reset(stdout=io.StringIO())
    demo.reset_customers(stdout=io.StringIO())
    assert not demo_customers.exclude(pk=real.pk).exists()
    assert Customer.objects.filter(pk=real.pk).exists()


def test_worker_processes_make_the_same_data(db):
    run(customers=0)
    loaded = demo.load_customers(count=demo.CHUNK + 50, seed=11, workers=2)
    assert loaded["customer"] == demo.CHUNK + 50
    by_workers = dict(Customer.objects.values_list("customer_no", "name"))
    plan = demo.build_plan(seed=11, start=0, stop=demo.CHUNK + 50)
    from telcrm.customers.search import build_search_text

    in_process = demo.generate_chunk(plan, 1, build_search_text)["customer"]
    assert {row[1]: row[4] for row in in_process} == {
        no: name for no, name in by_workers.items() if demo.customer_index(no) >= demo.CHUNK
    }
