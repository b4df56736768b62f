from django.apps import AppConfig


class RegionsConfig(AppConfig):
    name = "liangxin.regions"
    label = "regions"
    verbose_name = "行政区划与部门"
