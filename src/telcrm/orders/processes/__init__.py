"""The process engine: BPMN definitions checked and parsed (bpmn.py), expressions (expressions.py),
service-task handlers (registry.py, handlers.py), workflow state as JSON (state.py), user-task
configuration (usertasks.py) and the engine itself (engine.py)."""
