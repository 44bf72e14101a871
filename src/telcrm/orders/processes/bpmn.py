"""Process definitions as BPMN 2.0 XML: reading a document safely, checking everything a process may
and must say, and turning it into SpiffWorkflow's process spec.

:func:`compile_xml` is the one gate, run when a version is saved and again when it is published. It
reads the XML (no DTD, entities or network), checks it against the BPMN schema with SpiffWorkflow's
extensions, refuses what a configured process may not contain (scripts, call activities), checks every
service task's handler name (:mod:`.registry`), every user task's queue, SLA and form
(:mod:`.usertasks`), every condition and timer expression (:mod:`.expressions`) and every rule task's
decision, lets SpiffWorkflow parse it, and returns a :class:`CompiledProcess` — or raises a
ValidationError on ``bpmn_xml`` whose messages name the element ("Element verify “订单核定”: …"), in
both UI languages, with ``element_id`` in the params for the diagram to mark.

BPMN elements and how they run:

- ``serviceTask`` with ``<spiffworkflow:serviceTaskOperator id="billing.open_account" resultVariable="…">``
  (optional ``<spiffworkflow:parameters>`` whose values are expressions) → the registered handler;
- ``businessRuleTask`` with ``<spiffworkflow:calledDecisionId>`` = ``catalog:eligibility``,
  ``catalog:compatibility``, ``catalog:all`` or a rule-table code → the catalog's rule tables
  (decision record 0011) over the process data's ``facts``; the outcome goes to the property
  ``result_variable`` (default ``rules``): ``{"denied": bool, "warned": bool, "outcomes": [...]}``;
- ``userTask`` / ``manualTask`` → a work order (properties: :mod:`.usertasks`);
- exclusive / inclusive gateways with ``conditionExpression`` on their flows; timers (intermediate
  catch or boundary, ``timeDuration`` "PT2H" / ``timeDate`` / ``timeCycle``); message events.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from lxml import etree
from SpiffWorkflow.bpmn.parser.util import full_tag
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.specs.base import TaskSpec
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser
from SpiffWorkflow.spiff.parser.task_spec import SpiffTaskParser
from SpiffWorkflow.spiff.specs.spiff_task import SpiffBpmnTask

from telcrm.catalog.rules.dmn import Lazy
from telcrm.catalog.rules.expressions import UnsafeExpression

from . import usertasks
from .expressions import check
from .registry import handler_for

FIELD = "bpmn_xml"
MAX_XML = 2_000_000
BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core"
NS = {"bpmn": BPMN, "spiffworkflow": SPIFF}
CATALOG_DECISIONS = {
    "catalog:eligibility": "eligibility",
    "catalog:compatibility": "compatibility",
    "catalog:all": None,
}
RESULT_VAR_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,49}$")
USER_TAGS = ("userTask", "manualTask")


# --- the catalog rule task ------------------------------------------------------------------------------
class CatalogRuleTaskMixin(TaskSpec):
    """A business-rule task answered by the catalog's rule tables (telcrm.catalog.rules.engine)."""

    def __init__(self, wf_spec, name, decision: str, variable: str = "rules", **kwargs):
        super().__init__(wf_spec, name, **kwargs)
        self.decision = decision
        self.variable = variable

    def _run_hook(self, my_task):
        my_task.data[self.variable] = my_task.workflow.script_engine.decide(
            my_task, self.decision, self.variable
        )
        return super()._run_hook(my_task)


class CatalogRuleTask(CatalogRuleTaskMixin, SpiffBpmnTask):
    pass


class _CatalogRuleTaskParser(SpiffTaskParser):
    @staticmethod
    def get_decision_ref(node):
        return SpiffTaskParser._parse_extensions(node).get("calledDecisionId")

    def create_task(self):
        extensions = self.parse_extensions()
        variable = (extensions.get("properties") or {}).get("result_variable") or "rules"
        return CatalogRuleTask(
            self.spec,
            self.bpmn_id,
            decision=(extensions.get("calledDecisionId") or "").strip(),
            variable=variable,
            **self.bpmn_attributes,
        )


class _RefusedParser(SpiffTaskParser):
    def create_task(self):
        raise ValidationException("not allowed in a process", node=self.node, file_name=self.filename)


