"""The import preview: what the extractor read, laid out for correction, and the user's
corrections read back from the form. Pure data shaping; the import itself is a service."""

import copy

from django.utils.translation import gettext as _

from liangxin.plans.models import numbering_restarts, task_label
from liangxin.regions.services import department_find_alias_candidate, department_resolve

TASK_FIELDS = ("no", "section", "title", "lead_units", "responsible_units", "deadline")
TARGET_FIELDS = ("task", "metric", "year", "kind", "base_year", "comparator", "value", "unit", "indicator")


def unit_names(payload: dict) -> list[str]:
    names: list[str] = []
    for task in payload.get("tasks") or []:
        for name in list(task.get("lead_units") or []) + list(task.get("responsible_units") or []):
            if name not in names:
                names.append(name)
    return names


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def task_ref(section, no) -> str:
    """A task as the value of the preview's task select: "2:1" (part 2, task 1), ":3" (no part)."""
    return f"{'' if section is None else section}:{no}"


def _task_keys(payload: dict) -> list[tuple]:
    return [(_int_or_none(t.get("section")), _int_or_none(t.get("no"))) for t in payload.get("tasks") or []]


def _target_task_ref(target: dict, keys: list[tuple]) -> str:
    """The task a target hangs from, as a select value. A target without a section (an older
    draft, a hand-made payload) names its task by number, which is enough while unique."""
    raw = target.get("task")
    if raw in (None, ""):
        return ""
    no, section = _int_or_none(raw), _int_or_none(target.get("section"))
    if no is None:
        return str(raw)
    if (section, no) in keys:
        return task_ref(section, no)
    parts = [s for s, n in keys if n == no]
    if len(parts) == 1 and section is None:
        return task_ref(parts[0], no)
    return task_ref(section, no)


def rows(payload: dict, region, departments) -> dict:
    """How each written unit name will resolve, for the department-matching table; the tasks
    with the label they are referred to by; each target with the task it hangs from."""
    units = []
    for index, name in enumerate(unit_names(payload)):
        department = department_resolve(region, name)
        candidate = None if department else department_find_alias_candidate(region, name)
        units.append(
            {
                "index": index,
                "name": name,
                "department": department,
                "candidate": candidate[0] if candidate else None,
                "chosen": (payload.get("unit_choices") or {}).get(name),
            }
        )
    keys = _task_keys(payload)
    per_section = numbering_restarts((s, n) for s, n in keys if n is not None)
    tasks, choices = [], []
    for index, (task, (section, no)) in enumerate(zip(payload.get("tasks") or [], keys, strict=True)):
        label = task_label(section, no, per_section=per_section) if no is not None else f"（{task.get('no')}）"
        tasks.append({"index": index, "task": task, "label": label})
        if no is not None:
            choices.append((task_ref(section, no), f"{label}{task.get('title') or ''}"))
    known = {value for value, _text in choices}
    targets = []
    for index, target in enumerate(payload.get("targets") or []):
        value = _target_task_ref(target, keys)
        options = choices
        if value and value not in known:
            # Keep what the notice said, so confirming names the problem instead of dropping it.
            section, _sep, no = value.rpartition(":")
            shown = task_label(_int_or_none(section), no, per_section=section != "")
            options = [*choices, (value, _("%(label)s（未找到该任务）") % {"label": shown})]
        targets.append({"index": index, "target": target, "task_ref": value, "task_choices": options})
    return {"units": units, "tasks": tasks, "targets": targets}


def _list_field(value: str) -> list[str]:
    value = value.replace("，", "、").replace(",", "、").replace("\n", "、")
    return [part.strip() for part in value.split("、") if part.strip()]


def payload_from_post(payload: dict, post) -> tuple[dict, dict[str, int | None]]:
    """Apply the edited form fields onto a copy of the extracted payload."""
    new = copy.deepcopy(payload)
    for key in ("title", "issuer", "doc_no", "issued_on"):
        if key in post:
            new[key] = post.get(key, "").strip()
    for i, task in enumerate(new.get("tasks") or []):
        for field in ("title", "deadline"):
            name = f"task-{i}-{field}"
            if name in post:
                task[field] = post.get(name, "").strip()
        for field in ("lead_units", "responsible_units"):
            name = f"task-{i}-{field}"
            if name in post:
                task[field] = _list_field(post.get(name, ""))
    kept_targets = []
    for i, target in enumerate(new.get("targets") or []):
        if post.get(f"target-{i}-delete"):
            continue
        for field in ("metric", "year", "kind", "base_year", "comparator", "value", "unit", "indicator", "task"):
            name = f"target-{i}-{field}"
            if name in post:
                raw = post.get(name, "").strip()
                if field == "task":
                    # "2:1" is task 1 of part 2; a bare number leaves the part to be found.
                    section, _sep, no = raw.rpartition(":")
                    target["task"] = int(no) if no.isdigit() else (None if no == "" else no)
                    target["section"] = int(section) if section.isdigit() else None
                elif field in ("year", "base_year", "indicator"):
                    target[field] = int(raw) if raw.isdigit() else (None if raw == "" else raw)
                else:
                    target[field] = raw
        kept_targets.append(target)
    new["targets"] = kept_targets
    choices: dict[str, int | None] = {}
    for index, name in enumerate(unit_names(payload)):
        raw = post.get(f"unit-{index}", "")
        if raw.isdigit():
            choices[name] = int(raw)
    new["unit_choices"] = choices
    return new, choices
