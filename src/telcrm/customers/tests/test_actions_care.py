"""Credit, blacklist, the interaction timeline, self-service update requests."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from telcrm.customers import actions
from telcrm.customers.models import ContactMedium, CreditChange, Interaction, UpdateRequest
from telcrm.platform.errors import AccessDenied, NotFoundInScope
from telcrm.platform.models import AuditLog

from ._domain_fixtures import error_codes, register, resident_id

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()


def refused(fn, **kw) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as info:
        fn(**kw)
    return error_codes(info.value)


# --- credit ---------------------------------------------------------------------------------------
def test_credit_set_keeps_history_and_needs_the_permission(carrier):
    manager = carrier["branch_manager"]
    c = register(manager)
    with pytest.raises(AccessDenied):
        actions.credit_set(actor=carrier["clerk"], customer=c, level=5, reason="x")
    change = actions.credit_set(actor=manager, customer=c, level=1, reason="多次欠费")
    c.refresh_from_db()
    assert c.credit_level == 1
    assert (change.level_before, change.level_after, change.changed_by) == (3, 1, manager)
    log = AuditLog.objects.get(action="customer.credit_set")
    assert log.before["credit_level"] == 3 and log.after == {"credit_level": 1, "reason": "多次欠费"}


@pytest.mark.parametrize(
    ("level", "reason", "expected"),
    [
        (0, "r", {"level": ["invalid"]}),
        (6, "r", {"level": ["invalid"]}),
        ("five", "r", {"level": ["invalid"]}),
        (2.5, "r", {"level": ["invalid"]}),
        (True, "r", {"level": ["invalid"]}),
        (3, "r", {"level": ["unchanged"]}),
        (4, " ", {"reason": ["required"]}),
    ],
)
def test_credit_set_validates(carrier, level, reason, expected):
    c = register(carrier["branch_manager"])
    assert (
        refused(actions.credit_set, actor=carrier["branch_manager"], customer=c, level=level, reason=reason)
        == expected
    )
    assert not CreditChange.objects.exists()


# --- blacklist ------------------------------------------------------------------------------------
def test_blacklist_add_copies_the_persons_id_and_lift_ends_it(carrier):
    manager = carrier["branch_manager"]
    c = register(manager, id_doc_type="id_card", id_number=resident_id())
    entry = actions.blacklist_add(
        actor=manager, customer=c, reason_code="fraud", effect="block_all", valid_from=TODAY, note="公安通报"
    )
    assert entry.id_number_bidx == c.party.id_number_bidx != ""
    assert entry.org_unit == c.org_unit and entry.owner == manager
    assert refused(
        actions.blacklist_add,
        actor=manager,
        customer=c,
        reason_code="fraud",
        effect="block_all",
        valid_from=TODAY,
    ) == {"reason_code": ["duplicate"]}
    actions.blacklist_lift(actor=manager, entry=entry, reason="误报")
    entry.refresh_from_db()
    assert entry.lifted_at is not None and entry.lifted_by == manager and entry.lift_reason == "误报"
    assert refused(actions.blacklist_lift, actor=manager, entry=entry, reason="again") == {
        "entry": ["lifted"]
    }
    assert (
        AuditLog.objects.filter(action__in=["customer.blacklist_add", "customer.blacklist_lift"]).count() == 2
    )


def test_blacklist_add_validates(carrier):
    manager = carrier["branch_manager"]
    c = register(manager)
    errors = refused(
        actions.blacklist_add,
        actor=manager,
        customer=c,
        reason_code="nosy",
        effect="banish",
        valid_from=TODAY,
        valid_to=TODAY - dt.timedelta(days=1),
    )
    assert errors == {
        "reason_code": ["invalid_choice"],
        "effect": ["invalid_choice"],
        "valid_to": ["before_start", "past"],
    }
    assert refused(
        actions.blacklist_add,
        actor=manager,
        customer=c,
        reason_code="fraud",
        effect="warn",
        valid_from="tomorrow",
    ) == {"valid_from": ["invalid"]}
    assert refused(
        actions.blacklist_add, actor=manager, customer=c, reason_code="fraud", effect="warn", valid_from=None
    ) == {"valid_from": ["required"]}


def test_blacklist_needs_its_permission_and_scope(carrier):
    c = register(carrier["clerk"])
    with pytest.raises(AccessDenied):
        actions.blacklist_add(
            actor=carrier["clerk"], customer=c, reason_code="fraud", effect="warn", valid_from=TODAY
        )
    entry = actions.blacklist_add(
        actor=carrier["branch_manager"], customer=c, reason_code="fraud", effect="warn", valid_from=TODAY
    )
    with pytest.raises(NotFoundInScope):
        actions.blacklist_lift(actor=carrier["other_branch_manager"], entry=entry, reason="x")


# --- interactions ---------------------------------------------------------------------------------
def test_interaction_record_puts_a_contact_on_the_timeline(carrier):
    agent = carrier["agent"]
    c = register(carrier["clerk"])
    when = timezone.now() - dt.timedelta(hours=1)
    i = actions.interaction_record(
        actor=agent,
        customer=c,
        channel="phone",
        kind="call",
        summary="咨询套餐",
        occurred_at=when,
        ref_type="callcenter.call",
        ref_id="42",
    )
    assert (i.customer, i.channel, i.kind, i.occurred_at, i.owner) == (c, "phone", "call", when, agent)
    assert i.org_unit == c.org_unit
    assert AuditLog.objects.filter(action="customer.interaction_record", object_id=str(i.pk)).exists()


def test_interaction_record_by_the_system_and_long_summaries(carrier):
    c = register(carrier["clerk"])
    i = actions.interaction_record(
        actor=None, customer=c.pk, channel="sms", kind="sms", summary="字" * 400, direction="out"
    )
    assert len(i.summary) == 300 and i.summary.endswith("…") and i.owner is None


def test_interaction_record_validates(carrier):
    c = register(carrier["clerk"])
    errors = refused(
        actions.interaction_record,
        actor=carrier["clerk"],
        customer=c,
        channel="telepathy",
        kind="",
        summary=" ",
        direction="sideways",
        occurred_at=timezone.now() + dt.timedelta(days=1),
    )
    assert errors == {
        "channel": ["invalid_choice"],
        "kind": ["invalid"],
        "summary": ["required"],
        "direction": ["invalid_choice"],
        "occurred_at": ["future"],
    }
    with pytest.raises(NotFoundInScope):
        actions.interaction_record(
            actor=carrier["other_clerk"], customer=c, channel="phone", kind="call", summary="x"
        )


def test_interactions_of_a_merged_customer_go_to_the_survivor(carrier):
    manager = carrier["branch_manager"]
    keep, dup = register(manager), register(manager)
    actions.customer_merge(actor=manager, survivor=keep, duplicate=dup)
    i = actions.interaction_record(
        actor=manager, customer=dup, channel="counter", kind="visit", summary="来访"
    )
    assert i.customer == keep


# --- self-service update requests -------------------------------------------------------------------
def test_submit_validates_the_whitelist_and_stores_pii_encrypted(carrier):
    c = register(carrier["clerk"], phone="13900000001")
    req = actions.update_request_submit(
        customer=c,
        changes={"phone": "139-0000-0002", "email": "New@Example.com", "marketing_consent": False},
        source="web",
    )
    assert req.status == "pending" and req.org_unit == c.org_unit and req.owner == c.owner
    stored = UpdateRequest.objects.get(pk=req.pk).changes
    assert "13900000002" not in str(stored) and "example" not in str(stored).lower()
    assert actions.update_request_preview(req) == {
        "phone": "139****0002",
        "email": "N***@example.com",
        "marketing_consent": False,
    }
    assert c.interactions.filter(kind="update_request").exists()


def test_submit_refuses_other_fields_and_bad_values(carrier):
    c = register(carrier["clerk"])
    errors = refused(
        actions.update_request_submit,
        customer=c,
        changes={
            "name": "新名字",
            "phone": "123",
            "address": {"province": "浙江省", "city": "", "street": "路", "postcode": "1"},
            "do_not_disturb": "yes",
        },
    )
    assert errors == {
        "name": ["read_only"],
        "phone": ["invalid"],
        "address.city": ["required"],
        "address.postcode": ["invalid"],
        "do_not_disturb": ["invalid"],
    }
    assert refused(actions.update_request_submit, customer=c, changes={}) == {"__all__": ["empty"]}
    assert refused(
        actions.update_request_submit, customer=c, changes={"marketing_consent": True, "do_not_disturb": True}
    ) == {"do_not_disturb": ["conflict"]}
    assert not UpdateRequest.objects.exists()


def test_approval_applies_the_changes_through_the_actions(carrier):
    service = carrier["service"]
    c = register(carrier["clerk"], phone="13900000001", email="old@example.com", marketing_consent=True)
    req = actions.update_request_submit(
        customer=c,
        changes={
            "phone": "13900000002",
            "email": "new@example.com",
            "address": {"province": "浙江省", "city": "杭州市", "street": "文一路9号", "postcode": "310013"},
            "do_not_disturb": True,
        },
    )
    actions.update_request_review(actor=service, request=req, approve=True)
    req.refresh_from_db()
    assert req.status == "approved" and req.reviewed_by == service
    media = {m.kind: m for m in ContactMedium.objects.filter(customer=c, is_primary=True)}
    assert media["mobile"].value.reveal_unaudited() == "13900000002"
    assert media["email"].value.reveal_unaudited() == "new@example.com"
    assert all(m.do_not_disturb and not m.marketing_consent for m in c.contact_media.all())
    assert c.addresses.get(is_primary=True).street == "文一路9号"
    c.refresh_from_db()
    assert c.primary_phone.reveal_unaudited() == "13900000002"
    assert AuditLog.objects.filter(action="customer.update_request_approve").exists()
    assert refused(actions.update_request_review, actor=service, request=req, approve=False, note="x") == {
        "status": ["reviewed"]
    }


def test_rejection_needs_a_note_and_changes_nothing(carrier):
    service = carrier["service"]
    c = register(carrier["clerk"], phone="13900000001")
    req = actions.update_request_submit(customer=c, changes={"phone": "13900000002"})
    assert refused(actions.update_request_review, actor=service, request=req, approve=False) == {
        "note": ["required"]
    }
    actions.update_request_review(actor=service, request=req, approve=False, note="号码非本人")
    assert UpdateRequest.objects.get(pk=req.pk).status == "rejected"
    assert c.contact_media.get().value.reveal_unaudited() == "13900000001"


def test_approval_for_a_customer_closed_meanwhile_is_refused_and_changes_nothing(carrier):
    clerk = carrier["clerk"]
    c = register(clerk, phone="13900000001")
    req = actions.update_request_submit(customer=c, changes={"phone": "13900000002", "do_not_disturb": True})
    actions.customer_update(actor=clerk, customer=c, status="closed", reason="销户")
    assert refused(actions.update_request_review, actor=carrier["service"], request=req, approve=True) == {
        "customer": ["closed"]
    }
    assert UpdateRequest.objects.get(pk=req.pk).status == "pending"
    medium = c.contact_media.get()
    assert medium.value.reveal_unaudited() == "13900000001" and not medium.do_not_disturb
    actions.update_request_review(actor=carrier["service"], request=req, approve=False, note="客户已销户")


def test_review_needs_the_permission_and_the_scope(carrier):
    c = register(carrier["clerk"])
    req = actions.update_request_submit(customer=c, changes={"email": "a@example.com"})
    with pytest.raises(AccessDenied):
        actions.update_request_review(actor=carrier["clerk"], request=req, approve=True)
    with pytest.raises(NotFoundInScope):
        actions.update_request_review(actor=carrier["other_branch_manager"], request=req, approve=True)
    assert Interaction.objects.filter(customer=c, kind="update_request_reviewed").count() == 0


junk = st.one_of(
    st.none(),
    st.text(max_size=20),
    st.integers(),
    st.booleans(),
    st.lists(st.text(max_size=3), max_size=2),
    st.dictionaries(
        st.sampled_from(["province", "city", "street", "postcode", "kind", "x"]), st.text(max_size=6)
    ),
)


@settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", 80)),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    changes=st.one_of(
        st.dictionaries(
            st.sampled_from(["email", "phone", "address", "marketing_consent", "do_not_disturb", "name"]),
            junk,
        ),
        junk,
    ),
    source=st.sampled_from(["web", "app", "nowhere", ""]),
)
def test_any_self_service_input_gives_a_request_or_field_errors(carrier, changes, source):
    """The self-service form faces the public: whatever arrives, a clear answer and no half request."""
    c = register(carrier["clerk"])
    count = UpdateRequest.objects.count()
    try:
        actions.update_request_submit(customer=c, changes=changes, source=source)
    except ValidationError as exc:
        assert hasattr(exc, "error_dict")
        assert UpdateRequest.objects.count() == count
    else:
        assert UpdateRequest.objects.count() == count + 1
