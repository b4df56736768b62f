"""The import preview: what the extractor read, laid out for correction, and the user's
corrections read back from the form. Pure data shaping; the import itself is a service."""

import copy

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


def rows(payload: dict, region, departments) -> dict:
    """How each written unit name will resolve, for the department-matching table."""
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
    return {"units": units}


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
                if field in ("year", "base_year", "task", "indicator"):
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
