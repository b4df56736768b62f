"""Document structure: header metadata, sections (一、…) and tasks (（一）…)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .numbers import cn_to_int
from .text import canon, join_lines

_CN = "一二三四五六七八九十百零〇两"
SECTION_RE = re.compile(rf"^([{_CN}]+)\s*[、.]\s*(.*)$")
TASK_RE = re.compile(rf"^（\s*([{_CN}]+)\s*）\s*(.*)$")

# 总体要求 and its kin hold the aims, not measures: numbered items under them
# (（一）指导思想 （二）工作目标) are preamble, not tasks.
PREAMBLE_SECTION = re.compile(r"总体要求|总体目标|指导思想|工作目标|主要目标|基本原则|目标任务$")


@dataclass
class Block:
    """A run of lines read as one paragraph: a section preamble or a task."""

    section: int | None
    task: int | None
    lines: list[str]
    written: str = ""
    text: str = ""  # canonical, index-aligned with ``written``

    def __post_init__(self) -> None:
        self.written = join_lines(self.lines)
        self.text = canon(self.written)


@dataclass
class Section:
    no: int
    title: str


@dataclass
class Task:
    no: int
    section: int | None
    title: str
    block: Block


@dataclass
class Layout:
    header: list[str]
    sections: list[Section] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)


def _typical_line_length(lines: list[str]) -> int:
    """Length of a full wrapped line, to tell a short heading line from a wrap."""
    lengths = sorted(len(x) for x in lines if len(x) >= 8)
    if not lengths:
        return 0
    return lengths[int(len(lengths) * 0.75)]


def _strip_end(title: str) -> str:
    return title.strip().rstrip("。.：:；;，,").strip()


_UNIT_PAREN_IN_TITLE = re.compile(r"（(牵头|责任|配合)(单位|部门)?[：:].*$")


def _task_title(first: str, rest: list[str], typical: int) -> str:
    """The short heading before the first 。, without a unit parenthesis."""
    title = _task_title_raw(first, rest, typical)
    m = _UNIT_PAREN_IN_TITLE.search(canon(title))
    return _strip_end(title[: m.start()]) if m else title


def _task_title_raw(first: str, rest: list[str], typical: int) -> str:
    if "。" in canon(first):
        return _strip_end(first[: canon(first).index("。")])
    if rest and (len(first) < typical * 0.8 or not typical):
        # A heading on a line of its own ("（四）加快数字基础设施建设").
        return _strip_end(first)
    joined = join_lines([first, *rest])
    c = canon(joined)
    end = c.find("。")
    paren = c.find("（")
    if end < 0 or (0 <= paren < end and re.match(r"（(牵头|责任)", c[paren:])):
        end = paren if paren >= 0 else len(joined)
    return _strip_end(joined[:end])


def parse_layout(lines: list[str]) -> Layout:
    """Cut the cleaned lines into header, sections and tasks.

    Headings are recognised only at the start of a line and only in sequence
    (一 then 二…; a task number is the previous one plus one, or 1 again after
    a new section), so a wrapped line that happens to start with "二、" is not
    taken for a heading.
    """
    typical = _typical_line_length(lines)
    canon_lines = [canon(x) for x in lines]

    # First pass: where are the headings?
    marks: list[tuple[int, str, int, str]] = []  # (line index, kind, no, rest)
    next_section, last_task = 1, 0
    for i, c in enumerate(canon_lines):
        m = SECTION_RE.match(c)
        if m:
            try:
                no = cn_to_int(m.group(1))
            except ValueError:
                no = -1
            if no == next_section:
                marks.append((i, "section", no, lines[i][len(c) - len(m.group(2)):]))
                next_section += 1
                continue
        m = TASK_RE.match(c)
        if m:
            try:
                no = cn_to_int(m.group(1))
            except ValueError:
                continue
            restart = no == 1 and (not marks or marks[-1][1] == "section" or last_task == 0)
            if no == last_task + 1 or restart:
                marks.append((i, "task", no, lines[i][len(c) - len(m.group(2)):]))
                last_task = no

    layout = Layout(header=lines[: marks[0][0]] if marks else lines)
    if not marks:
        return layout

    section_no: int | None = None
    preamble_section = False
    for k, (i, kind, no, rest) in enumerate(marks):
        end = marks[k + 1][0] if k + 1 < len(marks) else len(lines)
        body = lines[i + 1 : end]
        if kind == "section":
            title = rest
            if "。" in canon(title):
                body = [title[canon(title).index("。") + 1 :], *body]
                title = title[: canon(title).index("。")]
            elif not title and body:
                title, body = body[0], body[1:]
            section_no = no
            layout.sections.append(Section(no, _strip_end(title)))
            preamble_section = bool(PREAMBLE_SECTION.search(canon(title)))
            layout.blocks.append(Block(section_no, None, [x for x in body if x]))
            continue
        first = rest
        block = Block(section_no, None if preamble_section else no, [first, *body] if first else body)
        layout.blocks.append(block)
        if preamble_section:
            continue
        title = _task_title(first, body, typical) if first else _task_title(body[0], body[1:], typical) if body else ""
        layout.tasks.append(Task(no, section_no, title, block))
    return layout


# ---------------------------------------------------------------- header ---

DOC_NO_RE = re.compile(
    r"([\u4e00-\u9fff]{1,12}?)\s*[〔\[［【（(﹝]\s*((?:19|20)\d{2})\s*[〕\]］】）)﹞]\s*第?\s*(\d{1,4})\s*[号號]"
)
_ISSUER_TAIL = r"(?:人民政府办公厅|人民政府办公室|人民政府|政府办公室|政府办公厅|办公厅|办公室)"
ISSUER_RE = re.compile(rf"([\u4e00-\u9fff]{{2,20}}?(?:省|市|县|区|州|盟|旗|自治区|自治州|自治县)){_ISSUER_TAIL}")
DATE_RE = re.compile(r"((?:19|20)\d{2})年(\d{1,2})月(\d{1,2})日")
CN_DATE_RE = re.compile(r"([二〇○零一三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})日")
KIND_RE = re.compile(r"(工作方案|实施方案|行动方案|若干举措|若干措施|工作措施|政策措施|实施细则|实施意见|工作举措)$")


def find_doc_no(header: list[str]) -> tuple[str, str]:
    """发文字号 at the start of a header line, normalised to X〔2024〕4号."""
    for line in header[:15]:
        c = canon(line)
        m = DOC_NO_RE.search(c)
        if m and m.start() <= 2 and len(c) - len(m.group(0)) <= 12:
            start = m.start(1)
            quote = line[start : m.end()]
            return f"{m.group(1)}〔{m.group(2)}〕{int(m.group(3))}号", quote
    return "", ""


def find_title(header: list[str]) -> str:
    joined = canon(join_lines(header))
    m = re.search(r"关于印发(.+?)的通知", joined)
    if m:
        title = m.group(1)
    else:
        title = ""
        for i, line in enumerate(header):
            c = canon(line)
            if KIND_RE.search(c.strip("《》")) and "。" not in c and "，" not in c:
                parts = [c]
                j = i - 1
                while j >= 0 and len(parts) < 3:
                    prev = canon(header[j])
                    if re.search(r"[。，：；]|\d{4}年|号$|政府$|办公[厅室]$|发布）$", prev):
                        break
                    parts.insert(0, prev)
                    j -= 1
                title = "".join(parts)
                break
    return title.replace("《", "").replace("》", "").replace("〈", "").replace("〉", "").strip()


def body_start(lines: list[str], title: str) -> int:
    """Index of the line after the last standalone copy of the plan title, else 0."""
    if not title:
        return 0
    want = re.sub(r"[《》\s]", "", canon(title))
    found = 0
    for i in range(len(lines)):
        joined = ""
        for j in range(i, min(i + 3, len(lines))):
            joined += re.sub(r"[《》\s]", "", canon(lines[j]))
            if joined == want:
                found = j + 1
                break
            if len(joined) >= len(want):
                break
    return found


def find_issuer(header: list[str], all_lines: list[str]) -> str:
    joined = [canon(x) for x in header]
    for i, c in enumerate(joined):
        k = c.find("关于")
        if k < 0:
            continue
        before = c[:k]
        m = ISSUER_RE.search(before)
        if m:
            return m.group(0)
        for j in range(i - 1, max(-1, i - 3), -1):
            m = ISSUER_RE.fullmatch(joined[j]) or ISSUER_RE.search(joined[j])
            if m:
                return m.group(0)
        break
    # The signature line above the date (落款).
    for i, c in enumerate(joined):
        if DATE_RE.fullmatch(c) and i > 0:
            m = ISSUER_RE.fullmatch(joined[i - 1])
            if m:
                return m.group(0)
    for line in all_lines[-6:]:
        m = ISSUER_RE.fullmatch(canon(line))
        if m:
            return m.group(0)
    return ""


def region_of(issuer: str) -> str:
    return re.sub(_ISSUER_TAIL + "$", "", issuer)


def region_from_title(title: str) -> str:
    """松岭县推动… → 松岭县, when no issuer is printed (plan text without its cover notice)."""
    m = re.match(r"^([\u4e00-\u9fff]{1,10}?(?:自治区|自治州|自治县|省|市|县|区|州|盟|旗))", title)
    return m.group(1) if m else ""


def _date_in(c: str) -> str | None:
    m = DATE_RE.search(c)
    if m:
        y, mo, d = (int(x) for x in m.groups())
        return f"{y:04d}-{mo:02d}-{d:02d}"
    m = CN_DATE_RE.search(c)
    if m:
        y, mo, d = (cn_to_int(x) for x in m.groups())
        return f"{y:04d}-{mo:02d}-{d:02d}"
    return None


def find_date(header: list[str], all_lines: list[str]) -> str:
    """成文日期: a line holding only a date, in the header, else at the end."""
    for pool in (header, all_lines[-8:]):
        for line in pool:
            c = canon(line)
            if len(c) <= 14 and not c.endswith("印发"):
                d = _date_in(c)
                if d:
                    return d
    for line in header:
        c = canon(line)
        if "印发" not in c[-3:]:
            d = _date_in(c)
            if d:
                return d
    return ""


def find_kind(title: str) -> str:
    m = KIND_RE.search(title)
    return m.group(1) if m else ""
