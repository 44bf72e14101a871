"""Who may do what with stock: granted to the built-in roles by sync_roles (new databases) and by
migration 0003 (existing ones)."""

VIEW = "stock.view_stock"
MANAGE = "stock.manage_stock"  # receive deliveries, transfers, counts, faulty / returned items
ALLOCATE = "stock.allocate_stock"  # take items for orders (the order module calls the actions)

STOCK_PERMISSIONS: dict[str, tuple[str, ...]] = {
    "admin": (VIEW, MANAGE, ALLOCATE),
    "analyst": (VIEW,),
    "branch_manager": (VIEW, MANAGE, ALLOCATE),
    "clerk": (VIEW, ALLOCATE),
    "backoffice": (VIEW,),
    "installer": (VIEW,),
}
