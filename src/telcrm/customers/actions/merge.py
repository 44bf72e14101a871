"""Merging duplicate customers (CUS-2) and undoing a merge.

A merge moves every row that hangs off the duplicate to the survivor and records the moved ids in
``Merge.moved`` so an administrator can move exactly those rows back. ``moved`` maps model labels
("customers.contactmedium") to id lists; its ``"_undo"`` entry keeps what else must be restored:
which foreign key each label moved, the org units rows had, the primary flags taken off, the tags
added to the survivor, the duplicate's status and the survivor's earlier customer-since date.

Later modules whose rows belong to a customer (orders, tickets, …) register them with
:func:`register_merge_relation`, so a merge moves them too.
"""

from __future__ import annotations

from django.apps import apps
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from telcrm.platform.actions import require_perm
from telcrm.platform.auditing import audit_write
from telcrm.platform.errors import NotFoundInScope, field_error

from ..models import Address, ContactMedium, Customer, CustomerStatus, CustomerType, Merge
from ._common import Errors, lock_pair, mirror_primary_phone, pk_of, repair_primaries

# (model label, foreign key to the customer) of every row a merge moves.
MERGE_RELATIONS: list[tuple[str, str]] = [
    ("customers.ContactMedium", "customer"),
    ("customers.Address", "customer"),
    ("customers.ContactPerson", "customer"),
    ("customers.Account", "customer"),
    ("customers.Subscription", "customer"),
    ("customers.Interaction", "customer"),
    ("customers.BlacklistEntry", "customer"),
    ("customers.UpdateRequest", "customer"),
    ("customers.Customer", "parent"),  # members of a group customer
]
_PRIMARY_MODELS = {"customers.contactmedium": ContactMedium, "customers.address": Address}


def register_merge_relation(model_label: str, field: str = "customer") -> None:
    """Have merges move the rows of ``model_label`` whose ``field`` points at the duplicate."""
    if (model_label, field) not in MERGE_RELATIONS:
        MERGE_RELATIONS.append((model_label, field))


def _has_org_unit(model) -> bool:
    return any(f.name == "org_unit" for f in model._meta.concrete_fields)


def _check_pair(survivor: Customer, duplicate: Customer) -> None:
    errs = Errors()
    if survivor.status == CustomerStatus.MERGED:
        errs.add("survivor", _("The customer to keep was itself merged into another."), "merged")
    elif survivor.status == CustomerStatus.CLOSED:
        errs.add("survivor", _("The customer to keep is closed."), "closed")
    if duplicate.status == CustomerStatus.MERGED:
        errs.add("duplicate", _("This customer was already merged."), "merged")
    individual = {
        survivor.customer_type == CustomerType.INDIVIDUAL,
        duplicate.customer_type == CustomerType.INDIVIDUAL,
    }
    if len(individual) > 1:
        errs.add(
            "duplicate",
            _("An individual and an enterprise or group cannot be merged."),
            "type_mismatch",
        )
    keep, drop = survivor.party, duplicate.party
    if keep.id_number_bidx and drop.id_number_bidx and keep.id_number_bidx != drop.id_number_bidx:
        errs.add(
            "duplicate",
            _("The two customers have different ID numbers: they are different people."),
            "different_person",
        )
    elif drop.id_number_bidx and not keep.id_number_bidx:
        errs.add(
            "survivor",
            _("Keep the customer with the registered ID number, and merge the other one into it."),
            "keep_registered",
        )
    if survivor.parent_id == duplicate.pk:
        errs.add(
            "survivor",
            _("The customer to keep is a member of the group being merged; remove it from the group first."),
            "member_of_duplicate",
        )
    errs.raise_if_any()


@transaction.atomic
def customer_merge(*, actor, survivor, duplicate) -> Merge:
    """Merge ``duplicate`` into ``survivor``: move its contacts, addresses, key persons, accounts,
    lines, interactions, blacklist entries, update requests, members and tags; mark it merged."""
    require_perm(actor, "customers.merge_customer")
    if pk_of(survivor) == pk_of(duplicate):
        raise field_error("duplicate", _("Choose two different customers."), "same")
    survivor, duplicate = lock_pair(actor, survivor, duplicate, perm="customers.merge_customer")
    _check_pair(survivor, duplicate)

    moved: dict = {}
    undo: dict = {"fields": {}, "org_units": {}, "demoted": {}, "tags_added": [], "status": duplicate.status}
    for label, field in MERGE_RELATIONS:
        model = apps.get_model(label)
        key = model._meta.label_lower
        rows = model._base_manager.select_for_update().filter(**{field: duplicate})
        if model is Customer:
            rows = rows.exclude(pk=survivor.pk)
        if key in _PRIMARY_MODELS:
            ids = _demote_clashing_primaries(model, rows, survivor)
            if ids:
                undo["demoted"][key] = ids
        ids = sorted(rows.values_list("pk", flat=True))
        if not ids:
            continue
        if _has_org_unit(model) and model is not Customer and duplicate.org_unit_id != survivor.org_unit_id:
            same_unit = model._base_manager.filter(pk__in=ids, org_unit_id=duplicate.org_unit_id)
            changed = sorted(same_unit.values_list("pk", flat=True))
            if changed:
                undo["org_units"][key] = {str(pk): duplicate.org_unit_id for pk in changed}
                same_unit.update(org_unit_id=survivor.org_unit_id)
        model._base_manager.filter(pk__in=ids).update(**{field: survivor})
        moved[key] = ids
        undo["fields"][key] = field

    have = set(survivor.tags.values_list("pk", flat=True))
    added = sorted(set(duplicate.tags.values_list("pk", flat=True)) - have)
    if added:
        survivor.tags.add(*added)
        undo["tags_added"] = added
    if duplicate.tenure_start and (
        not survivor.tenure_start or duplicate.tenure_start < survivor.tenure_start
    ):
        undo["tenure_start"] = survivor.tenure_start.isoformat() if survivor.tenure_start else None
        survivor.tenure_start = duplicate.tenure_start
        survivor._history_user = actor
        survivor.save(update_fields=["tenure_start", "updated_at"])
    duplicate.status = CustomerStatus.MERGED
    duplicate.merged_into = survivor
    duplicate._history_user = actor
    duplicate.save(update_fields=["status", "merged_into", "updated_at"])
    repair_primaries(ContactMedium, survivor)
    repair_primaries(Address, survivor)
    mirror_primary_phone(survivor, actor)
    merge = Merge.objects.create(
        survivor=survivor, duplicate=duplicate, moved={**moved, "_undo": undo}, merged_by=actor
    )
    counts = {k: len(v) for k, v in moved.items()}
    audit_write(
        action="customer.merge",
        actor=actor,
        obj=survivor,
        before={"absorbed": None},
        after={"absorbed": duplicate.customer_no, "merge": merge.pk, "moved": counts},
    )
    audit_write(
        action="customer.merged_into",
        actor=actor,
        obj=duplicate,
        before={"status": undo["status"], "merged_into": None},
        after={"status": CustomerStatus.MERGED, "merged_into": survivor.customer_no, "merge": merge.pk},
    )
    return merge


