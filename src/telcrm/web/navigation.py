"""The menu (导航菜单): one list of sections; each user sees the entries their permissions allow.

Modules add their entries here as they land. An entry shows when the user holds ``perm`` (or any
of ``perms``) — so the menu of each role follows from the role's permissions, which an
administrator edits, and never from the role's name.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Entry:
    label: str
    url_name: str
    icon: str
    perms: tuple[str, ...] = ()  # any of these; empty = every signed-in user


@dataclass(frozen=True)
class Section:
    label: str
    icon: str
    entries: tuple[Entry, ...] = field(default_factory=tuple)


MENU: tuple[Section, ...] = (
    Section(
        _("Workbench"),
        "speedometer2",
        (
            Entry(_("Home"), "home", "house"),
            Entry(_("Notifications"), "notification-list", "bell"),
            Entry(_("Background jobs"), "job-list", "hourglass-split"),
        ),
    ),
    Section(
        _("Customers"),
        "people",
        (
            Entry(_("Customer search"), "customer-list", "search", ("customers.view_customer",)),
            Entry(_("New customer"), "customer-create", "person-plus", ("customers.add_customer",)),
            Entry(_("Update requests"), "update-request-list", "inbox", ("customers.review_update_request",)),
            Entry(
                _("Duplicates & merges"), "customer-duplicates", "intersect", ("customers.merge_customer",)
            ),
            Entry(_("Import customers"), "customer-import", "upload", ("customers.import_customer",)),
        ),
    ),
    Section(
        _("Product catalog"),
        "box-seam",
        (
            Entry(_("What can this customer buy"), "catalog-browse", "cart-check", ("catalog.view_catalog",)),
            Entry(_("Offerings"), "catalog-offering-list", "boxes", ("catalog.manage_catalog",)),
            Entry(
                _("Group tariffs & discounts"),
                "catalog-discount-list",
                "percent",
                ("catalog.request_discount", "catalog.approve_discount"),
            ),
            Entry(_("Eligibility rules"), "catalog-rule-list", "table", ("catalog.manage_catalog",)),
        ),
    ),
    Section(
        _("Resources"),
        "sim",
        (
            Entry(_("Choose a number"), "number-search", "telephone", ("resources.view_numbers",)),
            Entry(_("Number ranges & levels"), "number-admin", "list-ol", ("resources.manage_numbers",)),
            Entry(_("SIM & terminal stock"), "stock-list", "sim", ("stock.view_stock",)),
            Entry(_("Stock transfers"), "stock-transfer-list", "truck", ("stock.view_stock",)),
            Entry(_("Coverage"), "coverage-list", "broadcast", ("coverage.view_coverage",)),
        ),
    ),
    Section(
        _("Work orders"),
        "clipboard-check",
        (
            Entry(_("Orders"), "order-list", "cart-check", ("orders.view_order",)),
            Entry(_("Order statistics"), "order-stats", "graph-up", ("orders.view_order",)),
            Entry(_("My team queue"), "workorder-queue", "inboxes", ("orders.handle_workorder",)),
            Entry(_("My work orders"), "workorder-mine", "person-check", ("orders.handle_workorder",)),
            Entry(_("All work orders"), "workorder-list", "list-task", ("orders.view_workorder",)),
            Entry(_("Work order statistics"), "workorder-stats", "bar-chart", ("orders.view_workorder",)),
            Entry(_("Pending installations"), "installation-list", "tools", ("orders.view_installation",)),
            Entry(_("My installations"), "installation-mine", "phone", ("orders.report_installation",)),
            Entry(
                _("Installer team capacity"),
                "installation-capacity",
                "calendar3-week",
                ("orders.manage_install_capacity",),
            ),
            Entry(_("Processes"), "process-list", "diagram-2", ("orders.view_process",)),
        ),
    ),
    Section(
        _("Knowledge base"),
        "journal-bookmark",
        (
            Entry(_("Knowledge search"), "kb-search", "search", ("knowledge.view_article",)),
            Entry(_("My articles"), "kb-mine", "pencil-square", ("knowledge.write_article",)),
            Entry(_("Knowledge review"), "kb-review-queue", "check2-square", ("knowledge.review_article",)),
        ),
    ),
    Section(
        _("Organisation"),
        "diagram-3",
        (
            Entry(
                _("Organisation tree"),
                "org-tree",
                "diagram-3",
                ("platform.view_orgunit", "platform.manage_platform"),
            ),
            Entry(_("Users"), "user-list", "people", ("platform.view_user", "platform.manage_platform")),
            Entry(_("Roles"), "role-list", "person-badge", ("platform.manage_platform",)),
        ),
    ),
    Section(
        _("System"),
        "gear",
        (
            Entry(_("Parameters"), "parameter-list", "sliders", ("platform.manage_parameters",)),
            Entry(_("Dictionaries"), "dict-list", "journal-text", ("platform.manage_parameters",)),
            Entry(_("Calendars & holidays"), "calendar-list", "calendar3", ("platform.manage_parameters",)),
            Entry(_("Audit log"), "audit-list", "shield-check", ("platform.view_audit",)),
            Entry(_("Monitoring"), "monitoring", "activity", ("platform.manage_platform",)),
            Entry(
                _("Interfaces & error queue"), "integration-overview", "plug", ("integration.view_outbox",)
            ),
            Entry(_("API documentation"), "api-docs", "code-slash", ("platform.manage_platform",)),
        ),
    ),
)


def _allowed(user, entry: Entry) -> bool:
    return not entry.perms or any(user.has_perm(p) for p in entry.perms)


def menu_for(user) -> list[dict]:
    sections = []
    for section in MENU:
        entries = []
        for e in section.entries:
            if not _allowed(user, e):
                continue
            try:
                url = reverse(e.url_name)
            except NoReverseMatch:
                continue  # the module providing it is not installed
            entries.append({"label": e.label, "url": url, "icon": e.icon, "url_name": e.url_name})
        if entries:
            sections.append({"label": section.label, "icon": section.icon, "entries": entries})
    return sections
