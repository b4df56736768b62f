from django.urls import path

from liangxin.tracking import views

app_name = "tracking"
urlpatterns = [
    path("r/<str:code>/reports/", views.report_overview, name="overview"),
    path("r/<str:code>/reports/open/", views.period_open, name="open"),
    path("reports/<int:report_id>/", views.report_view, name="report"),
    path("plans/<int:plan_id>/schedule/", views.schedule_view, name="schedule"),
    path("r/<str:code>/dashboard/", views.dashboard, name="dashboard"),
    path("r/<str:code>/values/", views.values_view, name="values"),
    path("r/<str:code>/monthly-report.docx", views.monthly_report_download, name="monthly_report"),
    path("r/<str:code>/values/template.xlsx", views.values_template, name="values_template"),
    path("r/<str:code>/values/computed/", views.computed_sources_view, name="computed_sources"),
    path("departments/<int:department_id>/scorecard/", views.department_scorecard_view, name="scorecard"),
]
