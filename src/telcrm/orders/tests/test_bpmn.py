"""Checking BPMN documents: every shipped process compiles; every problem is named by its element,
in Chinese and in English; nothing unsafe gets through."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from telcrm.catalog.rules.expressions import UnsafeExpression
from telcrm.orders.processes import bpmn
from telcrm.orders.processes.expressions import check, evaluate
from telcrm.orders.testing import chain, document, flow, service, timer, user

from .conftest import BPMN_DIR, shipped

pytestmark = pytest.mark.django_db
SHIPPED = sorted(p.stem for p in BPMN_DIR.glob("*.bpmn"))


def errors_of(xml: str) -> list[dict]:
    """[{code, element_id, zh, en}] of the document's problems."""
    with pytest.raises(ValidationError) as exc:
        bpmn.compile_xml(xml)
    out = []
    for e in exc.value.error_dict[bpmn.FIELD]:
        params = e.params or {}
        rendered = {}
        for lang in ("zh-hans", "en"):
            with translation.override(lang):
                rendered[lang] = (
                    str(e.message) % {k: str(v) for k, v in params.items()} if params else str(e.message)
                )
        out.append(
            {
                "code": e.code,
                "element_id": params.get("element_id"),
                "zh": rendered["zh-hans"],
                "en": rendered["en"],
            }
        )
    return out


def test_every_shipped_process_compiles(carrier):
    assert {
        "new_line",
        "broadband",
        "plan_change",
        "add_on",
        "sim_swap",
        "suspend_resume",
        "transfer",
        "port_in",
        "termination",
    } <= set(SHIPPED)
    for name in SHIPPED:
        compiled = bpmn.compile_xml(shipped(name))
        kinds = {e.kind for e in compiled.elements}
        assert {"start", "end", "service"} <= kinds, name


def test_malformed_and_foreign_documents(carrier):
    assert errors_of("<bpmn:definitions")[0]["code"] == "malformed"
    assert errors_of("<root/>")[0]["code"] == "not_bpmn"
    assert errors_of("")[0]["code"] == "required"
    doctype = '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>' + chain(service("a", "order.archive"))
    assert errors_of(doctype)[0]["code"] == "doctype"
    two = document('<bpmn:startEvent id="s"/>').replace(
        "</bpmn:definitions>", '<bpmn:process id="other" isExecutable="true"/></bpmn:definitions>'
    )
    assert errors_of(two)[0]["code"] == "process_count"


def test_unknown_handler_is_named_by_element_in_both_languages(carrier):
    [error] = errors_of(chain(service("provision", "network.nothing", name="开通")))
    assert error["code"] == "unknown_handler" and error["element_id"] == "provision"
    assert error["zh"] == "元素 provision “开通”：没有注册名为“network.nothing”的处理程序"
    assert error["en"] == "Element provision “开通”: no handler is registered as “network.nothing”"


def test_scripts_and_call_activities_are_refused(carrier):
    body = (
        '<bpmn:startEvent id="start"/>'
        '<bpmn:scriptTask id="hack"><bpmn:script>import os</bpmn:script></bpmn:scriptTask>'
        '<bpmn:callActivity id="call" calledElement="x"/><bpmn:endEvent id="end"/>'
        + flow("f1", "start", "hack")
        + flow("f2", "hack", "call")
        + flow("f3", "call", "end")
    )
    found = {(e["element_id"], e["code"]) for e in errors_of(document(body))}
    assert found == {("hack", "script"), ("call", "call_activity")}
    pre = service("a", "order.archive").replace(
        "<bpmn:extensionElements>",
        "<bpmn:extensionElements><spiffworkflow:preScript>x = 1</spiffworkflow:preScript>",
    )
    assert [(e["element_id"], e["code"]) for e in errors_of(chain(pre))] == [("a", "script")]


def test_service_task_without_a_handler_name(carrier):
    body = '<bpmn:startEvent id="start"/><bpmn:serviceTask id="svc" name="开户"/><bpmn:endEvent id="end"/>'
    [error] = errors_of(document(body + flow("f1", "start", "svc") + flow("f2", "svc", "end")))
    assert error["code"] == "no_handler" and error["element_id"] == "svc"


