from django.urls import include, path

from liangxin.api import api

urlpatterns = [
    path("", include("liangxin.core.urls")),
    path("account/", include("liangxin.accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("", include("liangxin.regions.urls")),
    path("", include("liangxin.audit.urls")),
    path("", include("liangxin.plans.urls")),
    path("", include("liangxin.tracking.urls")),
    path("", include("liangxin.supervision.urls")),
    path("", include("liangxin.subsidies.urls")),
]
