from django.urls import path

from liangxin.subsidies import queue_views, views

app_name = "subsidies"
urlpatterns = [
    path("r/<str:code>/programmes/", views.programme_list, name="list"),
    path("r/<str:code>/programmes/new/", views.programme_create_view, name="create"),
    path("programmes/<int:programme_id>/", views.programme_detail, name="programme"),
    path("programmes/<int:programme_id>/rules/", views.rules_edit, name="rules_edit"),
    path("programmes/<int:programme_id>/rules/v<int:version>/", views.rules_version_view, name="rules_version"),
    path("programmes/<int:programme_id>/pools/", views.pool_add, name="pool_add"),
    path("programmes/<int:programme_id>/organisations/", views.organisation_add, name="organisation_add"),
    path("programmes/<int:programme_id>/settings/", views.programme_settings, name="settings"),
    path("programmes/<int:programme_id>/organisations/<int:organisation_id>/account/", views.organisation_account,
         name="organisation_account"),
    path("programmes/<int:programme_id>/organisations/<int:organisation_id>/token/", views.organisation_token,
         name="organisation_token"),
    path("programmes/<int:programme_id>/claims/", views.claim_list, name="claims"),
    path("programmes/<int:programme_id>/statistics/", views.programme_statistics_view, name="statistics"),
    path("programmes/<int:programme_id>/review/", queue_views.review_queue, name="review_queue"),
    path("programmes/<int:programme_id>/batches/", queue_views.batches, name="batches"),
    path("programmes/<int:programme_id>/batches/new/", queue_views.batch_new, name="batch_new"),
    path("batches/<str:batch_number>/", queue_views.batch_detail, name="batch"),
    path("batches/<str:batch_number>/transfers/<int:line>/", queue_views.transfer_claims, name="transfer_claims"),
    path("batches/<str:batch_number>/file.<str:fmt>", queue_views.batch_file, name="batch_file"),
    path("batches/<str:batch_number>/result/", queue_views.batch_result, name="batch_result"),
    path("programmes/<int:programme_id>/claims/new/", views.claim_new, name="claim_new"),
    path("programmes/<int:programme_id>/claims/upload/", views.bulk_upload, name="bulk"),
    path("programmes/<int:programme_id>/claims/upload/template.xlsx", views.bulk_template, name="bulk_template"),
    path("claims/<str:number>/", views.claim_detail, name="claim"),
    path("claims/<str:number>/money/", views.claim_money, name="claim_money"),
    path("programmes/<int:programme_id>/clawbacks/", views.clawbacks, name="clawbacks"),
]
