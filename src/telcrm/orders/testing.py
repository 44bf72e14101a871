"""Helpers for tests of processes: small BPMN documents built from a few lines of Python."""

from __future__ import annotations

import itertools
from xml.sax.saxutils import escape, quoteattr

HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="defs" '
    'targetNamespace="https://telcrm.org/test">\n'
)


def _name(name: str) -> str:
    return f" name={quoteattr(name)}" if name else ""


def service(
    element_id: str, handler: str, *, name: str = "", result: str = "", params: dict | None = None
) -> str:
    result_attr = f" resultVariable={quoteattr(result)}" if result else ""
    parameters = "".join(
        f'<spiffworkflow:parameter id={quoteattr(k)} type="str" value={quoteattr(v)}/>'
        for k, v in (params or {}).items()
    )
    return (
        f"<bpmn:serviceTask id={quoteattr(element_id)}{_name(name)}><bpmn:extensionElements>"
        f"<spiffworkflow:serviceTaskOperator id={quoteattr(handler)}{result_attr}>"
        f"<spiffworkflow:parameters>{parameters}</spiffworkflow:parameters>"
        "</spiffworkflow:serviceTaskOperator></bpmn:extensionElements></bpmn:serviceTask>"
    )


def user(element_id: str, *, name: str = "", **properties: str) -> str:
    properties.setdefault("queue_role", "backoffice")
    props = "".join(
        f"<spiffworkflow:property name={quoteattr(k)} value={quoteattr(str(v))}/>"
        for k, v in properties.items()
    )
    return (
        f"<bpmn:userTask id={quoteattr(element_id)}{_name(name)}><bpmn:extensionElements>"
        f"<spiffworkflow:properties>{props}</spiffworkflow:properties></bpmn:extensionElements></bpmn:userTask>"
    )


def timer(element_id: str, duration: str = '"PT10M"') -> str:
    return (
        f"<bpmn:intermediateCatchEvent id={quoteattr(element_id)} name={quoteattr(element_id)}>"
        f"<bpmn:timerEventDefinition><bpmn:timeDuration>{escape(duration)}</bpmn:timeDuration>"
        "</bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>"
    )


def _ends(source: str, target: str) -> str:
    return f"sourceRef={quoteattr(source)} targetRef={quoteattr(target)}"


def flow(flow_id: str, source: str, target: str, condition: str | None = None) -> str:
    if condition is None:
        return f"<bpmn:sequenceFlow id={quoteattr(flow_id)} {_ends(source, target)}/>"
    return (
        f"<bpmn:sequenceFlow id={quoteattr(flow_id)} {_ends(source, target)}>"
        f"<bpmn:conditionExpression>{escape(condition)}</bpmn:conditionExpression></bpmn:sequenceFlow>"
    )


def chain(*elements: str, process_id: str = "test_process", extra: str = "") -> str:
    """A process: start → each element in turn → end (element ids read from the snippets)."""
    import re

    ids = ["start"] + [re.search(r'id="([^"]+)"', e).group(1) for e in elements] + ["end"]
    body = ['<bpmn:startEvent id="start"/>', *elements, '<bpmn:endEvent id="end"/>']
    body += [flow(f"f{i}", a, b) for i, (a, b) in enumerate(itertools.pairwise(ids))]
    return document("".join(body) + extra, process_id=process_id)


def document(body: str, *, process_id: str = "test_process") -> str:
    process = f'<bpmn:process id="{process_id}" isExecutable="true">{body}</bpmn:process>'
    return f"{HEAD}{process}</bpmn:definitions>\n"
