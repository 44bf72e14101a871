"""Actions on elements and covered addresses: validation naming the field, permissions, scope,
audit; ports taken and released with compare-and-set, never beyond the total (CHECK constraint and a
hypothesis property)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from telcrm.platform.errors import AccessDenied, NotFoundInScope
from telcrm.platform.models import AuditLog
from telcrm.resources.coverage import actions
from telcrm.resources.coverage.models import CoveredAddress, NetworkElement

from ._fixtures import cover, element, error_codes, set_ports

pytestmark = pytest.mark.django_db


# --- elements -----------------------------------------------------------------------------------------
def test_create_an_element_derives_the_technology_and_audits(carrier):
    el = element(carrier, code="HZ-XH-OLT01", kind="olt", ports_total=2048, location="文三路机房")
    assert (el.technology, el.ports_used, el.status, el.org_unit) == ("fibre", 0, "in_service", carrier.city)
    log = AuditLog.objects.get(action="coverage.element_create")
    assert log.actor == carrier["admin"] and log.after["code"] == "HZ-XH-OLT01"


def test_bad_element_input_names_every_field(carrier):
    with pytest.raises(ValidationError) as exc:
        actions.element_create(
            actor=carrier["admin"],
            code="x",
            kind="router",
            org_unit=None,
            ports_total=-1,
            max_bandwidth_mbps="fast",
            status="retired",
        )
    assert error_codes(exc.value) == {
        "code": ["invalid"],
        "kind": ["invalid_choice"],
        "status": ["invalid_choice"],
        "org_unit": ["required"],
        "ports_total": ["invalid"],
        "max_bandwidth_mbps": ["invalid"],
    }
    assert not NetworkElement.objects.exists()


def test_technology_must_be_the_kinds(carrier):
    with pytest.raises(ValidationError) as exc:
        element(carrier, kind="dslam", technology="fibre")
    assert error_codes(exc.value) == {"technology": ["mismatch"]}
    assert "DSLAM" in exc.value.message_dict["technology"][0]


def test_codes_are_unique_whatever_the_case(carrier):
    element(carrier, code="HZ-OLT1")
    with pytest.raises(ValidationError) as exc:
        element(carrier, code="hz-olt1")
    assert error_codes(exc.value) == {"code": ["duplicate"]}


def test_only_coverage_managers_write(carrier):
    for role in ("clerk", "branch_manager", "analyst"):
        with pytest.raises(AccessDenied):
            actions.element_create(
                actor=carrier[role],
                code="HZ-X1",
                kind="olt",
                org_unit=carrier.city,
                ports_total=1,
                max_bandwidth_mbps=100,
            )


def _ningbo_planner(carrier):
    """A Ningbo branch manager who may also manage coverage (a city's network planner; subtree scope)."""
    from django.contrib.auth.models import Permission

    from telcrm.platform.models import Role, User

    Role.objects.get(code="branch_manager").permissions.add(
        Permission.objects.get(codename="manage_coverage")
    )
    return User.objects.get(pk=carrier["other_branch_manager"].pk)  # permissions cache reloaded


def test_the_unit_must_lie_in_the_actors_scope(carrier):
    with pytest.raises(ValidationError) as exc:
        actions.element_create(
            actor=_ningbo_planner(carrier),
            code="HZ-X1",
            kind="olt",
            org_unit=carrier.city,
            ports_total=1,
            max_bandwidth_mbps=100,
        )
    assert error_codes(exc.value) == {"org_unit": ["out_of_scope"]}


def test_update_checks_ports_and_moves_addresses_with_the_unit(carrier):
    el = element(carrier, ports_total=10, max_bandwidth_mbps=1000)
    row = cover(carrier, el, max_bandwidth_mbps=1000)
    set_ports(el, 6)
    with pytest.raises(ValidationError) as exc:
        actions.element_update(actor=carrier["admin"], element=el, ports_total=5)
    assert error_codes(exc.value) == {"ports_total": ["below_used"]}
    actions.element_update(
        actor=carrier["admin"], element=el, ports_total=6, max_bandwidth_mbps=500, org_unit=carrier.other_city
    )
    el.refresh_from_db()
    row.refresh_from_db()
    assert (el.ports_total, el.max_bandwidth_mbps, el.org_unit) == (6, 500, carrier.other_city)
    assert (row.max_bandwidth_mbps, row.org_unit) == (500, carrier.other_city)  # capped and moved
    log = AuditLog.objects.filter(action="coverage.element_update").latest("id")
    assert (
        log.before["ports_total"] == 10
        and log.after["ports_total"] == 6
        and log.after["addresses_capped"] == 1
    )


def test_the_technology_cannot_change_under_served_addresses(carrier):
    el = element(carrier)
    cover(carrier, el)
    with pytest.raises(ValidationError) as exc:
        actions.element_update(actor=carrier["admin"], element=el, kind="dslam")
    assert error_codes(exc.value) == {"technology": ["in_use"]}
    with pytest.raises(ValidationError) as exc:
        actions.element_update(actor=carrier["admin"], element=el, code="NEW")
    assert error_codes(exc.value) == {"code": ["read_only"]}


def test_retire_refuses_ports_in_use_then_retires_the_addresses(carrier):
    el = element(carrier)
    row = cover(carrier, el)
    set_ports(el, 1)
    with pytest.raises(ValidationError) as exc:
        actions.element_retire(actor=carrier["admin"], element=el)
    assert error_codes(exc.value) == {"ports_used": ["in_use"]}
    set_ports(el, 0)
    actions.element_retire(actor=carrier["admin"], element=el)
    el.refresh_from_db()
    row.refresh_from_db()
    assert el.status == "retired" and el.retired_at and not row.is_active
    with pytest.raises(ValidationError):
        actions.element_update(actor=carrier["admin"], element=el, name="x")
    assert AuditLog.objects.get(action="coverage.element_retire").after["addresses_retired"] == 1


# --- covered addresses --------------------------------------------------------------------------------
def test_create_a_covered_address_stores_its_normalised_key(carrier):
    el = element(carrier, max_bandwidth_mbps=1000)
    row = cover(carrier, el, "文三路８８号", building="阳光花园")
    assert (row.technology, row.max_bandwidth_mbps, row.org_unit) == ("fibre", 1000, carrier.city)
    assert (row.city_key, row.street_key, row.building_key) == ("杭州", "文三路88", "阳光花园")
    assert row.search_key == "浙江|杭州|西湖|文三路88|阳光花园" and row.sort_key == "文三路00000088"
    assert AuditLog.objects.filter(action="coverage.address_create", object_id=str(row.pk)).exists()


def test_bad_address_input_names_the_field(carrier):
    el = element(carrier, kind="dslam", max_bandwidth_mbps=100)
    with pytest.raises(ValidationError) as exc:
        cover(carrier, el, "文三路", city="", technology="fibre", max_bandwidth_mbps=200)
    assert error_codes(exc.value) == {
        "city": ["required"],
        "technology": ["mismatch"],
        "max_bandwidth_mbps": ["above_element"],
    }
    with pytest.raises(ValidationError) as exc:
        cover(carrier, el, "文三路")
    assert error_codes(exc.value) == {"street": ["no_number"]}
    with pytest.raises(ValidationError) as exc:
        cover(carrier, "NO-SUCH-ELEMENT")
    assert error_codes(exc.value) == {"element": ["unknown"]}


def test_the_same_address_twice_on_one_element_is_refused_in_any_spelling(carrier):
    el = element(carrier)
    cover(carrier, el, "文三路88号")
    with pytest.raises(ValidationError) as exc:
        cover(carrier, el, "文三路 ８８", city="杭州", district="西湖")
    assert error_codes(exc.value) == {"street": ["duplicate"]}
    cover(carrier, element(carrier, kind="cell_5g"), "文三路88号")  # another element may serve it too
    assert CoveredAddress.objects.count() == 2


def test_update_and_retire_a_covered_address(carrier):
    el = element(carrier)
    row = cover(carrier, el, "文三路88号")
    row = actions.covered_address_update(
        actor=carrier["admin"], address=row, street="文三路90号", building="A座"
    )
    assert (row.street_key, row.building_key) == ("文三路90", "a幢")
    other = cover(carrier, el, "文三路92号")
    with pytest.raises(ValidationError) as exc:
        actions.covered_address_update(
            actor=carrier["admin"], address=other, street="文三路90号", building="A座"
        )
    assert error_codes(exc.value) == {"street": ["duplicate"]}
    actions.covered_address_retire(actor=carrier["admin"], address=row)
    row.refresh_from_db()
    assert not row.is_active
    with pytest.raises(ValidationError):
        actions.covered_address_retire(actor=carrier["admin"], address=row)


def test_save_is_an_upsert_that_restores_a_retired_row(carrier):
    el = element(carrier, max_bandwidth_mbps=1000)
    row, created = actions.covered_address_save(
        actor=carrier["admin"], element=el.code, province="浙江省", city="杭州市", street="文三路88号"
    )
    assert created
    actions.covered_address_retire(actor=carrier["admin"], address=row)
    again, created = actions.covered_address_save(
        actor=carrier["admin"],
        element=el.code,
        province="浙江",
        city="杭州",
        street="文三路 88",
        max_bandwidth_mbps=500,
    )
    assert not created and again.pk == row.pk and again.is_active and again.max_bandwidth_mbps == 500


def test_writes_to_rows_outside_the_scope_are_not_found(carrier):
    planner = _ningbo_planner(carrier)
    el = element(carrier)  # Hangzhou
    row = cover(carrier, el)
    with pytest.raises(NotFoundInScope):
        actions.element_update(actor=planner, element=el, name="x")
    with pytest.raises(NotFoundInScope):
        actions.covered_address_retire(actor=planner, address=row)
    with pytest.raises(ValidationError) as exc:  # an element outside the scope is unknown
        actions.covered_address_create(
            actor=planner, element=el.code, province="浙江省", city="宁波市", street="中山西路1号"
        )
    assert error_codes(exc.value) == {"element": ["unknown"]}


# --- ports --------------------------------------------------------------------------------------------
def test_take_and_release_ports(carrier):
    el = element(carrier, ports_total=2)
    assert actions.port_take(element=el.code, actor=carrier["clerk"], reference="ORD-1").ports_used == 1
    assert actions.port_take(element=el.pk).ports_used == 2
    with pytest.raises(ValidationError) as exc:
        actions.port_take(element=el)
    assert error_codes(exc.value) == {"element": ["no_free_ports"]}
    assert actions.port_release(element=el, reference="ORD-1").ports_used == 1
    assert actions.port_release(element=el).ports_used == 0
    with pytest.raises(ValidationError) as exc:
        actions.port_release(element=el)
    assert error_codes(exc.value) == {"element": ["none_in_use"]}
    take = AuditLog.objects.filter(action="coverage.port_take").order_by("id").first()
    assert take.actor == carrier["clerk"] and take.after == {"ports_used": 1, "reference": "ORD-1"}


def test_no_port_is_taken_from_an_element_out_of_service(carrier):
    for status, code in (("maintenance", "maintenance"), ("planned", "not_in_service")):
        el = element(carrier, status=status)
        with pytest.raises(ValidationError) as exc:
            actions.port_take(element=el)
        assert error_codes(exc.value) == {"element": [code]}
        el.refresh_from_db()
        assert el.ports_used == 0
    with pytest.raises(ValidationError) as exc:
        actions.port_take(element="NO-SUCH")
    assert error_codes(exc.value) == {"element": ["unknown"]}


def test_the_database_refuses_more_ports_in_use_than_there_are(carrier):
    el = element(carrier, ports_total=3)
    with pytest.raises(IntegrityError), transaction.atomic():
        NetworkElement.objects.dangerously_unscoped().filter(pk=el.pk).update(ports_used=4)
    with pytest.raises(IntegrityError), transaction.atomic():
        NetworkElement.objects.dangerously_unscoped().filter(pk=el.pk).update(ports_total=0, ports_used=1)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(total=st.integers(0, 4), steps=st.lists(st.sampled_from(["take", "release"]), max_size=14))
def test_ports_in_use_stay_between_zero_and_the_total(carrier, total, steps):
    el = element(carrier, ports_total=total)
    model = 0
    for step in steps:
        fn = actions.port_take if step == "take" else actions.port_release
        possible = model < total if step == "take" else model > 0
        try:
            fn(element=el)
        except ValidationError:
            assert not possible
        else:
            assert possible
            model += 1 if step == "take" else -1
        el.refresh_from_db()
        assert 0 <= el.ports_used <= el.ports_total and el.ports_used == model
