"""Indicator values computed from the subsidy ledger (台账计算): "indicators are computed from
these ledgers wherever possible, not typed in".

What a computed value means
---------------------------
* **The period's count, not a running total.** Trade-in subsidies are activity indicators, so a
  computed value is what happened *in* the period (``IndicatorValue``: "the period's count for
  activity indicators"). A year's figure is the sum of its months, which is how
  ``tracking.progress`` counts 每年 targets by default (``annual_counting="sum"``).
* **Granted (已核定)** claims are those in status ``approved``, ``in_payment`` or ``paid``: decided in
  the claimant's favour and neither rejected nor reversed (退货冲回). Claims still waiting
  (``submitted``, ``accepted``, ``in_review``, ``needs_documents``) only hold a reservation (预占) that
  review may release, so they are not counted yet; this is the ledger's committed + paid money.
* **Which date a claim counts on.** Granted measures (件数, 补贴金额, 带动销售额) count a claim in the
  period of its decision (``Claim.decided_at``, 核定日, local time; the submission time for a claim
  approved before decisions were dated). The paid measure counts a claim in the period of its
  ``claim.pay`` ledger transaction (拨付日) and only while the claim is still paid. A claim reversed
  or clawed back later drops out of the period it was counted in, so recomputing a past period after
  a return lowers it; the sum over all periods of the paid measure equals the ledger's paid balance.
* **Units.** Counts in 台/辆/件/个/笔/户/套 (or 万台 …), money in 元/万元/亿元, four decimals.

Conflicts with hand-entered values: computed wins. A value that a department reported or imported
for a computed period (or for an overlapping period of another kind, e.g. a year over computed
months, which the progress method would otherwise count twice) is replaced; its before-image goes
to the audit log and to ``SupersededIndicatorValue`` so the values page shows reported against
computed. In the other direction ``indicator_value_record`` and the Excel import refuse to write
over a computed value while a source is configured.
"""

import datetime as dt
import logging
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from liangxin.audit.services import audit_record, snapshot
from liangxin.core.errors import Conflict, ServiceError
from liangxin.core.i18n import chinese, chinese_display
from liangxin.tracking.models import (
    ComputedIndicatorSource,
    ComputedMeasure,
    IndicatorValue,
    PeriodKind,
    SupersededIndicatorValue,
    ValueSource,
)
from liangxin.tracking.periods import (
    period_label,
    period_next_start,
    period_start_of,
    periods_between,
    periods_overlap,
)

logger = logging.getLogger(__name__)

_COUNT_WORDS = ("台", "辆", "件", "个", "笔", "户", "套")
COUNT_UNITS = {unit: Decimal(1) for unit in _COUNT_WORDS} | {
    f"万{unit}": Decimal(10_000) for unit in _COUNT_WORDS
}
MONEY_UNITS = {"元": Decimal(1), "万元": Decimal(10_000), "亿元": Decimal(100_000_000)}
MONEY_MEASURES = frozenset(
    {ComputedMeasure.GRANTED_AMOUNT, ComputedMeasure.PAID_AMOUNT, ComputedMeasure.SALES}
)
VALUE_PLACES = Decimal("0.0001")  # IndicatorValue.value keeps four decimals
CENT = Decimal("0.01")

_MEASURE_EN = {
    ComputedMeasure.GRANTED_COUNT: "number of granted claims",
    ComputedMeasure.GRANTED_AMOUNT: "subsidy granted",
    ComputedMeasure.PAID_AMOUNT: "subsidy paid",
    ComputedMeasure.SALES: "sales driven",
}


def _granted_statuses() -> tuple[str, ...]:
    from liangxin.subsidies.models import ClaimStatus

    return (ClaimStatus.APPROVED, ClaimStatus.IN_PAYMENT, ClaimStatus.PAID)


# ---------------------------------------------------------------- configuration


def measure_unit_factor(measure: str, indicator) -> Decimal:
    """How many ledger units (件 or 元) make one unit of the indicator; refuses a measure that
    the indicator's unit cannot express (money into 台, a count into %)."""
    unit = (indicator.unit or "").strip()
    money = measure in MONEY_MEASURES
    table = MONEY_UNITS if money else COUNT_UNITS
    if unit in table:
        return table[unit]
    label = chinese(ComputedMeasure(measure).label)
    if money:
        expected, expected_en = "元、万元 或 亿元", "元, 万元 or 亿元"
    else:
        expected, expected_en = (
            "、".join(_COUNT_WORDS) + " 等件数单位",
            "a count unit such as " + ", ".join(_COUNT_WORDS),
        )
    raise ServiceError(
        "computed_unit_mismatch",
        f"计算口径“{label}”无法换算为指标“{indicator.name}”的计量单位“{unit}”：该口径的指标单位应为 {expected}",
        f"measure: '{_MEASURE_EN[measure]}' cannot be expressed in the unit '{unit}' of indicator "
        f"'{indicator.name}'; the indicator's unit must be {expected_en}",
        field="measure",
    )


