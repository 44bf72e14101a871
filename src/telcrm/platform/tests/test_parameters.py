"""System parameters: typed coercion, sync from definitions, cached reads invalidated on commit."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils import translation

from telcrm.platform import actions, parameters
from telcrm.platform.errors import AccessDenied
from telcrm.platform.models import AuditLog, Parameter
from telcrm.platform.parameters import ParamDef, coerce, param, sync_parameters


def value_error(call, *args, **kwargs) -> ValidationError:
    """Run ``call`` expecting a ValidationError on field "value" only; return that error."""
    with pytest.raises(ValidationError) as info:
        call(*args, **kwargs)
    assert list(info.value.error_dict) == ["value"]
    return info.value.error_dict["value"][0]


# --- coerce ---------------------------------------------------------------------------------
@pytest.mark.parametrize("type_", ["int", "duration"])
@pytest.mark.parametrize(("raw", "expected"), [("42", 42), (" 7 ", 7), (15, 15), ("-3", -3), ("0", 0)])
def test_coerce_whole_numbers(type_, raw, expected):
    assert coerce(type_, raw) == expected


@pytest.mark.parametrize("type_", ["int", "duration"])
@pytest.mark.parametrize("raw", ["abc", "1.5", "", "1e3", True, False, None, [1], "٣x"])
def test_coerce_whole_numbers_reject_bad_input(type_, raw):
    assert value_error(coerce, type_, raw).code == "invalid"


@pytest.mark.parametrize(
    ("raw", "expected"), [("1.50", "1.50"), (" 0.1 ", "0.1"), (3, "3"), ("-2.25", "-2.25")]
)
def test_coerce_decimal_keeps_exact_text(raw, expected):
    assert coerce("decimal", raw) == expected


@pytest.mark.parametrize("raw", ["NaN", "Infinity", "-inf", "sNaN", "1,5", "x", "", None, True])
def test_coerce_decimal_rejects_bad_input(raw):
    assert value_error(coerce, "decimal", raw).code == "invalid"


@pytest.mark.parametrize("raw", [True, "1", "true", "TRUE", "yes", "on", " on "])
def test_coerce_bool_true(raw):
    assert coerce("bool", raw) is True


@pytest.mark.parametrize("raw", [False, "0", "false", "no", "off", ""])
def test_coerce_bool_false(raw):
    assert coerce("bool", raw) is False


@pytest.mark.parametrize("raw", ["maybe", "2", None])
def test_coerce_bool_rejects_bad_input(raw):
    assert value_error(coerce, "bool", raw).code == "invalid"


def test_coerce_text_strips_and_rejects_missing_value():
    assert coerce("str", "  office ") == "office"
    assert coerce("str", "") == ""
    assert value_error(coerce, "str", None).code == "invalid"  # not the string "None"


def test_coerce_choice():
    assert coerce("choice", " sms ", choices=["sms", "email"]) == "sms"
    err = value_error(coerce, "choice", "fax", choices=["sms", "email"])
    assert err.code == "invalid_choice"
    assert err.params == {"choices": "sms, email"}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ('{"a": 1, "b": [1, 2]}', {"a": 1, "b": [1, 2]}),
        ("[1, 2]", [1, 2]),
        ('"x"', "x"),
        ("3", 3),
        ({"already": "parsed"}, {"already": "parsed"}),
    ],
)
def test_coerce_json(raw, expected):
    assert coerce("json", raw) == expected


@pytest.mark.parametrize("raw", ["{bad", "", "NaN", "[Infinity]", "null", None, {1, 2}])
def test_coerce_json_rejects_what_the_database_cannot_hold(raw):
    assert value_error(coerce, "json", raw).code == "invalid"


@pytest.mark.parametrize("type_", ["int", "duration", "decimal"])
def test_coerce_bounds(type_):
    bounds = {"min_value": Decimal("5.0000"), "max_value": Decimal("10.0000")}
    assert str(coerce(type_, "5", **bounds)) == "5"
    assert str(coerce(type_, "10", **bounds)) == "10"
    low = value_error(coerce, type_, "4", **bounds)
    high = value_error(coerce, type_, "11", **bounds)
    assert (low.code, high.code) == ("min_value", "max_value")
    # Bounds read back from the DecimalField print as people wrote them, not "5.0000".
    assert low.params == {"min": "5"}
    assert high.params == {"max": "10"}


def test_coerce_decimal_bounds_are_exact():
    assert coerce("decimal", "0.5", min_value=Decimal("0.5")) == "0.5"
    assert value_error(coerce, "decimal", "0.4999", min_value=Decimal("0.5")).code == "min_value"


def test_invalid_message_names_the_type_in_the_users_language():
    err = value_error(coerce, "int", "abc")
    with translation.override("en"):
        assert "Integer" in str(err.message % err.params)


# --- sync_parameters ------------------------------------------------------------------------
@pytest.fixture
def test_param(monkeypatch):
    """A parameter definition that exists only for the test."""
    d = ParamDef(
        key="test.retries",
        group="test",
        type="int",
        default=3,
        name="重试次数",
        name_en="Retries",
        min_value=1,
        max_value=10,
    )
    monkeypatch.setitem(parameters.REGISTRY, d.key, d)
    return d


@pytest.mark.django_db
def test_sync_creates_missing_rows_with_the_default(test_param):
    assert not Parameter.objects.filter(key=test_param.key).exists()
    assert sync_parameters() == 1
    row = Parameter.objects.get(key=test_param.key)
    assert (row.value, row.default, row.group, row.type, row.name_en) == (3, 3, "test", "int", "Retries")
    assert row.min_value == 1 and row.max_value == 10
    assert sync_parameters() == 0  # idempotent


@pytest.mark.django_db
def test_sync_never_overwrites_an_administrators_value(
    test_param, carrier, monkeypatch, django_capture_on_commit_callbacks
):
    sync_parameters()
    row = Parameter.objects.get(key=test_param.key)
    with django_capture_on_commit_callbacks(execute=True):
        actions.parameter_update(actor=carrier["admin"], parameter=row, value="7", reason="ticket 1")
    changed = ParamDef(
        key=test_param.key,
        group="test",
        type="int",
        default=4,
        name="最大重试次数",
        name_en="Maximum retries",
        min_value=1,
        max_value=20,
    )
    monkeypatch.setitem(parameters.REGISTRY, changed.key, changed)
    assert sync_parameters() == 0
    row.refresh_from_db()
    assert row.value == 7
    assert (row.default, row.name, row.name_en, row.max_value) == (4, "最大重试次数", "Maximum retries", 20)
    assert param(test_param.key) == 7


@pytest.mark.django_db
def test_sync_refreshes_changed_bounds_alone(test_param, monkeypatch):
    sync_parameters()
    narrower = ParamDef(**{**test_param.__dict__, "max_value": 5})
    monkeypatch.setitem(parameters.REGISTRY, narrower.key, narrower)
    sync_parameters()
    assert Parameter.objects.get(key=test_param.key).max_value == 5


@pytest.mark.django_db
def test_every_platform_definition_has_a_row_with_a_valid_default():
    rows = {p.key: p for p in Parameter.objects.all()}
    for key, d in parameters.REGISTRY.items():
        assert key in rows, key
        coerce(d.type, d.default, min_value=d.min_value, max_value=d.max_value, choices=d.choices)


# --- param() and the cache --------------------------------------------------------------------
@pytest.mark.django_db
def test_param_returns_the_new_value_right_after_commit(carrier, django_capture_on_commit_callbacks):
    assert param("ui.page_size") == 25  # primes the cache
    p = Parameter.objects.get(key="ui.page_size")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        actions.parameter_update(actor=carrier["admin"], parameter=p, value="50", reason="wider lists")
    assert callbacks  # the invalidation is tied to the commit
    assert param("ui.page_size") == 50


@pytest.mark.django_db
def test_cache_is_invalidated_only_by_the_commit(carrier, django_capture_on_commit_callbacks):
    assert param("ui.page_size") == 25
    p = Parameter.objects.get(key="ui.page_size")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        actions.parameter_update(actor=carrier["admin"], parameter=p, value="60", reason="x")
    assert param("ui.page_size") == 25  # not committed yet: other processes still see the old value
    for callback in callbacks:
        callback()
    assert param("ui.page_size") == 60


@pytest.mark.django_db
def test_lost_version_key_does_not_revive_stale_values(monkeypatch):
    monkeypatch.setattr(parameters, "LOCAL_TTL", 0)  # as another process sees it once its copy expires
    assert param("ui.page_size") == 25
    Parameter.objects.filter(key="ui.page_size").update(value=30)  # a write this process did not see
    cache.delete(parameters.CACHE_VERSION_KEY)  # e.g. evicted from the cache
    assert param("ui.page_size") == 30


@pytest.mark.django_db
def test_reads_within_the_local_ttl_cost_no_query_and_no_cache_trip(django_assert_num_queries, monkeypatch):
    param("ui.page_size")
    monkeypatch.setattr(parameters, "cache", None)  # any cache access would now fail
    with django_assert_num_queries(0):
        for _ in range(100):
            assert param("ui.page_size") == 25


@pytest.mark.django_db
def test_another_process_edit_is_seen_after_the_local_ttl(monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(parameters.time, "monotonic", lambda: clock[0])
    assert param("ui.page_size") == 25
    Parameter.objects.filter(key="ui.page_size").update(value=40)  # another process's edit...
    cache.incr(parameters.CACHE_VERSION_KEY)  # ...and its invalidation
    assert param("ui.page_size") == 25  # this process's copy is still trusted
    clock[0] += parameters.LOCAL_TTL + 0.01
    assert param("ui.page_size") == 40


@pytest.mark.django_db
def test_param_types_and_unknown_keys(test_param):
    assert param(test_param.key) == 3  # no row yet: the default
    with pytest.raises(KeyError):
        param("no.such.parameter")


@pytest.mark.django_db
def test_decimal_parameter_is_returned_as_decimal(monkeypatch):
    d = ParamDef(key="test.rate", group="test", type="decimal", default="0.05", name="费率", name_en="Rate")
    monkeypatch.setitem(parameters.REGISTRY, d.key, d)
    sync_parameters()
    assert param("test.rate") == Decimal("0.05")
    assert isinstance(param("test.rate"), Decimal)


# --- parameter_update -----------------------------------------------------------------------
@pytest.mark.django_db
def test_update_writes_history_with_user_and_reason(carrier):
    admin = carrier["admin"]
    p = Parameter.objects.get(key="auth.lockout_threshold")
    before = Parameter.history.filter(id=p.pk).count()
    actions.parameter_update(actor=admin, parameter=p, value="8", reason="安全检查要求 SEC-12")
    rows = list(Parameter.history.filter(id=p.pk).order_by("-history_id"))
    assert len(rows) == before + 1
    assert rows[0].value == 8
    assert rows[0].history_change_reason == "安全检查要求 SEC-12"
    assert rows[0].history_user == admin
    assert rows[0].updated_by == admin


@pytest.mark.django_db
def test_update_writes_an_audit_record(carrier):
    p = Parameter.objects.get(key="auth.lockout_threshold")
    actions.parameter_update(actor=carrier["admin"], parameter=p, value="6", reason="x")
    log = AuditLog.objects.get(action="parameter.update")
    assert log.actor == carrier["admin"]
    assert (log.object_type, log.object_id) == ("platform.parameter", str(p.pk))
    assert (log.before, log.after) == ({"value": 5}, {"value": 6})


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["clerk", "branch_manager", "analyst"])
def test_non_admin_may_not_update(carrier, role):
    p = Parameter.objects.get(key="auth.lockout_threshold")
    with pytest.raises(AccessDenied):
        actions.parameter_update(actor=carrier[role], parameter=p, value="9")
    p.refresh_from_db()
    assert p.value == 5
    assert not AuditLog.objects.filter(action="parameter.update").exists()


@pytest.mark.django_db
def test_invalid_update_writes_nothing(carrier):
    p = Parameter.objects.get(key="auth.lockout_threshold")
    history = Parameter.history.filter(id=p.pk).count()
    for bad, code in (("0", "min_value"), ("101", "max_value"), ("five", "invalid")):
        err = value_error(
            actions.parameter_update, actor=carrier["admin"], parameter=p, value=bad, reason="x"
        )
        assert err.code == code
    p.refresh_from_db()
    assert p.value == 5
    assert Parameter.history.filter(id=p.pk).count() == history
    assert not AuditLog.objects.filter(action="parameter.update").exists()


@pytest.mark.django_db
def test_long_reason_is_cut_to_the_history_column(carrier):
    p = Parameter.objects.get(key="auth.lockout_threshold")
    actions.parameter_update(actor=carrier["admin"], parameter=p, value="7", reason="长" * 150)
    assert len(Parameter.history.filter(id=p.pk).latest("history_id").history_change_reason) == 100
