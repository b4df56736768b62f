"""Demo subsidy data: a 2025-rules appliance programme in 金乡县 with claims carried through
automatic and manual review, a paid batch (one transfer per seller) whose second transfer fails and
waits for the next batch, a return, and a car programme with staff acceptance —
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
    """The bank's answer, one row per transfer, as a bank's result file would give it."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["批次号", "明细号", "金额", "结果", "失败原因", "银行流水号"])
    for transfer in batch.transfers.order_by("line"):
        failed = transfer.line == fail_line
        writer.writerow([batch.number, transfer.line, f"{transfer.amount:.2f}", "失败" if failed else "成功",
                         "收款账户户名不符（演示）" if failed else "", "" if failed else f"DEMO{batch.id:03d}{transfer.line:04d}"])
    return buffer.getvalue().encode("utf-8-sig")


def demo_card_number(n: int) -> str:
    """A UnionPay debit card number for simulated person n that passes the Luhn check."""
    from stdnum import luhn

    body = f"621700{n:012d}"
    return body + luhn.calc_check_digit(body)


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
    shop = organisation_create(actor=actor, region=region, name="（演示）金乡某家电卖场", credit_code="91110000600037341L", kind="retailer",
                               bank_name="（演示）农业银行金乡支行", bank_account="6228480000000000001")
    organisation_token_issue(actor=actor, organisation=shop)
    # A second seller, so the batch shows one transfer per seller and one of them can fail.
    other = organisation_create(actor=actor, region=region, name="（演示）金乡某电器专营店", credit_code="91370828MA3C4XY505",
                                kind="retailer", bank_name="（演示）工商银行金乡支行", bank_account="1608000000000000002")
    for n, (category, price, grade) in enumerate(ITEMS, start=1):
        payload = {
            "claimant": {"name": f"演示申请人{n}", "id_card": demo_id_card(n), "phone": f"1380000{n:04d}"},
            "new_item": {"category": category, "price": price, "efficiency_grade": grade, "identifier": f"DEMO-SN-{n:05d}",
                         "invoice": f"DEMO-INV-{n:06d}"},
            "old_item": {"kind": category, "identifier": f"DEMO-OLD-{n:05d}", "handed_in": True},
            "documents": ["invoice", "old_item_receipt", "id_card"],
        }
        seller = shop if n % 3 else other
        claim, _ = claim_submit(actor=actor, programme=programme, payload=payload, organisation=seller, decide=decide, usage_for=usage_for)
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
        fail_line = batch.transfers.order_by("-line").values_list("line", flat=True).first() if batch.transfer_count > 1 else None
        outcome = bank_result_import(actor=actor, batch=batch, data=_bank_result(batch, fail_line=fail_line), fmt="csv")
        lines.append(f"拨付批次 {batch.number}：{batch.transfer_count} 笔付款（{batch.item_count} 笔申请），"
                     f"成功 {outcome['paid']} 笔，失败 {outcome['failed']} 笔（演示）")
        from liangxin.subsidies.returns import claim_return_item

        returned = Claim.objects.filter(programme=programme, status=ClaimStatus.PAID).order_by("-id").first()
        if returned is not None:
            claim_return_item(actor=actor, claim=returned, reason="（演示）顾客退货，已拨付补贴转追回")
            lines.append(f"退货追回：申请 {returned.number}（演示）")
    counts = {s.label: Claim.objects.filter(programme=programme, status=s).count() for s in ClaimStatus}
    lines.append("补贴申请（演示）：" + "，".join(f"{k} {v}" for k, v in counts.items() if v))
    lines.extend(_demo_cars(actor=actor, region=region, reviewer=first, start=start, end=end))
    return lines


# (fuel, price after discounts, old car's fuel, registered)
CARS = [("nev", "152800", "gasoline", "2011-08-16"), ("gasoline", "118900", "gasoline", "2012-03-02"),
        ("nev", "229900", "diesel", "2014-11-20"), ("nev", "98800", "gasoline", "2009-06-30")]


def _demo_cars(*, actor, region, reviewer, start, end) -> list[str]:
    """A car scrapping programme run as the 2026 car rules say: the consumer applies, staff accept
    within 3 days, the subsidy goes to the consumer's own card."""
    from liangxin.subsidies.disbursement import batch_create as make_batch

    today = dt.date.today()
    rules = template_copy("car-scrap-2026", window_start=str(start), window_end=str(end), ownership_before="2025-01-08")
    programme = programme_create(actor=actor, region=region, year=today.year, name="（演示）汽车报废更新", template="car-scrap-2026",
                                 starts_on=start, ends_on=end, rules=rules.model_dump(mode="json"),
                                 funding_shares={"central": 90, "provincial": 5, "county": 5})
    programme.sample_rate = Decimal("0")
    programme.save(update_fields=["sample_rate"])
    pool_create(actor=actor, programme=programme, name="汽车补贴资金", allocated="500000")
    dealer = organisation_create(actor=actor, region=region, name="（演示）金乡某汽车销售服务公司", credit_code="91370828MA3C4XY619",
                                 kind="dealer")
    claims = []
    for n, (fuel, price, old_fuel, registered) in enumerate(CARS, start=101):
        new_item = {"category": "乘用车", "fuel": fuel, "price_after_discounts": price, "identifier": f"LDEMO{n:012d}",
                    "invoice": f"DEMO-CAR-INV-{n:06d}"}
        if fuel == "nev":
            new_item["in_nev_catalogue"] = True
        else:
            new_item["displacement_l"] = "1.5"
        payload = {
            "claimant": {"name": f"演示车主{n - 100}", "id_card": demo_id_card(n), "phone": f"1390000{n:04d}"},
            "new_item": new_item,
            "old_item": {"vehicle_class": "小型载客汽车", "owner_is_applicant": True, "ownership_start": "2016-05-01",
                         "fuel": old_fuel, "registration_date": registered, "identifier": f"DEMO-OLDCAR-{n:05d}"},
            "documents": ["id_card", "scrap_certificate", "deregistration_certificate", "new_car_invoice", "bank_card"],
            "payee": {"account": demo_card_number(n), "bank": "（演示）建设银行金乡支行"},
        }
        claim, _ = claim_submit(actor=actor, programme=programme, payload=payload, organisation=dealer, decide=decide, usage_for=usage_for)
        claims.append(claim)
    accepted = 0
    for claim in claims[:2]:
        if claim.status == ClaimStatus.SUBMITTED:
            claim_review(actor=reviewer, claim=claim, action="accept", reason="（演示）材料齐全，予以受理")
            accepted += 1
    if len(claims) > 2 and claims[2].status == ClaimStatus.SUBMITTED:
        claim_review(actor=reviewer, claim=claims[2], action="request_documents", reason="（演示）请补充机动车注销证明")
    lines = [f"汽车报废更新（演示）：{len(claims)} 笔申请，已受理 {accepted} 笔，其余待受理或补充材料"]
    if Claim.objects.filter(programme=programme, status=ClaimStatus.APPROVED).exists():
        batch = make_batch(actor=actor, programme=programme)
        lines.append(f"汽车补贴拨付批次 {batch.number}：{batch.transfer_count} 笔付款至车主本人账户，待银行回盘（演示）")
    return lines
