"""Writes for plans: validating an extracted (and possibly corrected) plan, importing it,
re-importing it in place, and editing indicators."""

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import F

from liangxin.audit.services import audit_record, snapshot
from liangxin.core.errors import ServiceError
from liangxin.plans.extraction import extract_plan
from liangxin.plans.models import (
    Comparator,
    Indicator,
    Plan,
    PlanDraft,
    PlanImport,
    Section,
    Target,
    TargetKind,
    Task,
    TaskDepartment,
    TaskNumbering,
    TaskRole,
    numbering_restarts,
    task_label,
)
from liangxin.regions.models import AliasStatus, Department, DepartmentAlias, Region
from liangxin.regions.services import department_get_or_create_for_name


class PlanInvalid(ServiceError):
    """Every problem found in a plan payload at once, each naming its place."""

    def __init__(self, errors: list[str]):
        super().__init__(
            "plan_invalid",
            "方案内容有误：" + "；".join(errors),
            f"the plan has {len(errors)} error(s)",
        )
        self.errors = errors


# --- validation ----------------------------------------------------------------------


def _clean_int(value, place: str, errors: list[str], *, required: bool = False) -> int | None:
    if value in (None, ""):
        if required:
            errors.append(f"{place}不能为空")
        return None
    try:
        return int(str(value).strip())
    except ValueError:
        errors.append(f"{place}“{value}”不是整数")
        return None


def _clean_names(value) -> list[str]:
    if isinstance(value, str):
        value = value.replace("，", "、").replace(",", "、").split("、")
    names = []
    for name in value or []:
        name = "".join(str(name).split())
        if name and name not in names:
            names.append(name)
    return names


def _section_order(section: int | None) -> tuple[int, int]:
    return (0, 0) if section is None else (1, section)


def _target_task_section(
    target: dict, task_no: int | None, place: str, tasks: dict, sections_of_no: dict[int, list[int | None]], errors: list[str]
) -> int | None:
    """The section of the task a target belongs to. A target names its task by number and,
    optionally, by section (the extractor gives both); the number alone is enough while only
    one task carries it."""
    if task_no is None:
        return None
    given = _clean_int(target.get("section"), f"{place}的所属部分", errors)
    if given is not None:
        if (given, task_no) not in tasks:
            errors.append(f"{place}：所属任务{task_label(given, task_no, per_section=True)}不存在")
        return given
    parts = sections_of_no.get(task_no, [])
    if not parts:
        errors.append(f"{place}：所属任务（{task_no}）不存在")
        return None
    if len(parts) > 1:
        labels = "、".join(task_label(s, task_no, per_section=True) for s in sorted(parts, key=_section_order))
        errors.append(f"{place}：所属任务（{task_no}）不明确（{labels}），请注明所属部分")
        return None
    return parts[0]


