import datetime as dt
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from liangxin.accounts.models import Role
from liangxin.accounts.services import api_token_create, role_grant, user_create
from liangxin.audit.models import AuditEntry
from liangxin.core.errors import ServiceError
from liangxin.regions.services import department_resolve
from liangxin.tracking.models import Report, ReportStatus
from liangxin.tracking.selectors import completeness, target_statuses
from liangxin.tracking.services import attachment_add, indicator_value_record, reports_open

PERIOD = dt.date(2026, 10, 1)


@pytest.fixture
def report(personas, jinxiang_plan, commerce):
    reports_open(actor="test", plan=jinxiang_plan, period_start=PERIOD)
    return Report.objects.get(plan=jinxiang_plan, department=commerce, period_start=PERIOD)


def _fill(report):
    form = {"action": "submit"}
    for entry in report.entries.all():
        form[f"entry-{entry.task_id}-status"] = "on_track"
        form[f"entry-{entry.task_id}-progress"] = f"任务{entry.task.no}本月进展"
    return form


def test_opening_a_period_gives_each_lead_department_one_report_idempotently(report, jinxiang_plan):
    assert report.due_on == dt.date(2026, 11, 10) and report.period_end == dt.date(2026, 10, 31)
    assert sorted(e.task.no for e in report.entries.all()) == [15, 16, 17, 21, 22, 23, 24, 25, 30]
    count = Report.objects.count()
    assert reports_open(actor="test", plan=jinxiang_plan, period_start=PERIOD) == []
    assert Report.objects.count() == count
    assert not Report.objects.filter(department__name="各镇街").exists()


def test_report_lifecycle_through_the_pages(client, personas, report):
    url = reverse("tracking:report", args=[report.id])
    client.force_login(personas["leader"])
    assert client.post(url, _fill(report)).status_code == 403

    client.force_login(personas["staff"])
    assert client.post(url, _fill(report)).status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    assert "报告已报送" in client.get(url).content.decode() or report.status == "submitted"
    # Submitted reports are locked for the department.
    assert "已报送，不能修改" in client.post(url, _fill(report)).content.decode()

    client.force_login(personas["zb"])
    assert "退回必须写明理由" in client.post(url, {"action": "return", "reason": ""}).content.decode()
    client.post(url, {"action": "return", "reason": "进展情况过于简单，请补充数据"})
    report.refresh_from_db()
    assert report.status == ReportStatus.RETURNED

    client.force_login(personas["staff"])
    assert "进展情况过于简单" in client.get(url).content.decode()
    client.post(url, _fill(report))
    client.force_login(personas["zb"])
    client.post(url, {"action": "accept"})
    report.refresh_from_db()
    assert report.status == ReportStatus.ACCEPTED

    client.force_login(personas["staff"])
    assert "不能修改" in client.post(url, _fill(report)).content.decode()
    client.force_login(personas["zb"])
    assert "重新打开必须写明理由" in client.post(url, {"action": "reopen"}).content.decode()
    client.post(url, {"action": "reopen", "reason": "统计局数据更正"})
    report.refresh_from_db()
    assert report.status == ReportStatus.RETURNED
    actions = list(AuditEntry.objects.filter(object_type="tracking.report", object_id=str(report.id)).order_by("id").values_list("action", flat=True))
    assert actions == ["report.open", "report.submit", "report.return", "report.submit", "report.accept", "report.reopen"]
    assert AuditEntry.objects.filter(action="report.entry_save", region=report.plan.region).exists()


def test_report_lifecycle_through_the_api(client, personas, report):
    def call(user, method, path, data=None):
        _t, key = api_token_create(actor="test", user=user, name="t")
        kwargs = {"content_type": "application/json", "data": json.dumps(data)} if data is not None else {}
        return getattr(client, method)(f"/api/v1/reports/{report.id}{path}", headers={"Authorization": f"Bearer {key}"}, **kwargs)

    staff, zb = personas["staff"], personas["zb"]
    entries = [{"task_no": e.task.no, "status": "on_track", "progress": "已推进"} for e in report.entries.select_related("task")]
    assert call(staff, "put", "/entries", entries).status_code == 200
    assert call(staff, "post", "/return", {"reason": "x"}).status_code == 403
    assert call(staff, "post", "/submit").json()["status"] == "submitted"
    assert call(staff, "post", "/submit").status_code == 409
    returned = call(zb, "post", "/return", {"reason": "请补充佐证材料"}).json()
    assert returned["status"] == "returned" and returned["return_reason"] == "请补充佐证材料"
    assert call(staff, "post", "/submit").status_code == 200
    assert call(zb, "post", "/accept").json()["status"] == "accepted"
    assert call(staff, "put", "/entries", entries).status_code == 409
    body = call(zb, "post", "/reopen", {"reason": ""}).json()
    assert body["code"] == "reason_required" and body["message_en"]
    assert call(zb, "post", "/reopen", {"reason": "更正"}).json()["status"] == "returned"
    assert call(personas["outsider"], "get", "").status_code == 404
    bad = call(staff, "put", "/entries", [{"task_no": 99, "status": "on_track"}])
    assert bad.status_code == 400 and bad.json()["field"] == "task_no"


