from django.urls import path

from liangxin.audit import views

app_name = "audit"
urlpatterns = [path("r/<str:code>/audit/", views.audit_log, name="log")]
