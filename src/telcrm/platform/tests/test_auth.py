"""Sign-in, lockout after repeated failures, idle session timeout, per-user language."""

import time

import pytest
from django.urls import reverse

from telcrm.platform import actions
from telcrm.platform.middleware import SessionIdleTimeoutMiddleware
from telcrm.platform.models import AuditLog, Parameter
from telcrm.platform.testing import PASSWORD


def login(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_login_lands_on_home(carrier, client):
    response = login(client, "clerk", PASSWORD)
    assert response.status_code == 302 and response.url == "/"
    page = client.get("/")
    assert page.status_code == 200
    assert AuditLog.objects.filter(action="auth.login", actor=carrier["clerk"]).exists()


def test_wrong_password_names_the_problem_in_chinese(carrier, client):
    response = login(client, "clerk", "wrong-password")
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()
    assert AuditLog.objects.filter(action="auth.login_failed").exists()


def test_lockout_after_threshold_even_with_right_password(carrier, client):
    for _ in range(5):
        login(client, "clerk", "wrong-password")
    response = login(client, "clerk", PASSWORD)
    assert response.status_code == 403
    assert "锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # Another account is unaffected (lockout is per account, not per IP).
    assert login(client, "installer", PASSWORD).status_code == 302


def test_lockout_threshold_is_a_parameter(carrier, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        actions.parameter_update(
            actor=carrier["admin"], parameter=Parameter.objects.get(key="auth.lockout_threshold"), value="2"
        )
    login(client, "clerk", "bad")
    login(client, "clerk", "bad")
    assert login(client, "clerk", PASSWORD).status_code == 403


def test_admin_unlock_clears_lockout(carrier, client):
    for _ in range(5):
        login(client, "clerk", "wrong-password")
    actions.user_unlock(actor=carrier["admin"], user=carrier["clerk"])
    assert login(client, "clerk", PASSWORD).status_code == 302
    assert AuditLog.objects.filter(action="user.unlock").exists()


def test_idle_session_is_signed_out(carrier, client_for):
    client = client_for(carrier["clerk"])
    assert client.get("/").status_code == 200
    session = client.session
    session[SessionIdleTimeoutMiddleware.KEY] = int(time.time()) - 31 * 60  # default limit: 30 minutes
    session.save()
    response = client.get("/")
    assert response.status_code == 302 and response.url.startswith("/login/")
    assert client.get("/").status_code == 302  # really signed out


def test_active_session_is_kept(carrier, client_for):
    client = client_for(carrier["clerk"])
    client.get("/")
    session = client.session
    session[SessionIdleTimeoutMiddleware.KEY] = int(time.time()) - 29 * 60
    session.save()
    assert client.get("/").status_code == 200


def test_pages_require_login(client, db):
    response = client.get("/")
    assert response.status_code == 302 and response.url.startswith("/login/")


def test_chinese_by_default_even_for_english_browsers(client, db):
    page = client.get("/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "登录" in page and 'lang="zh-hans"' in page


def test_language_cookie_for_anonymous(client, db):
    response = client.post("/language/", {"language": "en", "next": "/login/"})
    assert response.status_code == 302
    page = client.get("/login/").content.decode()
    assert 'lang="en"' in page and "Sign in" in page


def test_user_language_is_remembered(carrier, client_for):
    client = client_for(carrier["clerk"])
    client.post("/language/", {"language": "en", "next": "/"})
    carrier["clerk"].refresh_from_db()
    assert carrier["clerk"].language == "en"
    client.cookies.clear()
    client.force_login(carrier["clerk"])
    assert 'lang="en"' in client.get("/").content.decode()


@pytest.mark.parametrize("bad", ["xx", "", "en'><script>"])
def test_bad_language_is_refused_cleanly(carrier, client_for, bad):
    client = client_for(carrier["clerk"])
    response = client.post("/language/", {"language": bad, "next": "/"})
    assert response.status_code == 302
    carrier["clerk"].refresh_from_db()
    assert carrier["clerk"].language == "zh-hans"


def test_open_redirect_is_refused(carrier, client_for):
    client = client_for(carrier["clerk"])
    response = client.post("/language/", {"language": "en", "next": "https://evil.example/"})
    assert response.url == "/"
