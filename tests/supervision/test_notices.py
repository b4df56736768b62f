"""Supervision notices (督办单): lifecycle, permissions, proposals, pages."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from liangxin.audit.models import AuditEntry
from liangxin.core.errors import Conflict, Forbidden, ServiceError
from liangxin.supervision.models import Notification, SupervisionEvent, SupervisionNotice
from liangxin.supervision.selectors import notice_proposals
from liangxin.supervision.services import notice_close, notice_escalate, notice_issue, notice_respond
from liangxin.tracking.services import indicator_value_record, report_entry_save, report_submit
from tests.supervision.conftest import DUE

TODAY = DUE + dt.timedelta(days=13)  # 2026-11-23
DEADLINE = TODAY + dt.timedelta(days=7)


@pytest.fixture(autouse=True)
def _today(clock):
    clock(TODAY)


def _issue(actor, report, **overrides):
    fields = dict(
        actor=actor, region=report.plan.region, department=report.department, subject_kind="report",
        subject_id=report.id, title="关于10月报告逾期的督办", body="请立即报送并说明原因。", deadline=DEADLINE,
    )
    fields.update(overrides)
    return notice_issue(**fields)


def _inbox(user):
    return list(Notification.objects.filter(user=user, kind__in=["notice", "escalation"]).order_by("id"))


def test_issue_respond_close_with_history_audit_and_inbox(report, personas):
    zb, staff = personas["zb"], personas["staff"]
    notice = _issue(zb, report)
    assert notice.status == "open" and notice.report == report and notice.subject == report
    [to_staff] = _inbox(staff)
    assert to_staff.title == "【督办】关于10月报告逾期的督办" and to_staff.link == f"/supervision/notices/{notice.id}/"
    assert "反馈期限：2026-11-30" in to_staff.body

    notice_respond(actor=staff, notice=notice, text="已于今日补报，逾期原因是统计口径调整。")
    notice.refresh_from_db()
    assert notice.status == "responded"
    [to_zb] = _inbox(zb)
    assert "【督办反馈】县商务局" in to_zb.title and "统计口径调整" in to_zb.body
    assert not _inbox(personas["city_zb"]), "a county's answer stays with the county's working group"

    notice_close(actor=zb, notice=notice, text="已核实")
    notice.refresh_from_db()
    assert notice.status == "closed"
    assert "【督办办结】" in _inbox(staff)[-1].title

    assert list(notice.events.values_list("action", "actor__username")) == [
        ("issue", "zb"), ("respond", "staff"), ("close", "zb")
    ]
    audit = AuditEntry.objects.filter(object_type="supervision.supervisionnotice", object_id=str(notice.id)).order_by("id")
    assert list(audit.values_list("action", flat=True)) == ["notice.issue", "notice.respond", "notice.close"]
    assert audit.last().before["status"] == "responded" and audit.last().after["status"] == "closed"

    with pytest.raises(Conflict):
        notice_respond(actor=staff, notice=notice, text="再补充")
    with pytest.raises(Conflict):
        notice_escalate(actor=zb, notice=notice, text="升级")


def test_escalation_tells_the_department_and_the_working_group_above(report, personas):
    zb, staff = personas["zb"], personas["staff"]
    notice = _issue(zb, report)
    with pytest.raises(ServiceError) as exc:
        notice_escalate(actor=zb, notice=notice, text="  ")
    assert exc.value.field == "text"
    notice_escalate(actor=zb, notice=notice, text="逾期两周仍未报送，提请市专班督办")
    notice.refresh_from_db()
    assert notice.status == "escalated"
    assert "【督办升级】" in _inbox(staff)[-1].title
    [to_city] = _inbox(personas["city_zb"])
    assert to_city.kind == "escalation" and "金乡县县商务局" in to_city.title
    assert AuditEntry.objects.filter(action="notice.escalate", object_id=str(notice.id)).exists()
    # The department can still answer an escalated notice, and the working group then closes it.
    notice_respond(actor=staff, notice=notice, text="已报送")
    notice_close(actor=zb, notice=notice)
    notice.refresh_from_db()
    assert notice.status == "closed"


def test_only_the_working_group_issues_closes_and_escalates(report, personas):
    for name in ("leader", "staff", "auditor", "outsider"):
        with pytest.raises(Forbidden):
            _issue(personas[name], report)
    notice = _issue(personas["city_zb"], report)  # a city's 专班 covers its counties
    for name in ("leader", "staff"):
        with pytest.raises(Forbidden):
            notice_close(actor=personas[name], notice=notice)
        with pytest.raises(Forbidden):
            notice_escalate(actor=personas[name], notice=notice, text="x")


def test_only_the_departments_staff_respond(report, personas, finance_staff):
    notice = _issue(personas["zb"], report)
    for user in (finance_staff, personas["zb"], personas["leader"]):
        with pytest.raises(Forbidden):
            notice_respond(actor=user, notice=notice, text="代为反馈")
    with pytest.raises(ServiceError) as exc:
        notice_respond(actor=personas["staff"], notice=notice, text="")
    assert exc.value.field == "text"


def test_issue_validates_its_input(report, personas, finance, shanting_department, shanting_plan):
    zb = personas["zb"]
    cases = [
        (dict(department=shanting_department), "department"),
        (dict(subject_kind="plan"), "subject_kind"),
        (dict(subject_id=999999), "subject"),
        (dict(subject_kind="task", subject_id=shanting_plan.tasks.first().id), "subject"),
        (dict(title=" "), "title"),
        (dict(body=""), "body"),
        (dict(deadline=TODAY - dt.timedelta(days=1)), "deadline"),
    ]
    for overrides, field in cases:
        with pytest.raises(ServiceError) as exc:
            _issue(zb, report, **overrides)
        assert exc.value.field == field, overrides
    _issue(zb, report)
    with pytest.raises(Conflict):
        _issue(zb, report, title="重复督办")
    assert SupervisionNotice.objects.count() == 1


def test_exactly_one_subject_is_enforced_by_the_database(report, personas, jinxiang_plan):
    zb = personas["zb"]
    base = dict(region=report.plan.region, department=report.department, title="t", body="b", deadline=DEADLINE, created_by=zb)
    for fields in (
        dict(subject_kind="report"),
        dict(subject_kind="report", report=report, task=jinxiang_plan.tasks.first()),
        dict(subject_kind="task", report=report),
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            SupervisionNotice.objects.create(**base, **fields)


def test_events_are_append_only(report, personas):
    notice = _issue(personas["zb"], report)
    event = notice.events.get()
    event.text = "改写历史"
    with pytest.raises(RuntimeError):
        event.save()
    with pytest.raises(RuntimeError):
        event.delete()
    assert SupervisionEvent.objects.get().text == "请立即报送并说明原因。"


# Proposals --------------------------------------------------------------------------------------


@pytest.fixture
def deteriorating_target(jinxiang_plan, jinxiang):
    target = jinxiang_plan.targets.get(indicator__name="公共充电桩保有量", year=2025, kind="level")
    indicator_value_record(actor="test", region=jinxiang, indicator=target.indicator, period_kind="year",
                           period_start=dt.date(2023, 1, 1), value=600)
    indicator_value_record(actor="test", region=jinxiang, indicator=target.indicator, period_kind="month",
                           period_start=dt.date(2024, 12, 1), value=400)
    return target


@pytest.fixture
def lagging_task(personas, finance_staff, report, jinxiang_plan):
    """Another lead department's report, submitted with one task 滞后."""
    other = report.plan.reports.exclude(pk=report.pk).filter(period_start=report.period_start).first()
    first = other.entries.order_by("task__no").first()
    for entry in other.entries.all():
        status = "lagging" if entry == first else "on_track"
        report_entry_save(actor="test", report=other, task_id=entry.task_id, status=status, progress="推进中",
                          problems="资金未到位" if entry == first else "")
    report_submit(actor="test", report=other)
    return first.task, other


