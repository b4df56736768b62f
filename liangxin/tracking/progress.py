"""Target progress status (目标进展评估): is a quantitative target (量化目标) on track?

Pure Python, no ORM: the caller hands in the observations (观测值) and the target's fields.

The core is the Statistics Canada / Open SDG (sdg-build ``ProgressMeasure``, newest class version)
method; see ``docs/decisions/progress-method.md`` and ``/work/shared/domain/progress-method.md``:

* observed compound annual growth (实际年均增长率) CAGR_o = (x_t / x_0)^(1/(t - t_0)) - 1,
* required growth (需年均增长率) CAGR_r = (X / x_0)^(1/(T - t_0)) - 1,
* ratio (比值) P = s * d * CAGR_o / |CAGR_r|  (s = -1 for a negative base, d = +1 higher-is-better),
* bands 0.95 / 0.60 / 0: 按计划推进 / 需加快进度 / 进展有限 / 倒退; 已达成 is checked first.

Our extensions (section 9 of the method note plus the 两新 target kinds):
growth-vs-base targets (较基期增长), monthly/quarterly data as fractional years, recurring yearly
targets (每年…) against a pro-rata expectation, average-rate targets (年均增长), the comparators
``>= > ~ <=``, standing rules without a year (不低于…, 达成/未达成), and ``not_available`` (无法判断)
with a reason in Chinese and English.

Time convention: every period sits at its *end*, as a fractional year. 2023 (annual value) → 2024.0,
2025-03 → 2025.25, 2025Q2 → 2025.5, a target year 2027 → 2028.0 ("by the end of 2027"). For annual
data this gives exactly the sdg-build year differences; for mixed data it keeps a 2025 target after
a June-2025 observation.
"""

from __future__ import annotations

import calendar
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any, Literal

__all__ = [
    "CombinedProgress",
    "Period",
    "ProgressResult",
    "Status",
    "period_from_start",
    "period_parse",
    "progress_combine",
    "target_assess",
    "target_assess_record",
]

Number = Decimal | int | float | str


class Status(StrEnum):
    """Status codes of sdg-build (newest version), plus our binary ``target_not_achieved``."""

    TARGET_ACHIEVED = "target_achieved"
    SUBSTANTIAL_PROGRESS = "substantial_progress"
    MODERATE_PROGRESS = "moderate_progress"
    LIMITED_PROGRESS = "limited_progress"
    DETERIORATION = "deterioration"
    # StatCan rule 11 (binary indicators): a standing rule or a finished year that was missed.
    TARGET_NOT_ACHIEVED = "target_not_achieved"
    NOT_AVAILABLE = "not_available"


STATUS_LABELS: dict[Status, tuple[str, str]] = {
    Status.TARGET_ACHIEVED: ("已达成", "Target achieved"),
    Status.SUBSTANTIAL_PROGRESS: ("按计划推进", "On track"),
    Status.MODERATE_PROGRESS: ("需加快进度", "Progress made but acceleration needed"),
    Status.LIMITED_PROGRESS: ("进展有限", "Limited progress"),
    Status.DETERIORATION: ("倒退", "Deterioration"),
    Status.TARGET_NOT_ACHIEVED: ("未达成", "Target not achieved"),
    Status.NOT_AVAILABLE: ("无法判断", "Not available"),
}

# Method 2 (ratio to the required growth) and method 1 (growth alone, no target) thresholds
# (sdg-build get_progress_thresholds): (high, med, low).
RATIO_THRESHOLDS = (0.95, 0.60, 0.0)
TREND_THRESHOLDS = (0.015, 0.005, 0.0)
# sdg-build replaces a zero target (and, in the newest code, a zero base) by this.
EPSILON_VALUE = 0.001
LIMIT_EXPONENT = 4.44
_EPS = 1e-9

KINDS = ("level", "growth", "annual", "annual_growth")
COMPARATORS = (">=", ">", "~", "<=")
_SYMBOL = {">=": "≥", ">": ">", "~": "约", "<=": "≤", "<": "<"}


# ---------------------------------------------------------------- periods (时期)


@dataclass(frozen=True, order=True)
class Period:
    """A reporting period (报告期) placed at its end on a fractional-year axis.

    ``end`` is what the growth formulas use; ``year`` is the calendar year the period belongs to;
    ``label`` is the Chinese display form (2025年3月, 2025年第2季度).
    """

    end: float
    year: int
    granularity: str = field(compare=False)  # year / half / quarter / month / day
    label: str = field(compare=False)


def _year_period(y: int) -> Period:
    return Period(float(y + 1), y, "year", f"{y}年")


def _day_period(d: date) -> Period:
    days = 366 if calendar.isleap(d.year) else 365
    # The end of the day: 31 December lands on the next year's 0.0, like an annual value.
    return Period(d.year + d.timetuple().tm_yday / days, d.year, "day", f"{d.year}年{d.month}月{d.day}日")


_CN_DIGIT = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_RE_YEAR = re.compile(r"^(\d{4})年?$")
_RE_QUARTER = re.compile(r"^(\d{4})(?:[-/.]|年)?(?:[Qq]([1-4])|第?([1-4一二三四])季度)$")
_RE_HALF = re.compile(r"^(\d{4})(?:[-/.]|年)?(?:[Ss]([12])|([上下])半年)$")
_RE_MONTH = re.compile(r"^(\d{4})(?:(?:[-/.]|年)(\d{1,2})月?|(\d{2}))$")
_RE_DAY = re.compile(r"^(\d{4})(?:[-/.](\d{1,2})[-/.](\d{1,2})|年(\d{1,2})月(\d{1,2})日)$")