@pytest.mark.parametrize(
    ("condition", "code"),
    [
        ("__import__", "private"),
        ('__import__("os").system("x")', "not_allowed"),
        ("().__class__", "private"),
        ("open('/etc/passwd')", "not_allowed"),
        ("(lambda: 1)()", "not_allowed"),
        ("9 ** 9 ** 9", "not_allowed"),
        ("outcome ==", "syntax"),
        ("x.upper", "attribute"),
        ("[a for a in b for c in d for e in f]", "not_allowed"),
    ],
)
def test_unsafe_conditions_are_refused_naming_the_flow(carrier, condition, code):
    body = (
        '<bpmn:startEvent id="start"/><bpmn:exclusiveGateway id="gw" default="f_ok"/>'
        '<bpmn:endEvent id="end"/><bpmn:endEvent id="end2"/>'
        + flow("f0", "start", "gw")
        + flow("f_ok", "gw", "end")
        + flow("f_bad", "gw", "end2", condition)
    )
    [error] = errors_of(document(body))
    assert error["element_id"] == "f_bad" and error["code"] == code
    assert error["zh"].startswith("元素 f_bad：条件：")


def test_a_gateway_flow_without_condition_or_default(carrier):
    body = (
        '<bpmn:startEvent id="start"/><bpmn:exclusiveGateway id="gw"/>'
        '<bpmn:endEvent id="end"/><bpmn:endEvent id="end2"/>'
        + flow("f0", "start", "gw")
        + flow("a", "gw", "end", 'outcome == "x"')
        + flow("b", "gw", "end2")
    )
    assert [(e["element_id"], e["code"]) for e in errors_of(document(body))] == [("b", "no_condition")]


def test_user_task_properties_are_checked(carrier):
    xml = chain(
        user("a", queue_role="nobody", category="nope", sla_minutes="-5", queue_unit="@moon"),
        user("b", queue_role="", form="x:colour,note:text"),
        user("c", queue_unit="XX-NONE", calendar="lunar", outcomes="returned"),
    )
    found = {(e["element_id"], e["code"]) for e in errors_of(xml)}
    assert ("a", "role") in found and ("a", "category") in found
    assert (
        sum(1 for e in errors_of(xml) if e["element_id"] == "a" and e["code"] == "property") == 2
    )  # sla, unit
    assert ("b", "property") in found  # no queue_role, unknown field type, note is reserved
    assert ("c", "unit") in found and ("c", "calendar") in found and ("c", "property") in found
    zh = {e["zh"] for e in errors_of(xml)}
    assert "元素 a：没有岗位“nobody”" in zh


def test_timers_must_be_iso_8601(carrier):
    [error] = errors_of(chain(timer("wait", '"ten minutes"')))
    assert error["element_id"] == "wait" and error["code"] == "timer"
    bpmn.compile_xml(
        chain(timer("wait", "appointment_at"))
    )  # an expression over the data: checked when it runs


def test_rule_task_decision_must_exist(carrier):
    task = (
        '<bpmn:businessRuleTask id="rules"><bpmn:extensionElements>'
        "<spiffworkflow:calledDecisionId>NO-SUCH-TABLE</spiffworkflow:calledDecisionId>"
        "</bpmn:extensionElements></bpmn:businessRuleTask>"
    )
    [error] = errors_of(chain(task))
    assert error["element_id"] == "rules" and error["code"] == "decision"
    bpmn.compile_xml(chain(task.replace("NO-SUCH-TABLE", "catalog:eligibility")))


def test_schema_violations_are_reported(carrier):
    xml = chain(service("a", "order.archive")).replace(
        '<bpmn:startEvent id="start"/>', '<bpmn:startEvent id="start" bogus="1"/>'
    )
    assert errors_of(xml)[0]["code"] == "schema"


def test_expressions_run_over_the_data_without_builtins():
    assert (
        evaluate('outcome == "approved" and len(items) > 1', {"outcome": "approved", "items": [1, 2]}) is True
    )
    assert evaluate('rules.get("denied")', {"rules": {"denied": True}}) is True
    assert evaluate("missing is None", {}) is True
    with pytest.raises(Exception):
        check("__builtins__")
    with pytest.raises(UnsafeExpression):
        evaluate("print(1)", {})  # only the safe functions may be called
    assert evaluate("abs(x)", {"x": -2, "abs": "shadowed?"}) == 2  # data cannot shadow a function
