"""Indicator values computed from the subsidy ledger (台账计算): every figure below is worked out by
hand from claims made through the subsidy services, on a clock the tests set.

The ledger world (金乡县, programme 2026-02-01 … 2026-06-30, 15 % of the price, at most 500 元):

=====  ======  =====  ======  =================================================================
claim  item    price  amount  what happens
=====  ======  =====  ======  =================================================================
c1     冰箱     2999   449.85  approved 2026-03-10, paid 2026-04-20
c2     洗衣机   2000   300.00  approved 2026-03-31 23:30, the month's last half hour, paid 04-20
c3     冰箱     4000   500.00  approved 2026-03-10, returned 2026-04-02 (reversed)
c4     冰箱     2999       —   same serial as c1: rejected at intake
c5     电视     5000   500.00  approved 2026-03-10, paid 04-20 (not a 冰箱/洗衣机)
c6     冰箱     1000   150.00  drawn for review in March, approved 2026-04-02, paid 04-20
c7     冰箱     3500   500.00  drawn for review in March, rejected 2026-04-02
c8     洗衣机   2500   375.00  approved 2026-04-01 00:30, paid 04-20, returned 2026-05-05 (clawback)
=====  ======  =====  ======  =================================================================

Times are Beijing time, as the ledger's periods are: c8 is still 31 March in UTC but counts in April.
"""

import csv
import datetime as dt
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from liangxin.accounts.models import Role
from liangxin.accounts.services import role_grant, user_create
from liangxin.audit.models import AuditEntry
from liangxin.core.errors import Conflict, ServiceError
from liangxin.plans.models import Indicator
from liangxin.plans.services import indicator_create, indicator_update, target_set_indicator
from liangxin.subsidies.demo import demo_id_card
from liangxin.subsidies.disbursement import bank_result_import, batch_create
from liangxin.subsidies.ledger import pool_balances
from liangxin.subsidies.models import Claim, ClaimStatus, LedgerAccount
from liangxin.subsidies.returns import claim_return_item
from liangxin.subsidies.review import claim_review, claim_route
from liangxin.subsidies.services import claim_submit, organisation_create, pool_create, programme_create
from liangxin.tracking.computed import (
    computed_source_delete,
    computed_source_save,
    indicator_values_compute,
    indicator_values_compute_year,
    indicator_values_refresh_on_commit,
)
from liangxin.tracking.models import ComputedIndicatorSource, IndicatorValue, SupersededIndicatorValue
from liangxin.tracking.services import indicator_value_record
from liangxin.tracking.values_excel import ValuesSheetInvalid, values_import_xlsx, values_template_xlsx

BEIJING = ZoneInfo("Asia/Shanghai")
MARCH, APRIL, MAY = dt.date(2026, 3, 1), dt.date(2026, 4, 1), dt.date(2026, 5, 1)


@pytest.fixture
def clock(monkeypatch):
    """Sets the time every service sees (auto_now_add, decided_at, the ledger) to Beijing time."""

    class Clock:
        now = None

        def set(self, *args):
            self.now = dt.datetime(*args, tzinfo=BEIJING)

    clock = Clock()
    real_now = timezone.now
    monkeypatch.setattr(timezone, "now", lambda: clock.now or real_now())
    return clock


def flat_rate_decide(rules, payload, usage):
    price = Decimal(payload["new_item"]["price"])
    amount = min((price * Decimal(rules["rate"])).quantize(Decimal("0.01")), Decimal(rules["cap"]))
    return {
        "eligible": True,
        "amount": amount,
        "price": price,
        "category": payload["new_item"]["category"],
        "limit": rules["limit"],
        "checks": [],
        "identifiers": [
            ("serial", payload["new_item"]["serial"]),
            ("invoice", payload["new_item"]["invoice"]),
        ],
        "trace": {"formula": f"{price} × {rules['rate']} = {amount}"},
    }


def _bank_says_paid(batch) -> bytes:
    """The bank's result file: every line paid (lines are transfers, or claims where a batch has
    no transfers)."""
    lines = batch.transfers if hasattr(batch, "transfers") else batch.items
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["批次号", "明细号", "金额", "结果", "失败原因", "银行流水号"])
    for line in lines.order_by("line"):
        writer.writerow(
            [batch.number, line.line, f"{line.amount:.2f}", "成功", "", f"BK{batch.id:03d}{line.line:06d}"]
        )
    return buffer.getvalue().encode("utf-8-sig")