def plan_payload_clean(payload: dict) -> dict:
    """Check and normalise a plan dict (the extractor's format, after any user edits).
    Raises PlanInvalid listing every bad field, so a user fixes them all in one pass."""
    errors: list[str] = []
    title = (payload.get("title") or "").strip()
    if not title:
        errors.append("方案名称不能为空")
    issuer = (payload.get("issuer") or "").strip()
    if not issuer:
        errors.append("发文机关不能为空")
    issued_on = None
    if payload.get("issued_on"):
        try:
            issued_on = dt.date.fromisoformat(str(payload["issued_on"]))
        except ValueError:
            errors.append(f"成文日期“{payload['issued_on']}”应为 YYYY-MM-DD")
    sections = []
    for i, s in enumerate(payload.get("sections") or [], start=1):
        no = _clean_int(s.get("no"), f"第 {i} 个部分的序号", errors, required=True)
        sections.append({"no": no, "title": (s.get("title") or "").strip()})
    section_nos = {s["no"] for s in sections}
    tasks = []
    # A task is (section, no): notices that restart their numbering in each part have a
    # task 1 in several parts. The same number twice in one part is still an error.
    seen: dict[tuple[int | None, int], int] = {}
    for i, t in enumerate(payload.get("tasks") or [], start=1):
        place = f"任务第 {i} 行"
        no = _clean_int(t.get("no"), f"{place}的序号", errors, required=True)
        if no is not None and not 1 <= no <= 999:
            errors.append(f"{place}：序号 {no} 应在 1–999 之间")
        section = _clean_int(t.get("section"), f"{place}的所属部分", errors)
        if section is not None and section not in section_nos:
            errors.append(f"{place}：所属部分 {section} 不存在")
        if no is not None:
            if (section, no) in seen:
                errors.append(f"{place}：序号 {no} 重复" if section is None else f"{place}：第 {section} 部分的序号 {no} 重复")
            seen.setdefault((section, no), i)
        task_title = (t.get("title") or "").strip()
        if not task_title:
            errors.append(f"{place}：任务名称不能为空")
        tasks.append(
            {
                "no": no,
                "section": section,
                "title": task_title[:200],
                "content": (t.get("content") or "").strip(),
                "deadline": (t.get("deadline") or "").strip()[:100],
                "quote": t.get("quote") or "",
                "units_quote": t.get("units_quote") or "",
                "lead_units": _clean_names(t.get("lead_units")),
                "responsible_units": _clean_names(t.get("responsible_units")),
            }
        )
    sections_of_no: dict[int, list[int | None]] = {}
    for section, no in seen:
        sections_of_no.setdefault(no, []).append(section)
    per_section = numbering_restarts(seen)
    targets = []
    target_keys: dict[tuple, int] = {}
    for i, g in enumerate(payload.get("targets") or [], start=1):
        place = f"目标第 {i} 行"
        task_no = _clean_int(g.get("task"), f"{place}的所属任务", errors)
        task_section = _target_task_section(g, task_no, place, seen, sections_of_no, errors)
        metric = (g.get("metric") or "").strip()
        if not metric:
            errors.append(f"{place}：指标表述不能为空")
        kind = g.get("kind")
        if kind not in TargetKind.values:
            errors.append(f"{place}：类型“{kind}”无效")
        comparator = g.get("comparator")
        if comparator not in Comparator.values:
            errors.append(f"{place}：比较符“{comparator}”无效")
        try:
            value = Decimal(str(g.get("value")).strip())
            if not value.is_finite():
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            errors.append(f"{place}：目标值“{g.get('value')}”不是数字")
            value = None
        unit = (g.get("unit") or "").strip()
        if not unit:
            errors.append(f"{place}：单位不能为空")
        year = _clean_int(g.get("year"), f"{place}的目标年份", errors)
        base_year = _clean_int(g.get("base_year"), f"{place}的基期年份", errors)
        if year is not None and not 2000 <= year <= 2100:
            errors.append(f"{place}：目标年份 {year} 不合理")
        if kind == TargetKind.GROWTH and base_year is None:
            errors.append(f"{place}：较基期增长的目标必须有基期年份")
        if base_year is not None and not 2000 <= base_year <= 2100:
            errors.append(f"{place}：基期年份 {base_year} 不合理")
        if base_year is not None and year is not None and base_year > year:
            errors.append(f"{place}：基期年份晚于目标年份")
        if value is not None and (abs(value) >= Decimal("1e16") or value.as_tuple().exponent < -4):
            errors.append(f"{place}：目标值“{g.get('value')}”超出范围（最多 16 位整数、4 位小数）")
        key = (task_section, task_no, metric, year, kind)
        if key in target_keys:
            errors.append(f"{place}：与目标第 {target_keys[key]} 行重复（同一任务、指标、年份和类型）")
        target_keys.setdefault(key, i)
        targets.append(
            {
                "task": task_no,
                "section": task_section,
                "metric": metric[:200],
                "year": year,
                "kind": kind,
                "base_year": base_year,
                "comparator": comparator,
                "value": value,
                "unit": unit[:20],
                "quote": g.get("quote") or "",
                "indicator": g.get("indicator"),
            }
        )
    if errors:
        raise PlanInvalid(errors)
    return {
        "title": title[:200],
        "issuer": issuer[:100],
        "doc_no": "".join((payload.get("doc_no") or "").split())[:50],
        "issued_on": issued_on,
        "kind": (payload.get("kind") or "")[:20],
        "region": payload.get("region") or "",
        "metadata_quotes": {"doc_no": payload.get("doc_no_quote") or ""},
        "task_numbering": TaskNumbering.SECTION if per_section else TaskNumbering.PLAN,
        "sections": sections,
        "tasks": tasks,
        "targets": targets,
    }


# --- indicators ------------------------------------------------------------------------