def test_proposals_cover_targets_lagging_tasks_and_overdue_reports(report, personas, deteriorating_target, lagging_task):
    task, lagging_report = lagging_task
    proposals = notice_proposals(report.plan.region, today=TODAY)
    by_kind = {}
    for p in proposals:
        by_kind.setdefault(p.subject_kind, {})[p.subject_id] = p
    target_proposal = by_kind["target"][deteriorating_target.id]
    assert target_proposal.reason == "倒退" and "公共充电桩保有量" in target_proposal.title
    assert target_proposal.department is not None
    task_proposal = by_kind["task"][task.id]
    assert task_proposal.department == lagging_report.department and "资金未到位" in task_proposal.body
    report_proposal = by_kind["report"][report.id]
    assert report_proposal.reason == "逾期13天" and report_proposal.department == report.department
    assert lagging_report.id not in by_kind["report"], "a submitted report is not overdue"

    # Not yet past the escalation threshold (5 days): no report proposals.
    assert not [p for p in notice_proposals(report.plan.region, today=DUE + dt.timedelta(days=4)) if p.subject_kind == "report"]

    zb = personas["zb"]
    _issue(zb, report)
    notice_issue(actor=zb, region=report.plan.region, department=target_proposal.department, subject_kind="target",
                 subject_id=deteriorating_target.id, title=target_proposal.title, body=target_proposal.body, deadline=DEADLINE)
    task_notice = notice_issue(actor=zb, region=report.plan.region, department=task_proposal.department, subject_kind="task",
                               subject_id=task.id, title="t", body="b", deadline=DEADLINE)
    keys = {(p.subject_kind, p.subject_id) for p in notice_proposals(report.plan.region, today=TODAY)}
    assert ("report", report.id) not in keys and ("target", deteriorating_target.id) not in keys
    assert ("task", task.id) not in keys
    # Once closed, the subject can be proposed again.
    notice_close(actor=zb, notice=task_notice)
    keys = {(p.subject_kind, p.subject_id) for p in notice_proposals(report.plan.region, today=TODAY)}
    assert ("task", task.id) in keys