def categories_parse(raw) -> list[str]:
    """'冰箱、洗衣机' or ['冰箱', '洗衣机'] → ['冰箱', '洗衣机'] (order kept, duplicates dropped)."""
    items = re.split(r"[,，、;；\s]+", raw) if isinstance(raw, str) else list(raw or [])
    out = []
    for item in items:
        item = str(item).strip()
        if item and item not in out:
            out.append(item)
    return out


def region_programmes(region):
    """Every programme of the region and of the regions below it (a city adds up its counties)."""
    from liangxin.subsidies.models import Programme

    return Programme.objects.filter(Q(region=region) | Q(region__path__startswith=region.path + "/"))


def source_programmes(source: ComputedIndicatorSource) -> list:
    chosen = list(source.programmes.all())
    return chosen or list(region_programmes(source.region))


def _known_categories(programmes) -> set[str]:
    """Categories the programmes' rules name, plus any their claims carry."""
    from liangxin.subsidies.models import Claim, RuleSetVersion

    known = set(Claim.objects.filter(programme__in=programmes).values_list("category", flat=True).distinct())
    for rules in RuleSetVersion.objects.filter(programme__in=programmes).values_list("rules", flat=True):
        for item in (rules or {}).get("categories") or []:
            if isinstance(item, dict) and item.get("code"):
                known.add(str(item["code"]))
    return known


@transaction.atomic
def computed_source_save(
    *,
    actor,
    region,
    indicator,
    measure: str,
    programmes=(),
    categories=(),
    source: ComputedIndicatorSource | None = None,
) -> ComputedIndicatorSource:
    """Configure (or change) where a region's indicator is computed from. One source per region
    and indicator; the measure must be expressible in the indicator's unit."""
    if measure not in ComputedMeasure.values:
        raise ServiceError(
            "computed_measure_invalid",
            f"计算口径“{measure}”无效",
            f"measure: unknown value {measure!r}",
            field="measure",
        )
    if indicator is None:
        raise ServiceError(
            "computed_indicator_missing", "请选择指标", "indicator: required", field="indicator"
        )
    measure_unit_factor(measure, indicator)
    programmes = list(programmes)
    outside = [p.name for p in programmes if not p.region.is_within(region)]
    if outside:
        raise ServiceError(
            "computed_programme_outside",
            f"补贴活动“{'、'.join(outside)}”不属于{region.name}",
            "programmes: a chosen programme belongs to another region",
            field="programmes",
        )
    wanted = categories_parse(categories)
    known = _known_categories(programmes or region_programmes(region))
    unknown = [c for c in wanted if known and c not in known]
    if unknown:
        raise ServiceError(
            "computed_category_unknown",
            f"品类“{'、'.join(unknown)}”不在所选补贴活动的规则和申请中（可选：{'、'.join(sorted(known))}）",
            f"categories: {', '.join(unknown)} not found in the chosen programmes",
            field="categories",
        )
    taken = ComputedIndicatorSource.objects.filter(region=region, indicator=indicator)
    if source is not None:
        taken = taken.exclude(pk=source.pk)
    if taken.exists():
        raise Conflict(
            "computed_source_exists",
            f"{region.name}的指标“{indicator.name}”已配置台账计算来源",
            "indicator: this region already computes this indicator",
            field="indicator",
        )
    before = None
    if source is None:
        source = ComputedIndicatorSource(
            region=region, created_by=actor if getattr(actor, "is_authenticated", False) else None
        )
    else:
        if source.region_id != region.id:
            raise ServiceError(
                "computed_source_region", "该来源属于其他地区", "the source belongs to another region"
            )
        before = {**snapshot(source), "programmes": sorted(source.programmes.values_list("id", flat=True))}
    source.indicator, source.measure, source.categories = indicator, measure, wanted
    source.save()
    source.programmes.set(programmes)
    audit_record(
        actor=actor,
        action="computed_source.save",
        instance=source,
        object_repr=f"{indicator.name} ← {chinese_display(source, 'measure')}",
        region=region,
        before=before,
        after={**snapshot(source), "programmes": sorted(p.id for p in programmes)},
    )
    return source


