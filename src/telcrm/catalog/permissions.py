"""Which built-in role gets which catalog permission (registered from CatalogConfig.ready())."""

from __future__ import annotations

VIEW = ("catalog.view_catalog",)
REQUEST = ("catalog.request_discount",)
APPROVE = ("catalog.approve_discount",)

CATALOG_PERMISSIONS: dict[str, tuple[str, ...]] = {
    "admin": (*VIEW, "catalog.manage_catalog", *REQUEST, *APPROVE),
    "analyst": VIEW,
    "branch_manager": (*VIEW, *REQUEST, *APPROVE),
    "clerk": VIEW,
    "backoffice": VIEW,
    "installer": VIEW,
    "agent": VIEW,
    "service": VIEW,
    "account_manager": (*VIEW, *REQUEST),
    "marketer": VIEW,
}
