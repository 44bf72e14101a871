from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlatformConfig(AppConfig):
    name = "telcrm.platform"
    label = "platform"
    verbose_name = _("Platform")

    def ready(self) -> None:
        from . import exports, signals  # noqa: F401  (registers export datasets and signal receivers)
