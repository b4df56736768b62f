from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "liangxin.audit"
    label = "audit"
    verbose_name = "审计日志"
