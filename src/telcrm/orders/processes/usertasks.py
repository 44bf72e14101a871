"""What a BPMN user task asks of people: its work order's category, queue, SLA, outcomes and form.

A user task carries SpiffWorkflow properties (``<spiffworkflow:properties>``); each is optional except
``queue_role``::

    category     code of the work-order category dictionary (码表 work_order_category), default general
    queue_role   code of the role whose members handle it (backoffice, installer, …)
    queue_unit   where the queue is: @city (default: the city company above the unit the business came
                 from), @origin (that unit), @province, @city/BO1 (the city's unit coded <city>-BO1, e.g.
                 ZJ-HZ-BO1; the city itself when there is none), a unit code (ZJ-CS1), or $name (a unit
                 code in the process data, e.g. chosen by a dispatcher)
    assignee     $name (a username in the process data) or @starter: assigned at once instead of queued
    sla_minutes  working minutes allowed (else the category's sla_minutes, else orders.default_sla_minutes)
    calendar     work calendar code (else parameter sla.default_calendar)
    priority     urgent / high / normal / low, or $name
    outcomes     choices offered on completion: approved:通过|Approve,rejected:不通过|Reject
    form         fields asked on completion: install_team:unit!:装维班组|Installation team,note:text
                 (types text, number, bool, date, datetime, unit, user; ! = required)
    instructions text shown on the work order

Completing a work order puts ``outcome`` and the form's values into the process data (flat, so a
gateway can test ``outcome == "approved"``); returning it puts ``outcome = "returned"`` and
``return_reason``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from telcrm.platform.models.base import english_ui

CATEGORY_DICT = "work_order_category"
DEFAULT_CATEGORY = "general"
DEFAULT_QUEUE_UNIT = "@city"
FIELD_TYPES = ("text", "number", "bool", "date", "datetime", "unit", "user")
PRIORITIES = ("urgent", "high", "normal", "low")
NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,49}$")
CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,49}$")
QUEUE_RE = re.compile(r"^(@origin|@city|@province|@city/[A-Za-z0-9_-]{1,20}|\$[A-Za-z][A-Za-z0-9_]{0,49})$")
RESERVED = frozenset({"outcome", "return_reason", "note"})
MAX_SLA = 525_600


@dataclass(frozen=True)
class Choice:
    code: str
    label: str
    label_en: str = ""

    @property
    def display(self) -> str:
        return (self.label_en or self.label) if english_ui() else (self.label or self.label_en)

    def as_dict(self) -> dict:
        return {"code": self.code, "label": self.label, "label_en": self.label_en}


@dataclass(frozen=True)
class FormField:
    name: str
    type: str = "text"
    required: bool = False
    label: str = ""
    label_en: str = ""

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "type": self.type,
            "required": self.required,
            "label": self.label,
            "label_en": self.label_en,
        }


@dataclass(frozen=True)
class TaskConfig:
    category: str = DEFAULT_CATEGORY
    queue_role: str = ""
    queue_unit: str = DEFAULT_QUEUE_UNIT
    assignee: str = ""
    sla_minutes: int | None = None
    calendar: str = ""
    priority: str = ""
    outcomes: tuple[Choice, ...] = ()
    form: tuple[FormField, ...] = ()
    instructions: str = ""
    problems: tuple = field(default_factory=tuple)  # (property, message, params) found while reading


def _labels(text: str) -> tuple[str, str]:
    zh, _sep, en = text.partition("|")
    return zh.strip()[:100], en.strip()[:100]


def read(properties: dict | None, instructions: str = "") -> TaskConfig:
    """The configuration of a user task from its properties; ``problems`` lists what is wrong."""
    props = {str(k).strip(): ("" if v is None else str(v).strip()) for k, v in (properties or {}).items()}
    problems: list = []

    def problem(prop, message, **params):
        problems.append((prop, message, params))

    category = props.get("category") or DEFAULT_CATEGORY
    if not CODE_RE.match(category):
        problem("category", _("“%(value)s” is not a category code"), value=category)
    queue_role = props.get("queue_role", "")
    if not queue_role:
        problem("queue_role", _("give the role whose team handles the task (property queue_role)"))
    queue_unit = props.get("queue_unit") or DEFAULT_QUEUE_UNIT
    if not (QUEUE_RE.match(queue_unit) or (CODE_RE.match(queue_unit) and not queue_unit.startswith("@"))):
        problem(
            "queue_unit",
            _("“%(value)s” is not @origin, @city, @province, @city/SUFFIX, $name or a unit code"),
            value=queue_unit,
        )
    assignee = props.get("assignee", "")
    if assignee and not (assignee == "@starter" or re.match(r"^\$[A-Za-z][A-Za-z0-9_]{0,49}$", assignee)):
        problem("assignee", _("“%(value)s” is not @starter or $name"), value=assignee)
    sla = None
    if props.get("sla_minutes"):
        try:
            sla = int(props["sla_minutes"])
            if not 1 <= sla <= MAX_SLA:
                raise ValueError
        except ValueError:
            problem("sla_minutes", _("give a whole number of working minutes from 1 to %(max)s"), max=MAX_SLA)
            sla = None
    priority = props.get("priority", "")
    if priority and priority not in PRIORITIES and not re.match(r"^\$[A-Za-z][A-Za-z0-9_]{0,49}$", priority):
        problem("priority", _("choose urgent, high, normal or low (or $name)"))
    outcomes = []
    for item in filter(None, (p.strip() for p in props.get("outcomes", "").split(","))):
        code, _sep, labels = item.partition(":")
        code = code.strip()
        if not NAME_RE.match(code) or code == "returned":
            problem("outcomes", _("“%(value)s” is not an outcome code (returned is reserved)"), value=code)
            continue
        zh, en = _labels(labels)
        outcomes.append(Choice(code, zh or code, en))
    form = []
    seen: set[str] = set()
    for item in filter(None, (p.strip() for p in props.get("form", "").split(","))):
        parts = item.split(":", 2)
        name = parts[0].strip()
        kind = parts[1].strip() if len(parts) > 1 else "text"
        required = kind.endswith("!")
        kind = kind.rstrip("!") or "text"
        zh, en = _labels(parts[2]) if len(parts) > 2 else ("", "")
        if not NAME_RE.match(name) or name in RESERVED or name in seen:
            problem("form", _("“%(value)s” is not a usable field name"), value=name)
            continue
        if kind not in FIELD_TYPES:
            problem("form", _("field %(name)s: unknown type “%(value)s”"), name=name, value=kind)
            continue
        seen.add(name)
        form.append(FormField(name, kind, required, zh or name, en))
    return TaskConfig(
        category=category,
        queue_role=queue_role,
        queue_unit=queue_unit,
        assignee=assignee,
        sla_minutes=sla,
        calendar=props.get("calendar", ""),
        priority=priority,
        outcomes=tuple(outcomes),
        form=tuple(form),
        instructions=(props.get("instructions") or instructions or "")[:2000],
        problems=tuple(problems),
    )


def config_of(task_spec) -> TaskConfig:
    extensions = getattr(task_spec, "extensions", None) or {}
    return read(extensions.get("properties"), extensions.get("instructionsForEndUser") or "")