class Ledger:
    """The claims of the module docstring, made through the subsidy services."""

    def __init__(self, region, clock, reviewer):
        self.region, self.clock, self.reviewer, self.claims = region, clock, reviewer, {}
        clock.set(2026, 2, 1, 9)
        self.programme = programme_create(
            actor="test",
            region=region,
            year=2026,
            name="2026年家电以旧换新",
            starts_on=dt.date(2026, 2, 1),
            ends_on=dt.date(2026, 6, 30),
            rules={"rate": "0.15", "cap": "500", "limit": 1},
        )
        self._sampling("0")
        pool_create(actor="test", programme=self.programme, name="家电", allocated="100000")
        self.shop = organisation_create(
            actor="test", region=region, name="某家电卖场", credit_code="91110000600037341L", kind="retailer"
        )
        self.shop.bank_name, self.shop.bank_account = "农业银行金乡支行", "6228480000000000001"
        self.shop.save(update_fields=["bank_name", "bank_account"])

    def _sampling(self, rate: str) -> None:
        # 0: every clean claim is approved at once; 1: every claim waits for a reviewer.
        self.programme.sample_rate = Decimal(rate)
        self.programme.save(update_fields=["sample_rate"])

    def claim(
        self, key: str, n: int, category: str, price: str, *, serial: str | None = None, review: bool = False
    ) -> Claim:
        payload = {
            "claimant": {"name": f"申请人{n}", "id_card": demo_id_card(n), "phone": f"139{n:08d}"},
            "new_item": {
                "category": category,
                "price": price,
                "serial": serial or f"SN{n:06d}",
                "invoice": f"INV{n:06d}",
            },
        }
        self._sampling("1" if review else "0")
        claim, _ = claim_submit(
            actor="test",
            programme=self.programme,
            payload=payload,
            organisation=self.shop,
            decide=flat_rate_decide,
        )
        self.claims[key] = claim_route(claim=claim)
        self._sampling("0")
        return self.claims[key]

    def march(self) -> None:
        self.clock.set(2026, 3, 10, 10)
        self.claim("c1", 1, "冰箱", "2999")
        self.claim("c3", 3, "冰箱", "4000")
        self.claim("c4", 4, "冰箱", "2999", serial="SN000001")
        self.claim("c5", 5, "电视", "5000")
        self.claim("c6", 6, "冰箱", "1000", review=True)
        self.claim("c7", 7, "冰箱", "3500", review=True)
        self.clock.set(2026, 3, 31, 23, 30)
        self.claim("c2", 2, "洗衣机", "2000")

    def april(self) -> None:
        self.clock.set(2026, 4, 1, 0, 30)
        self.claim("c8", 8, "洗衣机", "2500")
        self.clock.set(2026, 4, 2, 9)
        claim_review(
            actor=self.reviewer, claim=self.claims["c6"], action="approve", reason="发票与序列号一致"
        )
        claim_review(actor=self.reviewer, claim=self.claims["c7"], action="reject", reason="旧机未交回")
        claim_return_item(actor="test", claim=self.claims["c3"], reason="顾客退货")
        self.clock.set(2026, 4, 20, 15)
        batch = batch_create(actor="test", programme=self.programme)
        bank_result_import(actor="test", batch=batch, data=_bank_says_paid(batch), fmt="csv")

    def may(self) -> None:
        self.clock.set(2026, 5, 5, 11)
        claim_return_item(
            actor="test", claim=Claim.objects.get(pk=self.claims["c8"].pk), reason="顾客退货，已拨付转追回"
        )

    def status(self, key: str) -> str:
        return Claim.objects.get(pk=self.claims[key].pk).status


def _indicator(name: str) -> Indicator:
    return Indicator.objects.get(name=name)


@pytest.fixture
def ledger(jinxiang, clock):
    reviewer = user_create(actor="test", username="审核员", password="x")
    role_grant(actor="test", user=reviewer, role=Role.PROGRAMME_STAFF, region=jinxiang)
    return Ledger(jinxiang, clock, reviewer)


@pytest.fixture
def sources(ledger, jinxiang):
    """Three catalogue indicators fed by the ledger, each with another measure."""
    return {
        "count": computed_source_save(
            actor="test",
            region=jinxiang,
            indicator=_indicator("家电以旧换新补贴件数"),
            measure="granted_count",
            categories="冰箱、洗衣机",
        ),
        "paid": computed_source_save(
            actor="test",
            region=jinxiang,
            indicator=_indicator("以旧换新补贴资金"),
            measure="paid_amount",
            programmes=[ledger.programme],
        ),
        "sales": computed_source_save(
            actor="test", region=jinxiang, indicator=_indicator("以旧换新带动销售额"), measure="sales"
        ),
    }


