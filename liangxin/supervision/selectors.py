"""Reads for supervision pages, the CLI and the API. Every function here issues a fixed number of
queries whatever the number of reports, targets or notices."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from liangxin.plans.models import TaskDepartment, TaskRole
from liangxin.regions.models import Department
from liangxin.supervision.models import (
    ACTIVE_NOTICE_STATUSES,
    Notification,
    SubjectKind,
    SupervisionEvent,
    SupervisionNotice,
)
from liangxin.tracking.models import Report, ReportingSchedule, ReportStatus, TaskProgress, TaskStatus

OPEN_REPORT_STATUSES = (ReportStatus.DRAFT, ReportStatus.RETURNED)
# Reports whose content the department has actually sent in (a draft's 滞后 is not yet reported).
REPORTED_STATUSES = (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED)
PROPOSED_TARGET_STATUSES = ("deterioration", "limited_progress")
DEFAULT_ESCALATE_AFTER_DAYS = ReportingSchedule._meta.get_field("escalate_after_days").default


# Inbox ----------------------------------------------------------------------------------------


def inbox(user, *, unread_only: bool = False) -> QuerySet[Notification]:
    qs = Notification.objects.filter(user=user).select_related("region")
    return qs.unread() if unread_only else qs


# Overdue reports and reporting rates ----------------------------------------------------------


def overdue_by_department(region, *, today: dt.date | None = None) -> list[dict]:
    """Open reports past their due date, grouped by department, worst first within each group.
    One query."""
    today = today or timezone.localdate()
    reports = (
        Report.objects.filter(plan__region=region, status__in=OPEN_REPORT_STATUSES, due_on__lt=today)
        .select_related("department", "plan")
        .order_by("department__name", "due_on")
    )
    groups: dict[int, dict] = {}
    for report in reports:
        report.days_overdue = (today - report.due_on).days
        group = groups.setdefault(report.department_id, {"department": report.department, "reports": []})
        group["reports"].append(report)
    for group in groups.values():
        group["max_days"] = max(r.days_overdue for r in group["reports"])
        group["count"] = len(group["reports"])
    return list(groups.values())


def department_rates(region, period_start: dt.date, *, today: dt.date | None = None) -> list[dict]:
    """DHIS2-style reporting rates per department for one period: completeness = reports received /
    expected, timeliness = received by the due date / expected. "Received" is the first submission,
    so a report returned for rework still counts as received when it first came in. One query."""
    today = today or timezone.localdate()
    reports = (
        Report.objects.filter(plan__region=region, period_start=period_start)
        .select_related("department")
        .order_by("department__name", "plan_id")
    )
    rows: dict[int, dict] = {}
    for report in reports:
        row = rows.setdefault(
            report.department_id,
            {"department": report.department, "expected": 0, "received": 0, "on_time": 0, "overdue": 0},
        )
        row["expected"] += 1
        if report.first_submitted_at:
            row["received"] += 1
            if timezone.localtime(report.first_submitted_at).date() <= report.due_on:
                row["on_time"] += 1
        elif report.status in OPEN_REPORT_STATUSES and report.due_on < today:
            row["overdue"] += 1
    for row in rows.values():
        row["completeness"] = row["received"] / row["expected"]
        row["timeliness"] = row["on_time"] / row["expected"]
    return list(rows.values())


def report_periods(region) -> list[dt.date]:
    return list(
        Report.objects.filter(plan__region=region).order_by("-period_start").values_list("period_start", flat=True).distinct()
    )


# Notices --------------------------------------------------------------------------------------


def notice_list(region, *, status: str = "", department_id=None) -> QuerySet[SupervisionNotice]:
    qs = SupervisionNotice.objects.filter(region=region).select_related(
        "department", "created_by", "target", "task", "report__department"
    )
    if status:
        qs = qs.filter(status=status)
    if department_id:
        qs = qs.filter(department_id=department_id)
    return qs.order_by("-created_at", "-id")


def notice_events(notice: SupervisionNotice) -> list[SupervisionEvent]:
    return list(notice.events.select_related("actor").order_by("at", "id"))


def notice_departments(region) -> list[Department]:
    return list(Department.objects.filter(region=region, is_active=True, merged_into__isnull=True).order_by("name"))


@dataclass
class Proposal:
    """A suggested 督办单: what, to whom, and why. The title and body prefill a notice sent to a department, so
    they stay Chinese; the reason is shown on the page, in its language."""

    subject_kind: str
    subject: object
    department: Department | None
    title: str
    body: str
    reason: str

    @property
    def subject_id(self) -> int:
        return self.subject.pk


def _lead_departments(task_ids) -> dict[int, Department]:
    """Each task's first lead department (merged departments resolved). One query."""
    leads: dict[int, Department] = {}
    links = (
        TaskDepartment.objects.filter(task_id__in=task_ids, role=TaskRole.LEAD)
        .select_related("department__merged_into")
        .order_by("task_id", "position")
    )
    for link in links:
        if link.task_id not in leads:
            leads[link.task_id] = link.department.merged_into or link.department
    return leads


