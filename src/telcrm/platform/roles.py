"""The built-in roles (岗位): permissions, data scope and home page of each.

Created by ``sync_roles`` after every migrate when missing; an administrator may then change
their permissions and scope in the UI (the sync never overwrites an existing role).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction


@dataclass(frozen=True)
class RoleDef:
    code: str
    name: str
    name_en: str
    scope: str
    home: str
    permissions: tuple[str, ...]
    description: str = ""


VIEW_DIRECTORY = ("platform.view_user", "platform.view_orgunit")
CUSTOMER_READ = ("customers.view_customer",)
CUSTOMER_WRITE = ("customers.view_customer", "customers.add_customer", "customers.change_customer")
CUSTOMER_MANAGE = (
    *CUSTOMER_WRITE,
    "customers.merge_customer",
    "customers.manage_blacklist",
    "customers.set_credit",
    "customers.import_customer",
    "customers.review_update_request",
)
# What each role may do with customers; granted to existing databases by customers migration 0002.
CUSTOMER_PERMISSIONS: dict[str, tuple[str, ...]] = {
    "admin": CUSTOMER_MANAGE,
    "analyst": CUSTOMER_READ,
    "branch_manager": CUSTOMER_MANAGE,
    "clerk": CUSTOMER_WRITE,
    "backoffice": CUSTOMER_READ,
    "installer": CUSTOMER_READ,
    "agent": (*CUSTOMER_READ, "customers.change_customer"),
    "service": (*CUSTOMER_READ, "customers.change_customer", "customers.review_update_request"),
    "account_manager": CUSTOMER_WRITE,
    "marketer": CUSTOMER_READ,
}

# Permissions of the other modules per role: each module registers its own mapping from its
# AppConfig.ready() with register_role_permissions() (catalog, resources, …).
_MODULE_GRANTS: list[dict[str, tuple[str, ...]]] = [CUSTOMER_PERMISSIONS]


def register_role_permissions(grants: dict[str, tuple[str, ...]]) -> None:
    """Add a module's permissions per role code (``{"clerk": ("resources.reserve_number", …)}``).

    ``sync_roles`` grants them when it creates a role; a module's data migration grants them to roles
    that already exist with :func:`grant_app_permissions`.
    """
    if not any(g is grants for g in _MODULE_GRANTS):
        _MODULE_GRANTS.append(grants)


def module_permissions(code: str) -> tuple[str, ...]:
    out: list[str] = []
    for grants in _MODULE_GRANTS:
        out.extend(p for p in grants.get(code, ()) if p not in out)
    return tuple(out)


def grant_app_permissions(app_label: str):
    """A ``RunPython`` function granting the registered permissions of ``app_label`` to the built-in
    roles that already exist (a database created before the module; new ones get them from sync_roles).
    """

    def grant(apps, schema_editor):
        from django.apps import apps as global_apps
        from django.contrib.auth.management import create_permissions

        create_permissions(
            global_apps.get_app_config(app_label), verbosity=0, using=schema_editor.connection.alias
        )
        Role = apps.get_model("platform", "Role")
        Permission = apps.get_model("auth", "Permission")
        for role in Role.objects.filter(is_system=True):
            prefix = app_label + "."
            names = [p.removeprefix(prefix) for p in module_permissions(role.code) if p.startswith(prefix)]
            if names:
                role.permissions.add(
                    *Permission.objects.filter(content_type__app_label=app_label, codename__in=names)
                )

    return grant


ROLES: tuple[RoleDef, ...] = (
    RoleDef(
        "admin",
        "系统管理员",
        "Administrator",
        "all",
        "home",
        (
            "platform.manage_platform",
            "platform.manage_parameters",
            "platform.view_audit",
            "platform.reveal_pii",
            "platform.view_jobs_all",
            "platform.export_data",
            *VIEW_DIRECTORY,
        ),
        "Org tree, users, roles, data scopes, parameters, dictionaries, catalog, processes",
    ),
    RoleDef(
        "analyst",
        "总部分析员",
        "HQ analyst",
        "all",
        "home",
        ("platform.export_data", *VIEW_DIRECTORY),
        "Dashboards, reports, churn and value analysis",
    ),
    RoleDef(
        "branch_manager",
        "营业厅经理",
        "Branch manager",
        "subtree",
        "home",
        ("platform.view_audit", "platform.reveal_pii", "platform.export_data", *VIEW_DIRECTORY),
        "Runs a branch: staff, queues, daily figures",
    ),
    RoleDef(
        "clerk",
        "营业员",
        "Counter clerk",
        "own",
        "home",
        ("platform.reveal_pii",),
        "Customers, real-name check, orders and receipts at the counter",
    ),
    RoleDef(
        "backoffice",
        "后台工单处理员",
        "Back-office handler",
        "subtree",
        "home",
        ("platform.view_orgunit",),
        "Work orders from team queues, SLA alerts",
    ),
    RoleDef(
        "installer", "装维人员", "Installer", "own", "home", (), "Pending installations and field feedback"
    ),
    RoleDef(
        "agent", "话务员", "Call-center agent", "subtree", "home", (), "Calls, screen pop, tickets, outbound"
    ),
    RoleDef(
        "service",
        "客服专员",
        "Service staff",
        "subtree",
        "home",
        (),
        "Complaints, consultations, faults, knowledge base, satisfaction",
    ),
    RoleDef(
        "account_manager",
        "客户经理",
        "Account manager",
        "own",
        "home",
        ("platform.reveal_pii",),
        "Group customers: members, visits, work plans, KPIs",
    ),
    RoleDef(
        "marketer",
        "营销人员",
        "Marketer",
        "subtree",
        "home",
        ("platform.export_data",),
        "Segments, campaigns, offers, effect evaluation",
    ),
)


def _permissions(names):
    from django.contrib.auth.models import Permission

    pairs = [n.split(".", 1) for n in names]
    found = Permission.objects.filter(
        content_type__app_label__in={a for a, _ in pairs}, codename__in={c for _, c in pairs}
    ).select_related("content_type")
    by_name = {f"{p.content_type.app_label}.{p.codename}": p for p in found}
    missing = set(names) - set(by_name)
    if missing:
        raise LookupError(f"unknown permissions: {sorted(missing)}")
    return [by_name[n] for n in names]


@transaction.atomic
def sync_roles() -> int:
    from .models import Role

    created = 0
    for d in ROLES:
        role, was_created = Role.objects.get_or_create(
            code=d.code,
            defaults={
                "name": d.name,
                "name_en": d.name_en,
                "data_scope": d.scope,
                "home_url_name": d.home,
                "description": d.description,
                "is_system": True,
            },
        )
        if was_created:
            role.permissions.set(_permissions((*d.permissions, *module_permissions(d.code))))
            created += 1
    return created
