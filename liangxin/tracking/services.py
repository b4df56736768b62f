"""Writes for tracking: schedules, opening a period's reports, the report lifecycle
(draft → submitted → returned/accepted → reopened), contributions, evidence and values."""

import calendar
import datetime as dt
import hashlib
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from liangxin.audit.services import audit_record, snapshot
from liangxin.core.errors import Conflict, ServiceError
from liangxin.core.i18n import chinese_display
from liangxin.plans.models import Plan, TaskDepartment, TaskRole
from liangxin.regions.models import DepartmentKind
from liangxin.tracking.models import (
    Attachment,
    Contribution,
    Frequency,
    IndicatorValue,
    PeriodKind,
    Report,
    ReportingSchedule,
    ReportStatus,
    TaskProgress,
    TaskStatus,
    ValueSource,
)
from liangxin.tracking.periods import period_start_of
from liangxin.tracking.selectors import computed_conflict_message, computed_value_conflict

EVIDENCE_SUFFIXES = {".pdf", ".docx", ".xlsx", ".jpg", ".jpeg", ".png"}
EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
# First bytes of each allowed type: a renamed executable must not pass as a .pdf.
_MAGIC = {
    ".pdf": (b"%PDF",),
    ".docx": (b"PK\x03\x04",),
    ".xlsx": (b"PK\x03\x04",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
}


def _month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def period_bounds(schedule: ReportingSchedule, period_start: dt.date) -> tuple[dt.date, dt.date, dt.date]:
    """(start, end, due) of the period that starts at `period_start`."""
    months = 3 if schedule.frequency == Frequency.QUARTERLY else 1
    start = _month_start(period_start)
    if months == 3:
        start = dt.date(start.year, (start.month - 1) // 3 * 3 + 1, 1)
    next_start = _add_months(start, months)
    end = next_start - dt.timedelta(days=1)
    due = next_start.replace(
        day=min(schedule.due_day, calendar.monthrange(next_start.year, next_start.month)[1])
    )
    return start, end, due


@transaction.atomic
def schedule_set(
    *,
    actor,
    plan: Plan,
    frequency: str = Frequency.MONTHLY,
    due_day: int = 10,
    first_period: dt.date | None = None,
    remind_before_days: int = 3,
    escalate_after_days: int = 5,
) -> ReportingSchedule:
    if frequency not in Frequency.values:
        raise ServiceError(
            "schedule_frequency", f"报送周期“{frequency}”无效", "invalid frequency", field="frequency"
        )
    if not 1 <= int(due_day) <= 28:
        raise ServiceError(
            "schedule_due_day", "截止日应在每月 1–28 日之间", "due day must be 1-28", field="due_day"
        )
    schedule = ReportingSchedule.objects.filter(plan=plan).first()
    before = snapshot(schedule) if schedule else None
    schedule = schedule or ReportingSchedule(plan=plan)
    schedule.frequency, schedule.due_day = frequency, int(due_day)
    schedule.first_period = _month_start(first_period or plan.issued_on or timezone.localdate())
    schedule.remind_before_days, schedule.escalate_after_days = remind_before_days, escalate_after_days
    schedule.save()
    audit_record(
        actor=actor,
        action="schedule.set",
        instance=schedule,
        region=plan.region,
        before=before,
        after=snapshot(schedule),
    )
    return schedule


def schedule_for(plan: Plan) -> ReportingSchedule:
    """The plan's schedule; monthly, due on the 10th, from the plan's month, until someone sets another."""
    schedule = ReportingSchedule.objects.filter(plan=plan).first()
    if schedule is None:
        schedule = schedule_set(actor="system", plan=plan)
    return schedule


def lead_departments(plan: Plan) -> list:
    """Departments that lead at least one task; collective bodies (各镇街) report through their leads."""
    seen, out = set(), []
    links = (
        TaskDepartment.objects.filter(task__plan=plan, role=TaskRole.LEAD)
        .select_related("department__merged_into")
        .order_by("task__section__no", "task__no", "position")
    )
    for link in links:
        department = link.department.merged_into or link.department
        if department.kind == DepartmentKind.COLLECTIVE or department.id in seen:
            continue
        seen.add(department.id)
        out.append(department)
    return out


@transaction.atomic
def reports_open(*, actor, plan: Plan, period_start: dt.date) -> list[Report]:
    """Create the period's report for every lead department, with one entry per task it leads.
    Idempotent: running it again for the same period creates nothing."""
    schedule = schedule_for(plan)
    start, end, due = period_bounds(schedule, period_start)
    created = []
    for department in lead_departments(plan):
        report, was_created = Report.objects.get_or_create(
            plan=plan, department=department, period_start=start, defaults={"period_end": end, "due_on": due}
        )
        if not was_created:
            continue
        tasks = plan.tasks.filter(
            task_departments__role=TaskRole.LEAD,
            task_departments__department__in=[department, *department.merged_from.all()],
        ).distinct()
        TaskProgress.objects.bulk_create(
            TaskProgress(report=report, task=task) for task in tasks.order_by("no")
        )
        audit_record(
            actor=actor, action="report.open", instance=report, region=plan.region, after=snapshot(report)
        )
        created.append(report)
    return created


def _require_editable(report: Report) -> None:
    if report.is_locked:
        raise Conflict(
            "report_locked",
            f"报告{chinese_display(report, 'status')}，不能修改"
            + ("；如需修改请由专班重新打开" if report.status == ReportStatus.ACCEPTED else ""),
            f"the report is {report.status} and cannot be edited",
        )


@transaction.atomic
def report_entry_save(
    *,
    actor,
    report: Report,
    task_id: int,
    status: str,
    progress: str = "",
    problems: str = "",
    next_steps: str = "",
) -> TaskProgress:
    report = Report.objects.select_for_update().get(pk=report.pk)
    _require_editable(report)
    if status not in TaskStatus.values:
        raise ServiceError(
            "task_status_invalid", f"任务状态“{status}”无效", "invalid task status", field="status"
        )
    entry = TaskProgress.objects.filter(report=report, task_id=task_id).first()
    if entry is None:
        raise ServiceError(
            "task_not_in_report", "该任务不在本报告中", "task not part of this report", field="task"
        )
    before = snapshot(entry)
    entry.status, entry.progress = status, progress.strip()
    entry.problems, entry.next_steps = problems.strip(), next_steps.strip()
    entry.save()
    audit_record(
        actor=actor,
        action="report.entry_save",
        instance=entry,
        object_repr=f"{report} · 任务{entry.task.label}",
        region=report.plan.region,
        before=before,
        after=snapshot(entry),
    )
    return entry


def _parse_value(raw) -> Decimal:
    try:
        value = Decimal(str(raw).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise ServiceError(
            "value_invalid", f"数值“{raw}”不是数字", f"{raw!r} is not a number", field="value"
        ) from None
    if not value.is_finite() or abs(value) >= Decimal("1e16"):
        raise ServiceError("value_invalid", f"数值“{raw}”超出范围", f"{raw!r} is out of range", field="value")
    return value


@transaction.atomic
def indicator_value_record(
    *,
    actor,
    region,
    indicator,
    period_kind: str,
    period_start: dt.date,
    value,
    source: str = ValueSource.REPORTED,
    report: Report | None = None,
    note: str = "",
) -> IndicatorValue:
    """Set the value of an indicator for a period (one value per region, indicator and period;
    recording again replaces it, and the audit log keeps the old one). Refused for a period the
    subsidy ledger computes (see `tracking.computed`): a typed-in number must not overwrite it."""
    if period_kind not in PeriodKind.values:
        raise ServiceError(
            "period_kind_invalid", f"期别“{period_kind}”无效", "invalid period kind", field="period_kind"
        )
    if source not in ValueSource.values:
        raise ServiceError("source_invalid", f"来源“{source}”无效", "invalid source", field="source")
    if source == ValueSource.COMPUTED:
        # Only the ledger computation (tracking.computed) writes computed values, with their note.
        raise ServiceError(
            "source_computed",
            "台账计算的数值只能由系统根据补贴台账生成",
            "computed values are written by the ledger computation only",
            field="source",
        )
    period_start = period_start_of(period_kind, period_start)
    number = _parse_value(value)
    computed = computed_value_conflict(region, indicator, period_kind, period_start)
    if computed is not None:
        raise Conflict(
            "indicator_value_computed",
            computed_conflict_message(computed),
            computed_conflict_message(computed, english=True),
            field="value",
        )
    existing = (
        IndicatorValue.objects.select_for_update()
        .filter(region=region, indicator=indicator, period_kind=period_kind, period_start=period_start)
        .first()
    )
    before = snapshot(existing) if existing else None
    row = existing or IndicatorValue(
        region=region, indicator=indicator, period_kind=period_kind, period_start=period_start
    )
    row.value, row.source, row.report, row.note = number, source, report, note[:200]
    row.recorded_by = actor if getattr(actor, "is_authenticated", False) else None
    row.save()
    audit_record(
        actor=actor,
        action="indicator_value.record",
        instance=row,
        object_repr=f"{indicator.name} {period_start:%Y-%m}",
        region=region,
        before=before,
        after=snapshot(row),
    )
    return row


@transaction.atomic
def contribution_add(*, actor, report: Report, task_id: int, department, text: str) -> Contribution:
    report = Report.objects.select_for_update().get(pk=report.pk)
    _require_editable(report)
    if not text.strip():
        raise ServiceError("contribution_empty", "请填写配合情况", "text is required", field="text")
    task = report.plan.tasks.filter(
        pk=task_id, task_departments__department=department, task_departments__role=TaskRole.RESPONSIBLE
    ).first()
    if task is None:
        raise ServiceError(
            "contribution_not_responsible",
            f"{department.name}不是该任务的责任单位",
            "the department is not responsible for this task",
            field="task",
        )
    contribution = Contribution.objects.create(
        report=report,
        task=task,
        department=department,
        text=text.strip(),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit_record(
        actor=actor,
        action="report.contribute",
        instance=contribution,
        object_repr=f"{report} · {department.name}",
        region=report.plan.region,
        after=snapshot(contribution),
    )
    return contribution


@transaction.atomic
def attachment_add(*, actor, report: Report, upload, task_id: int | None = None) -> Attachment:
    """Store one evidence file (佐证材料) after checking its type by name and content, and its size."""
    report = Report.objects.select_for_update().get(pk=report.pk)
    _require_editable(report)
    suffix = Path(upload.name).suffix.lower()
    if suffix not in EVIDENCE_SUFFIXES:
        raise ServiceError(
            "evidence_type",
            f"不支持的文件类型“{suffix or '无扩展名'}”，只接受 PDF、Word、Excel 和图片",
            "unsupported file type",
            field="file",
        )
    if upload.size > EVIDENCE_MAX_BYTES:
        raise ServiceError(
            "evidence_size",
            f"文件超过 {EVIDENCE_MAX_BYTES // 1024 // 1024} MB",
            "file too large",
            field="file",
        )
    head = upload.read(8)
    upload.seek(0)
    if not head.startswith(_MAGIC[suffix]):
        raise ServiceError(
            "evidence_content",
            f"文件内容与扩展名 {suffix} 不符",
            "file content does not match its type",
            field="file",
        )
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    attachment = Attachment(
        report=report,
        task_id=task_id,
        original_name=upload.name[:200],
        size=upload.size,
        sha256=digest.hexdigest(),
        uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    attachment.file.save(f"{digest.hexdigest()[:16]}{suffix}", upload, save=False)
    attachment.save()
    audit_record(
        actor=actor,
        action="report.attach",
        instance=attachment,
        object_repr=f"{report} · {upload.name}",
        region=report.plan.region,
        after=snapshot(attachment),
    )
    return attachment


def _transition(actor, report: Report, action: str, allowed_from: tuple, to: str, **fields) -> Report:
    report = Report.objects.select_for_update().get(pk=report.pk)
    if report.status not in allowed_from:
        raise Conflict(
            "report_state",
            f"报告当前为“{chinese_display(report, 'status')}”，不能{ {'submit': '报送', 'return': '退回', 'accept': '审核通过', 'reopen': '重新打开'}[action] }",
            f"cannot {action} a report that is {report.status}",
        )
    before = snapshot(report)
    report.status = to
    for name, value in fields.items():
        setattr(report, name, value)
    report.save()
    audit_record(
        actor=actor,
        action=f"report.{action}",
        instance=report,
        region=report.plan.region,
        before=before,
        after=snapshot(report),
    )
    return report


@transaction.atomic
def report_submit(*, actor, report: Report) -> Report:
    now = timezone.now()
    missing = [
        e.task.label
        for e in report.entries.select_related("task__plan", "task__section")
        if e.status != TaskStatus.NOT_STARTED and not e.progress
    ]
    if missing:
        raise ServiceError(
            "report_incomplete",
            "请填写以下任务的进展情况：" + "、".join(missing),
            "progress text missing for some tasks",
        )
    user = actor if getattr(actor, "is_authenticated", False) else None
    return _transition(
        actor,
        report,
        "submit",
        (ReportStatus.DRAFT, ReportStatus.RETURNED),
        ReportStatus.SUBMITTED,
        submitted_at=now,
        submitted_by=user,
        first_submitted_at=report.first_submitted_at or now,
    )


@transaction.atomic
def report_return(*, actor, report: Report, reason: str) -> Report:
    if not (reason or "").strip():
        raise ServiceError("reason_required", "退回必须写明理由", "a reason is required", field="reason")
    user = actor if getattr(actor, "is_authenticated", False) else None
    return _transition(
        actor,
        report,
        "return",
        (ReportStatus.SUBMITTED,),
        ReportStatus.RETURNED,
        return_reason=reason.strip(),
        decided_at=timezone.now(),
        decided_by=user,
    )


@transaction.atomic
def report_accept(*, actor, report: Report) -> Report:
    user = actor if getattr(actor, "is_authenticated", False) else None
    return _transition(
        actor,
        report,
        "accept",
        (ReportStatus.SUBMITTED,),
        ReportStatus.ACCEPTED,
        decided_at=timezone.now(),
        decided_by=user,
        return_reason="",
    )


@transaction.atomic
def report_reopen(*, actor, report: Report, reason: str) -> Report:
    if not (reason or "").strip():
        raise ServiceError("reason_required", "重新打开必须写明理由", "a reason is required", field="reason")
    return _transition(
        actor, report, "reopen", (ReportStatus.ACCEPTED,), ReportStatus.RETURNED, return_reason=reason.strip()
    )
