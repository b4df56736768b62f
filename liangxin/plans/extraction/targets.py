"""Quantitative targets (量化目标) in a paragraph of canonical text.

A paragraph is read sentence by sentence.  The year stated last (到2025年,
到2025年和2027年) carries over until another is stated; 每年 makes the rest of
its sentence recurring; 分别 pairs a list of values with a list of years or of
metrics.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .numbers import clean_number, fold, parse_number

# Measure words, longest first so that 个百分点 wins over 个.
_UNITS = [
    "个百分点",
    "百分点",
    "个工作日",
    "工作日",
    "%",
    "台（套）",
    "台套",
    "辆次",
    "人次",
    "万千瓦",
    "千瓦时",
    "千瓦",
    "兆瓦",
    "平方米",
    "公里",
    "千米",
    "标准箱",
    "元",
    "辆",
    "家",
    "个",
    "台",
    "套",
    "场",
    "项",
    "次",
    "座",
    "所",
    "条",
    "吨",
    "户",
    "人",
    "张",
    "件",
    "部",
    "处",
    "亩",
    "根",
    "块",
    "种",
    "款",
    "艘",
    "架",
    "期",
]
UNIT_ALT = "|".join(re.escape(u) for u in _UNITS)
NUM = r"\d+(?:,\d{3})*(?:\.\d+)?"
CN_NUM = r"[两一二三四五六七八九十百千]+"
VALUE_RE = re.compile(
    rf"(?<![\d.,])(?P<num>{NUM}|(?<![一二三四五六七八九十两百千]){CN_NUM})"
    rf"(?:(?P<range>[～\-—–至到])(?P<num2>{NUM}))?"
    rf"(?P<mag>万|亿)?(?P<unit>{UNIT_ALT})"
)
RATIO_RE = re.compile(rf"(?<![\d.])(?P<num>{NUM})：(?P<den>{NUM})(?![\d])")
DOUBLE_RE = re.compile(r"(?P<about>约)?(?P<num>一|两|三)倍|翻(?P<fan>一|两)番")

SUFFIX_RE = re.compile(r"^(及以上|以上|左右|上下|以内|及以下|以下)")
YEAR_PAIR_RE = re.compile(r"(?<!\d)(20\d{2})年?(?:底|末)?(?:和|、|及|与|以及)(20\d{2})年(?:底|末|前)?")
YEAR_RE = re.compile(r"(?<!\d)(20\d{2})年(?:底|末|前)?(?!\d{1,2}月)")
BASE_RE = re.compile(r"(?:较|比|相比于?|与|对比|同)(20\d{2})年|(?<!\d)(20\d{2})年(?:的)?基础上")
ANNUAL_RE = re.compile(r"每年|每一年|年度内")

# Words that sit between a metric and its number; stripped from the metric's end.
_TERMINATOR = re.compile(
    r"(分别|均|都|累计|达到|达|超过|超|突破|不低于|不少于|不高于|不超过|不多于|低于|高于|大于|少于|多于"
    r"|控制在|保持在|稳定在|提高到|提高至|提升到|提升至|增加到|增加至|增长到|增长至|下降到|下降至|降低到"
    r"|降至|降到|同比|年均|年平均|大约|约|为|力争|确保"
    r"|(?:较|比|相比于?|对比)(?:20\d{2}年|上年|去年|上一年)(?:同期)?|与20\d{2}年相比|在?20\d{2}年(?:的)?基础上"
    r"|(?:到|至|截至)?20\d{2}年(?:底|末|前)?|每年)$"
)
_LEADING = re.compile(
    r"^(、|和|及|并|且|其中|同时|分别|力争|确保|争取|全力|累计|预计|每年|年均"
    r"|(?:到|至|截至|截止)?20\d{2}年(?:底|末|前)?(?:[和、及与]20\d{2}年(?:底|末|前)?)?|前)"
)
_LEADING_VERB = re.compile(r"^(建成|建设|培育|创建|开通|打造|新建|认定|引进|实现)")
_QUALIFIER = re.compile(
    r"(?:使用|运行|服役|单体投资|总投资|投资)?(?:超过)?\d+(?:\.\d+)?[万亿]?[\u4e00-\u9fff]?(?:及)?(?:以上|以下)的?"
    r"(?=[\u4e00-\u9fff“])"
)
_GROWTH_VERB = re.compile(r"(增长|增加|提高|提升|下降|降低|减少)(约|了)?$")
# "从3个方面": a count that describes the text, not a target.
_DESCRIPTIVE_NEXT = re.compile(r"方面|层面|维度|环节|部分|步骤|阶段")
_CN_BAD_NEXT = re.compile(
    r"项目|个体|个人|个性|场景|场所|家庭|家电|家居|台账|条件|条例|部门|部署|处理|次数|人员|人民|户外|座谈|所属|种类|件事|期间"
)
_CLAUSE_END = "，；。：,;"


@dataclass
class Candidate:
    start: int
    end: int  # after unit and suffix words
    value: float
    unit: str
    comparator_suffix: str
    is_range: bool
    growth_word: bool = False  # 一倍 / 翻一番: a growth in itself
    about: bool = False


def _unit_name(unit: str) -> str:
    if unit in ("台（套）", "台套"):
        return "台"
    if unit in ("个百分点", "个工作日"):
        return unit[1:]
    return unit


def find_candidates(text: str, context_ok) -> list[Candidate]:
    """Numbers with a measure word that may be targets, in text order."""
    out: list[Candidate] = []
    for m in VALUE_RE.finditer(text):
        s, e = m.span()
        before = text[s - 1] if s else ""
        after = text[e] if e < len(text) else ""
        if before in "+＋第前“" or after in "+＋”" or re.match(r"[A-Za-z]", after):
            continue
        num = m.group("num")
        is_cn = not num[0].isdigit()
        suffix_m = SUFFIX_RE.match(text[e:])
        suffix = suffix_m.group(1) if suffix_m else ""
        end = e + len(suffix)
        nxt = text[end] if end < len(text) else ""
        # 单体投资500万元以上的项目, 使用10年以上的设备: a qualifier, not a target.
        if _DESCRIPTIVE_NEXT.match(text[end:]):
            continue
        # ...but 80%以上的企业 is a share the plan is held to.
        if nxt == "的" and m.group("unit") != "%":
            continue
        if (
            suffix in ("以上", "及以上")
            and re.search(r"投资|规模|金额|总额", text[max(0, s - 4) : s])
            and nxt
            and nxt not in _CLAUSE_END + "、"
        ):
            continue
        if is_cn:
            if num == "一" or _CN_BAD_NEXT.match(text[e - len(m.group("unit")) :]) or before == "“":
                continue
            if not (suffix or context_ok(s)):
                continue
        try:
            value = parse_number(num)
        except ValueError:
            continue
        out.append(
            Candidate(
                s,
                end,
                fold(value, m.group("mag")),
                _unit_name(m.group("unit")),
                suffix,
                bool(m.group("range")),
            )
        )
    for m in RATIO_RE.finditer(text):
        den = parse_number(m.group("den"))
        if not den:
            continue
        suffix_m = SUFFIX_RE.match(text[m.end() :])
        suffix = suffix_m.group(1) if suffix_m else ""
        out.append(
            Candidate(
                m.start(),
                m.end() + len(suffix),
                clean_number(parse_number(m.group("num")) / den),
                "ratio",
                suffix,
                False,
            )
        )
    for m in DOUBLE_RE.finditer(text):
        if not (
            m.group("fan") or re.search(r"(增加|增长|提高|提升|翻)$", text[max(0, m.start() - 2) : m.start()])
        ):
            continue
        if m.group("fan"):
            value = 100 if m.group("fan") == "一" else 300
        else:
            value = {"一": 100, "两": 200, "三": 300}[m.group("num")]
        out.append(
            Candidate(
                m.start(), m.end(), value, "%", "", False, growth_word=True, about=bool(m.group("about"))
            )
        )
    out.sort(key=lambda c: c.start)
    return out


def _comparator(c: Candidate, zone: str) -> str:
    """以上/不低于/达到 → >=, 超过/突破 → >, 左右/约 → ~, 不超过/以内 → <=; a range → >=."""
    if c.is_range:
        return ">="
    if (
        c.about
        or c.comparator_suffix in ("左右", "上下")
        or re.search(r"(^|[达到为加长至在])约$|大约$|约$", zone)
    ):
        return "~"
    if c.comparator_suffix in ("以上", "及以上"):
        return ">="
    if c.comparator_suffix in ("以内", "以下", "及以下"):
        return "<="
    if re.search(r"不低于|不少于|不小于", zone):
        return ">="
    if re.search(r"不超过|不高于|不多于|控制在|低于|少于|以内", zone):
        return "<="
    if re.search(r"超过|突破|高于|大于|多于|超$", zone):
        return ">"
    return ">="


_GROWTH_TERMINATOR = re.compile(r"(提高|提升|增长|增加|下降|降低|减少)$")


def _clean_metric(pre: str, growth: bool = True) -> tuple[str, str]:
    """Split the text before a number into (metric, verb zone).

    Growth verbs (增长, 提升…) end a metric only before a percentage or a
    doubling; before a count they are part of the action (改造提升30个市场).
    """
    metric = pre
    while True:
        m = _TERMINATOR.search(metric) or (_GROWTH_TERMINATOR.search(metric) if growth else None)
        if not m or m.start() == 0 and m.group(0) == metric and len(metric) > 6:
            break
        metric = metric[: m.start()]
        if not metric:
            break
    zone = pre[len(metric) :]
    while True:
        m = _LEADING.match(metric)
        if not m or not m.group(0):
            break
        metric = metric[m.end() :]
    # 投资1000万元以上的项目: the qualifier goes unless nothing else is left.
    if len(_QUALIFIER.sub("", metric)) >= 4:
        metric = _QUALIFIER.sub("", metric)
    # 　 only comes from a blanked unit parenthesis (canon maps real ones to a space).
    return metric.replace("　", "").strip("，、；：“”"), zone


def _tail(text: str, start: int, stop: int) -> str:
    """Noun phrase after the number (每年举办5场以上新能源汽车展销活动)."""
    tail = text[start:stop]
    # A unit parenthesis right after the number is blanked with 　 (see
    # extract_targets) and ends the noun phrase like punctuation does.
    m = re.search(r"[，；。：　]", tail)
    if m:
        tail = tail[: m.start()]
    if tail.startswith(("、", "和", "（")):
        return ""
    tail = _QUALIFIER.sub("", tail)
    tail = re.sub(r"^(?:以上|左右|的)", "", tail)
    return tail.rstrip("等").strip("“”")


@dataclass
class YearCarry:
    """The year in force at the end of a block, handed to the next block of the same paragraph.

    A 一是……；二是…… paragraph is cut into one block per item, but a year
    stated in its lead-in (到2025年，重点做好以下工作：一是……) still holds
    for every item.
    """

    years: list[int] = field(default_factory=list)


@dataclass
class Row:
    metric: str
    year: int | None
    kind: str
    base_year: int | None
    comparator: str
    value: float
    unit: str
    quote: str


def extract_targets(
    text: str, written: str, blank: list[tuple[int, int]] | None = None, carry: YearCarry | None = None
) -> list[Row]:
    """Targets stated in one paragraph.  ``text`` is canonical, ``written`` aligned.

    ``carry``, when given, holds the year in force before the paragraph and
    receives the one in force after it.
    """
    if blank:
        chars = list(text)
        for s, e in blank:
            chars[s:e] = "　" * (e - s)
        text = "".join(chars)
    rows: list[Row] = []
    years: list[int] = list(carry.years) if carry else []
    last_metric = ""

    for sent in re.finditer(r"[^。]+。?", text):
        s0, s1 = sent.span()
        sentence = text[s0:s1]
        # Events in this sentence: year statements (not base years) and 每年.
        base_spans = [m.span() for m in BASE_RE.finditer(sentence)]

        def is_base(a: int, b: int, base_spans=base_spans) -> bool:
            return any(x <= a < y or a <= x < b for x, y in base_spans)

        year_events: list[tuple[int, list[int]]] = []
        for m in YEAR_PAIR_RE.finditer(sentence):
            if not is_base(*m.span()):
                year_events.append((m.start(), [int(m.group(1)), int(m.group(2))]))
        paired = [(p, p + 12) for p, _ in year_events]
        for m in YEAR_RE.finditer(sentence):
            if is_base(*m.span()) or any(a <= m.start() < b for a, b in paired):
                continue
            year_events.append((m.start(), [int(m.group(1))]))
        year_events.sort()
        annual_events = [m.start() for m in ANNUAL_RE.finditer(sentence)]

        def context_ok(
            p: int, _years=year_events, _annual=annual_events, _s0=s0, sentence=sentence, years=years
        ) -> bool:
            rel = p - _s0
            window = sentence[max(0, rel - 8) : rel]
            return bool(
                years
                or any(a < rel for a, _ in _years)
                or any(a < rel for a in _annual)
                or re.search(r"达到|不少于|不低于|超过|突破|力争", window)
            )

        cands = find_candidates(sentence, lambda p, s0=s0, context_ok=context_ok: context_ok(p + s0))
        # Group members of a 分别 list: consecutive values joined by 、/和.
        k = 0
        prev_end_in_clause = 0
        while k < len(cands):
            c = cands[k]
            clause_start = max((sentence.rfind(ch, 0, c.start) for ch in _CLAUSE_END), default=-1) + 1
            region_start = max(clause_start, prev_end_in_clause)
            # Years and 每年 stated before this number.
            for p, ys in year_events:
                if p < c.start:
                    years = ys
            annual = any(a < c.start for a in annual_events) and not any(
                a < p < c.start for a in annual_events for p, _ in year_events
            )
            group = [c]
            fenbie = sentence.rfind("分别", region_start, c.start)
            if fenbie >= 0:
                j = k + 1
                while j < len(cands):
                    gap = sentence[group[-1].end : cands[j].start]
                    if re.fullmatch(r"[、和及与]", gap):
                        group.append(cands[j])
                        j += 1
                    else:
                        break
            last = group[-1]
            nxt_start = cands[k + len(group)].start if k + len(group) < len(cands) else len(sentence)
            stop = nxt_start
            if nxt_start < len(sentence):
                cut = sentence.rfind("、", last.end, nxt_start)
                if cut >= 0:
                    stop = cut
            tail = _tail(sentence, last.end, stop)
            pre = sentence[region_start : c.start]
            growth_ok = c.unit in ("%", "百分点") or c.growth_word
            metric, zone = _clean_metric(pre, growth_ok)
            metric_parts = [metric]
            if len(group) > 1 and fenbie >= 0:
                before_fenbie = sentence[region_start:fenbie]
                m_clean, _ = _clean_metric(before_fenbie, growth_ok)
                # 普及率 holds 及, so split on 、 first and on 和 only if short of parts.
                parts = [p for p in m_clean.split("、") if p]
                if parts and len(parts) < len(group):
                    parts = parts[:-1] + [p for p in parts[-1].split("和") if p]
                if len(parts) == len(group) and not (len(years) == len(group)):
                    metric_parts = [_clean_metric(p, growth_ok)[0] for p in parts]
            if tail:
                metric_parts = [m + tail for m in metric_parts]
                metric = metric + tail
            elif metric:
                metric_parts = [_LEADING_VERB.sub("", m) if len(m) > 4 else m for m in metric_parts]
            if not metric_parts[0] or not metric:
                metric_parts = [last_metric] * len(metric_parts)
            for gi, g in enumerate(group):
                if len(group) > 1 and len(metric_parts) == len(group):
                    g_metric = metric_parts[gi]
                    g_years = years[-1:] if years else [None]
                    year = g_years[0]
                elif len(group) > 1 and len(years) == len(group):
                    g_metric = metric_parts[0]
                    year = years[gi]
                else:
                    g_metric = metric_parts[0]
                    year = years[-1] if years else None
                g_zone = zone if gi == 0 or fenbie >= 0 else ""
                comp = _comparator(g, g_zone)
                kind, base = "level", None
                zone_and_pre = (
                    sentence[clause_start : g.start] if gi == 0 else sentence[clause_start : c.start]
                )
                base_m = BASE_RE.search(zone)
                if re.search(r"(年均|年平均)(增长|增速|提高|提升)", zone) or (
                    annual and _GROWTH_VERB.search(zone)
                ):
                    kind = "annual_growth"
                elif g.growth_word or (base_m and _GROWTH_VERB.search(zone)):
                    kind = "growth"
                    if base_m:
                        base = int(base_m.group(1) or base_m.group(2))
                    elif year:
                        base = year - 1
                elif _GROWTH_VERB.search(zone) and g.unit in ("%", "百分点"):
                    kind = "growth"
                    base = year - 1 if year else None
                elif annual:
                    kind = "annual"
                if kind in ("annual",):
                    year = None
                if kind == "growth" and base is None and BASE_RE.search(zone_and_pre):
                    bm = BASE_RE.search(zone_and_pre)
                    base = int(bm.group(1) or bm.group(2))
                value = g.value
                if kind == "growth" and re.search(r"(下降|降低|减少)(约|了)?$", zone):
                    value = -value
                quote_start = region_start
                rows.append(
                    Row(
                        metric=g_metric,
                        year=year,
                        kind=kind,
                        base_year=base,
                        comparator=comp,
                        value=value,
                        unit=g.unit,
                        quote=written[
                            s0 + quote_start : s0 + max(last.end, g.end) + (len(tail) if tail else 0)
                        ].strip("，、；。"),
                    )
                )
                last_metric = g_metric
            prev_end_in_clause = last.end
            k += len(group)
        # Year statements after the last number still carry to the next sentence.
        for _, ys in year_events:
            years = ys
    if carry is not None:
        carry.years = years
    return rows
