from django.urls import path

from liangxin.supervision import views

app_name = "supervision"
urlpatterns = [
    path("inbox/", views.inbox_view, name="inbox"),
    path("inbox/<int:notification_id>/read/", views.notification_read, name="read"),
    path("inbox/read-all/", views.notifications_read_all, name="read_all"),
    path("r/<str:code>/overdue/", views.overdue_view, name="overdue"),
    path("r/<str:code>/supervision/", views.notice_list_view, name="notices"),
    path("r/<str:code>/supervision/proposals/", views.proposals_view, name="proposals"),
    path("r/<str:code>/supervision/new/", views.notice_issue_view, name="issue"),
    path("r/<str:code>/supervision/webhooks/", views.webhooks_view, name="webhooks"),
    path("supervision/notices/<int:notice_id>/", views.notice_view, name="notice"),
]