def indicator_propose(metric: str, indicators: list[Indicator] | None = None) -> Indicator | None:
    """The catalogue indicator whose longest keyword occurs in the metric's wording."""
    metric = "".join(metric.split())
    best, best_len = None, 0
    for indicator in indicators if indicators is not None else Indicator.objects.all():
        for word in indicator.keyword_list():
            if word in metric and len(word) > best_len:
                best, best_len = indicator, len(word)
    return best


@transaction.atomic
def indicator_create(*, actor, name: str, unit: str, direction: str = "up", keywords: str = "", description: str = "") -> Indicator:
    name = (name or "").strip()
    if not name:
        raise ServiceError("indicator_name_missing", "请填写指标名称", "indicator name is required", field="name")
    if not (unit or "").strip():
        raise ServiceError("indicator_unit_missing", "请填写计量单位", "unit is required", field="unit")
    if Indicator.objects.filter(name=name).exists():
        raise ServiceError("indicator_name_taken", f"指标“{name}”已存在", "indicator exists", field="name")
    indicator = Indicator.objects.create(
        name=name, unit=unit.strip(), direction=direction, keywords=keywords.strip(), description=description.strip()
    )
    audit_record(actor=actor, action="indicator.create", instance=indicator, after=snapshot(indicator))
    return indicator


@transaction.atomic
def indicator_update(*, actor, indicator: Indicator, unit: str, direction: str, keywords: str, description: str) -> Indicator:
    before = snapshot(indicator)
    if not (unit or "").strip():
        raise ServiceError("indicator_unit_missing", "请填写计量单位", "unit is required", field="unit")
    indicator.unit, indicator.direction = unit.strip(), direction
    indicator.keywords, indicator.description = keywords.strip(), description.strip()
    indicator.save(update_fields=["unit", "direction", "keywords", "description"])
    audit_record(actor=actor, action="indicator.update", instance=indicator, before=before, after=snapshot(indicator))
    return indicator


@transaction.atomic
def target_set_indicator(*, actor, target: Target, indicator: Indicator | None) -> Target:
    before = snapshot(target, ["indicator"])
    target.indicator = indicator
    target.save(update_fields=["indicator"])
    audit_record(
        actor=actor, action="target.set_indicator", instance=target, region=target.plan.region,
        before=before, after=snapshot(target, ["indicator"]),
    )
    return target


# --- import ----------------------------------------------------------------------------


def region_for_payload(payload: dict, region_code: str | None = None) -> Region:
    """The region a plan is imported into: the one named, else the one the notice governs."""
    if region_code:
        region = Region.objects.filter(code=region_code).first()
        if region is None:
            raise ServiceError(
                "region_unknown", f"未找到行政区划代码 {region_code}", f"unknown region code {region_code}", field="region"
            )
        return region
    name = (payload.get("region") or "").strip()
    matches = list(Region.objects.filter(name=name)) if name else []
    if len(matches) != 1:
        raise ServiceError(
            "region_unresolved",
            f"无法从文件确定行政区划（读到“{name or '无'}”），请指定行政区划代码",
            f"cannot tell the region from the notice (read {name!r}); pass --region CODE",
            field="region",
        )
    return matches[0]


def _resolve_unit(actor, region: Region, name: str, unit_choices: dict[str, int | None]) -> Department:
    """A written unit name → department. A user's explicit choice in the preview becomes a
    confirmed alias, so the next import of any notice resolves the same way."""
    chosen = unit_choices.get(name)
    if chosen:
        department = Department.objects.get(pk=chosen, region=region)
        if department.name != name and not DepartmentAlias.objects.filter(region=region, alias=name).exists():
            from django.utils import timezone

            alias = DepartmentAlias.objects.create(
                region=region, alias=name, department=department, status=AliasStatus.CONFIRMED,
                reason="导入时人工指定", decided_by=actor if getattr(actor, "is_authenticated", False) else None,
                decided_at=timezone.now(),
            )
            audit_record(actor=actor, action="department_alias.confirm", instance=alias, region=region, after=snapshot(alias))
        return department
    return department_get_or_create_for_name(actor=actor, region=region, name=name)


def _task_state(task: dict) -> dict:
    return {k: task[k] for k in ("section", "title", "content", "deadline", "lead_units", "responsible_units")}


TaskKey = tuple[int | None, int]  # (section no, task no): a task's identity within its plan


