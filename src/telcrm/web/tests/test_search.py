"""Global search: grouped hits, each provider scoped to the user; HTMX gets only the dropdown."""


def test_search_hits_are_scoped(carrier, client_for):
    html = client_for(carrier["branch_manager"]).get("/search/", {"q": "clerk"}).content.decode()
    assert f"/users/{carrier['clerk'].pk}/" in html
    assert f"/users/{carrier['other_clerk'].pk}/" not in html


def test_admin_finds_across_the_province(carrier, client_for):
    html = client_for(carrier["admin"]).get("/search/", {"q": "clerk"}).content.decode()
    assert f"/users/{carrier['clerk'].pk}/" in html and f"/users/{carrier['other_clerk'].pk}/" in html


def test_roles_without_directory_rights_see_no_staff(carrier, client_for):
    html = client_for(carrier["installer"]).get("/search/", {"q": "clerk"}).content.decode()
    assert "/users/" not in html
    assert "未找到" in html


def test_org_units_found_by_name(carrier, client_for):
    html = client_for(carrier["admin"]).get("/search/", {"q": "西湖"}).content.decode()
    assert f"/org/{carrier.branch.pk}/" in html


def test_htmx_request_gets_the_fragment_only(carrier, client_for):
    response = client_for(carrier["admin"]).get("/search/", {"q": "clerk"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert 'data-testid="search-results"' in html and "<html" not in html


def test_long_or_odd_queries_are_harmless(carrier, client_for):
    client = client_for(carrier["admin"])
    for q in ["%", "_", "' OR 1=1 --", "x" * 500, "张 三"]:
        assert client.get("/search/", {"q": q}).status_code == 200
    assert client.get("/search/", {"q": "a\u0000b"}).status_code == 400  # refused before any query runs


def test_search_needs_login(client, db):
    assert client.get("/search/", {"q": "a"}).status_code == 302
