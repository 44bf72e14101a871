"""Level rules (靓号规则): each pattern kind, validation with field errors, the matcher's precedence."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from telcrm.resources import actions
from telcrm.resources.models import Number
from telcrm.resources.rules import (
    LevelMatcher,
    RuleSpec,
    check_rule,
    describe,
    group_digits,
    has_four,
    predicate,
)


def matches(kind, pattern, count, msisdn) -> bool:
    pattern, count = check_rule(kind, pattern, count)
    return predicate(kind, pattern, count)(msisdn)


@pytest.mark.parametrize(
    ("kind", "pattern", "count", "yes", "no"),
    [
        ("repeat", "", 4, ["13805716666", "13866661234", "13800001234"], ["13805716661", "13812312345"]),
        ("repeat", "68", 4, ["13805716666", "13812348888"], ["13805711111", "13805719999"]),
        ("repeat", "", 5, ["13888888123"], ["13808888123"]),
        # the network code does not count: 188 + 8 is not "888" in the subscriber digits
        ("repeat", "", 3, ["13812345777"], ["18801234567"]),
        ("ascending", "", 4, ["13805711234", "13856789012", "13800123999"], ["13805714321", "13812351235"]),
        ("ascending", "", 3, ["13880012000"], ["13801357900"]),
        ("descending", "", 4, ["13805719876", "13843210000"], ["13805711234"]),
        ("tail", "8888", None, ["13805718888"], ["13888881234", "13805718881"]),
        ("tail", "520", None, ["13805710520"], ["13805715200"]),
        ("tail_same", "", 3, ["13805710777", "13800001000"], ["13805717770", "13805710770"]),
        ("aabb", "", None, ["13805711122", "13866881234"], ["13805711111", "13805711212"]),
        ("digit_count", "8", 4, ["13818188088", "13888880000"], ["13818180000", "18888801234"]),
        ("regex", r"(\d\d)\1$", None, ["13805711212", "13805717878"], ["13805711221"]),
        ("regex", r"^1380571", None, ["13805710000"], ["13905710000"]),
    ],
)
def test_each_pattern_kind(kind, pattern, count, yes, no):
    for msisdn in yes:
        assert matches(kind, pattern, count, msisdn), (kind, msisdn)
    for msisdn in no:
        assert not matches(kind, pattern, count, msisdn), (kind, msisdn)


def _error(kind, pattern, count) -> ValidationError:
    with pytest.raises(ValidationError) as exc:
        check_rule(kind, pattern, count)
    return exc.value


@pytest.mark.parametrize(
    ("kind", "pattern", "count", "field", "code"),
    [
        ("regex", "(88", None, "pattern", "invalid_regex"),
        ("regex", "[0-9", None, "pattern", "invalid_regex"),
        ("regex", "*8", None, "pattern", "invalid_regex"),
        ("regex", "", None, "pattern", "required"),
        ("regex", "8?", None, "pattern", "matches_all"),
        ("regex", "8" * 201, None, "pattern", "max_length"),
        ("tail", "", None, "pattern", "invalid"),
        ("tail", "88a", None, "pattern", "invalid"),
        ("tail", "123456789", None, "pattern", "invalid"),
        ("digit_count", "88", 3, "pattern", "invalid"),
        ("digit_count", "8", None, "count", "required"),
        ("repeat", "", 1, "count", "out_of_range"),
        ("repeat", "", 9, "count", "out_of_range"),
        ("repeat", "668", 4, "pattern", "invalid"),
        ("ascending", "", "x", "count", "invalid"),
        ("nonsense", "", None, "kind", "invalid_choice"),
    ],
)
def test_bad_rules_are_field_errors(kind, pattern, count, field, code):
    err = _error(kind, pattern, count)
    assert list(err.error_dict) == [field]
    assert err.error_dict[field][0].code == code


def test_a_bad_regex_names_the_field_in_both_languages():
    from telcrm.platform.errors import bilingual

    items = bilingual(_error("regex", "(88", None))
    assert items[0]["field"] == "pattern" and items[0]["code"] == "invalid_regex"
    assert "regular expression" in items[0]["message_en"]
    assert items[0]["message_zh"] != items[0]["message_en"]


def test_the_highest_ranked_matching_level_wins_and_the_default_catches_the_rest():
    m = LevelMatcher(
        [
            RuleSpec(1, 10, "repeat", "", 4),
            RuleSpec(2, 30, "tail", "8888", None),
            RuleSpec(3, 20, "aabb", "", None),
        ],
        default_level_id=9,
    )
    assert m.level_for("13805718888") == 2  # tail 8888 (rank 30) beats AAAA (rank 10) and AABB
    assert m.level_for("13805711122") == 3
    assert m.level_for("13866661234") == 1
    assert m.level_for("13805712468") == 9
    assert LevelMatcher([], None).level_for("13805712468") is None


def test_helpers():
    assert group_digits("13805718888") == "138 0571 8888"
    assert has_four("13805714000") and not has_four("13805718888")
    with translation.override("en"):
        assert describe("tail", "8888", None) == "Ends with 8888"
    with translation.override("zh-hans"):
        assert describe("tail", "8888", None) == "尾号 8888"
    assert "4" in describe("repeat", "", 4)


@pytest.mark.django_db
def test_rule_actions_validate_and_inactive_rules_do_not_count(carrier):
    from ._fixtures import make_levels

    admin = carrier["admin"]
    levels = make_levels(admin)
    with pytest.raises(ValidationError) as exc:
        actions.rule_create(admin, level=levels["gold"], kind="regex", pattern="(bad")
    assert "pattern" in exc.value.error_dict
    rule = actions.rule_create(admin, level=levels["gold"], kind="tail", pattern="1314")
    assert LevelMatcher.current().level_for("13805711314") == levels["gold"].pk
    actions.rule_update(admin, rule, is_active=False)
    assert LevelMatcher.current().level_for("13805711314") == levels["ordinary"].pk
    with pytest.raises(ValidationError) as exc:
        actions.rule_update(admin, rule, kind="digit_count", pattern="x", count=3)
    assert "pattern" in exc.value.error_dict
    actions.rule_delete(admin, rule)
    assert not Number.objects.exists()


# the combined matcher (one alternation per level) agrees with the rules checked one by one
ALL_RULES = [
    RuleSpec(1, 40, "repeat", "", 5),
    RuleSpec(1, 40, "tail", "8888", None),
    RuleSpec(2, 30, "repeat", "689", 4),
    RuleSpec(2, 30, "ascending", "", 5),
    RuleSpec(2, 30, "digit_count", "8", 5),
    RuleSpec(3, 20, "aabb", "", None),
    RuleSpec(3, 20, "tail_same", "", 3),
    RuleSpec(3, 20, "descending", "", 4),
    RuleSpec(3, 20, "regex", r"(\d\d)\1$", None),
    RuleSpec(4, 10, "tail", "520", None),
]


def _one_by_one(msisdn: str) -> int | None:
    for r in sorted(ALL_RULES, key=lambda r: -r.rank):
        if predicate(r.kind, r.pattern, r.count)(msisdn):
            return r.level_id
    return 9


@given(st.from_regex(r"\A1[3-9][0-9]{9}\Z", fullmatch=True))
@settings(max_examples=2000)
def test_the_combined_matcher_agrees_with_each_rule(msisdn):
    assert LevelMatcher(ALL_RULES, 9).level_for(msisdn) == _one_by_one(msisdn)


@pytest.mark.parametrize(
    "msisdn", ["13800008888", "13866669123", "13812345678", "13811223344", "13800001777", "13809876000",
               "13805711212", "13805710520", "13888888123", "13818188808"],
)  # fmt: skip
def test_the_combined_matcher_on_special_numbers(msisdn):
    assert LevelMatcher(ALL_RULES, 9).level_for(msisdn) == _one_by_one(msisdn)
