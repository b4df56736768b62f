from django.apps import AppConfig


class SubsidiesConfig(AppConfig):
    name = "liangxin.subsidies"
    label = "subsidies"
    verbose_name = "以旧换新补贴"