def _values(region, month: dt.date) -> dict[str, Decimal]:
    return {
        v.indicator.name: v.value
        for v in IndicatorValue.objects.filter(
            region=region, period_kind="month", period_start=month
        ).select_related("indicator")
    }


def _compute(region, month: dt.date):
    return indicator_values_compute(actor="test", region=region, period_kind="month", period_start=month)


# ---------------------------------------------------------------- the figures


def test_values_match_the_claims_by_decision_date_category_and_status(ledger, sources, jinxiang):
    ledger.march()
    assert [ledger.status(k) for k in ("c4", "c6", "c7")] == [
        ClaimStatus.REJECTED,
        ClaimStatus.IN_REVIEW,
        ClaimStatus.IN_REVIEW,
    ]
    _compute(jinxiang, MARCH)
    # c1, c2, c3 are 冰箱/洗衣机 granted in March; c5 is a 电视, c6/c7 wait for review, c4 was refused.
    assert _values(jinxiang, MARCH) == {
        "家电以旧换新补贴件数": Decimal("3"),
        "以旧换新补贴资金": Decimal("0"),  # nothing paid yet
        "以旧换新带动销售额": Decimal("1.3999"),  # 2999 + 2000 + 4000 + 5000 元 = 1.3999 万元
    }

    ledger.april()
    assert [ledger.status(k) for k in ("c3", "c6", "c7", "c8")] == [
        ClaimStatus.REVERSED,
        ClaimStatus.PAID,
        ClaimStatus.REJECTED,
        ClaimStatus.PAID,
    ]
    _compute(jinxiang, MARCH)
    _compute(jinxiang, APRIL)
    # c3 was returned: March loses it although it was granted in March.
    assert _values(jinxiang, MARCH) == {
        "家电以旧换新补贴件数": Decimal("2"),
        "以旧换新补贴资金": Decimal("0"),
        "以旧换新带动销售额": Decimal("0.9999"),
    }
    # April: c6 and c8 decided; paid on 04-20 are c1 449.85 + c2 300 + c5 500 + c6 150 + c8 375 = 1774.85 元.
    assert _values(jinxiang, APRIL) == {
        "家电以旧换新补贴件数": Decimal("2"),
        "以旧换新补贴资金": Decimal("0.1775"),
        "以旧换新带动销售额": Decimal("0.3500"),
    }

    ledger.may()
    _compute(jinxiang, APRIL)
    _compute(jinxiang, MAY)
    # The clawed-back c8 leaves April (decided and paid there); May has nothing new.
    assert _values(jinxiang, APRIL) == {
        "家电以旧换新补贴件数": Decimal("1"),
        "以旧换新补贴资金": Decimal("0.1400"),
        "以旧换新带动销售额": Decimal("0.1000"),
    }
    assert _values(jinxiang, MAY) == {
        "家电以旧换新补贴件数": Decimal("0"),
        "以旧换新补贴资金": Decimal("0"),
        "以旧换新带动销售额": Decimal("0"),
    }
    april = IndicatorValue.objects.get(indicator__name="以旧换新补贴资金", period_start=APRIL)
    assert (april.source, april.note) == (
        "computed",
        "由补贴台账计算：1 个活动，已拨付 4 件，补贴 1,399.85 元",
    )
    count = IndicatorValue.objects.get(indicator__name="家电以旧换新补贴件数", period_start=MARCH)
    assert count.note == "由补贴台账计算：1 个活动（冰箱、洗衣机），已核定 2 件"


def test_paid_amounts_add_up_to_the_ledgers_paid_balance(ledger, sources, jinxiang):
    ledger.march()
    ledger.april()
    ledger.may()
    indicator_values_compute_year(actor="test", region=jinxiang, year=2026, today=dt.date(2026, 5, 31))
    paid = sum(
        IndicatorValue.objects.filter(indicator__name="以旧换新补贴资金").values_list("value", flat=True)
    )
    balance = pool_balances(ledger.programme.pools.get())[LedgerAccount.PAID]
    assert balance == Decimal("1399.85") and paid == Decimal("0.1400") == (balance / 10_000).quantize(
        Decimal("0.0001")
    )
    # February (the programme's first month) is computed as 0; no month after May is written.
    months = IndicatorValue.objects.filter(indicator__name="以旧换新补贴资金").values_list(
        "period_start", flat=True
    )
    assert sorted(months) == [dt.date(2026, m, 1) for m in (2, 3, 4, 5)]


