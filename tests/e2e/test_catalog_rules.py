"""Eligibility rules in a real browser: an administrator opens a decision table from the menu, adds a
row that denies a 5G plan to customers with credit level below 2, sees a syntax error under the cell,
fixes it, saves the draft, and the test panel shows the deny for such a customer; after publishing,
the engine the order module calls denies it too."""

import pytest

from telcrm.catalog.rules import actions, dmn, engine
from telcrm.catalog.rules.models import VersionStatus
from telcrm.platform.testing import PASSWORD

from .conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def table(carrier):
    engine.reset_local()
    admin = carrier["admin"]
    grid = dmn.Grid(
        [
            dmn.Column("input_1", "offering", "offering"),
            dmn.Column("input_2", "credit_level", "credit_level"),
        ],
        [dmn.Row("enterprise_only", ['"ENT-5G-158"', "-"], "deny", "政企专属", "Enterprise only")],
        decision_id=dmn.decision_id_for("ELIG-E2E"),
        name="准入测试",
    )
    t = actions.rule_table_create(actor=admin, code="ELIG-E2E", name="准入测试", kind="eligibility")
    version = actions.rule_draft_save(actor=admin, table=t, dmn_xml=dmn.to_xml(grid))
    actions.rule_version_publish(actor=admin, version=version)
    return t


def test_admin_adds_a_deny_row_saves_and_the_test_panel_shows_the_deny(page, table):
    sign_in(page, "admin", PASSWORD)
    page.click("#main-menu a[data-menu=catalog-rule-list]")
    page.click(f"[data-testid=rule-results] tr[data-code=ELIG-E2E] a[href$='/{table.pk}/']")
    page.wait_for_selector("[data-testid=grid-form]")
    assert page.locator("[data-testid=rule-grid] tbody tr[data-row]").count() == 1

    page.click("[data-testid=add-row]")  # HTMX swaps the grid with one more row
    page.wait_for_selector("tr[data-row='2']")
    page.fill("[data-testid=cell-2-0]", '"5G-CX-128"')
    page.fill("[data-testid=cell-2-1]", "<< 2")
    page.select_option("[data-testid=effect-2]", "deny")
    page.fill("[data-testid=message_zh-2]", "信用等级低于2级不能办理5G套餐")
    page.fill("[data-testid=message_en-2]", "5G plans need credit level 2 or above")
    page.click("[data-testid=save-draft]")

    page.wait_for_selector("[data-cell-error='2-1']")  # the error sits under the cell, nothing saved
    assert "<<" in page.inner_text("[data-cell-error='2-1']")
    assert "credit_level" in page.inner_text("[data-testid=grid-errors]")  # "row 2, column credit_level: …"
    assert not table.versions.filter(status=VersionStatus.DRAFT).exists()
    assert page.input_value("[data-testid=message_en-2]") == "5G plans need credit level 2 or above"

    page.fill("[data-testid=cell-2-1]", "< 2")
    page.click("[data-testid=save-draft]")
    page.wait_for_selector("[data-testid=draft-version]")  # the page reloads with the draft
    draft = table.versions.get(status=VersionStatus.DRAFT)
    assert draft.number == 2 and draft.row_count == 2

    page.fill("#id_offering", "5G-CX-128")
    page.select_option("#id_customer_type", "individual")
    page.fill("#id_credit_level", "1")
    page.click("[data-testid=run-test]")
    page.wait_for_selector("[data-testid=outcomes] [data-effect=deny][data-rule=rule_2]")
    assert page.get_attribute("[data-testid=verdict]", "data-verdict") == "denied"

    page.fill("#id_credit_level", "3")
    page.click("[data-testid=run-test]")
    page.wait_for_selector("[data-testid=verdict][data-verdict=allowed]")

    # not in force until published; then the engine denies it at once
    facts = {"offering": "5G-CX-128", "credit_level": 1}
    assert engine.evaluate(facts) == []
    page.click("[data-testid=publish]")
    page.wait_for_selector("[data-testid=published-version]:has-text('v2')")
    assert [o.rule for o in engine.evaluate(facts)] == ["rule_2"]