def _task_order(key: TaskKey | None) -> tuple[int, int, int]:
    """Plan-level first, then tasks outside any part, then part by part (TASK_ORDER)."""
    if key is None:
        return (0, 0, 0)
    return (*_section_order(key[0]), key[1])


def _task_match(old_keys: list[TaskKey], new_keys: list[TaskKey]) -> dict[TaskKey, TaskKey]:
    """Which existing task each incoming task updates (new key → old key); unmatched new
    tasks are added, unmatched old ones deleted.

    A task is matched by (section, no). Where the incoming plan numbers its tasks throughout
    (no number twice), a task whose number the plan had exactly once is that task even if it
    moved to another part: the change is "所属部分", and its targets and reports stay with it.
    """
    old = set(old_keys)
    match = {key: key for key in new_keys if key in old}
    new_nos = [no for _section, no in new_keys]
    if len(set(new_nos)) == len(new_nos):
        old_by_no: dict[int, list[TaskKey]] = {}
        for key in old_keys:
            old_by_no.setdefault(key[1], []).append(key)
        for key in new_keys:
            if key not in match and len(old_by_no.get(key[1], [])) == 1:
                match[key] = old_by_no[key[1]][0]
    return match


def _target_key(task_key: TaskKey | None, target: dict) -> tuple:
    return (task_key, target["metric"], target["year"], target["kind"])


def _target_state(target: dict) -> dict:
    return {
        "base_year": target["base_year"],
        "comparator": target["comparator"],
        "value": f"{Decimal(target['value']).normalize():f}",
        "unit": target["unit"],
    }


def _existing_state(plan: Plan) -> tuple[dict, dict, dict]:
    sections = {s.no: s.title for s in plan.sections.all()}
    tasks: dict[TaskKey, dict] = {}
    keys_by_pk: dict[int, TaskKey] = {}
    for task in plan.tasks.select_related("section").prefetch_related("task_departments"):
        links = sorted(task.task_departments.all(), key=lambda link: link.position)
        key = (task.section.no if task.section else None, task.no)
        keys_by_pk[task.pk] = key
        tasks[key] = {
            "section": key[0],
            "title": task.title,
            "content": task.content,
            "deadline": task.deadline,
            "lead_units": [link.written_name for link in links if link.role == TaskRole.LEAD],
            "responsible_units": [link.written_name for link in links if link.role == TaskRole.RESPONSIBLE],
        }
    targets = {}
    for target in plan.targets.all():
        key = _target_key(keys_by_pk.get(target.task_id), {"metric": target.metric, "year": target.year, "kind": target.kind})
        targets[key] = _target_state(
            {"base_year": target.base_year, "comparator": target.comparator, "value": target.value, "unit": target.unit}
        )
    return sections, tasks, targets


