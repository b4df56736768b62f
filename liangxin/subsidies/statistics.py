"""Programme statistics (统计): claims and amounts by day, category, seller and status; fund
use by source from the ledger; SLA compliance; and the same as an Excel workbook. These are
the numbers the tracking side can feed into plan indicators (家电、汽车以旧换新)."""

import datetime as dt
import io
from decimal import Decimal

from django.db.models import Count, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone
from openpyxl import Workbook

from liangxin.subsidies.models import Claim, ClaimReview, ClaimStatus, LedgerAccount, LedgerEntry, Programme

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
        {"key": ClaimStatus(row["status"]).label, "claims": row["claims"], "amount": Decimal(row["amount"] or 0).quantize(CENT)}
        for row in claims.values("status").annotate(claims=Count("id"), amount=Sum("amount")).order_by("status")
    ]
    funding = [
        {"key": row["source"], "allocated": -Decimal(row["total"]).quantize(CENT)}
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
    review_limit = timezone.now() - dt.timedelta(days=programme.sla_review_days)
    pay_limit = timezone.now() - dt.timedelta(days=programme.sla_pay_days)
    waiting_review = claims.filter(status__in=[ClaimStatus.IN_REVIEW, ClaimStatus.NEEDS_DOCUMENTS])
    waiting_payment = claims.filter(status__in=[ClaimStatus.APPROVED, ClaimStatus.IN_PAYMENT])
    decided = ClaimReview.objects.filter(claim__programme=programme, action__in=["approve", "reject"]).select_related("claim")
    on_time = sum(1 for r in decided if (r.at - r.claim.created_at).days <= programme.sla_review_days)
    return {
        "by_day": by_day, "by_category": by_category, "by_seller": by_seller, "by_status": by_status, "funding": funding,
        "sla": {
            "review_days": programme.sla_review_days, "pay_days": programme.sla_pay_days,
            "review_overdue": waiting_review.filter(created_at__lt=review_limit).count(),
            "payment_overdue": waiting_payment.filter(created_at__lt=pay_limit).count(),
            "reviewed": len(decided), "reviewed_on_time": on_time,
        },
    }


def programme_statistics_xlsx(programme: Programme) -> bytes:
    stats = programme_statistics(programme)
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, key, label in (("按日", "by_day", "日期"), ("按品类", "by_category", "品类"), ("按销售企业", "by_seller", "销售企业"),
                              ("按状态", "by_status", "状态")):
        sheet = workbook.create_sheet(title)
        sheet.append([label, "申请数", "补贴金额（元）"])
        for row in stats[key]:
            sheet.append([str(row["key"]), row["claims"], float(row["amount"])])
    sheet = workbook.create_sheet("资金来源")
    sheet.append(["资金来源", "下达（元）", "已拨付（元）"])
    for row in stats["funding"]:
        sheet.append([row["key"], float(row["allocated"]), float(row["paid"])])
    sheet = workbook.create_sheet("时限")
    for label, value in (("审核时限（天）", stats["sla"]["review_days"]), ("超期未审", stats["sla"]["review_overdue"]),
                         ("拨付时限（天）", stats["sla"]["pay_days"]), ("超期未付", stats["sla"]["payment_overdue"]),
                         ("已审核", stats["sla"]["reviewed"]), ("按时审核", stats["sla"]["reviewed_on_time"])):
        sheet.append([label, value])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
