"""Who may do what with tickets: granted to the built-in roles by sync_roles (new databases) and by
migration 0002 (existing ones).

- ``view_ticket``: tickets in one's data scope, of the team queues one belongs to, assigned to one;
- ``add_ticket``: take a ticket (报事) for a customer in scope;
- ``handle_ticket``: claim, work on, respond to, resolve and close tickets of one's queues;
- ``dispatch_ticket``: team leader — assign to anyone, merge duplicates, link and update mass faults;
  receives the escalations of the teams in scope;
- ``manage_service``: categories and their SLA targets.
"""

VIEW_TICKET = "service.view_ticket"
ADD_TICKET = "service.add_ticket"
HANDLE_TICKET = "service.handle_ticket"
DISPATCH_TICKET = "service.dispatch_ticket"
MANAGE_SERVICE = "service.manage_service"

SERVICE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    "admin": (VIEW_TICKET, DISPATCH_TICKET, MANAGE_SERVICE),
    "analyst": (VIEW_TICKET,),
    "branch_manager": (VIEW_TICKET, ADD_TICKET, HANDLE_TICKET, DISPATCH_TICKET),
    "clerk": (VIEW_TICKET, ADD_TICKET),
    "agent": (VIEW_TICKET, ADD_TICKET, HANDLE_TICKET),
    "service": (VIEW_TICKET, ADD_TICKET, HANDLE_TICKET),
    "account_manager": (VIEW_TICKET, ADD_TICKET),
}
