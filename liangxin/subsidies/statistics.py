"""Programme statistics (统计): claims and amounts by day, category, seller and status; fund
use by source from the ledger; time-limit compliance (办理时限); and the same as an Excel workbook. These are
the numbers the tracking side can feed into plan indicators (家电、汽车以旧换新)."""

import datetime as dt
import io
from decimal import Decimal

from django.db.models import Count, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from liangxin.core.i18n import in_chinese
from liangxin.subsidies.models import Claim, ClaimStatus, FundingSource, LedgerAccount, LedgerEntry, Programme
from liangxin.subsidies.time_limits import time_limit_summary

CENT = Decimal("0.01")


def _rows(queryset, key: str) -> list[dict]:
    return [
        {"key": row[key] if row[key] is not None else "—", "claims": row["claims"],
         "amount": Decimal(row["amount"] or 0).quantize(CENT)}
        for row in queryset.annotate(claims=Count("id"), amount=Sum("amount")).order_by(key)
    ]


def programme_statistics(programme: Programme, *, today: dt.date | None = None) -> dict:
    today = today or timezone.localdate()
    claims = Claim.objects.filter(programme=programme)
    granted = claims.exclude(status__in=[ClaimStatus.REJECTED, ClaimStatus.REVERSED])
    by_day = _rows(granted.annotate(day=TruncDate("created_at")).values("day"), "day")
    by_category = _rows(granted.values("category"), "category")
    by_seller = _rows(granted.values("organisation__name"), "organisation__name")
    by_status = [
        {"key": str(ClaimStatus(row["status"]).label), "claims": row["claims"], "amount": Decimal(row["amount"] or 0).quantize(CENT)}
        for row in claims.values("status").annotate(claims=Count("id"), amount=Sum("amount")).order_by("status")
    ]
    funding = [
        {"key": row["source"], "label": str(FundingSource(row["source"]).label), "allocated": -Decimal(row["total"]).quantize(CENT)}
        for row in LedgerEntry.objects.filter(pool__programme=programme, account=LedgerAccount.FUNDING)
        .values("source").annotate(total=Sum("amount")).order_by("source")
    ]
    paid_by_source = {
        row["source"]: Decimal(row["total"]).quantize(CENT)
        for row in LedgerEntry.objects.filter(pool__programme=programme, account=LedgerAccount.PAID)
        .values("source").annotate(total=Sum("amount"))
    }
    for row in funding:
        row["paid"] = paid_by_source.get(row["key"], Decimal("0.00"))
    return {
        "by_day": by_day, "by_category": by_category, "by_seller": by_seller, "by_status": by_status, "funding": funding,
        "time_limits": time_limit_summary(programme, claims),
    }


def statistics_charts(stats: dict) -> dict:
    """ECharts options (JSON) for the statistics page: claims and amount per day, amount per category."""
    days = [str(r["key"]) for r in stats["by_day"]]
    claims, amount = _("申请数"), _("补贴金额（元）")
    return {
        "by_day": {
            "tooltip": {"trigger": "axis"}, "legend": {"data": [claims, amount]},
            "xAxis": {"type": "category", "data": days},
            "yAxis": [{"type": "value", "name": _("笔")}, {"type": "value", "name": _("元")}],
            "series": [{"type": "bar", "name": claims, "data": [r["claims"] for r in stats["by_day"]]},
                       {"type": "line", "name": amount, "yAxisIndex": 1,
                        "data": [str(r["amount"]) for r in stats["by_day"]]}],
            "grid": {"left": 50, "right": 70},
        },
        "by_category": {
            "tooltip": {"trigger": "item"},
            "series": [{"type": "pie", "radius": ["35%", "65%"],
                        "data": [{"name": str(r["key"]), "value": str(r["amount"])} for r in stats["by_category"]]}],
        },
    }


def programme_statistics_xlsx(programme: Programme) -> bytes:
    """The workbook is a Chinese data export, whatever the language of the page it is downloaded from."""
    with in_chinese():
        return _programme_statistics_xlsx(programme)


def _programme_statistics_xlsx(programme: Programme) -> bytes:
    stats = programme_statistics(programme)
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, key, label in (("按日", "by_day", "日期"), ("按品类", "by_category", "品类"), ("按销售企业", "by_seller", "销售企业"),
                              ("按状态", "by_status", "状态")):
        sheet = workbook.create_sheet(title)
        sheet.append([label, "申请数", "补贴金额（元）"])
        for row in stats[key]:
            sheet.append([str(row["key"]), row["claims"], row["amount"]])  # Decimal: Excel gets the exact fen
    sheet = workbook.create_sheet("资金来源")
    sheet.append(["资金来源", "下达（元）", "已拨付（元）"])
    for row in stats["funding"]:
        sheet.append([row["label"], row["allocated"], row["paid"]])
    sheet = workbook.create_sheet("时限")
    sheet.append(["环节", "时限（天，自提交起）", "办理中", "其中超期", "已办结", "按时办结", "按时办结率（%）"])
    for row in stats["time_limits"]:
        sheet.append([row["label"], row["days"], row["waiting"], row["overdue"], row["done"], row["on_time"], row["rate"]])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