class TelcrmBpmnParser(SpiffBpmnParser):
    """SpiffWorkflow's parser with catalog rule tasks and without scripts or call activities."""

    OVERRIDE_PARSER_CLASSES = {
        **SpiffBpmnParser.OVERRIDE_PARSER_CLASSES,
        full_tag("businessRuleTask"): (_CatalogRuleTaskParser, CatalogRuleTask),
        full_tag("scriptTask"): (_RefusedParser, CatalogRuleTask),
        full_tag("callActivity"): (_RefusedParser, CatalogRuleTask),
    }


# --- results ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Element:
    id: str
    kind: str  # start, end, user, service, rule, gateway, timer, event, subprocess
    name: str = ""
    detail: str = ""

    def as_dict(self) -> dict:
        return {"id": self.id, "kind": self.kind, "name": self.name, "detail": self.detail}


@dataclass
class CompiledProcess:
    process_id: str
    spec: object
    subprocess_specs: dict
    elements: list[Element] = field(default_factory=list)


# --- messages --------------------------------------------------------------------------------------------
def element_error(node_or_id, problem, code: str, name: str = "") -> ValidationError:
    """A problem of one element, named by id and name (``element_id`` in the params for the diagram)."""
    if isinstance(node_or_id, str):
        element_id = node_or_id
    else:
        element_id, name = node_or_id.get("id", "") or "?", node_or_id.get("name", "") or ""
    label = f"{element_id} “{name.strip()[:60]}”" if name and name.strip() else element_id
    return ValidationError(
        _("Element %(element)s: %(problem)s"),
        code=code,
        params={"element": label, "problem": problem, "element_id": element_id},
    )


def document_error(message, code: str, **params) -> ValidationError:
    return ValidationError(message, code=code, params=params or None)


def raise_errors(errors: list[ValidationError]) -> None:
    if errors:
        raise ValidationError({FIELD: errors})


def _problem_of(exc: UnsafeExpression) -> Lazy:
    messages = {
        "syntax": _("the expression does not parse (%(detail)s)"),
        "too_long": _("too long (at most %(detail)s characters)"),
        "not_allowed": _("“%(detail)s” is not allowed in a process expression"),
        "attribute": _(
            "only the methods startswith, endswith, lower, upper, strip and get may be called "
            "(not “%(detail)s”)"
        ),
        "private": _("names starting with an underscore are not allowed (“%(detail)s”)"),
    }
    return Lazy(messages.get(exc.code, messages["not_allowed"]), detail=exc.detail)


# --- reading -----------------------------------------------------------------------------------------------
_PARSER_OPTIONS = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "dtd_validation": False,
    "huge_tree": False,
    "remove_blank_text": False,
}


def parse_document(text: str):
    """The root element of the XML text, read without DTDs, entities or network access."""
    if not isinstance(text, str) or not text.strip():
        raise_errors([document_error(_("Give the BPMN XML of the process."), "required")])
    if len(text) > MAX_XML:
        raise_errors(
            [
                document_error(
                    _("The BPMN document is too large (at most %(n)s characters)."), "too_long", n=MAX_XML
                )
            ]
        )
    data = text.strip().encode("utf-8")
    if re.search(rb"<!DOCTYPE|<!ENTITY", data, re.IGNORECASE):
        raise_errors([document_error(_("Documents with a DOCTYPE or entities are not accepted."), "doctype")])
    try:
        data = re.sub(rb"^<\?xml[^>]*\?>", b"", data)  # the text is decoded already
        root = etree.fromstring(data, etree.XMLParser(**_PARSER_OPTIONS))
    except etree.XMLSyntaxError as exc:
        raise_errors(
            [
                document_error(
                    _("The BPMN XML is malformed (line %(line)s): %(detail)s"),
                    "malformed",
                    line=exc.lineno or 1,
                    detail=exc.msg or str(exc),
                )
            ]
        )
    if etree.QName(root).localname != "definitions" or etree.QName(root).namespace != BPMN:
        raise_errors(
            [
                document_error(
                    _("This is not a BPMN 2.0 document (expected a bpmn:definitions element)."), "not_bpmn"
                )
            ]
        )
    return root


_SCHEMA_LOCK = threading.Lock()