def test_responsible_departments_add_their_contribution(client, personas, report, jinxiang):
    ndrc = department_resolve(jinxiang, "县发展和改革委员会")
    clerk = user_create(actor="test", username="ndrc", password="x")
    role_grant(actor="test", user=clerk, role=Role.DEPARTMENT_STAFF, region=jinxiang, department=ndrc)
    task = report.entries.get(task__no=16).task
    client.force_login(clerk)
    url = reverse("tracking:report", args=[report.id])
    assert client.post(url, _fill(report)).status_code == 403  # not the lead
    client.post(url, {"action": "contribute", "department": ndrc.id, "task": task.id, "text": "配合做好家电补贴资金申报"})
    assert report.contributions.get().department == ndrc
    assert "配合做好家电补贴资金申报" in client.get(url).content.decode()


def test_evidence_type_and_content_are_checked(report):
    fake = SimpleUploadedFile("证明.pdf", b"MZ\x90\x00 not a pdf")
    with pytest.raises(ServiceError, match="文件内容与扩展名 .pdf 不符"):
        attachment_add(actor="test", report=report, upload=fake)
    with pytest.raises(ServiceError, match="不支持的文件类型"):
        attachment_add(actor="test", report=report, upload=SimpleUploadedFile("a.exe", b"MZ"))
    good = attachment_add(actor="test", report=report, upload=SimpleUploadedFile("会议纪要.pdf", b"%PDF-1.4 minimal"))
    assert good.size == 16 and len(good.sha256) == 64


def test_completeness_and_timeliness(report, jinxiang_plan):
    from django.utils import timezone

    rates = completeness(jinxiang_plan.region, PERIOD, today=dt.date(2026, 11, 20))
    assert rates["received"] == 0 and rates["expected"] == Report.objects.filter(period_start=PERIOD).count()
    assert report in rates["overdue"]
    Report.objects.filter(pk=report.pk).update(first_submitted_at=timezone.make_aware(dt.datetime(2026, 11, 5, 9)))
    late = Report.objects.exclude(pk=report.pk).first()
    Report.objects.filter(pk=late.pk).update(first_submitted_at=timezone.make_aware(dt.datetime(2026, 11, 15, 9)))
    rates = completeness(jinxiang_plan.region, PERIOD, today=dt.date(2026, 11, 20))
    assert (rates["received"], rates["on_time"]) == (2, 1)


def test_dashboard_shows_status_with_its_calculation(client, personas, jinxiang_plan, jinxiang):
    target = jinxiang_plan.targets.get(indicator__name="公共充电桩保有量", year=2025, kind="level")
    indicator_value_record(actor="test", region=jinxiang, indicator=target.indicator, period_kind="year",
                           period_start=dt.date(2023, 1, 1), value=600)
    indicator_value_record(actor="test", region=jinxiang, indicator=target.indicator, period_kind="month",
                           period_start=dt.date(2024, 12, 1), value="1,000")
    status = dict((t.pk, r) for t, r in target_statuses(jinxiang, as_of=dt.date(2025, 1, 15)))[target.pk]
    assert status.status.value in ("substantial_progress", "moderate_progress")
    assert status.base_value == 600 and status.current_value == 1000
    client.force_login(personas["leader"])
    body = client.get(reverse("tracking:dashboard", args=["370828"])).content.decode()
    assert "status-pie" in body and "公共充电桩保有量" in body and "未指定对应指标" in body


def test_a_plan_numbered_per_part_shows_part_labels_and_the_api_asks_for_task_ids(client, personas, jinxiang, commerce):
    from pathlib import Path

    from tests.plans.conftest import import_notice

    notice = Path(__file__).resolve().parents[1] / "plans" / "notices" / "county_sections_restart.txt"
    plan, _ = import_notice(notice, jinxiang)
    reports_open(actor="test", plan=plan, period_start=PERIOD)
    report = Report.objects.get(plan=plan, department=commerce, period_start=PERIOD)
    labels = [e.task.label for e in report.entries.select_related("task__plan", "task__section")]
    assert labels == ["二（1）", "二（2）", "三（1）", "三（2）"]  # part by part, not 1, 1, 2, 2
    staff = personas["staff"]
    client.force_login(staff)
    page = client.get(f"/reports/{report.id}/").content.decode()
    assert "二（1）" in page and "三（1）" in page
    _t, key = api_token_create(actor="test", user=staff, name="t")
    headers = {"Authorization": f"Bearer {key}"}

    def put(entries):
        return client.put(f"/api/v1/reports/{report.id}/entries", data=json.dumps(entries), content_type="application/json",
                          headers=headers)

    ambiguous = put([{"task_no": 1, "status": "on_track", "progress": "已推进"}])
    assert ambiguous.status_code == 400 and ambiguous.json()["code"] == "task_no_ambiguous"
    entry = report.entries.select_related("task__section").get(task__section__no=3, task__no=1)
    body = put([{"task_id": entry.task_id, "status": "on_track", "progress": "回收网点建设推进"}]).json()
    saved = [e for e in body["entries"] if e["task_id"] == entry.task_id][0]
    assert saved["task_label"] == "三（1）" and saved["progress"] == "回收网点建设推进"
