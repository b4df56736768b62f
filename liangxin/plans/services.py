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
    TaskRole,
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
    tasks, seen = [], set()
    for i, t in enumerate(payload.get("tasks") or [], start=1):
        place = f"任务第 {i} 行"
        no = _clean_int(t.get("no"), f"{place}的序号", errors, required=True)
        if no is not None and not 1 <= no <= 999:
            errors.append(f"{place}：序号 {no} 应在 1–999 之间")
        if no in seen:
            errors.append(f"{place}：序号 {no} 重复")
        seen.add(no)
        section = _clean_int(t.get("section"), f"{place}的所属部分", errors)
        if section is not None and section not in section_nos:
            errors.append(f"{place}：所属部分 {section} 不存在")
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
    targets = []
    target_keys: dict[tuple, int] = {}
    for i, g in enumerate(payload.get("targets") or [], start=1):
        place = f"目标第 {i} 行"
        task_no = _clean_int(g.get("task"), f"{place}的所属任务", errors)
        if task_no is not None and task_no not in seen:
            errors.append(f"{place}：所属任务（{task_no}）不存在")
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
        key = (task_no, metric, year, kind)
        if key in target_keys:
            errors.append(f"{place}：与目标第 {target_keys[key]} 行重复（同一任务、指标、年份和类型）")
        target_keys.setdefault(key, i)
        targets.append(
            {
                "task": task_no,
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


def _target_key(target: dict) -> tuple:
    return (target["task"], target["metric"], target["year"], target["kind"])


def _target_state(target: dict) -> dict:
    return {
        "base_year": target["base_year"],
        "comparator": target["comparator"],
        "value": f"{Decimal(target['value']).normalize():f}",
        "unit": target["unit"],
    }


def _existing_state(plan: Plan) -> tuple[dict, dict, dict]:
    sections = {s.no: s.title for s in plan.sections.all()}
    tasks = {}
    for task in plan.tasks.select_related("section").prefetch_related("task_departments"):
        links = sorted(task.task_departments.all(), key=lambda link: link.position)
        tasks[task.no] = {
            "section": task.section.no if task.section else None,
            "title": task.title,
            "content": task.content,
            "deadline": task.deadline,
            "lead_units": [link.written_name for link in links if link.role == TaskRole.LEAD],
            "responsible_units": [link.written_name for link in links if link.role == TaskRole.RESPONSIBLE],
        }
    targets = {}
    for target in plan.targets.select_related("task"):
        key = (target.task.no if target.task else None, target.metric, target.year, target.kind)
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
    new_tasks = {t["no"]: _task_state(t) for t in clean["tasks"]}
    for no in sorted(set(old_tasks) | set(new_tasks)):
        old, new = old_tasks.get(no), new_tasks.get(no)
        if old == new:
            continue
        if old is None or new is None:
            changes.append({"what": f"任务（{no}）", "change": "新增" if old is None else "删除",
                            "before": (old or {}).get("title", ""), "after": (new or {}).get("title", "")})
            continue
        for field, label in (("title", "名称"), ("content", "具体内容"), ("deadline", "完成时限"),
                             ("lead_units", "牵头单位"), ("responsible_units", "责任单位"), ("section", "所属部分")):
            if old[field] != new[field]:
                before, after = old[field], new[field]
                if isinstance(before, list):
                    before, after = "、".join(before), "、".join(after)
                changes.append({"what": f"任务（{no}）{label}", "change": "修改", "before": str(before or ""), "after": str(after or "")})
    new_targets = {_target_key(t): _target_state(t) for t in clean["targets"]}
    for key in sorted(set(old_targets) | set(new_targets), key=lambda k: (k[0] or 0, k[1], k[2] or 0, k[3])):
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
    rows are matched by number, nothing is duplicated, and the changes are recorded."""
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
    if source_text:
        plan.source_text, plan.source_name = source_text, source_name
    plan.save()

    sections = {}
    for s in clean["sections"]:
        section, _ = Section.objects.update_or_create(plan=plan, no=s["no"], defaults={"title": s["title"]})
        sections[s["no"]] = section
    plan.sections.exclude(no__in=list(sections)).delete()

    tasks = {}
    for t in clean["tasks"]:
        task, _ = Task.objects.update_or_create(
            plan=plan,
            no=t["no"],
            defaults={
                "section": sections.get(t["section"]),
                "title": t["title"],
                "content": t["content"],
                "deadline": t["deadline"],
                "quote": t["quote"],
                "units_quote": t["units_quote"],
            },
        )
        tasks[t["no"]] = task
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
    plan.tasks.exclude(no__in=list(tasks)).delete()

    existing = {
        (g.task.no if g.task else None, g.metric, g.year, g.kind): g for g in plan.targets.select_related("task")
    }
    indicators = list(Indicator.objects.all())
    keep = []
    # Positions are rewritten below; park the old ones out of the way of the unique constraint.
    plan.targets.update(position=F("position") + 30000)
    for position, g in enumerate(clean["targets"]):
        target = existing.get(_target_key(g)) or Target(plan=plan)
        target.task = tasks.get(g["task"])
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
