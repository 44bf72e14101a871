"""System check (``manage.py check``, run at start-up): each adapter's configuration is usable, so
a typo in TELCRM_BILLING_ADAPTER shows when the server starts, not at the first order."""

from __future__ import annotations

from django.core.checks import Error, register


@register()
def adapters_configured(app_configs=None, **kwargs):
    from .adapters import INTERFACES, get_adapter

    errors = []
    for system in INTERFACES:
        var = f"TELCRM_{system.upper()}"
        try:
            get_adapter(system)
        except Exception as exc:
            errors.append(
                Error(
                    f"The {system} adapter is not configured correctly: {exc}",
                    hint=f"Set {var}_ADAPTER=simulator, or {var}_ADAPTER=http with {var}_URL.",
                    id="integration.E001",
                )
            )
    return errors