def _demote_clashing_primaries(model, rows, survivor: Customer) -> list[int]:
    """The duplicate's primary rows lose the flag where the survivor already has a primary (per kind
    for contact media, per customer for addresses); returns their ids to restore on unmerge."""
    own = model._base_manager.filter(customer=survivor, is_primary=True)
    if model is ContactMedium:
        kinds = set(own.values_list("kind", flat=True))
        clashing = rows.filter(is_primary=True, kind__in=kinds)
    else:
        clashing = rows.filter(is_primary=True) if own.exists() else rows.none()
    ids = sorted(clashing.values_list("pk", flat=True))
    if ids:
        model._base_manager.filter(pk__in=ids).update(is_primary=False)
    return ids


@transaction.atomic
def customer_unmerge(*, actor, merge) -> Merge:
    """Undo a merge (administrators): the moved rows go back, flags, org units, tags and the
    duplicate's status are restored. Rows added to the survivor since the merge stay with it."""
    require_perm(actor, "platform.manage_platform")
    try:
        row = Merge.objects.select_for_update().get(pk=pk_of(merge))
    except (Merge.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFoundInScope() from exc
    survivor, duplicate = lock_pair(actor, row.survivor_id, row.duplicate_id, perm="platform.manage_platform")
    if row.reverted_at is not None:
        raise field_error("merge", _("This merge was already undone."), "reverted")
    if duplicate.status != CustomerStatus.MERGED or duplicate.merged_into_id != survivor.pk:
        raise field_error(
            "merge", _("The merged customer has changed since; this merge cannot be undone."), "changed"
        )
    if survivor.status == CustomerStatus.MERGED:
        raise field_error(
            "merge",
            _("The kept customer was merged into %(no)s later; undo that merge first."),
            "merged_later",
            no=survivor.merged_into.customer_no if survivor.merged_into_id else "",
        )
    undo = row.moved.get("_undo", {})
    for key, ids in row.moved.items():
        if key == "_undo":
            continue
        model = apps.get_model(key)
        field = undo.get("fields", {}).get(key, "customer")
        model._base_manager.filter(pk__in=ids, **{field: survivor}).update(**{field: duplicate})
    for key, mapping in undo.get("org_units", {}).items():
        model = apps.get_model(key)
        by_unit: dict[int, list[int]] = {}
        for pk, unit in mapping.items():
            by_unit.setdefault(unit, []).append(int(pk))
        for unit, pks in by_unit.items():
            model._base_manager.filter(pk__in=pks, customer=duplicate).update(org_unit_id=unit)
    for key, ids in undo.get("demoted", {}).items():
        apps.get_model(key)._base_manager.filter(pk__in=ids, customer=duplicate).update(is_primary=True)
    if undo.get("tags_added"):
        survivor.tags.remove(*undo["tags_added"])
    if "tenure_start" in undo:
        survivor.tenure_start = undo["tenure_start"]
        survivor._history_user = actor
        survivor.save(update_fields=["tenure_start", "updated_at"])
    duplicate.status = undo.get("status") or CustomerStatus.ACTIVE
    duplicate.merged_into = None
    duplicate._history_user = actor
    duplicate.save(update_fields=["status", "merged_into", "updated_at"])
    demoted = undo.get("demoted", {})
    for customer in (survivor, duplicate):
        repair_primaries(ContactMedium, customer, prefer=demoted.get("customers.contactmedium"))
        repair_primaries(Address, customer, prefer=demoted.get("customers.address"))
        mirror_primary_phone(customer, actor)
    row.reverted_by = actor
    row.reverted_at = timezone.now()
    row.save(update_fields=["reverted_by", "reverted_at"])
    audit_write(
        action="customer.unmerge",
        actor=actor,
        obj=survivor,
        before={"absorbed": duplicate.customer_no},
        after={"absorbed": None, "merge": row.pk},
    )
    audit_write(
        action="customer.unmerged",
        actor=actor,
        obj=duplicate,
        before={"status": CustomerStatus.MERGED, "merged_into": survivor.customer_no},
        after={"status": duplicate.status, "merged_into": None, "merge": row.pk},
    )
    return row