@transaction.atomic
def computed_source_delete(*, actor, source: ComputedIndicatorSource) -> None:
    """Stop computing the indicator. Values already computed stay (with their notes) but are no
    longer protected: departments may report the indicator again."""
    before = {**snapshot(source), "programmes": sorted(source.programmes.values_list("id", flat=True))}
    audit_record(
        actor=actor,
        action="computed_source.delete",
        instance=source,
        object_repr=f"{source.indicator.name} ← {chinese_display(source, 'measure')}",
        region=source.region,
        before=before,
    )
    source.delete()


# ---------------------------------------------------------------- the ledger figures


def _aware(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _cents(total) -> Decimal:
    # SQLite sums decimals as floating point: round back to fen.
    return Decimal(str(total or 0)).quantize(CENT, ROUND_HALF_UP)


def ledger_figure(measure: str, programmes, categories, start: dt.date, end: dt.date) -> tuple[int, Decimal]:
    """(claims, figure) for [start, end) in local time: the figure is a count for the count
    measure, yuan otherwise. See the module docstring for the statuses and dates."""
    from liangxin.subsidies.models import Claim, ClaimStatus, LedgerAccount, LedgerEntry

    low, high = _aware(start), _aware(end)
    if measure == ComputedMeasure.PAID_AMOUNT:
        entries = LedgerEntry.objects.filter(
            account=LedgerAccount.PAID,
            transaction__kind="claim.pay",
            transaction__claim__status=ClaimStatus.PAID,
            transaction__claim__programme__in=programmes,
            transaction__created_at__gte=low,
            transaction__created_at__lt=high,
        )
        if categories:
            entries = entries.filter(transaction__claim__category__in=categories)
        row = entries.aggregate(claims=Count("transaction__claim", distinct=True), total=Sum("amount"))
        return row["claims"], _cents(row["total"])
    claims = (
        Claim.objects.filter(programme__in=programmes, status__in=_granted_statuses())
        .annotate(counted_on=Coalesce("decided_at", "created_at"))
        .filter(counted_on__gte=low, counted_on__lt=high)
    )
    if categories:
        claims = claims.filter(category__in=categories)
    row = claims.aggregate(claims=Count("id"), amount=Sum("amount"), sales=Sum("price"))
    if measure == ComputedMeasure.GRANTED_COUNT:
        return row["claims"], Decimal(row["claims"])
    return row["claims"], _cents(row["amount"] if measure == ComputedMeasure.GRANTED_AMOUNT else row["sales"])


def _note(measure: str, programmes: list, categories: list[str], claims: int, figure: Decimal) -> str:
    scope = f"{len(programmes)} 个活动" + (f"（{'、'.join(categories)}）" if categories else "")
    if measure == ComputedMeasure.GRANTED_COUNT:
        what = f"已核定 {claims:,} 件"
    elif measure == ComputedMeasure.GRANTED_AMOUNT:
        what = f"已核定 {claims:,} 件，补贴 {figure:,.2f} 元"
    elif measure == ComputedMeasure.PAID_AMOUNT:
        what = f"已拨付 {claims:,} 件，补贴 {figure:,.2f} 元"
    else:
        what = f"已核定 {claims:,} 件，成交额 {figure:,.2f} 元"
    return f"由补贴台账计算：{scope}，{what}"[:200]


# ---------------------------------------------------------------- computing


@dataclass
class ComputedOutcome:
    """What one source did for one period: created / updated / unchanged, or skipped / refused
    with a reason (nothing written)."""

    indicator: str
    unit: str
    period_kind: str
    period_start: dt.date
    action: str
    value: Decimal | None = None
    previous: Decimal | None = None
    reason: str = ""
    reason_en: str = ""
    superseded: list[str] = field(default_factory=list)

    @property
    def period_label(self) -> str:
        return period_label(self.period_kind, self.period_start)

    @property
    def wrote(self) -> bool:
        return self.action in ("created", "updated")


def _sources(region) -> list[ComputedIndicatorSource]:
    return list(
        ComputedIndicatorSource.objects.filter(region=region)
        .select_related("region", "indicator")
        .prefetch_related("programmes__region")
        .order_by("indicator__name")
    )


def _supersede(actor, row: IndicatorValue, *, reason: str) -> str:
    """Keep a hand-entered value that the ledger replaces, for the page and the audit log."""
    # Stored and audited: Chinese whatever the language of the page that triggered it.
    label = f"{period_label(row.period_kind, row.period_start)} {row.value.normalize():f}（{chinese_display(row, 'source')}）"
    if row.source != ValueSource.COMPUTED:
        SupersededIndicatorValue.objects.create(
            region=row.region,
            indicator=row.indicator,
            period_kind=row.period_kind,
            period_start=row.period_start,
            value=row.value,
            source=row.source,
            note=row.note,
            recorded_by=row.recorded_by,
            recorded_at=row.recorded_at,
        )
    audit_record(
        actor=actor,
        action="indicator_value.supersede",
        instance=row,
        object_repr=f"{row.indicator.name} {period_label(row.period_kind, row.period_start)}",
        region=row.region,
        before=snapshot(row),
        after={"reason": reason},
    )
    return label


def _write(
    actor, source: ComputedIndicatorSource, kind: str, start: dt.date, value: Decimal, note: str
) -> ComputedOutcome:
    region, indicator = source.region, source.indicator
    outcome = ComputedOutcome(indicator.name, indicator.unit, kind, start, "unchanged", value=value)
    nearby = (
        IndicatorValue.objects.select_for_update()
        .filter(
            region=region,
            indicator=indicator,
            period_start__gte=dt.date(start.year - 1, start.month, 1),
            period_start__lt=period_next_start(kind, start),
        )
        .select_related("region", "indicator")
    )
    existing = None
    for row in nearby:
        if row.period_kind == kind and row.period_start == start:
            existing = row
        elif periods_overlap(kind, start, row.period_kind, row.period_start):
            # Another granularity over the same time: progress would count it twice or refuse
            # two values at one time point, so the computed series replaces it.
            outcome.superseded.append(
                _supersede(actor, row, reason=f"与台账计算的{period_label(kind, start)}重叠")
            )
            row.delete()
    if (
        existing is not None
        and existing.source == ValueSource.COMPUTED
        and existing.value == value
        and existing.note == note
    ):
        return outcome
    before = snapshot(existing) if existing is not None else None
    if existing is not None:
        outcome.previous = existing.value
        if existing.source != ValueSource.COMPUTED:
            outcome.superseded.append(_supersede(actor, existing, reason="台账计算取代"))
    row = existing or IndicatorValue(region=region, indicator=indicator, period_kind=kind, period_start=start)
    row.value, row.source, row.report, row.note = value, ValueSource.COMPUTED, None, note
    row.recorded_by = actor if getattr(actor, "is_authenticated", False) else None
    row.save()
    audit_record(
        actor=actor,
        action="indicator_value.compute",
        instance=row,
        object_repr=f"{indicator.name} {period_label(kind, start)}",
        region=region,
        before=before,
        after=snapshot(row),
    )
    outcome.action = "updated" if existing is not None else "created"
    return outcome


def _compute_one(
    actor, source: ComputedIndicatorSource, kind: str, start: dt.date, today: dt.date
) -> ComputedOutcome:
    indicator = source.indicator

    def skip(action: str, reason: str, reason_en: str) -> ComputedOutcome:
        return ComputedOutcome(
            indicator.name, indicator.unit, kind, start, action, reason=reason, reason_en=reason_en
        )

    try:
        factor = measure_unit_factor(source.measure, indicator)
    except ServiceError as exc:  # the catalogue unit was changed after the source was configured
        return skip("refused", exc.message, exc.message_en)
    if start > today:
        return skip("skipped", "期间尚未开始", "the period has not started")
    programmes = source_programmes(source)
    if not programmes:
        return skip("skipped", "没有补贴活动", "no subsidy programme")
    end = period_next_start(kind, start)
    if end <= min(p.starts_on for p in programmes):
        # Before any programme opened the ledger knows nothing: a reported value there stays.
        return skip("skipped", "补贴活动尚未开始", "before the first programme started")
    claims, figure = ledger_figure(source.measure, programmes, source.categories, start, end)
    value = (figure / factor).quantize(VALUE_PLACES, ROUND_HALF_UP)
    return _write(
        actor,
        source,
        kind,
        start,
        value,
        _note(source.measure, programmes, source.categories, claims, figure),
    )


def _check_kind(period_kind: str) -> None:
    if period_kind not in PeriodKind.values:
        raise ServiceError(
            "period_kind_invalid", f"期别“{period_kind}”无效", "period_kind: invalid", field="period_kind"
        )


@transaction.atomic
def indicator_values_compute(
    *, actor, region, period_kind: str, period_start: dt.date, today: dt.date | None = None, sources=None
) -> list[ComputedOutcome]:
    """Write the region's computed indicator values for one period, in one transaction. Running it
    again with an unchanged ledger writes nothing (every outcome ``unchanged``)."""
    _check_kind(period_kind)
    today = today or timezone.localdate()
    start = period_start_of(period_kind, period_start)
    sources = _sources(region) if sources is None else sources
    return [_compute_one(actor, source, period_kind, start, today) for source in sources]


@transaction.atomic
def indicator_values_compute_range(
    *,
    actor,
    region,
    period_kind: str,
    first: dt.date,
    last: dt.date,
    today: dt.date | None = None,
    sources=None,
    progress=None,
) -> list[ComputedOutcome]:
    """Every period from the one containing `first` to the one containing `last` (capped at the
    current period), all or nothing. `progress(done, total)` is called after each period."""
    _check_kind(period_kind)
    today = today or timezone.localdate()
    if first > last:
        raise ServiceError("period_range", "起始期间晚于结束期间", "first: after last", field="first")
    periods = periods_between(period_kind, first, min(last, today))
    sources = _sources(region) if sources is None else sources
    outcomes = []
    for done, start in enumerate(periods, start=1):
        outcomes.extend(_compute_one(actor, source, period_kind, start, today) for source in sources)
        if progress:
            progress(done, len(periods))
    return outcomes


def indicator_values_compute_year(
    *,
    actor,
    region,
    year: int,
    period_kind: str = PeriodKind.MONTH,
    today: dt.date | None = None,
    progress=None,
) -> list[ComputedOutcome]:
    """Each month (or quarter) of `year` up to the current one; `period_kind="year"` writes one
    value for the year instead (and replaces the months of that year)."""
    today = today or timezone.localdate()
    if not 2000 <= int(year) <= today.year:
        raise ServiceError(
            "year_invalid",
            f"年份“{year}”无效：应在 2000 年至今年之间",
            f"year: {year} is not between 2000 and this year",
            field="year",
        )
    return indicator_values_compute_range(
        actor=actor,
        region=region,
        period_kind=period_kind,
        first=dt.date(int(year), 1, 1),
        last=dt.date(int(year), 12, 31),
        today=today,
        progress=progress,
    )


# ---------------------------------------------------------------- hook for the subsidy services


def indicator_values_refresh_on_commit(*, programme, days=(), actor="system") -> None:
    """For the subsidy services: after claims or payments of `programme` changed, recompute the
    months containing `days` (and the current month) for every source that reads the programme,
    in its region and the regions above it. Runs once the caller's transaction has committed, in
    its own transaction, so a misconfigured indicator can never undo a payment; a failure is
    logged, not raised."""
    # Local dates: a claim decided at 00:30 on the 1st in Beijing belongs to the new month.
    days = sorted({timezone.localtime(d).date() if isinstance(d, dt.datetime) else d for d in days if d is not None})
    programme_id, region_path = programme.pk, programme.region.path
    transaction.on_commit(lambda: _refresh(actor, programme_id, region_path, days), robust=True)


def _refresh(actor, programme_id: int, region_path: str, days: list[dt.date]) -> list[ComputedOutcome]:
    today = timezone.localdate()
    months = sorted({period_start_of(PeriodKind.MONTH, d) for d in [*days, today]})
    codes = region_path.split("/")
    by_region: dict[int, list] = {}
    for source in (
        ComputedIndicatorSource.objects.filter(region__code__in=codes)
        .select_related("region", "indicator")
        .prefetch_related("programmes")
    ):
        chosen = {p.id for p in source.programmes.all()}
        if not chosen or programme_id in chosen:
            by_region.setdefault(source.region_id, []).append(source)
    outcomes = []
    for sources in by_region.values():
        region = sources[0].region
        try:
            with transaction.atomic():
                for month in months:
                    outcomes.extend(
                        indicator_values_compute(
                            actor=actor,
                            region=region,
                            period_kind=PeriodKind.MONTH,
                            period_start=month,
                            today=today,
                            sources=sources,
                        )
                    )
        except Exception:
            logger.exception("recomputing the indicators of %s failed", region.code)
    return outcomes
