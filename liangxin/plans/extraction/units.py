"""牵头单位 / 责任单位 in the parenthesis that closes a task."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

LEAD_LABEL = r"牵头单位|牵头部门|主责单位|主办单位|牵头"
RESP_LABEL = r"责任单位|责任部门|配合单位|配合部门|协办单位|参与单位|协同单位|成员单位"
LABEL_RE = re.compile(rf"({LEAD_LABEL}|{RESP_LABEL})\s*[：:]")

# Words that end a unit list and are not part of any name.
_TRAILER = re.compile(
    r"(按照?职责分工(负责|落实)?|按职责(负责|落实)|分工负责|分别负责|按职能负责|共同负责|负责落实|负责|参与|配合|协助|牵头|等)+$"
)
# A unit's name ends like an office does; used only for parentheses with no label.
_UNIT_END = re.compile(
    r"(局|委|办|中心|部|院|厅|会|处|室|队|站|司|行|公司|集团|政府|街道|镇|乡|街|管委会|分局|支局|指挥部|园|园区|所|社|团|联|署|区|县|市)$"
)


@dataclass
class Units:
    lead: list[str] = field(default_factory=list)
    responsible: list[str] = field(default_factory=list)
    quote: str = ""
    spans: list[tuple[int, int]] = field(default_factory=list)


def _paren_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each outermost （…） in the canonical text, end exclusive.

    A bare （牵头） marks a unit inside a list and is not a list of its own.
    """
    return [(s, e) for s, e in _all_paren_spans(text) if text[s + 1 : e - 1] not in ("牵头", "牵头单位")]


def _all_paren_spans(text: str) -> list[tuple[int, int]]:
    spans, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch == "（":
            if depth == 0:
                start = i
            depth += 1
        elif ch == "）" and depth:
            depth -= 1
            if depth == 0:
                spans.append((start, i + 1))
    return spans


def _split_names(text: str, written: str, offset: int) -> list[tuple[str, str]]:
    """Split a list of names on 、，；.  Returns (canonical, written) pairs."""
    out = []
    for m in re.finditer(r"[^、，；,]+", text):
        name = m.group(0)
        s, e = m.start(), m.end()
        # Strip leading/trailing whitespace and the closing words.
        trail = _TRAILER.search(name)
        if trail and trail.start() > 0:
            e = s + trail.start()
        elif trail:
            continue
        canon_name = text[s:e].strip()
        if not canon_name:
            continue
        out.append((canon_name, written[offset + s : offset + e].strip()))
    return out


def _is_collective(name: str) -> bool:
    """各镇街, 各产业园, 各有关部门: bodies named collectively, not one office."""
    return name.startswith("各")


def _names_in(inner: str, written: str, offset: int, labelled: bool) -> list[tuple[str, str, str]]:
    """(kind, canonical name, written name) for each unit in a unit list."""
    parts: list[tuple[str, int, int]] = []  # (label kind, start, end) in inner
    if labelled:
        matches = list(LABEL_RE.finditer(inner))
        if matches[0].start() > 0:
            parts.append(("lead", 0, matches[0].start()))
        for k, m in enumerate(matches):
            end = matches[k + 1].start() if k + 1 < len(matches) else len(inner)
            kind = "lead" if re.fullmatch(LEAD_LABEL, m.group(1)) else "resp"
            parts.append((kind, m.end(), end))
    else:
        parts.append(("lead", 0, len(inner)))
    names: list[tuple[str, str, str]] = []
    for kind, ps, pe in parts:
        piece = inner[ps:pe]
        for clause in re.finditer(r"[^，；,。]+", piece):
            ctext = clause.group(0)
            ckind = kind
            # "县发改局牵头，县财政局配合" written without a colon.
            if re.search(r"牵头$", ctext):
                ckind = "lead"
            elif re.search(r"(配合|参与|协助)$", ctext):
                ckind = "resp"
            for canon_name, written_name in _split_names(ctext, written, offset + ps + clause.start()):
                # "县发改局（牵头）、县财政局": the marked unit leads.
                mark = re.search(r"（(牵头|牵头单位)）$", canon_name)
                if mark:
                    cut = len(canon_name) - mark.start()
                    names.append(("lead", canon_name[: -cut], written_name[: -cut]))
                    continue
                names.append((ckind, canon_name, written_name))
    return names


def _add(units: Units, names: list[tuple[str, str, str]]) -> None:
    for kind, canon_name, written_name in names:
        if _is_collective(canon_name) or kind == "resp":
            if written_name not in units.responsible:
                units.responsible.append(written_name)
        elif written_name not in units.lead:
            units.lead.append(written_name)


def parse_units(text: str, written: str) -> Units:
    """Read the unit parentheses of one task block (canonical + written text).

    Also reads a bare "牵头单位：…" / "责任单位：…" line at the end of a task,
    the way some notices print it without parentheses.
    """
    units = Units()
    quotes = []
    for s, e in _paren_spans(text):
        inner = text[s + 1 : e - 1]
        labelled = LABEL_RE.search(inner) is not None
        if not labelled and not _TRAILER.search(inner.rstrip("。")):
            continue
        names = _names_in(inner, written, s + 1, labelled)
        if not names:
            continue
        if not labelled and not all(_UNIT_END.search(n) or _is_collective(n) for _, n, _ in names):
            continue
        _add(units, names)
        quotes.append(written[s:e])
        units.spans.append((s, e))
    if not units.spans:
        spans = _paren_spans(text)
        for m in LABEL_RE.finditer(text):
            if any(a <= m.start() < b for a, b in spans) or not re.fullmatch(
                rf"{LEAD_LABEL}|{RESP_LABEL}", m.group(1)
            ):
                continue
            # From the first label to the end of its sentence or the block.
            start = m.start()
            end = text.find("。", start)
            end = len(text) if end < 0 else end
            if any(start < a < end for a, _ in spans):
                end = min(a for a, _ in spans if start < a < end)
            if m.group(1) == "牵头" or end - start > 200:
                break
            names = _names_in(text[start:end], written, start, True)
            _add(units, names)
            quotes.append(written[start:end])
            units.spans.append((start, end))
            break
    units.quote = "".join(quotes)
    return units
