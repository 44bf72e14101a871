"""Audit log: every action writes who/when/where/what with before and after; append-only."""

import pytest
from django.db import DatabaseError, connection, transaction

from telcrm.platform import actions, context
from telcrm.platform.models import AuditLog


def test_action_records_actor_context_and_diff(carrier):
    admin, user = carrier["admin"], carrier["installer"]
    with context.acting(ip="10.1.2.3", user_agent="pytest", channel="ui"):
        actions.user_update(actor=admin, user=user, full_name="王师傅", mobile="13800001111")
    log = AuditLog.objects.get(action="user.update")
    assert log.actor == admin and log.actor_username == "admin"
    assert (log.ip, log.user_agent, log.channel) == ("10.1.2.3", "pytest", "ui")
    assert log.object_type == "platform.user" and log.object_id == str(user.pk)
    assert log.after == {"full_name": "王师傅", "mobile": "13800001111"}
    assert set(log.before) == {"full_name", "mobile"}
    assert log.org_unit_id == user.org_unit_id


def test_failed_action_writes_nothing(carrier):
    from django.core.exceptions import ValidationError

    before = AuditLog.objects.count()
    with pytest.raises(ValidationError):
        actions.user_update(actor=carrier["admin"], user=carrier["clerk"], email="not-an-email")
    assert AuditLog.objects.count() == before
    carrier["clerk"].refresh_from_db()
    assert carrier["clerk"].email == ""


def test_request_context_reaches_audit(carrier, client_for):
    client = client_for(carrier["clerk"])
    client.post(
        "/language/", {"language": "en", "next": "/"}, REMOTE_ADDR="192.0.2.7", HTTP_USER_AGENT="UA-x"
    )
    log = AuditLog.objects.get(action="user.set_language")
    assert log.ip == "192.0.2.7" and log.user_agent == "UA-x" and log.channel == "ui" and log.request_id


def test_audit_rows_are_append_only_in_python(carrier):
    actions.user_set_language(actor=carrier["clerk"], language="en")
    log = AuditLog.objects.latest("id")
    log.action = "tampered"
    with pytest.raises(ValueError):
        log.save()
    with pytest.raises(ValueError):
        log.delete()


@pytest.mark.django_db(transaction=True)
def test_audit_rows_are_append_only_in_the_database(carrier):
    actions.user_set_language(actor=carrier["clerk"], language="en")
    table = AuditLog._meta.db_table
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute(f"UPDATE {table} SET action = 'tampered'")
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
            cur.execute(f"DELETE FROM {table}")
    assert not AuditLog.objects.filter(action="tampered").exists()
