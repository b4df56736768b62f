from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "liangxin.core"
    label = "core"
    verbose_name = _("平台")

    def ready(self) -> None:
        from liangxin.core import checks  # noqa: F401  registers the deploy checks
