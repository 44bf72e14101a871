"""A running workflow as JSON, without its flow; and the flows of versions, parsed once per process.

SpiffWorkflow's serializer writes the whole process spec into every workflow's JSON. An instance's
spec never changes (it is its version's, and a version's XML is frozen once it is active), so the
instance row keeps only the state — tasks, their data, events — and the spec is read from the
version when the workflow is loaded. Parsed specs are kept per process, keyed by version id and the
XML's length and hash (a version's XML cannot change once an instance runs on it; the key only guards
against a recreated database reusing ids).
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from uuid import UUID

from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

from . import bpmn

MAX_SPECS = 64


class _StateOnlyConverter(BpmnWorkflowConverter):
    """The workflow converter without the spec: the caller supplies it when restoring."""

    def to_dict(self, workflow):
        dct = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct, spec=None, subprocess_specs=None):
        workflow = self.target_class(spec, subprocess_specs or {}, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


_CONFIG = dict(SPIFF_CONFIG)
_CONFIG[BpmnWorkflow] = _StateOnlyConverter
SERIALIZER = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(_CONFIG))


def dumps(workflow) -> str:
    return SERIALIZER.serialize_json(workflow)


def loads(text: str, spec, subprocess_specs, script_engine=None) -> BpmnWorkflow:
    dct = json.loads(text)
    SERIALIZER.migrate(dct)
    workflow = SERIALIZER.registry.restore(dct, spec=spec, subprocess_specs=subprocess_specs)
    if script_engine is not None:
        workflow.script_engine = script_engine
    return workflow


# --- parsed specs per version -------------------------------------------------------------------------------
_lock = threading.Lock()
_specs: OrderedDict[tuple, tuple] = OrderedDict()


def _key(version) -> tuple:
    xml = version.bpmn_xml
    return (version.pk, len(xml), hashlib.sha256(xml.encode("utf-8")).hexdigest())


def spec_of(version) -> tuple:
    """(spec, subprocess specs) of a stored version, parsed once per process."""
    key = _key(version)
    with _lock:
        found = _specs.get(key)
        if found is not None:
            _specs.move_to_end(key)
            return found
    root = bpmn.parse_document(version.bpmn_xml)
    found = bpmn.parse_spec(root, version.process_id)
    with _lock:
        _specs[key] = found
        while len(_specs) > MAX_SPECS:
            _specs.popitem(last=False)
    return found


def clear() -> None:
    with _lock:
        _specs.clear()