def _schema_check(root) -> None:
    with _SCHEMA_LOCK:  # an lxml schema and its error log belong to one validation at a time
        try:
            VALIDATOR.validate(root, "process.bpmn")
        except ValidationException as exc:
            message = str(exc.args[0] if exc.args else exc).split("\n")[0][:200]
            detail = f"line {exc.line_number}: {message}" if exc.line_number else message
            raise_errors(
                [
                    document_error(
                        _("The document does not follow the BPMN schema: %(detail)s"), "schema", detail=detail
                    )
                ]
            )


def _executable_process(root):
    processes = root.findall(f"{{{BPMN}}}process")
    executable = [p for p in processes if p.get("isExecutable", "true") == "true"]
    if len(executable) != 1:
        raise_errors(
            [
                document_error(
                    _("A process document holds exactly one executable process (found %(n)s)."),
                    "process_count",
                    n=len(executable),
                )
            ]
        )
    return executable[0]


# --- checks before SpiffWorkflow parses ------------------------------------------------------------------
def _expression_errors(node, expression: str, what) -> list[ValidationError]:
    try:
        check(expression)
    except UnsafeExpression as exc:
        return [
            element_error(
                node, Lazy(_("%(what)s: %(problem)s"), what=what, problem=_problem_of(exc)), exc.code
            )
        ]
    return []


def _timer_errors(node, definition) -> list[ValidationError]:
    errors = []
    for tag, kind in (("timeDuration", "duration"), ("timeDate", "date"), ("timeCycle", "cycle")):
        expr_node = definition.find(f"{{{BPMN}}}{tag}")
        if expr_node is None:
            continue
        text = (expr_node.text or "").strip()
        found = _expression_errors(node, text, _("timer"))
        if found:
            return found
        tree = check(text)
        value = tree.body.value if hasattr(tree.body, "value") and isinstance(tree.body.value, str) else None
        if value is None:
            continue  # an expression over the process data: checked when the timer starts
        try:
            if kind == "duration":
                TimerEventDefinition.parse_iso_duration(value)
            elif kind == "date":
                TimerEventDefinition.get_datetime(value)
            else:
                TimerEventDefinition.parse_iso_recurring_interval(value)
        except Exception:
            label = {"duration": _("duration"), "date": _("date and time"), "cycle": _("repetition")}[kind]
            errors.append(
                element_error(
                    node, Lazy(_("“%(value)s” is not an ISO 8601 %(kind)s"), value=value, kind=label), "timer"
                )
            )
    return errors


def _precheck(process, rule_tables) -> list[ValidationError]:
    errors: list[ValidationError] = []
    for node in process.iter(f"{{{BPMN}}}scriptTask"):
        errors.append(element_error(node, _("script tasks are not allowed; use a service task"), "script"))
    for node in process.iter(f"{{{BPMN}}}callActivity"):
        errors.append(
            element_error(
                node, _("call activities are not supported; use an embedded sub-process"), "call_activity"
            )
        )
    for tag in ("preScript", "postScript"):
        for script in process.iter(f"{{{SPIFF}}}{tag}"):
            owner = script.getparent().getparent()
            errors.append(element_error(owner, _("pre- and post-scripts are not allowed"), "script"))
    for node in process.iter(f"{{{BPMN}}}serviceTask"):
        operator = node.find(f"{{{BPMN}}}extensionElements/{{{SPIFF}}}serviceTaskOperator")
        if operator is None or not (operator.get("id") or "").strip():
            errors.append(
                element_error(
                    node,
                    _(
                        "name the handler to run "
                        '(spiffworkflow:serviceTaskOperator id="billing.open_account")'
                    ),
                    "no_handler",
                )
            )
            continue
        name = operator.get("id").strip()
        if handler_for(name) is None:
            errors.append(
                element_error(
                    node, Lazy(_("no handler is registered as “%(name)s”"), name=name), "unknown_handler"
                )
            )
        result = operator.get("resultVariable")
        if result and not RESULT_VAR_RE.match(result):
            errors.append(
                element_error(
                    node, Lazy(_("“%(value)s” is not a variable name"), value=result), "result_variable"
                )
            )
        for param in operator.iter(f"{{{SPIFF}}}parameter"):
            what = Lazy(_("parameter %(name)s"), name=param.get("id") or "?")
            errors += _expression_errors(node, param.get("value") or "", what)
    for node in process.iter(f"{{{BPMN}}}businessRuleTask"):
        decision = (node.findtext(f"{{{BPMN}}}extensionElements/{{{SPIFF}}}calledDecisionId") or "").strip()
        if decision not in CATALOG_DECISIONS and decision not in rule_tables:
            errors.append(
                element_error(
                    node,
                    Lazy(
                        _(
                            "“%(value)s” is not catalog:eligibility, catalog:compatibility, catalog:all "
                            "or a rule table code"
                        ),
                        value=decision,
                    ),
                    "decision",
                )
            )
    flows = {f.get("id"): f for f in process.iter(f"{{{BPMN}}}sequenceFlow")}
    for flow in flows.values():
        condition = flow.find(f"{{{BPMN}}}conditionExpression")
        if condition is not None:
            errors += _expression_errors(flow, (condition.text or "").strip(), _("condition"))
    for tag in ("exclusiveGateway", "inclusiveGateway"):
        for gateway in process.iter(f"{{{BPMN}}}{tag}"):
            outgoing = [f for f in flows.values() if f.get("sourceRef") == gateway.get("id")]
            if len(outgoing) < 2:
                continue
            for flow in outgoing:
                if (
                    flow.get("id") != gateway.get("default")
                    and flow.find(f"{{{BPMN}}}conditionExpression") is None
                ):
                    errors.append(
                        element_error(
                            flow,
                            _(
                                "a flow leaving a gateway needs a condition "
                                "unless it is the gateway's default"
                            ),
                            "no_condition",
                        )
                    )
    for definition in process.iter(f"{{{BPMN}}}timerEventDefinition"):
        errors += _timer_errors(definition.getparent(), definition)
    return errors


