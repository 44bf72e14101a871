"""The DMN document: writing and reading it, tables from another DMN tool, and every kind of bad
document refused with a message naming what is wrong (row and column for cells), in both languages."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from telcrm.catalog.rules import dmn
from telcrm.catalog.rules.expressions import scope_for
from telcrm.catalog.rules.facts import normalize
from telcrm.platform.errors import bilingual

from ._helpers import grid, problems

CAMUNDA = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/"
    xmlns:dmndi="https://www.omg.org/spec/DMN/20191111/DMNDI/"
    xmlns:dc="http://www.omg.org/spec/DMN/20180521/DC/"
    xmlns:modeler="http://camunda.org/schema/modeler/1.0"
    id="Definitions_0x1" name="DRD" namespace="http://camunda.org/schema/1.0/dmn"
    exporter="Camunda Modeler" exporterVersion="5.17.0" modeler:executionPlatform="Camunda Cloud">
  <decision id="Decision_credit" name="Credit check">
    <decisionTable id="DecisionTable_1" hitPolicy="COLLECT">
      <input id="Input_1" label="Credit level">
        <inputExpression id="InputExpression_1" typeRef="number"><text>credit_level</text></inputExpression>
      </input>
      <input id="Input_2" label="Age">
        <inputExpression id="InputExpression_2" typeRef="number"><text>age</text></inputExpression>
      </input>
      <output id="Output_1" label="Effect" name="effect" typeRef="string" />
      <output id="Output_2" label="Message" name="message_en" typeRef="string" />
      <rule id="DecisionRule_low">
        <description>low credit</description>
        <inputEntry id="UnaryTests_1"><text>&lt; 2</text></inputEntry>
        <inputEntry id="UnaryTests_2"><text></text></inputEntry>
        <outputEntry id="LiteralExpression_1"><text>"deny"</text></outputEntry>
        <outputEntry id="LiteralExpression_2"><text>"Credit too low"</text></outputEntry>
      </rule>
      <rule id="DecisionRule_minor">
        <inputEntry id="UnaryTests_3"><text>[3..5]</text></inputEntry>
        <inputEntry id="UnaryTests_4"><text>&lt; 18</text></inputEntry>
        <outputEntry id="LiteralExpression_3"><text>"warn"</text></outputEntry>
        <outputEntry id="LiteralExpression_4"><text>"Minor with good credit"</text></outputEntry>
      </rule>
    </decisionTable>
  </decision>
  <dmndi:DMNDI>
    <dmndi:DMNDiagram id="DMNDiagram_1">
      <dmndi:DMNShape id="DMNShape_1" dmnElementRef="Decision_credit">
        <dc:Bounds height="80" width="180" x="160" y="100" />
      </dmndi:DMNShape>
    </dmndi:DMNDiagram>
  </dmndi:DMNDI>
</definitions>
"""


def sample():
    return grid(
        ["offering", ("5G held", '"5G-CX-128" in held'), "age"],
        [
            ("r1", ['"ADD-5G-FLOW-20G"', "false", "-"], "require", ["5G-CX-128", "5G-CX-198"]),
            ("r2", ["-", "-", "[0..17]"], "warn"),
        ],
    )


def test_a_grid_survives_writing_and_reading_the_xml():
    g = sample()
    g.rows[0].note = "附加包依赖"
    text = dmn.to_xml(g)
    assert 'hitPolicy="COLLECT"' in text and "https://www.omg.org/spec/DMN/20191111/MODEL/" in text
    back = dmn.read_xml(text)
    assert back == g
    dmn.compile_xml(text)  # and it passes every check


def test_a_table_exported_by_another_dmn_tool_is_read_and_evaluated():
    table = dmn.compile_xml(CAMUNDA)
    assert [c.label for c in table.grid.columns] == ["Credit level", "Age"]
    assert table.grid.rows[0].note == "low credit"

    def match(**facts):
        return [r.id for r in table.match(scope_for(normalize(facts)))]

    assert match(credit_level=1, age=40) == ["DecisionRule_low"]
    assert match(credit_level=4, age=16) == ["DecisionRule_minor"]
    assert match(credit_level=1, age=None) == ["DecisionRule_low"]
    assert table.rules["DecisionRule_low"].message_en == "Credit too low"
    assert table.rules["DecisionRule_low"].message_zh == ""


