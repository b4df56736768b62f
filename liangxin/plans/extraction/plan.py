"""Put the pieces together: text → plan dict (plan-format.md)."""

from __future__ import annotations

import re

from .structure import (
    body_start,
    find_date,
    find_doc_no,
    find_issuer,
    find_kind,
    find_title,
    parse_layout,
    region_from_title,
    region_of,
)
from .targets import YearCarry, extract_targets
from .text import canon, clean_lines, to_simplified
from .units import Units, parse_units


def _first_sentence(written: str) -> str:
    c = canon(written)
    end = c.find("。")
    return written[: end + 1] if end >= 0 else written


def _content(written: str, units_quote: str) -> str:
    """The task's text as written (具体内容), without its leading number and units parenthetical."""
    body = written.replace(units_quote, "") if units_quote else written
    body = re.sub(r"^\s*[（(]\s*[一二三四五六七八九十百零〇两]+\s*[）)]\s*", "", body)
    return body.strip()


def _closes_paragraph(units: Units, text: str) -> bool:
    """True when the block's only unit list stands after its last 。, closing the paragraph."""
    if len(units.spans) != 1:
        return False
    s, e = units.spans[0]
    return text[:s].rstrip().endswith("。") and not text[e:].strip("。；， ")


def _share_paragraph_units(tasks: list, units_of: dict[int, Units]) -> None:
    """一是……；二是……；三是……。（牵头单位：…）: a unit list after the whole list is every item's.

    Applies only when no other item of the paragraph names its own units.
    """
    by_paragraph: dict[int, list] = {}
    for task in tasks:
        if task.block.paragraph is not None:
            by_paragraph.setdefault(task.block.paragraph, []).append(task)
    for group in by_paragraph.values():
        last = units_of[id(group[-1].block)]
        if len(group) < 2 or not _closes_paragraph(last, group[-1].block.text):
            continue
        if any(units_of[id(t.block)].spans for t in group[:-1]):
            continue
        for t in group[:-1]:
            units_of[id(t.block)] = Units(last.lead, last.responsible, last.quote, [])


def _unique(names) -> list[str]:
    out: list[str] = []
    for name in names:
        if name not in out:
            out.append(name)
    return out


def extract_plan(text: str, *, source: str = "") -> dict:
    """Read a notice's text and return sections, tasks and targets.

    Extra keys beyond plan-format.md: ``kind`` and ``doc_no_quote`` at top
    level; ``quote`` and ``units_quote`` per task; ``quote`` and ``section``
    per target.  A target's ``section`` is the ``no`` of the section whose text
    states it: where task numbers restart in each section, ``task`` alone does
    not say which task 1 is meant, (``section``, ``task``) does.
    """
    lines = clean_lines(text)
    title = find_title(lines[:40])
    # The plan proper starts after its own title line; the cover letter above
    # it may number its points 一、二、 too.
    start = body_start(lines, title)
    layout = parse_layout(lines[start:])
    header = lines[:start] + layout.header
    doc_no, doc_no_quote = find_doc_no(header)
    issuer = find_issuer(header, lines)
    title = find_title(header) or title
    plan: dict = {
        "source": source,
        "doc_no": doc_no,
        "doc_no_quote": doc_no_quote,
        "issuer": issuer,
        "region": region_of(issuer) or region_from_title(canon(title)),
        "issued_on": find_date(header, lines),
        "title": title,
        "kind": find_kind(canon(title)),
        "sections": [{"no": s.no, "title": to_simplified(s.title)} for s in layout.sections],
        "tasks": [],
        "targets": [],
    }
    units_of = {id(t.block): parse_units(t.block.text, t.block.written) for t in layout.tasks}
    unit_spans = {k: u.spans for k, u in units_of.items()}
    _share_paragraph_units(layout.tasks, units_of)
    for task in layout.tasks:
        units = units_of[id(task.block)]
        plan["tasks"].append(
            {
                "no": task.no,
                "section": task.section,
                # Names as written, but in simplified characters: a 繁體 copy of
                # a notice names the same offices as the simplified one.
                "title": to_simplified(task.title),
                "lead_units": _unique(to_simplified(u) for u in units.lead),
                "responsible_units": _unique(to_simplified(u) for u in units.responsible),
                "quote": _first_sentence(task.block.written),
                "units_quote": units.quote,
                "content": _content(task.block.written, units.quote),
            }
        )
    carries: dict[int, YearCarry] = {}
    for block in layout.blocks:
        spans = unit_spans.get(id(block))
        if spans is None:
            spans = parse_units(block.text, block.written).spans
        carry = None if block.paragraph is None else carries.setdefault(block.paragraph, YearCarry())
        for row in extract_targets(block.text, block.written, spans, carry):
            plan["targets"].append(
                {
                    "task": block.task,
                    "section": block.section,
                    "metric": row.metric,
                    "year": row.year,
                    "kind": row.kind,
                    "base_year": row.base_year,
                    "comparator": row.comparator,
                    "value": row.value,
                    "unit": to_simplified(row.unit),
                    "quote": row.quote,
                }
            )
    return plan
