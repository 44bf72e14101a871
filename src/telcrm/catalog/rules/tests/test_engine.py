"""evaluate(): every active table's published version, COLLECT semantics, publish in force at once
(a draft never), kinds, require rows met by held or cart, language, no queries once warm."""

from __future__ import annotations

import pytest
from django.utils import translation

from telcrm.catalog.rules import actions, dmn, engine
from telcrm.catalog.rules.engine import RuleOutcome, evaluate
from telcrm.platform.testing import count_queries

from ._helpers import grid, make_table

FIVE_G = '"5G-CX-128", "5G-CX-198"'

ELIGIBILITY = grid(
    ["offering", "customer_type", "credit_level", "live_lines"],
    [
        ("credit_5g", [FIVE_G, "-", "< 2", "-"], "deny"),
        ("one_id_five", ["-", '"individual"', "-", ">= 5"], "deny"),
        ("low_credit_warn", ["-", "-", "[1..2]", "-"], "warn"),
    ],
)
COMPATIBILITY = grid(
    ["offering", ("plans in cart", 'len(set(cart) & {"5G-CX-128", "4G-FX-58"})')],
    [
        ("one_base_plan", [FIVE_G, ">= 1"], "deny"),
        ("addon_needs_5g", ['"ADD-5G-FLOW-20G"', "-"], "require", ["5G-CX-128", "5G-CX-198"]),
    ],
)


def facts(**kw):
    base = {
        "customer_type": "individual",
        "value_tier": "ordinary",
        "credit_level": 3,
        "age": 30,
        "region": "ZJ-HZ",
        "live_lines": 1,
        "tenure_months": 12,
        "offering": "5G-CX-128",
        "offering_kind": "plan",
        "held": [],
        "cart": [],
        "channel": "counter",
    }
    return {**base, **kw}


def rules(outcomes):
    return [(o.table, o.rule, o.effect) for o in outcomes]


def test_collect_returns_every_matching_row_of_every_table(publish):
    publish("ELIG", ELIGIBILITY)
    publish("COMPAT", COMPATIBILITY, kind="compatibility")
    out = evaluate(facts(credit_level=1, live_lines=5, cart=["4G-FX-58"]))
    assert rules(out) == [
        ("COMPAT", "one_base_plan", "deny"),
        ("ELIG", "credit_5g", "deny"),
        ("ELIG", "one_id_five", "deny"),
        ("ELIG", "low_credit_warn", "warn"),
    ]
    assert out[1] == RuleOutcome("ELIG", "credit_5g", "deny", "消息credit_5g", ())
    assert evaluate(facts()) == []
    assert rules(evaluate(facts(credit_level=1), kind="compatibility")) == []
    assert rules(evaluate(facts(credit_level=2), kind="eligibility")) == [("ELIG", "low_credit_warn", "warn")]


def test_a_require_row_is_met_by_an_offering_held_or_in_the_cart(publish):
    publish("COMPAT", COMPATIBILITY, kind="compatibility")
    addon = facts(offering="ADD-5G-FLOW-20G", offering_kind="add_on")
    [outcome] = evaluate(addon)
    assert (outcome.effect, outcome.requires) == ("require", ("5G-CX-128", "5G-CX-198"))
    assert evaluate({**addon, "held": ["5G-CX-198"]}) == []
    assert evaluate({**addon, "cart": ["5G-CX-128"]}) == []


def test_messages_follow_the_active_language(publish):
    publish("ELIG", ELIGIBILITY)
    with translation.override("en"):
        assert evaluate(facts(credit_level=1))[0].message == "message credit_5g"
    with translation.override("zh-hans"):
        assert evaluate(facts(credit_level=1))[0].message == "消息credit_5g"


def test_missing_facts_take_their_defaults(publish):
    publish("ELIG", ELIGIBILITY)
    assert rules(evaluate({"offering": "5G-CX-128", "credit_level": 1})) == [
        ("ELIG", "credit_5g", "deny"),
        ("ELIG", "low_credit_warn", "warn"),
    ]


