"""Offering versions and lifecycle (RES-3): edit active → new draft; activate retires the old one;
old versions never change; lifecycle errors name the field."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from telcrm.catalog import actions, queries
from telcrm.catalog.models import BundledOffering, LifecycleStatus, ProductOffering
from telcrm.platform.errors import AccessDenied
from telcrm.platform.models import AuditLog

from ._fixtures import moment, offering

pytestmark = pytest.mark.django_db


def _codes(exc: ValidationError) -> dict[str, list[str]]:
    return {f: [e.code for e in errs] for f, errs in exc.error_dict.items()}


def test_editing_an_active_offering_makes_a_new_draft_and_leaves_it_unchanged(carrier):
    admin = carrier["admin"]
    v1 = offering(admin, "5G-T-128", monthly=12800, features={"data_gb": 30})
    v2 = actions.offering_update(actor=admin, offering=v1, name="5G畅享 新版", features={"data_gb": 40})
    v1.refresh_from_db()
    assert (v2.code, v2.version, v2.lifecycle_status) == ("5G-T-128", 2, LifecycleStatus.DRAFT)
    assert (v1.name, v1.features, v1.lifecycle_status) == ("5G-T-128 套餐", {"data_gb": 30}, "active")
    # prices and categories are copied onto the new version, as drafts
    assert [(p.price_type, p.amount_fen, p.lifecycle_status) for p in v2.prices.all()] == [
        ("recurring", 12800, "draft")
    ]
    assert v1.prices.get().lifecycle_status == "active"
    # the active version still sells until the draft is activated
    assert queries.offering("5G-T-128") == v1
    actions.offering_activate(actor=admin, offering=v2)
    v1.refresh_from_db()
    v2.refresh_from_db()
    assert v1.lifecycle_status == "retired" and v1.retired_at is not None
    assert v2.lifecycle_status == "active"
    assert queries.offering("5G-T-128") == v2
    # a moment before the switch still finds version 1 (an old order's plan)
    ProductOffering.objects.filter(pk=v1.pk).update(activated_at=moment(2025, 1, 1))
    assert queries.offering("5G-T-128", at=moment(2025, 6, 1)) == v1
    with pytest.raises(ValidationError):
        queries.offering("5G-T-128", at=moment(2024, 6, 1))  # nothing on sale yet then
    assert AuditLog.objects.filter(action="catalog.offering.new_version", object_id=str(v2.pk)).exists()
    assert AuditLog.objects.filter(action="catalog.offering.retire", object_id=str(v1.pk)).exists()


def test_a_draft_changes_in_place_and_only_one_draft_per_code(carrier):
    admin = carrier["admin"]
    v1 = offering(admin, "P1")
    draft = actions.offering_update(actor=admin, offering=v1, name="二版")
    same = actions.offering_update(actor=admin, offering=draft, name="二版修改")
    assert same.pk == draft.pk and same.version == 2 and same.name == "二版修改"
    with pytest.raises(ValidationError) as exc:
        actions.offering_update(actor=admin, offering=v1, name="三版")
    assert _codes(exc.value) == {"version": ["draft_exists"]}


def test_a_retired_version_never_changes(carrier):
    admin = carrier["admin"]
    v1 = offering(admin, "P1")
    v2 = actions.offering_update(actor=admin, offering=v1, name="二版")
    actions.offering_activate(actor=admin, offering=v2)
    for fn, kw in (
        (actions.offering_update, {"name": "改旧版"}),
        (actions.offering_activate, {}),
        (actions.offering_retire, {}),
    ):
        with pytest.raises(ValidationError) as exc:
            fn(actor=admin, offering=v1, **kw)
        assert "lifecycle_status" in exc.value.error_dict
    price = v1.prices.get()
    with pytest.raises(ValidationError) as exc:
        actions.price_update(actor=admin, price=price, amount_fen=1)
    assert _codes(exc.value) == {"offering": ["not_draft"]}
    v1.refresh_from_db()
    assert v1.name == "P1 套餐" and v1.prices.get().amount_fen == 12800


def test_one_active_version_per_code_is_enforced_by_the_database(carrier):
    admin = carrier["admin"]
    v1 = offering(admin, "P1")
    v2 = actions.offering_update(actor=admin, offering=v1, name="二版")
    with pytest.raises(IntegrityError), transaction.atomic():
        ProductOffering.objects.filter(pk=v2.pk).update(lifecycle_status="active")


def test_activating_without_a_price_is_refused_naming_prices(carrier):
    admin = carrier["admin"]
    o = offering(admin, "P1", monthly=0, activate=False)
    with pytest.raises(ValidationError) as exc:
        actions.offering_activate(actor=admin, offering=o)
    assert _codes(exc.value) == {"prices": ["no_price"]}
    o.refresh_from_db()
    assert o.lifecycle_status == "draft"


def test_only_a_draft_activates_and_only_an_active_version_retires(carrier):
    admin = carrier["admin"]
    o = offering(admin, "P1")
    with pytest.raises(ValidationError) as exc:
        actions.offering_activate(actor=admin, offering=o)
    assert _codes(exc.value) == {"lifecycle_status": ["not_draft"]}
    actions.offering_retire(actor=admin, offering=o)
    with pytest.raises(ValidationError) as exc:
        actions.offering_retire(actor=admin, offering=o)
    assert _codes(exc.value) == {"lifecycle_status": ["not_active"]}
    with pytest.raises(ValidationError):
        queries.offering("P1")


def test_an_add_on_needs_its_applicability_and_applies_to_plans_only(carrier):
    admin = carrier["admin"]
    offering(admin, "PLAN")
    addon = offering(admin, "PACK", kind="add_on", monthly=3000, activate=False)
    with pytest.raises(ValidationError) as exc:
        actions.offering_activate(actor=admin, offering=addon)
    assert _codes(exc.value) == {"applies_to_codes": ["no_applicability"]}
    with pytest.raises(ValidationError) as exc:
        actions.offering_update(actor=admin, offering=addon, applies_to_codes=["NOPE"])
    assert _codes(exc.value) == {"applies_to_codes": ["unknown"]}
    with pytest.raises(ValidationError) as exc:
        actions.offering_update(actor=admin, offering=addon, applies_to_codes=["PACK"])
    assert "applies_to_codes" in exc.value.error_dict
    plan = ProductOffering.objects.get(code="PLAN")
    with pytest.raises(ValidationError) as exc:
        actions.offering_update(actor=admin, offering=plan, applies_to_kinds=["plan"])
    assert "applies_to_kinds" in exc.value.error_dict
    actions.offering_update(actor=admin, offering=addon, applies_to_codes=["PLAN"])
    assert actions.offering_activate(actor=admin, offering=addon).lifecycle_status == "active"


def test_a_bundle_with_a_retired_member_cannot_be_activated(carrier):
    admin = carrier["admin"]
    line = offering(admin, "LINE")
    bb = offering(admin, "BB", kind="broadband", monthly=9900)
    bundle = offering(admin, "HOME", kind="bundle", monthly=16900, activate=False)
    with pytest.raises(ValidationError) as exc:
        actions.offering_activate(actor=admin, offering=bundle)
    assert _codes(exc.value) == {"bundle_members": ["no_members"]}
    actions.bundle_member_add(actor=admin, bundle=bundle, member="LINE")
    actions.bundle_member_add(actor=admin, bundle=bundle, member=bb, min_qty=1, max_qty=1)
    with pytest.raises(ValidationError) as exc:
        actions.bundle_member_add(actor=admin, bundle=bundle, member="LINE")
    assert _codes(exc.value) == {"member": ["duplicate"]}
    with pytest.raises(ValidationError) as exc:
        actions.bundle_member_add(actor=admin, bundle=bundle, member="HOME")
    assert _codes(exc.value) == {"member": ["self"]}
    actions.offering_retire(actor=admin, offering=line)  # not in an active bundle yet: allowed
    with pytest.raises(ValidationError) as exc:
        actions.offering_activate(actor=admin, offering=bundle)
    assert _codes(exc.value) == {"bundle_members": ["member_retired"]}
    assert exc.value.error_dict["bundle_members"][0].params["offering"] == "LINE"


def test_a_member_of_an_active_bundle_cannot_be_retired_but_can_be_re_versioned(carrier):
    admin = carrier["admin"]
    line = offering(admin, "LINE")
    bundle = offering(admin, "HOME", kind="bundle", monthly=16900, activate=False)
    actions.bundle_member_add(actor=admin, bundle=bundle, member=line)
    actions.offering_activate(actor=admin, offering=bundle)
    with pytest.raises(ValidationError) as exc:
        actions.offering_retire(actor=admin, offering=line)
    assert _codes(exc.value) == {"lifecycle_status": ["in_bundle"]}
    v2 = actions.offering_update(actor=admin, offering=line, name="新版号卡")
    actions.offering_activate(actor=admin, offering=v2)  # the bundle's member code stays on sale
    b2 = actions.offering_update(actor=admin, offering=bundle, name="融合 二版")
    assert [m.member_id for m in BundledOffering.objects.filter(bundle=b2)] == [
        v2.pk
    ]  # follows the successor
    assert actions.offering_activate(actor=admin, offering=b2).lifecycle_status == "active"


def test_validity_period_and_code_errors_name_the_field(carrier):
    admin = carrier["admin"]
    with pytest.raises(ValidationError) as exc:
        actions.offering_create(
            actor=admin,
            code="bad code!",
            name="",
            kind="nope",
            valid_from=moment(2026, 2, 1),
            valid_to=moment(2026, 1, 1),
        )
    assert set(exc.value.error_dict) == {"code", "name", "kind", "valid_to"}
    offering(admin, "P1")
    with pytest.raises(ValidationError) as exc:
        actions.offering_create(actor=admin, code="P1", name="重复", kind="plan")
    assert _codes(exc.value) == {"code": ["duplicate"]}


def test_only_catalog_managers_change_the_catalog(carrier):
    for role in ("clerk", "branch_manager", "account_manager", "analyst"):
        with pytest.raises(AccessDenied):
            actions.offering_create(actor=carrier[role], code="X", name="X", kind="plan")


def test_deleting_a_draft(carrier):
    admin = carrier["admin"]
    v1 = offering(admin, "P1")
    draft = actions.offering_update(actor=admin, offering=v1, name="二版")
    actions.offering_delete(actor=admin, offering=draft)
    assert list(ProductOffering.objects.filter(code="P1")) == [v1]
    with pytest.raises(ValidationError):
        actions.offering_delete(actor=admin, offering=v1)
