from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlatformConfig(AppConfig):
    name = "telcrm.platform"
    label = "platform"
    verbose_name = _("Platform")

    def ready(self) -> None:
        from . import signals  # noqa: F401