def test_amounts_are_converted_to_the_indicators_unit(ledger, jinxiang):
    ledger.march()
    for name, unit in (("核定补贴（元）", "元"), ("核定补贴（亿元）", "亿元"), ("核定件数（万件）", "万件")):
        indicator_create(actor="test", name=name, unit=unit)
    computed_source_save(
        actor="test", region=jinxiang, indicator=_indicator("核定补贴（元）"), measure="granted_amount"
    )
    computed_source_save(
        actor="test", region=jinxiang, indicator=_indicator("核定补贴（亿元）"), measure="granted_amount"
    )
    computed_source_save(
        actor="test", region=jinxiang, indicator=_indicator("以旧换新补贴资金"), measure="granted_amount"
    )
    computed_source_save(
        actor="test", region=jinxiang, indicator=_indicator("核定件数（万件）"), measure="granted_count"
    )
    _compute(jinxiang, MARCH)
    # c1 449.85 + c2 300 + c3 500 + c5 500 = 1749.85 元 granted in March, four claims.
    assert _values(jinxiang, MARCH) == {
        "核定补贴（元）": Decimal("1749.85"),
        "以旧换新补贴资金": Decimal("0.1750"),
        "核定补贴（亿元）": Decimal("0"),
        "核定件数（万件）": Decimal("0.0004"),
    }


# ---------------------------------------------------------------- idempotency and conflicts


def test_running_twice_changes_nothing(ledger, sources, jinxiang):
    ledger.march()
    ledger.april()
    first = indicator_values_compute_year(
        actor="test", region=jinxiang, year=2026, today=dt.date(2026, 4, 30)
    )
    # January comes before the programme opened: skipped, not written as 0.
    assert [o.action for o in first] == ["skipped"] * 3 + ["created"] * 9
    rows = list(IndicatorValue.objects.order_by("id").values())
    entries = AuditEntry.objects.count()
    second = indicator_values_compute_year(
        actor="test", region=jinxiang, year=2026, today=dt.date(2026, 4, 30)
    )
    assert [o.action for o in second] == ["skipped"] * 3 + ["unchanged"] * 9
    assert list(IndicatorValue.objects.order_by("id").values()) == rows
    assert AuditEntry.objects.count() == entries


def test_a_reported_value_is_replaced_audited_and_shown(ledger, sources, jinxiang, personas, client):
    count = _indicator("家电以旧换新补贴件数")
    ledger.march()
    indicator_value_record(
        actor=personas["staff"],
        region=jinxiang,
        indicator=count,
        period_kind="month",
        period_start=MARCH,
        value="5",
        note="县商务局统计",
    )
    outcome = next(o for o in _compute(jinxiang, MARCH) if o.indicator == count.name)
    assert (outcome.action, outcome.previous, outcome.value) == ("updated", Decimal("5"), Decimal("3"))
    assert outcome.superseded == ["2026年3月 5（部门报送）"]
    row = IndicatorValue.objects.get(indicator=count, period_start=MARCH)
    assert (row.value, row.source, row.recorded_by) == (Decimal("3"), "computed", None)
    kept = SupersededIndicatorValue.objects.get()
    assert (kept.value, kept.source, kept.note, kept.recorded_by) == (
        Decimal("5"),
        "reported",
        "县商务局统计",
        personas["staff"],
    )
    entry = AuditEntry.objects.filter(action="indicator_value.compute", object_id=str(row.pk)).get()
    assert (
        entry.before["value"] == "5.0000"
        and entry.before["source"] == "reported"
        and entry.after["source"] == "computed"
    )
    assert AuditEntry.objects.filter(action="indicator_value.supersede", object_id=str(row.pk)).exists()

    client.force_login(personas["leader"])
    html = client.get(reverse("tracking:values", args=["370828"])).content.decode()
    table = html[html.index('id="superseded"') :]
    assert "家电以旧换新补贴件数" in table and "2026年3月" in table and "部门报送" in table
    assert ">5 台<" in table and ">3 台<" in table and ">-2<" in table


