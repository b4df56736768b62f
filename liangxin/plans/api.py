import datetime as dt
from decimal import Decimal

from ninja import Router, Schema

from liangxin.accounts.permissions import get_plan_for_user, get_region_for_user
from liangxin.plans.selectors import plan_list, plan_targets, plan_tasks

router = Router(tags=["plans"])


class ErrorOut(Schema):
    code: str
    message: str
    message_en: str


class PlanSummaryOut(Schema):
    id: int
    title: str
    issuer: str
    doc_no: str
    issued_on: dt.date | None
    kind: str


class SectionOut(Schema):
    no: int
    title: str


class UnitOut(Schema):
    written_name: str
    department_id: int
    department_name: str


class TaskOut(Schema):
    id: int
    # A task is (section, no) within its plan: numbering may restart in each part.
    no: int
    section: int | None
    label: str  # （3）, or 二（1） where numbering restarts in each part
    title: str
    content: str
    deadline: str
    lead_units: list[UnitOut]
    responsible_units: list[UnitOut]


class TargetOut(Schema):
    id: int
    task: int | None  # the task's no; with `section`, it names the task (as in the import payload)
    section: int | None
    task_id: int | None
    metric: str
    year: int | None
    kind: str
    base_year: int | None
    comparator: str
    value: Decimal
    unit: str
    indicator: str | None
    quote: str


class PlanOut(PlanSummaryOut):
    region_code: str
    task_numbering: str  # "plan": tasks numbered throughout; "section": numbering restarts in each part
    sections: list[SectionOut]
    tasks: list[TaskOut]
    targets: list[TargetOut]


def _summary(plan) -> dict:
    return {"id": plan.id, "title": plan.title, "issuer": plan.issuer, "doc_no": plan.doc_no,
            "issued_on": plan.issued_on, "kind": plan.kind}


def _unit(link) -> dict:
    return {"written_name": link.written_name, "department_id": link.department_id, "department_name": link.department.name}


@router.get("/regions/{code}/plans", response={200: list[PlanSummaryOut], 404: ErrorOut}, summary="地区的工作方案 (plans of a region)")
def list_plans(request, code: str):
    return [_summary(p) for p in plan_list(get_region_for_user(request.user, code))]


@router.get("/plans/{plan_id}", response={200: PlanOut, 404: ErrorOut}, summary="工作方案全文数据 (a plan with sections, tasks and targets)")
def get_plan(request, plan_id: int):
    plan = get_plan_for_user(request.user, plan_id)
    tasks = plan_tasks(plan)
    return {
        **_summary(plan),
        "region_code": plan.region.code,
        "task_numbering": plan.task_numbering,
        "sections": [{"no": s.no, "title": s.title} for s in plan.sections.all()],
        "tasks": [
            {
                "id": t.id, "no": t.no, "section": t.section.no if t.section else None, "label": t.label, "title": t.title,
                "content": t.content, "deadline": t.deadline,
                "lead_units": [_unit(link) for link in t.task_departments.all() if link.role == "lead"],
                "responsible_units": [_unit(link) for link in t.task_departments.all() if link.role == "responsible"],
            }
            for t in tasks
        ],
        "targets": [
            {
                "id": g.id, "task": g.task.no if g.task else None, "task_id": g.task_id,
                "section": g.task.section.no if g.task and g.task.section else None, "metric": g.metric, "year": g.year, "kind": g.kind,
                "base_year": g.base_year, "comparator": g.comparator, "value": g.value, "unit": g.unit,
                "indicator": g.indicator.name if g.indicator else None, "quote": g.quote,
            }
            for g in plan_targets(plan)
        ],
    }
