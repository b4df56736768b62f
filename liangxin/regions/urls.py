from django.urls import path

from liangxin.regions import views

app_name = "regions"
urlpatterns = [
    path("regions/new/", views.region_create_view, name="create"),
    path("r/<str:code>/", views.region_detail, name="detail"),
    path("r/<str:code>/departments/", views.department_list_view, name="departments"),
    path("r/<str:code>/aliases/", views.alias_list_view, name="aliases"),
    path("r/<str:code>/aliases/<int:alias_id>/decide/", views.alias_decide_view, name="alias_decide"),
    path("departments/<int:department_id>/", views.department_detail, name="department"),
]
