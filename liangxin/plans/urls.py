from django.urls import path

from liangxin.plans import views

app_name = "plans"
urlpatterns = [
    path("r/<str:code>/plans/", views.plan_list_view, name="list"),
    path("plan-drafts/<int:draft_id>/", views.draft_view, name="draft"),
    path("plan-drafts/<int:draft_id>/discard/", views.draft_discard, name="draft_discard"),
    path("plans/<int:plan_id>/", views.plan_detail, name="detail"),
    path("plans/<int:plan_id>/export.xlsx", views.plan_export, name="export"),
    path("plans/<int:plan_id>/import-sheet/", views.plan_import_sheet, name="import_sheet"),
    path("tasks/<int:task_id>/", views.task_detail, name="task"),
    path("compare/", views.comparison, name="compare"),
    path("indicators/", views.indicator_catalogue, name="indicators"),
    path("targets/<int:target_id>/indicator/", views.target_indicator, name="target_indicator"),
]
