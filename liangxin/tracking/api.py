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
    task_id: int
    task_no: int
    task_label: str
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
    """A task of the report, by `task_id`, or by `task_no` where the plan numbers its tasks
    throughout (in a plan numbered per part, 1 may be 二（1） and 三（1）: use task_id)."""

    task_id: int | None = None
    task_no: int | None = None
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
            {"task_id": e.task_id, "task_no": e.task.no, "task_label": e.task.label, "task_title": e.task.title,
             "status": e.status, "progress": e.progress,
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
    by_no: dict[int, list[int]] = {}
    task_ids = set()
    for e in report.entries.select_related("task"):
        by_no.setdefault(e.task.no, []).append(e.task_id)
        task_ids.add(e.task_id)
    from django.db import transaction

    from liangxin.core.errors import ServiceError

    with transaction.atomic():
        for item in payload:
            if item.task_id is not None:
                if item.task_id not in task_ids:
                    raise ServiceError("task_not_in_report", f"任务 {item.task_id} 不在本报告中",
                                       f"task {item.task_id} is not in this report", field="task_id")
                task_id = item.task_id
            elif item.task_no is None:
                raise ServiceError("task_missing", "请给出 task_id 或 task_no", "give task_id or task_no", field="task_id")
            elif len(by_no.get(item.task_no, [])) != 1:
                if item.task_no not in by_no:
                    raise ServiceError("task_not_in_report", f"任务（{item.task_no}）不在本报告中",
                                       f"task {item.task_no} is not in this report", field="task_no")
                raise ServiceError("task_no_ambiguous", f"本报告有多个序号为 {item.task_no} 的任务（各部分分别编号），请用 task_id",
                                   f"several tasks are numbered {item.task_no} (numbered per part): use task_id", field="task_no")
            else:
                task_id = by_no[item.task_no][0]
            report_entry_save(actor=request.user, report=report, task_id=task_id, status=item.status,
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
