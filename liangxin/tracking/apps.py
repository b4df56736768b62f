from django.apps import AppConfig


class TrackingConfig(AppConfig):
    name = "liangxin.tracking"
    label = "tracking"
    verbose_name = "进度跟踪"
