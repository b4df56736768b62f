from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "liangxin.core"
    label = "core"
    verbose_name = "平台"

    def ready(self) -> None:
        from liangxin.core import checks  # noqa: F401  registers the deploy checks
