"""Number level rules (靓号规则): what each pattern kind means, its validation, and the matcher.

Pure functions, no database: the actions validate a rule with :func:`check_rule` and the generation
and recompute jobs classify numbers with a :class:`LevelMatcher` built once from the active rules.

Patterns look at the *subscriber digits* — the last eight, after the three-digit network code, so
the network code 188 does not make every 188 number an "888" — except "ends with" and a regular
expression, which look at the whole 11-digit number.

=============  ===========================================================  ===================
kind           matches when                                                 pattern / count
=============  ===========================================================  ===================
repeat         N equal digits in a row anywhere (AAAA: 6666)                allowed digits / N
ascending      N consecutive ascending digits anywhere (ABCD: 1234, 5678)   — / N
descending     N consecutive descending digits anywhere (DCBA: 9876)         — / N
tail           the number ends with the given digits (8888, 520, 1314)       digits / —
tail_same      the number ends with N equal digits (…777)                   — / N
aabb           two pairs AABB anywhere (A ≠ B: 1122, 6688)                  — / —
digit_count    a digit occurs at least K times (8 at least 4 times)         the digit / K
regex          the expression is found in the whole number (re.search)      expression / —
=============  ===========================================================  ===================
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from telcrm.platform.errors import field_error

SUBSCRIBER_DIGITS = 8
MAX_REGEX_LENGTH = 200


def subscriber_part(msisdn: str) -> str:
    return msisdn[-SUBSCRIBER_DIGITS:]


def group_digits(msisdn: str) -> str:
    """138 0571 8888: network code, HLR block and subscriber digits, as numbers are read aloud."""
    if len(msisdn) == 11:
        return f"{msisdn[:3]} {msisdn[3:7]} {msisdn[7:]}"
    return msisdn


def has_four(msisdn: str) -> bool:
    return "4" in msisdn


def _runs(n: int, step: int) -> list[str]:
    digits = "0123456789" if step > 0 else "9876543210"
    return [digits[i : i + n] for i in range(0, 11 - n)]


# (count required, count bounds) per kind; pattern rules below
COUNT_BOUNDS = {
    "repeat": (2, 8),
    "ascending": (3, 8),
    "descending": (3, 8),
    "tail_same": (2, 8),
    "digit_count": (2, 8),
}


def check_rule(kind: str, pattern: str, count) -> tuple[str, int | None]:
    """The cleaned (pattern, count) of a rule; else a ValidationError naming ``kind``, ``pattern`` or
    ``count``. A regular expression must compile and stay short."""
    from .models import RuleKind

    if kind not in RuleKind.values:
        raise field_error("kind", _("Choose a pattern kind from the list."), "invalid_choice")
    pattern = (pattern or "").strip()
    if kind in COUNT_BOUNDS:
        lo, hi = COUNT_BOUNDS[kind]
        if count in (None, ""):
            raise field_error("count", _("Enter N (from %(min)s to %(max)s)."), "required", min=lo, max=hi)
        try:
            count = int(count)
        except (TypeError, ValueError) as exc:
            raise field_error("count", _("Enter a whole number."), "invalid") from exc
        if not lo <= count <= hi:
            raise field_error(
                "count", _("N must be from %(min)s to %(max)s."), "out_of_range", min=lo, max=hi
            )
    else:
        count = None
    if kind == "repeat":
        if pattern and not (pattern.isascii() and pattern.isdigit() and len(set(pattern)) == len(pattern)):
            raise field_error(
                "pattern", _("List the allowed digits once each (e.g. 689), or leave empty."), "invalid"
            )
    elif kind == "tail":
        if not pattern or not (pattern.isascii() and pattern.isdigit()) or len(pattern) > SUBSCRIBER_DIGITS:
            raise field_error(
                "pattern", _("Enter the last digits the number ends with (1 to 8 digits)."), "invalid"
            )
    elif kind == "digit_count":
        if len(pattern) != 1 or not pattern.isdigit() or not pattern.isascii():
            raise field_error("pattern", _("Enter one digit (0–9)."), "invalid")
    elif kind == "regex":
        if not pattern:
            raise field_error("pattern", _("Enter a regular expression."), "required")
        if len(pattern) > MAX_REGEX_LENGTH:
            raise field_error(
                "pattern",
                _("The expression is too long (at most %(max)s characters)."),
                "max_length",
                max=MAX_REGEX_LENGTH,
            )
        try:
            compiled = re.compile(pattern)
        except (re.error, RecursionError, OverflowError) as exc:
            raise field_error(
                "pattern",
                _("This is not a valid regular expression: %(error)s."),
                "invalid_regex",
                error=str(getattr(exc, "msg", exc)),
            ) from exc
        if compiled.search("") is not None:
            raise field_error(
                "pattern", _("The expression matches every number; make it more specific."), "matches_all"
            )
    else:
        pattern = ""
    return pattern, count


def predicate(kind: str, pattern: str, count: int | None) -> Callable[[str], bool]:
    """``fn(msisdn) -> bool`` for a valid rule (see the table in the module docstring)."""
    if kind == "repeat":
        digit = f"[{pattern}]" if pattern else r"\d"
        rx = re.compile(rf"({digit})\1{{{count - 1}}}")
        return lambda m: rx.search(m, len(m) - SUBSCRIBER_DIGITS) is not None
    if kind in ("ascending", "descending"):
        runs = _runs(count, 1 if kind == "ascending" else -1)
        rx = re.compile("|".join(runs))
        return lambda m: rx.search(m, len(m) - SUBSCRIBER_DIGITS) is not None
    if kind == "tail":
        return lambda m: m.endswith(pattern)
    if kind == "tail_same":
        rx = re.compile(rf"(\d)\1{{{count - 1}}}$")
        return lambda m: rx.search(m, len(m) - SUBSCRIBER_DIGITS) is not None
    if kind == "aabb":
        rx = re.compile(r"(\d)\1(?!\1)(\d)\2")
        return lambda m: rx.search(m, len(m) - SUBSCRIBER_DIGITS) is not None
    if kind == "digit_count":
        return lambda m: subscriber_part(m).count(pattern) >= count
    if kind == "regex":
        rx = re.compile(pattern)
        return lambda m: rx.search(m) is not None
    raise ValueError(f"unknown rule kind {kind!r}")


def describe(kind: str, pattern: str, count) -> str:
    """A short human description of a rule ("Ends with 8888", "4 equal digits (AAAA)")."""
    if kind == "repeat":
        text = _("%(n)s equal digits in a row") % {"n": count}
        return f"{text} [{pattern}]" if pattern else str(text)
    if kind == "ascending":
        return str(_("Ascending run of %(n)s digits") % {"n": count})
    if kind == "descending":
        return str(_("Descending run of %(n)s digits") % {"n": count})
    if kind == "tail":
        return str(_("Ends with %(digits)s") % {"digits": pattern})
    if kind == "tail_same":
        return str(_("Ends with %(n)s equal digits") % {"n": count})
    if kind == "aabb":
        return str(_("Pairs AABB"))
    if kind == "digit_count":
        return str(_("Digit %(digit)s at least %(n)s times") % {"digit": pattern, "n": count})
    if kind == "regex":
        return str(_("Expression %(regex)s") % {"regex": pattern})
    return kind


@dataclass(frozen=True)
class RuleSpec:
    level_id: int
    rank: int
    kind: str
    pattern: str
    count: int | None


def subscriber_regex(kind: str, pattern: str, count: int | None, tag: str) -> str | None:
    """The rule as a regular expression over the subscriber digits, with group names made unique by
    ``tag`` so that the rules of one level combine into one alternation; None for the kinds that are
    not one (digit counts, expressions over the whole number)."""
    if kind == "repeat":
        digit = f"[{pattern}]" if pattern else r"\d"
        return rf"(?P<{tag}>{digit})(?P={tag}){{{count - 1}}}"
    if kind in ("ascending", "descending"):
        return "|".join(_runs(count, 1 if kind == "ascending" else -1))
    if kind == "tail":
        return re.escape(pattern) + "$"
    if kind == "tail_same":
        return rf"(?P<{tag}>\d)(?P={tag}){{{count - 1}}}$"
    if kind == "aabb":
        return rf"(?P<{tag}a>\d)(?P={tag}a)(?!(?P={tag}a))(?P<{tag}b>\d)(?P={tag}b)"
    return None


class LevelMatcher:
    """Classifies numbers: the highest-ranked level with a matching rule, else the default level.

    The pattern rules of one level are compiled into one alternation searched once over the subscriber
    digits (a few regex searches per number instead of one per rule: generating a million numbers
    spends most of its Python time here); digit counts and whole-number expressions are checked apart.
    """

    def __init__(self, rules: Iterable[RuleSpec], default_level_id: int | None = None):
        by_level: dict[int, tuple[int, list[str], list]] = {}
        for i, r in enumerate(rules):
            _rank, parts, others = by_level.setdefault(r.level_id, (r.rank, [], []))
            source = subscriber_regex(r.kind, r.pattern, r.count, f"g{i}")
            if source is None:
                others.append(predicate(r.kind, r.pattern, r.count))
            else:
                parts.append(f"(?:{source})")
        self.levels = [
            (level_id, re.compile("|".join(parts)) if parts else None, others)
            for level_id, (rank, parts, others) in sorted(by_level.items(), key=lambda item: -item[1][0])
        ]
        self.default_level_id = default_level_id

    def level_for(self, msisdn: str) -> int | None:
        start = len(msisdn) - SUBSCRIBER_DIGITS
        for level_id, combined, others in self.levels:
            if combined is not None and combined.search(msisdn, start) is not None:
                return level_id
            for matches in others:
                if matches(msisdn):
                    return level_id
        return self.default_level_id

    @classmethod
    def current(cls) -> LevelMatcher:
        """The matcher of the rules in the database now (active rules only)."""
        from .models import NumberLevel, NumberLevelRule

        specs = []
        for rule in NumberLevelRule.objects.filter(is_active=True).select_related("level"):
            try:
                pattern, count = check_rule(rule.kind, rule.pattern, rule.count)
            except ValidationError:
                continue  # a rule stored before a stricter check: ignored rather than crashing a job
            specs.append(RuleSpec(rule.level_id, rule.level.rank, rule.kind, pattern, count))
        default = NumberLevel.objects.filter(is_default=True).values_list("id", flat=True).first()
        return cls(specs, default)