def _diff(clean: dict, plan: Plan) -> list[dict]:
    """What a re-import changes, in words a working group reads."""
    old_sections, old_tasks, old_targets = _existing_state(plan)
    changes: list[dict] = []
    for field, label in (("title", "方案名称"), ("issued_on", "成文日期"), ("kind", "文件类型")):
        old, new = getattr(plan, field), clean[field]
        if (old or "") != (new or ""):
            changes.append({"what": label, "change": "修改", "before": str(old or ""), "after": str(new or "")})
    new_sections = {s["no"]: s["title"] for s in clean["sections"]}
    for no in sorted(set(old_sections) | set(new_sections)):
        if old_sections.get(no) != new_sections.get(no):
            changes.append(
                {"what": f"第 {no} 部分", "change": "新增" if no not in old_sections else ("删除" if no not in new_sections else "修改"),
                 "before": old_sections.get(no, ""), "after": new_sections.get(no, "")}
            )
    new_tasks = {(t["section"], t["no"]): _task_state(t) for t in clean["tasks"]}
    match = _task_match(list(old_tasks), list(new_tasks))
    old_per_section = plan.task_numbering == TaskNumbering.SECTION
    new_per_section = clean["task_numbering"] == TaskNumbering.SECTION
    # (key the pair is listed under, its label, old key, new key): kept and added tasks
    # under their new number, deleted ones under their old.
    pairs = [(key, task_label(*key, per_section=new_per_section), match.get(key), key) for key in new_tasks]
    matched = set(match.values())
    pairs += [(key, task_label(*key, per_section=old_per_section), key, None) for key in old_tasks if key not in matched]
    for _key, label, old_key, new_key in sorted(pairs, key=lambda pair: _task_order(pair[0])):
        old = old_tasks.get(old_key) if old_key else None
        new = new_tasks.get(new_key) if new_key else None
        if old == new:
            continue
        if old is None or new is None:
            changes.append({"what": f"任务{label}", "change": "新增" if old is None else "删除",
                            "before": (old or {}).get("title", ""), "after": (new or {}).get("title", "")})
            continue
        for field, field_label in (("title", "名称"), ("content", "具体内容"), ("deadline", "完成时限"),
                                   ("lead_units", "牵头单位"), ("responsible_units", "责任单位"), ("section", "所属部分")):
            if old[field] != new[field]:
                before, after = old[field], new[field]
                if isinstance(before, list):
                    before, after = "、".join(before), "、".join(after)
                changes.append({"what": f"任务{label}{field_label}", "change": "修改", "before": str(before or ""), "after": str(after or "")})
    # A target belongs to its task: keyed by the existing task it will hang from, if any.
    new_targets = {}
    for t in clean["targets"]:
        task_key = None if t["task"] is None else (t["section"], t["task"])
        new_targets[_target_key(match.get(task_key, task_key) if task_key else None, t)] = _target_state(t)
    for key in sorted(set(old_targets) | set(new_targets), key=lambda k: (_task_order(k[0]), k[1], k[2] or 0, k[3])):
        old, new = old_targets.get(key), new_targets.get(key)
        if old == new:
            continue
        label = f"目标 {key[1]}{'（' + str(key[2]) + '年）' if key[2] else ''}"
        fmt = lambda s: f"{s['comparator']} {s['value']} {s['unit']}" if s else ""  # noqa: E731
        changes.append({"what": label, "change": "新增" if old is None else ("删除" if new is None else "修改"),
                        "before": fmt(old), "after": fmt(new)})
    return changes


