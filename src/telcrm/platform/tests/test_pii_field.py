"""EncryptedField: the database never holds plaintext; lookups through the blind index; reveal audited."""

import pytest
from django.db import connection

from telcrm.platform import actions, queries
from telcrm.platform.errors import AccessDenied
from telcrm.platform.models import AuditLog, User

ID = "330106198805051234"


@pytest.fixture
def staff(carrier):
    u = carrier["clerk"]
    u.id_number = ID
    u.save()
    return u


def test_database_holds_only_ciphertext(staff):
    with connection.cursor() as cur:
        cur.execute("SELECT id_number, id_number_bidx FROM platform_user WHERE id = %s", [staff.pk])
        stored, bidx = cur.fetchone()
    assert ID not in stored and "19880505" not in stored
    assert stored.startswith("v1.")
    assert len(bidx) == 64 and ID not in bidx


def test_value_on_instance_is_masked(staff):
    fresh = User.objects.get(pk=staff.pk)
    assert str(fresh.id_number) == "330***********1234"
    assert ID not in repr(fresh.id_number)


def test_exact_lookup_through_blind_index(staff, carrier):
    admin = carrier["admin"]
    assert list(queries.user_by_id_number(admin, ID)) == [staff]
    assert list(queries.user_by_id_number(admin, " 3301 0619 8805 0512 34 ")) == [staff]
    assert not queries.user_by_id_number(admin, "330106198805051235").exists()


def test_plaintext_filter_is_refused(staff):
    with pytest.raises(ValueError):
        list(User.objects.filter(id_number=ID))


def test_reveal_is_audited(staff, carrier):
    manager = carrier["branch_manager"]
    assert actions.pii_reveal(actor=manager, obj=staff, field="id_number") == ID
    log = AuditLog.objects.get(kind="reveal")
    assert (log.actor, log.object_id, log.field) == (manager, str(staff.pk), "id_number")
    assert ID not in str(log.before) + str(log.after) + log.object_repr


def test_reveal_refused_without_permission(staff, carrier):
    with pytest.raises(AccessDenied):
        actions.pii_reveal(actor=carrier["installer"], obj=staff, field="id_number")
    assert not AuditLog.objects.filter(kind="reveal").exists()


def test_audit_of_changes_never_holds_plaintext(carrier):
    admin, user = carrier["admin"], carrier["installer"]
    actions.user_update(actor=admin, user=user, id_number=ID)
    log = AuditLog.objects.filter(action="user.update").latest("id")
    assert "id_number" in log.after
    assert ID not in str(log.after) and "1234" not in str(log.after["id_number"])


def test_rows_move_to_the_new_key_when_saved_after_a_rotation(staff, settings, monkeypatch):
    from telcrm.platform import crypto

    old_key = settings.PII_KEY
    old_token = User.objects.get(pk=staff.pk).id_number.ciphertext
    settings.PII_KEY = "rotated-key-material"
    monkeypatch.setenv("TELCRM_PII_OLD_KEYS", old_key)
    user = User.objects.get(pk=staff.pk)
    assert str(user.id_number) == "330***********1234"  # still readable with the old key
    user.full_name = "改名"
    user.save()
    fresh = User.objects.get(pk=staff.pk)
    assert (
        crypto.key_id_of(fresh.id_number.ciphertext) == crypto.keys()[0].key_id != crypto.key_id_of(old_token)
    )
    assert list(
        User.objects.filter(id_number_bidx=crypto.blind_index(ID, context="platform.User.id_number"))
    ) == [fresh]
