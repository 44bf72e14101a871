"""Each role lands on its home page and sees the menu its permissions allow."""

import pytest

from telcrm.platform.roles import ROLES
from telcrm.web.navigation import menu_for


@pytest.mark.parametrize("code", [r.code for r in ROLES])
def test_every_role_has_a_home_page(carrier, client_for, code):
    user = carrier[code]
    page = client_for(user).get("/")
    assert page.status_code == 200
    html = page.content.decode()
    assert user.role.name in html
    assert 'data-testid="home-title"' in html


@pytest.mark.parametrize("code", [r.code for r in ROLES])
def test_every_role_home_in_english(carrier, client_for, code):
    user = carrier[code]
    user.language = "en"
    user.save()
    html = client_for(user).get("/").content.decode()
    assert user.role.name_en in html and 'lang="en"' in html


def menu_names(user):
    return {e["url_name"] for s in menu_for(user) for e in s["entries"]}


def test_menu_follows_permissions(carrier):
    admin, clerk, manager = (
        menu_names(carrier["admin"]),
        menu_names(carrier["clerk"]),
        menu_names(carrier["branch_manager"]),
    )
    assert {"user-list", "role-list", "parameter-list", "audit-list", "monitoring"} <= admin
    assert "role-list" not in clerk and "parameter-list" not in clerk and "audit-list" not in clerk
    assert {"home", "notification-list", "job-list"} <= clerk
    assert {"user-list", "audit-list"} <= manager and "parameter-list" not in manager


def test_home_query_count_is_bounded(carrier, client_for, django_assert_max_num_queries):
    client = client_for(carrier["admin"])
    client.get("/")
    with django_assert_max_num_queries(30):
        client.get("/")
