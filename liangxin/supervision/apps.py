from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "liangxin.supervision"
    label = "supervision"
    verbose_name = "督办与提醒"