def test_reporting_or_importing_over_a_computed_value_is_refused(ledger, sources, jinxiang, jinxiang_plan):
    count = _indicator("家电以旧换新补贴件数")
    ledger.march()
    _compute(jinxiang, MARCH)
    with pytest.raises(Conflict) as refused:
        indicator_value_record(
            actor="test", region=jinxiang, indicator=count, period_kind="month", period_start=MARCH, value="9"
        )
    assert refused.value.field == "value"
    assert "“家电以旧换新补贴件数”2026年3月的数值由补贴台账计算" in refused.value.message
    assert "computed from the subsidy ledger" in refused.value.message_en
    # A quarter or a year over a computed month would be counted twice: refused as well.
    with pytest.raises(Conflict):
        indicator_value_record(
            actor="test", region=jinxiang, indicator=count, period_kind="year", period_start=MARCH, value="9"
        )
    with pytest.raises(ServiceError, match="只能由系统"):
        indicator_value_record(
            actor="test",
            region=jinxiang,
            indicator=count,
            period_kind="month",
            period_start=APRIL,
            value="9",
            source="computed",
        )

    # The sheet takes the indicators of the region's targets: let the appliance target use this one.
    target = jinxiang_plan.targets.get(metric__contains="家电消费活动")
    target_set_indicator(actor="test", target=target, indicator=count)
    workbook = openpyxl.load_workbook(io.BytesIO(values_template_xlsx(jinxiang)))
    sheet = workbook["指标数值"]
    sheet.delete_rows(2, sheet.max_row)
    sheet.append(["新能源汽车保有量", "辆", "月", "2026-03", 24100, ""])
    sheet.append(["家电以旧换新补贴件数", "台", "月", "2026-03", 9, ""])
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(ValuesSheetInvalid) as invalid:
        values_import_xlsx(actor="test", region=jinxiang, file=buffer.getvalue())
    assert invalid.value.errors == [
        "第 3 行：“家电以旧换新补贴件数”2026年3月的数值由补贴台账计算，不能手工填报或导入（如有出入，请核对补贴台账）"
    ]
    assert IndicatorValue.objects.get(indicator=count, period_start=MARCH).value == 3
    assert not IndicatorValue.objects.filter(indicator__name="新能源汽车保有量").exists()  # all or nothing

    # Once the source is deleted the indicator may be reported again.
    computed_source_delete(actor="test", source=sources["count"])
    indicator_value_record(
        actor="test", region=jinxiang, indicator=count, period_kind="month", period_start=MARCH, value="9"
    )
    assert IndicatorValue.objects.get(indicator=count, period_start=MARCH).source == "reported"


def test_a_reported_year_over_computed_months_is_replaced(ledger, sources, jinxiang):
    count = _indicator("家电以旧换新补贴件数")
    ledger.march()
    indicator_value_record(
        actor="test",
        region=jinxiang,
        indicator=count,
        period_kind="year",
        period_start=dt.date(2026, 1, 1),
        value="40",
        source="imported",
    )
    outcome = next(o for o in _compute(jinxiang, MARCH) if o.indicator == count.name)
    assert outcome.superseded == ["2026年 40（表格导入）"]
    assert list(IndicatorValue.objects.filter(indicator=count).values_list("period_kind", "value")) == [
        ("month", Decimal("3"))
    ]
    assert SupersededIndicatorValue.objects.get().period_kind == "year"


def test_periods_before_the_programmes_and_in_the_future_are_skipped(ledger, sources, jinxiang):
    count = _indicator("家电以旧换新补贴件数")
    january = dt.date(2026, 1, 1)
    indicator_value_record(
        actor="test", region=jinxiang, indicator=count, period_kind="month", period_start=january, value="7"
    )
    outcomes = indicator_values_compute(
        actor="test", region=jinxiang, period_kind="month", period_start=january
    )
    assert {(o.action, o.reason_en) for o in outcomes} == {("skipped", "before the first programme started")}
    assert IndicatorValue.objects.get(indicator=count).value == 7  # the ledger knows nothing of January
    ledger.clock.set(2026, 3, 10, 10)
    outcomes = indicator_values_compute(
        actor="test", region=jinxiang, period_kind="month", period_start=APRIL
    )
    assert {(o.action, o.reason) for o in outcomes} == {("skipped", "期间尚未开始")}


# ---------------------------------------------------------------- configuration


