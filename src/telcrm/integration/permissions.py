"""Who may do what with the integration module: granted to the built-in roles by sync_roles (new
databases) and by migration 0002 (existing ones).

The error queue is for administrators and the back office (the operators who finish what a failed
billing or network call left open); webhook and TMF hub registrations are an administrator's.
"""

VIEW = "integration.view_outbox"  # the outbox, its progress and the error queue
MANAGE = "integration.manage_outbox"  # replay and discard
SUBSCRIPTIONS = "integration.manage_subscriptions"  # webhooks and TMF hub registrations

INTEGRATION_PERMISSIONS: dict[str, tuple[str, ...]] = {
    "admin": (VIEW, MANAGE, SUBSCRIPTIONS),
    "backoffice": (VIEW, MANAGE),
}
