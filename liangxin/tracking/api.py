import datetime as dt

from ninja import Router, Schema

from liangxin.accounts.permissions import get_report_for_user
from liangxin.core.i18n import chinese_display
from liangxin.tracking.selectors import report_detail
from liangxin.tracking.services import (
    report_accept,
    report_entry_save,
    report_reopen,
    report_return,
    report_submit,
)

router = Router(tags=["tracking"])


class ErrorOut(Schema):
    code: str
    message: str
    message_en: str
    field: str | None = None


class EntryOut(Schema):
    task_no: int
    task_title: str
    status: str
    progress: str
    problems: str
    next_steps: str


class ReportOut(Schema):
    id: int
    department: str
    period_start: dt.date
    period_end: dt.date
    due_on: dt.date
    status: str
    status_label: str
    return_reason: str
    submitted_at: dt.datetime | None
    entries: list[EntryOut]


class EntryIn(Schema):
    task_no: int
    status: str
    progress: str = ""
    problems: str = ""
    next_steps: str = ""


class ReasonIn(Schema):
    reason: str


def _out(report) -> dict:
    detail = report_detail(report)
    return {
        "id": report.id, "department": report.department.name, "period_start": report.period_start,
        "period_end": report.period_end, "due_on": report.due_on, "status": report.status,
        "status_label": chinese_display(report, "status"), "return_reason": report.return_reason,
        "submitted_at": report.submitted_at,
        "entries": [
            {"task_no": e.task.no, "task_title": e.task.title, "status": e.status, "progress": e.progress,
             "problems": e.problems, "next_steps": e.next_steps}
            for e in detail["entries"]
        ],
    }


ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


@router.get("/reports/{report_id}", response={200: ReportOut, 404: ErrorOut}, summary="进展报告 (a progress report)")
def get_report(request, report_id: int):
    return _out(get_report_for_user(request.user, report_id))


@router.put("/reports/{report_id}/entries", response={200: ReportOut, **ERRORS}, summary="填报任务进展 (fill in task progress; lead department)")
def put_entries(request, report_id: int, payload: list[EntryIn]):
    report = get_report_for_user(request.user, report_id, action="edit")
    tasks = {e.task.no: e.task_id for e in report.entries.select_related("task")}
    from django.db import transaction

    from liangxin.core.errors import ServiceError

    with transaction.atomic():
        for item in payload:
            if item.task_no not in tasks:
                raise ServiceError("task_not_in_report", f"任务（{item.task_no}）不在本报告中", f"task {item.task_no} is not in this report", field="task_no")
            report_entry_save(actor=request.user, report=report, task_id=tasks[item.task_no], status=item.status,
                              progress=item.progress, problems=item.problems, next_steps=item.next_steps)
    report.refresh_from_db()
    return _out(report)


@router.post("/reports/{report_id}/submit", response={200: ReportOut, **ERRORS}, summary="报送 (submit; lead department)")
def submit(request, report_id: int):
    report = get_report_for_user(request.user, report_id, action="edit")
    return _out(report_submit(actor=request.user, report=report))


@router.post("/reports/{report_id}/return", response={200: ReportOut, **ERRORS}, summary="退回 (return with a reason; working group)")
def return_(request, report_id: int, payload: ReasonIn):
    report = get_report_for_user(request.user, report_id, action="review")
    return _out(report_return(actor=request.user, report=report, reason=payload.reason))


@router.post("/reports/{report_id}/accept", response={200: ReportOut, **ERRORS}, summary="审核通过 (accept; working group)")
def accept(request, report_id: int):
    report = get_report_for_user(request.user, report_id, action="review")
    return _out(report_accept(actor=request.user, report=report))


@router.post("/reports/{report_id}/reopen", response={200: ReportOut, **ERRORS}, summary="重新打开 (reopen with a reason; working group)")
def reopen(request, report_id: int, payload: ReasonIn):
    report = get_report_for_user(request.user, report_id, action="review")
    return _out(report_reopen(actor=request.user, report=report, reason=payload.reason))
