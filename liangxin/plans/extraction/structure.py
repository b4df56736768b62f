"""Document structure: header metadata, sections (一、…) and tasks (（一）…).

Notices number their parts in several ways.  Sections: 一、 (also 一.),
第一章 / 第一部分, or unnumbered 【总体要求】 lines in a notice with no numbered
sections.  Tasks: （一） (also half-width (一)), 第一条, 1. / 1、, （1）, 1）, or
inline 一是……；二是…… in a section that has no numbered tasks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .numbers import cn_to_int
from .text import canon, join_lines

_CN = "一二三四五六七八九十百零〇两"
SECTION_RE = re.compile(rf"^([{_CN}]+)\s*[、.]\s*(.*)$")
CHAPTER_RE = re.compile(rf"^第([{_CN}]+)(?:章|部分)\s*[、.：]?\s*(.*)$")
# 【总体要求】 on a line of its own (canonical text turns 【】 into 〔〕).
BRACKET_HEADING_RE = re.compile(r"^〔([\u4e00-\u9fff、，和与及]{2,24})〕$")
TASK_RE = re.compile(rf"^（\s*([{_CN}]+)\s*）\s*(.*)$")

# Task numbering styles, in the order a notice ranks them when it nests
# several: the highest-ranked style found under a section is that section's
# task level, the others are sub-items inside its tasks.  An article (第五条)
# may list its points as （一）（二）, so articles rank first.
TASK_STYLES: tuple[tuple[str, re.Pattern], ...] = (
    # 第三条规定 on a wrapped line cites a law; it does not open an article.
    ("article", re.compile(rf"^第([{_CN}]+)条(?!规定|的|之|中|和|、|第|款|至)\s*[、.：]?\s*(.*)$")),
    ("cn_paren", TASK_RE),
    # 1.5万辆 on a wrapped line is a number, not an item.
    ("arabic", re.compile(r"^(\d{1,2})\s*[.、](?!\d)\s*(.*)$")),
    ("arabic_paren", re.compile(r"^（\s*(\d{1,2})\s*）\s*(.*)$")),
    ("arabic_half", re.compile(r"^(\d{1,2})）\s*(.*)$")),
)

# 总体要求 and its kin hold the aims, not measures: numbered items under them
# (（一）指导思想 （二）工作目标) are preamble, not tasks.  总则/附则 are the
# chapters of an article-style notice that frame the measures.
PREAMBLE_SECTION = re.compile(
    r"总体要求|总体目标|指导思想|工作目标|主要目标|基本原则|目标任务$|^总则$|^附则$"
)
# 第一条 为……，制定本措施 / 本措施自……起施行: articles that frame the measures.
# 为购买新能源汽车的消费者提供补贴 opens with 为 too, and is a measure.
FRAMING_ARTICLE = re.compile(r"^(为[^。]*(制定|提出)(本|如下|以下)|本(措施|方案|办法|细则|意见|政策|通知))")
# 一是……；二是……: an item starts a clause (or the text) and names its rank.
INLINE_ITEM_RE = re.compile(r"(?:^|(?<=[。；，：]))([一二三四五六七八九十]{1,3})是")


@dataclass
class Block:
    """A run of lines read as one paragraph: a section preamble or a task."""

    section: int | None
    task: int | None
    lines: list[str]
    written: str = ""
    text: str = ""  # canonical, index-aligned with ``written``
    # Blocks cut from one 一是/二是 paragraph share an id: a year stated in
    # one holds in the next, and a unit parenthesis closing the paragraph
    # may belong to all of its items.
    paragraph: int | None = None

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


# A unit list is no part of a title, labelled (（牵头单位：…）) or not (（县农业农村局负责）).
_UNIT_PAREN_IN_TITLE = re.compile(
    r"（(?:(牵头|责任|配合)(单位|部门)?[：:]|[^（）]*(负责|牵头|配合|落实)）).*$"
)


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


def _inline_title(written: str) -> str:
    """Heading of an inline item (一是加强组织领导，成立工作专班；……).

    A short sentence closed by 。 before any ； is a heading sentence
    (一是迭新跃进，推动高端化升级。……) and is kept whole; otherwise the item is
    a clause and its heading is its first phrase, up to ，/；/。.
    """
    c = canon(written)
    m = _UNIT_PAREN_IN_TITLE.search(c)
    if m:
        written, c = written[: m.start()], c[: m.start()]
    dot, semi = c.find("。"), c.find("；")
    if 0 <= dot <= 16 and (semi < 0 or dot < semi) and not re.search(r"\d", c[:dot]):
        return _strip_end(written[:dot])
    # A first phrase shorter than four characters (一是要，……) is no heading.
    stop = re.search(r"[，；。]", c[4:])
    return _strip_end(written[: 4 + stop.start()] if stop else written)


def _inline_items(text: str) -> list[tuple[int, int, int]]:
    """(start of 一是, start of the item's text, its number) for each item, in sequence.

    A list needs at least 一是 and 二是.  A second list in the same text
    (一是 again after the first list ended) continues the count, so that
    task numbers stay distinct within the section.
    """
    items: list[tuple[int, int, int]] = []
    run: list[tuple[int, int, int]] = []
    offset = 0

    def close() -> None:
        nonlocal offset
        if len(run) >= 2:
            items.extend((a, b, offset + n) for a, b, n in run)
            offset += len(run)
        run.clear()

    for m in INLINE_ITEM_RE.finditer(text):
        try:
            n = cn_to_int(m.group(1))
        except ValueError:
            continue
        if n == 1:
            close()
            run.append((m.start(), m.end(), 1))
        elif run and n == run[-1][2] + 1:
            run.append((m.start(), m.end(), n))
    close()
    return items


def _preamble_start(header: list[str], whole_text: bool = False) -> int:
    """Index of the first line of the plan's own preamble (前言) within the header.

    Skips the cover letter: everything up to its date, its 此件公开发布 mark,
    the 关于印发…的通知 line or a title line, whichever comes last.  When the
    header is the whole text (no heading at all), the signature and date
    closing the plan are not taken for the cover letter's.
    """
    end = len(header)
    while whole_text and end and _closing_line(canon(header[end - 1])):
        end -= 1
    start = 0
    for i, line in enumerate(header[:end]):
        c = canon(line)
        # A prose line wrapped just after 工作方案 has punctuation; a title has none.
        titled = not re.search(r"[，。；]", c) and (c.endswith("的通知") or KIND_RE.search(c.strip("《》")))
        if titled or _closing_line(c):
            start = i + 1
    return start


def _closing_line(c: str) -> bool:
    """A signature's date, issuer or 此件公开发布 mark."""
    return bool(
        (len(c) <= 14 and _date_in(c)) or re.fullmatch(r"（此件[^）]*）", c) or ISSUER_RE.fullmatch(c)
    )


def _section_heading(
    c: str, style: str | None, next_no: int, bracket_ok: bool
) -> tuple[str, int, int] | None:
    """(style, number, length of the title part) if the line opens the next section."""
    for name, regex in (("cn", SECTION_RE), ("chapter", CHAPTER_RE)):
        if style not in (None, name):
            continue
        m = regex.match(c)
        if not m:
            continue
        try:
            no = cn_to_int(m.group(1))
        except ValueError:
            continue
        if no == next_no:
            return name, no, len(m.group(2))
    if bracket_ok and style in (None, "bracket"):
        m = BRACKET_HEADING_RE.match(c)
        # Not a unit label, nor a web page's 【打印本页】【关闭窗口】.
        if m and not re.search(r"单位|部门|打印|关闭|收藏|分享|字体|返回|窗口|顶部", m.group(1)):
            # parse_layout takes the line without its brackets as the title.
            return "bracket", next_no, len(c) - 1
    return None


def _task_marks(
    canon_lines: list[str], lo: int, hi: int, last_task: int, styles: tuple[tuple[str, re.Pattern], ...]
) -> tuple[list[tuple[int, int, int, str]], int]:
    """Task headings in lines lo..hi: (line index, number, length of the rest, style), and the last number.

    The highest-ranked style with a run in sequence (1 or last_task + 1 to
    start, then one more each time) is the task level; the others are left
    as sub-items.  An arabic run starting at 1 needs two items.
    """
    for name, regex in styles:
        found: list[tuple[int, int, int, str]] = []
        last = last_task
        for i in range(lo, hi):
            m = regex.match(canon_lines[i])
            if not m:
                continue
            try:
                no = cn_to_int(m.group(1))
            except ValueError:
                continue
            if no == last + 1 or (no == 1 and not found):
                found.append((i, no, len(m.group(2)), name))
                last = no
        # A lone "1." starting a run is more likely a wrapped line than a
        # list of one; a 总则 chapter may well hold 第一条 alone.
        if found and (name in ("cn_paren", "article") or len(found) >= 2 or found[0][1] > 1):
            return found, last
    return [], last_task


def parse_layout(lines: list[str]) -> Layout:
    """Cut the cleaned lines into header, sections and tasks.

    Headings are recognised only at the start of a line and only in sequence
    (一 then 二…; a task number is the previous one plus one, or 1 again after
    a new section), so a wrapped line that happens to start with "二、" is not
    taken for a heading.  Each section's task level is the highest-ranked
    numbering style found in it (TASK_STYLES).  Text before the first heading
    that follows the cover letter is a block of its own, so that targets in a
    plan's preamble or in an unnumbered 总体目标 paragraph are plan-level.
    """
    typical = _typical_line_length(lines)
    canon_lines = [canon(x) for x in lines]
    # 【】 lines are headings only in a notice that numbers no sections.
    bracket_ok = not any(
        (m := SECTION_RE.match(c) or CHAPTER_RE.match(c)) and m.group(1) == "一" for c in canon_lines
    )

    # First pass: where are the sections?
    section_marks: list[tuple[int, int, str]] = []  # (line index, no, rest)
    section_style: str | None = None
    for i, c in enumerate(canon_lines):
        sec = _section_heading(c, section_style, len(section_marks) + 1, bracket_ok)
        if sec:
            section_style, no, n_rest = sec
            rest = lines[i][1:-1] if section_style == "bracket" else lines[i][len(c) - n_rest :]
            section_marks.append((i, no, rest))

    # Second pass: the tasks of each section.  Before the first section only
    # （一） counts, as it always did: a cover letter's "1." points are not tasks.
    marks: list[tuple[int, str, int, str, str]] = []  # (line index, kind, no, rest, style)
    bounds = [i for i, _, _ in section_marks] + [len(lines)]
    styles = TASK_STYLES[1:2] if section_marks else TASK_STYLES
    found, last_task = _task_marks(canon_lines, 0, bounds[0], 0, styles)
    marks.extend((i, "task", no, lines[i][len(lines[i]) - n :], st) for i, no, n, st in found)
    for k, (i, no, rest) in enumerate(section_marks):
        marks.append((i, "section", no, rest, ""))
        found, last_task = _task_marks(canon_lines, i + 1, bounds[k + 1], last_task, TASK_STYLES)
        marks.extend((j, "task", n_, lines[j][len(lines[j]) - n :], st) for j, n_, n, st in found)

    first = marks[0][0] if marks else len(lines)
    layout = Layout(header=lines[:first])
    preamble = [x for x in lines[_preamble_start(layout.header, whole_text=not marks) : first] if x]
    if preamble:
        layout.blocks.append(Block(None, None, preamble))
    if not marks:
        return layout

    section_no: int | None = None
    preamble_section = False
    inline_lists = 0
    for k, (i, kind, no, rest, style) in enumerate(marks):
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
            preamble_section = bool(PREAMBLE_SECTION.search(canon(_strip_end(title))))
            body = [x for x in body if x]
            has_tasks = k + 1 < len(marks) and marks[k + 1][1] == "task"
            if not (has_tasks or preamble_section) and _split_inline(layout, section_no, body, inline_lists):
                inline_lists += 1
                continue
            layout.blocks.append(Block(section_no, None, body))
            continue
        first_line = rest
        lines_of_task = [first_line, *body] if first_line else body
        title = (
            _task_title(first_line, body, typical)
            if first_line
            else _task_title(body[0], body[1:], typical)
            if body
            else ""
        )
        # 第二条 工作目标 states aims; 第五条 支持企业实现工作目标 is a measure.
        framing = style == "article" and (
            PREAMBLE_SECTION.match(canon(title)) or FRAMING_ARTICLE.match(canon(join_lines(lines_of_task)))
        )
        not_task = preamble_section or framing
        block = Block(section_no, None if not_task else no, lines_of_task)
        layout.blocks.append(block)
        if not_task:
            continue
        layout.tasks.append(Task(no, section_no, title, block))
    return layout


def _split_inline(layout: Layout, section_no: int, body: list[str], list_id: int) -> bool:
    """Read a section's 一是……；二是…… paragraph as one task per item.

    Returns False (and adds nothing) when the section holds no such list.
    Text before the first item stays the section's own block.
    """
    written = join_lines(body)
    items = _inline_items(canon(written))
    if not items:
        return False
    head = written[: items[0][0]].strip()
    if head:
        layout.blocks.append(Block(section_no, None, [head], paragraph=list_id))
    for k, (_, start, no) in enumerate(items):
        end = items[k + 1][0] if k + 1 < len(items) else len(written)
        piece = written[start:end].strip()
        block = Block(section_no, no, [piece], paragraph=list_id)
        layout.blocks.append(block)
        layout.tasks.append(Task(no, section_no, _inline_title(piece), block))
    return True


# ---------------------------------------------------------------- header ---

DOC_NO_RE = re.compile(
    r"([\u4e00-\u9fff]{1,12}?)\s*[〔\[［【（(﹝]\s*((?:19|20)\d{2})\s*[〕\]］】）)﹞]\s*第?\s*(\d{1,4})\s*[号號]"
)
_ISSUER_TAIL = r"(?:人民政府办公厅|人民政府办公室|人民政府|政府办公室|政府办公厅|办公厅|办公室)"
ISSUER_RE = re.compile(
    rf"([\u4e00-\u9fff]{{2,20}}?(?:省|市|县|区|州|盟|旗|自治区|自治州|自治县)){_ISSUER_TAIL}"
)
DATE_RE = re.compile(r"((?:19|20)\d{2})年(\d{1,2})月(\d{1,2})日")
CN_DATE_RE = re.compile(
    r"([二〇○零一三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})日"
)
KIND_RE = re.compile(
    r"(工作方案|实施方案|行动方案|若干举措|若干措施|工作措施|政策措施|实施细则|实施意见|工作举措)$"
)


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
