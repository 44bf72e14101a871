"""Who may do what with processes and work orders: granted to the built-in roles by sync_roles (new
databases) and by migration 0002 (existing ones).

- ``view_process``: process definitions, their diagrams and versions, running instances (in scope);
- ``manage_process``: upload, edit, publish and retire definitions; retry and cancel instances;
- ``view_workorder``: work orders in one's data scope and in the team queues one belongs to;
- ``handle_workorder``: claim, release, complete and return work orders of one's queues;
- ``dispatch_workorder``: supervise queues — reassign and escalate any work order in scope.
"""

VIEW_PROCESS = "orders.view_process"
MANAGE_PROCESS = "orders.manage_process"
VIEW_WORKORDER = "orders.view_workorder"
HANDLE_WORKORDER = "orders.handle_workorder"
DISPATCH_WORKORDER = "orders.dispatch_workorder"

ORDERS_PERMISSIONS: dict[str, tuple[str, ...]] = {
    "admin": (VIEW_PROCESS, MANAGE_PROCESS, VIEW_WORKORDER, DISPATCH_WORKORDER),
    "analyst": (VIEW_PROCESS, VIEW_WORKORDER),
    "branch_manager": (VIEW_PROCESS, VIEW_WORKORDER, DISPATCH_WORKORDER),
    "clerk": (VIEW_WORKORDER,),
    "backoffice": (VIEW_PROCESS, VIEW_WORKORDER, HANDLE_WORKORDER),
    "installer": (VIEW_WORKORDER, HANDLE_WORKORDER),
    "service": (VIEW_WORKORDER,),
}