# --- checks of the parsed spec -----------------------------------------------------------------------------
def _user_task_errors(node, config: usertasks.TaskConfig, known) -> list[ValidationError]:
    errors = []
    for prop, message, params in config.problems:
        errors.append(
            element_error(
                node,
                Lazy(_("property %(prop)s: %(problem)s"), prop=prop, problem=Lazy(message, **params)),
                "property",
            )
        )
    if config.queue_role and config.queue_role not in known["roles"]:
        errors.append(
            element_error(node, Lazy(_("there is no role “%(value)s”"), value=config.queue_role), "role")
        )
    if config.category and config.category not in known["categories"]:
        errors.append(
            element_error(
                node,
                Lazy(_("“%(value)s” is not in the work-order category dictionary"), value=config.category),
                "category",
            )
        )
    unit = config.queue_unit
    if unit and not unit.startswith(("@", "$")) and unit not in known["units"]:
        errors.append(element_error(node, Lazy(_("there is no org unit “%(value)s”"), value=unit), "unit"))
    if config.calendar and config.calendar not in known["calendars"]:
        errors.append(
            element_error(
                node, Lazy(_("there is no work calendar “%(value)s”"), value=config.calendar), "calendar"
            )
        )
    return errors


def _known() -> dict:
    from telcrm.platform.models import DictItem, OrgUnit, Role, WorkCalendar

    return {
        "roles": set(Role.objects.values_list("code", flat=True)),
        "categories": set(
            DictItem.objects.filter(dict_type__code=usertasks.CATEGORY_DICT, is_active=True).values_list(
                "code", flat=True
            )
        ),
        "units": set(OrgUnit.objects.filter(is_active=True).values_list("code", flat=True)),
        "calendars": set(WorkCalendar.objects.values_list("code", flat=True)),
    }


def _rule_tables() -> set[str]:
    from telcrm.catalog.rules.models import DecisionTable

    return set(DecisionTable.objects.values_list("code", flat=True))


def _kind(node) -> str:
    tag = etree.QName(node).localname
    if tag in USER_TAGS:
        return "user"
    if tag == "serviceTask":
        return "service"
    if tag == "businessRuleTask":
        return "rule"
    if tag.endswith("Gateway"):
        return "gateway"
    if tag == "startEvent":
        return "start"
    if tag == "endEvent":
        return "end"
    if tag in ("subProcess", "transaction"):
        return "subprocess"
    if node.find(f"{{{BPMN}}}timerEventDefinition") is not None:
        return "timer"
    return "event" if tag.endswith("Event") else "task"


