"""Who may do what with pending installations (待装, ORD-5): granted to the built-in roles by sync_roles
(new databases) and by migration 0004 (existing ones).

- ``view_installation``: the pending installations in one's data scope (and those of the work orders one
  sees), their appointments and history;
- ``book_installation``: the dispatcher's work — book and rebook appointment slots, dispatch an
  installation to a team, assign an installer;
- ``report_installation``: the installer's field page — arrival, result, equipment serials;
- ``manage_install_capacity``: set how many installations a team takes per slot.
"""

VIEW_INSTALLATION = "orders.view_installation"
BOOK_INSTALLATION = "orders.book_installation"
REPORT_INSTALLATION = "orders.report_installation"
MANAGE_INSTALL_CAPACITY = "orders.manage_install_capacity"

INSTALLATION_PERMISSIONS: dict[str, tuple[str, ...]] = {
    "admin": (VIEW_INSTALLATION, BOOK_INSTALLATION, MANAGE_INSTALL_CAPACITY),
    "analyst": (VIEW_INSTALLATION,),
    "branch_manager": (VIEW_INSTALLATION, BOOK_INSTALLATION),
    "clerk": (VIEW_INSTALLATION,),
    "backoffice": (VIEW_INSTALLATION, BOOK_INSTALLATION),
    "installer": (VIEW_INSTALLATION, REPORT_INSTALLATION),
    "service": (VIEW_INSTALLATION,),
}