def _first(text: str) -> dict:
    with pytest.raises(ValidationError) as exc:
        dmn.compile_xml(text)
    [item] = bilingual(exc.value)[:1]
    assert item["field"] == "dmn_xml"
    return item


def test_malformed_xml_names_the_line():
    item = _first('<?xml version="1.0"?>\n<definitions>\n  <decision>\n</definitions>')
    assert item["code"] == "malformed"
    assert item["message_en"].startswith("The DMN XML is malformed (line 4)")
    assert item["message_zh"] != item["message_en"]


def test_a_document_with_entities_is_refused_without_reading_anything(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    text = CAMUNDA.replace(
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file://{secret}">]>',
    ).replace('"Credit too low"', "&x;")
    item = _first(text)
    assert item["code"] == "doctype"
    assert "TOP-SECRET" not in str(item)


def test_other_xml_is_not_a_dmn_document():
    assert (
        _first('<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"/>')["code"]
        == "not_dmn"
    )


def test_a_document_against_the_dmn_schema_is_refused():
    item = _first(CAMUNDA.replace('<rule id="DecisionRule_minor">', '<rule id="DecisionRule_minor"><bogus/>'))
    assert item["code"] == "schema"
    assert item["message_en"].startswith("The document does not follow the DMN schema: line ")


def test_only_collect_tables_with_known_outputs_are_accepted():
    item = _first(CAMUNDA.replace('hitPolicy="COLLECT"', 'hitPolicy="FIRST"'))
    assert item["code"] == "hit_policy" and "FIRST" in item["message_en"]
    assert _first(CAMUNDA.replace('name="effect"', 'name="verdict"'))["code"] == "unknown_output"


def test_an_output_must_be_a_plain_value():
    with pytest.raises(ValidationError) as exc:
        dmn.compile_xml(CAMUNDA.replace('<text>"warn"</text>', "<text>effect_of(credit_level)</text>"))
    assert problems(exc.value) == ['Row 2, column effect: an output is a plain value such as "deny"']


def test_a_row_with_missing_cells_is_refused():
    text = CAMUNDA.replace('<inputEntry id="UnaryTests_4"><text>&lt; 18</text></inputEntry>', "")
    with pytest.raises(ValidationError) as exc:
        dmn.compile_xml(text)
    assert "the row has 1 cells for 2 columns" in problems(exc.value)[0]


def test_outputs_are_checked_row_by_row():
    g = grid(
        ["offering"], [("r1", ['"X"'], "refuse"), ("r2", ['"Y"'], "require"), ("bad id", ['"Z"'], "warn")]
    )
    g.rows[0].message_zh = g.rows[0].message_en = ""
    g.rows[2].requires = ["not a code"]
    with pytest.raises(ValidationError) as exc:
        dmn.compile_grid(g)
    assert problems(exc.value) == [
        "Row 1, column effect: choose deny, require or warn",
        "Row 1, column message_zh: write the message in Chinese or in English",
        "Row 2, column requires: a require row names the offerings it requires",
        "Row 3, column id: a row id starts with a letter and has only letters, digits, _ . and -",
        "Row 3, column requires: “not a code” is not an offering code",
    ]


def test_duplicate_row_ids_name_the_row():
    with pytest.raises(ValidationError) as exc:
        dmn.compile_grid(grid(["offering"], [("r1", ['"X"'], "deny"), ("r1", ['"Y"'], "deny")]))
    assert problems(exc.value) == ["Row 2, column id: the row id r1 is used twice"]


def test_messages_are_rendered_in_both_languages():
    with pytest.raises(ValidationError) as exc:
        dmn.compile_grid(grid(["offering"], [("r1", ["< <"], "deny")]))
    [item] = bilingual(exc.value)
    assert item["message_en"].startswith("Row 1, column offering: the expression does not parse")
    assert item["message_zh"].startswith("第1行")


def test_the_diff_of_two_versions_shows_changed_rows():
    old = sample()
    new = sample()
    new.rows[1].cells[2] = "[0..15]"
    kinds = [(line.kind, line.text.split(":")[0]) for line in dmn.diff(old, new)]
    assert ("removed", "r2") in kinds and ("added", "r2") in kinds
    assert ("same", "r1") in kinds
    assert all(line.kind == "added" for line in dmn.diff(None, new))