def _elements(process, configs: dict) -> list[Element]:
    out = []
    for node in process.iter():
        if not isinstance(node.tag, str) or etree.QName(node).namespace != BPMN:
            continue
        tag = etree.QName(node).localname
        if tag in ("sequenceFlow", "process", "extensionElements", "incoming", "outgoing", "laneSet", "lane"):
            continue
        if not node.get("id") or not (
            tag.endswith(("Task", "Event", "Gateway")) or tag in ("subProcess", "task")
        ):
            continue
        kind = _kind(node)
        detail = ""
        if kind == "service":
            operator = node.find(f"{{{BPMN}}}extensionElements/{{{SPIFF}}}serviceTaskOperator")
            detail = (operator.get("id") or "") if operator is not None else ""
        elif kind == "rule":
            detail = (node.findtext(f"{{{BPMN}}}extensionElements/{{{SPIFF}}}calledDecisionId") or "").strip()
        elif kind == "user" and node.get("id") in configs:
            c = configs[node.get("id")]
            detail = f"{c.category} · {c.queue_role} @ {c.queue_unit}"
        elif kind == "timer":
            definition = node.find(f"{{{BPMN}}}timerEventDefinition")
            detail = " ".join((e.text or "").strip() for e in definition if isinstance(e.tag, str))
        out.append(Element(node.get("id"), kind, (node.get("name") or "").strip(), detail[:200]))
    return out


def _all_specs(spec, subprocess_specs) -> list:
    out = list(spec.task_specs.values())
    for sub in subprocess_specs.values():
        if sub is not None:
            out += list(sub.task_specs.values())
    return out


def parse_spec(root, process_id: str):
    """SpiffWorkflow's spec and sub-process specs of ``process_id`` in the parsed document."""
    parser = TelcrmBpmnParser()
    parser.add_bpmn_xml(root, filename="process.bpmn")
    spec = parser.get_spec(process_id)
    return spec, parser.get_subprocess_specs(process_id)


def compile_xml(text: str) -> CompiledProcess:
    """The process of a BPMN document, ready to run; ValidationError (on ``bpmn_xml``) naming the
    element of every problem otherwise."""
    root = parse_document(text)
    _schema_check(root)
    process = _executable_process(root)
    errors = _precheck(process, _rule_tables())
    raise_errors(errors)
    by_id = {n.get("id"): n for n in process.iter() if isinstance(n.tag, str) and n.get("id")}
    try:
        spec, subprocess_specs = parse_spec(root, process.get("id"))
    except ValidationException as exc:
        node_id = getattr(exc, "id", "") or ""
        detail = str(exc.args[0] if exc.args else exc).split("\n")[0][:200]
        target = by_id.get(node_id, node_id or process.get("id"))
        errors.append(
            element_error(
                target, Lazy(_("the process engine cannot read it: %(detail)s"), detail=detail), "engine"
            )
        )
    except (SpiffWorkflowException, KeyError, IndexError, ValueError, TypeError, AttributeError) as exc:
        detail = f"{type(exc).__name__}: {exc}".split("\n")[0][:200]
        errors.append(
            document_error(
                _("The process engine cannot read the document: %(detail)s"), "engine", detail=detail
            )
        )
    raise_errors(errors)
    known = _known()
    configs = {}
    for task_spec in _all_specs(spec, subprocess_specs):
        node = by_id.get(getattr(task_spec, "bpmn_id", None) or "")
        if node is None or etree.QName(node).localname not in USER_TAGS:
            continue
        configs[node.get("id")] = config = usertasks.config_of(task_spec)
        errors += _user_task_errors(node, config, known)
    for task_spec in _all_specs(spec, subprocess_specs):
        if isinstance(task_spec, CatalogRuleTask) and not RESULT_VAR_RE.match(task_spec.variable or ""):
            node = by_id.get(task_spec.bpmn_id, task_spec.bpmn_id)
            errors.append(
                element_error(
                    node,
                    Lazy(_("“%(value)s” is not a variable name"), value=task_spec.variable),
                    "result_variable",
                )
            )
    raise_errors(errors)
    return CompiledProcess(process.get("id"), spec, subprocess_specs, _elements(process, configs))


def read_process_id(text: str) -> str:
    """The id of the executable process of a document already checked (stored versions)."""
    return _executable_process(parse_document(text)).get("id")