def period_parse(value: Period | int | str | date | datetime) -> Period:
    """Read a period: 2025, "2025", "2025年", "2025-03", "202503", "2025年3月", "2025Q1",
    "2025年第一季度", "2025S1", "2025年上半年", "2025-03-31", a ``date`` or ``datetime``.

    Raises ``ValueError`` for anything else.
    """
    if isinstance(value, Period):
        return value
    if isinstance(value, datetime):
        return _day_period(value.date())
    if isinstance(value, date):
        return _day_period(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return _year_period(value)
    if isinstance(value, str):
        s = re.sub(r"\s+", "", value)
        if m := _RE_YEAR.match(s):
            return _year_period(int(m.group(1)))
        if m := _RE_QUARTER.match(s):
            y, q = int(m.group(1)), _CN_DIGIT[m.group(2) or m.group(3)]
            return Period(y + q / 4, y, "quarter", f"{y}年第{q}季度")
        if m := _RE_HALF.match(s):
            y = int(m.group(1))
            h = int(m.group(2)) if m.group(2) else (1 if m.group(3) == "上" else 2)
            return Period(y + h / 2, y, "half", f"{y}年{'上' if h == 1 else '下'}半年")
        if m := _RE_MONTH.match(s):
            y, mo = int(m.group(1)), int(m.group(2) or m.group(3))
            if 1 <= mo <= 12:
                return Period(y + mo / 12, y, "month", f"{y}年{mo}月")
        if m := _RE_DAY.match(s):
            y = int(m.group(1))
            mo, d = int(m.group(2) or m.group(4)), int(m.group(3) or m.group(5))
            try:
                return _day_period(date(y, mo, d))
            except ValueError:
                pass
    raise ValueError(f"无法识别的时期 / unrecognised period: {value!r}")


def period_from_start(period_kind: str, start: date) -> Period:
    """The period of a row stored as (期别, 期初), e.g. ("quarter", 2025-04-01) → 2025年第2季度.

    A bare ``date`` means a day; rows keyed by their first day need this instead.
    """
    if period_kind == "year":
        return _year_period(start.year)
    if period_kind == "half":
        return period_parse(f"{start.year}S{(start.month - 1) // 6 + 1}")
    if period_kind == "quarter":
        return period_parse(f"{start.year}Q{(start.month - 1) // 3 + 1}")
    if period_kind == "month":
        return period_parse(f"{start.year}-{start.month:02d}")
    if period_kind == "day":
        return _day_period(start)
    raise ValueError(f"unknown period kind {period_kind!r}")


# ---------------------------------------------------------------- result


@dataclass(frozen=True)
class ProgressResult:
    """The status of one target and how it was reached (计算过程), so a department can see why.

    Growth rates and ratios are fractions (0.068 = 6.8 %). ``*_position`` fields are the
    fractional-year ends used in the formulas; ``*_period`` are display labels.
    """

    status: Status
    label: str
    label_en: str
    score: float | None
    method: str  # ratio (方法2) / trend (方法1) / linear / annual_pro_rata / standing / manual / none
    explanation: str
    reason: str = ""  # why not available (无法判断的原因)
    reason_en: str = ""
    kind: str = "level"
    comparator: str | None = None  # effective comparator on the signed scale
    direction: str = "up"  # the better direction used in the calculation
    base_period: str | None = None
    base_year: int | None = None
    base_position: float | None = None
    base_value: float | None = None
    current_period: str | None = None
    current_position: float | None = None
    current_value: float | None = None
    target_value: float | None = None  # the level X to reach (for 增长 targets: base × (1 + g))
    target_period: str | None = None
    target_position: float | None = None
    required_growth: float | None = None  # CAGR_r
    observed_growth: float | None = None  # CAGR_o
    ratio: float | None = None  # P
    expected_value: float | None = None  # on the required path at the current period (应达值)
    elapsed_share: float | None = None  # share of the year gone, for 每年 targets
    limit_coefficient: float | None = None
    notes: tuple[str, ...] = ()

    @property
    def display_label(self) -> str:
        """The label in the page's language (``label`` stays Chinese: notices and the 通报 quote it)."""
        from liangxin.core.i18n import localized

        return localized(self.label, self.label_en)

    @property
    def display_reason(self) -> str:
        from liangxin.core.i18n import localized

        return localized(self.reason, self.reason_en or self.reason)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, rounded for display (rates and ratios 4 decimals, score 3, values 4)."""
        out = asdict(self)
        out["status"] = str(self.status)
        out["notes"] = list(self.notes)
        for key in ("required_growth", "observed_growth", "ratio", "elapsed_share", "limit_coefficient"):
            out[key] = _round(out[key], 4)
        for key in ("base_value", "current_value", "target_value", "expected_value",
                    "base_position", "current_position", "target_position"):
            out[key] = _round(out[key], 4)
        out["score"] = _round(out["score"], 3)
        return out


def _round(x: float | None, digits: int) -> float | None:
    if x is None or math.isinf(x):
        return x
    return round(x, digits)


# ---------------------------------------------------------------- scores (分值)


def _ratio_score(p: float) -> float:
    """sdg-build method 2 score: 0.6 → 0, 0.95 → 2.5, 1.30 → 5, 0 → -2.5, -0.6 → -5."""
    if p >= 0.6:
        return min(7.1429 * p - 4.2857, 5.0)
    return max(4.1667 * p - 2.5, -5.0)


def _trend_score(p: float, c: float, med: float, high: float) -> float:
    """sdg-build method 1 score: ±2 %/yr ⇒ ±5 (c = limit coefficient)."""
    if c == 0:
        return 5.0
    if p < 0:
        return max(125 * p - 2.5, -5.0)
    if p < med:
        return 500 * p / c - 2.5
    if p < high:
        return 250 * p / c - 1.25
    return min(500 * p / c - 5, 5.0)


def _band(p: float, thresholds: Sequence[float]) -> Status:
    high, med, low = thresholds
    if p >= high:
        return Status.SUBSTANTIAL_PROGRESS
    if p >= med:
        return Status.MODERATE_PROGRESS
    if p >= low:
        return Status.LIMITED_PROGRESS
    return Status.DETERIORATION


def limit_coefficient(base: float, limit: float) -> float:
    """sdg-build's natural-limit coefficient c (method 1): near the ceiling less growth is needed."""
    b, lim = abs(base), abs(limit)
    if lim == 0 or b >= 2 * lim:
        return 1.0
    if b <= lim:
        return 1 - (b / lim) ** LIMIT_EXPONENT
    return 1 - ((2 * lim - b) / lim) ** LIMIT_EXPONENT


# ---------------------------------------------------------------- formatting


def _fmt(x: float | None, unit: str = "") -> str:
    if x is None:
        return "—"
    if math.isinf(x):
        return "∞"
    text = f"{x:.2f}" if abs(x) >= 100 else f"{x:.4f}"
    text = text.rstrip("0").rstrip(".") if "." in text else text
    if text in ("-0", ""):
        text = "0"
    return f"{text}{'' if unit in ('', 'ratio') else unit}"


def _pct(r: float | None) -> str:
    return "—" if r is None else f"{r * 100:.1f}%"


def _growth_word(r: float) -> str:
    return f"增长 {_pct(r)}" if r >= 0 else f"下降 {_pct(-r)}"


# ---------------------------------------------------------------- internals


@dataclass(frozen=True)
class _Obs:
    period: Period
    value: float


class _Unavailable(Exception):  # noqa: N818 — a control-flow signal, not an error
    def __init__(self, reason: str, reason_en: str):
        super().__init__(reason_en)
        self.reason = reason
        self.reason_en = reason_en


def _num(v: Any) -> float | None:
    """A number as float; None for a missing value (NA, dropped like sdg-build's dropna).

    Raises ``_Unavailable`` for a value that is present but unusable.
    """
    if v is None or (isinstance(v, str) and not v.strip()):
        return None
    if isinstance(v, bool):
        raise _Unavailable(f"观测值“{v}”不是数字", f"value {v!r} is not a number")
    if isinstance(v, Decimal):
        if v.is_nan():
            return None
        f = float(v)
    elif isinstance(v, int | float):
        if isinstance(v, float) and math.isnan(v):
            return None
        f = float(v)
    elif isinstance(v, str):
        try:
            d = Decimal(v.strip().replace(",", "").replace("，", ""))
        except InvalidOperation:
            raise _Unavailable(f"观测值“{v}”不是数字", f"value {v!r} is not a number") from None
        if d.is_nan():
            return None
        f = float(d)
    else:
        raise _Unavailable(f"观测值“{v}”不是数字", f"value {v!r} is not a number")
    if math.isinf(f):
        raise _Unavailable(f"观测值“{v}”不是有限数", f"value {v!r} is not finite")
    return f


def _observations(raw: Mapping[Any, Any] | Iterable[tuple[Any, Any]], upto: float | None) -> list[_Obs]:
    pairs = raw.items() if isinstance(raw, Mapping) else raw
    out: dict[float, _Obs] = {}
    for key, value in pairs:
        try:
            period = period_parse(key)
        except ValueError:
            raise _Unavailable(f"无法识别的时期“{key}”", f"unrecognised period {key!r}") from None
        try:
            x = _num(value)
        except _Unavailable as e:
            raise _Unavailable(f"{period.label}的{e.reason}", f"{period.label}: {e.reason_en}") from None
        if x is None:
            continue
        if upto is not None and period.end > upto + _EPS:
            continue  # after the assessment date
        slot = round(period.end, 9)
        if slot in out:
            # sdg-build raises on duplicate years; a user-entered table gets a reason instead.
            raise _Unavailable(
                f"同一时点有两个观测值（{out[slot].period.label}、{period.label}）",
                f"two observations for the same time ({out[slot].period.label}, {period.label})",
            )
        out[slot] = _Obs(period, x)
    return sorted(out.values(), key=lambda o: o.period.end)


def _flip(comparator: str) -> str:
    return {">=": "<=", ">": "<", "<=": ">=", "~": "~"}[comparator]


@dataclass(frozen=True)
class _Goal:
    """The level to reach and the rule that says it is reached."""

    x: float
    lo: float  # band for "~"; equal to x otherwise
    hi: float
    comparator: str  # >=, >, <=, <, ~ on the signed scale
    sense: int  # +1 higher is better, -1 lower is better

    def met(self, v: float) -> bool:
        tol = _EPS * max(1.0, abs(self.x))  # 100 × 1.28 must equal 128
        c = self.comparator
        if c == ">=":
            return v >= self.x - tol
        if c == ">":
            return v > self.x + tol
        if c == "<=":
            return v <= self.x + tol
        if c == "<":
            return v < self.x - tol
        # "~": inside the band, or past it on the better side (overshooting 约1500 in the good
        # direction is still done; see the decision note).
        return v >= self.lo - tol if self.sense > 0 else v <= self.hi + tol


def _cagr(a: float, b: float, t1: float, t0: float) -> float:
    """Compound annual growth rate (年均增长率) from b at t0 to a at t1; same sign required."""
    return (a / b) ** (1 / (t1 - t0)) - 1


class _Builder:
    """Collects components and notes, then freezes them into a ProgressResult."""

    def __init__(self, kind: str, value_unit: str):
        self.kind = kind
        self.unit = value_unit
        self.data: dict[str, Any] = {"kind": kind}
        self.notes: list[str] = []

    def set(self, **kw: Any) -> None:
        self.data.update(kw)

    def base(self, o: _Obs) -> None:
        self.set(base_period=o.period.label, base_year=o.period.year, base_position=o.period.end, base_value=o.value)

    def current(self, o: _Obs) -> None:
        self.set(current_period=o.period.label, current_position=o.period.end, current_value=o.value)

    def done(self, status: Status, score: float | None, method: str, explanation: str, **kw: Any) -> ProgressResult:
        label, label_en = STATUS_LABELS[status]
        data = {**self.data, **kw}
        if status is not Status.NOT_AVAILABLE:
            explanation = f"{explanation} → {label}"
        return ProgressResult(
            status=status, label=label, label_en=label_en, score=score, method=method,
            explanation=explanation, notes=tuple(self.notes), **data,
        )

    def unavailable(self, reason: str, reason_en: str) -> ProgressResult:
        return self.done(Status.NOT_AVAILABLE, None, "none", f"无法判断：{reason}", reason=reason, reason_en=reason_en)


def _base_pick(obs: list[_Obs], base_year: int | None, base_value: float | None, exact: bool,
               b: _Builder) -> _Obs:
    """The base observation (基期值).

    * a frozen ``base_value`` (基期快照) wins;
    * ``exact`` (增长 targets, whose X is defined by that very year's value): the period ending with
      the base year (2023, 2023-12, 2023Q4, 2023-12-31) or not available;
    * otherwise the first observation at or after the end of the base year (StatCan rule 1), or the
      earliest observation when no base year is given.
    """
    latest = obs[-1]
    if base_value is not None:
        if base_year is None:
            raise _Unavailable("给出了基期值但没有基期年份", "a base value was given without a base year")
        p = _year_period(base_year)
        if p.end > latest.period.end + _EPS:
            raise _Unavailable(f"基期（{p.label}）晚于最新数据（{latest.period.label}）",
                               f"base year {base_year} is after the latest data ({latest.period.label})")
        b.notes.append(f"使用冻结的基期值 {_fmt(base_value, b.unit)}")
        return _Obs(p, base_value)
    if base_year is None:
        return obs[0]
    end = base_year + 1.0
    if end > latest.period.end + _EPS:
        raise _Unavailable(f"基期（{base_year}年）晚于最新数据（{latest.period.label}）",
                           f"base year {base_year} is after the latest data ({latest.period.label})")
    if exact:
        for o in obs:
            if abs(o.period.end - end) < _EPS:
                return o
        raise _Unavailable(f"缺少基期（{base_year}年）数据", f"no value for the base year {base_year}")
    for o in obs:
        if o.period.end >= end - _EPS:
            if abs(o.period.end - end) > _EPS:
                b.notes.append(f"基期{base_year}年无数据，改用其后最近一期{o.period.label}")
            return o
    raise AssertionError("unreachable: latest ends after the base")  # pragma: no cover


# ---------------------------------------------------------------- public API


def target_assess(
    observations: Mapping[Any, Any] | Iterable[tuple[Any, Any]],
    *,
    kind: Literal["level", "growth", "annual", "annual_growth"] = "level",
    target_value: Number | None = None,
    comparator: Literal[">=", ">", "~", "<="] | None = None,
    target_year: Period | int | str | date | None = None,
    base_year: int | None = None,
    base_value: Number | None = None,
    direction: Literal["up", "down"] = "up",
    unit: str = "",
    value_unit: str | None = None,
    as_of: Period | int | str | date | None = None,
    tolerance: float = 0.05,
    limit: Number | None = None,
    thresholds: Sequence[float] | None = None,
    zero_base: Literal["linear", "epsilon", "unavailable"] = "linear",
    annual_counting: Literal["sum", "year_to_date"] = "sum",
    min_span_years: float = 0.25,
    manual_status: Status | str | None = None,
) -> ProgressResult:
    """Assess one target's progress status (目标进展状态).

    ``observations``: {period: value} or (period, value) pairs; periods as in :func:`period_parse`,
    values Decimal/int/float/numeric str; None/blank/NaN are dropped (missing, 缺报).

    ``kind`` (类型): ``level`` 达到水平 (X = target_value), ``growth`` 较基期增长 (X = base × (1 + g/100)
    when ``unit`` is "%", base + g otherwise, e.g. 百分点 or 台), ``annual`` 每年 (the year's count
    against a pro-rata share), ``annual_growth`` 年均增长 (observed CAGR against g/100).
    ``target_value`` None on a level target → sdg-build method 1 (growth alone, optional ``limit``).

    ``comparator``: ``>=`` 不低于, ``>`` 超过 (strictly), ``~`` 左右 (within ``tolerance`` × the
    written value), ``<=`` 不超过 (lower is better). None → ``>=`` when ``direction`` is up, ``<=``
    when down. A negative growth value (下降13.5%, stored as -13.5 with ``>=``) means "at least that
    fall" and flips the comparator.

    ``direction`` (指标方向, Indicator.direction): ``up`` 越高越好 (the default — never sdg-build's
    negative default) or ``down`` 越低越好. It decides method 1 and ``~`` targets; for the other
    comparators the target's own wording decides, and a disagreement is noted.

    ``target_year`` (目标年份): year, or a period for a deadline inside a year (2025-06: by end of
    June). None → a standing rule (长期要求): achieved or not at the latest observation.
    ``base_year`` / ``base_value`` (基期, a frozen snapshot of x_t0 wins over the data).
    ``as_of`` (评估时点): ignore later data; for ``annual`` the point of the year reached (default:
    end of the latest observation). ``annual_counting``: ``sum`` adds the year's period values
    (each month's count), ``year_to_date`` takes the latest one (a running total).
    ``zero_base``: ``linear`` (our default: share of the distance covered ÷ share of time gone),
    ``epsilon`` (newest sdg-build: base 0 → 0.001) or ``unavailable`` (intermediate sdg-build).
    ``min_span_years``: shortest base→current span to annualise (a quarter by default).
    ``manual_status``: an override (sdg-build ``auto_progress_calculation: false``).

    Returns a :class:`ProgressResult`; data problems give ``not_available`` with a reason, while
    invalid arguments (an unknown kind, comparator or direction) raise ``ValueError``.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown target kind {kind!r}")
    direction = {"positive": "up", "negative": "down"}.get(direction, direction)  # type: ignore[assignment]
    if direction not in ("up", "down"):
        raise ValueError(f"direction must be 'up' or 'down', not {direction!r}")
    # Without a comparator the direction gives one on the signed scale, so no 下降 flip applies.
    signed = comparator is None
    if comparator is None:
        comparator = ">=" if direction == "up" else "<="
    if comparator not in COMPARATORS:
        raise ValueError(f"unknown comparator {comparator!r}")
    if tolerance < 0:
        raise ValueError("tolerance must be >= 0")
    if value_unit is None:
        value_unit = "" if kind in ("growth", "annual_growth") else unit
    b = _Builder(kind, value_unit)
    b.set(direction=direction, comparator=comparator)

    if manual_status is not None:
        status = Status(manual_status)
        return b.done(status, 5.0 if status is Status.TARGET_ACHIEVED else None, "manual", "人工指定状态")

    as_of_period = period_parse(as_of) if as_of is not None else None
    target_period = period_parse(target_year) if target_year is not None else None
    if target_period is not None:
        b.set(target_period=target_period.label, target_position=target_period.end)

    try:
        obs = _observations(observations, as_of_period.end if as_of_period else None)
        if not obs:
            raise _Unavailable("没有观测数据", "no observations")
        g = _num(target_value)
        bv = _num(base_value)
        lim = _num(limit)
        if kind == "annual":
            if g is None:
                raise _Unavailable("缺少目标值", "no target value")
            return _assess_annual(obs, g, comparator, direction, tolerance, as_of_period, target_period,
                                  annual_counting, thresholds or RATIO_THRESHOLDS, b)
        if g is None:
            if kind != "level":
                raise _Unavailable("缺少目标值", "no target value")
            return _assess_trend(obs, base_year, bv, direction, lim, thresholds or TREND_THRESHOLDS,
                                 zero_base, min_span_years, b)
        if kind in ("growth", "annual_growth") and g < 0 and not signed:
            # 下降13.5% is stored as -13.5 with ">=" (at least that fall): on the signed scale "<=".
            comparator = _flip(comparator)
        return _assess_target(obs, kind, g, comparator, direction, unit, tolerance, target_period, base_year,
                              bv, lim, thresholds or RATIO_THRESHOLDS, zero_base, min_span_years, b)
    except _Unavailable as e:
        return b.unavailable(e.reason, e.reason_en)


def _assess_target(obs: list[_Obs], kind: str, g: float, comparator: str, direction: str, unit: str,
                   tolerance: float, target_period: Period | None, base_year: int | None,
                   base_value: float | None, lim: float | None, thresholds: Sequence[float], zero_base: str,
                   min_span: float, b: _Builder) -> ProgressResult:
    """Method 2 for level / growth / annual_growth targets, or a standing rule without a year."""
    if lim is not None:
        b.notes.append("有目标值时忽略自然上限（limit），与sdg-build一致")
    current = obs[-1]
    b.current(current)
    comp = comparator
    sense = {">=": 1, ">": 1, "<=": -1, "<": -1}.get(comp, 1 if direction == "up" else -1)
    if comp != "~" and (sense > 0) != (direction == "up"):
        b.notes.append(f"目标表述（{_SYMBOL[comp]}）与指标方向（{'越高越好' if direction == 'up' else '越低越好'}）"
                       f"不一致，按目标表述判断")
    b.set(comparator=comp, direction="up" if sense > 0 else "down")
    band = tolerance * abs(g) if comp == "~" else 0.0

    base: _Obs | None = None
    required: float | None = None
    if kind == "level":
        goal = _Goal(g, g - band, g + band, comp, sense)
    else:
        if kind == "growth" and base_year is None and base_value is None:
            raise _Unavailable("增长目标缺少基期", "a growth target needs a base year")
        base = _base_pick(obs, base_year, base_value, exact=(kind == "growth"), b=b)
        b.base(base)
        x0 = base.value
        if kind == "growth":
            def level(rate: float) -> float:
                return x0 * (1 + rate / 100) if unit == "%" else x0 + rate
        else:
            if g <= -100:
                raise _Unavailable("年均增长率不能低于-100%", "an average growth rate cannot be below -100 %")
            required = g / 100
            b.set(required_growth=required)
            if target_period is None:
                return _assess_rate(obs, base, current, required, comp, sense, band / 100, thresholds,
                                    min_span, b)
            n = target_period.end - base.period.end

            def level(rate: float) -> float:
                return x0 * (1 + rate / 100) ** n if n > 0 else x0
        goal = _Goal(level(g), level(g - band), level(g + band), comp, sense)
    b.set(target_value=goal.x)
    target_text = f"目标{target_period.label if target_period else ''} {_SYMBOL[comp]}{_fmt(goal.x, b.unit)}"

    # Target achieved is checked first, whatever the trend (sdg-build is_target_achieved).
    if goal.met(current.value):
        if comp == "~" and (current.value > goal.hi + _EPS if sense > 0 else current.value < goal.lo - _EPS):
            b.notes.append("已超出“左右”目标区间（在有利方向）")
        _trajectory_components(obs, base, base_year, base_value, current, goal, target_period, required, b)
        x0_seen = b.data.get("base_value")
        if target_period is not None and x0_seen is not None and sense * (goal.x - x0_seen) <= 0:
            # sdg-build calls a cap that the base already meets "achieved"; say it must hold.
            b.notes.append("基期已满足此上限/下限，目标年前仍需保持")
        return b.done(Status.TARGET_ACHIEVED, 5.0, "ratio" if target_period else "standing",
                      f"当前{current.period.label} {_fmt(current.value, b.unit)}，{target_text}，已满足")

    if target_period is None:
        # A standing rule (长期要求, 比例不低于50%): no trajectory, binary like StatCan rule 11.
        return b.done(Status.TARGET_NOT_ACHIEVED, -5.0, "standing",
                      f"当前{current.period.label} {_fmt(current.value, b.unit)}，要求{target_text[2:]}，未满足")

    if base is None:
        base = _base_pick(obs, base_year, base_value, exact=False, b=b)
        b.base(base)
    t0, x0 = base.period.end, base.value
    T = target_period.end
    if T <= t0 + _EPS:
        # Guard (sdg-build has none): the deadline is not after the base, so no required growth;
        # the deadline has passed and the target is not met.
        b.notes.append("目标年份不晚于基期，无法计算所需增速")
        return b.done(Status.TARGET_NOT_ACHIEVED, -5.0, "standing",
                      f"基期{base.period.label}，当前{current.period.label} {_fmt(current.value, b.unit)}，"
                      f"{target_text}，到期未满足")
    return _ratio(base, current, goal, target_period, required, thresholds, zero_base, min_span, b, target_text)


def _span_check(base: _Obs, current: _Obs, min_span: float) -> float:
    span = current.period.end - base.period.end
    if span <= _EPS:
        raise _Unavailable("基期之后没有新的观测值，至少需要两个时点",
                           "at least two data points are needed (nothing after the base)")
    if span < min_span - _EPS:
        raise _Unavailable(f"基期到当前不足{min_span:g}年，年化增速不可靠",
                           f"less than {min_span:g} year between base and current")
    return span


def _sign_check(x0: float, xt: float) -> None:
    if x0 * xt < 0:
        raise _Unavailable("基期值与当前值符号相反，无法计算年均增长率",
                           "base and current values have opposite signs")


def _trajectory_components(obs: list[_Obs], base: _Obs | None, base_year: int | None, base_value: float | None,
                           current: _Obs, goal: _Goal, target_period: Period | None, required: float | None,
                           b: _Builder) -> None:
    """Fill required/observed growth and the ratio for an achieved target, when computable (audit only)."""
    if target_period is None:
        return
    try:
        if base is None:
            base = _base_pick(obs, base_year, base_value, exact=False, b=_Builder(b.kind, b.unit))
            b.base(base)
        x0, t0 = base.value, base.period.end
        if x0 == 0 or x0 * current.value < 0 or current.period.end - t0 <= _EPS:
            return
        x_goal = goal.x if goal.x != 0 else math.copysign(EPSILON_VALUE, x0)
        if x_goal * x0 <= 0 or target_period.end - t0 <= _EPS:
            return
        r = required if required is not None else _cagr(x_goal, x0, target_period.end, t0)
        o = _cagr(current.value, x0, current.period.end, t0)
        s = -1 if x0 < 0 else 1
        b.set(required_growth=r, observed_growth=o, ratio=s * goal.sense * o / abs(r) if r else None)
    except _Unavailable:
        return


def _ratio(base: _Obs, current: _Obs, goal: _Goal, target_period: Period, required: float | None,
           thresholds: Sequence[float], zero_base: str, min_span: float, b: _Builder,
           target_text: str) -> ProgressResult:
    """Method 2: P = s · d · CAGR_o / |CAGR_r| with the guards of section 8."""
    t0, x0 = base.period.end, base.value
    t, xt = current.period.end, current.value
    T = target_period.end
    span = _span_check(base, current, min_span)
    if t > T + _EPS:
        # StatCan rule 5: keep computing against the obsolete target, with a note.
        b.notes.append("目标年份已过，仍按原目标计算")
    head = f"基期{base.period.label} {_fmt(x0, b.unit)}，当前{current.period.label} {_fmt(xt, b.unit)}，{target_text}"

    if x0 == 0:
        if zero_base == "unavailable":
            raise _Unavailable("基期值为0，无法计算年均增长率", "the base value is zero")
        if zero_base == "linear":
            return _linear(base, current, goal, target_period, thresholds, b, head)
        x0 = math.copysign(EPSILON_VALUE, xt) if xt else EPSILON_VALUE
        b.notes.append("基期值为0，按sdg-build以0.001代替")
    _sign_check(x0, xt)
    s = -1 if x0 < 0 else 1
    x_goal = goal.x
    if x_goal == 0:
        # StatCan rule 3: a zero target becomes 0.001, with the base's sign so the power stays real.
        x_goal = math.copysign(EPSILON_VALUE, x0)
        b.notes.append("目标值为0，按0.001计算")
    if x_goal * x0 < 0:
        raise _Unavailable("目标值与基期值符号相反，无法计算所需增速", "target and base values have opposite signs")

    observed = _cagr(xt, x0, t, t0)
    req = required if required is not None else _cagr(x_goal, x0, T, t0)
    b.set(observed_growth=observed, required_growth=req)
    if abs(req) < _EPS:
        # Guard (sdg-build would divide by zero): the target equals the base value, and it is not met,
        # so the series either stood still or moved the wrong way.
        b.notes.append("目标值等于基期值，所需增速为0")
        move = s * goal.sense * observed
        status = Status.DETERIORATION if move < 0 else (Status.LIMITED_PROGRESS if move == 0
                                                          else Status.SUBSTANTIAL_PROGRESS)
        score = {Status.DETERIORATION: -5.0, Status.LIMITED_PROGRESS: -2.5}.get(status, 5.0)
        return b.done(status, score, "ratio", f"{head}，实际年均{_growth_word(observed)}")
    p = s * goal.sense * observed / abs(req)
    expected = x0 * (1 + req) ** span
    b.set(ratio=p, expected_value=expected)
    if span < 1:
        b.notes.append("观察期不足一年，年化结果波动较大")
    return b.done(_band(p, thresholds), _ratio_score(p), "ratio",
                  f"{head}，需年均{_growth_word(req)}，实际年均{_growth_word(observed)}，比值 {p:.2f}")


def _linear(base: _Obs, current: _Obs, goal: _Goal, target_period: Period, thresholds: Sequence[float],
            b: _Builder, head: str) -> ProgressResult:
    """Zero base: CAGR is undefined, so compare the share of the distance covered with the share of
    time gone (an 0.001 stand-in would make the result depend on the unit)."""
    t0, x0 = base.period.end, base.value
    dist = goal.x - x0
    if dist == 0:
        raise _Unavailable("基期值与目标值均为0，无法计算进度", "base and target are both zero")
    time_share = (current.period.end - t0) / (target_period.end - t0)
    covered = (current.value - x0) / dist
    p = covered / time_share
    b.notes.append("基期值为0，按线性进度计算（完成增量占比 ÷ 时间进度）")
    b.set(ratio=p, expected_value=x0 + dist * time_share)
    return b.done(_band(p, thresholds), _ratio_score(p), "linear",
                  f"{head}，已完成目标增量的 {covered * 100:.1f}%，时间过去 {time_share * 100:.1f}%，比值 {p:.2f}")


def _assess_rate(obs: list[_Obs], base: _Obs, current: _Obs, required: float, comp: str, sense: int,
                 band: float, thresholds: Sequence[float], min_span: float, b: _Builder) -> ProgressResult:
    """年均增长 without a year: the observed CAGR itself must meet the rate (a standing rate rule)."""
    _span_check(base, current, min_span)
    x0 = base.value
    if x0 == 0:
        raise _Unavailable("基期值为0，无法计算年均增长率", "the base value is zero")
    _sign_check(x0, current.value)
    s = -1 if x0 < 0 else 1
    observed = s * _cagr(current.value, x0, current.period.end, base.period.end)
    b.set(observed_growth=observed)
    goal = _Goal(required, required - band, required + band, comp, sense)
    head = (f"基期{base.period.label} {_fmt(x0, b.unit)}，当前{current.period.label} {_fmt(current.value, b.unit)}，"
            f"要求年均增长{_SYMBOL[comp]}{_pct(required)}，实际年均{_growth_word(observed)}")
    if goal.met(observed):
        return b.done(Status.TARGET_ACHIEVED, 5.0, "ratio", head)
    if abs(required) < _EPS:
        return b.done(Status.DETERIORATION, -5.0, "ratio", head)
    p = sense * observed / abs(required)
    b.set(ratio=p)
    return b.done(_band(p, thresholds), _ratio_score(p), "ratio", f"{head}，比值 {p:.2f}")


def _assess_trend(obs: list[_Obs], base_year: int | None, base_value: float | None, direction: str,
                  lim: float | None, thresholds: Sequence[float], zero_base: str, min_span: float,
                  b: _Builder) -> ProgressResult:
    """Method 1 (no quantitative target): P = s · d · CAGR_o against 1.5 % / 0.5 % / 0 (× limit c)."""
    base = _base_pick(obs, base_year, base_value, exact=False, b=b)
    current = obs[-1]
    b.base(base)
    b.current(current)
    b.set(comparator=None)
    _span_check(base, current, min_span)
    x0, xt = base.value, current.value
    if x0 == 0:
        if zero_base != "epsilon":
            raise _Unavailable("基期值为0，无法计算年均增长率", "the base value is zero")
        x0 = math.copysign(EPSILON_VALUE, xt) if xt else EPSILON_VALUE
        b.notes.append("基期值为0，按sdg-build以0.001代替")
    _sign_check(x0, xt)
    s = -1 if x0 < 0 else 1
    d = 1 if direction == "up" else -1
    observed = _cagr(xt, x0, current.period.end, base.period.end)
    p = s * d * observed
    c = 1.0
    if lim is not None:
        c = limit_coefficient(x0, lim)
        if abs(x0) > abs(lim):
            b.notes.append("基期值已超出自然上限/下限")
    high, med, low = (th * c for th in thresholds)
    b.set(observed_growth=observed, ratio=p, limit_coefficient=c if lim is not None else None)
    word = "越高越好" if d > 0 else "越低越好"
    return b.done(_band(p, (high, med, low)), _trend_score(p, c, med, high), "trend",
                  f"无量化目标，基期{base.period.label} {_fmt(x0, b.unit)}，当前{current.period.label} "
                  f"{_fmt(xt, b.unit)}，实际年均{_growth_word(observed)}（{word}，"
                  f"按计划线 {high * 100:.2f}%）")


def _assess_annual(obs: list[_Obs], g: float, comparator: str, direction: str, tolerance: float,
                   as_of: Period | None, target_period: Period | None, counting: str,
                   thresholds: Sequence[float], b: _Builder) -> ProgressResult:
    """每年 targets (每年≥5场): the year's count so far against g × the share of the year gone.

    Achieved as soon as the count meets the annual value (floors); a ceiling (每年不超过) is achieved
    only when the year is over and the count stayed within it, and missed as soon as it is exceeded.
    """
    year = as_of.year if as_of is not None else obs[-1].period.year
    point = as_of.end if as_of is not None else obs[-1].period.end
    in_year = [o for o in obs if o.period.year == year]
    if not in_year:
        raise _Unavailable(f"{year}年尚无数据", f"no data for {year} yet")
    whole = [o for o in in_year if o.period.granularity == "year"]
    if whole:
        count = whole[-1].value
        if len(in_year) > 1:
            b.notes.append("有全年数，未再累加月度/季度数")
    elif counting == "sum":
        count = sum(o.value for o in in_year)
    else:
        count = in_year[-1].value
    last = in_year[-1]
    share = min(max(point - year, 0.0), 1.0)
    sense = {">=": 1, ">": 1, "<=": -1}.get(comparator, 1 if direction == "up" else -1)
    band = tolerance * abs(g) if comparator == "~" else 0.0
    goal = _Goal(g, g - band, g + band, comparator, sense)
    expected = g * share
    year_over = share >= 1 - _EPS
    b.set(current_period=last.period.label, current_position=last.period.end, current_value=count,
          target_value=g, expected_value=expected, elapsed_share=share, direction="up" if sense > 0 else "down",
          target_period=f"{year}年", target_position=float(year + 1))
    if target_period is not None and year > target_period.year:
        b.notes.append(f"已过目标年份{target_period.label}")
    where = f"{year}年全年" if year_over else f"{year}年截至{last.period.label.removeprefix(f'{year}年')}"
    head = (f"{where}累计 {_fmt(count, b.unit)}，全年目标 {_SYMBOL[comparator]}{_fmt(g, b.unit)}"
            f"，按进度应达 {_fmt(expected, b.unit)}（时间过去 {share * 100:.0f}%）")
    met = goal.met(count)
    if sense > 0:
        if met:
            return b.done(Status.TARGET_ACHIEVED, 5.0, "annual_pro_rata", head)
        if year_over:
            return b.done(Status.TARGET_NOT_ACHIEVED, -5.0, "annual_pro_rata", f"{head}，全年未达到")
        p = count / expected if expected > 0 else math.inf
    else:
        if not met:
            return b.done(Status.TARGET_NOT_ACHIEVED, -5.0, "annual_pro_rata", f"{head}，已超出全年上限")
        if year_over:
            return b.done(Status.TARGET_ACHIEVED, 5.0, "annual_pro_rata", head)
        # Within the ceiling so far: at or under the pro-rata share is on track.
        p = expected / count if count > 0 else math.inf
    b.set(ratio=p)
    return b.done(_band(p, thresholds), _ratio_score(p), "annual_pro_rata", f"{head}，比值 {_fmt(p)}")


# ---------------------------------------------------------------- model adapter and aggregation


def target_assess_record(target: Any, observations: Mapping[Any, Any] | Iterable[tuple[Any, Any]],
                         **options: Any) -> ProgressResult:
    """:func:`target_assess` for anything shaped like ``plans.models.Target`` (duck-typed, no ORM
    query beyond the already-loaded ``indicator``): kind, comparator, value, year, base_year, unit,
    and the indicator's direction and unit. ``options`` override or add (as_of, base_value, …)."""
    indicator = getattr(target, "indicator", None)
    kwargs: dict[str, Any] = {
        "kind": target.kind,
        "target_value": target.value,
        "comparator": target.comparator,
        "target_year": target.year,
        "base_year": target.base_year,
        "unit": target.unit,
        "direction": getattr(indicator, "direction", None) or "up",
    }
    if indicator is not None and getattr(indicator, "unit", None):
        kwargs["value_unit"] = indicator.unit
    kwargs.update(options)
    return target_assess(observations, **kwargs)


@dataclass(frozen=True)
class CombinedProgress:
    """Several targets of one indicator (or one task): a status from the combined score."""

    status: Status
    label: str
    score: float | None
    available: int
    total: int


def progress_combine(results: Sequence[ProgressResult], rule: Literal["mean", "min"] = "mean",
                     min_available_share: float = 0.0) -> CombinedProgress:
    """Combine series scores (sdg-build get_indicator_progress): ``mean`` (newest) or ``min``
    (intermediate version; close to StatCan rule 12 "farthest from target"). ``target_achieved``
    only when every result is achieved; otherwise the score bands [2.5, 5] / [0, 2.5) / [-2.5, 0) /
    [-5, -2.5). ``min_available_share`` 0.6 gives StatCan rule 7 (60 % computable)."""
    scored = [r for r in results if r.score is not None and r.status is not Status.NOT_AVAILABLE]
    total = len(results)
    if not scored or (total and len(scored) / total < min_available_share):
        return CombinedProgress(Status.NOT_AVAILABLE, STATUS_LABELS[Status.NOT_AVAILABLE][0], None, len(scored), total)
    scores = [r.score for r in scored if r.score is not None]
    score = sum(scores) / len(scores) if rule == "mean" else min(scores)
    if all(r.status is Status.TARGET_ACHIEVED for r in results):
        status = Status.TARGET_ACHIEVED
    elif score >= 2.5:
        status = Status.SUBSTANTIAL_PROGRESS
    elif score >= 0:
        status = Status.MODERATE_PROGRESS
    elif score >= -2.5:
        status = Status.LIMITED_PROGRESS
    else:
        status = Status.DETERIORATION
    return CombinedProgress(status, STATUS_LABELS[status][0], score, len(scored), total)
