"""Periods of indicator values as stored: (期别, 期初) → the first day of the next period, a label,
and the periods between two dates. Shared by the services, the ledger computation and pages."""

import datetime as dt

from liangxin.tracking.models import PeriodKind

_MONTHS = {PeriodKind.MONTH: 1, PeriodKind.QUARTER: 3, PeriodKind.YEAR: 12}


def period_start_of(period_kind: str, day: dt.date) -> dt.date:
    """The first day of the period of `period_kind` that contains `day`."""
    if period_kind == PeriodKind.YEAR:
        return dt.date(day.year, 1, 1)
    if period_kind == PeriodKind.QUARTER:
        return dt.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    return day.replace(day=1)


def period_next_start(period_kind: str, start: dt.date) -> dt.date:
    """The first day after the period (an exclusive end, so a day's last second is inside)."""
    index = start.year * 12 + start.month - 1 + _MONTHS[period_kind]
    return dt.date(index // 12, index % 12 + 1, 1)


def period_label(period_kind: str, start: dt.date) -> str:
    if period_kind == PeriodKind.YEAR:
        return f"{start.year}年"
    if period_kind == PeriodKind.QUARTER:
        return f"{start.year}年第{(start.month - 1) // 3 + 1}季度"
    return f"{start.year}年{start.month}月"


def period_display(period_kind: str, start: dt.date) -> str:
    """`period_label` in the page's language (the label itself stays Chinese: notices, the 通报 and
    the audit log quote it)."""
    from liangxin.core.i18n import localized

    if period_kind == PeriodKind.YEAR:
        english = f"{start.year}"
    elif period_kind == PeriodKind.QUARTER:
        english = f"{start.year} Q{(start.month - 1) // 3 + 1}"
    else:
        english = f"{start:%Y-%m}"
    return localized(period_label(period_kind, start), english)


def periods_between(period_kind: str, first: dt.date, last: dt.date) -> list[dt.date]:
    """Starts of every period from the one containing `first` to the one containing `last`."""
    out, start = [], period_start_of(period_kind, first)
    while start <= last:
        out.append(start)
        start = period_next_start(period_kind, start)
    return out


def periods_overlap(kind_a: str, start_a: dt.date, kind_b: str, start_b: dt.date) -> bool:
    return start_a < period_next_start(kind_b, start_b) and start_b < period_next_start(kind_a, start_a)
