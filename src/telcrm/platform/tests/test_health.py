"""GET /healthz: the checks a load balancer and an operator rely on."""

from __future__ import annotations

import json

import pytest
from django.conf import settings

from telcrm.platform.views import health

CHECKS = {"database", "cache", "task_queue", "migrations"}


@pytest.mark.django_db
def test_healthz_all_ok_without_signing_in(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert "no-cache" in response.get("Cache-Control", "") or "max-age=0" in response.get("Cache-Control", "")
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == CHECKS
    for name, check in body["checks"].items():
        assert check["status"] == "ok", (name, check)
        assert isinstance(check["ms"], float | int)
    assert body["checks"]["migrations"]["pending"] == 0
    assert body["checks"]["task_queue"]["worker"] == "eager"


@pytest.mark.django_db
def test_healthz_database_failure_is_503_with_the_message(client, monkeypatch):
    def broken():
        raise RuntimeError("database is unreachable")

    monkeypatch.setattr(health, "check_database", broken)

    response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["checks"]["database"]["status"] == "error"
    assert "database is unreachable" in body["checks"]["database"]["error"]
    assert body["checks"]["cache"]["status"] == "ok"  # one failing check does not hide the others


@pytest.mark.django_db
def test_healthz_check_reporting_error_status_is_503(client, monkeypatch):
    monkeypatch.setattr(health, "check_migrations", lambda: {"pending": 3, "status": "error"})

    response = client.get("/healthz")

    assert response.status_code == 503
    migrations = response.json()["checks"]["migrations"]
    assert (migrations["status"], migrations["pending"]) == ("error", 3)


@pytest.mark.django_db
def test_healthz_only_answers_get(client):
    assert client.post("/healthz").status_code == 405


@pytest.mark.django_db
def test_healthz_reveals_no_secrets(client, settings):
    settings.CELERY_BROKER_URL = "redis://:broker-s3cret-pw@redis.internal:6379/0"
    settings.CELERY_TASK_ALWAYS_EAGER = True

    text = client.get("/healthz").content.decode()

    body = json.loads(text)
    assert body["checks"]["task_queue"]["broker"] == "redis"
    for secret in ("broker-s3cret-pw", "redis.internal", settings.SECRET_KEY, settings.PII_KEY):
        assert secret not in text
    db = settings.DATABASES["default"]
    for value in (db.get("PASSWORD"), str(db.get("NAME"))):
        if value:
            assert value not in text
    if db.get("USER"):  # as a credential; "postgres" is also a prefix of the vendor name
        assert f"{db['USER']}@" not in text and f'"{db["USER"]}"' not in text


@pytest.mark.django_db
def test_healthz_error_message_is_bounded(client, monkeypatch):
    monkeypatch.setattr(health, "check_cache", lambda: (_ for _ in ()).throw(ValueError("x" * 5000)))

    body = client.get("/healthz").json()

    assert body["checks"]["cache"]["status"] == "error"
    assert len(body["checks"]["cache"]["error"]) <= 300


def test_settings_module_under_test_is_eager():
    assert settings.CELERY_TASK_ALWAYS_EAGER


@pytest.mark.django_db
def test_healthz_redacts_credentials_echoed_by_a_driver(client, settings, monkeypatch):
    settings.CELERY_BROKER_URL = "redis://:broker-s3cret-pw@redis.internal:6379/0"

    def broken():
        raise ConnectionError(f"cannot reach {settings.CELERY_BROKER_URL}; also amqp://guest:guestpw@mq/")

    monkeypatch.setattr(health, "check_task_queue", broken)

    response = client.get("/healthz")

    assert response.status_code == 503
    error = response.json()["checks"]["task_queue"]["error"]
    assert error.startswith("ConnectionError: cannot reach ***")
    assert "broker-s3cret-pw" not in error and "guestpw" not in error
