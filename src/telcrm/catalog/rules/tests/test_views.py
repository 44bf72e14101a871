"""The rule pages: who may see and change what, the grid editor's buttons, saving with errors shown
in the cell, the test panel, publish/discard/restore, upload and download, list query counts."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from telcrm.catalog.rules import actions, dmn, engine
from telcrm.catalog.rules.models import DecisionTable, VersionStatus
from telcrm.platform.testing import count_queries, make_user

from ._helpers import grid, make_table

CREDIT = grid(["offering", "credit_level"], [("credit_5g", ['"5G-CX-128"', "< 2"], "deny")])


@pytest.fixture
def table(admin, publish):
    return publish("ELIG-C", CREDIT).table


@pytest.fixture
def nobody(carrier):
    """A signed-in user whose role has no catalog permission."""
    return make_user("nobody", None, carrier.branch)


def read_urls(table):
    return [
        reverse("catalog-rule-list"),
        reverse("catalog-rule-list") + "?q=ELIG&kind=eligibility&active=1",
        reverse("catalog-rule-detail", args=[table.pk]),
        reverse("catalog-rule-version", args=[table.pk, 1]),
        reverse("catalog-rule-version-download", args=[table.pk, 1]),
    ]


def write_posts(table):
    return [
        reverse("catalog-rule-create"),
        reverse("catalog-rule-edit", args=[table.pk]),
        reverse("catalog-rule-grid", args=[table.pk]),
        reverse("catalog-rule-test", args=[table.pk]),
        reverse("catalog-rule-publish", args=[table.pk]),
        reverse("catalog-rule-discard", args=[table.pk]),
        reverse("catalog-rule-upload", args=[table.pk]),
        reverse("catalog-rule-version-restore", args=[table.pk, 1]),
    ]


def grid_post(g: dmn.Grid, op: str, **extra) -> dict:
    data = {"ncols": len(g.columns), "nrows": len(g.rows), "op": op, "decision_id": g.decision_id}
    for i, c in enumerate(g.columns):
        data.update({f"col-{i}-id": c.id, f"col-{i}-label": c.label, f"col-{i}-expr": c.expression})
    for r, row in enumerate(g.rows):
        p = f"row-{r}-"
        data.update(
            {
                p + "id": row.id,
                p + "effect": row.effect,
                p + "message_zh": row.message_zh,
                p + "message_en": row.message_en,
                p + "requires": ", ".join(row.requires),
                p + "note": row.note,
            }
        )
        for i, cell in enumerate(row.cells):
            data[f"{p}cell-{i}"] = cell
    data.update(extra)
    return data


FACTS = {
    "offering": "5G-CX-128",
    "offering_kind": "plan",
    "customer_type": "individual",
    "value_tier": "ordinary",
    "credit_level": 1,
    "age": 30,
    "region": "ZJ-HZ",
    "live_lines": 0,
    "tenure_months": 0,
    "held": "",
    "cart": "",
    "channel": "counter",
}


# --- permissions ------------------------------------------------------------------------------
def test_a_catalog_manager_sees_and_edits(client_for, admin, table):
    client = client_for(admin)
    for url in read_urls(table):
        assert client.get(url).status_code == 200, url
    page = client.get(reverse("catalog-rule-detail", args=[table.pk])).content.decode()
    assert 'data-testid="grid-form"' in page and 'data-testid="test-panel"' in page


@pytest.mark.parametrize("role", ["clerk", "analyst", "branch_manager", "marketer"])
def test_a_catalog_reader_sees_the_rules_read_only(carrier, client_for, table, role):
    client = client_for(carrier[role])
    assert carrier[role].has_perm("catalog.view_catalog")
    for url in read_urls(table):
        assert client.get(url).status_code == 200, url
    page = client.get(reverse("catalog-rule-detail", args=[table.pk])).content.decode()
    assert 'data-testid="grid-readonly"' in page and 'data-testid="grid-form"' not in page
    assert 'data-testid="test-panel"' not in page
    for url in write_posts(table):
        assert client.post(url, {}).status_code == 403, url
    assert client.get(reverse("catalog-rule-create")).status_code == 403


def test_without_a_catalog_permission_everything_is_forbidden(client_for, nobody, table):
    client = client_for(nobody)
    for url in read_urls(table):
        assert client.get(url).status_code == 403, url
    for url in write_posts(table):
        assert client.post(url, {}).status_code == 403, url


def test_anonymous_users_are_sent_to_sign_in(client, table):
    response = client.get(reverse("catalog-rule-detail", args=[table.pk]))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_an_unknown_table_or_version_is_404(client_for, admin, table):
    client = client_for(admin)
    assert client.get(reverse("catalog-rule-detail", args=[99999])).status_code == 404
    assert client.get(reverse("catalog-rule-version", args=[table.pk, 9])).status_code == 404


# --- list -------------------------------------------------------------------------------------
def test_the_list_shows_state_and_filters(client_for, admin, table):
    make_table(admin, "COMPAT-X", grid(["offering"], []), kind="compatibility")
    client = client_for(admin)
    page = client.get(reverse("catalog-rule-list")).content.decode()
    assert 'data-code="ELIG-C"' in page and 'data-code="COMPAT-X"' in page
    assert "v1" in page
    only = client.get(
        reverse("catalog-rule-list") + "?kind=compatibility", HTTP_HX_REQUEST="true"
    ).content.decode()
    assert 'data-code="COMPAT-X"' in only and 'data-code="ELIG-C"' not in only
    empty = client.get(reverse("catalog-rule-list") + "?q=nothing-like-this").content.decode()
    assert 'data-testid="empty"' in empty


def test_the_list_query_count_is_fixed(client_for, admin, table, django_assert_max_num_queries):
    client = client_for(admin)
    client.get(reverse("catalog-rule-list"))
    with count_queries() as few:
        client.get(reverse("catalog-rule-list"))
    for i in range(8):
        make_table(admin, f"T{i}", grid(["offering"], []))
    with django_assert_max_num_queries(len(few)):
        client.get(reverse("catalog-rule-list"))


# --- the grid editor ------------------------------------------------------------------------------
def test_grid_buttons_change_the_posted_grid_without_saving(client_for, admin, table):
    client = client_for(admin)
    url = reverse("catalog-rule-grid", args=[table.pk])
    g = CREDIT
    page = client.post(url, grid_post(g, "add_row"), HTTP_HX_REQUEST="true").content.decode()
    assert 'name="row-1-id" value="rule_2"' in page and 'data-testid="unsaved"' in page
    page = client.post(
        url, grid_post(g, "add_col", new_column="age"), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert ">age</textarea>" in page and 'name="ncols" value="3"' in page
    page = client.post(url, grid_post(g, "right_col:0"), HTTP_HX_REQUEST="true").content.decode()
    assert page.index('value="credit_level"') < page.index('value="offering"')
    page = client.post(url, grid_post(g, "del_col:0"), HTTP_HX_REQUEST="true").content.decode()
    assert ">offering</textarea>" not in page and 'name="ncols" value="1"' in page
    two = grid(["offering"], [("a", ["-"], "deny"), ("b", ["-"], "warn")])
    page = client.post(url, grid_post(two, "down_row:0"), HTTP_HX_REQUEST="true").content.decode()
    assert page.index('value="b"') < page.index('value="a"')
    page = client.post(url, grid_post(two, "copy_row:1"), HTTP_HX_REQUEST="true").content.decode()
    assert 'name="nrows" value="3"' in page
    page = client.post(url, grid_post(two, "del_row:0"), HTTP_HX_REQUEST="true").content.decode()
    assert 'value="a"' not in page and 'name="nrows" value="1"' in page
    assert table.versions.get().dmn_xml == dmn.to_xml(CREDIT)  # nothing stored


def test_saving_a_grid_with_errors_shows_them_in_the_cells(client_for, admin, table):
    client = client_for(admin)
    bad = grid(["offering", "credit_level"], [("r1", ["-", "< 2"], "deny"), ("r2", ['"X"', "<< 2"], "deny")])
    page = client.post(
        reverse("catalog-rule-grid", args=[table.pk]), grid_post(bad, "save"), HTTP_HX_REQUEST="true"
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-cell-error="2-1"' in html and "第2行，credit_level列" in html
    assert 'data-testid="grid-errors"' in html
    assert table.versions.count() == 1


def test_saving_a_grid_makes_a_draft_and_validate_reports_success(client_for, admin, table):
    client = client_for(admin)
    url = reverse("catalog-rule-grid", args=[table.pk])
    two = grid(
        ["offering", "credit_level"],
        [("r1", ['"5G-CX-128"', "< 2"], "deny"), ("r2", ["-", "[1..2]"], "warn")],
    )
    page = client.post(url, grid_post(two, "validate"), HTTP_HX_REQUEST="true").content.decode()
    assert 'data-testid="grid-valid"' in page
    token = client.get(reverse("catalog-rule-detail", args=[table.pk])).context["draft_token"]
    response = client.post(
        url, grid_post(two, "save", comment="加一行", draft_token=token), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 204 and response["HX-Redirect"].endswith(f"/catalog/rules/{table.pk}/")
    draft = table.versions.get(status=VersionStatus.DRAFT)
    assert (draft.number, draft.row_count, draft.comment) == (2, 2, "加一行")
    page = client.get(reverse("catalog-rule-detail", args=[table.pk])).content.decode()
    assert 'data-testid="draft-version"' in page and 'data-testid="publish"' in page


def test_a_save_without_htmx_redirects(client_for, admin, table):
    client = client_for(admin)
    response = client.post(reverse("catalog-rule-grid", args=[table.pk]), grid_post(CREDIT, "save"))
    assert response.status_code == 302


# --- test panel, publish, discard, restore ----------------------------------------------------------
def test_the_test_panel_shows_the_outcomes_of_a_version(client_for, admin, table):
    client = client_for(admin)
    url = reverse("catalog-rule-test", args=[table.pk])
    html = client.post(url, {**FACTS, "source": "v1"}, HTTP_HX_REQUEST="true").content.decode()
    assert 'data-verdict="denied"' in html and 'data-rule="credit_5g"' in html
    html = client.post(
        url, {**FACTS, "credit_level": 3, "source": "v1"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert 'data-verdict="allowed"' in html and 'data-testid="no-outcome"' in html
    html = client.post(url, {**FACTS, "source": "live"}, HTTP_HX_REQUEST="true").content.decode()
    assert 'data-rule="credit_5g"' in html
    html = client.post(url, {**FACTS, "credit_level": 9}, HTTP_HX_REQUEST="true").content.decode()
    assert 'data-field="credit_level"' in html
    page = client.post(url, {**FACTS, "source": "v1"})  # without HTMX: the whole page
    assert 'data-verdict="denied"' in page.content.decode()


def test_publish_from_the_page_puts_the_draft_in_force(
    client_for, admin, table, django_capture_on_commit_callbacks
):
    client = client_for(admin)
    bigger = grid(["offering", "credit_level"], [("credit_5g", ['"5G-CX-128"', "< 3"], "deny")])
    actions.rule_draft_save(actor=admin, table=table, dmn_xml=dmn.to_xml(bigger))
    facts = {"offering": "5G-CX-128", "credit_level": 2}
    assert engine.evaluate(facts) == []
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("catalog-rule-publish", args=[table.pk]), {"comment": "收紧"})
    assert response.status_code == 302
    assert [o.rule for o in engine.evaluate(facts)] == ["credit_5g"]
    assert list(table.versions.values_list("number", "status")) == [(2, "published"), (1, "archived")]
    response = client.post(reverse("catalog-rule-publish", args=[table.pk]), follow=True)
    assert 'data-testid="published-version"' in response.content.decode()


def test_discard_and_restore(client_for, admin, table):
    client = client_for(admin)
    actions.rule_draft_save(actor=admin, table=table, dmn_xml=dmn.to_xml(CREDIT))
    client.post(reverse("catalog-rule-discard", args=[table.pk]))
    assert not table.versions.filter(status=VersionStatus.DRAFT).exists()
    response = client.post(reverse("catalog-rule-version-restore", args=[table.pk, 1]))
    assert response.status_code == 302
    assert table.versions.get(status=VersionStatus.DRAFT).number == 3  # numbers are never reused


def test_the_version_page_shows_the_diff(client_for, admin, table, django_capture_on_commit_callbacks):
    v2 = actions.rule_draft_save(
        actor=admin,
        table=table,
        dmn_xml=dmn.to_xml(
            grid(["offering", "credit_level"], [("credit_5g", ['"5G-CX-128"', "< 3"], "deny")])
        ),
    )
    html = client_for(admin).get(reverse("catalog-rule-version", args=[table.pk, v2.number])).content.decode()
    assert html.count('data-diff="added"') == 1 and html.count('data-diff="removed"') == 1
    assert "&lt; 3" in html


# --- tables, upload, download -----------------------------------------------------------------------
def test_create_and_edit_a_table(client_for, admin):
    client = client_for(admin)
    response = client.post(
        reverse("catalog-rule-create"), {"code": "COMPAT-NEW", "name": "新表", "kind": "compatibility"}
    )
    table = DecisionTable.objects.get(code="COMPAT-NEW")
    assert response.status_code == 302 and response["Location"].endswith(f"/catalog/rules/{table.pk}/")
    response = client.post(reverse("catalog-rule-create"), {"code": "COMPAT-NEW", "name": "", "kind": "x"})
    assert response.status_code == 200 and 'data-field="name"' in response.content.decode()
    response = client.post(
        reverse("catalog-rule-create"), {"code": "compat-new", "name": "重复", "kind": "eligibility"}
    )
    assert response.status_code == 200 and 'data-field="code"' in response.content.decode()
    response = client.post(
        reverse("catalog-rule-edit", args=[table.pk]),
        {"name": "改名", "kind": "compatibility", "is_active": ""},
    )
    table.refresh_from_db()
    assert response.status_code == 302 and table.name == "改名" and table.is_active is False


def test_create_from_a_dmn_file_with_errors_shows_them_on_the_file(client_for, admin):
    client = client_for(admin)
    upload = SimpleUploadedFile("t.dmn", b"<definitions", content_type="application/xml")
    response = client.post(
        reverse("catalog-rule-create"), {"code": "UP", "name": "x", "kind": "eligibility", "dmn_file": upload}
    )
    assert 'data-field="dmn_file"' in response.content.decode()
    assert not DecisionTable.objects.filter(code="UP").exists()


def test_upload_makes_the_file_the_draft_and_download_returns_it(client_for, admin, table):
    client = client_for(admin)
    text = dmn.to_xml(grid(["credit_level"], [("up", ["< 4"], "warn")]))
    upload = SimpleUploadedFile("rules.dmn", text.encode(), content_type="application/xml")
    response = client.post(
        reverse("catalog-rule-upload", args=[table.pk]), {"dmn_file": upload, "comment": "导入"}
    )
    assert response.status_code == 302
    draft = table.versions.get(status=VersionStatus.DRAFT)
    assert draft.dmn_xml == text and draft.comment == "导入"
    download = client.get(reverse("catalog-rule-version-download", args=[table.pk, draft.number]))
    assert download["Content-Disposition"] == f'attachment; filename="ELIG-C-v{draft.number}.dmn"'
    assert download.content.decode() == text


def test_a_bad_upload_shows_the_error_and_keeps_the_draft(client_for, admin, table):
    client = client_for(admin)
    bad = dmn.to_xml(grid(["credit_levl"], [("r1", ["< 4"], "warn")]))
    upload = SimpleUploadedFile("rules.dmn", bad.encode(), content_type="application/xml")
    response = client.post(reverse("catalog-rule-upload", args=[table.pk]), {"dmn_file": upload})
    html = response.content.decode()
    assert response.status_code == 200 and 'data-field="dmn_file"' in html and "credit_levl" in html
    latin = SimpleUploadedFile("rules.dmn", "é".encode("latin-1"), content_type="application/xml")
    html = client.post(reverse("catalog-rule-upload", args=[table.pk]), {"dmn_file": latin}).content.decode()
    assert 'data-field="dmn_file"' in html
    assert not table.versions.filter(status=VersionStatus.DRAFT).exists()