def test_misconfiguration_is_refused_with_the_field_named(ledger, jinxiang, shanting):
    ledger.march()  # the claims name the categories a source may filter on
    with pytest.raises(ServiceError) as money_in_units:
        computed_source_save(
            actor="test", region=jinxiang, indicator=_indicator("家电以旧换新补贴件数"), measure="paid_amount"
        )
    assert money_in_units.value.field == "measure"
    assert (
        "“已拨付补贴金额”无法换算为指标“家电以旧换新补贴件数”的计量单位“台”" in money_in_units.value.message
    )
    assert money_in_units.value.message_en.startswith(
        "measure: 'subsidy paid' cannot be expressed in the unit '台'"
    )
    with pytest.raises(ServiceError, match="计量单位“%”") as count_in_percent:
        computed_source_save(
            actor="test", region=jinxiang, indicator=_indicator("关键工序数控化率"), measure="granted_count"
        )
    assert count_in_percent.value.field == "measure"
    with pytest.raises(ServiceError, match="品类“冰霜”") as typo:
        computed_source_save(
            actor="test",
            region=jinxiang,
            indicator=_indicator("家电以旧换新补贴件数"),
            measure="granted_count",
            categories="冰箱、冰霜",
        )
    assert typo.value.field == "categories"
    other = programme_create(
        actor="test",
        region=shanting,
        year=2026,
        name="山亭区家电",
        starts_on=dt.date(2026, 2, 1),
        ends_on=dt.date(2026, 6, 30),
        rules={"rate": "0.1", "cap": "300", "limit": 1},
    )
    with pytest.raises(ServiceError) as elsewhere:
        computed_source_save(
            actor="test",
            region=jinxiang,
            indicator=_indicator("家电以旧换新补贴件数"),
            measure="granted_count",
            programmes=[other],
        )
    assert elsewhere.value.field == "programmes"
    computed_source_save(
        actor="test", region=jinxiang, indicator=_indicator("家电以旧换新补贴件数"), measure="granted_count"
    )
    with pytest.raises(Conflict) as twice:
        computed_source_save(
            actor="test",
            region=jinxiang,
            indicator=_indicator("家电以旧换新补贴件数"),
            measure="granted_count",
        )
    assert twice.value.field == "indicator"
    # The database refuses a second source for the same cell even past the service.
    with pytest.raises(IntegrityError), transaction.atomic():
        ComputedIndicatorSource.objects.create(
            region=jinxiang, indicator=_indicator("家电以旧换新补贴件数"), measure="sales"
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        ComputedIndicatorSource.objects.create(
            region=jinxiang, indicator=_indicator("以旧换新补贴资金"), measure="everything"
        )


def test_a_unit_changed_after_configuration_stops_the_value_not_the_others(ledger, sources, jinxiang):
    ledger.march()
    indicator_update(
        actor="test",
        indicator=_indicator("以旧换新带动销售额"),
        unit="%",
        direction="up",
        keywords="",
        description="",
    )
    outcomes = {o.indicator: o for o in _compute(jinxiang, MARCH)}
    assert (
        outcomes["以旧换新带动销售额"].action == "refused"
        and "计量单位“%”" in outcomes["以旧换新带动销售额"].reason
    )
    assert outcomes["家电以旧换新补贴件数"].action == "created"
    assert set(_values(jinxiang, MARCH)) == {"家电以旧换新补贴件数", "以旧换新补贴资金"}


def test_a_city_adds_up_the_programmes_of_its_counties(ledger, jinxiang):
    from liangxin.regions.models import Region

    jining = Region.objects.get(code="370800")
    ledger.march()
    computed_source_save(
        actor="test", region=jining, indicator=_indicator("家电以旧换新补贴件数"), measure="granted_count"
    )
    indicator_values_compute(actor="test", region=jining, period_kind="month", period_start=MARCH)
    assert _values(jining, MARCH) == {"家电以旧换新补贴件数": Decimal("4")}  # c1, c2, c3, c5


# ---------------------------------------------------------------- page, CLI, hook, demo


def test_only_the_working_group_opens_the_configuration_page(personas, client, jinxiang):
    url = reverse("tracking:computed_sources", args=["370828"])
    client.force_login(personas["outsider"])
    assert client.get(url).status_code == 404
    for name in ("leader", "staff", "auditor"):
        client.force_login(personas[name])
        assert client.get(url).status_code == 403
        assert client.post(url, {"action": "compute", "year": "2026"}).status_code == 403
    client.force_login(personas["city_zb"])
    assert client.get(url).status_code == 200


def test_the_working_group_configures_and_recomputes_on_the_page(
    ledger, personas, client, jinxiang, jinxiang_plan
):
    ledger.march()
    url = reverse("tracking:computed_sources", args=["370828"])
    count = _indicator("家电以旧换新补贴件数")
    client.force_login(personas["zb"])
    refused = client.post(url, {"action": "save", "indicator": count.id, "measure": "sales"})
    assert refused.status_code == 200 and "无法换算" in refused.content.decode()
    saved = client.post(
        url,
        {
            "action": "save",
            "indicator": count.id,
            "measure": "granted_count",
            "programmes": [ledger.programme.id],
            "categories": "冰箱、洗衣机",
        },
    )
    assert saved.status_code == 302
    source = ComputedIndicatorSource.objects.get(region=jinxiang)
    assert (source.categories, list(source.programmes.all())) == (["冰箱", "洗衣机"], [ledger.programme])
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "2026年家电以旧换新" in page and "冰箱、洗衣机" in page and "重新计算" in page

    # The clock says 2026-03-31 23:30: January and February hold no claims, March holds c1, c2, c3.
    response = client.post(url, {"action": "compute", "year": "2026"}, follow=True)
    assert "已重新计算 2026 年：新增 2 个、更新 0 个、未变 0 个数值" in response.content.decode()
    assert IndicatorValue.objects.get(indicator=count, period_start=MARCH).value == 3
    again = client.post(url, {"action": "compute", "year": "2026"}, follow=True)
    assert "新增 0 个、更新 0 个、未变 2 个数值" in again.content.decode()

    # Reports show the computed indicator instead of an input; the values page names the source.
    from liangxin.tracking.services import reports_open

    target_set_indicator(
        actor="test", target=jinxiang_plan.targets.get(metric__contains="家电消费活动"), indicator=count
    )
    report = next(
        r
        for r in reports_open(actor="test", plan=jinxiang_plan, period_start=MARCH)
        if r.department.name == "县商务局"
    )
    html = client.get(reverse("tracking:report", args=[report.id])).content.decode()
    assert "由补贴台账自动计算" in html and f'name="value-{count.id}"' not in html
    values = client.get(reverse("tracking:values", args=["370828"])).content.decode()
    assert "家电以旧换新补贴件数（台）← 已核定补贴件数" in values

    edit = client.post(
        f"{url}?edit={source.id}", {"action": "save", "indicator": count.id, "measure": "granted_count"}
    )
    assert edit.status_code == 302
    assert list(ComputedIndicatorSource.objects.get(pk=source.pk).programmes.all()) == []
    client.post(url, {"action": "delete", "source": source.id})
    assert not ComputedIndicatorSource.objects.exists()
    assert AuditEntry.objects.filter(action="computed_source.delete").count() == 1


def test_the_cli_computes_a_month_or_a_year(ledger, sources, jinxiang):
    ledger.march()
    out = io.StringIO()
    call_command("indicators_compute", "--region", "370828", "--period", "2026-03", stdout=out)
    text = out.getvalue()
    assert "2026年3月 家电以旧换新补贴件数 = 3 台（新增）" in text
    assert "以旧换新带动销售额 = 1.3999 万元（新增）" in text
    out = io.StringIO()
    call_command("indicators_compute", "--region", "370828", "--year", "2026", stdout=out)
    text = out.getvalue()
    assert (
        "2026年2月 家电以旧换新补贴件数 = 0 台（新增）" in text
        and "2026年3月 家电以旧换新补贴件数 = 3 台（未变）" in text
    )
    assert "新增 3 个、更新 0 个、未变 3 个" in text
    for args, message in (
        (["--region", "999999"], "未找到行政区划代码 999999"),
        (["--region", "370828", "--period", "2026/03"], "应为 YYYY-MM"),
        (["--region", "370828", "--period", "2026-03", "--year", "2026"], "只能选一个"),
        (["--region", "370828", "--year", "2031"], "年份“2031”无效"),
    ):
        with pytest.raises(CommandError, match=message):
            call_command("indicators_compute", *args)


def test_the_refresh_hook_recomputes_after_the_commit(
    ledger, sources, jinxiang, django_capture_on_commit_callbacks
):
    ledger.march()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        indicator_values_refresh_on_commit(
            programme=ledger.programme, days=[dt.datetime(2026, 3, 10, 10, tzinfo=BEIJING)]
        )
        assert not IndicatorValue.objects.exists()  # nothing before the caller's transaction commits
    assert len(callbacks) == 1
    callbacks[0]()
    assert _values(jinxiang, MARCH)["家电以旧换新补贴件数"] == 3
    # Another programme: the sources reading every programme of the region now say "2 个活动";
    # the source that chose the first programme is left alone.
    other = programme_create(
        actor="test",
        region=jinxiang,
        year=2026,
        name="2026年汽车以旧换新",
        starts_on=dt.date(2026, 2, 1),
        ends_on=dt.date(2026, 6, 30),
        rules={"rate": "0.1", "cap": "20000", "limit": 1},
    )
    with django_capture_on_commit_callbacks(execute=True):
        indicator_values_refresh_on_commit(programme=other)
    written = AuditEntry.objects.filter(action="indicator_value.compute").values_list(
        "object_repr", flat=True
    )
    assert sorted(written) == sorted(
        [
            "家电以旧换新补贴件数 2026年3月",
            "以旧换新补贴资金 2026年3月",
            "以旧换新带动销售额 2026年3月",
            "家电以旧换新补贴件数 2026年3月",
            "以旧换新带动销售额 2026年3月",
        ]
    )
    assert (
        IndicatorValue.objects.get(indicator__name="以旧换新带动销售额").note
        == "由补贴台账计算：2 个活动，已核定 4 件，成交额 13,999.00 元"
    )


def test_the_demo_feeds_the_dashboard_from_real_claims(personas, jinxiang_plan, shanting_plan, client):
    from liangxin.accounts.models import User
    from liangxin.core.demo import demo_users_load
    from liangxin.subsidies.demo import demo_subsidies_load
    from liangxin.tracking.demo import demo_computed_load

    demo_users_load(actor="test")
    reviewers = list(
        User.objects.filter(username__in=["jinxiang-programme", "jinxiang-zb"]).order_by("username")
    )
    demo_subsidies_load(actor="test", reviewers=reviewers)
    lines = demo_computed_load(actor="test")
    assert lines and "由补贴台账计算 2 个指标" in lines[0]
    this_month = timezone.localdate().replace(day=1)
    granted = Claim.objects.filter(
        programme__name="（演示）家电以旧换新",
        status__in=[ClaimStatus.APPROVED, ClaimStatus.IN_PAYMENT, ClaimStatus.PAID],
    ).count()
    assert (
        IndicatorValue.objects.get(indicator__name="家电以旧换新补贴件数", period_start=this_month).value
        == granted
        > 0
    )
    entries = AuditEntry.objects.count()
    demo_computed_load(actor="test")
    assert AuditEntry.objects.count() == entries and ComputedIndicatorSource.objects.count() == 2
    client.force_login(personas["leader"])
    html = client.get(reverse("tracking:dashboard", args=["370828"])).content.decode()
    assert "台账计算指标" in html and f"computed-{_indicator('家电以旧换新补贴件数').id}" in html


def test_the_subsidy_services_refresh_the_indicators_they_change(
    ledger, sources, jinxiang, django_capture_on_commit_callbacks
):
    ledger.march()
    assert not IndicatorValue.objects.exists()  # automatic approvals wait for the nightly run
    ledger.clock.set(2026, 4, 2, 9)
    with django_capture_on_commit_callbacks(execute=True):
        claim_review(actor=ledger.reviewer, claim=ledger.claims["c6"], action="approve", reason="发票与序列号一致")
    assert _values(jinxiang, APRIL)["家电以旧换新补贴件数"] == 1
    ledger.clock.set(2026, 4, 20, 15)
    batch = batch_create(actor="test", programme=ledger.programme)
    with django_capture_on_commit_callbacks(execute=True):
        bank_result_import(actor="test", batch=batch, data=_bank_says_paid(batch), fmt="csv")
    paid_in_april = _values(jinxiang, APRIL)["以旧换新补贴资金"]
    assert paid_in_april > 0
    ledger.clock.set(2026, 5, 5, 11)
    with django_capture_on_commit_callbacks(execute=True):
        claim_return_item(actor="test", claim=Claim.objects.get(pk=ledger.claims["c6"].pk), reason="顾客退货")
    assert _values(jinxiang, APRIL)["家电以旧换新补贴件数"] == 0
    assert _values(jinxiang, APRIL)["以旧换新补贴资金"] < paid_in_april