def test_a_later_on_track_report_clears_a_lagging_task(report, personas, lagging_task, finance_staff):
    from liangxin.tracking.models import Report
    from liangxin.tracking.services import reports_open

    task, lagging_report = lagging_task
    reports_open(actor="test", plan=report.plan, period_start=dt.date(2026, 11, 1))
    later = Report.objects.get(plan=report.plan, department=lagging_report.department, period_start=dt.date(2026, 11, 1))
    for entry in later.entries.all():
        report_entry_save(actor="test", report=later, task_id=entry.task_id, status="on_track", progress="已追上进度")
    report_submit(actor="test", report=later)
    assert ("task", task.id) not in {(p.subject_kind, p.subject_id) for p in notice_proposals(report.plan.region, today=TODAY)}


def test_proposals_query_count_is_bounded(report, personas, deteriorating_target, lagging_task, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        assert notice_proposals(report.plan.region, today=TODAY)


# Pages ------------------------------------------------------------------------------------------


def test_one_click_issue_from_a_proposal(client, report, personas):
    client.force_login(personas["zb"])
    region = report.plan.region
    body = client.get(reverse("supervision:proposals", args=[region.code])).content.decode()
    link = f"{reverse('supervision:issue', args=[region.code])}?subject_kind=report&amp;subject_id={report.id}"
    assert link in body and "逾期13天" in body
    form = client.get(link.replace("&amp;", "&")).context["form"]
    assert form.initial["department"] == report.department.id
    assert form.initial["deadline"] == DEADLINE and "逾期未报" in form.initial["title"]
    response = client.post(reverse("supervision:issue", args=[region.code]), {
        "subject_kind": "report", "subject_id": report.id, "department": report.department.id,
        "title": form.initial["title"], "body": form.initial["body"], "deadline": DEADLINE.isoformat(),
    })
    notice = SupervisionNotice.objects.get()
    assert response.status_code == 302 and response.url == reverse("supervision:notice", args=[notice.id])
    assert notice.created_by == personas["zb"] and notice.report == report
    # Issuing again for the same subject shows the refusal on the form.
    again = client.post(reverse("supervision:issue", args=[region.code]), {
        "subject_kind": "report", "subject_id": report.id, "department": report.department.id,
        "title": "再次", "body": "b", "deadline": DEADLINE.isoformat(),
    })
    assert again.status_code == 200 and "该对象已有未办结的督办单" in again.content.decode()


def test_notice_pages_refuse_who_may_not_act(client, report, personas, finance_staff):
    region = report.plan.region
    notice = _issue(personas["zb"], report)
    url = reverse("supervision:notice", args=[notice.id])

    client.force_login(personas["leader"])
    assert client.get(reverse("supervision:proposals", args=[region.code])).status_code == 403
    assert client.get(reverse("supervision:issue", args=[region.code]) + f"?subject_kind=report&subject_id={report.id}").status_code == 403
    assert client.post(reverse("supervision:issue", args=[region.code]), {}).status_code == 403
    page = client.get(url)
    assert page.status_code == 200 and "提交反馈" not in page.content.decode() and "升级督办" not in page.content.decode()
    assert client.post(url, {"action": "close"}).status_code == 403

    client.force_login(finance_staff)
    assert client.post(url, {"action": "respond", "text": "代为反馈"}).status_code == 403

    client.force_login(personas["outsider"])
    assert client.get(url).status_code == 404
    assert client.post(url, {"action": "respond", "text": "x"}).status_code == 404
    assert client.get(reverse("supervision:notices", args=[region.code])).status_code == 404
    assert client.get(reverse("supervision:notice", args=[999999])).status_code == 404

    client.force_login(personas["staff"])
    page = client.get(url).content.decode()
    assert "提交反馈" in page and "办结" not in page.split("办理记录")[1].split("返回督办单列表")[0].replace("【督办办结】", "")
    assert client.post(url, {"action": "respond", "text": "已补报"}).status_code == 302

    client.force_login(personas["zb"])
    assert "已补报" in client.get(url).content.decode()
    assert client.post(url, {"action": "escalate", "text": ""}).status_code == 200  # reason required, shown on the page
    assert client.post(url, {"action": "close", "text": "已核实"}).status_code == 302
    notice.refresh_from_db()
    assert notice.status == "closed"
    assert list(notice.events.values_list("action", flat=True)) == ["issue", "respond", "close"]


def test_notice_list_filters_and_query_count(client, report, personas, finance, django_assert_max_num_queries):
    zb = personas["zb"]
    region = report.plan.region
    reports = list(report.plan.reports.filter(period_start=report.period_start).select_related("department")[:8])
    notices = [
        notice_issue(actor=zb, region=region, department=r.department, subject_kind="report", subject_id=r.id,
                     title=f"督办{r.department.name}", body="请报送", deadline=DEADLINE)
        for r in reports
    ]
    notice_close(actor=zb, notice=notices[0])
    client.force_login(personas["leader"])
    url = reverse("supervision:notices", args=[region.code])
    client.get(url)  # warm the session and content-type caches
    with django_assert_max_num_queries(8):
        body = client.get(url).content.decode()
    assert body.count('data-status="') == len(notices)
    body = client.get(url, {"status": "closed"}).content.decode()
    assert body.count('data-status="closed"') == 1 and 'data-status="open"' not in body
    body = client.get(url, {"department": reports[1].department.id}).content.decode()
    assert body.count('data-status="') == 1 and f"督办{reports[1].department.name}" in body
    # Twice the notices, same number of queries.
    with django_assert_max_num_queries(8):
        client.get(url)