def test_a_publish_is_in_force_at_once_and_a_draft_never(admin, publish, django_capture_on_commit_callbacks):
    publish("ELIG", grid(["credit_level"], [("r1", ["< 2"], "deny")]))
    table = actions.rule_table_create(actor=admin, code="ELIG2", name="x", kind="eligibility")
    assert rules(evaluate(facts(credit_level=1))) == [("ELIG", "r1", "deny")]
    # a saved draft changes nothing
    draft = actions.rule_draft_save(
        actor=admin, table=table, dmn_xml=dmn.to_xml(grid(["credit_level"], [("r2", ["< 3"], "deny")]))
    )
    assert rules(evaluate(facts(credit_level=1))) == [("ELIG", "r1", "deny")]
    # another process, warm with the old tables, sees the publish on its next call
    other_process = dict(engine._local)
    with django_capture_on_commit_callbacks(execute=True):
        actions.rule_version_publish(actor=admin, version=draft)
    engine._local.update(other_process)
    assert rules(evaluate(facts(credit_level=1))) == [("ELIG", "r1", "deny"), ("ELIG2", "r2", "deny")]


def test_a_new_version_replaces_the_old_rules(admin, publish, django_capture_on_commit_callbacks):
    v1 = publish("ELIG", grid(["credit_level"], [("r1", ["< 2"], "deny")]))
    assert rules(evaluate(facts(credit_level=1))) == [("ELIG", "r1", "deny")]
    v2 = actions.rule_draft_save(
        actor=admin, table=v1.table, dmn_xml=dmn.to_xml(grid(["credit_level"], [("r9", ["< 4"], "warn")]))
    )
    with django_capture_on_commit_callbacks(execute=True):
        actions.rule_version_publish(actor=admin, version=v2)
    assert rules(evaluate(facts(credit_level=1))) == [("ELIG", "r9", "warn")]


def test_an_inactive_table_is_not_evaluated(admin, publish, django_capture_on_commit_callbacks):
    v = publish("ELIG", ELIGIBILITY)
    assert evaluate(facts(credit_level=1))
    with django_capture_on_commit_callbacks(execute=True):
        actions.rule_table_update(actor=admin, table=v.table, name="x", kind="eligibility", is_active=False)
    assert evaluate(facts(credit_level=1)) == []


def test_a_never_published_table_is_not_evaluated(admin):
    make_table(admin, "ELIG", ELIGIBILITY)
    assert evaluate(facts(credit_level=1)) == []


def test_a_warm_evaluation_runs_no_query(publish, django_assert_num_queries):
    publish("ELIG", ELIGIBILITY)
    publish("COMPAT", COMPATIBILITY, kind="compatibility")
    with django_assert_num_queries(2):  # the published versions, then the XML of the new ones
        evaluate(facts())
    for n in range(20):
        with django_assert_num_queries(0):
            evaluate(facts(credit_level=1 + n % 5, cart=["4G-FX-58"] if n % 2 else []))


def test_the_query_count_does_not_grow_with_the_tables(publish):
    for i in range(6):
        publish(f"E{i}", ELIGIBILITY)
    with count_queries() as q:
        evaluate(facts())
    assert len(q) == 2
    engine.invalidate()
    with count_queries() as q:
        evaluate(facts())
    assert len(q) == 1  # reloaded the list; the compiled versions were kept


def test_a_table_that_fails_to_evaluate_refuses(publish, monkeypatch):
    publish("ELIG", ELIGIBILITY)
    evaluate(facts())

    def broken(self, scope):
        raise RuntimeError("boom")

    monkeypatch.setattr(dmn.CompiledTable, "match", broken)
    [outcome] = evaluate(facts())
    assert (outcome.table, outcome.rule, outcome.effect) == ("ELIG", "", "deny")
    assert "ELIG" in outcome.message


@pytest.mark.parametrize("kind", ["eligibility", "compatibility"])
def test_kind_selects_the_tables(publish, kind):
    publish("ELIG", ELIGIBILITY)
    publish("COMPAT", COMPATIBILITY, kind="compatibility")
    out = evaluate(facts(credit_level=1, cart=["4G-FX-58"]), kind=kind)
    assert {o.table for o in out} == {"ELIG" if kind == "eligibility" else "COMPAT"}
