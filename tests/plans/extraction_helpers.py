"""Shared helpers for the extractor tests (no Django needed)."""

from __future__ import annotations

from liangxin.plans.extraction import extract_plan

FIELDS = ("task", "metric", "year", "kind", "base_year", "comparator", "value", "unit")


def rows(plan: dict) -> list[tuple]:
    """Targets as comparable tuples."""
    return [tuple(t[k] for k in FIELDS) for t in plan["targets"]]


def preamble_targets(paragraph: str) -> list[tuple]:
    """Targets of a paragraph placed in a plan's 总体要求 section."""
    text = f"某某县推动大规模设备更新和消费品以旧换新工作方案\n\n一、总体要求\n\n{paragraph}\n"
    return [r[1:] for r in rows(extract_plan(text))]


def task_plan(*tasks: str, section: str = "重点任务") -> dict:
    """A plan whose second section holds the given task paragraphs."""
    body = "\n".join(tasks)
    return extract_plan(
        f"某某县推动大规模设备更新和消费品以旧换新工作方案\n一、总体要求\n推动设备更新。\n二、{section}\n{body}\n"
    )


TITLE = "某某县推动大规模设备更新和消费品以旧换新工作方案"


def plan_of(*lines: str) -> dict:
    """A plan made of the given lines under a title line."""
    return extract_plan("\n".join([TITLE, *lines]) + "\n")


def task_rows(plan: dict) -> list[tuple]:
    """Tasks as (no, section, title, lead units, responsible units)."""
    return [
        (t["no"], t["section"], t["title"], t["lead_units"], t["responsible_units"]) for t in plan["tasks"]
    ]