@transaction.atomic
def plan_import(
    *,
    actor,
    region: Region,
    payload: dict,
    source_name: str = "",
    source_text: str = "",
    unit_choices: dict[str, int | None] | None = None,
) -> tuple[Plan, PlanImport]:
    """Store a plan. The same notice (same issuer and 文号) updates the existing plan in place:
    rows are matched by number (a task by its part and number, see _task_match), nothing is
    duplicated, and the changes are recorded."""
    clean = plan_payload_clean(payload)
    unit_choices = unit_choices or {}
    lookup = {"issuer": clean["issuer"], "doc_no": clean["doc_no"]} if clean["doc_no"] else {"region": region, "title": clean["title"], "doc_no": ""}
    plan = Plan.objects.select_for_update().filter(**lookup).first()
    if plan is not None and plan.region_id != region.id:
        raise ServiceError(
            "plan_other_region",
            f"该文件（{clean['doc_no']}）已导入到{plan.region.name}，不能再导入到{region.name}",
            "this notice was already imported into another region",
        )
    created = plan is None
    changes = [] if created else _diff(clean, plan)
    before = None if created else snapshot(plan, ["title", "kind", "issuer", "doc_no", "issued_on"])
    if created:
        plan = Plan(region=region, issuer=clean["issuer"], doc_no=clean["doc_no"])
    plan.title, plan.kind, plan.issued_on = clean["title"], clean["kind"], clean["issued_on"]
    plan.metadata_quotes = clean["metadata_quotes"]
    plan.task_numbering = clean["task_numbering"]
    if source_text:
        plan.source_text, plan.source_name = source_text, source_name
    plan.save()

    sections = {}
    for s in clean["sections"]:
        section, _ = Section.objects.update_or_create(plan=plan, no=s["no"], defaults={"title": s["title"]})
        sections[s["no"]] = section

    old_tasks = {} if created else {
        (task.section.no if task.section else None, task.no): task for task in plan.tasks.select_related("section")
    }
    match = _task_match(list(old_tasks), [(t["section"], t["no"]) for t in clean["tasks"]])
    tasks: dict[TaskKey, Task] = {}
    for t in clean["tasks"]:
        key = (t["section"], t["no"])
        # A matched task keeps its row (and the reports and targets hanging from it). Its key
        # changes only when it moved part in a plan numbered throughout, to a key no other
        # row holds, so the unique constraint is never crossed on the way.
        task = old_tasks[match[key]] if key in match else Task(plan=plan)
        task.section, task.no = sections.get(t["section"]), t["no"]
        task.title, task.content, task.deadline = t["title"], t["content"], t["deadline"]
        task.quote, task.units_quote = t["quote"], t["units_quote"]
        task.save()
        tasks[key] = task
        # Links are few per task and carry no history of their own: rebuild them.
        task.task_departments.all().delete()
        links = [(TaskRole.LEAD, n) for n in t["lead_units"]] + [(TaskRole.RESPONSIBLE, n) for n in t["responsible_units"]]
        TaskDepartment.objects.bulk_create(
            TaskDepartment(
                task=task, role=role, position=position, written_name=name,
                department=_resolve_unit(actor, region, name, unit_choices),
            )
            for position, (role, name) in enumerate(links)
        )
    plan.tasks.exclude(pk__in=[task.pk for task in tasks.values()]).delete()
    # Sections go after the tasks: deleting a section first would turn its tasks into tasks
    # without a section, where two task 1s of two dropped parts would collide.
    plan.sections.exclude(no__in=list(sections)).delete()

    existing = {(g.task_id, g.metric, g.year, g.kind): g for g in plan.targets.all()}
    indicators = list(Indicator.objects.all())
    keep = []
    # Positions are rewritten below; park the old ones out of the way of the unique constraint.
    plan.targets.update(position=F("position") + 30000)
    for position, g in enumerate(clean["targets"]):
        task = tasks.get((g["section"], g["task"])) if g["task"] is not None else None
        target = existing.get((task.pk if task else None, g["metric"], g["year"], g["kind"])) or Target(plan=plan)
        target.task = task
        target.position = position
        target.metric, target.year, target.kind = g["metric"], g["year"], g["kind"]
        target.base_year, target.comparator, target.value, target.unit = g["base_year"], g["comparator"], g["value"], g["unit"]
        target.quote = g["quote"]
        if g.get("indicator"):
            target.indicator = Indicator.objects.filter(pk=g["indicator"]).first()
        elif target.pk is None or target.indicator_id is None:
            target.indicator = indicator_propose(g["metric"], indicators)
        if target.pk is None:
            target.save()
        else:
            # Several rows sit at the parked position until each gets its own.
            Target.objects.filter(pk=target.pk).update(
                task=target.task, position=target.position, metric=target.metric, year=target.year, kind=target.kind,
                base_year=target.base_year, comparator=target.comparator, value=target.value, unit=target.unit,
                quote=target.quote, indicator=target.indicator,
            )
        keep.append(target.pk)
    plan.targets.exclude(pk__in=keep).delete()

    record = PlanImport.objects.create(
        plan=plan,
        imported_by=actor if getattr(actor, "is_authenticated", False) else None,
        imported_by_label=actor.get_username() if getattr(actor, "is_authenticated", False) else str(actor),
        source_name=source_name[:200],
        created=created,
        changes=changes,
    )
    audit_record(
        actor=actor,
        action="plan.import" if created else "plan.reimport",
        instance=plan,
        region=region,
        before=before,
        after={
            **snapshot(plan, ["title", "kind", "issuer", "doc_no", "issued_on"]),
            "sections": len(sections), "tasks": len(tasks), "targets": len(keep), "changes": len(changes),
        },
    )
    return plan, record


@transaction.atomic
def plan_draft_discard(*, actor, draft: PlanDraft) -> None:
    """Drop an unconfirmed preview; nothing of it was ever part of a plan."""
    draft.delete()


@transaction.atomic
def plan_draft_create(*, actor, region: Region, source_name: str, source_text: str) -> PlanDraft:
    """Read a notice into a draft for the preview page; nothing of the plan is stored yet."""
    if not source_text.strip():
        raise ServiceError("notice_empty", "文件中没有读到文字", "no text in the notice", field="file")
    payload = extract_plan(source_text, source=source_name)
    if not payload.get("tasks") and not payload.get("targets"):
        raise ServiceError(
            "notice_no_plan",
            "没有在文件中找到任务或量化目标，请确认上传的是工作方案文件",
            "no tasks or targets found; is this a work-plan notice?",
            field="file",
        )
    for target in payload["targets"]:
        indicator = indicator_propose(target["metric"])
        target["indicator"] = indicator.pk if indicator else None
    return PlanDraft.objects.create(
        region=region, created_by=actor, source_name=source_name[:200], source_text=source_text, payload=payload
    )
