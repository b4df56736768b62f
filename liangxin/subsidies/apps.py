from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubsidiesConfig(AppConfig):
    name = "liangxin.subsidies"
    label = "subsidies"
    verbose_name = _("以旧换新补贴")
