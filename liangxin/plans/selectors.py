"""Reads of plans shared by pages, the API, Excel and the CLI."""

from collections import defaultdict

from django.db.models import Prefetch, QuerySet

from liangxin.accounts.permissions import regions_for_user
from liangxin.plans.models import TASK_ORDER, Indicator, Plan, Target, Task, TaskDepartment, TaskRole


def plan_list(region) -> QuerySet[Plan]:
    return Plan.objects.filter(region=region).order_by("-issued_on", "title")


def plan_tasks(plan: Plan, *, section_no: int | None = None, department_id: int | None = None) -> list[Task]:
    links = TaskDepartment.objects.select_related("department").order_by("role", "position")
    # Through plan.tasks, each task knows its plan without a query (Task.label reads it).
    tasks = (
        plan.tasks.select_related("section")
        .prefetch_related(Prefetch("task_departments", queryset=links), Prefetch("targets", queryset=Target.objects.order_by("position")))
        .order_by(*TASK_ORDER)
    )
    if section_no:
        tasks = tasks.filter(section__no=section_no)
    if department_id:
        tasks = tasks.filter(task_departments__department_id=department_id).distinct()
    return list(tasks)


def plan_targets(plan: Plan, *, year: int | None = None) -> list[Target]:
    # The tasks come through plan.tasks so that Task.label finds its plan without a query each.
    tasks = plan.tasks.select_related("section")
    targets = (
        Target.objects.filter(plan=plan)
        .select_related("indicator")
        .prefetch_related(Prefetch("task", queryset=tasks))
        .order_by("position")
    )
    if year:
        targets = targets.filter(year=year)
    return list(targets)


def targets_by_year(targets: list[Target]) -> list[tuple[str, list[Target]]]:
    """Group for the plan page: 2025, 2027, …, then 每年/长期 for targets with no year."""
    groups: dict[object, list[Target]] = defaultdict(list)
    for target in targets:
        groups[target.year].append(target)
    ordered = sorted(y for y in groups if y is not None)
    out = [(f"{y}年", groups[y]) for y in ordered]
    if None in groups:
        out.append(("每年 / 长期", groups[None]))
    return out


def task_links_by_role(task: Task) -> dict[str, list[TaskDepartment]]:
    out = {TaskRole.LEAD: [], TaskRole.RESPONSIBLE: []}
    for link in task.task_departments.all():
        out[link.role].append(link)
    return out


def department_tasks(department) -> dict[str, list[Task]]:
    """Tasks a department leads and tasks it supports (as 责任单位)."""
    links = (
        TaskDepartment.objects.filter(department=department)
        .select_related("task__plan", "task__section")
        .order_by("task__plan_id", "task__section__no", "task__no")
    )
    out = {TaskRole.LEAD: [], TaskRole.RESPONSIBLE: []}
    for link in links:
        if link.task not in out[link.role]:
            out[link.role].append(link.task)
    return out


def department_targets(department) -> list[Target]:
    """Targets a department owns: those stated in tasks it leads."""
    return list(
        Target.objects.filter(task__task_departments__department=department, task__task_departments__role=TaskRole.LEAD)
        .select_related("task__plan", "task__section", "plan", "indicator")
        .distinct()
        .order_by("plan_id", "position")
    )


def indicator_comparison(user) -> dict:
    """Each catalogue indicator with its targets in the regions the user can see, side by side."""
    regions = list(regions_for_user(user).filter(plans__isnull=False).distinct().order_by("code"))
    targets = (
        Target.objects.filter(plan__region__in=regions, indicator__isnull=False)
        .select_related("indicator", "plan__region")
        .order_by("indicator__name", "year", "plan__region__code")
    )
    rows: dict[int, dict] = {}
    for target in targets:
        row = rows.setdefault(
            target.indicator_id, {"indicator": target.indicator, "cells": defaultdict(list), "regions_present": set()}
        )
        key = (target.kind, target.year, target.base_year)
        row["cells"][key].append(target)
        row["regions_present"].add(target.plan.region_id)
    comparison = []
    for row in rows.values():
        lines = []
        for (kind, year, base_year), cell_targets in sorted(
            row["cells"].items(), key=lambda item: (item[0][1] or 0, item[0][0])
        ):
            by_region = {region.id: [] for region in regions}
            for t in cell_targets:
                by_region[t.plan.region_id].append(t)
            lines.append({"kind": kind, "year": year, "base_year": base_year, "by_region": [by_region[r.id] for r in regions]})
        comparison.append({"indicator": row["indicator"], "lines": lines, "shared": len(row["regions_present"]) > 1})
    comparison.sort(key=lambda r: (not r["shared"], r["indicator"].name))
    return {"regions": regions, "rows": comparison}


def indicator_list() -> QuerySet[Indicator]:
    return Indicator.objects.order_by("name")
