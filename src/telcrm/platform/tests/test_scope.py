"""The data-scope mechanism: own / subtree / all, for reads and for writes."""

import pytest

from telcrm.platform import actions, queries
from telcrm.platform.errors import NotFoundInScope
from telcrm.platform.models import Job, OrgUnit, User


def usernames(qs):
    return set(qs.values_list("username", flat=True))


def test_all_scope_sees_everyone(carrier):
    assert usernames(User.objects.restrict(carrier["admin"])) == usernames(User.objects.all())


def test_subtree_scope_sees_own_subtree_only(carrier):
    seen = usernames(User.objects.restrict(carrier["branch_manager"]))
    assert {"branch_manager", "clerk", "account_manager"} <= seen
    assert "other_clerk" not in seen and "admin" not in seen and "service" not in seen


def test_city_subtree_includes_branches_and_teams(carrier):
    seen = usernames(User.objects.restrict(carrier["backoffice"]))  # at the Hangzhou city unit
    assert {"clerk", "installer", "branch_manager", "service", "marketer"} <= seen
    assert "other_clerk" not in seen


def test_own_scope_sees_only_self(carrier):
    assert usernames(User.objects.restrict(carrier["clerk"])) == {"clerk"}


def test_inactive_or_anonymous_sees_nothing(carrier):
    from django.contrib.auth.models import AnonymousUser

    assert not User.objects.restrict(AnonymousUser()).exists()
    clerk = carrier["clerk"]
    clerk.is_active = False
    assert not User.objects.restrict(clerk).exists()


def test_org_units_restricted(carrier):
    seen = set(OrgUnit.objects.restrict(carrier["branch_manager"]).values_list("code", flat=True))
    assert seen == {"ZJ-HZ-01"}
    assert set(OrgUnit.objects.restrict(carrier["backoffice"]).values_list("code", flat=True)) == {
        "ZJ-HZ",
        "ZJ-HZ-01",
        "ZJ-HZ-T1",
    }


def test_scoped_model_own_scope_uses_owner(carrier):
    clerk, other = carrier["clerk"], carrier["other_clerk"]
    mine = Job.objects.create(kind="x", title="mine", owner=clerk, org_unit=clerk.org_unit)
    Job.objects.create(kind="x", title="theirs", owner=other, org_unit=other.org_unit)
    Job.objects.create(kind="x", title="colleague", owner=carrier["branch_manager"], org_unit=clerk.org_unit)
    assert list(Job.objects.restrict(clerk)) == [mine]
    assert set(Job.objects.restrict(carrier["branch_manager"]).values_list("title", flat=True)) == {
        "mine",
        "colleague",
    }


def test_search_is_scoped(carrier):
    assert usernames(queries.user_list(carrier["branch_manager"], q="clerk")) == {"clerk"}
    assert usernames(queries.user_list(carrier["admin"], q="clerk")) == {"clerk", "other_clerk"}


def test_access_outside_scope_is_not_found(carrier):
    with pytest.raises(NotFoundInScope):
        queries.user_get(carrier["branch_manager"], carrier["other_clerk"].pk)


def test_write_outside_scope_is_refused(carrier):
    from django.contrib.auth.models import Permission

    manager = carrier["branch_manager"]
    manager.role.permissions.add(Permission.objects.get(codename="manage_platform"))
    manager = User.objects.get(pk=manager.pk)
    other = carrier["other_clerk"]
    with pytest.raises(NotFoundInScope):
        actions.user_update(actor=manager, user=other, full_name="Changed")
    other.refresh_from_db()
    assert other.full_name != "Changed"
    # ...and nobody can be moved into a unit outside the actor's scope either.
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        actions.user_update(actor=manager, user=carrier["clerk"], org_unit=carrier.other_branch)
    assert "org_unit" in exc.value.error_dict
