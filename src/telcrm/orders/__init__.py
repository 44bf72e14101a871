"""Orders (营业受理), processes (BPMN) and work orders (工单).

This package holds, for now, the process engine (``processes/``), the process definitions and instances
and the work orders; the order models and counter acceptance are added beside them later.
"""