def notice_proposals(region, *, today: dt.date | None = None) -> list[Proposal]:
    """Notices the working group should consider: targets assessed 倒退 or 进展有限, tasks reported
    滞后 in their latest submitted report, and reports overdue by the schedule's escalation threshold
    or more. Subjects that already have an active (not yet closed) notice are left out.
    About seven queries whatever the size of the plan."""
    from liangxin.tracking.selectors import target_statuses

    today = today or timezone.localdate()
    active = SupervisionNotice.objects.filter(region=region, status__in=ACTIVE_NOTICE_STATUSES)
    taken = {kind: set() for kind in SubjectKind.values}
    for target_id, task_id, report_id in active.values_list("target_id", "task_id", "report_id"):
        taken[SubjectKind.TARGET].add(target_id)
        taken[SubjectKind.TASK].add(task_id)
        taken[SubjectKind.REPORT].add(report_id)

    flagged_targets = [
        (target, result)
        for target, result in target_statuses(region, as_of=today)
        if str(getattr(result.status, "value", result.status)) in PROPOSED_TARGET_STATUSES
        and target.pk not in taken[SubjectKind.TARGET]
    ]

    # The latest reported entry of each task: a task that was 滞后 in March but 按计划推进 in
    # April needs no notice.
    latest: dict[int, TaskProgress] = {}
    entries = (
        TaskProgress.objects.filter(report__plan__region=region, report__status__in=REPORTED_STATUSES)
        .select_related("task__plan", "task__section", "report__department")
        .order_by("task_id", "-report__period_start", "-report_id")
    )
    for entry in entries:
        latest.setdefault(entry.task_id, entry)
    lagging = [
        e for e in latest.values() if e.status == TaskStatus.LAGGING and e.task_id not in taken[SubjectKind.TASK]
    ]

    overdue = []
    for report in (
        Report.objects.filter(plan__region=region, status__in=OPEN_REPORT_STATUSES, due_on__lt=today)
        .select_related("department", "plan__schedule")
        .order_by("due_on", "department__name")
    ):
        schedule = getattr(report.plan, "schedule", None)
        threshold = schedule.escalate_after_days if schedule else DEFAULT_ESCALATE_AFTER_DAYS
        days = (today - report.due_on).days
        if days >= max(threshold, 1) and report.pk not in taken[SubjectKind.REPORT]:
            report.days_overdue = days
            overdue.append(report)

    leads = _lead_departments({t.task_id for t, _r in flagged_targets if t.task_id})
    proposals: list[Proposal] = []
    for target, result in flagged_targets:
        proposals.append(Proposal(
            subject_kind=SubjectKind.TARGET, subject=target, department=leads.get(target.task_id),
            title=f"关于“{target.metric}”目标{result.label}的督办",
            body=f"目标“{target.metric}”当前评估为“{result.label}”（{getattr(result, 'explanation', '') or result.reason}）。"
                 "请分析原因，提出加快推进的具体措施并按期反馈。",
            reason=result.display_label,
        ))
    for entry in lagging:
        proposals.append(Proposal(
            subject_kind=SubjectKind.TASK, subject=entry.task, department=entry.report.department,
            title=f"关于任务{entry.task.label}“{entry.task.title}”进展滞后的督办",
            body=f"{entry.report.department.name}在{entry.report.period_label}报告中将该任务报为“滞后”。"
                 f"存在问题：{entry.problems or '未填写'}。请说明原因和整改措施并按期反馈。",
            reason=_("任务滞后"),
        ))
    for report in overdue:
        proposals.append(Proposal(
            subject_kind=SubjectKind.REPORT, subject=report, department=report.department,
            title=f"关于{report.department.name}{report.period_label}进展报告逾期未报的督办",
            body=f"{report.department.name}{report.period_label}进展报告截止日期为{report.due_on:%Y-%m-%d}，"
                 f"已逾期{report.days_overdue}天仍未报送。请立即报送并说明逾期原因。",
            reason=ngettext("逾期%(days)s天", "逾期%(days)s天", report.days_overdue) % {"days": report.days_overdue},
        ))
    return proposals
