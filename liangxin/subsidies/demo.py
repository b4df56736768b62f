"""Demo subsidy data: a 2025-rules appliance programme in 金乡县 with claims carried through
automatic and manual review, a paid batch with one failed line, and that line's retry —
every step through the real services. Names say 演示 so nobody mistakes them for real people."""

import csv
import datetime as dt
import io
from decimal import Decimal

from liangxin.regions.models import Region
from liangxin.subsidies.decision import decide, usage_for
from liangxin.subsidies.disbursement import bank_result_import, batch_create
from liangxin.subsidies.models import Claim, ClaimStatus, Programme
from liangxin.subsidies.review import claim_review, claim_route
from liangxin.subsidies.rules.templates import template_copy
from liangxin.subsidies.services import (
    claim_submit,
    organisation_create,
    organisation_token_issue,
    pool_create,
    programme_create,
)

# (category, price, efficiency grade)
ITEMS = [("冰箱", "3999", 1), ("洗衣机", "2899", 2), ("空调", "4599", 1), ("电视", "5299", 2), ("冰箱", "12000", 1),
         ("热水器", "1899", 2), ("空调", "3299", 2), ("电视", "2999", 1), ("洗衣机", "1599", 1), ("冰箱", "2599", 2)]


def demo_id_card(n: int) -> str:
    """A valid GB 11643 number for simulated person n (demo and tests): checksum computed as the
    standard says; 370828 (金乡县) was assigned after 1985, so the birth date is in 1990."""
    body = f"37082819900101{n % 1000:03d}"
    total = sum(int(d) * (2 ** (17 - i) % 11) for i, d in enumerate(body))
    return body + "10X98765432"[total % 11]


def _bank_result(batch, fail_line: int | None) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["批次号", "明细号", "金额", "结果", "失败原因", "银行流水号"])
    for item in batch.items.order_by("line"):
        failed = item.line == fail_line
        writer.writerow([batch.number, item.line, f"{item.amount:.2f}", "失败" if failed else "成功",
                         "收款账户户名不符（演示）" if failed else "", f"DEMO{batch.id:03d}{item.line:04d}"])
    return buffer.getvalue().encode("utf-8-sig")


def demo_subsidies_load(*, actor, reviewers) -> list[str]:
    region = Region.objects.get(code="370828")
    if Programme.objects.filter(region=region, name__startswith="（演示）").exists():
        return []
    today = dt.date.today()
    start, end = today - dt.timedelta(days=60), today + dt.timedelta(days=120)
    rules = template_copy("appliances-2025", window_start=str(start), window_end=str(end))
    programme = programme_create(actor=actor, region=region, year=today.year, name="（演示）家电以旧换新", template="appliances-2025",
                                 starts_on=start, ends_on=end, rules=rules.model_dump(mode="json"),
                                 funding_shares={"central": 90, "provincial": 5, "county": 5})
    programme.sample_rate, programme.second_approval_above = Decimal("0.3"), Decimal("1500")
    programme.save(update_fields=["sample_rate", "second_approval_above"])
    pool_create(actor=actor, programme=programme, name="家电补贴资金", allocated="200000")
    shop = organisation_create(actor=actor, region=region, name="（演示）金乡某家电卖场", credit_code="91110000600037341L", kind="retailer")
    shop.bank_name, shop.bank_account = "（演示）农业银行金乡支行", "6228480000000000001"
    shop.save(update_fields=["bank_name", "bank_account"])
    organisation_token_issue(actor=actor, organisation=shop)
    for n, (category, price, grade) in enumerate(ITEMS, start=1):
        payload = {
            "claimant": {"name": f"演示申请人{n}", "id_card": demo_id_card(n), "phone": f"1380000{n:04d}"},
            "new_item": {"category": category, "price": price, "efficiency_grade": grade, "identifier": f"DEMO-SN-{n:05d}",
                         "invoice": f"DEMO-INV-{n:06d}"},
            "old_item": {"kind": category, "identifier": f"DEMO-OLD-{n:05d}", "handed_in": True},
            "documents": ["invoice", "old_item_receipt", "id_card"],
        }
        claim, _ = claim_submit(actor=actor, programme=programme, payload=payload, organisation=shop, decide=decide, usage_for=usage_for)
        claim_route(claim=claim)
    first, second = reviewers
    queue = list(Claim.objects.filter(programme=programme, status=ClaimStatus.IN_REVIEW).order_by("id"))
    for index, claim in enumerate(queue):
        if index == len(queue) - 1 and len(queue) > 1:
            claim_review(actor=first, claim=claim, action="request_documents", reason="（演示）请补充旧机回收凭证照片")
            continue
        claim = claim_review(actor=first, claim=claim, action="approve", reason="（演示）发票与序列号一致")
        if claim.status == ClaimStatus.IN_REVIEW:  # above the two-person line
            claim_review(actor=second, claim=claim, action="approve", reason="（演示）复核通过")
    lines = []
    if Claim.objects.filter(programme=programme, status=ClaimStatus.APPROVED).exists():
        batch = batch_create(actor=actor, programme=programme)
        outcome = bank_result_import(actor=actor, batch=batch, data=_bank_result(batch, fail_line=2 if batch.item_count > 1 else None), fmt="csv")
        lines.append(f"拨付批次 {batch.number}：成功 {outcome['paid']} 笔，失败 {outcome['failed']} 笔（演示）")
        from liangxin.subsidies.returns import claim_return_item

        returned = Claim.objects.filter(programme=programme, status=ClaimStatus.PAID).order_by("-id").first()
        if returned is not None:
            claim_return_item(actor=actor, claim=returned, reason="（演示）顾客退货，已拨付补贴转追回")
            lines.append(f"退货追回：申请 {returned.number}（演示）")
    counts = {s.label: Claim.objects.filter(programme=programme, status=s).count() for s in ClaimStatus}
    lines.append("补贴申请（演示）：" + "，".join(f"{k} {v}" for k, v in counts.items() if v))
    return lines
